using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Kernel.Ke;

namespace MiniportTimers.Tests.Diagnostics;

/// <summary>
/// Issue 27 (attrib): a timer row keeps its worst fire with its lateness split into the dispatcher's wake-up, the other
/// callbacks it ran first, and the host's dispatch path (<see cref="LateFire"/>); the parts add up to the lateness.
/// The arithmetic with given fire-path times, then the fire path on the virtual clock.
/// </summary>
public sealed class LateFireTests
{
    private const long Us = TimeUnits.NanosecondsPerMicrosecond;

    [Fact]
    public void ADispatcherAsleepAtTheDueTime_CountsItsLateWakeUp_ThenTheCallbacksBeforeTheTake_ThenTheDispatchPath()
    {
        // due 100, woke 150, took 200, started 230
        var fire = new LateFire(requestedDueNanoseconds: 100, engineDueNanoseconds: 100, wokeAtNanoseconds: 150, takenAtNanoseconds: 200, startNanoseconds: 230);
        Assert.Equal((130L, 0L, 50L, 50L, 30L), (fire.LatenessNanoseconds, fire.ClockTickNanoseconds, fire.WakeUpNanoseconds, fire.BehindCallbacksNanoseconds, fire.DispatchPathNanoseconds));
        Assert.False(fire.DispatchPathProbed);
    }

    /// <summary>The wake-up part splits into the dispatcher's own deadline past the due time (a tolerable delay's, or a
    /// deadline set late) and the OS's lateness past that deadline; an unknown deadline (0) leaves the split unknown.</summary>
    [Fact]
    public void TheWakeUpPart_SaysHowMuchWasTheDeadlineTheDispatcherSleptTo_AndTheRestIsTheOss()
    {
        // due 100, slept to 100 (in time), woke 400: all of the 300 is the OS's
        Assert.Equal((300L, (long?)0), Parts(new LateFire(100, 100, wokeAtNanoseconds: 400, takenAtNanoseconds: 400, startNanoseconds: 410, sleptUntilNanoseconds: 100)));

        // due 100, slept to 250 (its deadline was past the due time), woke 400: 150 asked for, 150 the OS's
        Assert.Equal((300L, (long?)150), Parts(new LateFire(100, 100, wokeAtNanoseconds: 400, takenAtNanoseconds: 400, startNanoseconds: 410, sleptUntilNanoseconds: 250)));

        // a deadline past the wake-up (an arming thread's wake-up) claims at most the wake-up part; unknown (0): no split
        Assert.Equal((300L, (long?)300), Parts(new LateFire(100, 100, wokeAtNanoseconds: 400, takenAtNanoseconds: 400, startNanoseconds: 410, sleptUntilNanoseconds: 900)));
        Assert.Equal((300L, (long?)null), Parts(new LateFire(100, 100, wokeAtNanoseconds: 400, takenAtNanoseconds: 400, startNanoseconds: 410)));

        // awake at the due time: no wake-up part, nothing to split
        Assert.Equal((0L, (long?)null), Parts(new LateFire(100, 100, wokeAtNanoseconds: 50, takenAtNanoseconds: 400, startNanoseconds: 410, sleptUntilNanoseconds: 50)));

        static (long WakeUp, long? Deadline) Parts(LateFire fire) => (fire.WakeUpNanoseconds, fire.DeadlinePastDueNanoseconds);
    }

    /// <summary>On the real clock a dispatcher that slept until a timer's due time says so in the firing: the deadline it
    /// slept to is that due time (an exact timer's deadline is its due time), and it woke at or after it.</summary>
    [Fact]
    public async Task ARealDispatcherAsleepUntilATimer_HandsOverTheDeadlineItSleptTo()
    {
        using var engine = new RealTimeTimerEngine("slept-until-test");
        var seen = new TaskCompletionSource<TimerFiring>(TaskCreationOptions.RunContinuationsAsynchronously);
        var timer = engine.CreateTimer(static (t, in firing) => ((TaskCompletionSource<TimerFiring>)t.State!).TrySetResult(firing), seen);
        await Task.Delay(20); // the dispatcher is asleep with nothing pending
        var due = engine.NowNanoseconds + (30 * TimeUnits.NanosecondsPerMillisecond);
        engine.Arm(timer, due);
        var firing = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(due, firing.DueNanoseconds);
        Assert.Equal(due, firing.SleptUntilNanoseconds);
        Assert.InRange(firing.WokeAtNanoseconds, due, firing.FiredAtNanoseconds);
    }

