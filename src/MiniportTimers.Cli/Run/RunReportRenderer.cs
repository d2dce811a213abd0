using System.Globalization;
using Spectre.Console;

namespace MiniportTimers.Cli.Run;

/// <summary>Prints a <see cref="RunReport"/> as plain tables (no colour, fixed width), so a virtual run's output is byte-for-byte repeatable.</summary>
internal static class RunReportRenderer
{
    /// <summary>The width of a redirected or virtual-clock report, columns.</summary>
    public const int FixedWidth = 132;

    public static void Write(RunReport r, TextWriter output, int width = FixedWidth)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = width;

        if (r.StoppedBy is { } signal)
        {
            console.WriteLine($"PARTIAL REPORT: the run was stopped by {signal} before its end; what follows is what happened until then.");
        }

        console.WriteLine($"{r.Samples.Count} sample miniports for {r.DurationMilliseconds} ms on the {r.Clock} clock (wait: {r.WaitPrimitive}{(r.Clock == "real" ? $", {r.Dispatchers} dispatcher{(r.Dispatchers == 1 ? string.Empty : "s")}, {r.Scheduling}" : string.Empty)}), seed {r.Seed}{(r.WindowsTickMicroseconds is { } tick ? $", Windows clock tick {tick / 1000.0:0.###} ms" : string.Empty)}");
        if (r.OsFloor is { P50Microseconds: { } p50, P99Microseconds: { } p99 } floor)
        {
            console.WriteLine($"OS wake-up floor measured during this run ({floor.Method}, {floor.PeriodMicroseconds} µs period, {floor.Samples:N0} wake-ups of an ordinary thread): p50 {F(p50)} µs, p99 {F(p99)} µs. The dispatcher sleeps on the same primitive: judge the lateness below against it.");
        }

        console.WriteLine("Legend: lateness = callback start - due time, in µs. Arms: successful requests that armed a timer;");
        console.WriteLine("Replaced: arms that replaced one still queued; BUSY: STOR_STATUS_BUSY answers; Stale: expiries dropped because their");
        console.WriteLine("request was cancelled, replaced or freed after it fired. For one-shot timers Arms = Fires + Cancels + Replaced + Stale");
        console.WriteLine("+ the one still pending (a periodic timer fires many times per arm). Kinds: StorPortRequestTimer (extended timer),");
        console.WriteLine("RequestTimerCall (legacy), NdisMTimer (NDIS 5), NdisTimerObject (NDIS 6), KTIMER and EX_TIMER (kernel).");
        foreach (var s in r.Samples)
        {
            console.WriteLine();
            console.WriteLine($"== {s.Name} ==");
            WriteTimers(console, s);
            if (s.Ports is { Count: > 0 } ports)
            {
                var table = new Table().Border(TableBorder.Ascii).Title("Ports (start = latest start attempt, ms)");
                table.AddColumns("Adapter", "Port", "Outcome", "Start ms", "Ended at ms");
                foreach (var p in ports)
                {
                    table.AddRow(
                        N(p.Adapter),
                        N(p.Port),
                        p.Outcome.ToString(),
                        p.FinishedAtMilliseconds is null ? $"starting ({p.StartMilliseconds / 1000:0.#} s so far)" : F(p.StartMilliseconds),
                        p.FinishedAtMilliseconds is { } ended ? F(ended) : "-");
                }

                console.Write(table);
            }

            console.WriteLine(string.Join(", ", s.Facts.Select(f => $"{f.Label}: {N(f.Value)}")));
            console.WriteLine($"Bug checks: {s.BugChecks.Count}");
            foreach (var b in s.BugChecks)
            {
                console.WriteLine($"  {b.Adapter} in {b.Routine}: {b.Code} {b.Name}: {b.Detail}");
            }

            console.WriteLine($"Verifier findings: {s.Findings.Count}");
            foreach (var f in s.Findings)
            {
                console.WriteLine($"  {f.Adapter}: {f.Rule}: {f.Detail}");
            }
        }

        console.WriteLine();
        console.WriteLine($"Engine: {N(r.Engine.Arms)} arms, {N(r.Engine.Fires)} fires ({N(r.Engine.CoalescedFires)} coalesced), {N(r.Engine.Cancels)} cancels, {N(r.Engine.WakeUps)} wake-ups; longest callback {F(r.Engine.LongestCallbackNanoseconds / 1000.0)} µs (every other timer of the dispatcher waited behind it); the engine's totals include the simulated hardware's own timers");
        console.WriteLine($"Bug checks in all: {r.BugCheckCount}");
        foreach (var failure in r.InvariantFailures)
        {
            console.WriteLine($"INVARIANT FAILURE: {failure}");
        }
    }

    private static void WriteTimers(IAnsiConsole console, SampleReport s)
    {
        var timers = new Table().Border(TableBorder.Ascii).Title("Timers (lateness = callback start - due time)");
        foreach (var c in new[] { "Kind", "Callback", "Arms", "Fires", "Cancels", "Replaced", "BUSY", "Stale", "p50 µs", "p99 µs", "max µs" })
        {
            timers.AddColumn(new TableColumn(c) { Alignment = c is "Kind" or "Callback" ? Justify.Left : Justify.Right });
        }

        foreach (var t in s.Timers)
        {
            timers.AddRow(t.Kind, t.Callback, N(t.Arms), N(t.Fires), N(t.Cancels), N(t.Replaced), N(t.Busy), N(t.Stale), F(t.LatenessP50Microseconds), F(t.LatenessP99Microseconds), F(t.LatenessMaxMicroseconds));
        }

        console.Write(timers);
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
}
