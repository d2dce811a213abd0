using System.Globalization;
using MiniportTimers.Cli.Shell;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// Prints a <see cref="RunReport"/>. Redirected, it is plain text at <see cref="Terminal.RedirectedWidth"/> columns with no
/// escape code, so a virtual run's report is byte-for-byte repeatable; on a terminal it fits the terminal's width and
/// colours invariant failures, bug checks and findings (unless <c>NO_COLOR</c>). A callback's name is never broken:
/// the timer table drops its Kind column into group rows, then its borders, then becomes one record per timer, until it
/// fits.
/// </summary>
internal static class RunReportRenderer
{
    private const string FailureStyle = "bold red";
    private const string BugCheckStyle = "red";
    private const string FindingStyle = "yellow";

    /// <summary>What each timer kind is, for the legend (only the kinds the report has are listed).</summary>
    private static readonly Dictionary<string, string> KindMeanings = new(StringComparer.Ordinal)
    {
        ["StorPortRequestTimer"] = "Storport's extended timer",
        ["RequestTimerCall"] = "Storport's legacy timer",
        ["NdisMTimer"] = "NDIS 5",
        ["NdisTimerObject"] = "NDIS 6",
    };

    /// <summary>Writes <paramref name="r"/> to <paramref name="output"/> as <paramref name="terminal"/> allows (plain and 132 columns by default).</summary>
    public static void Write(RunReport r, TextWriter output, Terminal? terminal = null)
    {
        terminal ??= Terminal.Redirected;
        if (terminal.IsInteractive)
        {
            Render(r, terminal.CreateConsole(output), terminal);
            return;
        }

        // Plain text: no line ends in the blanks Spectre pads wrapped lines and centred titles with.
        using var buffer = new StringWriter(CultureInfo.InvariantCulture);
        Render(r, terminal.CreateConsole(buffer), terminal);
        var lines = buffer.ToString().Split('\n');
        foreach (var line in lines.Take(lines.Length - 1))
        {
            output.WriteLine(line.TrimEnd(' ', '\r'));
        }

        output.Write(lines[^1].TrimEnd(' ', '\r'));
    }

