using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Kernel.Ex;

namespace MiniportTimers.Tests.Kernel.Timers;

/// <summary>semantics.md §3: EX_TIMER routines (ExAllocateTimer, ExSetTimer, ExCancelTimer, ExDeleteTimer).</summary>
public sealed class ExTimerTests : IDisposable
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private readonly VirtualTimerEngine _engine = new();
    private readonly IDisposable _scope;
    private readonly List<long> _fired = [];

    public ExTimerTests() => _scope = Ke.UseEngine(_engine);

    public void Dispose() => _scope.Dispose();

    private EX_TIMER NewTimer(uint attributes = 0) =>
        ExAllocateTimer((_, _) => _fired.Add(_engine.NowNanoseconds), null, attributes)!;

    [Fact]
    public void ExSetTimer_RelativeDueTimeAndPeriodIn100ns()
    {
        var t = NewTimer();
        Assert.False(ExSetTimer(t, -10 * 10_000, 20 * 10_000, null)); // due 10 ms, every 20 ms
        _engine.AdvanceBy(55 * Ms);
        Assert.Equal([10 * Ms, 30 * Ms, 50 * Ms], _fired);
    }

    [Fact]
    public void ExSetTimer_WhilePending_ReturnsTrueAndReplaces()
    {
        var t = NewTimer();
        ExSetTimer(t, -10 * 10_000, 0, null);
        Assert.True(ExSetTimer(t, -30 * 10_000, 0, null));
        _engine.AdvanceBy(100 * Ms);
        Assert.Equal([30 * Ms], _fired);
    }

    [Fact]
    public void ExAllocateTimer_UnknownAttributeBits_ReturnsNull()
    {
        Assert.Null(ExAllocateTimer(null, null, 0x2));
        Assert.NotNull(ExAllocateTimer(null, null, EX_TIMER_NOTIFICATION | EX_TIMER_NO_WAKE));
    }

    [Fact]
    public void ExAllocateTimer_HighResolutionWithNoWake_BugChecks()
    {
        var bc = Assert.Throws<BugCheckException>(() => ExAllocateTimer(null, null, EX_TIMER_HIGH_RESOLUTION | EX_TIMER_NO_WAKE));
        Assert.Equal(VerifierRules.ExTimerMisuse, bc.Parameter1);
    }

    [Fact]
    public void ExSetTimer_HighResolutionWithAnAbsoluteDueTime_BugChecks_RelativeIsFine()
    {
        var t = NewTimer(EX_TIMER_HIGH_RESOLUTION);
        Assert.Throws<BugCheckException>(() => ExSetTimer(t, KernelTime.DefaultSystemTimeAtEngineZero100ns + 10_000, 0, null));
        ExSetTimer(t, -10_000, 0, null);
        _engine.AdvanceBy(1 * Ms);
        Assert.Single(_fired);
    }

    [Fact]
    public void ExSetTimer_PeriodAboveMaxLong_BugChecks()
    {
        Assert.Throws<BugCheckException>(() => ExSetTimer(NewTimer(), -1, (long)int.MaxValue + 1, null));
    }

    [Fact]
    public void ExSetTimer_NoWakeTolerance_LetsATimerWaitForAnotherWakeUp()
    {
        var lazy = NewTimer(EX_TIMER_NO_WAKE);
        var strict = NewTimer();
        var parameters = ExInitializeSetTimerParameters();
        parameters.NoWakeTolerance = EX_TIMER_UNLIMITED_TOLERANCE;
        ExSetTimer(lazy, -10 * 10_000, 0, parameters);
        _engine.AdvanceBy(500 * Ms);
        Assert.Empty(_fired); // nothing woke the dispatcher
        ExSetTimer(strict, -1 * 10_000, 0, null);
        _engine.AdvanceBy(10 * Ms);
        Assert.Equal([501 * Ms, 501 * Ms], _fired); // the strict timer's wake-up carries the lazy one along
    }

    [Fact]
    public void ExCancelTimer_ReportsWhetherItWasPending()
    {
        var t = NewTimer();
        Assert.False(ExCancelTimer(t, null));
        ExSetTimer(t, -10_000, 0, null);
        Assert.True(ExCancelTimer(t, null));
        _engine.AdvanceBy(10 * Ms);
        Assert.Empty(_fired);
    }

    [Fact]
    public void ExDeleteTimer_CancelTrue_ReturnsTrueNeverRunsAgainAndCallsTheDeleteCallback()
    {
        var t = NewTimer();
        ExSetTimer(t, -10_000, 0, null);
        object? deleted = null;
        Assert.True(ExDeleteTimer(t, Cancel: true, Wait: true, new EXT_DELETE_PARAMETERS { DeleteCallback = c => deleted = c, DeleteContext = "gone" }));
        _engine.AdvanceBy(10 * Ms);
        Assert.Empty(_fired);
        Assert.Equal("gone", deleted);
        Assert.Throws<BugCheckException>(() => ExSetTimer(t, -10_000, 0, null));
    }

    [Fact]
    public void ExDeleteTimer_CancelFalse_ReturnsFalseAndThePendingExpiryRunsOnce()
    {
        var t = NewTimer();
        ExSetTimer(t, -10 * 10_000, 5 * 10_000, null);
        Assert.False(ExDeleteTimer(t, Cancel: false, Wait: false, null));
        _engine.AdvanceBy(100 * Ms);
        Assert.Equal([10 * Ms], _fired);
    }

    [Fact]
    public void ExDeleteTimer_WaitWithoutCancel_BugChecks_WaitAboveApc_BugChecks0x0A()
    {
        var t = NewTimer();
        Assert.Equal(VerifierRules.ExTimerMisuse, Assert.Throws<BugCheckException>(() => ExDeleteTimer(t, Cancel: false, Wait: true, null)).Parameter1);
        StorportTestBed.AtIrql(KIRQL.DISPATCH_LEVEL, () =>
            Assert.Equal(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, Assert.Throws<BugCheckException>(() => ExDeleteTimer(t, Cancel: true, Wait: true, null)).Code));
    }

    [Fact]
    public void ExDeleteTimer_WaitFromItsOwnCallback_BugChecks_NoWaitIsLegal()
        => WaitFromOwnCallback();

    /// <summary>A callback runs at DISPATCH_LEVEL, so Wait = TRUE there trips the IRQL rule (0x0A) before the own-callback rule.</summary>
    private void WaitFromOwnCallback()
    {
        var faults = new List<Exception>();
        _engine.CallbackFaulted += (_, ex) => faults.Add(ex);
        EX_TIMER? waiting = null;
        waiting = ExAllocateTimer((self, _) => ExDeleteTimer(self, Cancel: true, Wait: true, null), null, 0)!;
        var legal = ExAllocateTimer((self, _) => ExDeleteTimer(self, Cancel: true, Wait: false, null), null, 0)!;
        ExSetTimer(waiting, -10_000, 0, null);
        ExSetTimer(legal, -20_000, 0, null);
        _engine.AdvanceBy(5 * Ms);
        var bc = Assert.IsType<BugCheckException>(Assert.Single(faults));
        Assert.Equal(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, bc.Code);
    }
}
