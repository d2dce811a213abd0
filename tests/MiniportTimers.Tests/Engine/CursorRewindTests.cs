using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>
/// A far timer pulled ahead leaves the wheel's cursor ahead of the clock; the next drain that files an arming before the
/// cursor moves it back, when the queue holds few timers, and files those again (DispatchQueue.RewindIfAhead, issue 27
/// session seventeen). Everything on the virtual clock.
/// </summary>
public class CursorRewindTests
{
    private const long Millisecond = TimeUnits.NanosecondsPerMillisecond;
    private const long Second = TimeUnits.NanosecondsPerSecond;

    [Fact]
    public void AFarTimerPulledAhead_IsRewound_AndTheBurstAfterItFiresInDueOrder_TheFarTimerStillAtItsTime()
    {
        using var engine = new VirtualTimerEngine();
        var queue = engine.QueueForTests;
        var log = new List<(int Index, long Due, long At)>();
        var far = engine.CreateTimer((_, in f) => log.Add((-1, f.DueNanoseconds, f.FiredAtNanoseconds)));
        engine.Arm(far, 60 * Second);
        engine.AdvanceTo(Millisecond); // the wake-up pulls the 60 s bucket down: the cursor is 60 s ahead of the clock
        Assert.Equal(0, queue.Rewinds);

        var rng = new Random(17);
        var burst = new (EngineTimer Timer, long Due)[1_000];
        for (var i = 0; i < burst.Length; i++)
        {
            var index = i;
            var due = (2 * Millisecond) + (long)(rng.NextDouble() * 98 * Millisecond);
            burst[i] = (engine.CreateTimer((_, in f) => log.Add((index, f.DueNanoseconds, f.FiredAtNanoseconds))), due);
            engine.Arm(burst[i].Timer, due);
        }

        engine.AdvanceTo(100 * Millisecond);
        Assert.Equal(1, queue.Rewinds);
        var expected = Enumerable.Range(0, burst.Length).OrderBy(i => burst[i].Due).ThenBy(i => i).ToList();
        Assert.Equal(expected, log.Select(f => f.Index));
        Assert.All(log, f => Assert.Equal(f.Due, f.At));
        Assert.True(far.IsPending);

        log.Clear();
        engine.AdvanceTo(61 * Second);
        Assert.Equal([(-1, 60 * Second, 60 * Second)], log);
        Assert.Equal(0, engine.PendingCount);
    }

    [Fact]
    public void ARewind_KeepsEqualDueTimesInArmingOrder_HonoursALazyReArm_AndDropsACancelledTimer()
    {
        using var engine = new VirtualTimerEngine();
        var queue = engine.QueueForTests;
        var log = new List<string>();
        EngineTimer Named(string name) => engine.CreateTimer((_, in f) => log.Add($"{name}@{f.FiredAtNanoseconds / Millisecond}"));
        var a = Named("a");
        var b = Named("b");
        var c = Named("c");
        var lazy = Named("lazy");
        var cancelled = Named("cancelled");
        engine.Arm(a, 30 * Second);
        engine.Arm(b, 30 * Second); // the same due time: after a
        engine.Arm(c, 30 * Second, toleranceNanoseconds: Second);
        engine.Arm(lazy, 30 * Second);
        engine.Arm(cancelled, 30 * Second);
        engine.AdvanceTo(Millisecond); // all five pulled down to the near set: the cursor is 30 s ahead
        engine.Arm(lazy, 40 * Second); // later: a lazy re-arm, still filed at 30 s
        Assert.True(engine.Cancel(cancelled));

        var soon = Named("soon");
        engine.Arm(soon, 5 * Millisecond); // before the cursor: into the near heap, as are the next fourteen
        for (var i = 0; i < 15; i++)
        {
            engine.Arm(engine.CreateTimer((_, in _) => { }), (6 + i) * Millisecond); // the sixteenth such arming rewinds
        }

        engine.AdvanceTo(25 * Millisecond);
        Assert.Equal(1, queue.Rewinds);
        Assert.Equal(["soon@5"], log);

        engine.AdvanceTo(50 * Second);
        Assert.Equal(["soon@5", "a@30000", "b@30000", "c@30000", "lazy@40000"], log);
        Assert.Equal(0, engine.PendingCount);
    }

