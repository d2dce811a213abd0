using MiniportTimers.Cli.Bench;
using MiniportTimers.Engine;

namespace MiniportTimers.Cli.Stress;

/// <summary>
/// <c>stress --lazy-churn N</c>: the engine under a server's idle-timeout churn, checked callback by callback (issue 27,
/// session fourteen; docs/reliability.md, "Exact one-shots starved under heavy lazy re-arming"). N idle timeouts of 30 s
/// with 1 s tolerance are re-armed at random by two threads for the run (every re-arm lazy: later in due time and
/// deadline), while N / 100 exact one-shots come due within it. Then every idle timeout is armed once more, due within
/// the next 200 ms with 1 ms tolerance. Violations: an idle timeout fired during the churn (before any 30 s had passed),
/// a callback early, twice, or for another arming than the last one, and a timer that never fired within 30 s of its
/// due time (a lost lazy re-arm, or the starvation this run was made for). On the real clock: lateness is reported,
/// never judged.
/// </summary>
internal static class LazyChurnRun
{
    private const long IdleTimeoutNanoseconds = IdleChurn.IdleTimeoutNanoseconds;
    private const long IdleToleranceNanoseconds = IdleChurn.ToleranceNanoseconds;
    private const long FinalWindowNanoseconds = 200 * TimeUnits.NanosecondsPerMillisecond;
    private const long FinalToleranceNanoseconds = TimeUnits.NanosecondsPerMillisecond;

    /// <summary>How long the run waits for the last callbacks after the last due time before it calls the rest lost.</summary>
    private static readonly TimeSpan FireWait = TimeSpan.FromSeconds(30);

    /// <summary>What the run found.</summary>
    /// <param name="IdleTimers">Idle timeouts churned.</param>
    /// <param name="OneShots">Exact one-shots due during the churn.</param>
    /// <param name="ReArms">Lazy re-arms made.</param>
    /// <param name="Seconds">The churn's length, s.</param>
    /// <param name="OneShotLatenessP99Microseconds">p99 lateness of the one-shots that fired, µs.</param>
    /// <param name="Violations">Each violation, one line each.</param>
    public sealed record Result(int IdleTimers, int OneShots, long ReArms, double Seconds, double OneShotLatenessP99Microseconds, IReadOnlyList<string> Violations);

    /// <summary>Runs the churn with <paramref name="idleTimers"/> idle timeouts for <paramref name="churnMilliseconds"/> ms.</summary>
    /// <param name="idleTimers">Idle timeouts, at least 100.</param>
    /// <param name="churnMilliseconds">The churn's length, ms, at least 1.</param>
    public static Result Execute(int idleTimers, int churnMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(idleTimers, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(churnMilliseconds, 1);
        var violations = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var oneShotCount = idleTimers / 100;
        var total = idleTimers + oneShotCount;
        var fires = new int[total];
        var expectedDue = new long[total]; // the due time of each timer's last arming (0: none may fire yet)
        var lateness = new long[oneShotCount];
        long fired = 0;

        using var engine = new RealTimeTimerEngine("stress lazy churn", dispatchers: 1);
        var timers = new EngineTimer[total];
        for (var i = 0; i < total; i++)
        {
            var index = i;
            timers[i] = engine.CreateTimer((_, in f) =>
            {
                var expected = Volatile.Read(ref expectedDue[index]);
                if (Interlocked.Increment(ref fires[index]) != 1)
                {
                    violations.Enqueue($"timer {index} fired twice (due {f.DueNanoseconds} ns)");
                }
                else if (expected == 0 || f.DueNanoseconds != expected)
                {
                    violations.Enqueue($"timer {index} fired for due {f.DueNanoseconds} ns; its last arming was due {expected} ns{(expected == 0 ? " (an idle timeout during the churn)" : string.Empty)}");
                }
                else if (f.FiredAtNanoseconds < f.DueNanoseconds)
                {
                    violations.Enqueue($"timer {index} fired {f.DueNanoseconds - f.FiredAtNanoseconds} ns early");
                }

                if (index >= idleTimers)
                {
                    lateness[index - idleTimers] = f.LatenessNanoseconds;
                }

                Interlocked.Increment(ref fired);
            });
        }

        for (var i = 0; i < idleTimers; i++)
        {
            engine.ArmAfter(timers[i], IdleTimeoutNanoseconds, IdleToleranceNanoseconds);
        }

        engine.FlushDispatched();
        var churnNanoseconds = churnMilliseconds * TimeUnits.NanosecondsPerMillisecond;
        var rng = new Random(14);
        var start = engine.NowNanoseconds;
        for (var i = idleTimers; i < total; i++)
        {
            var due = start + (long)(rng.NextDouble() * churnNanoseconds);
            Volatile.Write(ref expectedDue[i], due);
            engine.Arm(timers[i], due);
        }

        var (reArms, seconds) = IdleChurn.Run(idleTimers, churnNanoseconds, i => engine.ArmAfter(timers[i], IdleTimeoutNanoseconds, IdleToleranceNanoseconds));

        // The last arming of every idle timeout: earlier, so an ordinary (pushed) re-arm; its due time is written first.
        var finalStart = engine.NowNanoseconds;
        for (var i = 0; i < idleTimers; i++)
        {
            var due = finalStart + (long)(rng.NextDouble() * FinalWindowNanoseconds);
            Volatile.Write(ref expectedDue[i], due);
            engine.Arm(timers[i], due, FinalToleranceNanoseconds);
        }

        SpinWait.SpinUntil(() => Interlocked.Read(ref fired) >= total, FireWait + TimeSpan.FromMilliseconds(FinalWindowNanoseconds / (double)TimeUnits.NanosecondsPerMillisecond));
        for (var i = 0; i < total; i++)
        {
            if (Volatile.Read(ref fires[i]) == 0)
            {
                violations.Enqueue($"{(i < idleTimers ? "idle timeout" : "one-shot")} {i} never fired (due {Volatile.Read(ref expectedDue[i])} ns, engine now {engine.NowNanoseconds} ns)");
            }
        }

        var firedLateness = lateness.Where((_, i) => Volatile.Read(ref fires[idleTimers + i]) > 0).Order().ToArray();
        var p99 = firedLateness.Length == 0 ? 0 : firedLateness[Math.Min(firedLateness.Length - 1, (int)(firedLateness.Length * 0.99))] / 1_000.0;
        return new Result(idleTimers, oneShotCount, reArms, seconds, p99, violations.ToArray());
    }
}
