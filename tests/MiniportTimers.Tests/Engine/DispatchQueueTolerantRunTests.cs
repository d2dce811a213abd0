using CsCheck;
using MiniportTimers.Engine;
using MiniportTimers.Engine.Queue;

namespace MiniportTimers.Tests.Engine;

/// <summary>
/// Tolerant timers of a pulled level-0 bucket wait in the run beside the exact ones (DispatchQueue "The level-0 run"),
/// and later level-0 pulls append to it. Every test files its timers into the wheel first (armed ahead, then an advance
/// of 0 that files them and pulls the earliest ticks into the run), and checks the firing rule through it on the
/// virtual clock: the dispatcher wakes at the earliest deadline of any current arming, fires everything due by then in
/// (due, arm order), never early and never past a deadline.
/// </summary>
public class DispatchQueueTolerantRunTests
{
    /// <summary>One wheel tick, ns.</summary>
    private const long Tick = 1L << TimerWheel.TickShift;

    /// <summary>The start of the tick the tests' timers are due in: beyond the cursor (0), so they go to the wheel's level 0.</summary>
    private const long TickStart = 5 * Tick;

    /// <summary>One timer of <see cref="Armings_CancelsAndReArms_FireAsTheRangeRuleSays"/>: its first arming, and what happens to it once filed.</summary>
    /// <param name="Due">Offset of the first due time from <see cref="TickStart"/>, ns.</param>
    /// <param name="Tolerance">Tolerance of the first arming, ns.</param>
    /// <param name="Change">0: none; 1: cancelled; 2: re-armed (<paramref name="NewDue"/>, <paramref name="NewTolerance"/>).</param>
    /// <param name="NewDue">Offset of the re-arm's due time, ns.</param>
    /// <param name="NewTolerance">Tolerance of the re-arm, ns.</param>
    public sealed record Arming(long Due, long Tolerance, int Change, long NewDue, long NewTolerance);

    private static readonly Gen<long> ToleranceGen = Gen.Frequency(
        (3, Gen.Const(0L)), (1, Gen.Long[1, 2_000]), (1, Gen.Long[1, 3 * Tick]), (1, Gen.Const(TimeUnits.NanosecondsPerMillisecond)));

    private static readonly Gen<Arming> ArmingGen = Gen.Select(
        Gen.Long[0, 20 * Tick], ToleranceGen, Gen.Frequency((4, Gen.Const(0)), (1, Gen.Const(1)), (2, Gen.Const(2))), Gen.Long[0, 20 * Tick], ToleranceGen,
        (due, tolerance, change, newDue, newTolerance) => new Arming(due, tolerance, change, newDue, newTolerance));

    [Fact]
    public void Armings_CancelsAndReArms_FireAsTheRangeRuleSays()
    {
        // The reference: the final armings, fired by the rule of TimerEngine "Firing rule" alone. A re-arm no earlier in
        // due time and deadline is lazy (its run entry goes stale and stays, the current arming filed when it is found);
        // an earlier one is pushed and filed in a heap or the wheel. Both merge with the run by (due, arm ticket).
        Check.Sample(ArmingGen.Array[1, 300], armings =>
        {
            using var engine = new VirtualTimerEngine();
            var fired = new List<(int Index, long Due, long At)>();
            var timers = new EngineTimer[armings.Length];
            for (var i = 0; i < armings.Length; i++)
            {
                var index = i;
                timers[i] = engine.CreateTimer((_, in f) => fired.Add((index, f.DueNanoseconds, f.FiredAtNanoseconds)));
            }

            var final = new (long Due, long Deadline, long Ticket)?[armings.Length];
            long ticket = 0;
            for (var i = 0; i < armings.Length; i++)
            {
                engine.Arm(timers[i], TickStart + armings[i].Due, armings[i].Tolerance);
                final[i] = (TickStart + armings[i].Due, TickStart + armings[i].Due + ArmCode.Round(armings[i].Tolerance), ticket++); // the tolerance as the engine keeps it
            }

            engine.AdvanceBy(0); // filed in the wheel, the earliest ticks pulled into the run
            if (engine.NearRunCount == 0)
            {
                return false;
            }

            for (var i = 0; i < armings.Length; i++)
            {
                if (armings[i].Change == 1)
                {
                    engine.Cancel(timers[i]);
                    final[i] = null;
                }
                else if (armings[i].Change == 2)
                {
                    engine.Arm(timers[i], TickStart + armings[i].NewDue, armings[i].NewTolerance);
                    final[i] = (TickStart + armings[i].NewDue, TickStart + armings[i].NewDue + ArmCode.Round(armings[i].NewTolerance), ticket++);
                }
            }

            engine.AdvanceTo(TickStart + (40 * Tick));
            return fired.SequenceEqual(Reference(final));
        });
    }

