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
public static partial class NvmeMiniport
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

    private static bool HwInterrupt(object deviceExtension)
    {
        var e = (NvmeExtension)deviceExtension;
        e.Controller.MaskInterrupt(); // INTMS (§7.5.1.1): the line falls until the DPC has reaped
        StorPortIssueDpc(deviceExtension, e.CompletionDpc, null, null);
        return true;
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

    private static void Complete(object deviceExtension, SCSI_REQUEST_BLOCK srb, byte status)
    {
        srb.SrbStatus = status;
        StorPortNotification(RequestComplete, deviceExtension, srb);
    }
}
