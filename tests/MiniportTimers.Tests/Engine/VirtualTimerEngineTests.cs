using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

public class VirtualTimerEngineTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private static (VirtualTimerEngine Engine, List<(string Name, long Due, long FiredAt, long Now)> Log) Create()
    {
        var engine = new VirtualTimerEngine();
        return (engine, []);
    }

    private static EngineTimer Recording(VirtualTimerEngine engine, List<(string Name, long Due, long FiredAt, long Now)> log, string name) =>
        engine.CreateTimer((t, in f) => log.Add((name, f.DueNanoseconds, f.FiredAtNanoseconds, t.Engine.NowNanoseconds)));

    [Fact]
    public void Arm_IdleTimer_ReturnsFalseAndFiresAtDueTime()
    {
        var (engine, log) = Create();
        var t = Recording(engine, log, "a");
        Assert.False(engine.Arm(t, 5 * Ms));
        engine.AdvanceBy(5 * Ms - 1);
        Assert.Empty(log);
        engine.AdvanceBy(1);
        Assert.Equal(("a", 5 * Ms, 5 * Ms, 5 * Ms), Assert.Single(log));
    }

    [Fact]
    public void Arm_PendingTimer_ReturnsTrueAndReplacesDueTime()
    {
        var (engine, log) = Create();
        var t = Recording(engine, log, "a");
        engine.Arm(t, 5 * Ms);
        Assert.True(engine.Arm(t, 8 * Ms));
        engine.AdvanceBy(20 * Ms);
        Assert.Equal(8 * Ms, Assert.Single(log).FiredAt);
    }

    [Fact]
    public void Cancel_PendingTimer_ReturnsTrueAndNeverFires()
    {
        var (engine, log) = Create();
        var t = Recording(engine, log, "a");
        engine.Arm(t, 5 * Ms);
        Assert.True(engine.Cancel(t));
        Assert.False(t.IsPending);
        engine.AdvanceBy(20 * Ms);
        Assert.Empty(log);
    }

    [Fact]
    public void Cancel_IdleTimer_ReturnsFalse()
    {
        var (engine, log) = Create();
        Assert.False(engine.Cancel(Recording(engine, log, "a")));
    }

    [Fact]
    public void Advance_ManyTimers_FireInDueOrderWithClockAtFireTime()
    {
        var (engine, log) = Create();
        var dues = new long[] { 7, 3, 9, 1, 5, 2, 8 };
        foreach (var d in dues)
        {
            engine.Arm(Recording(engine, log, d.ToString()), d * Ms);
        }

        engine.AdvanceBy(10 * Ms);
        Assert.Equal(dues.Order().Select(d => d * Ms), log.Select(e => e.Due));
        Assert.All(log, e => Assert.Equal(e.Due, e.Now));
        Assert.Equal(10 * Ms, engine.NowNanoseconds);
    }

    [Fact]
    public void Advance_EqualDueTimes_FireInArmOrder()
    {
        var (engine, log) = Create();
        foreach (var name in new[] { "first", "second", "third" })
        {
            engine.Arm(Recording(engine, log, name), 4 * Ms);
        }

        engine.AdvanceBy(4 * Ms);
        Assert.Equal(["first", "second", "third"], log.Select(e => e.Name));
    }

    [Fact]
    public void EqualDueTimes_ReArmBeforeTheDispatcherLooked_StillFireInArmCallOrder()
    {
        // Found by the model-based test: b is armed, a is armed, b is re-armed; all due at 5 ms: a, then b.
        var (engine, log) = Create();
        var a = Recording(engine, log, "a");
        var b = Recording(engine, log, "b");
        engine.Arm(b, 9 * Ms);
        engine.Arm(a, 5 * Ms);
        engine.Arm(b, 5 * Ms);
        engine.AdvanceBy(10 * Ms);
        Assert.Equal(["a", "b"], log.Select(e => e.Name));
    }

    [Fact]
    public void Advance_TolerantTimer_RidesAlongWithEarlierDeadline()
    {
        // a: due 10 ms, may be 10 ms late; b: due 15 ms, no tolerance. One wake-up at 15 ms fires both, a first.
        var (engine, log) = Create();
        engine.Arm(Recording(engine, log, "a"), 10 * Ms, toleranceNanoseconds: 10 * Ms);
        engine.Arm(Recording(engine, log, "b"), 15 * Ms);
        engine.AdvanceBy(30 * Ms);
        Assert.Equal(["a", "b"], log.Select(e => e.Name));
        Assert.All(log, e => Assert.Equal(15 * Ms, e.FiredAt));
        Assert.Equal(1, engine.Statistics.WakeUps);
    }

    [Fact]
    public void Advance_LoneTolerantTimer_FiresAtLatestAllowedTimeNeverEarly()
    {
        var (engine, log) = Create();
        engine.Arm(Recording(engine, log, "a"), 10 * Ms, toleranceNanoseconds: 3 * Ms);
        engine.AdvanceBy(12 * Ms);
        Assert.Empty(log);
        engine.AdvanceBy(5 * Ms);
        var e = Assert.Single(log);
        Assert.Equal(13 * Ms, e.FiredAt);
        Assert.True(e.FiredAt >= e.Due);
    }

    [Fact]
    public void Arm_DueInPast_FiresAtNextAdvance()
    {
        var (engine, log) = Create();
        engine.AdvanceBy(10 * Ms);
        engine.Arm(Recording(engine, log, "past"), 2 * Ms);
        engine.Arm(Recording(engine, log, "zero"), 0);
        engine.AdvanceBy(0);
        Assert.Equal(["past", "zero"], log.Select(e => e.Name).Order());
        Assert.All(log, e => Assert.Equal(10 * Ms, e.FiredAt));
    }

    [Fact]
    public void Callback_ReArmsItself_FiresAgainAtNewDueTime()
    {
        var engine = new VirtualTimerEngine();
        var fires = new List<long>();
        EngineTimer? timer = null;
        timer = engine.CreateTimer((t, in f) =>
        {
            fires.Add(f.FiredAtNanoseconds);
            if (fires.Count < 3)
            {
                t.Engine.ArmAfter(t, 2 * Ms);
            }
        });
        engine.Arm(timer, 1 * Ms);
        engine.AdvanceBy(100 * Ms);
        Assert.Equal([1 * Ms, 3 * Ms, 5 * Ms], fires);
    }

    [Fact]
    public void Callback_CancelsLaterTimerOfSameInstant_LaterTimerDoesNotFire()
    {
        var (engine, log) = Create();
        var victim = Recording(engine, log, "victim");
        var killer = engine.CreateTimer((t, in f) => Assert.True(t.Engine.Cancel(victim)));
        engine.Arm(killer, 5 * Ms);
        engine.Arm(victim, 5 * Ms);
        engine.AdvanceBy(10 * Ms);
        Assert.Empty(log);
    }

    [Fact]
    public void Periodic_ThousandPeriodsOf5ms_KeepsPhaseExactly()
    {
        var engine = new VirtualTimerEngine();
        var fires = new List<long>();
        var t = engine.CreateTimer((_, in f) => fires.Add(f.FiredAtNanoseconds));
        engine.ArmAfter(t, 5 * Ms, 0, 5 * Ms);
        for (var i = 0; i < 1000; i++)
        {
            engine.AdvanceBy(5 * Ms);
        }

        Assert.Equal(1000, fires.Count);
        Assert.Equal(5000 * Ms, fires[^1]);
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => i * 5 * Ms), fires);
    }

    [Fact]
    public void Periodic_AfterStall_FiresOnceCountsOverrunsThenKeepsPhase()
    {
        var engine = new VirtualTimerEngine();
        var fires = new List<TimerFiring>();
        var t = engine.CreateTimer((_, in f) => fires.Add(f));
        engine.Arm(t, 10 * Ms, 0, 10 * Ms);
        engine.Stall(35 * Ms); // the dispatcher is late by 25 ms: periods at 20 and 30 ms are missed
        engine.AdvanceBy(0);
        var first = Assert.Single(fires);
        Assert.Equal(10 * Ms, first.DueNanoseconds);
        Assert.Equal(2, first.Overruns);
        engine.AdvanceBy(5 * Ms); // to 40 ms: the original phase
        Assert.Equal(40 * Ms, fires[^1].DueNanoseconds);
        Assert.Equal(2, fires.Count);
    }

    [Fact]
    public void AdvanceBy_FromCallback_FiresWhatComesDueOnTheWay_AndTheOuterAdvanceGoesOn()
    {
        var engine = new VirtualTimerEngine();
        var log = new List<(string Name, long At)>();
        engine.ArmAfter(engine.CreateTimer((t, in _) =>
        {
            log.Add(("outer", engine.NowNanoseconds));
            ((VirtualTimerEngine)t.Engine).AdvanceBy(5 * Ms); // nested: to 6 ms
            log.Add(("outer after nested", engine.NowNanoseconds));
        }), 1 * Ms);
        engine.ArmAfter(engine.CreateTimer((_, in _) => log.Add(("at 3", engine.NowNanoseconds))), 3 * Ms);
        engine.ArmAfter(engine.CreateTimer((_, in _) => log.Add(("at 8", engine.NowNanoseconds))), 8 * Ms);
        engine.AdvanceBy(10 * Ms);
        Assert.Equal([("outer", 1 * Ms), ("at 3", 3 * Ms), ("outer after nested", 6 * Ms), ("at 8", 8 * Ms)], log);
        Assert.Equal(10 * Ms, engine.NowNanoseconds);
        Assert.Equal(0, engine.Statistics.CallbackFaults);
    }

    [Fact]
    public async Task AdvanceBy_FromAnotherThread_WhileACallbackWaitsForIt_DoesNotDeadlock()
    {
        var engine = new VirtualTimerEngine();
        using var inCallback = new ManualResetEventSlim();
        using var moved = new ManualResetEventSlim();
        var late = 0L;
        engine.ArmAfter(engine.CreateTimer((_, in _) =>
        {
            inCallback.Set();
            Assert.True(moved.Wait(TimeSpan.FromSeconds(30)), "the other thread advanced meanwhile");
        }), 1 * Ms);
        engine.ArmAfter(engine.CreateTimer((_, in _) => late = engine.NowNanoseconds), 5 * Ms);
        var first = Task.Run(() => engine.AdvanceBy(2 * Ms));
        Assert.True(inCallback.Wait(TimeSpan.FromSeconds(30)));
        engine.AdvanceTo(6 * Ms); // before: InvalidOperationException (or, from a provider, a wait until the callback returned)
        moved.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(5 * Ms, late);
        Assert.Equal(6 * Ms, engine.NowNanoseconds); // the clock never goes back
    }

    [Fact]
    public void RethrowCallbackExceptions_EndsTheAdvanceAtTheFailingExpiry()
    {
        var engine = new VirtualTimerEngine { RethrowCallbackExceptions = true };
        var fired = new List<long>();
        engine.ArmAfter(engine.CreateTimer((_, in _) => throw new InvalidOperationException("assertion failed")), 2 * Ms);
        engine.ArmAfter(engine.CreateTimer((_, in _) => fired.Add(engine.NowNanoseconds)), 4 * Ms);
        var ex = Assert.Throws<InvalidOperationException>(() => engine.AdvanceBy(10 * Ms));
        Assert.Equal("assertion failed", ex.Message);
        Assert.Equal(2 * Ms, engine.NowNanoseconds);
        Assert.Empty(fired);
        engine.AdvanceBy(8 * Ms);
        Assert.Equal([4 * Ms], fired);
        Assert.Equal(1, engine.Statistics.CallbackFaults);
    }

    [Fact]
    public void Callback_Throws_IsCountedReportedAndOtherTimersStillFire()
    {
        var (engine, log) = Create();
        var faults = 0;
        engine.CallbackFaulted += (_, _) => faults++;
        engine.Arm(engine.CreateTimer((_, in _) => throw new InvalidOperationException("boom")), 1 * Ms);
        engine.Arm(Recording(engine, log, "after"), 2 * Ms);
        engine.AdvanceBy(5 * Ms);
        Assert.Equal(1, faults);
        Assert.Equal(1, engine.Statistics.CallbackFaults);
        Assert.Single(log);
    }

    [Theory]
    [InlineData(-1, 0, 0)]
    [InlineData(0, -1, 0)]
    [InlineData(0, 0, -1)]
    [InlineData(TimerEngine.MaxTimeNanoseconds + 1, 0, 0)]
    [InlineData(0, TimerEngine.MaxTimeNanoseconds + 1, 0)]
    [InlineData(0, 0, TimerEngine.MaxTimeNanoseconds + 1)]
    public void Arm_OutOfRangeTimes_ThrowAndLeaveOtherTimersUntouched(long due, long tolerance, long period)
    {
        var (engine, log) = Create();
        engine.Arm(Recording(engine, log, "other"), 1 * Ms);
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.Arm(Recording(engine, log, "bad"), due, tolerance, period));
        engine.AdvanceBy(2 * Ms);
        Assert.Equal("other", Assert.Single(log).Name);
    }

    [Fact]
    public void Arm_TimerOfAnotherEngine_Throws()
    {
        var a = new VirtualTimerEngine();
        var b = new VirtualTimerEngine();
        Assert.Throws<ArgumentException>(() => b.Arm(a.CreateTimer((_, in _) => { }), 0));
    }

    [Fact]
    public void Statistics_CountArmsCancelsFiresAndPending()
    {
        var (engine, log) = Create();
        var a = Recording(engine, log, "a");
        var b = Recording(engine, log, "b");
        engine.Arm(a, 1 * Ms);
        engine.Arm(b, 2 * Ms);
        engine.Cancel(b);
        Assert.Equal(1, engine.PendingCount);
        engine.AdvanceBy(3 * Ms);
        var s = engine.Statistics;
        Assert.Equal((2L, 1L, 1L, 0), (s.Arms, s.Cancels, s.Fires, s.Pending));
    }

    [Fact]
    public void Stall_MovesClockWithoutFiring_LateTimersFireAtNextAdvance()
    {
        var (engine, log) = Create();
        engine.Arm(Recording(engine, log, "a"), 1 * Ms);
        engine.Stall(4 * Ms);
        Assert.Empty(log);
        engine.AdvanceBy(0);
        var e = Assert.Single(log);
        Assert.Equal(3 * Ms, e.FiredAt - e.Due);
    }

    [Fact]
    public void Heap_RandomArmCancel_AlwaysFiresSurvivorsInDueOrder()
    {
        var engine = new VirtualTimerEngine();
        var rng = new Random(7);
        var fired = new List<long>();
        var timers = Enumerable.Range(0, 500).Select(_ => engine.CreateTimer((_, in f) => fired.Add(f.DueNanoseconds))).ToArray();
        var expected = new Dictionary<EngineTimer, long>();
        for (var i = 0; i < 5000; i++)
        {
            var t = timers[rng.Next(timers.Length)];
            if (rng.Next(3) == 0)
            {
                engine.Cancel(t);
                expected.Remove(t);
            }
            else
            {
                var due = rng.NextInt64(1, 1_000_000);
                engine.Arm(t, due);
                expected[t] = due;
            }
        }

        engine.AdvanceBy(2_000_000);
        Assert.Equal(expected.Values.Order(), fired);
    }

    [Fact]
    public void LongestCallback_OnAVirtualClock_CountsEachCallbackFromItsOwnStart()
    {
        using var engine = new VirtualTimerEngine();
        const long Us = TimeUnits.NanosecondsPerMicrosecond;
        engine.Arm(engine.CreateTimer((_, in _) => engine.Stall(10 * Us)), 1_000);
        engine.Arm(engine.CreateTimer((_, in _) => engine.Stall(5 * Us)), 1_000); // same wake-up, after the 10 µs stall
        engine.AdvanceTo(2_000);
        Assert.Equal(10 * Us, engine.Statistics.LongestCallbackNanoseconds); // not 15: the second ran 5 µs
    }
}
