using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>The opt-in real-time dispatcher (issue 15): SCHED_FIFO where the process may, a stated fallback where not.</summary>
public sealed class RealTimeDispatcherTests
{
    [Fact]
    public void OrdinaryByDefault()
    {
        using var engine = new RealTimeTimerEngine("plain");
        Assert.Equal("ordinary", engine.SchedulingPolicy);
    }

    [Fact]
    public void RealTimePriority_IsAppliedOrTheRefusalIsStated_AndTimersStillFire()
    {
        using var engine = new RealTimeTimerEngine("rt", realTimePriority: 10);
        var policy = engine.SchedulingPolicy;
        Assert.True(
            OperatingSystem.IsLinux()
                ? policy == "SCHED_FIFO 10" || policy.StartsWith("ordinary (SCHED_FIFO 10 refused: errno ", StringComparison.Ordinal)
                : policy == "ordinary (SCHED_FIFO 10 asked for: only on Linux)",
            policy);
        using var fired = new ManualResetEventSlim();
        engine.ArmAfter(engine.CreateTimer((_, in _) => fired.Set()), TimeUnits.NanosecondsPerMillisecond);
        Assert.True(fired.Wait(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void RealTimePriority_Outside0To99_IsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RealTimeTimerEngine("bad", realTimePriority: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RealTimeTimerEngine("bad", realTimePriority: 100));
    }
}
