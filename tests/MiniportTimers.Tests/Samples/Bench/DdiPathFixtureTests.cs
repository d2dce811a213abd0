using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Samples.Bench;

namespace MiniportTimers.Tests.Samples.Bench;

/// <summary>The DDI bench's fixture: <see cref="DdiPathFixture.RunInsideHwStorTimer"/> runs its body where a miniport's code runs.</summary>
public class DdiPathFixtureTests
{
    [Fact]
    public void RunInsideHwStorTimer_OnTheVirtualClock_RunsTheBodyOnThisThreadAtDispatchLevel()
    {
        using var engine = new VirtualTimerEngine();
        var fixture = new DdiPathFixture(engine, verifier: true);
        var thread = -1;
        var irql = KIRQL.PASSIVE_LEVEL;
        fixture.RunInsideHwStorTimer(() =>
        {
            thread = Environment.CurrentManagedThreadId;
            irql = Ke.KeGetCurrentIrql();
            fixture.RequestTimerCallCancel(); // the measured pair, inside the routine: no bug check, no finding
        });

        Assert.Equal(Environment.CurrentManagedThreadId, thread);
        Assert.Equal(KIRQL.DISPATCH_LEVEL, irql);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
        Assert.Empty(fixture.StorportHost.Findings);
    }

    [Fact]
    public void RunInsideHwStorTimer_OnTheRealClock_RunsTheBodyOnTheDispatcherAndWaitsForIt()
    {
        using var engine = new RealTimeTimerEngine("ddi fixture test");
        var fixture = new DdiPathFixture(engine, verifier: true);
        var thread = -1;
        var irql = KIRQL.PASSIVE_LEVEL;
        fixture.RunInsideHwStorTimer(() =>
        {
            Thread.Sleep(150); // past the host's default 100 ms DPC watchdog: the fixture allows a measurement's length
            thread = Environment.CurrentManagedThreadId;
            irql = Ke.KeGetCurrentIrql();
        });

        Assert.NotEqual(-1, thread); // it returned only after the body ran
        Assert.NotEqual(Environment.CurrentManagedThreadId, thread);
        Assert.Equal(KIRQL.DISPATCH_LEVEL, irql);
        Assert.Empty(fixture.StorportHost.BugChecks);
    }

    [Fact]
    public void RunInsideHwStorTimer_RethrowsWhatTheBodyThrew_OnTheCallingThread()
    {
        using var engine = new VirtualTimerEngine();
        var fixture = new DdiPathFixture(engine, verifier: true);
        var thrown = Assert.Throws<InvalidOperationException>(() => fixture.RunInsideHwStorTimer(() => throw new InvalidOperationException("from the body")));
        Assert.Equal("from the body", thrown.Message);
        Assert.Empty(fixture.StorportHost.BugChecks);
    }
}