    [Theory]
    [InlineData(99, 0)]
    [InlineData(100, 1)]
    public void AQueueOfAHundredFarTimers_IsRewoundOnceAsManyArmingsWentNear_AndFiresEverythingInOrder(int armings, int rewinds)
    {
        using var engine = new VirtualTimerEngine();
        var log = FarTimersThenArmingsBeforeThem(engine, far: 100, armings, i => (200 - i) * Millisecond);
        Assert.Equal(rewinds, engine.QueueForTests.Rewinds);
        Assert.Equal(100 + armings, log.Count);
        Assert.Equal(log.Order(), log);
    }

    [Fact]
    public void AQueueHoldingMoreThan4096Timers_KeepsItsCursor_AndStillFiresEverythingInOrder()
    {
        using var engine = new VirtualTimerEngine();
        var log = FarTimersThenArmingsBeforeThem(engine, far: 5_000, armings: 6_000, i => (10 * Millisecond) + (i * 1_000));
        Assert.Equal(0, engine.QueueForTests.Rewinds);
        Assert.Equal(11_000, log.Count);
        Assert.Equal(log.Order(), log);
    }

    /// <summary>
    /// Arms <paramref name="far"/> timers at 60 s, advances 1 ms (the wake-up pulls them ahead: the cursor is 60 s ahead),
    /// arms <paramref name="armings"/> more due at <paramref name="dueOf"/>(i), advances to 61 s; the due times fired, in order.
    /// </summary>
    private static List<long> FarTimersThenArmingsBeforeThem(VirtualTimerEngine engine, int far, int armings, Func<int, long> dueOf)
    {
        var log = new List<long>();
        for (var i = 0; i < far; i++)
        {
            engine.Arm(engine.CreateTimer((_, in f) => log.Add(f.DueNanoseconds)), (60 * Second) + i);
        }

        engine.AdvanceTo(Millisecond);
        for (var i = 0; i < armings; i++)
        {
            engine.Arm(engine.CreateTimer((_, in f) => log.Add(f.DueNanoseconds)), dueOf(i));
        }

        engine.AdvanceTo(61 * Second);
        return log;
    }

    [Fact]
    public void ATimerReArmedOncePerFire_BesideAPendingFarTimer_RewindsOncePerSixteenArmings()
    {
        // Each advance ends with nothing nearer pending, so the wake-up pulls the far timer ahead again; a rewind at
        // every arming would file the queue again every time.
        using var engine = new VirtualTimerEngine();
        var queue = engine.QueueForTests;
        engine.Arm(engine.CreateTimer((_, in _) => { }), 60 * Second);
        var fires = 0;
        var tick = engine.CreateTimer((_, in _) => fires++);
        for (var i = 0; i < 64; i++)
        {
            engine.Arm(tick, engine.NowNanoseconds + Millisecond);
            engine.AdvanceBy(2 * Millisecond);
        }

        Assert.Equal(64, fires);
        Assert.InRange(queue.Rewinds, 3, 4);
        Assert.Equal(1, engine.PendingCount);
    }

    [Fact]
    public void ATimerDueInThePast_DoesNotRewind()
    {
        using var engine = new VirtualTimerEngine();
        var queue = engine.QueueForTests;
        var far = engine.CreateTimer((_, in _) => { });
        engine.Arm(far, 60 * Second);
        engine.AdvanceTo(10 * Millisecond);
        var fired = 0L;
        var overdue = engine.CreateTimer((_, in f) => fired = f.FiredAtNanoseconds);
        engine.Arm(overdue, Millisecond); // before the clock: fires at the next dispatch, near; no reason to move the cursor
        engine.AdvanceBy(0);
        Assert.Equal(10 * Millisecond, fired);
        Assert.Equal(0, queue.Rewinds);
    }
}
