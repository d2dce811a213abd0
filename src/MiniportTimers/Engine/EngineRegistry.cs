namespace MiniportTimers.Engine;

/// <summary>
/// The live engines of the process: KeFlushQueuedDpcs outside any host waits on all of them, and the process-wide
/// counters (Meter, EventSource) add them up. Every engine joins when it is created; weak references, so an unused
/// engine is still collected.
/// </summary>
internal static class EngineRegistry
{
    private static readonly object Gate = new();
    private static readonly List<WeakReference<TimerEngine>> Engines = [];

    public static void Add(TimerEngine engine)
    {
        lock (Gate)
        {
            Engines.RemoveAll(w => !w.TryGetTarget(out var e) || ReferenceEquals(e, engine));
            Engines.Add(new WeakReference<TimerEngine>(engine));
        }
    }

    /// <summary>The engines still alive.</summary>
    public static IReadOnlyList<TimerEngine> Live()
    {
        lock (Gate)
        {
            Engines.RemoveAll(w => !w.TryGetTarget(out _));
            return [.. Engines.Select(w => w.TryGetTarget(out var e) ? e : null).OfType<TimerEngine>()];
        }
    }

    /// <summary>Counters of every live engine, added up.</summary>
    public static EngineStatistics Totals()
    {
        long arms = 0, cancels = 0, fires = 0, wakeUps = 0, faults = 0, coalesced = 0, longest = 0;
        var pending = 0;
        foreach (var e in Live())
        {
            var s = e.Statistics;
            (arms, cancels, fires, wakeUps, faults, pending, coalesced) = (arms + s.Arms, cancels + s.Cancels, fires + s.Fires, wakeUps + s.WakeUps, faults + s.CallbackFaults, pending + s.Pending, coalesced + s.CoalescedFires);
            longest = Math.Max(longest, s.LongestCallbackNanoseconds);
        }

        return new EngineStatistics(arms, cancels, fires, wakeUps, faults, pending, coalesced, longest);
    }

    public static void FlushAll()
    {
        foreach (var engine in Live())
        {
            engine.FlushDispatched();
        }
    }
}
