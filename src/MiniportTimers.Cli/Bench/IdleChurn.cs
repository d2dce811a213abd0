using System.Diagnostics;
using MiniportTimers.Engine;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// A server's idle-timeout churn (issue 15): two threads re-arm random timers of a set as fast as they can for a while.
/// Shared by <c>bench --only churn</c> (ChurnBench) and <c>stress --lazy-churn</c> (Stress/LazyChurnRun).
/// </summary>
internal static class IdleChurn
{
    /// <summary>The idle timeout every churned timer is re-armed to, ns (30 s).</summary>
    public const long IdleTimeoutNanoseconds = 30 * TimeUnits.NanosecondsPerSecond;

    /// <summary>Its tolerance, ns (1 s).</summary>
    public const long ToleranceNanoseconds = TimeUnits.NanosecondsPerSecond;

    /// <summary>
    /// Two dedicated threads call <paramref name="rearm"/> with random indices in [0, <paramref name="timers"/>), 256 at
    /// a time, until <paramref name="runNanoseconds"/> have passed; returns how many re-arms they made and how long that
    /// took, s.
    /// </summary>
    public static (long ReArms, double Seconds) Run(int timers, long runNanoseconds, Action<int> rearm)
    {
        long total = 0;
        var clock = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, 2).Select(seed => new Thread(() =>
        {
            var rng = new Random(seed);
            long count = 0;
            while (clock.Elapsed.TotalNanoseconds < runNanoseconds)
            {
                for (var k = 0; k < 256; k++)
                {
                    rearm(rng.Next(timers));
                }

                count += 256;
            }

            Interlocked.Add(ref total, count);
        })).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        return (Interlocked.Read(ref total), clock.Elapsed.TotalSeconds);
    }
}
