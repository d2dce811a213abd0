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
    /// <summary>The <c>bench</c> command; <paramref name="terminals"/> says what each output is (default: <see cref="Terminal.Detect"/>).</summary>
    public static Command Create(Func<TextWriter, Terminal>? terminals = null)
    {
        var quick = new Option<bool>("--quick") { Description = "A few seconds with small sample counts: proves the benchmarks run (CI smoke), not a measurement." };
        var output = new Option<string?>("--output") { Description = "Folder for bench.csv, the lateness plot (bench-lateness.png and .svg) and one .hgrm histogram per lateness series (made if missing; checked before the benchmarks start).", DefaultValueFactory = _ => "bench-results", HelpName = "folder" }.WritableOutput(isFolder: true);
        var only = new Option<string[]>("--only") { Description = $"Run only these parts (repeatable): {string.Join(", ", Parts)}. What each measures: docs/benchmarks.md.", AllowMultipleArgumentsPerToken = true, HelpName = "part" }.OneOf(Parts);
        var command = new Command("bench", "Measure the engine side by side with System.Threading.Timer, Task.Delay, PeriodicTimer, Thread.Sleep and a spin loop. Exit code 1 when a part could not be measured.")
        {
            quick, output, only,
        };
        command.SetAction(parse => Execute(parse.GetValue(quick), parse.GetValue(output)!, parse.InvocationConfiguration.Output, parse.GetValue(only), parse.InvocationConfiguration.Error, terminals));
        return command;
    }

    /// <summary>The parts <c>--only</c> can pick, in the order they run.</summary>
    private static readonly string[] Parts = ["throughput", "ddi", "lateness", "coalescing", "idle", "expiry", "memory-latency", "cpus", "churn", "floor", "first", "storport"];

    /// <summary>One part of the bench: its name (as <c>--only</c> spells it) and what measures it.</summary>
    internal sealed record Part(string Name, Func<IEnumerable<BenchRow>> Measure);

    /// <summary>Runs the benchmarks and writes their outputs; returns the exit code.</summary>
    /// <param name="quick">Small sample counts (a smoke test).</param>
    /// <param name="outputFolder">Where bench.csv, the plot and the .hgrm files go.</param>
    /// <param name="output">The table.</param>
    /// <param name="only">The parts to run (all when null or empty).</param>
    /// <param name="error">Problems (defaults to <paramref name="output"/>).</param>
    /// <param name="terminals">What <paramref name="output"/> is: a terminal gets live progress and colour (default: <see cref="Terminal.Detect"/>).</param>
    /// <param name="parts">The parts to run instead of the standard ones (tests).</param>
    public static int Execute(bool quick, string outputFolder, TextWriter output, string[]? only = null, TextWriter? error = null, Func<TextWriter, Terminal>? terminals = null, IReadOnlyList<Part>? parts = null)
    {
        error ??= output;
        var terminal = (terminals ?? (writer => Terminal.Detect(writer)))(output);
        var console = terminal.CreateConsole(output);
        console.Profile.Width = terminal.IsInteractive ? terminal.Width : 160;
        var pending = quick ? 10_000 : 1_000_000;
        var lateness = new List<LatenessBench.Series>();
        parts ??= StandardParts(quick, pending, lateness);
        var chosen = parts.Where(p => only is null || only.Length == 0 || only.Contains(p.Name, StringComparer.Ordinal)).ToList();

        console.WriteLine($"bench on {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}{(quick ? " (quick: smoke only)" : string.Empty)}");
        var rows = terminal.IsInteractive ? MeasureWithProgress(console, chosen) : [.. chosen.SelectMany(Measure)];
        Print(console, rows, terminal);
        var failed = false;
        var written = new List<string>();
        void Write(string name, string content)
        {
            var path = Path.Combine(outputFolder, name);
            if (OutputPath.TryWrite(path, content, output) is { } problem)
            {
                error.WriteLine($"bench: --output: {problem}");
                failed = true;
            }
            else
            {
                written.Add(name);
            }
        }

        try
        {
            Directory.CreateDirectory(outputFolder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"bench: --output: could not make the folder '{outputFolder}': {ex.Message}");
            return ExitCodes.OutputError;
        }

        Write("bench.csv", Csv(rows, lateness));
        foreach (var s in lateness)
        {
            using var hgrm = new StringWriter(CultureInfo.InvariantCulture);
            s.Lateness.WriteHgrm(hgrm);
            Write(HgrmName(s), hgrm.ToString());
        }

        if (LatenessPlotModel.Build(lateness, new PlotCaption(PlotCaption.ThisMachine(), DateTimeOffset.UtcNow, quick)) is { } plot)
        {
            try
            {
                LatenessPlot.Save(plot, Path.Combine(outputFolder, "bench-lateness.png"), Path.Combine(outputFolder, "bench-lateness.svg"));
                written.Add("bench-lateness.png");
                written.Add("bench-lateness.svg");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"bench: --output: could not write the plot: {ex.Message}");
                failed = true;
            }
        }

        if (written.Count > 0)
        {
            var hgrms = written.Count(w => w.EndsWith(".hgrm", StringComparison.Ordinal));
            var named = written.Where(w => !w.EndsWith(".hgrm", StringComparison.Ordinal)).ToList();
            console.WriteLine($"Wrote to {outputFolder}: {string.Join(", ", named)}{(hgrms > 0 ? $", and {hgrms} lateness histograms (.hgrm, µs; HdrHistogram's plotters read them)" : string.Empty)}");
        }

        var failedParts = rows.Where(r => r.Failed).Select(r => r.Group).Distinct().ToList();
        foreach (var row in rows.Where(r => r.Failed))
        {
            error.WriteLine($"bench: {row.Group} failed ({row.Approach}): {row.Note}");
        }

        if (failedParts.Count > 0)
        {
            console.MarkupLine(terminal.Paint($"FAILED: {string.Join(", ", failedParts)} could not be measured (see above); bench exits 1.", "bold red"));
        }

        return failedParts.Count > 0 ? ExitCodes.RunFailed : failed ? ExitCodes.OutputError : ExitCodes.Success;
    }

    /// <summary>The standard parts, in the order they run; the lateness part also fills <paramref name="lateness"/> (for the CSV, .hgrm files and plot).</summary>
    private static List<Part> StandardParts(bool quick, int pending, List<LatenessBench.Series> lateness) =>
    [
        new("throughput", () => ThroughputBench.Run(quick)),
        new("ddi", () => DdiPathBench.Run(quick)),
        new("lateness", () =>
        {
            lateness.AddRange(LatenessBench.Run(quick, pending));
            return LatenessRows(lateness, quick);
        }),
        new("coalescing", () => CoalescingBench.Run(quick).Select(c => new BenchRow("coalescing", $"wake-ups / optimal, tolerance {c.ToleranceMilliseconds} ms", "ours", (double)c.WakeUps / c.Optimal, "×", $"{c.WakeUps} wake-ups, optimal {c.Optimal}, zero tolerance {c.ZeroToleranceWakeUps}"))),
        new("expiry", () => ExpiryBench.Run(quick)),
        new("memory-latency", () => MemoryLatencyBench.Run(quick)),
        new("first", FirstExpiriesBench.Run),
        new("floor", () => FloorBench.Rows(FloorBench.Run(quick))),
        new("cpus", () => ExpiryBench.RunCpus(quick)),
        new("churn", () => ChurnBench.Run(quick)),
        new("idle", () => [new BenchRow("idle", "wake-ups per second with nothing pending", "ours", IdleWakeUps(quick), "/s")]),
        new("storport", () => StorportIoBench.Run(quick)),
    ];

    private static List<BenchRow> LatenessRows(List<LatenessBench.Series> lateness, bool quick)
    {
        var rows = new List<BenchRow>();
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

        var (fired, expected) = LatenessBench.Cadence100us(quick);
        rows.Add(new BenchRow("cadence", "100 µs periodic: fires / expected", "ours", 100.0 * fired / expected, "%", $"{fired} of {expected}"));
        return rows;
    }

    /// <summary>One part's rows; a part that throws is one failed row with the exception's message (bench goes on with the next part).</summary>
    private static List<BenchRow> Measure(Part part)
    {
        try
        {
            return [.. part.Measure()];
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return [new BenchRow(part.Name, "the part", "-", double.NaN, string.Empty, $"{ex.GetType().Name}: {ex.Message}", Failed: true)];
        }
    }

    /// <summary>The parts under a live progress view: one line per part (waiting, running, its rows or FAILED) and the whole with its elapsed and remaining time.</summary>
    private static List<BenchRow> MeasureWithProgress(IAnsiConsole console, List<Part> parts)
    {
        var rows = new List<BenchRow>();
        try
        {
            console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    var all = context.AddTask(Markup.Escape($"bench: 0 of {parts.Count} parts"), maxValue: parts.Count);
                    var tasks = parts.Select(p => context.AddTask(Markup.Escape($"  {p.Name}"), autoStart: false, maxValue: 1)).ToList();
                    for (var i = 0; i < parts.Count; i++)
                    {
                        tasks[i].StartTask();
                        tasks[i].IsIndeterminate = true;
                        var measured = Measure(parts[i]);
                        rows.AddRange(measured);
                        tasks[i].IsIndeterminate = false;
                        tasks[i].Description = Markup.Escape($"  {parts[i].Name}: {(measured.Any(r => r.Failed) ? "FAILED" : $"{measured.Count} rows")}");
                        tasks[i].Value = 1;
                        tasks[i].StopTask();
                        all.Increment(1);
                        all.Description = Markup.Escape($"bench: {i + 1} of {parts.Count} parts");
                    }
                });
        }
        finally
        {
            console.Cursor.Show();
        }

        return rows;
    }

    /// <summary>
    /// The .hgrm file of one series: lateness-{interval}us-{approach}[-{load}].hgrm, in file-name characters only; "µs"
    /// becomes "us" ("ours + 50 µs spin" → ours-50us-spin).
    /// </summary>
    internal static string HgrmName(LatenessBench.Series s)
    {
        var name = System.Text.RegularExpressions.Regex.Replace($"lateness-{s.IntervalMicroseconds:0}us-{s.Approach}{(s.Load == "idle" ? string.Empty : "-" + s.Load)}", @"(\d) ?µs", "$1us").Replace("µ", "u", StringComparison.Ordinal);
        var safe = new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' ? c : '-')]);
        return System.Text.RegularExpressions.Regex.Replace(safe, "-{2,}", "-").TrimEnd('-') + ".hgrm";
    }

    private static double IdleWakeUps(bool quick)
    {
        using var engine = new RealTimeTimerEngine("bench idle");
        var seconds = quick ? 0.1 : 1.0;
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        return engine.Statistics.WakeUps / seconds;
    }

    private static void Print(IAnsiConsole console, List<BenchRow> rows, Terminal terminal)
    {
        foreach (var group in rows.GroupBy(r => r.Group))
        {
            var table = new Table().Border(TableBorder.Ascii).Title(group.Key);
            table.AddColumns("Metric", "Approach", "Value", "Unit", "Note");
            foreach (var r in group)
            {
                table.AddRow(Markup.Escape(r.Metric), Markup.Escape(r.Approach), r.Failed ? terminal.Paint("FAILED", "bold red") : r.Value.ToString("#,0.##", CultureInfo.InvariantCulture), Markup.Escape(r.Unit), r.Failed ? terminal.Paint(r.Note ?? string.Empty, "red") : Markup.Escape(r.Note ?? string.Empty));
            }

            console.Write(table);
        }
    }

    /// <summary>
    /// bench.csv, tidy: one row per (part, approach, interval, condition), one column per figure, so it loads into a
    /// dataframe without parsing names. Lateness rows fill the latency columns (µs); every other part fills value and
    /// unit, with what was measured in condition.
    /// </summary>
    private static string Csv(List<BenchRow> rows, IReadOnlyList<LatenessBench.Series> lateness)
    {
        static string Q(string s) => s.Contains(',', StringComparison.Ordinal) || s.Contains('"', StringComparison.Ordinal) ? $"\"{s.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : s;
        static string N(double v) => double.IsNaN(v) ? string.Empty : v.ToString("R", CultureInfo.InvariantCulture);
        var csv = new StringBuilder("part,approach,interval_us,condition,samples,p50_us,p90_us,p99_us,p99_9_us,max_us,early_fires,cpu_percent_of_core,value,unit,note\n");
        foreach (var s in lateness)
        {
            var h = s.Lateness;
            csv.Append(CultureInfo.InvariantCulture, $"lateness,{Q(s.Approach)},{N(s.IntervalMicroseconds)},{Q(s.Load)},{h.Count},{N(h.At(50))},{N(h.At(90))},{N(h.At(99))},{N(h.At(99.9))},{N(h.Max)},{s.Early},{N(s.CpuPercent)},,,\n");
        }

        foreach (var r in rows.Where(r => r.Group is not "lateness" and not "cpu"))
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Q(r.Group)},{Q(r.Approach)},,{Q(r.Metric)},,,,,,,,,{N(r.Value)},{Q(r.Unit)},{Q(r.Note ?? string.Empty)}\n");
        }

        return csv.ToString();
    }
}