    [Fact]
    public void ADispatcherAwakeAtTheDueTime_HasNoWakeUpPart_AndATickRoundingIsItsOwnPart()
    {
        var awake = new LateFire(100, 100, wokeAtNanoseconds: 40, takenAtNanoseconds: 180, startNanoseconds: 185);
        Assert.Equal((85L, 0L, 80L, 5L), (awake.LatenessNanoseconds, awake.WakeUpNanoseconds, awake.BehindCallbacksNanoseconds, awake.DispatchPathNanoseconds));

        var ticked = new LateFire(1_000, 15_625, wokeAtNanoseconds: 15_700, takenAtNanoseconds: 15_700, startNanoseconds: 15_710);
        Assert.Equal((14_710L, 14_625L, 75L, 0L, 10L), (ticked.LatenessNanoseconds, ticked.ClockTickNanoseconds, ticked.WakeUpNanoseconds, ticked.BehindCallbacksNanoseconds, ticked.DispatchPathNanoseconds));

        var unknownWakeUp = new LateFire(100, 100, wokeAtNanoseconds: 0, takenAtNanoseconds: 130, startNanoseconds: 130);
        Assert.Equal((0L, 30L), (unknownWakeUp.WakeUpNanoseconds, unknownWakeUp.BehindCallbacksNanoseconds));
    }

    [Fact]
    public void ARow_KeepsItsLatestFire_OnlyALaterFireReplacesIt_AndItsExpirysReturnOnItsThreadAddsTheDispatchPathsProbes()
    {
        var row = new TimerActivity("KTIMER", "Poll");
        var atTake = CallbackRunProbe.Start(realClock: false);
        Assert.True(row.CountFire(30, 0)); // the first fire is the worst so far
        row.CountWorstFire(100, 100, 0, 120, 130, -1, CallbackRunProbe.Now(realClock: false));
        Assert.False(row.WorstFire!.DispatchPathProbed);

        var other = new Thread(() => row.CountRun(1, "a", CallbackRunProbe.Start(realClock: false)));
        other.Start();
        other.Join();
        Assert.False(row.WorstFire!.DispatchPathProbed); // another thread's expiry returned: not this fire's

        row.CountRun(40, "a", atTake);
        var worst = row.WorstFire!;
        Assert.True(worst.DispatchPathProbed);
        Assert.Equal((30L, 20L, 10L), (worst.LatenessNanoseconds, worst.BehindCallbacksNanoseconds, worst.DispatchPathNanoseconds));

        Assert.False(row.CountFire(30, 0)); // as late: the first stays
        Assert.False(row.CountFire(5, 0));
        Assert.True(row.CountFire(31, 0));
        Assert.Same(worst, row.WorstFire);
        Assert.Equal(4, row.Fires);
    }

    [Fact]
    public void OnTheVirtualClock_AFireBehindACallbackThatStalledTheClock_IsLateByTheStall_AllBehindOtherCallbacks()
    {
        var bed = new StorportTestBed();
        var first = new KTIMER();
        var second = new KTIMER();
        var firstDpc = new KDPC();
        var secondDpc = new KDPC();
        InRoutine(bed, () =>
        {
            KeInitializeTimer(first);
            KeInitializeTimer(second);
            KeInitializeDpc(firstDpc, (_, _, _, _) => KeStallExecutionProcessor(3_000), null); // at DISPATCH_LEVEL: the dispatcher is busy 3 ms
            KeInitializeDpc(secondDpc, (_, _, _, _) => { }, null);
            KeSetTimer(first, -10 * 10_000, firstDpc); // both due at 10 ms
            KeSetTimer(second, -10 * 10_000, secondDpc);
        });
        bed.AdvanceMicroseconds(20_000);

        var rows = bed.Host.Diagnostics.TimerActivity.Rows.Where(r => r.Kind == "KTIMER").ToList();
        Assert.Equal(2, rows.Count);
        var stalled = Assert.Single(rows, r => r.WorstFire!.LatenessNanoseconds == 0);
        var behind = Assert.Single(rows, r => r.WorstFire!.LatenessNanoseconds > 0).WorstFire!;
        Assert.Equal(0, stalled.WorstFire!.BehindCallbacksNanoseconds);
        Assert.Equal((3_000 * Us, 0L, 0L, 3_000 * Us, 0L), (behind.LatenessNanoseconds, behind.ClockTickNanoseconds, behind.WakeUpNanoseconds, behind.BehindCallbacksNanoseconds, behind.DispatchPathNanoseconds));
        Assert.True(behind.DispatchPathProbed);
        Assert.Null(behind.CpuWaitSinceDueNanoseconds); // real clock only

        // What it waited behind is named: the stalled KTIMER's routine, all 3 ms of it; the first waited behind nothing.
        Assert.Equal(3_000 * Us, behind.LongestBehindNanoseconds);
        Assert.Equal($"{stalled.Callback} (KTIMER)", behind.LongestBehindCallback);
        Assert.Null(stalled.WorstFire.LongestBehindCallback);
        Assert.Null(stalled.WorstFire.LongestBehindNanoseconds);
    }

