using System.CommandLine;
using System.Globalization;
using System.Text;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Engine;
using Spectre.Console;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// <c>bench</c>: measures the engine side by side with what .NET ships, in one process run: arm+cancel throughput (1 and
/// 2 threads, 0 and 1,000,000 pending), create+free, bytes per re-arm, memory per pending timer, lateness at 100 µs,
/// 1 ms and 10 ms with the CPU each approach burns, the 100 µs cadence, coalescing against the optimum, and idle
/// wake-ups. Prints a table, writes CSV and an SVG plot of the lateness distributions.
/// </summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "A few seconds with small sample counts: proves the benchmarks run (CI smoke), not a measurement." };
        var output = new Option<string?>("--output") { Description = "Folder for bench.csv and bench-lateness.svg (made if missing; checked before the benchmarks start).", DefaultValueFactory = _ => "bench-results", HelpName = "folder" }.WritableOutput(isFolder: true);
        var only = new Option<string[]>("--only") { Description = "Run only these parts (repeatable): throughput (arm+cancel, create+free, allocation, memory), ddi (each timer DDI beside the engine: ns and bytes per request+cancel and request+fire), lateness (with the 100 µs cadence), coalescing, idle.", AllowMultipleArgumentsPerToken = true };
        only.AcceptOnlyFromAmong(Parts);
        var command = new Command("bench", "Measure the engine side by side with System.Threading.Timer, Task.Delay, PeriodicTimer, Thread.Sleep and a spin loop.")
        {
            quick, output, only,
        };
        command.SetAction(parse => Execute(parse.GetValue(quick), parse.GetValue(output)!, parse.InvocationConfiguration.Output, parse.GetValue(only), parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>The parts <c>--only</c> can pick.</summary>
    private static readonly string[] Parts = ["throughput", "ddi", "lateness", "coalescing", "idle"];

    public static int Execute(bool quick, string outputFolder, TextWriter output, string[]? only = null, TextWriter? error = null)
    {
        bool Runs(string part) => only is null || only.Length == 0 || only.Contains(part, StringComparer.Ordinal);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 160;
        var pending = quick ? 10_000 : 1_000_000;
        var rows = new List<BenchRow>();

        console.WriteLine($"bench on {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}{(quick ? " (quick: smoke only)" : string.Empty)}");
        if (Runs("throughput"))
        {
            rows.AddRange(ThroughputBench.Run(quick));
        }

        if (Runs("ddi"))
        {
            rows.AddRange(DdiPathBench.Run(quick));
        }

        var lateness = Runs("lateness") ? LatenessBench.Run(quick, pending) : [];
        foreach (var s in lateness)
        {
            var where = $"{s.IntervalMicroseconds:0.#} µs, {s.Load}";
            rows.Add(new BenchRow("lateness", $"p50 at {where}", s.Approach, s.Lateness.At(50), "µs"));
            rows.Add(new BenchRow("lateness", $"p90 at {where}", s.Approach, s.Lateness.At(90), "µs"));
            rows.Add(new BenchRow("lateness", $"p99 at {where}", s.Approach, s.Lateness.At(99), "µs"));
            rows.Add(new BenchRow("lateness", $"p99.9 at {where}", s.Approach, s.Lateness.At(99.9), "µs"));
            rows.Add(new BenchRow("lateness", $"max at {where}", s.Approach, s.Lateness.Max, "µs"));
            rows.Add(new BenchRow("lateness", $"early fires at {where}", s.Approach, s.Early, "of " + s.Lateness.Count));
            rows.Add(new BenchRow("cpu", $"CPU while waiting at {where}", s.Approach, s.CpuPercent, "% of a core"));
        }

        if (Runs("lateness"))
        {
            var (fired, expected) = LatenessBench.Cadence100us(quick);
            rows.Add(new BenchRow("cadence", "100 µs periodic: fires / expected", "ours", 100.0 * fired / expected, "%", $"{fired} of {expected}"));
        }

        foreach (var c in Runs("coalescing") ? CoalescingBench.Run(quick) : [])
        {
            rows.Add(new BenchRow("coalescing", $"wake-ups / optimal, tolerance {c.ToleranceMilliseconds} ms", "ours", (double)c.WakeUps / c.Optimal, "×", $"{c.WakeUps} wake-ups, optimal {c.Optimal}, zero tolerance {c.ZeroToleranceWakeUps}"));
        }

        if (Runs("idle"))
        {
            rows.Add(new BenchRow("idle", "wake-ups per second with nothing pending", "ours", IdleWakeUps(quick), "/s"));
        }

        Print(console, rows);
        var failed = false;
        var written = new List<string>();
        void Write(string name, string content)
        {
            var path = Path.Combine(outputFolder, name);
            if (OutputPath.TryWrite(path, content, output) is { } problem)
            {
                (error ?? output).WriteLine($"bench: --output: {problem}");
                failed = true;
            }
            else
            {
                written.Add(path);
            }
        }

        try
        {
            Directory.CreateDirectory(outputFolder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            (error ?? output).WriteLine($"bench: --output: could not make the folder '{outputFolder}': {ex.Message}");
            return ExitCodes.OutputError;
        }

        Write("bench.csv", Csv(rows));
        if (lateness.Count > 0)
        {
            Write("bench-lateness.svg", SvgPlot.LatenessCdf(lateness));
        }

        if (written.Count > 0)
        {
            console.WriteLine($"Wrote {string.Join(" and ", written)}");
        }

        return failed ? ExitCodes.OutputError : ExitCodes.Success;
    }

    private static double IdleWakeUps(bool quick)
    {
        using var engine = new RealTimeTimerEngine("bench idle");
        var seconds = quick ? 0.1 : 1.0;
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return engine.Statistics.WakeUps / seconds;
    }

    private static void Print(IAnsiConsole console, List<BenchRow> rows)
    {
        foreach (var group in rows.GroupBy(r => r.Group))
        {
            var table = new Table().Border(TableBorder.Ascii).Title(group.Key);
            table.AddColumns("Metric", "Approach", "Value", "Unit", "Note");
            foreach (var r in group)
            {
                table.AddRow(Markup.Escape(r.Metric), Markup.Escape(r.Approach), r.Value.ToString("#,0.##", CultureInfo.InvariantCulture), Markup.Escape(r.Unit), Markup.Escape(r.Note ?? string.Empty));
            }

            console.Write(table);
        }
    }

    private static string Csv(List<BenchRow> rows)
    {
        static string Q(string s) => s.Contains(',', StringComparison.Ordinal) || s.Contains('"', StringComparison.Ordinal) ? $"\"{s.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : s;
        var csv = new StringBuilder("group,metric,approach,value,unit,note\n");
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Q(r.Group)},{Q(r.Metric)},{Q(r.Approach)},{r.Value.ToString("R", CultureInfo.InvariantCulture)},{Q(r.Unit)},{Q(r.Note ?? string.Empty)}\n");
        }

        return csv.ToString();
    }
}
