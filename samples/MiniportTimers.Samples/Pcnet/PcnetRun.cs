using MiniportTimers.Ndis;
using MiniportTimers.Samples.Harness;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Samples.Pcnet;

/// <summary>
/// The pcnet/nvnet sample in a run, each adapter on an emulated AMD PCnet-PCI II (<see cref="Devices.Pcnet.Pcnet"/>, all
/// on one hub): the cable is pulled at 30 % of the run and plugged back at 70 %; a reset at 50 % re-arms the periodic
/// timer from a work item. With the default 11 s run the 5 s poll sees both changes in BCR4's link LED.
/// </summary>
public sealed class PcnetRun(int adapters = 2) : NdisSampleRun(adapters)
{
    private readonly Devices.Memory.HostAddressMap _map = new(0x0010_0000, 0x1_0000_0000); // the chip's DMA addresses are 32 bits
    private readonly Devices.Pcnet.PcnetHub _hub = new();
    private long _resetsPended;

    /// <inheritdoc />
    protected override Devices.Pci.IPciDevice? CreateDevice(MiniportTimers.Engine.TimerEngine engine, int index)
    {
        var nic = new Devices.Pcnet.Pcnet(engine, _map, new Devices.Pcnet.PcnetOptions
        {
            MacAddress = [0x00, 0x0C, 0x29, 0x00, 0x01, (byte)(index + 1)],
            IoBase = (ushort)(0xC000 + (0x100 * index)),
        });
        _hub.Attach(nic);
        return nic;
    }

    /// <inheritdoc />
    public override string Name => "pcnet";

    private IEnumerable<PcnetAdapter> Contexts => Adapters.Select(a => a.MiniportAdapterContext).OfType<PcnetAdapter>();

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, long>> Facts =>
    [
        new("media polls", Contexts.Sum(c => c.Polls)),
        new("link indications", Host.IndicationCount),
        new("resets pended", _resetsPended),
        new("resets completed", Completions("ResetComplete")),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<string> InvariantFailures =>
        Completions("ResetComplete") == _resetsPended ? [] : ["pcnet: a pended reset never completed"];

    /// <inheritdoc />
    protected override NDIS_MINIPORT_DRIVER_CHARACTERISTICS CreateCharacteristics() => PcnetMiniport.Create();

    /// <inheritdoc />
    protected override void ScheduleWorkload(Workload workload, Func<NdisMiniportAdapter> adapter, long durationNanoseconds)
    {
        PcnetAdapter Context() => (PcnetAdapter)adapter().MiniportAdapterContext!;
        workload.At(durationNanoseconds * 3 / 10, () => Context().PhyLinkUp = false);
        workload.At(durationNanoseconds * 7 / 10, () => Context().PhyLinkUp = true);
        workload.At(durationNanoseconds / 2, () =>
        {
            if (adapter().Reset() == NDIS_STATUS_PENDING)
            {
                _resetsPended++;
            }
        });
    }
}
