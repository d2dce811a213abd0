using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>
/// A timer re-armed lazily while its filing waits in the level-0 run fires once, at its new time, and the next due time
/// read meanwhile (VirtualTimerEngine.NextDueNanoseconds, which peeks the run's front: DispatchQueue.TryPeekRun) is the
/// new one. Session seventeen's first commits had the stale front taken for current when its timer's lazy arming could be
/// taken: the next due time read 10 ms and the timer never fired.
/// </summary>
public class LazyRunFrontTests
{
    private const long Millisecond = TimeUnits.NanosecondsPerMillisecond;

    [Theory]
    [InlineData(0L)]
    [InlineData(500_000L)]
    public void ALazyReArmOfATimerInTheRun_FiresOnceAtItsNewTime(long toleranceNanoseconds)
    {
        using var engine = new VirtualTimerEngine();
        var fires = new List<long>();
        var t = engine.CreateTimer((_, in f) => fires.Add(f.DueNanoseconds));
        var other = engine.CreateTimer((_, in _) => { });
        engine.Arm(t, 10 * Millisecond, toleranceNanoseconds);
        engine.Arm(other, 10 * Millisecond); // beside it in the same level-0 bucket: the run's front is read by the take
        engine.AdvanceTo(9 * Millisecond); // the bucket is pulled into the run
        engine.Arm(t, 20 * Millisecond, toleranceNanoseconds); // later: lazy, still filed at 10 ms
        Assert.True(engine.Cancel(other));
        Assert.Equal(20 * Millisecond, engine.NextDueNanoseconds);
        engine.AdvanceTo(10 * Millisecond + toleranceNanoseconds);
        Assert.Empty(fires);
        engine.AdvanceTo(30 * Millisecond);
        Assert.Equal([20 * Millisecond], fires);
        Assert.Equal(0, engine.PendingCount);
    }
}
