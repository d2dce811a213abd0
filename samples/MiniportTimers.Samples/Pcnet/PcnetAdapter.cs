using MiniportTimers.Ndis;

namespace MiniportTimers.Samples.Pcnet;

/// <summary>What pcnet/nvnet's adapter context holds for the timer paths.</summary>
public sealed class PcnetAdapter
{
    internal PcnetAdapter(NdisMiniportAdapter handle) => Handle = handle;

    /// <summary>The MiniportAdapterHandle.</summary>
    public NdisMiniportAdapter Handle { get; }

    /// <summary>The 5 s media detection timer (NDIS 5 miniport timer).</summary>
    public NDIS_MINIPORT_TIMER MediaDetectionTimer { get; } = new();

    /// <summary>The work item that runs the reset at PASSIVE_LEVEL (nvnet).</summary>
    internal NDIS_WORK_ITEM ResetWorkItem { get; } = new();

    private bool _simulatedLink = true;

    /// <summary>
    /// The PHY: true while the cable is plugged in. On an adapter with a PCnet (<see cref="NdisMiniportAdapter.Hardware"/>)
    /// the getter reads BCR4's LEDOUT through the chip's ports (RAP, then BDP, as NdisRawWritePortUshort and
    /// NdisRawReadPortUshort do) and the setter plugs or unplugs the device's cable; without one it is a field.
    /// </summary>
    public bool PhyLinkUp
    {
        get
        {
            if (Handle.Hardware is not { Device: Devices.Pcnet.Pcnet nic } hardware)
            {
                return _simulatedLink;
            }

            var port = hardware.MapDeviceBase(nic.Options.IoBase, Devices.Pcnet.PcnetRegisters.IoLength, inIoSpace: true);
            hardware.Write(nameof(PhyLinkUp), port + Devices.Pcnet.PcnetRegisters.Rap16, 2, Devices.Pcnet.PcnetRegisters.BCR4);
            return (hardware.Read(nameof(PhyLinkUp), port + Devices.Pcnet.PcnetRegisters.Bdp16, 2) & Devices.Pcnet.PcnetRegisters.LED_LEDOUT) != 0;
        }

        set
        {
            if (Handle.Hardware is { Device: Devices.Pcnet.Pcnet nic })
            {
                nic.SetLink(value);
            }
            else
            {
                _simulatedLink = value;
            }
        }
    }

    /// <summary>The link state last indicated to NDIS.</summary>
    public bool IndicatedLinkUp { get; internal set; } = true;

    /// <summary>Media detection callbacks run.</summary>
    public long Polls { get; internal set; }

    /// <summary>Resets completed by the work item.</summary>
    public long ResetsDone { get; internal set; }
}
