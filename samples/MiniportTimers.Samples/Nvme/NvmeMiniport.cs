using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Nvme;

/// <summary>
/// An NVMe miniport that re-enacts how the OFA NVMe driver uses Storport timers (real-drivers.md S3): the start state
/// machine on the legacy timer (NVMeRunning every 5 ms, advanced also from the completion DPC, which replaces a request
/// still pending), the 1 s surprise-removal watchdog on a StorPortInitializeTimer handle that frees itself inside its
/// own callback, and, where StorPortInitializeTimer is not implemented (Windows 7), the watchdog on the same single
/// legacy timer as NVMeRunning, where the last request wins.
/// </summary>
public static class NvmeMiniport
{
    private const uint WatchdogMicroseconds = 1_000_000;
    private const uint PauseSeconds = 10;

    /// <summary>The HW_INITIALIZATION_DATA for StorPortInitialize; each new adapter takes the next controller.</summary>
    public static HW_INITIALIZATION_DATA CreateInitializationData(Func<NvmeController> nextController) => new()
    {
        DeviceExtensionFactory = () => new NvmeExtension(nextController()),
        HwFindAdapter = HwFindAdapter,
        HwInitialize = HwInitialize,
        HwStartIo = HwStartIo,
        HwInterrupt = HwInterrupt,
        HwAdapterControl = (_, _, _) => 0,
    };

    /// <summary>
    /// Step 1: Init(Timerhandle). On failure (Windows 7: STOR_STATUS_NOT_IMPLEMENTED) the handle stays NULL and the
    /// watchdog falls back to the legacy timer.
    /// </summary>
    private static uint HwFindAdapter(object deviceExtension, object? hwContext, object? busInformation, string? argumentString, PORT_CONFIGURATION_INFORMATION configInfo, out bool reserved3)
    {
        reserved3 = false;
        var e = (NvmeExtension)deviceExtension;
        configInfo.SynchronizationModel = StorSynchronizeFullDuplex;
        if (StorPortInitializeTimer(deviceExtension, out var handle) == STOR_STATUS_SUCCESS)
        {
            e.Timerhandle = handle;
        }
        else
        {
            e.Timerhandle = null;
            e.Counters.Add(NvmeFact.WatchdogOnLegacyTimer);
        }

        StorPortInitializeDpc(deviceExtension, e.CompletionDpc, CompletionDpc);
        return SP_RETURN_FOUND;
    }

    private static bool HwInitialize(object deviceExtension) => StorPortEnablePassiveInitialization(deviceExtension, HwPassiveInitialize);

    /// <summary>
    /// Step 2: NVMeRunningStartAttempt: CheckbackInterval = 5000 µs, state WaitOnRDY, CC.EN, then NVMeRunning. The
    /// driver's passive loop (stall 5 ms until StartComplete, Failed or CAP.TO + 5 s) cannot block a virtual clock, so
    /// the run plays its iterations as 5 ms workload events (<see cref="PassiveWaitIteration"/>).
    /// </summary>
    private static bool HwPassiveInitialize(object deviceExtension)
    {
        var e = (NvmeExtension)deviceExtension;
        e.CheckbackIntervalMicroseconds = 5_000;
        e.State = NvmeInitState.WaitOnRDY;
        e.StartedAtNanoseconds = e.Controller.Adapter?.Host.Engine.NowNanoseconds ?? 0;
        e.Controller.Enable();
        NVMeRunning(deviceExtension);
        return true;
    }

    /// <summary>
    /// One iteration of HwPassiveInitialize's wait (step 4).
    /// </summary>
    /// <returns>True while the wait goes on; false once started, failed, or timed out (the timer is then freed).</returns>
    public static bool PassiveWaitIteration(NvmeExtension e, long nowNanoseconds)
    {
        if (e.State is NvmeInitState.StartComplete or NvmeInitState.Failed)
        {
            return false;
        }

        e.Counters.Add(NvmeFact.PassiveWaitPolls);
        var limitNanoseconds = ((e.Controller.CapTimeout500ms * 500L) + 5_000) * 1_000_000;
        if (nowNanoseconds - e.StartedAtNanoseconds < limitNanoseconds)
        {
            return true;
        }

        // Timed out: free the watchdog's timer and give up.
        e.State = NvmeInitState.Failed;
        e.Counters.Add(NvmeFact.StartsFailed);
        if (e.Timerhandle is { } handle)
        {
            StorPortFreeTimer(e, handle);
            e.Timerhandle = null;
        }

        return false;
    }

