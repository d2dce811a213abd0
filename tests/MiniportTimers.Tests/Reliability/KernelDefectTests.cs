using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.TimeProviders;
using static MiniportTimers.Kernel.Ex;
using static MiniportTimers.Kernel.Ke;

namespace MiniportTimers.Tests.Reliability;

/// <summary>Issue 11, defects 8 and 12: Ke re-initialization of queued objects, and huge but valid inputs.</summary>
public sealed class KernelDefectTests : IDisposable
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private readonly VirtualTimerEngine _engine = new();
    private readonly List<BugCheckException> _bugChecks = [];
    private readonly IDisposable _scope;

    public KernelDefectTests() => _scope = UseEngine(_engine, _bugChecks.Add);

    public void Dispose() => _scope.Dispose();

    [Fact]
    public void Defect08_KeInitializeTimerOnAQueuedTimer_BugChecks0xC7_AndTheOldArmingNeverFires()
    {
        var runs = new List<long>();
        var timer = new KTIMER();
        var dpc = new KDPC();
        KeInitializeTimer(timer);
        KeInitializeDpc(dpc, (_, _, _, _) => runs.Add(_engine.NowNanoseconds), null);
        KeSetTimerEx(timer, -10 * 10_000, 0, dpc); // 10 ms

        var bc = Assert.Throws<BugCheckException>(() => KeInitializeTimer(timer));
        Assert.Equal((BugCheckCodes.TIMER_OR_DPC_INVALID, VerifierRules.TimerObject), (bc.Code, bc.Parameter1));

        _engine.AdvanceBy(20 * Ms);
        Assert.Empty(runs); // before the fix: the DPC ran at the old due time
        Assert.False(KeCancelTimer(timer));

        KeInitializeTimer(timer); // idle now: legal
        KeSetTimerEx(timer, -10 * 10_000, 0, dpc);
        Assert.True(KeCancelTimer(timer)); // before the fix: FALSE while an old arming was still alive
    }

    [Fact]
    public void Defect08_KeInitializeDpcOnAQueuedDpc_BugChecks0xC7_AndTheQueuedRunIsRemoved()
    {
        var runs = 0;
        var dpc = new KDPC();
        KeInitializeDpc(dpc, (_, _, _, _) => runs++, null);
        Assert.True(KeInsertQueueDpc(dpc, null, null));
        var bc = Assert.Throws<BugCheckException>(() => KeInitializeDpc(dpc, (_, _, _, _) => runs += 100, null));
        Assert.Equal((BugCheckCodes.TIMER_OR_DPC_INVALID, VerifierRules.DpcObject), (bc.Code, bc.Parameter1));
        _engine.AdvanceBy(Ms);
        Assert.Equal(0, runs);
    }

    [Fact]
    public void Defect12_ExSetTimerNoWake_ToleranceAboveLongMaxOver100_IsAcceptedAsUnbounded()
    {
        var fired = new List<long>();
        var timer = ExAllocateTimer((_, _) => fired.Add(_engine.NowNanoseconds), null, EX_TIMER_NO_WAKE)!;
        var parameters = ExInitializeSetTimerParameters();
        parameters.NoWakeTolerance = (long.MaxValue / 100) + 1; // threw OverflowException before the fix
        Assert.False(ExSetTimer(timer, -10 * 10_000, 0, parameters));
        var other = ExAllocateTimer(null, null, 0)!;
        ExSetTimer(other, -20 * 10_000, 0, null); // something else wakes the dispatcher: the NO_WAKE timer rides along
        _engine.AdvanceBy(30 * Ms);
        Assert.Equal([20 * Ms], fired);
    }

    [Fact]
    public void Defect12_KeSetCoalescableTimer_PeriodAboveIntMax_IsAccepted()
    {
        var timer = new KTIMER();
        KeInitializeTimer(timer);
        Assert.False(KeSetCoalescableTimer(timer, -10 * 10_000, uint.MaxValue, 0, null)); // threw OverflowException
        _engine.AdvanceBy(20 * Ms);
        Assert.True(KeReadStateTimer(timer));
        Assert.True(KeCancelTimer(timer)); // still periodic: next expiry in about 49.7 days
    }

    [Fact]
    public void Defect12_VirtualTimeProvider_AdvancePastTheEndOfTime_ThrowsArgumentOutOfRange()
    {
        var time = new VirtualTimeProvider();
        var before = time.GetUtcNow();
        var advance = Assert.Throws<ArgumentOutOfRangeException>(() => time.Advance(TimeSpan.MaxValue));
        Assert.Equal("delta", advance.ParamName);
        Assert.Equal(before, time.GetUtcNow()); // nothing moved
        time.Advance(TimeSpan.FromDays(365 * 70)); // the engine's range itself
        time.SetUtcNow(DateTimeOffset.MaxValue); // and beyond it, up to the end of time (issue 25: it ended in 2073)
        Assert.Equal("delta", Assert.Throws<ArgumentOutOfRangeException>(() => time.Advance(TimeSpan.FromTicks(1))).ParamName);
        Assert.Equal(DateTimeOffset.MaxValue, time.GetUtcNow());
    }
}
