using System.Diagnostics;
using MiniportTimers.Engine;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// `bench --only churn` (issue 15's server churn): 1,000,000 pending idle-timeouts of 30 s with 1 s tolerance, re-armed
/// at random by 2 threads as fast as they can for the run, while 1 % more (zero tolerance, due at random within the run)
/// expire. Reports re-arms per second and the expiries' lateness, on the engine (one dispatcher, one per CPU, and one on
/// SCHED_FIFO where the process may: the churning threads keep every core busy, so an ordinary dispatcher waits for a
/// time slice) and on
/// System.Threading.Timer doing the same (Timer.Change) in the same process. Steady state: the first million armings are
/// filed before the measurement starts (a run without that wait measured the filing: p99 87-181 ms), and the dispatcher's
/// pull of them into its near set (it pulls ahead while it has nothing nearer to do: the million are due within one
/// bucket, so that is 200 ms of work 30 s early; one-shots armed meanwhile waited up to 540 ms until the pull learned to
/// yield, issue 27, session fourteen). The pull's time is reported beside the figures.
/// </summary>
internal static class ChurnBench
{
    private const long IdleTimeoutNanoseconds = IdleChurn.IdleTimeoutNanoseconds;
    private const long ToleranceNanoseconds = IdleChurn.ToleranceNanoseconds;

    public static IEnumerable<BenchRow> Run(bool quick)
    {
        var n = quick ? 10_000 : 1_000_000;
        var runNanoseconds = (quick ? 300 : 3_000) * TimeUnits.NanosecondsPerMillisecond;
        var label = $"{n:N0} idle-timeouts, 2 threads";
        var cpus = Math.Max(2, Environment.ProcessorCount);
        foreach (var (dispatchers, realTime) in new[] { (1, 0), (cpus, 0), (1, 50) })
        {
            var approach = (dispatchers == 1 ? "ours, 1 dispatcher" : $"ours, {dispatchers} dispatchers") + (realTime > 0 ? $", SCHED_FIFO {realTime} asked" : string.Empty);
            var (rate, late, pullAheadMilliseconds) = Ours(n, runNanoseconds, dispatchers, realTime);
            yield return new BenchRow("churn", $"dispatcher busy after the armings were filed, {label}", approach, pullAheadMilliseconds, "ms", "the pull ahead into the near set, before the clock starts (in 100 ms steps)");
            yield return new BenchRow("churn", $"re-arms per second, {label}", approach, rate, "/s");
            yield return new BenchRow("churn", $"expiry lateness p50, {label}", approach, late.At(50), "µs", Fired(late, n));
            yield return new BenchRow("churn", $"expiry lateness p99, {label}", approach, late.At(99), "µs", Fired(late, n));
        }

        var (timerRate, timerLate) = ThreadingTimer(n, runNanoseconds);
        yield return new BenchRow("churn", $"re-arms per second, {label}", "System.Threading.Timer", timerRate, "/s");
        yield return new BenchRow("churn", $"expiry lateness p50, {label}", "System.Threading.Timer", timerLate.At(50), "µs", Fired(timerLate, n));
        yield return new BenchRow("churn", $"expiry lateness p99, {label}", "System.Threading.Timer", timerLate.At(99), "µs", Fired(timerLate, n));
    }

    /// <summary>The note of a lateness row: how many of the n / 100 expiries fired within 10 s of the churn's end (fewer is a defect: docs/reliability.md).</summary>
    private static string Fired(LatenessHistogram late, int n) =>
        late.Count == n / 100 ? $"{late.Count} expiries" : $"only {late.Count} of {n / 100} expiries fired";

