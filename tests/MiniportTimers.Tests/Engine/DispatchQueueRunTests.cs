using MiniportTimers.Engine;
using MiniportTimers.Engine.Queue;

namespace MiniportTimers.Tests.Engine;

/// <summary>
/// A pulled level-0 bucket's exact timers are fired from a run sorted by due time, merged with the near heaps
/// (DispatchQueue "The level-0 run"). Every test files its timers into the wheel first (armed ahead, then an advance of
/// 0 that files them), so that they reach the near set through a level-0 pull, and checks the firing rule through it:
/// due order (ties in arm order), never early, nothing cancelled fires, a lazy re-arm fires at its new due time.
/// </summary>
public class DispatchQueueRunTests
{
    /// <summary>One wheel tick, ns.</summary>
    private const long Tick = 1L << TimerWheel.TickShift;

    /// <summary>The start of the tick the tests' timers are due in: beyond the cursor (0), so they go to the wheel's level 0.</summary>
    private const long TickStart = 5 * Tick;

    private static EngineTimer Recording(VirtualTimerEngine engine, List<string> log, string name, Action? then = null) =>
        engine.CreateTimer((_, in f) =>
        {
            Assert.True(f.FiredAtNanoseconds >= f.DueNanoseconds, "never early");
            log.Add(name);
            then?.Invoke();
        });

    [Fact]
    public void AThousandDueInOneTick_TiesAndReArms_FireFromTheRunInDueOrderThenArmOrder()
    {
        using var engine = new VirtualTimerEngine();
        var fired = new List<(long Due, int Index)>();
        var runSeen = -1;
        var rng = new Random(27);
        var dues = Enumerable.Range(0, 1_000).Select(_ => TickStart + (rng.Next(0, 300) * 200)).ToArray(); // many ties
        var armOrder = new long[dues.Length];
        var timers = new EngineTimer[dues.Length];
        long armCalls = 0;
        for (var i = 0; i < dues.Length; i++)
        {
            var index = i;
            timers[i] = engine.CreateTimer((_, in f) =>
            {
                Assert.Equal(dues[index], f.DueNanoseconds);
                if (runSeen < 0)
                {
                    runSeen = engine.NearRunCount;
                }

                fired.Add((f.DueNanoseconds, index));
            });
            engine.Arm(timers[i], dues[i]);
            armOrder[i] = armCalls++;
        }

        void ArmAgain(int step)
        {
            for (var i = 0; i < dues.Length; i += step)
            {
                // Cancel and arm again with the same due time: the later arm call puts the timer behind its ties.
                engine.Cancel(timers[i]);
                engine.Arm(timers[i], dues[i]);
                armOrder[i] = armCalls++;
            }
        }

        // Before the first filing: the timers are filed in submission order (the first arm's), so the bucket, and the
        // run built from it, is not in arm-call order: the run puts each group of equal due times in ticket order.
        ArmAgain(7);
        engine.AdvanceBy(0); // filed in the wheel's level 0, and pulled into the run (the earliest deadline is there)
        Assert.Equal(dues.Length, engine.NearRunCount);

        // After: the run's entries go stale and the current armings are filed in the exact heap, merged with the run.
        ArmAgain(11);
        engine.AdvanceTo(TickStart + Tick);

        Assert.True(runSeen > 0, "the first callback ran while the rest of its tick waited in the run");
        var expected = dues.Select((d, i) => (Due: d, Index: i)).OrderBy(e => e.Due).ThenBy(e => armOrder[e.Index]).ToList();
        Assert.Equal(expected, fired);
    }

    [Fact]
    public void DueAtOnceAfterAStall_TheRunIsGatheredInDueOrder()
    {
        using var engine = new VirtualTimerEngine();
        var fired = new List<long>();
        var rng = new Random(28);
        var dues = Enumerable.Range(0, 500).Select(_ => TickStart + rng.Next(0, (int)Tick)).ToArray();
        foreach (var due in dues)
        {
            engine.Arm(engine.CreateTimer((_, in f) => fired.Add(f.DueNanoseconds)), due);
        }

        engine.AdvanceBy(0);
        engine.Stall(TickStart + Tick); // the clock passes them all: one wake-up fires them in batches of the run
        Assert.Equal(dues.Length, engine.AdvanceBy(0));

        Assert.Equal(dues.Order().ToList(), fired);
    }

    [Fact]
    public void ACallbackCancelsALaterRunEntry_ItNeverFires()
    {
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        var runInA = -1;
        var b = Recording(engine, log, "b");
        engine.Arm(Recording(engine, log, "a", () =>
        {
            runInA = engine.NearRunCount;
            Assert.True(engine.Cancel(b));
        }), TickStart + 100);
        engine.Arm(b, TickStart + 200);
        engine.Arm(Recording(engine, log, "c"), TickStart + 300);
        engine.AdvanceBy(0);

        engine.AdvanceTo(TickStart + Tick);

        Assert.Equal(2, runInA); // b and c waited in the run
        Assert.Equal(["a", "c"], log);
        Assert.False(b.IsPending);
    }

