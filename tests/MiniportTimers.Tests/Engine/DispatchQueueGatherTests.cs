using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>
/// The dispatcher takes due expiries off the near heaps a batch at a time (DispatchQueue "Gathering"). Every test makes
/// many timers due at one instant (the clock stalled past them, then one advance), so they are fired from one gather,
/// and checks that what happens between two takes of the batch keeps the firing rule: due order, never early, nothing
/// cancelled fires.
/// </summary>
public class DispatchQueueGatherTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private static EngineTimer Recording(VirtualTimerEngine engine, List<string> log, string name, Action? then = null) =>
        engine.CreateTimer((_, in _) =>
        {
            log.Add(name);
            then?.Invoke();
        });

    [Fact]
    public void ThousandsDueAtOnce_RandomDueTimesAndTies_FireInDueOrderThenArmOrder()
    {
        using var engine = new VirtualTimerEngine();
        var fired = new List<(long Due, int Index)>();
        var rng = new Random(27);
        var dues = Enumerable.Range(0, 5_000).Select(_ => (long)rng.Next(1, 300) * 1000).ToArray(); // many ties
        for (var i = 0; i < dues.Length; i++)
        {
            var index = i;
            engine.Arm(engine.CreateTimer((_, in f) => fired.Add((f.DueNanoseconds, index))), dues[i]);
        }

        engine.Stall(Ms);
        Assert.Equal(dues.Length, engine.AdvanceBy(0));

        var expected = dues.Select((d, i) => (Due: d, Index: i)).OrderBy(e => e.Due).ThenBy(e => e.Index).ToList();
        Assert.Equal(expected, fired);
    }

    [Fact]
    public void CallbackArmsATimerDueBeforeTheRestOfTheBatch_ItFiresNext()
    {
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        var early = Recording(engine, log, "early");
        engine.Arm(Recording(engine, log, "a", () => engine.Arm(early, 15 * Ms)), 10 * Ms);
        engine.Arm(Recording(engine, log, "b"), 20 * Ms);
        engine.Arm(Recording(engine, log, "c"), 30 * Ms);

        engine.Stall(100 * Ms);
        engine.AdvanceBy(0);

        Assert.Equal(["a", "early", "b", "c"], log);
    }

    [Fact]
    public void CallbackArmsATimerDueAtTheSameTimeAsTheNextOfTheBatch_TheBatchEntryFiresFirst()
    {
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        var late = Recording(engine, log, "armed later");
        engine.Arm(Recording(engine, log, "a", () => engine.Arm(late, 20 * Ms)), 10 * Ms);
        engine.Arm(Recording(engine, log, "b"), 20 * Ms);

        engine.Stall(100 * Ms);
        engine.AdvanceBy(0);

        Assert.Equal(["a", "b", "armed later"], log); // equal due times fire in the order of the Arm calls
    }

    [Fact]
    public void CallbackCancelsALaterTimerOfTheBatch_ItNeverFires()
    {
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        var b = Recording(engine, log, "b");
        engine.Arm(Recording(engine, log, "a", () => engine.Cancel(b)), 10 * Ms);
        engine.Arm(b, 20 * Ms);
        engine.Arm(Recording(engine, log, "c"), 30 * Ms);

        engine.Stall(100 * Ms);
        engine.AdvanceBy(0);

        Assert.Equal(["a", "c"], log);
        Assert.False(b.IsPending);
    }

    [Fact]
    public void CallbackReArmsALaterTimerOfTheBatchLazily_ItFiresAtItsNewPlaceInDueOrder()
    {
        // b goes from 20 to 35 ms without a push (a lazy re-arm: later due, same tolerance); its batch entry is stale
        // and files the new arming when taken, between c (30) and d (40), which are still in the batch.
        using var engine = new VirtualTimerEngine();
        var log = new List<(string Name, long Due)>();
        EngineTimer Named(string name, Action? then = null) => engine.CreateTimer((_, in f) =>
        {
            log.Add((name, f.DueNanoseconds));
            then?.Invoke();
        });

        var b = Named("b");
        engine.Arm(Named("a", () => engine.Arm(b, 35 * Ms)), 10 * Ms);
        engine.Arm(b, 20 * Ms);
        engine.Arm(Named("c"), 30 * Ms);
        engine.Arm(Named("d"), 40 * Ms);

        engine.Stall(100 * Ms);
        engine.AdvanceBy(0);

        Assert.Equal([("a", 10 * Ms), ("c", 30 * Ms), ("b", 35 * Ms), ("d", 40 * Ms)], log);
    }

    [Fact]
    public void CallbackReadsTheNextDueTimeMidBatch_SeesTheNextTimerAndTheRestStillFireInOrder()
    {
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        long? seen = null;
        engine.Arm(Recording(engine, log, "a", () => seen = engine.NextDueNanoseconds), 10 * Ms);
        engine.Arm(Recording(engine, log, "b"), 20 * Ms);
        engine.Arm(Recording(engine, log, "c"), 30 * Ms);

        engine.Stall(100 * Ms);
        engine.AdvanceBy(0);

        Assert.Equal(20 * Ms, seen);
        Assert.Equal(["a", "b", "c"], log);
    }

    [Fact]
    public void ExactAndTolerantTimersDueAtOnce_FireAsOneQueueInDueOrder()
    {
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        for (var i = 0; i < 200; i++)
        {
            // Even i exact, odd i tolerant: the two by-due heaps are merged by the gather.
            engine.Arm(Recording(engine, log, $"{i:D3}"), (i + 1) * Ms, toleranceNanoseconds: i % 2 == 0 ? 0 : Ms);
        }

        engine.Stall(1000 * Ms);
        engine.AdvanceBy(0);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"{i:D3}"), log);
    }

    [Fact]
    public void PeriodicTimersDueAtOnce_EachFiresOnceAndKeepsItsPhase()
    {
        using var engine = new VirtualTimerEngine();
        var firings = new List<(int Index, long Due, long Overruns)>();
        var timers = new List<EngineTimer>();
        for (var i = 0; i < 100; i++)
        {
            var index = i;
            var t = engine.CreateTimer((_, in f) => firings.Add((index, f.DueNanoseconds, f.Overruns)));
            engine.Arm(t, (i + 1) * Ms, periodNanoseconds: 200 * Ms);
            timers.Add(t);
        }

        engine.Stall(150 * Ms);
        engine.AdvanceBy(0);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (i, (i + 1) * Ms, 0L)), firings);

        firings.Clear();
        engine.AdvanceBy(200 * Ms); // to 350 ms: each fires once more, at its own phase (201..300 ms)
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (i, (i + 201) * Ms, 0L)), firings);
        timers.ForEach(t => engine.Cancel(t));
    }

    [Fact]
    public void LoneDueNearTimer_WheelTimersDueToo_AllFireInDueOrder()
    {
        // The near heap holds one due entry (taken alone, no gather); the wheel's timers, due as well after the stall,
        // are pulled by the next take.
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        engine.Arm(Recording(engine, log, "near"), 10_000);
        engine.Arm(Recording(engine, log, "wheel b"), 7 * Ms);
        engine.Arm(Recording(engine, log, "wheel a"), 5 * Ms);
        engine.Arm(Recording(engine, log, "wheel c"), 2_000 * Ms);

        engine.Stall(100 * Ms);
        Assert.Equal(3, engine.AdvanceBy(0));

        Assert.Equal(["near", "wheel a", "wheel b"], log);
        Assert.Equal(1, engine.PendingCount);
    }

    [Fact]
    public void LoneDueTimer_CallbackArmsTwoDueNow_TheyFireInDueOrderInTheSameAdvance()
    {
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        var second = Recording(engine, log, "second");
        var first = Recording(engine, log, "first");
        engine.Arm(Recording(engine, log, "lone", () =>
        {
            engine.Arm(second, 10 * Ms); // armed first, due later
            engine.Arm(first, 8 * Ms);
        }), 10 * Ms);
        engine.Arm(Recording(engine, log, "not due"), 30 * Ms);

        Assert.Equal(3, engine.AdvanceTo(20 * Ms));

        Assert.Equal(["lone", "first", "second"], log);
        Assert.Equal(20 * Ms, engine.NowNanoseconds);
    }

    [Fact]
    public void LoneDueTimer_CallbackCancelsTheNextDue_ItNeverFires()
    {
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        var next = Recording(engine, log, "next");
        engine.Arm(Recording(engine, log, "lone", () => engine.Cancel(next)), 10 * Ms);
        engine.Arm(next, 11 * Ms);

        Assert.Equal(1, engine.AdvanceTo(20 * Ms));

        Assert.Equal(["lone"], log);
        Assert.Equal(0, engine.PendingCount);
    }
}
