using MiniportTimers.Storport;
using static MiniportTimers.Devices.Ahci.AhciRegisters;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// storahci's bus-change path (real-drivers.md S1c): HwStorInterrupt saw PxIS.PCS or PRCS (PxSERR.DIAG.X or N: a
/// device plugged or unplugged) and queued the DPC. The DPC looks at the link (PxSSTS.DET) under the StartIo lock: a
/// running port whose device is gone stops and fails its requests; a device on a port that is not running starts it.
/// Then it notifies Storport; if refused, a 100 ms timer, initialized right here at DISPATCH_LEVEL, retries; on
/// success the timer is freed at run time.
/// </summary>
internal static class BusChange
{
    /// <summary>The retry interval, µs.</summary>
    public const ulong RetryMicroseconds = 100_000;

    /// <summary>The bus-change DPC routine (PortBusChangeProcess).</summary>
    public static void BusChangeDpcRoutine(STOR_DPC dpc, object hwDeviceExtension, object? systemArgument1, object? systemArgument2)
    {
        var port = (AhciChannelExtension)systemArgument1!;
        var handle = default(STOR_LOCK_HANDLE);
        StorPortAcquireSpinLock(hwDeviceExtension, StartIoLock, null, ref handle);
        try
        {
            var det = port.Read(PxSSTS) & PxSSTS_DET_Mask;
            if (det == 0 && port.Outcome is PortOutcome.Running or PortOutcome.Starting)
            {
                DeviceGone(hwDeviceExtension, port);
            }
            else if (det != 0 && port.Outcome is PortOutcome.NoDevice or PortOutcome.Failed)
            {
                PortStart.StartAttempt(hwDeviceExtension, port, inStartChain: false);
            }
        }
        finally
        {
            StorPortReleaseSpinLock(hwDeviceExtension, ref handle);
        }

        Process(hwDeviceExtension, port);
    }

    /// <summary>Hot unplug: the start timer cancelled, the command list stopped, every request of the port failed with SRB_STATUS_NO_DEVICE.</summary>
    private static void DeviceGone(object hwDeviceExtension, AhciChannelExtension port)
    {
        StorPortRequestTimer(hwDeviceExtension, port.StartPortTimer, PortStart.P_Running_Callback, port, 0, 0);
        List<SCSI_REQUEST_BLOCK> lost = [];
        AhciHardware.UnderInterruptLock(port.AdapterExtension, () =>
        {
            lost = AhciHardware.StopCommandList(port);
            port.Write(PxIE, AhciHardware.HotPlugInterrupts);
        });
        foreach (var srb in lost)
        {
            srb.SrbStatus = SRB_STATUS_NO_DEVICE;
            StorPortNotification(RequestComplete, hwDeviceExtension, srb);
        }

        port.Outcome = PortOutcome.NoDevice;
        port.FinishedAttemptAtNanoseconds = port.AdapterExtension.NowNanoseconds();
        PortStart.FailAllIos(hwDeviceExtension, port, SRB_STATUS_NO_DEVICE);
        if (port.InStartChain)
        {
            port.InStartChain = false;
            PortStart.RunNextPort(hwDeviceExtension, port);
        }
    }

    /// <summary>AhciBusChangeTimerCallback: retry unless the port stopped.</summary>
    public static void AhciBusChangeTimerCallback(object hwDeviceExtension, object? context)
    {
        var port = (AhciChannelExtension)context!;
        if (port.Outcome == PortOutcome.Stopped)
        {
            return;
        }

        Process(hwDeviceExtension, port);
    }

    private static void Process(object hwDeviceExtension, AhciChannelExtension port)
    {
        var counters = port.AdapterExtension.Counters;
        if (StorPortStateChangeDetected(hwDeviceExtension, STATE_CHANGE_BUS, (byte)port.PortNumber, 0) == STOR_STATUS_SUCCESS)
        {
            counters.BusChangeAccepted();
            if (port.BusChangeTimer is { } done)
            {
                StorPortFreeTimer(hwDeviceExtension, done); // freed at run time; a later failure initializes a new one
                port.BusChangeTimer = null;
            }

            return;
        }

        counters.BusChangeRetry();
        if (port.BusChangeTimer is null)
        {
            StorPortInitializeTimer(hwDeviceExtension, out var timer); // result not checked, as in the driver
            port.BusChangeTimer = timer;
            counters.BusChangeTimerInit();
        }

        StorPortRequestTimer(hwDeviceExtension, port.BusChangeTimer, AhciBusChangeTimerCallback, port, RetryMicroseconds, 0);
    }
}