    private static void Render(RunReport r, IAnsiConsole console, Terminal terminal)
    {

        if (r.StoppedBy is { } signal)
        {
            console.MarkupLine(terminal.Paint($"PARTIAL REPORT: the run was stopped by {signal} before its end; what follows is what happened until then.", FailureStyle));
        }

        var names = string.Join(", ", r.Samples.Select(s => s.Name));
        console.WriteLine($"{Count(r.Samples.Count, "miniport")} ({names}) for {N(r.DurationMilliseconds)} ms on the {r.Clock} clock (wait: {r.WaitPrimitive}{(r.Clock == "real" ? $", {Count(r.Dispatchers, "dispatcher")}, {r.Scheduling}" : string.Empty)}), seed {r.Seed}{(r.WindowsTickMicroseconds is { } tick ? $", Windows clock tick {(tick / 1000.0).ToString("0.###", CultureInfo.InvariantCulture)} ms" : string.Empty)}");
        foreach (var note in r.Notes ?? [])
        {
            console.WriteLine($"Note: {note}");
        }

        if (r.OsFloor is { P50Microseconds: { } p50, P99Microseconds: { } p99 } floor)
        {
            console.WriteLine($"OS wake-up floor measured during this run ({floor.Method}, {floor.PeriodMicroseconds} µs period, {N(floor.Samples)} wake-ups of an ordinary thread): p50 {F(p50)} µs, p99 {F(p99)} µs{(floor is { P999Microseconds: { } p999, MaxMicroseconds: { } max } ? $" (p99.9 {F(p999)} µs, max {F(max)} µs)" : string.Empty)}. The dispatcher sleeps on the same primitive: judge the lateness below against it (a timer with fewer than 100 fires has its worst fire as its p99: against the floor's tail).");
        }

        console.WriteLine(Legend(r));
        foreach (var s in r.Samples)
        {
            console.WriteLine();
            console.WriteLine($"== {s.Name} ==");
            if (s.Timers.Count > 0)
            {
                console.Write(Fit(TimerLayouts(s), terminal.Width) ?? (IRenderable)TimerRecords(s));
            }

            foreach (var t in s.Timers.Where(t => r.Clock == "real" && t.ToleranceMaxMicroseconds is not null && t.Fires > 0))
            {
                console.WriteLine($"{t.Callback} allows up to {F(t.ToleranceMaxMicroseconds!.Value)} µs of tolerable delay, inside which the engine lets it ride along with another wake-up: lateness past it p99 {F(t.PastToleranceP99Microseconds ?? 0)} µs, max {F(t.PastToleranceMaxMicroseconds ?? 0)} µs.");
            }

            if (s.Ports is { Count: > 0 } ports)
            {
                console.Write(Fit([PortsTable(ports, TableBorder.Ascii), PortsTable(ports, TableBorder.None)], terminal.Width) ?? PortsTable(ports, TableBorder.None));
            }

            console.WriteLine(string.Join(", ", s.Facts.Select(f => $"{f.Label}: {N(f.Value)}")));
            WriteCount(console, terminal, "Bug checks", s.BugChecks.Count, BugCheckStyle);
            foreach (var b in s.BugChecks)
            {
                console.MarkupLine(terminal.Paint($"  {b.Adapter} in {b.Routine}: {b.Code} {b.Name}: {b.Detail}", BugCheckStyle));
            }

            WriteCount(console, terminal, "Verifier findings", s.Findings.Count, FindingStyle);
            foreach (var f in s.Findings)
            {
                console.MarkupLine(terminal.Paint($"  {f.Adapter}: {f.Rule}: {f.Detail}", FindingStyle));
            }
        }

        console.WriteLine();
        console.WriteLine($"Engine: {N(r.Engine.Arms)} arms, {N(r.Engine.Fires)} fires ({N(r.Engine.CoalescedFires)} coalesced), {N(r.Engine.Cancels)} cancels, {N(r.Engine.WakeUps)} wake-ups (the totals include the simulated hardware's own timers). {LongestCallback(r)}");
        if (r.Collections is { } gc)
        {
            console.WriteLine($"Collections during the run (GC latency mode {gc.LatencyMode}): {N(gc.Gen0)} gen0, {N(gc.Gen1)} gen1, {N(gc.Gen2)} gen2, {gc.PauseMilliseconds.ToString("N2", CultureInfo.InvariantCulture)} ms of pauses, {(gc.AllocatedBytes / 1_048_576.0).ToString("N1", CultureInfo.InvariantCulture)} MiB allocated{PageFaults(gc)}.");
        }

        if (r.WorstTimer is { } worst)
        {
            console.WriteLine(WorstTimerLine(worst, r.OsFloor));
        }

        foreach (var line in LateFireLines(r))
        {
            console.WriteLine(line);
        }

        if (r.Jit is { } jit)
        {
            console.WriteLine(JitLine(jit));
        }

        WriteCount(console, terminal, "Bug checks in all", r.BugCheckCount, FailureStyle);
        foreach (var failure in r.InvariantFailures)
        {
            console.MarkupLine(terminal.Paint($"INVARIANT FAILURE: {failure}", FailureStyle));
        }
    }

    /// <summary>The legend: the columns, and the timer kinds this report has (no kind that cannot appear).</summary>
    private static string Legend(RunReport r)
    {
        var kinds = r.Samples.SelectMany(s => s.Timers).Select(t => t.Kind).Distinct().OrderBy(k => k, StringComparer.Ordinal)
            .Select(k => KindMeanings.TryGetValue(k, out var meaning) ? $"{k} ({meaning})" : k).ToList();
        return "Legend: lateness = callback start - due time, in µs. Arms: successful requests that armed a timer; Replaced: arms "
            + "that replaced one still queued; BUSY: STOR_STATUS_BUSY answers; Stale: expiries dropped because their request was "
            + "cancelled, replaced or freed after it fired. For one-shot timers Arms = Fires + Cancels + Replaced + Stale + the one "
            + "still pending (a periodic timer fires many times per arm)."
            + (kinds.Count > 0 ? $" Kinds: {string.Join(", ", kinds)}." : string.Empty);
    }

    /// <summary>The longest callback, named with its kind, sample and adapter.</summary>
    /// <summary>", N page faults (M needing I/O)" for the collections line; empty where the counts are not published.</summary>
    private static string PageFaults(CollectionsReport gc) =>
        gc.MinorPageFaults is { } minor && gc.MajorPageFaults is { } major
            ? $", {N(minor + major)} page faults ({N(major)} needing I/O)"
            : "";