    [Fact]
    public void ACallbackReArmsALaterRunEntryLazily_ItFiresAtItsNewDueTimeInOrder()
    {
        // x is pending and filed (in the run), and its new arming is later: a lazy re-arm, published without a push.
        // Its run entry goes stale; when it reaches the front the dispatcher files the current arming (the heap), which
        // then fires in due order among the run's entries.
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        long xDue = 0;
        var x = engine.CreateTimer((_, in f) =>
        {
            xDue = f.DueNanoseconds;
            log.Add("x");
        });
        engine.Arm(Recording(engine, log, "a", () => Assert.True(engine.Arm(x, TickStart + 350))), TickStart + 100);
        engine.Arm(x, TickStart + 200);
        engine.Arm(Recording(engine, log, "b"), TickStart + 300);
        engine.Arm(Recording(engine, log, "c"), TickStart + 400);
        engine.AdvanceBy(0);

        engine.AdvanceTo(TickStart + Tick);

        Assert.Equal(["a", "b", "x", "c"], log);
        Assert.Equal(TickStart + 350, xDue);
    }

    [Fact]
    public void ACallbackReArmsARunEntryIntoALaterTick_ItGoesBackToTheWheelAndFiresThere()
    {
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        var x = Recording(engine, log, "x");
        engine.Arm(Recording(engine, log, "a", () => engine.Arm(x, TickStart + (3 * Tick))), TickStart + 100);
        engine.Arm(x, TickStart + 200);
        engine.Arm(Recording(engine, log, "b"), TickStart + 300);
        engine.AdvanceBy(0);

        engine.AdvanceTo(TickStart + (2 * Tick));
        Assert.Equal(["a", "b"], log);
        Assert.True(x.IsPending);

        engine.AdvanceTo(TickStart + (4 * Tick));
        Assert.Equal(["a", "b", "x"], log);
    }

    [Fact]
    public void ACallbackFilesAnEarlierExpiryMidBatch_TheRunsBatchGoesBackAndOrderHolds()
    {
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        var early = Recording(engine, log, "early");
        var tie = Recording(engine, log, "tie with c, armed later");
        engine.Arm(Recording(engine, log, "a", () =>
        {
            engine.Arm(early, TickStart + 150);
            engine.Arm(tie, TickStart + 300);
        }), TickStart + 100);
        engine.Arm(Recording(engine, log, "b"), TickStart + 200);
        engine.Arm(Recording(engine, log, "c"), TickStart + 300);
        engine.Arm(Recording(engine, log, "d"), TickStart + 400);
        engine.AdvanceBy(0);

        engine.Stall(TickStart + Tick); // all due at one wake-up: a, b, c, d are gathered from the run into one batch
        engine.AdvanceBy(0);

        Assert.Equal(["a", "early", "b", "c", "tie with c, armed later", "d"], log);
    }

    [Fact]
    public void TolerantAndExactTimersOfOneBucket_FireInDueOrder()
    {
        // The exact ones go to the run, the tolerant ones to the tolerant heaps: the take merges the two by due time.
        using var engine = new VirtualTimerEngine();
        var fired = new List<long>();
        var rng = new Random(29);
        var dues = new List<long>();
        for (var i = 0; i < 200; i++)
        {
            var due = TickStart + rng.Next(0, (int)Tick);
            dues.Add(due);
            engine.Arm(engine.CreateTimer((_, in f) => fired.Add(f.DueNanoseconds)), due, toleranceNanoseconds: i % 3 == 0 ? 1_000 : 0);
        }

        engine.AdvanceBy(0);
        engine.Stall(TickStart + Tick);
        engine.AdvanceBy(0);

        Assert.Equal(dues.Order().ToList(), fired);
    }

    [Fact]
    public void ALazyReArmBeforeTheNextRunEntry_FiresAtItsNewDueTime_NotAtTheNextEntrys()
    {
        // x's run entry (+200) goes stale when a's callback re-arms it lazily to +250, before b's entry (+300). Peeking the
        // run drops the stale entry and files x's current arming in the exact heap; the next due time must then be x's,
        // not b's (the heaps were once peeked before the run, and x fired at +300, 50 ns late: model-based seed 5ljXOXJvXKN1).
        using var engine = new VirtualTimerEngine();
        var log = new List<string>();
        long xDue = 0, xFiredAt = 0;
        var x = engine.CreateTimer((_, in f) =>
        {
            (xDue, xFiredAt) = (f.DueNanoseconds, f.FiredAtNanoseconds);
            log.Add("x");
        });
        engine.Arm(Recording(engine, log, "a", () => Assert.True(engine.Arm(x, TickStart + 250))), TickStart + 100);
        engine.Arm(x, TickStart + 200);
        engine.Arm(Recording(engine, log, "b"), TickStart + 300);
        engine.AdvanceBy(0);

        engine.AdvanceTo(TickStart + Tick);

        Assert.Equal(["a", "x", "b"], log);
        Assert.Equal(TickStart + 250, xDue);
        Assert.Equal(xDue, xFiredAt); // on the virtual clock an expiry fires exactly at its due time
    }

    [Fact]
    public void EarliestDueAndDeadline_SeeTheRunsFront_AndSkipItsCancelledEntries()
    {
        using var engine = new VirtualTimerEngine();
        var first = engine.CreateTimer(static (_, in _) => { });
        var second = engine.CreateTimer(static (_, in _) => { });
        var third = engine.CreateTimer(static (_, in _) => { });
        var log = new List<long?>();
        engine.Arm(engine.CreateTimer((_, in _) =>
        {
            engine.Cancel(second);
            log.Add(engine.NextDueNanoseconds); // the run's front is stale now: the next current one is third's
        }), TickStart + 50);
        engine.Arm(first, TickStart + 10);
        engine.Arm(second, TickStart + 100);
        engine.Arm(third, TickStart + 200);
        engine.AdvanceBy(0);

        engine.AdvanceTo(TickStart + 60);

        Assert.Equal([TickStart + 200], log);
        Assert.False(first.IsPending);
        Assert.True(third.IsPending);
    }
}
