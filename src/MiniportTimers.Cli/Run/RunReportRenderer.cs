using System.Globalization;
using Spectre.Console;

namespace MiniportTimers.Cli.Run;

/// <summary>Prints a <see cref="RunReport"/> as plain tables (no colour, fixed width), so a virtual run's output is byte-for-byte repeatable.</summary>
internal static class RunReportRenderer
{
    public static void Write(RunReport r, TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 132;

        console.WriteLine($"storahci sample: {r.Adapters} adapters x {r.PortsPerAdapter} ports, {r.DurationMilliseconds} ms on the {r.Clock} clock (wait: {r.WaitPrimitive}), seed {r.Seed}");
        console.WriteLine();

        var timers = new Table().Border(TableBorder.Ascii).Title("Timers (lateness = callback start - due time)");
        foreach (var c in new[] { "Kind", "Callback", "Arms", "Fires", "Cancels", "BUSY", "Stale", "p50 us", "p99 us", "max us" })
        {
            timers.AddColumn(new TableColumn(c) { Alignment = c is "Kind" or "Callback" ? Justify.Left : Justify.Right });
        }

        foreach (var t in r.Timers)
        {
            timers.AddRow(t.Kind, t.Callback, N(t.Arms), N(t.Fires), N(t.Cancels), N(t.Busy), N(t.Stale), F(t.LatenessP50Microseconds), F(t.LatenessP99Microseconds), F(t.LatenessMaxMicroseconds));
        }

        console.Write(timers);

        var ports = new Table().Border(TableBorder.Ascii).Title("Ports (start = latest start attempt, ms)");
        ports.AddColumns("Adapter", "Port", "Outcome", "Start ms", "Ended at ms");
        foreach (var p in r.Ports)
        {
            ports.AddRow(N(p.Adapter), N(p.Port), p.Outcome.ToString(), F(p.StartMilliseconds), F(p.FinishedAtMilliseconds));
        }

        console.Write(ports);

        console.WriteLine($"Ports: {r.PortsStarted} started, {r.PortsFailed} failed, {r.PortsEmpty} empty");
        console.WriteLine($"I/O: {r.Io.Submitted} submitted, {r.Io.Completed} completed (StartIo {r.Io.CompletedInStartIo}, interrupt {r.Io.CompletedInInterrupt}, timer callback {r.Io.CompletedInTimerCallback})");
        var d = r.Driver;
        console.WriteLine($"Driver: LPM {d.LpmRequests} idle requests, {d.Slumbers} slumbers, {d.UnexpectedBusy} unexpected BUSY; bus change {d.BusChangeRetries} retries, {d.BusChangeDone} accepted, {d.BusChangeTimerInits} run-time timer inits; {d.PowerDowns} power-downs, {d.Resets} resets, {d.StaleCallbacks} stale start callbacks, {d.Stalls} stalls");
        console.WriteLine($"Engine: {N(r.Engine.Arms)} arms, {N(r.Engine.Fires)} fires, {N(r.Engine.Cancels)} cancels, {N(r.Engine.WakeUps)} wake-ups");
        console.WriteLine($"Bug checks: {r.BugChecks.Count}");
        foreach (var b in r.BugChecks)
        {
            console.WriteLine($"  {b.Adapter} in {b.Routine}: {b.Code} {b.Name}: {b.Detail}");
        }

        console.WriteLine($"Verifier findings: {r.Findings.Count}");
        foreach (var f in r.Findings)
        {
            console.WriteLine($"  {f.Adapter}: {f.Rule}: {f.Detail}");
        }

        foreach (var failure in r.InvariantFailures)
        {
            console.WriteLine($"INVARIANT FAILURE: {failure}");
        }
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value) => value.ToString("F1", CultureInfo.InvariantCulture);
}
