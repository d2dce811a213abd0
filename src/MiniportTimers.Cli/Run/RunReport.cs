using System.Text.Json;
using System.Text.Json.Serialization;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Samples.Storahci;

namespace MiniportTimers.Cli.Run;

/// <summary>The report of one <c>run</c>, as printed and as written to JSON. Lateness is in µs.</summary>
internal sealed record RunReport(
    int SchemaVersion,
    string ToolVersion,
    MachineInfo Machine,
    DateTimeOffset StartedAtUtc,
    string Clock,
    string WaitPrimitive,
    int Seed,
    long DurationMilliseconds,
    IReadOnlyList<SampleReport> Samples,
    EngineStatistics Engine,
    int BugCheckCount,
    IReadOnlyList<string> InvariantFailures,
    long? WindowsTickMicroseconds,
    string? StoppedBy = null,
    OsFloor? OsFloor = null,
    int Dispatchers = 1,
    string Scheduling = "ordinary",
    LongestCallback? LongestCallback = null,
    IReadOnlyList<string>? Notes = null,
    CollectionsReport? Collections = null,
    JitReport? Jit = null,
    string? EngineLongestCallback = null,
    WorstTimer? WorstTimer = null,
    IReadOnlyList<LateFireRow>? LateFires = null)
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The version of the JSON layout (docs/run-report.schema.json); raised when a field changes meaning or goes.</summary>
    public const int CurrentSchemaVersion = 1;

    public static RunReport From(IReadOnlyList<ISampleRun> runs, TimerEngine engine, RunSettings settings, bool completed, Shell.StopSignal? stoppedBy = null, DateTimeOffset startedAtUtc = default, OsFloor? osFloor = null, IReadOnlyList<string>? notes = null, CollectionsReport? collections = null, JitReport? jit = null)
    {
        var samples = runs.Select(SampleReport.From).ToList();
        var failures = new List<string>();
        if (!completed && stoppedBy is null)
        {
            failures.Add("the run did not reach its end in time");
        }

        foreach (var run in runs)
        {
            var early = run.Diagnostics.TimerActivity.Rows.Sum(r => r.Lateness.EarlyCount);
            if (early > 0)
            {
                failures.Add($"{run.Name}: {early} callbacks ran before their due time");
            }

            failures.AddRange(run.InvariantFailures);
        }

        var stats = engine.Statistics;
        if (stats.CallbackFaults > 0)
        {
            failures.Add($"{stats.CallbackFaults} engine callbacks threw outside any miniport routine");
        }

        return new RunReport(
            CurrentSchemaVersion,
            Shell.CliApp.Version,
            MachineInfo.Current,
            startedAtUtc,
            engine.IsVirtual ? "virtual" : "real",
            engine is RealTimeTimerEngine real ? real.WaitPrimitive : "virtual",
            settings.Seed,
            settings.DurationMilliseconds,
            samples,
            stats,
            samples.Sum(s => s.BugChecks.Count),
            failures,
            settings.WindowsTickMicroseconds,
            stoppedBy switch
            {
                Shell.StopSignal.Interrupt => "SIGINT",
                Shell.StopSignal.Terminate => "SIGTERM",
                _ => null,
            },
            osFloor,
            engine.DispatcherCount,
            engine is RealTimeTimerEngine { } realEngine ? realEngine.SchedulingPolicy : "virtual",
            Run.LongestCallback.Of(runs, withCause: !engine.IsVirtual),
            WithBuildNote(notes, engine),
            collections,
            jit,
            engine.LongestCallbackName,
            engine.IsVirtual ? null : Run.WorstTimer.Of(samples, osFloor),
            engine.IsVirtual ? null : LateFireRow.Of(runs, samples, osFloor));
    }

    /// <summary>
    /// <paramref name="notes"/>, with a warning when a real-clock run runs a Debug build of the library (plain
    /// <c>dotnet run</c> builds Debug: unoptimised code, and its lateness figures are not the library's).
    /// </summary>
    private static IReadOnlyList<string>? WithBuildNote(IReadOnlyList<string>? notes, TimerEngine engine)
    {
        var debug = typeof(TimerEngine).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false)
            .OfType<System.Diagnostics.DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled);
        if (!debug || engine.IsVirtual)
        {
            return notes is { Count: > 0 } ? notes : null;
        }

        return [.. notes ?? [], "this is a Debug build (unoptimised code): build with -c Release (dotnet run -c Release --project src/MiniportTimers.Cli -- run) for the library's real-clock figures."];
    }
}

