using MiniportTimers.Engine;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// Coalescing: 10,000 timers with random due times over 10 s and tolerance T, on the virtual clock. Wake-ups are compared
/// with the optimum computed offline by the greedy interval-stabbing rule (sort the windows [due, due+T] by their end;
/// stab at the first end; drop every window the stab hits; repeat) and with zero tolerance.
/// </summary>
internal static class CoalescingBench
{
    private static readonly double[] TolerancesMilliseconds = [0.1, 1.0, 10.0, 100.0];

    public sealed record Result(double ToleranceMilliseconds, long WakeUps, long Optimal, long ZeroToleranceWakeUps);

    public static List<Result> Run(bool quick)
    {
        var count = quick ? 1_000 : 10_000;
        var rng = new Random(4);
        var dues = Enumerable.Range(0, count).Select(_ => rng.NextInt64(10 * TimeUnits.NanosecondsPerSecond)).ToArray();
        var zero = WakeUps(dues, 0);
        return [.. TolerancesMilliseconds.Select(ms =>
        {
            var tolerance = (long)(ms * TimeUnits.NanosecondsPerMillisecond);
            return new Result(ms, WakeUps(dues, tolerance), Optimal(dues, tolerance), zero);
        })];
    }

    private static long WakeUps(long[] dues, long tolerance)
    {
        var engine = new VirtualTimerEngine();
        foreach (var due in dues)
        {
            engine.Arm(engine.CreateTimer((_, in _) => { }), due, tolerance);
        }

        engine.AdvanceBy(20 * TimeUnits.NanosecondsPerSecond);
        return engine.Statistics.WakeUps;
    }

    /// <summary>The fewest points that stab every window [due, due + tolerance] (greedy by window end is optimal).</summary>
    private static long Optimal(long[] dues, long tolerance)
    {
        long stabs = 0;
        var last = long.MinValue;
        foreach (var due in dues.Order())
        {
            if (due > last)
            {
                stabs++;
                last = due + tolerance; // windows sorted by start and of equal length: sorted by end too
            }
        }

        return stabs;
    }
}