    /// <summary>Step 3: NVMeRunning, the HwStorTimer of the start state machine.</summary>
    private static void NVMeRunning(object deviceExtension)
    {
        var e = (NvmeExtension)deviceExtension;
        if (e.LegacyPending == (HW_TIMER)NVMeRunning)
        {
            e.LegacyPending = null;
        }

        switch (e.State)
        {
            case NvmeInitState.WaitOnRDY:
                if (e.Controller.ReadyBit && e.Controller.ReadVersion() != 0xFFFF_FFFF)
                {
                    e.State = NvmeInitState.WaitOnIdentifyCtrl;
                    e.Controller.Submit(new NvmeCommand(e.State, null));
                    NVMeCallArbiter(e);
                    return;
                }

                e.Counters.Add(NvmeFact.ReadyPolls);
                e.ReadyWaitedMicroseconds += e.CheckbackIntervalMicroseconds;
                if (e.ReadyWaitedMicroseconds > e.Controller.CapTimeout500ms * 500_000L)
                {
                    e.State = NvmeInitState.Failed;
                    e.Counters.Add(NvmeFact.StartsFailed);
                    return;
                }

                NVMeCallArbiter(e);
                return;

            case NvmeInitState.WaitOnIdentifyCtrl or NvmeInitState.WaitOnIdentifyNS or NvmeInitState.WaitOnIoQueues or NvmeInitState.WaitOnSetFeatures:
                e.Counters.Add(NvmeFact.AdminCheckbacks);
                NVMeCallArbiter(e);
                return;

            default:
                return; // StartComplete or Failed: a stale tick
        }
    }

    /// <summary>NVMeCallArbiter: Legacy(NVMeRunning, CheckbackInterval); replaces whatever the legacy timer had pending.</summary>
    private static void NVMeCallArbiter(NvmeExtension e)
    {
        RequestLegacy(e, NVMeRunning, e.CheckbackIntervalMicroseconds);
    }

    private static void RequestLegacy(NvmeExtension e, HW_TIMER routine, uint microseconds)
    {
        if (e.LegacyPending is not null && microseconds != 0)
        {
            e.Counters.Add(NvmeFact.LegacyRequestsReplaced);
        }

        e.LegacyPending = microseconds == 0 ? null : routine;
        StorPortNotification(RequestTimerCall, e, routine, microseconds);
    }

    private static bool HwInterrupt(object deviceExtension)
    {
        var e = (NvmeExtension)deviceExtension;
        StorPortIssueDpc(deviceExtension, e.CompletionDpc, null, null);
        return true;
    }

    /// <summary>The completion DPC: reaps the completion queue, advances the admin states, completes I/O.</summary>
    private static void CompletionDpc(STOR_DPC dpc, object deviceExtension, object? systemArgument1, object? systemArgument2)
    {
        var e = (NvmeExtension)deviceExtension;
        var lockHandle = default(STOR_LOCK_HANDLE);
        StorPortAcquireSpinLock(deviceExtension, StartIoLock, null, ref lockHandle);
        try
        {
            while (e.Controller.TryReap(out var command))
            {
                if (command.Srb is { } srb)
                {
                    if (e.Outstanding.Remove(srb.Tag))
                    {
                        srb.SrbStatus = SRB_STATUS_SUCCESS;
                        StorPortNotification(RequestComplete, deviceExtension, srb);
                    }
                }
                else if (command.Admin == e.State)
                {
                    Advance(e);
                }
            }
        }
        finally
        {
            StorPortReleaseSpinLock(deviceExtension, ref lockHandle);
        }
    }

    /// <summary>The next admin state from the completion path, then the arbiter (replacing a pending NVMeRunning).</summary>
    private static void Advance(NvmeExtension e)
    {
        e.Counters.Add(NvmeFact.AdvancedFromCompletionDpc);
        var next = e.State + 1;
        if (next == NvmeInitState.StartComplete)
        {
            StartComplete(e);
            return;
        }

        e.State = next;
        e.Controller.Submit(new NvmeCommand(next, null));
        NVMeCallArbiter(e);
    }

    /// <summary>Step 5: Req(Timerhandle, 1 s, IsDeviceRemoved, NULL) (Windows 7: Legacy(IsDeviceRemoved, 1 s)), then StorPortResume.</summary>
    private static void StartComplete(NvmeExtension e)
    {
        e.State = NvmeInitState.StartComplete;
        e.Counters.Add(NvmeFact.StartsCompleted);
        ArmWatchdog(e);
        StorPortResume(e);
    }

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

    private static bool HwStartIo(object deviceExtension, SCSI_REQUEST_BLOCK srb)
    {
        var e = (NvmeExtension)deviceExtension;
        switch (srb.Function)
        {
            case SRB_FUNCTION_SHUTDOWN:
            case SRB_FUNCTION_PNP when srb.PnPAction == StorRemoveDevice:
                StopWatchdog(e);
                Complete(deviceExtension, srb, SRB_STATUS_SUCCESS);
                return true;

            case SRB_FUNCTION_EXECUTE_SCSI when e.DeviceGone:
                e.Counters.Add(NvmeFact.IoFailedNoDevice);
                Complete(deviceExtension, srb, SRB_STATUS_NO_DEVICE);
                return true;

            case SRB_FUNCTION_EXECUTE_SCSI when e.State == NvmeInitState.StartComplete:
                e.Outstanding[srb.Tag] = srb;
                e.Controller.Submit(new NvmeCommand(null, srb));
                return true;

            default:
                Complete(deviceExtension, srb, SRB_STATUS_BUSY);
                return true;
        }
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

    private static void Complete(object deviceExtension, SCSI_REQUEST_BLOCK srb, byte status)
    {
        srb.SrbStatus = status;
        StorPortNotification(RequestComplete, deviceExtension, srb);
    }
}