    /// <summary>Wake at the earliest deadline of what is pending; fire everything due by then in (due, ticket) order; repeat.</summary>
    private static List<(int Index, long Due, long At)> Reference((long Due, long Deadline, long Ticket)?[] armings)
    {
        var pending = armings.Select((a, i) => (Arming: a, Index: i)).Where(p => p.Arming is not null).Select(p => (p.Index, p.Arming!.Value)).ToList();
        var fired = new List<(int Index, long Due, long At)>();
        var now = 0L;
        while (pending.Count > 0)
        {
            now = Math.Max(now, pending.Min(p => p.Value.Deadline));
            var due = pending.Where(p => p.Value.Due <= now).OrderBy(p => p.Value.Due).ThenBy(p => p.Value.Ticket).ToList();
            fired.AddRange(due.Select(p => (p.Index, p.Value.Due, now)));
            pending.RemoveAll(p => p.Value.Due <= now);
        }

        return fired;
    }

    [Fact]
    public void TheWakeUp_IsTheEarliestDeadlineInTheRun_AndAStaleEntryDoesNotMoveIt()
    {
        // One tick holds: a (due +100, deadline +10,100), b (+200, deadline +1,200), c exact (+5,000). The run's front is
        // a, but the earliest deadline is b's: the first wake-up is there, and a rides along with it.
        (List<(string Name, long At)> Log, int RunCount) Run(Action<VirtualTimerEngine, EngineTimer> afterFiling)
        {
            using var engine = new VirtualTimerEngine();
            var log = new List<(string, long)>();
            EngineTimer Make(string name) => engine.CreateTimer((_, in f) =>
            {
                Assert.True(f.FiredAtNanoseconds >= f.DueNanoseconds, "never early");
                log.Add((name, f.FiredAtNanoseconds));
            });
            var b = Make("b");
            engine.Arm(Make("a"), TickStart + 100, 10_000);
            engine.Arm(b, TickStart + 200, 1_000);
            engine.Arm(Make("c"), TickStart + 5_000);
            engine.AdvanceBy(0);
            var runCount = engine.NearRunCount;
            afterFiling(engine, b);
            engine.AdvanceTo(TickStart + Tick);
            return (log, runCount);
        }

        var (plain, inRun) = Run((_, _) => { });
        Assert.Equal(3, inRun);
        Assert.Equal([("a", TickStart + 1_200), ("b", TickStart + 1_200), ("c", TickStart + 5_000)], plain);

        // b cancelled: its entry is stale where the earliest deadline is; the wake-up moves to c's (a's is later).
        var (cancelled, _) = Run((engine, b) => Assert.True(engine.Cancel(b)));
        Assert.Equal([("a", TickStart + 5_000), ("c", TickStart + 5_000)], cancelled);

        // b re-armed lazily (+300, deadline +2,300: no earlier in either): the stale entry files the current arming, whose
        // deadline is the wake-up.
        var (lazy, _) = Run((engine, b) => Assert.True(engine.Arm(b, TickStart + 300, 2_000)));
        Assert.Equal([("a", TickStart + 2_300), ("b", TickStart + 2_300), ("c", TickStart + 5_000)], lazy);
    }