    private static string LongestCallback(RunReport r)
    {
        var engineLongest = r.Engine.LongestCallbackNanoseconds / 1000.0;
        if (r.LongestCallback is not { Microseconds: > 0 } longest)
        {
            return engineLongest > 0
                ? $"Longest callback {F(engineLongest)} µs, outside the miniports' timer DDIs (a simulated device's timer or a kernel DPC)."
                : "No callback took engine time (on the virtual clock, time passes inside a callback only when it moves the clock).";
        }

        var named = $"Longest callback {F(longest.Microseconds)} µs: {longest.Callback} ({longest.Kind}) of {longest.Sample} on {longest.Adapter}; every other timer of its dispatcher waited behind it.{Cause(longest)}";
        return engineLongest > longest.Microseconds * 2 && engineLongest - longest.Microseconds > 100
            ? $"{named} The engine's longest, {F(engineLongest)} µs, was outside the miniports' timer DDIs: {r.EngineLongestCallback ?? "a simulated device's timer or a kernel DPC"}."
            : named;
    }

    /// <summary>What the longest callback's time went to, as a sentence with a leading blank (empty on the virtual clock).</summary>
    private static string Cause(LongestCallback longest) => longest.Cause switch
    {
        Diagnostics.CallbackRunCause.FirstCall => $" Cause: its first call (the JIT took {F(longest.JitMicroseconds ?? 0)} µs of it).",
        Diagnostics.CallbackRunCause.Collection => $" Cause: {(longest.Collections == 1 ? "a collection" : $"{longest.Collections} collections")} during it ({F(longest.CollectionPauseMicroseconds ?? 0)} µs of GC pause).",
        Diagnostics.CallbackRunCause.WaitedForCpu => $" Cause: its thread waited {F(longest.CpuWaitMicroseconds ?? 0)} µs of it for a CPU (a loaded machine).",
        Diagnostics.CallbackRunCause.WaitedForSpinLock => $" Cause: its thread waited {F(longest.SpinLockWaitMicroseconds ?? 0)} µs of it for a spin lock another thread held.",
        Diagnostics.CallbackRunCause.OwnTime => $" Cause: the callback's own time (JIT {F(longest.JitMicroseconds ?? 0)} µs, GC pause {F(longest.CollectionPauseMicroseconds ?? 0)} µs, CPU wait {F(longest.CpuWaitMicroseconds ?? 0)} µs, spin-lock wait {F(longest.SpinLockWaitMicroseconds ?? 0)} µs of it).",
        _ => string.Empty,
    };

    private static void WriteCount(IAnsiConsole console, Terminal terminal, string label, int count, string style) =>
        console.MarkupLine(count == 0 ? Markup.Escape($"{label}: 0") : terminal.Paint($"{label}: {count}", style));

    /// <summary>The first of <paramref name="layouts"/> whose natural width fits <paramref name="width"/>, or null.</summary>
    private static Table? Fit(IEnumerable<Table> layouts, int width) =>
        layouts.FirstOrDefault(t => NaturalWidth(t) <= width);