/// <summary>One sample's part of the report.</summary>
internal sealed record SampleReport(
    string Name,
    IReadOnlyList<TimerRow> Timers,
    IReadOnlyList<Fact> Facts,
    IReadOnlyList<PortReport>? Ports,
    IReadOnlyList<BugCheckRow> BugChecks,
    IReadOnlyList<FindingRow> Findings)
{
    public static SampleReport From(ISampleRun run)
    {
        static double Micro(long nanoseconds) => Math.Round(TimeUnits.NanosecondsToMicrosecondsExact(nanoseconds), 1);
        var d = run.Diagnostics;
        return new SampleReport(
            run.Name,
            [.. d.TimerActivity.Rows.Select(r => new TimerRow(
                r.Kind,
                r.Callback,
                r.Arms,
                r.Fires,
                r.Cancels,
                r.Replaced,
                r.Busy,
                r.StaleSkipped,
                r.Lateness.Count,
                r.Lateness.EarlyCount,
                Micro(r.Lateness.PercentileNanoseconds(50)),
                Micro(r.Lateness.PercentileNanoseconds(90)),
                Micro(r.Lateness.PercentileNanoseconds(99)),
                Micro(r.Lateness.PercentileNanoseconds(99.9)),
                Micro(r.Lateness.MaxNanoseconds),
                Micro(r.LongestRunNanoseconds),
                r.MaxToleranceNanoseconds > 0 ? Micro(r.MaxToleranceNanoseconds) : null,
                r.MaxToleranceNanoseconds > 0 ? Micro(r.LatenessPastTolerance.PercentileNanoseconds(99)) : null,
                r.MaxToleranceNanoseconds > 0 ? Micro(r.LatenessPastTolerance.MaxNanoseconds) : null))],
            [.. run.Facts.Select(f => new Fact(Fact.NameOf(f.Key), f.Key, f.Value))],
            (run as StorahciRun)?.Result?.Ports,
            [.. d.BugChecks.Select(b => new BugCheckRow(b.Adapter, b.Routine, $"0x{b.BugCheck.Code:X}", b.BugCheck.CodeName, b.BugCheck.Detail))],
            [.. d.Findings.Select(f => new FindingRow(f.Adapter, f.Rule, f.Detail))]);
    }

    /// <summary>A fact by its label, or 0.</summary>
    public long this[string label] => Facts.FirstOrDefault(f => f.Label == label)?.Value ?? 0;
}

/// <summary>
/// One timer kind and callback: what it did and how late it ran (µs; lateness = callback start - due time, over
/// LatenessSamples fires), and the longest one expiry held its dispatcher (µs).
/// </summary>
internal sealed record TimerRow(string Kind, string Callback, long Arms, long Fires, long Cancels, long Replaced, long Busy, long Stale, long LatenessSamples, long EarlyFires, double LatenessP50Microseconds, double LatenessP90Microseconds, double LatenessP99Microseconds, double LatenessP999Microseconds, double LatenessMaxMicroseconds, double LongestRunMicroseconds = 0, double? ToleranceMaxMicroseconds = null, double? PastToleranceP99Microseconds = null, double? PastToleranceMaxMicroseconds = null)
{
    /// <summary>The p99 the timer is judged by, µs: its lateness past the delay its requests allowed when they allowed one, else its lateness.</summary>
    public double JudgedP99Microseconds => PastToleranceP99Microseconds ?? LatenessP99Microseconds;
}