    [Fact]
    public void TicksAppendedToTheRun_TheirTolerantDeadlinesStillWakeTheDispatcher()
    {
        // A tolerant timer's deadline lies ticks beyond its due time, so the earliest deadline of the run's first tick is
        // beyond the wheel's next tick: the wake-up computation pulls that tick too, which joins the run as a segment.
        // A timer of the appended tick with a short tolerance is then the earliest deadline of the whole run.
        using var engine = new VirtualTimerEngine();
        var log = new List<(string Name, long At)>();
        EngineTimer Make(string name) => engine.CreateTimer((_, in f) => log.Add((name, f.FiredAtNanoseconds)));
        engine.Arm(Make("first tick"), TickStart + 10, 3 * Tick);
        engine.Arm(Make("second tick"), TickStart + Tick + 20, 3 * Tick);
        engine.Arm(Make("third tick, 50 ns"), TickStart + (2 * Tick) + 30, 50);
        engine.AdvanceBy(0);
        Assert.Equal(3, engine.NearRunCount); // all three ticks in the run, in due order

        engine.AdvanceTo(TickStart + (10 * Tick));

        var wake = TickStart + (2 * Tick) + 80; // the third's deadline: the first two ride along
        Assert.Equal([("first tick", wake), ("second tick", wake), ("third tick, 50 ns", wake)], log);
    }

    [Fact]
    public void ABatchOfTolerantRunEntriesGoesBack_OrderAndDeadlinesHold()
    {
        // All due at one wake-up (the clock stalled past them): a, b, c, d are gathered from the run into one batch. a's
        // callback arms an earlier expiry, so the rest goes back (tolerant run entries into both tolerant heaps) and is
        // gathered again in order. e, not due then, keeps the run's deadline order: the next wake-up is its deadline.
        using var engine = new VirtualTimerEngine();
        var log = new List<(string Name, long At)>();
        EngineTimer Make(string name, Action? then = null) => engine.CreateTimer((_, in f) =>
        {
            log.Add((name, f.FiredAtNanoseconds));
            then?.Invoke();
        });
        var early = Make("early");
        long? nextDueInA = null;
        engine.Arm(Make("a", () =>
        {
            engine.Arm(early, TickStart + 150, 10);
            nextDueInA = engine.NextDueNanoseconds; // returns the batch first: the earliest due is early's
        }), TickStart + 100, 5_000);
        engine.Arm(Make("b"), TickStart + 200, 40_000);
        engine.Arm(Make("c"), TickStart + 300);
        engine.Arm(Make("d"), TickStart + 400, 7);
        engine.Arm(Make("e"), TickStart + 20_000, 1_000);
        engine.AdvanceBy(0);
        Assert.Equal(5, engine.NearRunCount);

        engine.Stall(TickStart + 500);
        engine.AdvanceBy(0);
        Assert.Equal(TickStart + 150, nextDueInA);
        Assert.Equal(["a", "early", "b", "c", "d"], log.Select(l => l.Name));
        Assert.All(log, l => Assert.Equal(TickStart + 500, l.At));

        engine.AdvanceTo(TickStart + Tick);
        Assert.Equal(("e", TickStart + 21_000), log[^1]);
    }

    [Fact]
    public void APeriodicTimerInTheRunBesideOneShots_StaysPeriodic()
    {
        // A run entry filed as a one-shot is fired without its parameters being read again ("The parameter block"); a
        // periodic one must still be read and re-keyed, wherever it sits in a batch (first, or between one-shots).
        using var engine = new VirtualTimerEngine();
        var log = new List<(string Name, long Due)>();
        EngineTimer Make(string name) => engine.CreateTimer((_, in f) => log.Add((name, f.DueNanoseconds)));
        var periodicFirst = Make("p1");
        var periodicBetween = Make("p2");
        engine.Arm(periodicFirst, TickStart + 100, 500, periodNanoseconds: 1_000);
        engine.Arm(Make("o1"), TickStart + 200, 300);
        engine.Arm(periodicBetween, TickStart + 250, periodNanoseconds: 1_000);
        engine.Arm(Make("o2"), TickStart + 300);
        engine.AdvanceBy(0);
        Assert.Equal(4, engine.NearRunCount);

        engine.Stall(TickStart + 400); // all four due at one wake-up: one gather from the run
        engine.AdvanceBy(0);
        engine.AdvanceTo(TickStart + 1_300);

        Assert.Equal([("p1", TickStart + 100), ("o1", TickStart + 200), ("p2", TickStart + 250), ("o2", TickStart + 300), ("p1", TickStart + 1_100), ("p2", TickStart + 1_250)], log);
        Assert.True(periodicFirst.IsPending && periodicBetween.IsPending);
    }

