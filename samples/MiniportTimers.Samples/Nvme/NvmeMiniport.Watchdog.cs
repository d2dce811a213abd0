using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Nvme;

/// <summary>The 1 s surprise-removal watchdog (steps 6 and 8): on a StorPortInitializeTimer handle that frees itself in its own callback, or on the legacy timer in the Windows 7 build.</summary>
public static partial class NvmeMiniport
{
    private static void ArmWatchdog(NvmeExtension e)
    {
        if (e.Timerhandle is { } handle)
        {
            StorPortRequestTimer(e, handle, IsDeviceRemoved, null, WatchdogMicroseconds, 0);
        }
        else
        {
            RequestLegacy(e, IsDeviceRemovedLegacy, WatchdogMicroseconds);
        }
    }

    private static void IsDeviceRemovedLegacy(object deviceExtension)
    {
        var e = (NvmeExtension)deviceExtension;
        if (e.LegacyPending == (HW_TIMER)IsDeviceRemovedLegacy)
        {
            e.LegacyPending = null;
        }

        IsDeviceRemoved(deviceExtension, null);
    }

    /// <summary>Step 6: the watchdog. Valid VS: re-arm for 1 s. All-ones: pause, fail commands, free own timer, resume.</summary>
    private static void IsDeviceRemoved(object deviceExtension, object? context)
    {
        var e = (NvmeExtension)deviceExtension;
        if (context is not null)
        {
            e.Counters.Add(NvmeFact.WatchdogContextNotNull);
        }

        if (e.ShuttingDown)
        {
            return;
        }

        e.Counters.Add(NvmeFact.WatchdogChecks);
        if (e.Controller.ReadVersion() != 0xFFFF_FFFF)
        {
            ArmWatchdog(e);
            return;
        }

        e.DeviceGone = true;
        e.Counters.Add(NvmeFact.SurpriseRemovals);
        StorPortPause(deviceExtension, PauseSeconds);
        foreach (var srb in e.Outstanding.Values)
        {
            srb.SrbStatus = SRB_STATUS_NO_DEVICE;
            StorPortNotification(RequestComplete, deviceExtension, srb); // completes requests in the callback
            e.Counters.Add(NvmeFact.CommandsFailedInCallback);
        }

        e.Outstanding.Clear();
        if (e.Timerhandle is { } handle && StorPortFreeTimer(deviceExtension, handle) == STOR_STATUS_SUCCESS)
        {
            e.Counters.Add(NvmeFact.TimersFreedInOwnCallback);
        }

        e.Timerhandle = null;
        StorPortResume(deviceExtension);
    }


    /// <summary>Step 8: Req(Timerhandle, 0, 0) (cancel), Free, NULL; Windows 7: Legacy(IsDeviceRemoved, 0).</summary>
    private static void StopWatchdog(NvmeExtension e)
    {
        e.ShuttingDown = true;
        if (e.Timerhandle is { } handle)
        {
            StorPortRequestTimer(e, handle, IsDeviceRemoved, null, 0, 0);
            StorPortFreeTimer(e, handle);
            e.Timerhandle = null;
        }
        else if (e.State == NvmeInitState.StartComplete && !e.DeviceGone)
        {
            RequestLegacy(e, IsDeviceRemovedLegacy, 0);
        }

        // Commands the device will never complete now.
        foreach (var srb in e.Outstanding.Values)
        {
            Complete(e, srb, SRB_STATUS_ABORTED);
        }

        e.Outstanding.Clear();
    }
}