/// <summary>
/// The timer with the highest p99 lateness of a run, judged past the tolerable delay where its requests gave one, and
/// that p99 as a multiple of the OS wake-up floor's p99 measured in the same run (issue 27's yardstick: ≤ 3×).
/// </summary>
/// <param name="Sample">The sample (or driver) whose timer it is.</param>
/// <param name="Kind">Its timer kind.</param>
/// <param name="Callback">Its callback.</param>
/// <param name="Fires">Its fires (the samples of the p99: with fewer than 100, the p99 is the latest fire).</param>
/// <param name="P99Microseconds">Its judged p99, µs (<see cref="TimerRow.JudgedP99Microseconds"/>).</param>
/// <param name="PastTolerance">True when the p99 is the lateness past a tolerable delay.</param>
/// <param name="TimesOsFloorP99">P99Microseconds ÷ the OS floor's p99; null without a floor (the virtual clock).</param>
/// <param name="FloorChanceOverTarget">
/// With fewer than 100 fires (its p99 is its latest fire): the chance that as many wake-ups of the OS floor measured in
/// the same run include one later than 3× the floor's p99 (<see cref="OsFloor.ChanceOfAWakeUpOverTarget"/>), i.e. how
/// often a timer that only waited for the OS would miss the yardstick; null otherwise or without a floor.
/// </param>
/// <param name="FewFireTimers">How many of the run's timers fired 1 to 99 times (each one's p99 is its latest fire).</param>
/// <param name="FewFireTimersFires">Their fires, summed.</param>
/// <param name="FloorChanceOverTargetInRun">
/// The chance that <paramref name="FewFireTimersFires"/> wake-ups of the floor include one later than 3× its p99: how
/// often a run whose timers only waited for the OS would miss issue 27's target through those timers alone; null
/// without a floor or without such timers.
/// </param>
internal sealed record WorstTimer(string Sample, string Kind, string Callback, long Fires, double P99Microseconds, bool PastTolerance, double? TimesOsFloorP99, double? FloorChanceOverTarget = null, int FewFireTimers = 0, long FewFireTimersFires = 0, double? FloorChanceOverTargetInRun = null)
{
    /// <summary>The worst timer of <paramref name="samples"/> (null when no timer fired).</summary>
    public static WorstTimer? Of(IReadOnlyList<SampleReport> samples, OsFloor? floor)
    {
        var worst = samples.SelectMany(s => s.Timers.Where(t => t.Fires > 0).Select(t => (s, t))).OrderByDescending(x => x.t.JudgedP99Microseconds).FirstOrDefault();
        if (worst.t is not { } timer)
        {
            return null;
        }

        double? ratio = floor?.P99Microseconds is { } floorP99 && floorP99 > 0 ? Math.Round(timer.JudgedP99Microseconds / floorP99, 2) : null;
        var chance = timer.Fires < OneFireP99Below ? floor?.ChanceOfAWakeUpOverTarget(timer.Fires) : null;
        var fewFire = samples.SelectMany(s => s.Timers).Where(t => t.Fires is > 0 and < OneFireP99Below).ToList();
        var fewFireFires = fewFire.Sum(t => t.Fires);
        var inRun = fewFire.Count > 0 ? floor?.ChanceOfAWakeUpOverTarget(fewFireFires) : null;
        return new WorstTimer(worst.s.Name, timer.Kind, timer.Callback, timer.Fires, timer.JudgedP99Microseconds, timer.PastToleranceP99Microseconds is not null, ratio, chance is { } c ? Math.Round(c, 4) : null, fewFire.Count, fewFireFires, inRun is { } r ? Math.Round(r, 4) : null);
    }

    /// <summary>Below this many fires a timer's p99 is its latest fire (the histogram's 99th percentile of fewer than 100 samples).</summary>
    public const int OneFireP99Below = 100;
}