    /// <summary>The widest line of <paramref name="table"/> drawn with all the room it wants (measured by drawing it: exact).</summary>
    private static int NaturalWidth(Table table)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var console = Terminal.Redirected.CreateConsole(text);
        console.Profile.Width = 10_000;
        console.Write(table);
        return text.ToString().Split('\n').Max(line => new StringInfo(line.TrimEnd(' ', '\r')).LengthInTextElements);
    }

    /// <summary>The timer table, widest first: with a Kind column; with the kinds as group rows; the same without borders.</summary>
    private static IEnumerable<Table> TimerLayouts(SampleReport s)
    {
        yield return TimersTable(s, kindColumn: true, TableBorder.Ascii);
        yield return TimersTable(s, kindColumn: false, TableBorder.Ascii);
        yield return TimersTable(s, kindColumn: false, TableBorder.None);
    }

    private static readonly string[] Numbers = ["Arms", "Fires", "Cancels", "Replaced", "BUSY", "Stale", "p50 µs", "p99 µs", "max µs"];

    private static Table TimersTable(SampleReport s, bool kindColumn, TableBorder border)
    {
        var table = new Table().Border(border).Title("Timers (lateness = callback start - due time)");

        if (kindColumn)
        {
            table.AddColumn(new TableColumn("Kind") { NoWrap = true });
        }

        table.AddColumn(new TableColumn("Callback") { NoWrap = true });
        foreach (var c in Numbers)
        {
            table.AddColumn(new TableColumn(c) { Alignment = Justify.Right, NoWrap = true });
        }

        foreach (var group in s.Timers.GroupBy(t => t.Kind))
        {
            if (!kindColumn)
            {
                table.AddRow(new Text($"{group.Key}:"));
            }

            foreach (var t in group)
            {
                IEnumerable<string> cells = [kindColumn ? t.Callback : $"  {t.Callback}", .. Figures(t)];
                table.AddRow([.. (kindColumn ? cells.Prepend(t.Kind) : cells).Select(c => new Text(c))]);
            }
        }

        return table;
    }

    /// <summary>The narrowest layout: one record per timer, its name on a line of its own, its figures wrapped between words.</summary>
    private static Rows TimerRecords(SampleReport s)
    {
        var lines = new List<IRenderable> { new Text("Timers (lateness = callback start - due time, µs):") };
        foreach (var t in s.Timers)
        {
            var f = Figures(t);
            lines.Add(new Text($"{t.Callback} ({t.Kind})"));
            lines.Add(new Padder(new Text($"arms {f[0]}, fires {f[1]}, cancels {f[2]}, replaced {f[3]}, BUSY {f[4]}, stale {f[5]}; lateness p50 {f[6]}, p99 {f[7]}, max {f[8]}"), new Padding(2, 0, 0, 0)));
        }

        return new Rows(lines);
    }

    private static string[] Figures(TimerRow t) =>
        [N(t.Arms), N(t.Fires), N(t.Cancels), N(t.Replaced), N(t.Busy), N(t.Stale), F(t.LatenessP50Microseconds), F(t.LatenessP99Microseconds), F(t.LatenessMaxMicroseconds)];

    private static Table PortsTable(IReadOnlyList<MiniportTimers.Samples.Storahci.PortReport> ports, TableBorder border)
    {
        var table = new Table().Border(border).Title("Ports (start = latest start attempt, ms)");
        foreach (var c in new[] { "Adapter", "Port", "Outcome", "Start ms", "Ended at ms" })
        {
            table.AddColumn(new TableColumn(c) { Alignment = c is "Outcome" ? Justify.Left : Justify.Right });
        }

        foreach (var p in ports)
        {
            table.AddRow(
                new Text(N(p.Adapter)),
                new Text(N(p.Port)),
                new Text(p.Outcome.ToString()),
                new Text(p.FinishedAtMilliseconds is null ? $"starting ({(p.StartMilliseconds / 1000).ToString("0.#", CultureInfo.InvariantCulture)} s so far)" : F(p.StartMilliseconds)),
                new Text(p.FinishedAtMilliseconds is { } ended ? F(ended) : "-"));
        }

        return table;
    }

    /// <summary>"1 miniport", "6 miniports".</summary>
    private static string Count(long n, string noun) => $"{N(n)} {noun}{(n == 1 ? string.Empty : "s")}";

    /// <summary>The run's worst timer p99 (past its tolerable delay where it has one), against the OS floor's p99.</summary>
    private static string WorstTimerLine(WorstTimer worst, OsFloor? floor)
    {
        var which = $"{worst.Sample} {worst.Callback} ({worst.Kind}, {Count(worst.Fires, "fire")}{(worst.PastTolerance ? ", past its tolerable delay" : string.Empty)})";
        if (worst.TimesOsFloorP99 is not { } ratio)
        {
            return $"Worst timer p99: {F(worst.P99Microseconds)} µs, {which}.";
        }

        var line = $"Worst timer p99: {F(worst.P99Microseconds)} µs, {which}: {ratio.ToString("0.0", CultureInfo.InvariantCulture)}× the OS floor's p99.";
        return ratio > LateFireRow.TargetTimesOsFloorP99 && worst.FloorChanceOverTarget is { } chance && floor?.OverTargetFraction is { } fraction
            ? $"{line} Its p99 is its latest fire; the floor's own wake-ups were later than {LateFireRow.TargetTimesOsFloorP99:0}× its p99 in {Percent(fraction)} of cases, so {Count(worst.Fires, "wake-up")} that only waited for the OS would include one as late in {Percent(chance)} of runs{InRun(worst)}."
            : line;
    }

    /// <summary>
    /// Why the late timers were late: for each timer over 3× the floor's p99 (or the worst timer, when none is), its worst
    /// fire's lateness and the parts it adds up from. Under the table, one line a timer.
    /// </summary>
    private static IEnumerable<string> LateFireLines(RunReport r)
    {
        if (r.LateFires is not { Count: > 0 } fires)
        {
            yield break;
        }

        var over = fires[0].TimesOsFloorP99 > LateFireRow.TargetTimesOsFloorP99;
        yield return over
            ? $"Why they were late: the worst fire of each timer over {LateFireRow.TargetTimesOsFloorP99.ToString("0", CultureInfo.InvariantCulture)}× the floor's p99, split into the dispatcher's wake-up after the due time, the other callbacks it ran first, and the host's dispatch path (µs):"
            : "The worst timer's worst fire, split into the dispatcher's wake-up after the due time, the other callbacks it ran first, and the host's dispatch path (µs):";
        foreach (var f in fires)
        {
            var tick = f.ClockTickMicroseconds != 0 ? $"clock tick {F(f.ClockTickMicroseconds)} + " : string.Empty;
            yield return $"  {f.Sample} {f.Callback} ({Count(f.Fires, "fire")}), due at {f.DueMilliseconds.ToString("N3", CultureInfo.InvariantCulture)} ms: {F(f.LatenessMicroseconds)} late = {tick}wake-up {F(f.WakeUpMicroseconds)}{(f.DeadlinePastDueMicroseconds is { } asked && f.WakeUpMicroseconds > 0 ? $" (its deadline {F(asked)} past the due time, the OS {F(f.WakeUpMicroseconds - asked)} past its deadline)" : string.Empty)} + behind other callbacks {F(f.BehindCallbacksMicroseconds)}{(f is { LongestBehindCallback: { } longest, LongestBehindMicroseconds: { } longestTook } ? $" (the longest: {longest}, {F(longestTook)} of it)" : string.Empty)} + dispatch path {F(f.DispatchPathMicroseconds)}{DispatchPathCauses(f.DispatchPath)}{(f.CpuWaitSinceDueMicroseconds is { } cpuWait ? $"; the dispatcher waited {F(cpuWait)} for a CPU since the due time" : string.Empty)}.";
        }
    }

    /// <summary>What the probes saw in a dispatch path, when anything.</summary>
    private static string DispatchPathCauses(DispatchPathProbes? probes)
    {
        if (probes is null)
        {
            return string.Empty;
        }

        var parts = new List<string>();
        if (probes.SpinLockWaitMicroseconds > 0)
        {
            parts.Add($"spin-lock wait {F(probes.SpinLockWaitMicroseconds)}");
        }

        if (probes.CpuWaitMicroseconds > 0)
        {
            parts.Add($"CPU wait {F(probes.CpuWaitMicroseconds)}");
        }

        if (probes.JitMicroseconds > 0)
        {
            parts.Add($"JIT {F(probes.JitMicroseconds)}");
        }

        if (probes.Collections > 0)
        {
            parts.Add($"{Count(probes.Collections, "collection")} ({F(probes.CollectionPauseMicroseconds)} of pause)");
        }

        return parts.Count == 0 ? " (in it: no lock wait, CPU wait, JIT or collection)" : $" (in it: {string.Join(", ", parts)})";
    }

    /// <summary>The JIT line of a real-clock run: what was compiled during it, and the tier-up wait before it.</summary>
    private static string JitLine(JitReport jit)
    {
        var line = $"JIT during the run: {N(jit.MethodsCompiled)} methods compiled ({jit.CompilationMilliseconds.ToString("N1", CultureInfo.InvariantCulture)} ms of compilation, all threads).";
        if (jit.Rehearsal is { } rehearsal)
        {
            line += (rehearsal.TieredCompilation ? string.Empty : " Tiered compilation was off (the run was measured in a child process of the tool: each method compiled once, optimized).")
                + $" Before it the samples were rehearsed for {F(rehearsal.Milliseconds)} ms ({N(rehearsal.RealClockMilliseconds)} ms on a real clock, then {N(rehearsal.VirtualRounds)} {(rehearsal.VirtualRounds == 1 ? "pass" : "passes")} on a virtual one).";
        }

        return jit.Settle is not { } settle ? line
            : line + $" Then the run waited {F(settle.Milliseconds)} ms for the rehearsal's tier-1 compilations ({N(settle.MethodsCompiled)} methods){(settle.Settled ? "" : ", and started before they were done")}.";
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("F1", CultureInfo.InvariantCulture);

    /// <summary>", and the N fires of the run's M timers of fewer than 100 fires in P % of runs" (empty when that is the worst timer alone).</summary>
    private static string InRun(WorstTimer worst) =>
        worst is { FewFireTimers: > 1, FloorChanceOverTargetInRun: { } inRun }
            ? $", and the {N(worst.FewFireTimersFires)} fires of the run's {N(worst.FewFireTimers)} timers of fewer than {WorstTimer.OneFireP99Below} fires in {Percent(inRun)}"
            : string.Empty;

    /// <summary>A fraction 0 to 1 as a percentage: "0.25 %", "8.2 %", "41 %".</summary>
    private static string Percent(double fraction)
    {
        var percent = fraction * 100;
        return percent.ToString(percent < 1 ? "0.0#" : percent < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " %";
    }
}
