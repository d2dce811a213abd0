namespace MiniportTimers.Engine;

/// <summary>
/// The live engines of the process: KeFlushQueuedDpcs outside any host waits on all of them, and the process-wide
/// counters (Meter, EventSource) add them up. Every engine joins when it is created; weak references, so an unused
/// engine is still collected, and its counters are kept (as of the last read) so the totals never go down.
/// </summary>
internal static class EngineRegistry
{
    private static readonly object Gate = new();

    // Guarded by Gate. Each entry keeps the counters its engine had at the last Totals(), so that when the engine is
    // collected they move into Retired: the process-wide counters never go down (an ObservableCounter must not).
    private static readonly List<Entry> Engines = [];
    private static EngineStatistics Retired = new(0, 0, 0, 0, 0, 0, 0, 0);

    public static void Add(TimerEngine engine)
    {
        lock (Gate)
        {
            Prune();
            Engines.Add(new Entry(new WeakReference<TimerEngine>(engine)));
        }
    }

    /// <summary>The engines still alive.</summary>
    public static IReadOnlyList<TimerEngine> Live()
    {
        lock (Gate)
        {
            Prune();
            return [.. Engines.Select(w => w.Engine.TryGetTarget(out var e) ? e : null).OfType<TimerEngine>()];
        }
    }

    /// <summary>
    /// Counters of every engine the process has had, added up: the live ones as they are now, the collected ones as
    /// they were at the last call (what happened after that is not counted). Pending timers count live engines only.
    /// Never decreasing from one call to the next, except the pending gauge.
    /// </summary>
    public static EngineStatistics Totals()
    {
        lock (Gate)
        {
            Prune();
            var t = Retired;
            foreach (var entry in Engines)
            {
                if (entry.Engine.TryGetTarget(out var engine))
                {
                    var s = engine.Statistics;
                    entry.Last = s;
                    t = Sum(t, s);
                }
            }

            return t;
        }
    }

    public static void FlushAll()
    {
        foreach (var engine in Live())
        {
            engine.FlushDispatched();
        }
    }

    /// <summary>Moves the counters of collected engines into <see cref="Retired"/>. Caller holds <see cref="Gate"/>.</summary>
    private static void Prune()
    {
        for (var i = Engines.Count - 1; i >= 0; i--)
        {
            if (Engines[i].Engine.TryGetTarget(out _))
            {
                continue;
            }

            Retired = Sum(Retired, Engines[i].Last with { Pending = 0 }); // a collected engine has nothing pending
            Engines.RemoveAt(i);
        }
    }

    private static EngineStatistics Sum(EngineStatistics a, EngineStatistics b) => new(
        a.Arms + b.Arms,
        a.Cancels + b.Cancels,
        a.Fires + b.Fires,
        a.WakeUps + b.WakeUps,
        a.CallbackFaults + b.CallbackFaults,
        a.Pending + b.Pending,
        a.CoalescedFires + b.CoalescedFires,
        Math.Max(a.LongestCallbackNanoseconds, b.LongestCallbackNanoseconds));

    private sealed class Entry(WeakReference<TimerEngine> engine)
    {
        public WeakReference<TimerEngine> Engine { get; } = engine;

        public EngineStatistics Last { get; set; } = new(0, 0, 0, 0, 0, 0, 0, 0);
    }
}