/// <summary>
/// The worst fire of a timer whose judged p99 exceeded 3× the OS floor's p99 of the run (issue 27's yardstick), or, when
/// none did, of the run's worst timer: its lateness split into parts that add up to it (<see cref="LateFire"/>), µs.
/// With fewer than 100 fires a timer's p99 is this fire.
/// </summary>
/// <param name="Sample">The sample (or driver) whose timer it is.</param>
/// <param name="Kind">Its timer kind.</param>
/// <param name="Callback">Its callback.</param>
/// <param name="Fires">Its fires.</param>
/// <param name="P99Microseconds">Its judged p99, µs (<see cref="TimerRow.JudgedP99Microseconds"/>).</param>
/// <param name="TimesOsFloorP99">That p99 ÷ the OS floor's p99; null without a floor.</param>
/// <param name="DueMilliseconds">The worst fire's requested due time, engine ms since the run's start (fires of several timers at one moment were late for one reason).</param>
/// <param name="LatenessMicroseconds">The worst fire's lateness (callback start - requested due time), µs: the sum of the four parts.</param>
/// <param name="ClockTickMicroseconds">The engine's due time minus the requested one: the Windows clock tick's rounding (0 when precise).</param>
/// <param name="WakeUpMicroseconds">The dispatcher was asleep at the due time and woke this late past it (the OS's wake-up; for a tolerant timer also the engine's choice inside the tolerance).</param>
/// <param name="BehindCallbacksMicroseconds">The awake dispatcher ran other callbacks (expiries, workload events, device timers) this long between the due time, or its wake-up, and the take of this expiry.</param>
/// <param name="DispatchPathMicroseconds">From the engine's take to the callback's start: the host's port and adapter locks, the IRQL raise, the timer's gate.</param>
/// <param name="DispatchPath">What the probes saw in the dispatch path; null when its expiry had not returned.</param>
/// <param name="DeadlinePastDueMicroseconds">Of the wake-up part, how far past the due time the deadline the dispatcher slept to was (<see cref="LateFire.DeadlinePastDueNanoseconds"/>: 0 for an exact timer unless the engine set its deadline late; a tolerable delay allows it); the rest is the OS's lateness past that deadline. Null when there is no wake-up part or its deadline is not known (the virtual clock).</param>
/// <param name="CpuWaitSinceDueMicroseconds">The dispatcher thread's wait for a CPU from before the due time to the callback's start (schedstat; a bound from above): about the wake-up part when the OS woke it on time onto a busy CPU, about 0 when it slept past the due time; null where schedstat is not published or no reading was that old.</param>
/// <param name="LongestBehindCallback">Of the other callbacks it waited behind, the longest the dispatcher ran since its wake-up (<see cref="LateFire.LongestBehindCallback"/>: a routine and its DDI, or a device model's or the workload's callback); null when none of that part was one measured callback.</param>
/// <param name="LongestBehindMicroseconds">How much of <paramref name="BehindCallbacksMicroseconds"/> that callback took, µs; null with it.</param>
internal sealed record LateFireRow(string Sample, string Kind, string Callback, long Fires, double P99Microseconds, double? TimesOsFloorP99, double DueMilliseconds, double LatenessMicroseconds, double ClockTickMicroseconds, double WakeUpMicroseconds, double BehindCallbacksMicroseconds, double DispatchPathMicroseconds, DispatchPathProbes? DispatchPath, double? CpuWaitSinceDueMicroseconds = null, double? DeadlinePastDueMicroseconds = null, string? LongestBehindCallback = null, double? LongestBehindMicroseconds = null)
{
    /// <summary>How many floors a p99 may be before its timer's worst fire is explained (issue 27's target).</summary>
    public const double TargetTimesOsFloorP99 = 3.0;

    /// <summary>
    /// The rows over <see cref="TargetTimesOsFloorP99"/>× the floor's p99, worst first; when none is (or without a floor),
    /// the worst timer's alone. Empty when no timer fired.
    /// </summary>
    public static IReadOnlyList<LateFireRow> Of(IReadOnlyList<ISampleRun> runs, IReadOnlyList<SampleReport> samples, OsFloor? floor) =>
        Of([.. samples.Zip(runs, (sample, run) => (sample, run.Diagnostics.TimerActivity.Rows))], floor);

