using MiniportTimers.Ndis;
using MiniportTimers.Samples.Harness;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Samples.Netvmini;

/// <summary>
/// The netvmini sample in a run: sends every millisecond; at 20 % of the run a DMA burst and a pause that pends and
/// completes from the busy-check timer; a restart at 40 %; at 60 % a long burst and a reset that pends and, in long
/// runs, times out after 20 checks (completed with NDIS_STATUS_FAILURE).
/// </summary>
public sealed class NetvminiRun(int adapters = 2) : NdisSampleRun(adapters)
{
    private long _sendsSubmitted;
    private long _pausesPended;
    private long _resetsPended;

    /// <inheritdoc />
    public override string Name => "netvmini";

    /// <inheritdoc />
    public override IReadOnlyList<KeyValuePair<string, long>> Facts =>
    [
        new("sends submitted", _sendsSubmitted),
        new("sends completed", Completions("SendComplete")),
        new("sends completed in timer callback", Completions("SendComplete", fromTimerOnly: true)),
        new("pauses pended", _pausesPended),
        new("pauses completed from timer", Completions("PauseComplete", fromTimerOnly: true)),
        new("resets pended", _resetsPended),
        new("resets completed SUCCESS", Host.CountCompletions("ResetComplete", NDIS_STATUS_SUCCESS)),
        new("resets completed FAILURE (timed out)", Host.CountCompletions("ResetComplete", NDIS_STATUS_FAILURE)),
    ];

    /// <inheritdoc />
    public override IReadOnlyList<string> InvariantFailures
    {
        get
        {
            var failures = new List<string>();
            if (Completions("SendComplete") != _sendsSubmitted)
            {
                failures.Add($"netvmini: {_sendsSubmitted - Completions("SendComplete")} sends never completed");
            }

            if (Completions("PauseComplete") != _pausesPended || Completions("ResetComplete") != _resetsPended)
            {
                failures.Add("netvmini: a pended pause or reset never completed");
            }

            return failures;
        }
    }

    /// <inheritdoc />
    protected override NDIS_MINIPORT_DRIVER_CHARACTERISTICS CreateCharacteristics() => NetvminiMiniport.Create(() => Host.DriverHandle!);

    /// <inheritdoc />
    protected override void ScheduleWorkload(Workload workload, Func<NdisMiniportAdapter> adapter, long durationNanoseconds)
    {
        NetvminiAdapter Context() => (NetvminiAdapter)adapter().MiniportAdapterContext!;
        long tag = 0;
        workload.Every(NetvminiMiniport.Ms(1), 0, durationNanoseconds * 9 / 10, rng =>
        {
            if (adapter().Send(new NET_BUFFER_LIST { Tag = tag++ }))
            {
                Interlocked.Increment(ref _sendsSubmitted);
            }
        });

        // NDIS pauses and restarts a miniport at PASSIVE_LEVEL, from a worker thread (AtPassive: the PnP thread on the real clock).
        var burstMilliseconds = workload.Random.Next(150, 400); // drawn here, on the thread that schedules, not on the PnP thread
        workload.AtPassive(durationNanoseconds / 5, () =>
        {
            NetvminiMiniport.HardwareBurst(Context(), NetvminiMiniport.Ms(burstMilliseconds));
            if (adapter().Pause() == NDIS_STATUS_PENDING)
            {
                Interlocked.Increment(ref _pausesPended);
            }
        });
        workload.AtPassive(durationNanoseconds * 2 / 5, () => adapter().Restart());

        // A burst longer than 20 checks times the reset out in long runs; short runs keep it within the run.
        var resetBurst = durationNanoseconds >= NetvminiMiniport.Ms(8_000) ? NetvminiMiniport.Ms(2_500) : NetvminiMiniport.Ms(250);
        workload.At(durationNanoseconds * 3 / 5, () =>
        {
            NetvminiMiniport.HardwareBurst(Context(), resetBurst);
            if (adapter().Reset() == NDIS_STATUS_PENDING)
            {
                Interlocked.Increment(ref _resetsPended); // events on several dispatchers may count at once
            }
        });
    }
}
