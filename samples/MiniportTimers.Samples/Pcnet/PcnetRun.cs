using MiniportTimers.Ndis;
using MiniportTimers.Samples.Harness;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Samples.Pcnet;

/// <summary>
/// The pcnet/nvnet sample in a run: the cable is pulled at 30 % of the run and plugged back at 70 %; a reset at 50 %
/// re-arms the periodic timer from a work item. With the default 11 s run the 5 s poll sees both changes.
/// </summary>
public sealed class PcnetRun(int adapters = 2) : NdisSampleRun(adapters)
{
    private long _resetsPended;

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