    /// <summary><see cref="Of(IReadOnlyList{ISampleRun}, IReadOnlyList{SampleReport}, OsFloor?)"/> over each sample's report and its rows.</summary>
    public static IReadOnlyList<LateFireRow> Of(IReadOnlyList<(SampleReport Sample, IReadOnlyList<TimerActivity> Rows)> samples, OsFloor? floor)
    {
        static double Micro(long nanoseconds) => Math.Round(TimeUnits.NanosecondsToMicrosecondsExact(nanoseconds), 1);
        var floorP99 = floor?.P99Microseconds is { } p && p > 0 ? p : (double?)null;
        var candidates = samples
            .SelectMany(x => x.Rows
                .Select(row => (x.Sample, row, timer: x.Sample.Timers.FirstOrDefault(t => t.Kind == row.Kind && t.Callback == row.Callback)))
                .Where(c => c.row.WorstFire is not null && c.timer is { Fires: > 0 }))
            .OrderByDescending(c => c.timer!.JudgedP99Microseconds)
            .ToList();
        var over = floorP99 is { } f ? candidates.Where(c => c.timer!.JudgedP99Microseconds > TargetTimesOsFloorP99 * f).ToList() : [];
        return [.. (over.Count > 0 ? over : candidates.Take(1)).Select(c =>
        {
            var fire = c.row.WorstFire!;
            return new LateFireRow(
                c.Sample.Name,
                c.row.Kind,
                c.row.Callback,
                c.timer!.Fires,
                c.timer.JudgedP99Microseconds,
                floorP99 is { } fp ? Math.Round(c.timer.JudgedP99Microseconds / fp, 2) : null,
                Math.Round(fire.RequestedDueNanoseconds / (double)TimeUnits.NanosecondsPerMillisecond, 3),
                Micro(fire.LatenessNanoseconds),
                Micro(fire.ClockTickNanoseconds),
                Micro(fire.WakeUpNanoseconds),
                Micro(fire.BehindCallbacksNanoseconds),
                Micro(fire.DispatchPathNanoseconds),
                fire.DispatchPathProbed
                    ? new DispatchPathProbes(fire.DispatchPathCollections, Micro(fire.DispatchPathCollectionPauseNanoseconds), Micro(fire.DispatchPathJitNanoseconds), Micro(fire.DispatchPathCpuWaitNanoseconds), Micro(fire.DispatchPathSpinLockWaitNanoseconds))
                    : null,
                fire.CpuWaitSinceDueNanoseconds is { } cpuWait ? Micro(cpuWait) : null,
                fire.DeadlinePastDueNanoseconds is { } asked ? Micro(asked) : null,
                fire.LongestBehindCallback,
                fire.LongestBehindNanoseconds is { } behind ? Micro(behind) : null);
        })];
    }
}

/// <summary>What the process's probes saw in a late fire's dispatch path (take to callback start), µs.</summary>
/// <param name="Collections">Collections (any generation) during it.</param>
/// <param name="CollectionPauseMicroseconds">Their pause time.</param>
/// <param name="JitMicroseconds">The dispatcher thread's JIT compilation during it (a first call of the host's code).</param>
/// <param name="CpuWaitMicroseconds">The dispatcher thread's wait for a CPU during it (Linux schedstat; its baseline may be up to 1 ms older than the take).</param>
/// <param name="SpinLockWaitMicroseconds">The dispatcher thread's wait during it for spin locks another thread held (the port locks).</param>
internal sealed record DispatchPathProbes(int Collections, double CollectionPauseMicroseconds, double JitMicroseconds, double CpuWaitMicroseconds, double SpinLockWaitMicroseconds);

