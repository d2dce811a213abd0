using MiniportTimers.Ndis;
using MiniportTimers.Samples.Harness;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Samples.E100bex;

/// <summary>
/// The e100bex sample in a run: each adapter's PHY negotiates in 300-900 ms; during that an OID query (50 ms), an OID set
/// (60 ms) and a reset (70 ms) are held pending and sends are queued; all complete from the link detection callback.
/// </summary>
public sealed class E100bexRun(int adapters = 2, int seed = 1) : NdisSampleRun(adapters)
{
    private readonly Random _phy = new(Seeds.Derive(seed, 100));
    private long _pended;
    private long _sends;

    /// <inheritdoc />
    public override string Name => "e100bex";

    private IEnumerable<E100Adapter> Contexts => Adapters.Select(a => a.MiniportAdapterContext).OfType<E100Adapter>();

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, long>> Facts =>
    [
        new("link detection polls", Contexts.Sum(c => c.DetectionPolls)),
        new("requests held pending", _pended),
        new("completed from timer callback", Host.CountCompletions(fromTimerCallback: true) - Completions("SendComplete", fromTimerOnly: true)),
        new("sends submitted", _sends),
        new("sends completed", Completions("SendComplete")),
        new("link indications", Host.IndicationCount),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<string> InvariantFailures
    {
        get
        {
            var failures = new List<string>();
            var heldCompleted = Completions("QueryInformationComplete") + Completions("SetInformationComplete") + Completions("ResetComplete");
            if (heldCompleted != _pended)
            {
                failures.Add($"e100bex: {_pended - heldCompleted} held requests never completed");
            }

            if (Completions("SendComplete") != _sends)
            {
                failures.Add($"e100bex: {_sends - Completions("SendComplete")} sends never completed");
            }

            return failures;
        }
    }

    /// <inheritdoc />
    protected override NDIS_MINIPORT_DRIVER_CHARACTERISTICS CreateCharacteristics() => E100bexMiniport.Create(() => _phy.Next(300_000, 900_000));

    /// <inheritdoc />
    protected override void ScheduleWorkload(Workload workload, Func<NdisMiniportAdapter> adapter, long durationNanoseconds)
    {
        const long Ms = 1_000_000;
        void Count(uint status)
        {
            if (status == NDIS_STATUS_PENDING)
            {
                Interlocked.Increment(ref _pended); // events on several dispatchers may count at once
            }
        }

        workload.At(50 * Ms, () => Count(adapter().QueryInformation(OID_GEN_LINK_SPEED)));
        workload.At(60 * Ms, () => Count(adapter().SetInformation(OID_GEN_CURRENT_PACKET_FILTER)));
        workload.At(70 * Ms, () => Count(adapter().Reset()));
        workload.At(durationNanoseconds / 2, () => Count(adapter().QueryInformation(OID_GEN_MEDIA_CONNECT_STATUS)));
        long tag = 0;
        workload.Every(20 * Ms, 0, durationNanoseconds / 2, _ =>
        {
            if (adapter().Send(new NET_BUFFER_LIST { Tag = tag++ }))
            {
                Interlocked.Increment(ref _sends);
            }
        });
    }
}
