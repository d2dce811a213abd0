using System.Diagnostics;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// The samples' warm-up before a real-clock run (issue 27): the same samples, with the same settings, are run first for
/// <see cref="RealClockMilliseconds"/> on a private real-clock engine, then <see cref="VirtualRounds"/> times on a
/// private virtual clock, so that every routine of theirs, of the hosts, of the device models and of the real engine the
/// run will call is compiled, and the hot ones re-compiled optimized, before the measured part.
/// </summary>
/// <remarks>
/// <para>Why each part (docs/benchmarks.md, "The run on the real clock"):</para>
/// <list type="bullet">
/// <item><description>The virtual pass reaches every routine of the samples' 11 s script in about 0.3 s. Before it, the
/// first calls paid the JIT on the dispatcher: storahci's 10 ms <c>P_Running_Callback</c> fired at p99 12-65 ms and
/// nvme's <c>NVMeRunning</c> at 11-80 ms, all of it in the first fires.</description></item>
/// <item><description>It runs three times (once when tiered compilation is off: <see cref="UntieredRun"/>) because tiered compilation re-compiles a method optimized only after 30 calls
/// (and with its profile after 30 more), counted over the whole process: a routine the script calls 10-30 times was
/// re-compiled during the measured part after one pass, on the runtime's background thread, which shares the VM's two
/// cores with the dispatcher (session ten: 880-900 methods compiled during the run with one virtual pass and no real
/// one, 300 with the real pass, 170-210 with three virtual passes).</description></item>
/// <item><description>The short real-clock pass comes first: it creates the process's first real engine and real-clock
/// hosts, whose warm-ups (DispatchWarmUp, HostingWarmUp: several hundred methods) otherwise ran at the start of the
/// measured part, and it calls what only the real clock calls (the dispatch loop's sleeps and spins, the DPC watchdog's
/// and the stuck-callback watchdog's per-callback stamps, the PnP thread of the device starts).</description></item>
/// </list>
/// <para>Native drivers (<c>--driver</c>) are not rehearsed: the loaded .so is one image per process with its own
/// globals, so a second set of its adapters would run the driver's C code twice on the same state. The bridge's managed
/// side is warmed by the samples' hosts where they share it. The rehearsal's engines join the process-wide engine
/// registry like any public engine, so the Meter and EventSource counters include their arms and fires. About 2 s on a
/// 2-core VM (1.8-2.2 s for the six samples without tiered compilation), once per run, before the OS floor probe starts.</para>
/// </remarks>
internal static class RunRehearsal
{
    /// <summary>Length of the real-clock pass, ms of its engine's time.</summary>
    public const long RealClockMilliseconds = 500;

    /// <summary>How many times the virtual pass runs under tiered compilation (once without it: a method is then compiled
    /// once, optimized, at its first call).</summary>
    public const int VirtualRounds = 3;

    /// <summary>Longest engine time a virtual pass runs (a long run's later events repeat its first 11 s).</summary>
    private const long MaximumMilliseconds = RunSettings.DefaultDurationMilliseconds;

    /// <summary>Runs <paramref name="names"/> as <paramref name="settings"/> asks, on a private real clock and then on private
    /// virtual clocks, and throws the results away.</summary>
    /// <returns>What ran, and how long it took; null when there was nothing to rehearse.</returns>
    public static RehearsalReport? Run(RunSettings settings, IReadOnlyList<string> names)
    {
        var virtualRounds = UntieredRun.TieringOff ? 1 : VirtualRounds;
        if (names.Count == 0)
        {
            return null;
        }

        var started = Stopwatch.GetTimestamp();
        var virtualPass = settings with
        {
            Virtual = true,
            DurationMilliseconds = Math.Min(settings.DurationMilliseconds, MaximumMilliseconds),
            JsonPath = null,
            TracePath = null,
            Drivers = null,
        };
        var realPass = virtualPass with { Virtual = false, DurationMilliseconds = RealClockMilliseconds };
        using (var realEngine = new RealTimeTimerEngine(dispatchers: settings.Dispatchers))
        {
            SampleRunner.Run(realEngine, Samples(names, realPass, settings), realPass.DurationMilliseconds, realPass.Seed);
        }

        for (var round = 0; round < virtualRounds; round++)
        {
            using var engine = new VirtualTimerEngine();
            SampleRunner.Run(engine, Samples(names, virtualPass, settings), virtualPass.DurationMilliseconds, virtualPass.Seed);
        }

        return new RehearsalReport(Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1), RealClockMilliseconds, virtualRounds, !UntieredRun.TieringOff);
    }

    /// <summary>The samples for one pass. With <c>--trace</c> they record into a recorder that is thrown away, so that the
    /// trace's own paths (every arm, fire and lock hold) are compiled before the measured part too: without it a traced
    /// run compiled about ten more methods during the run, one of them in nvme's first <c>NVMeRunning</c> (1-9 ms).</summary>
    private static List<ISampleRun> Samples(IReadOnlyList<string> names, RunSettings pass, RunSettings settings)
    {
        var samples = names.Select(n => SampleFactory.Create(n, pass)).ToList();
        if (settings.TracePath is not null)
        {
            var recorder = new TraceRecorder { OmitZeroLengthLockHolds = !settings.TraceAllLocks };
            samples.ForEach(r => r.Trace = recorder.ForHost(r.Name));
        }

        return samples;
    }
}

/// <summary>The rehearsal before a real-clock run (<see cref="RunRehearsal"/>).</summary>
/// <param name="Milliseconds">How long it took, wall-clock ms.</param>
/// <param name="RealClockMilliseconds">Length of its real-clock pass, ms.</param>
/// <param name="VirtualRounds">How many virtual passes it ran.</param>
/// <param name="TieredCompilation">False when the process ran without tiered compilation (<see cref="UntieredRun"/>).</param>
internal sealed record RehearsalReport(double Milliseconds, long RealClockMilliseconds, int VirtualRounds, bool TieredCompilation);