    [Fact]
    public void StaleRunEntries_AreResolvedOnlyWhenTheyDecideTheWakeUp_AndARealDispatcherSleepsUntilTheirBound()
    {
        // Idle timeouts in the run, all re-armed later (lazy: their run entries go stale), and one exact timer due before
        // any of their deadlines. A stale entry's deadline is a lower bound of its timer's current one (the lazy rule),
        // so it is resolved only when it is the earliest: never while the exact timer decides the wake-up; a real
        // dispatcher does not resolve it before its bound comes (it sleeps until it); a virtual engine, whose clock moves
        // to the answer, resolves it as soon as it decides. Before session fourteen every stale entry of the run was
        // dropped and its timer filed again at every wake-up: under a churn of millions of re-arms a second, that work
        // starved the exact timers (docs/reliability.md).
        const int Idle = 500;
        const long Second = TimeUnits.NanosecondsPerSecond;
        const long Millisecond = TimeUnits.NanosecondsPerMillisecond;
        const long IdleDue = 100 * Millisecond; // their old due times: after the exact timer's
        using var engine = new VirtualTimerEngine();
        var fired = new List<(int Index, long Due, long At)>();
        var idle = new EngineTimer[Idle];
        for (var i = 0; i < Idle; i++)
        {
            var index = i;
            idle[i] = engine.CreateTimer((_, in f) => fired.Add((index, f.DueNanoseconds, f.FiredAtNanoseconds)));
            engine.Arm(idle[i], IdleDue + (i * 100), Second);
        }

        engine.AdvanceBy(0); // pulled into the run (their deadlines are beyond the wheel's earliest tick)
        Assert.Equal(Idle, engine.NearRunCount);
        for (var i = 0; i < Idle; i++)
        {
            engine.Arm(idle[i], (10 * Second) + (i * 100), Second); // later due and deadline: lazy
        }

        static bool Lazy(EngineTimer t) => (Volatile.Read(ref t.StateWord) & EngineTimer.LazyBit) != 0;
        Assert.All(idle, t => Assert.True(Lazy(t)));

        // A real dispatcher at 0: the earliest stale deadline is a bound to sleep until; nothing resolved.
        Assert.Equal(IdleDue + Second, engine.EarliestDeadlineAsARealDispatcherAt(0));
        Assert.All(idle, t => Assert.True(Lazy(t), "a real dispatcher resolved a stale entry before its bound"));

        // The exact timer decides the wake-up: the stale entries stay as they are, on either engine.
        var exact = engine.CreateTimer((_, in f) => fired.Add((-1, f.DueNanoseconds, f.FiredAtNanoseconds)));
        engine.Arm(exact, 2 * Millisecond);
        Assert.Equal(2 * Millisecond, engine.EarliestDeadlineAsARealDispatcherAt(0));
        engine.AdvanceTo((2 * Millisecond) - 1);
        Assert.All(idle, t => Assert.True(Lazy(t), "a stale entry later than the wake-up was resolved"));
        Assert.Equal(Idle, engine.NearRunCount);

        // Fired, the stale entries decide the virtual engine's next wake-up: resolved (filed at their current armings), none fired.
        engine.AdvanceTo(2 * Millisecond);
        Assert.Equal([(-1, 2 * Millisecond, 2 * Millisecond)], fired);
        Assert.All(idle, t => Assert.False(Lazy(t)));
        Assert.Equal((10 * Second) + Second, engine.EarliestDeadlineAsARealDispatcherAt(2 * Millisecond));

        // And each fires within its current arming's range, in due order.
        engine.AdvanceTo(12 * Second);
        var idleFires = fired.Skip(1).ToList();
        Assert.Equal(Idle, idleFires.Count);
        Assert.All(idleFires, f => Assert.InRange(f.At, f.Due, f.Due + Second));
        Assert.Equal(Enumerable.Range(0, Idle), idleFires.Select(f => f.Index));
    }
}