    private static (double RearmsPerSecond, LatenessHistogram Lateness, double PullAheadMilliseconds) Ours(int n, long runNanoseconds, int dispatchers, int realTimePriority)
    {
        using var engine = new RealTimeTimerEngine("bench churn", dispatchers: dispatchers, realTimePriority: realTimePriority);
        var idle = new EngineTimer[n];
        for (var i = 0; i < n; i++)
        {
            idle[i] = engine.CreateTimer(static (_, in _) => { });
            engine.ArmAfter(idle[i], IdleTimeoutNanoseconds, ToleranceNanoseconds);
        }

        // Steady state: the dispatchers have filed the million first armings (each a cache miss) before the clock starts.
        engine.FlushDispatched();
        var pullAheadMilliseconds = WaitUntilQuiet();

        var lateness = new System.Collections.Concurrent.ConcurrentQueue<double>();
        var rng = new Random(15);
        var start = engine.NowNanoseconds;
        for (var i = 0; i < n / 100; i++)
        {
            var t = engine.CreateTimer(static (t, in f) => ((System.Collections.Concurrent.ConcurrentQueue<double>)t.State!).Enqueue(f.LatenessNanoseconds / 1_000.0), lateness);
            engine.Arm(t, start + (long)(rng.NextDouble() * runNanoseconds));
        }

        var rearms = Churn(n, runNanoseconds, i => engine.ArmAfter(idle[i], IdleTimeoutNanoseconds, ToleranceNanoseconds));
        SpinWait.SpinUntil(() => lateness.Count >= n / 100, TimeSpan.FromSeconds(10));
        return (rearms, new LatenessHistogram(lateness), pullAheadMilliseconds);
    }

    /// <summary>
    /// Waits (up to 20 s) until the process uses under 10 % of a core over 100 ms: the dispatchers have finished what the
    /// armings gave them. Returns how long that took, ms (the last quiet 100 ms not counted).
    /// </summary>
    private static double WaitUntilQuiet()
    {
        var clock = Stopwatch.StartNew();
        var process = Process.GetCurrentProcess();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var at = clock.Elapsed;
            Thread.Sleep(100);
            process.Refresh();
            if ((process.TotalProcessorTime - cpu0).TotalMilliseconds < 0.1 * (clock.Elapsed - at).TotalMilliseconds)
            {
                return at.TotalMilliseconds;
            }
        }

        return clock.Elapsed.TotalMilliseconds;
    }

    private static (double RearmsPerSecond, LatenessHistogram Lateness) ThreadingTimer(int n, long runNanoseconds)
    {
        var idleTimeout = TimeSpan.FromTicks(IdleTimeoutNanoseconds / TimeUnits.NanosecondsPer100ns);
        var idle = new Timer[n];
        for (var i = 0; i < n; i++)
        {
            idle[i] = new Timer(static _ => { }, null, idleTimeout, Timeout.InfiniteTimeSpan);
        }

        var lateness = new System.Collections.Concurrent.ConcurrentQueue<double>();
        var rng = new Random(15);
        var clock = Stopwatch.StartNew();
        var expiring = new Timer[n / 100];
        for (var i = 0; i < expiring.Length; i++)
        {
            var dueNs = (long)(rng.NextDouble() * runNanoseconds);
            expiring[i] = new Timer(_ => lateness.Enqueue((clock.Elapsed.TotalNanoseconds - dueNs) / 1_000.0), null, TimeSpan.FromTicks(Math.Max(0, dueNs - (long)clock.Elapsed.TotalNanoseconds) / TimeUnits.NanosecondsPer100ns), Timeout.InfiniteTimeSpan);
        }

        var rearms = Churn(n, runNanoseconds, i => idle[i].Change(idleTimeout, Timeout.InfiniteTimeSpan));
        SpinWait.SpinUntil(() => lateness.Count >= expiring.Length, TimeSpan.FromSeconds(10));
        foreach (var t in idle.Concat(expiring))
        {
            t.Dispose();
        }

        return (rearms, new LatenessHistogram(lateness));
    }

    /// <summary>Two threads re-arm random timers for <paramref name="runNanoseconds"/> (<see cref="IdleChurn"/>); the total re-arms per second.</summary>
    private static double Churn(int n, long runNanoseconds, Action<int> rearm)
    {
        var (reArms, seconds) = IdleChurn.Run(n, runNanoseconds, rearm);
        return reArms / seconds;
    }
}
