using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Kernel.Ke;

namespace MiniportTimers.Tests.Kernel.Timers;

/// <summary>semantics.md §3: KTIMER and KDPC routines, on the virtual clock.</summary>
public sealed class KeTimerTests : IDisposable
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private readonly VirtualTimerEngine _engine = new();
    private readonly List<BugCheckException> _bugChecks = [];
    private readonly IDisposable _scope;

    public KeTimerTests() => _scope = UseEngine(_engine, _bugChecks.Add);

    public void Dispose() => _scope.Dispose();

    private (KTIMER Timer, KDPC Dpc, List<(long At, object? A1, object? A2, KIRQL Irql)> Runs) TimerWithDpc(TIMER_TYPE type = TIMER_TYPE.NotificationTimer)
    {
        var runs = new List<(long, object?, object?, KIRQL)>();
        var timer = new KTIMER();
        var dpc = new KDPC();
        KeInitializeTimerEx(timer, type);
        KeInitializeDpc(dpc, (_, _, a1, a2) => runs.Add((_engine.NowNanoseconds, a1, a2, KeGetCurrentIrql())), null);
        return (timer, dpc, runs);
    }

    [Fact]
    public void TheDefaultEpoch_Is2026_01_01Utc_InFileTimeUnits()
    {
        Assert.Equal(KernelHostOptions.DefaultSystemTimeAtEngineZero100ns, new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).ToFileTimeUtc());
        Assert.Equal(KernelHostOptions.DefaultSystemTimeAtEngineZero100ns, new MiniportTimers.Storport.StorportHostOptions().SystemTimeAtEngineZero100ns);
    }

    [Fact]
    public void KeInitializeTimerEx_NotQueuedNotSignalled()
    {
        var (timer, _, _) = TimerWithDpc();
        Assert.False(KeReadStateTimer(timer));
        Assert.False(KeCancelTimer(timer));
    }

    [Fact]
    public void KeSetTimerEx_RelativeDueTime_SignalsAndQueuesItsDpcWithTheSystemTime()
    {
        var (timer, dpc, runs) = TimerWithDpc();
        Assert.False(KeSetTimerEx(timer, -10 * 10_000, 0, dpc)); // 10 ms
        _engine.AdvanceBy(9 * Ms);
        Assert.Empty(runs);
        _engine.AdvanceBy(1 * Ms);
        var run = Assert.Single(runs);
        var systemTime = SystemTime100ns(10 * Ms);
        Assert.Equal((10 * Ms, (object?)(uint)(systemTime & 0xFFFFFFFF), (object?)(uint)(systemTime >> 32), KIRQL.DISPATCH_LEVEL), run);
        Assert.True(KeReadStateTimer(timer));
        Assert.True(KeReadStateTimer(timer)); // a notification timer stays signalled
    }

    [Fact]
    public void TheExpirySignalsBeforeItsDpcRuns_AndASetInsideTheDpcClearsTheSignalUntilTheNextExpiry()
    {
        // The signal is set by the expiry's commit, before the DPC (KiSignalTimer signals, then queues the DPC), and a
        // set resets it (semantics.md: KeSetTimerEx "resets the state to not-signalled"): session thirteen moved the
        // signal from the callback's own monitor pair into the commit's claim (TimerCore diagram (7)).
        var timer = new KTIMER();
        var dpc = new KDPC();
        var seen = new List<(string When, bool Signalled)>();
        KeInitializeTimerEx(timer, TIMER_TYPE.NotificationTimer);
        KeInitializeDpc(
            dpc,
            (_, _, _, _) =>
            {
                seen.Add(("dpc entry", KeReadStateTimer(timer)));
                if (seen.Count == 1)
                {
                    KeSetTimerEx(timer, -5 * 10_000, 0, dpc); // 5 ms again, from inside its own DPC
                    seen.Add(("after the set", KeReadStateTimer(timer)));
                }
            },
            null);
        KeSetTimerEx(timer, -10 * 10_000, 0, dpc);
        _engine.AdvanceBy(10 * Ms);
        Assert.False(KeReadStateTimer(timer)); // the set inside the DPC cleared it
        _engine.AdvanceBy(5 * Ms);
        Assert.True(KeReadStateTimer(timer));
        Assert.Equal([("dpc entry", true), ("after the set", false), ("dpc entry", true)], seen);
    }

    [Fact]
    public void KeSetTimerEx_WhileQueued_ReturnsTrueAndReplaces()
    {
        var (timer, dpc, runs) = TimerWithDpc();
        KeSetTimerEx(timer, -10 * 10_000, 0, dpc);
        Assert.True(KeSetTimerEx(timer, -30 * 10_000, 0, dpc));
        _engine.AdvanceBy(100 * Ms);
        Assert.Equal([30 * Ms], runs.Select(r => r.At));
    }

    [Fact]
    public void KeSetTimerEx_AbsoluteAndPastDueTimes()
    {
        var (timer, dpc, runs) = TimerWithDpc();
        _engine.AdvanceBy(5 * Ms);
        KeSetTimerEx(timer, KernelTime.DefaultSystemTimeAtEngineZero100ns + (20 * 10_000), 0, dpc); // absolute: engine 20 ms
        _engine.AdvanceBy(100 * Ms);
        KeSetTimer(timer, KernelTime.DefaultSystemTimeAtEngineZero100ns, dpc); // in the past: at once (A15)
        _engine.AdvanceBy(0);
        Assert.Equal([20 * Ms, 105 * Ms], runs.Select(r => r.At));
    }

    [Fact]
    public void KeSetTimerEx_PeriodInMilliseconds_KeepsPhase()
    {
        var (timer, dpc, runs) = TimerWithDpc();
        KeSetTimerEx(timer, -5 * 10_000, 10, dpc);
        _engine.AdvanceBy(36 * Ms);
        Assert.Equal([5 * Ms, 15 * Ms, 25 * Ms, 35 * Ms], runs.Select(r => r.At));
        Assert.True(KeCancelTimer(timer));
    }

    [Fact]
    public void KeSetCoalescableTimer_ToleranceInMilliseconds_NeverEarly()
    {
        var (timer, dpc, runs) = TimerWithDpc();
        KeSetCoalescableTimer(timer, -10 * 10_000, 0, 32, dpc);
        _engine.AdvanceBy(100 * Ms);
        Assert.Equal([42 * Ms], runs.Select(r => r.At)); // alone, it fires at the latest time it allows
    }

    [Fact]
    public void KeCancelTimer_AfterExpiry_ReturnsFalseAndTheQueuedDpcStillRuns()
    {
        var (timer, dpc, runs) = TimerWithDpc();
        var other = new KTIMER();
        KeInitializeTimer(other);
        var canceller = new KDPC();
        bool? cancelled = null;
        KeInitializeDpc(canceller, (_, _, _, _) => cancelled = KeCancelTimer(timer), null);
        KeSetTimerEx(timer, -10 * 10_000, 0, dpc);
        KeSetTimerEx(other, -10 * 10_000, 0, canceller); // same instant, armed after: its DPC runs after the timer fired
        _engine.AdvanceBy(20 * Ms);
        Assert.False(cancelled);
        Assert.Single(runs);
    }

    [Fact]
    public void SynchronizationTimer_ReadingTheStateResetsIt()
    {
        var (timer, dpc, _) = TimerWithDpc(TIMER_TYPE.SynchronizationTimer);
        KeSetTimer(timer, -10_000, dpc);
        _engine.AdvanceBy(1 * Ms);
        Assert.True(KeReadStateTimer(timer));
        Assert.False(KeReadStateTimer(timer));
    }

    [Fact]
    public void KeInsertQueueDpc_OnceAtATime_RemoveDequeues()
    {
        var runs = new List<object?>();
        var dpc = new KDPC();
        KeInitializeDpc(dpc, (_, ctx, a1, _) => runs.Add(a1), "ctx");
        Assert.True(KeInsertQueueDpc(dpc, "first", null));
        Assert.False(KeInsertQueueDpc(dpc, "second", null)); // already queued: arguments not updated
        _engine.AdvanceBy(0);
        Assert.Equal(["first"], runs);
        Assert.True(KeInsertQueueDpc(dpc, "third", null));
        Assert.True(KeRemoveQueueDpc(dpc));
        Assert.False(KeRemoveQueueDpc(dpc));
        _engine.AdvanceBy(0);
        Assert.Equal(["first"], runs);
    }

    [Fact]
    public void KeSetTimerOrCancel_AboveDispatch_BugChecks0x0A()
    {
        var (timer, dpc, _) = TimerWithDpc();
        StorportTestBed.AtIrql((KIRQL)5, () =>
        {
            Assert.Equal(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, Assert.Throws<BugCheckException>(() => KeSetTimerEx(timer, -1, 0, dpc)).Code);
            Assert.Equal(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, Assert.Throws<BugCheckException>(() => KeCancelTimer(timer)).Code);
        });
    }

    [Fact]
    public void KeSetTimerEx_NegativePeriodOrUninitialized_Throws()
    {
        var (timer, dpc, _) = TimerWithDpc();
        Assert.Throws<ArgumentOutOfRangeException>(() => KeSetTimerEx(timer, -1, -5, dpc));
        Assert.Throws<InvalidOperationException>(() => KeSetTimerEx(new KTIMER(), -1, 0, null));
    }

    [Fact]
    public void DpcThatThrows_IsABugCheckReportedToTheBoundSink()
    {
        var dpc = new KDPC();
        KeInitializeDpc(dpc, (_, _, _, _) => throw new InvalidOperationException("bad"), null);
        KeInsertQueueDpc(dpc, null, null);
        _engine.AdvanceBy(0);
        Assert.Equal(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, Assert.Single(_bugChecks).Code);
    }

    [Fact]
    public void WithoutABoundEngine_InitializeThrows()
    {
        var t = new Thread(() => Assert.Throws<InvalidOperationException>(() => KeInitializeTimer(new KTIMER())));
        t.Start();
        t.Join();
    }

    [Fact]
    public void DpcInitializedInsideAMiniportRoutine_RunsOnThatHostAndAFaultStopsThatAdapter()
    {
        using var other = UseEngine(new VirtualTimerEngine()); // a different ambient engine: the routine's host must win
        var bed = new StorportTestBed(adapters: 2);
        var dpc = new KDPC();
        bed.StartIo = (_, _) =>
        {
            KeInitializeDpc(dpc, (_, _, _, _) => throw new InvalidOperationException("bad"), null);
            KeInsertQueueDpc(dpc, null, null);
        };
        bed.Adapter.SubmitRequest(new MiniportTimers.Storport.SCSI_REQUEST_BLOCK());
        bed.AdvanceMicroseconds(0);
        Assert.Equal(MiniportTimers.Storport.AdapterState.Faulted, bed.Adapter.State);
        Assert.Equal(MiniportTimers.Storport.AdapterState.Started, bed.Created[1].State);
        Assert.Equal(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, Assert.Single(bed.Host.BugChecks).BugCheck.Code);
    }
}