    /// <summary>Of the longest callback since the wake-up, only the part inside the fire's "behind" stretch (from the due
    /// time, or the wake-up when later, to the take) is what the fire waited behind.</summary>
    [Fact]
    public void TheLongestCallbackBefore_CountsOnlyItsPartAfterTheDueTime_AndNamesWhatItRan()
    {
        using var engine = new VirtualTimerEngine();
        var named = engine.CreateTimer(static (_, in _) => { }, new ReportedState("AhciPortTimer (device model)"));

        // due 100, awake (woke 40), took 400: behind = [100, 400]; the longest ran 50-250, so 150 of it was behind
        var fire = new LateFire(100, 100, wokeAtNanoseconds: 40, takenAtNanoseconds: 400, startNanoseconds: 410, longestBefore: new CallbackSpan(named, 50, 250));
        Assert.Equal((300L, (long?)150), (fire.BehindCallbacksNanoseconds, fire.LongestBehindNanoseconds));
        Assert.Equal("AhciPortTimer (device model)", fire.LongestBehindCallback);
        Assert.Equal("AhciPortTimer (device model)", fire.WithDispatchPath(0, 0, 0, 0, 0).LongestBehindCallback); // kept with the probes

        // It ended before the due time: not behind this fire. None at all: null.
        Assert.Null(new LateFire(100, 100, 40, 400, 410, longestBefore: new CallbackSpan(named, 50, 90)).LongestBehindCallback);
        Assert.Null(new LateFire(100, 100, 40, 400, 410).LongestBehindNanoseconds);

        // Asleep at the due time (woke 300): only what ran after the wake-up counts.
        var asleep = new LateFire(100, 100, wokeAtNanoseconds: 300, takenAtNanoseconds: 400, startNanoseconds: 410, longestBefore: new CallbackSpan(named, 310, 380));
        Assert.Equal((100L, (long?)70), (asleep.BehindCallbacksNanoseconds, asleep.LongestBehindNanoseconds));
    }

    /// <summary>The engine answers from inside a callback, on the dispatcher that runs it: the longest callback since the
    /// wake-up; a new wake-up starts again; another thread of a real engine gets none.</summary>
    [Fact]
    public void TheEngine_GivesTheLongestCallbackSinceTheWakeUp_FromInsideACallback()
    {
        using var engine = new VirtualTimerEngine();
        var seen = new List<CallbackSpan>();
        EngineTimer? slow = null, fast = null, last = null;
        slow = engine.CreateTimer((_, in _) => engine.Stall(2_000));
        fast = engine.CreateTimer((_, in _) => engine.Stall(500));
        last = engine.CreateTimer((t, in _) => seen.Add(engine.LongestCallbackSinceWakeUp(t)));
        engine.Arm(slow, 1_000);
        engine.Arm(fast, 1_000);
        engine.Arm(last, 1_000);
        engine.AdvanceTo(10_000);
        var span = Assert.Single(seen);
        Assert.Same(slow, span.Timer);
        Assert.Equal(2_000, span.Nanoseconds);

        // The next wake-up has run no callback before this one.
        engine.Arm(last, 20_000);
        engine.AdvanceTo(30_000);
        Assert.Null(seen[1].Timer);

        using var real = new RealTimeTimerEngine("longest-since-wake-up-test");
        var other = real.CreateTimer(static (_, in _) => { });
        Assert.Null(real.LongestCallbackSinceWakeUp(other).Timer); // not on its dispatcher's thread
    }

    private sealed class ReportedState(string name) : IReportedCallback
    {
        public string? ReportedCallbackName => name;
    }

    [Fact]
    public void OnTheDefaultWindowsTick_TheTicksRoundingIsThePartOfTheLatenessBeforeTheEnginesDueTime()
    {
        var bed = new StorportTestBed(new StorportHostOptions { WindowsClockTickMicroseconds = KernelHostOptions.DefaultWindowsClockTickMicroseconds });
        var timer = new KTIMER();
        var dpc = new KDPC();
        InRoutine(bed, () =>
        {
            KeInitializeTimer(timer);
            KeInitializeDpc(dpc, (_, _, _, _) => { }, null);
            KeSetTimer(timer, -1 * 10_000, dpc); // 1 ms: the engine runs it at the 15.625 ms tick
        });
        bed.AdvanceMicroseconds(20_000);
        var fire = Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "KTIMER").WorstFire!;
        Assert.Equal((14_625 * Us, 14_625 * Us, 0L), (fire.LatenessNanoseconds, fire.ClockTickNanoseconds, fire.BehindCallbacksNanoseconds));
    }

    private static void InRoutine(StorportTestBed bed, Action body)
    {
        bed.StartIo = (_, _) => body();
        bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK());
        bed.AdvanceMicroseconds(0);
        Assert.Empty(bed.Host.BugChecks);
    }
}
