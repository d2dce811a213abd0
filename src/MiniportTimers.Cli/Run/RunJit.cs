using System.Diagnostics;
using System.Runtime;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// The JIT around a real-clock run's measured part (issue 27). The rehearsal (<see cref="RunRehearsal"/>) calls every
/// routine the samples will call, but under tiered compilation that first compiles them at tier 0, and their optimized
/// (tier-1) versions are compiled afterwards on the runtime's background thread, once a method has been called 30 times
/// and 100 ms have passed without new tier-0 work. A run that started at once therefore shared the 2 cores of the VM
/// with some 900 tier-1 compilations in its first second: the dispatcher waited for a CPU, and its timers fired 1-5 ms
/// late (session nine, docs/benchmarks.md). So <see cref="SettleTierUp"/> waits, after the rehearsal, until the process
/// has compiled nothing for <see cref="QuietMilliseconds"/> (at most <see cref="MaximumSettleMilliseconds"/>), and
/// <see cref="Start"/>/<see cref="JitWatch.Finish"/> count what was still compiled during the measured part, which the
/// report prints beside the collections (<see cref="System.Runtime.JitInfo"/>: every thread of the process).
/// </summary>
internal static class RunJit
{
    /// <summary>How long the JIT must have been idle before the measured part starts, ms.</summary>
    public const int QuietMilliseconds = 250;

    /// <summary>The longest the run waits for the tier-up to settle, ms (a machine too loaded to settle still runs).</summary>
    public const int MaximumSettleMilliseconds = 3_000;

    /// <summary>How often the settle looks at the compiled-method count, ms.</summary>
    private const int PollMilliseconds = 25;

    /// <summary>
    /// Waits until no method has been compiled for <see cref="QuietMilliseconds"/>, or <see cref="MaximumSettleMilliseconds"/>
    /// have passed. Blocks the calling thread (the run's main thread, before the real engine's clock starts).
    /// </summary>
    /// <returns>What the wait saw: how long it took, how many methods were compiled meanwhile, and whether it settled.</returns>
    public static JitSettle SettleTierUp(CancellationToken cancel = default)
    {
        var started = Stopwatch.GetTimestamp();
        var first = JitInfo.GetCompiledMethodCount();
        var last = first;
        var quietSince = started;
        while (!cancel.IsCancellationRequested)
        {
            var elapsed = Stopwatch.GetElapsedTime(started);
            if (Stopwatch.GetElapsedTime(quietSince).TotalMilliseconds >= QuietMilliseconds)
            {
                return new JitSettle(elapsed.TotalMilliseconds, JitInfo.GetCompiledMethodCount() - first, Settled: true);
            }

            if (elapsed.TotalMilliseconds >= MaximumSettleMilliseconds)
            {
                break;
            }

            Thread.Sleep(PollMilliseconds);
            var count = JitInfo.GetCompiledMethodCount();
            if (count != last)
            {
                last = count;
                quietSince = Stopwatch.GetTimestamp();
            }
        }

        return new JitSettle(Stopwatch.GetElapsedTime(started).TotalMilliseconds, JitInfo.GetCompiledMethodCount() - first, Settled: false);
    }

    /// <summary>Starts counting the methods the process compiles (every thread).</summary>
    public static JitWatch Start() => new(JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime());
}

/// <summary>What <see cref="RunJit.SettleTierUp"/> waited for.</summary>
/// <param name="Milliseconds">How long it waited, ms.</param>
/// <param name="MethodsCompiled">Methods the process compiled meanwhile (mostly the rehearsal's tier-1 versions).</param>
/// <param name="Settled">True when the JIT went quiet; false when the wait hit its limit (or was cancelled).</param>
internal sealed record JitSettle(double Milliseconds, long MethodsCompiled, bool Settled);

/// <summary>A count of compiled methods from <see cref="RunJit.Start"/> on.</summary>
internal sealed class JitWatch(long methods, TimeSpan compilationTime)
{
    /// <summary>What was compiled since the watch started.</summary>
    public JitReport Finish(RehearsalReport? rehearsal, JitSettle? settle) =>
        new(JitInfo.GetCompiledMethodCount() - methods, Math.Round((JitInfo.GetCompilationTime() - compilationTime).TotalMilliseconds, 2), rehearsal, settle);
}

/// <summary>The JIT of a real-clock run (null on the virtual clock, whose report is byte-for-byte repeatable).</summary>
/// <param name="MethodsCompiled">Methods compiled during the measured part, on every thread (first calls and tier-1 re-compilations).</param>
/// <param name="CompilationMilliseconds">The time those compilations took, ms, summed over threads (<see cref="JitInfo.GetCompilationTime"/>).</param>
/// <param name="Rehearsal">The rehearsal before the measured part (null when there was none: no sample to rehearse).</param>
/// <param name="Settle">The wait for the rehearsal's tier-up before the measured part (null when there was no rehearsal).</param>
internal sealed record JitReport(long MethodsCompiled, double CompilationMilliseconds, RehearsalReport? Rehearsal, JitSettle? Settle);
