using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// The samples' warm-up before a real-clock run (issue 27): the same samples, with the same settings, are run once on a
/// private virtual clock, so that every routine of theirs, of the hosts and of the device models the run will call is
/// compiled before the measured part. Before it, the first calls paid the JIT on the dispatcher: storahci's 10 ms
/// <c>P_Running_Callback</c> fired at p99 12-65 ms and nvme's <c>NVMeRunning</c> at 11-80 ms, all of it in the first
/// fires, and every other timer of the dispatcher waited behind them (docs/benchmarks.md, "run on the real clock").
/// The engine's and the hosting layer's own paths are warmed by <see cref="RealTimeTimerEngine"/> and the first real
/// host; this covers the samples' code, which only the samples know how to reach.
/// </summary>
/// <remarks>
/// Native drivers (<c>--driver</c>) are not rehearsed: the loaded .so is one image per process with its own globals, so a
/// second set of its adapters would run the driver's C code twice on the same state. The bridge's managed side is
/// warmed by the samples' hosts where they share it. The rehearsal's engine joins the process-wide engine registry like
/// any public <see cref="VirtualTimerEngine"/>, so the Meter and EventSource counters include its arms and fires.
/// About 0.3-0.6 s on a 2-core VM, once per run, before the OS floor probe starts.
/// </remarks>
internal static class RunRehearsal
{
    /// <summary>Longest engine time the rehearsal runs (a long run's later events repeat its first 11 s).</summary>
    private const long MaximumMilliseconds = RunSettings.DefaultDurationMilliseconds;

    /// <summary>Runs <paramref name="names"/> as <paramref name="settings"/> asks, on a virtual clock, and throws the results away.</summary>
    public static void Run(RunSettings settings, IReadOnlyList<string> names)
    {
        if (names.Count == 0)
        {
            return;
        }

        var rehearsal = settings with
        {
            Virtual = true,
            DurationMilliseconds = Math.Min(settings.DurationMilliseconds, MaximumMilliseconds),
            JsonPath = null,
            TracePath = null,
            Drivers = null,
        };
        var runs = names.Select(n => SampleFactory.Create(n, rehearsal)).ToList();
        using var engine = new VirtualTimerEngine();
        SampleRunner.Run(engine, runs, rehearsal.DurationMilliseconds, rehearsal.Seed);
    }
}
