using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>The I/O path: StartIo decides per port; the device completes through HwStorInterrupt.</summary>
internal static class Io
{
    /// <summary>SCSI operation code of TEST UNIT READY: no data, answered by the driver itself once the port runs.</summary>
    public const byte TestUnitReady = 0x00;

    /// <summary>READ(10).</summary>
    public const byte Read10 = 0x28;

    /// <summary>A request for a port: run it, hold it until the port starts, or fail it.</summary>
    public static void Submit(object hwDeviceExtension, AhciChannelExtension port, SCSI_REQUEST_BLOCK srb)
    {
        switch (port.Outcome)
        {
            case PortOutcome.Running:
                Start(hwDeviceExtension, port, srb);
                break;
            case PortOutcome.Starting:
            case PortOutcome.Stopped:
                port.PendingSrbs.Enqueue(srb);
                break;
            default:
                srb.SrbStatus = SRB_STATUS_NO_DEVICE;
                StorPortNotification(RequestComplete, hwDeviceExtension, srb);
                break;
        }
    }

    /// <summary>Issue to the device, or answer TEST UNIT READY at once (which, from ActivateQueue, is inside the timer callback).</summary>
    public static void Start(object hwDeviceExtension, AhciChannelExtension port, SCSI_REQUEST_BLOCK srb)
    {
        if (srb.CdbOperationCode == TestUnitReady)
        {
            srb.SrbStatus = SRB_STATUS_SUCCESS;
            StorPortNotification(RequestComplete, hwDeviceExtension, srb);
            return;
        }

        port.Device.Issue(srb);
    }
}