/// <summary>
/// The miniport timer callback that held its dispatcher longest in the run (the host's locks and watchdogs included):
/// every other timer of that dispatcher waited behind it; with what its time went to, where the library knows it.
/// </summary>
/// <param name="Sample">The sample or driver it belongs to.</param>
/// <param name="Adapter">The adapter it ran for ("driver" for a driver-level timer).</param>
/// <param name="Kind">The DDI that armed it.</param>
/// <param name="Callback">The callback's name.</param>
/// <param name="Microseconds">How long it ran, µs of engine time.</param>
/// <param name="Cause">What most of it went to (CallbackRunCause: OwnTime, FirstCall: the JIT of a first call, Collection: a GC pause, WaitedForCpu: a loaded machine, WaitedForSpinLock: a lock another thread held); null on the virtual clock, where neither lengthens a callback.</param>
/// <param name="JitMicroseconds">Time its thread spent JIT-compiling during it, µs (null on the virtual clock).</param>
/// <param name="CollectionPauseMicroseconds">GC pause time during it, µs (null on the virtual clock).</param>
/// <param name="Collections">Collections during it (null on the virtual clock).</param>
/// <param name="CpuWaitMicroseconds">Time its thread waited for a CPU during it, µs (Linux schedstat; 0 where not published; null on the virtual clock).</param>
/// <param name="SpinLockWaitMicroseconds">Time its thread waited during it for spin locks another thread held, µs (null on the virtual clock).</param>
internal sealed record LongestCallback(string Sample, string Adapter, string Kind, string Callback, double Microseconds, CallbackRunCause? Cause = null, double? JitMicroseconds = null, double? CollectionPauseMicroseconds = null, int? Collections = null, double? CpuWaitMicroseconds = null, double? SpinLockWaitMicroseconds = null)
{
    /// <summary>The longest over every timer row of <paramref name="runs"/>, or null when no callback ran; <paramref name="withCause"/> (the real clock) adds what its time went to.</summary>
    public static LongestCallback? Of(IReadOnlyList<ISampleRun> runs, bool withCause = true)
    {
        static double Micro(long nanoseconds) => Math.Round(TimeUnits.NanosecondsToMicrosecondsExact(nanoseconds), 1);
        return runs.SelectMany(run => run.Diagnostics.TimerActivity.Rows.Select(row => (run, row, longest: row.LongestRun)))
            .Where(x => x.longest is not null)
            .OrderByDescending(x => x.longest!.Nanoseconds)
            .Select(x => withCause
                ? new LongestCallback(x.run.Name, x.longest!.Adapter, x.row.Kind, x.row.Callback, Micro(x.longest.Nanoseconds), x.longest.Cause, Micro(x.longest.JitNanoseconds), Micro(x.longest.CollectionPauseNanoseconds), x.longest.Collections, Micro(x.longest.CpuWaitNanoseconds), Micro(x.longest.SpinLockWaitNanoseconds))
                : new LongestCallback(x.run.Name, x.longest!.Adapter, x.row.Kind, x.row.Callback, Micro(x.longest.Nanoseconds)))
            .FirstOrDefault();
    }
}

/// <summary>A count of what a sample did: <see cref="Name"/> is its field name (snake_case, stable), <see cref="Label"/> its words.</summary>
internal sealed record Fact(string Name, string Label, long Value)
{
    /// <summary>"ports started" → "ports_started".</summary>
    public static string NameOf(string label) =>
        System.Text.RegularExpressions.Regex.Replace(label.ToLowerInvariant(), "[^a-z0-9]+", "_").Trim('_');
}

/// <summary>The machine a run ran on.</summary>
internal sealed record MachineInfo(string Os, int Cores, string Runtime)
{
    public static MachineInfo Current => new(
        System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        Environment.ProcessorCount,
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription);
}

/// <summary>A bug check, for the report.</summary>
internal sealed record BugCheckRow(string Adapter, string Routine, string Code, string Name, string Detail);

/// <summary>A verifier finding, for the report.</summary>
internal sealed record FindingRow(string Adapter, string Rule, string Detail);
