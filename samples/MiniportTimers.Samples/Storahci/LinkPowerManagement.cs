using MiniportTimers.Storport;
using static MiniportTimers.Devices.Ahci.AhciRegisters;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// storahci's LPM Partial-to-Slumber worker (real-drivers.md S1b): on idle, WorkerTimer is requested for the LPM
/// interval with a 20 ms tolerable delay; on active it is cancelled (result unchecked, and often nothing is pending) and
/// the link is asked back to Active (PxCMD.ICC = 1). The callback asks an idle link for Slumber (PxCMD.ICC = 6, §8.3.1.2).
/// </summary>
internal static class LinkPowerManagement
{
    /// <summary>The tolerable delay storahci passes, µs.</summary>
    public const ulong TolerableDelayMicroseconds = 20_000;

    /// <summary>HwStorUnitControl(ScsiUnitPoFxPowerActive) for one port.</summary>
    public static void PowerActive(object hwDeviceExtension, AhciChannelExtension port, bool active)
    {
        if (active)
        {
            StorPortRequestTimer(hwDeviceExtension, port.WorkerTimer, AhciAutoPartialToSlumber, port, 0, 0);
            if (port.Outcome == PortOutcome.Running)
            {
                RequestInterfaceState(port, 1);
            }

            return;
        }

        if (port.Outcome != PortOutcome.Running)
        {
            return; // not allowed unless the port runs
        }

        port.AdapterExtension.Counters.LpmRequest();
        var status = StorPortRequestTimer(hwDeviceExtension, port.WorkerTimer, AhciAutoPartialToSlumber, port, (ulong)port.AdapterExtension.LpmIntervalMilliseconds * 1000, TolerableDelayMicroseconds);
        if (status == STOR_STATUS_BUSY)
        {
            port.AdapterExtension.Counters.UnexpectedBusyReturn(); // this driver does not expect BUSY here
        }
    }

    /// <summary>AhciAutoPartialToSlumber: the WorkerTimer routine. No re-arm.</summary>
    public static void AhciAutoPartialToSlumber(object hwDeviceExtension, object? context)
    {
        var port = (AhciChannelExtension)context!;
        if (port.Outcome != PortOutcome.Running)
        {
            return; // port stopped
        }

        if (port.Read(PxCI) == 0)
        {
            RequestInterfaceState(port, 6);
            StorPortStallExecution(5); // poll the link transition for a few µs
            if (port.LinkPower == "Slumber")
            {
                port.AdapterExtension.Counters.Slumber();
            }
        }
    }

    /// <summary>PxCMD.ICC (§3.3.7): asks the HBA for an interface state (1 Active, 6 Slumber); the field reads 0 again once taken.</summary>
    private static void RequestInterfaceState(AhciChannelExtension port, uint state) =>
        port.Write(PxCMD, (port.Read(PxCMD) & ~PxCMD_ICC_Mask) | (state << PxCMD_ICC_Shift));
}
