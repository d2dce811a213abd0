using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Samples.Bench;

namespace MiniportTimers.Tests.Samples.Bench;

/// <summary>The DDI bench's fixture: <see cref="DdiPathFixture.RunInsideHwStorTimer"/> runs its body where a miniport's code runs, and the poll rows fire once a call.</summary>
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
    public static TheoryData<string> Polls => new() { "engine", "RequestTimerCall", "StorPortRequestTimer" };

    private static Action PollOf(DdiPathFixture fixture, string poll) => poll switch
    {
        "engine" => fixture.EnginePollFire,
        "RequestTimerCall" => fixture.RequestTimerCallPollFire,
        _ => fixture.StorPortRequestTimerPollFire,
    };

    [Theory]
    [MemberData(nameof(Polls))]
    public void PollFire_FiresOnceACall_AndItsCallbackRequestsItAgain(string poll)
    {
        using var engine = new VirtualTimerEngine();
        var fixture = new DdiPathFixture(engine, verifier: true);
        var pendingBefore = engine.PendingCount;
        var step = PollOf(fixture, poll);
        for (var i = 1; i <= 5; i++)
        {
            var fires = engine.Statistics.Fires;
            step();
            Assert.Equal(fires + 1, engine.Statistics.Fires); // one fire a step: the re-request is due after the advance's end
            Assert.Equal(pendingBefore + 1, engine.PendingCount); // requested again from inside the callback
        }

        fixture.StopPolls();
        Assert.Equal(pendingBefore, engine.PendingCount);
        engine.AdvanceBy(TimeSpan.FromMilliseconds(1));
        Assert.Empty(fixture.StorportHost.BugChecks);
        Assert.Empty(fixture.StorportHost.Findings);
    }

    [Fact]
    public void PollFire_SwitchingRows_StopsTheOtherLoop()
    {
        using var engine = new VirtualTimerEngine();
        var fixture = new DdiPathFixture(engine, verifier: true);
        var pendingBefore = engine.PendingCount;
        for (var i = 0; i < 3; i++)
        {
            fixture.RequestTimerCallPollFire();
        }

        var fires = engine.Statistics.Fires;
        for (var i = 0; i < 3; i++)
        {
            fixture.EnginePollFire(); // the RequestTimerCall loop was cancelled first: only the engine's timer fires
        }

        Assert.Equal(fires + 3, engine.Statistics.Fires);
        Assert.Equal(pendingBefore + 1, engine.PendingCount);
        fixture.StopPolls();
        Assert.Equal(pendingBefore, engine.PendingCount);
        Assert.Empty(fixture.StorportHost.Findings);
    }
}
