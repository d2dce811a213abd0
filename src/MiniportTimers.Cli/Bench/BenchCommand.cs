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
        var only = new Option<string[]>("--only") { Description = "Run only these parts (repeatable): throughput (arm+cancel, create+free, allocation, memory), ddi (each timer DDI beside the engine: ns and bytes per request+cancel and request+fire), lateness (with the 100 µs cadence), coalescing, idle, expiry (N one-shots due within 100 ms: CPU per expiry and how late the last one runs, beside System.Threading.Timer; the virtual engine's AdvanceTo per expiry), cpus (the same burst on one dispatcher and on one per CPU, and a 1 ms timer's ticks while another dispatcher's callback blocks 200 ms), churn (1,000,000 idle-timeouts of 30 s with 1 s tolerance re-armed at random by 2 threads while 1 % expire: re-arms per second and expiry lateness, beside System.Threading.Timer), floor (one-shot lateness at 100 µs, 1 ms, 10 ms, 100 ms and 1 s beside a bare timerfd's in the same minutes, and at 1 ms with both on SCHED_FIFO 99: the real-time dispatcher), first (the first ten expiries of a fresh process, with the engine's warm-up and without).", AllowMultipleArgumentsPerToken = true };
        only.AcceptOnlyFromAmong(Parts);
        var command = new Command("bench", "Measure the engine side by side with System.Threading.Timer, Task.Delay, PeriodicTimer, Thread.Sleep and a spin loop.")
        {
            quick, output, only,
        };
        command.SetAction(parse => Execute(parse.GetValue(quick), parse.GetValue(output)!, parse.InvocationConfiguration.Output, parse.GetValue(only), parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>The parts <c>--only</c> can pick.</summary>
    private static readonly string[] Parts = ["throughput", "ddi", "lateness", "coalescing", "idle", "expiry", "cpus", "churn", "floor", "first"];

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

        if (Runs("expiry"))
        {
            rows.AddRange(ExpiryBench.Run(quick));
        }

        if (Runs("first"))
        {
            rows.AddRange(FirstExpiriesBench.Run());
        }

        if (Runs("floor"))
        {
            rows.AddRange(FloorBench.Rows(FloorBench.Run(quick)));
        }

        if (Runs("cpus"))
        {
            rows.AddRange(ExpiryBench.RunCpus(quick));
        }

        if (Runs("churn"))
        {
            rows.AddRange(ChurnBench.Run(quick));
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
                written.Add(name);
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
                (error ?? output).WriteLine($"bench: --output: could not write the plot: {ex.Message}");
                failed = true;
            }
        }

        if (written.Count > 0)
        {
            var hgrms = written.Count(w => w.EndsWith(".hgrm", StringComparison.Ordinal));
            var named = written.Where(w => !w.EndsWith(".hgrm", StringComparison.Ordinal)).ToList();
            console.WriteLine($"Wrote to {outputFolder}: {string.Join(", ", named)}{(hgrms > 0 ? $", and {hgrms} lateness histograms (.hgrm, µs; HdrHistogram's plotters read them)" : string.Empty)}");
        }

        return failed ? ExitCodes.OutputError : ExitCodes.Success;
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
