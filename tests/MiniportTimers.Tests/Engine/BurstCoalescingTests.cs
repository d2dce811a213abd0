using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>Issue 15's burst rule: with 1 ms tolerance windows a burst coalesces into at most one wake-up per window.</summary>
public sealed class BurstCoalescingTests
{
    [Theory]
    [InlineData(10_000)]
    [InlineData(200_000)]
    public void RandomBurst_With1MsTolerance_TakesAtMostOneWakeUpPerMillisecond_AndFiresEachInItsWindow(int n)
    {
        using var engine = new VirtualTimerEngine();
        const long Ms = TimeUnits.NanosecondsPerMillisecond;
        var rng = new Random(15);
        var late = 0;
        EngineTimerCallback check = (_, in f) =>
        {
            if (f.LatenessNanoseconds > Ms || f.LatenessNanoseconds < 0)
            {
                late++;
            }
        };
        for (var i = 0; i < n; i++)
        {
            engine.Arm(engine.CreateTimer(check), 1 + (long)(rng.NextDouble() * 100 * Ms), toleranceNanoseconds: Ms);
        }

        var fired = engine.AdvanceTo(102 * Ms);
        Assert.Equal(n, fired);
        Assert.Equal(0, late); // never early, never beyond its tolerance
        Assert.InRange(engine.Statistics.WakeUps, 1, 101); // 100 windows of 1 ms, and the one a window boundary may split
    }
}
