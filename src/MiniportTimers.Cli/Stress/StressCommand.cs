using System.CommandLine;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Samples.Harness;
using Spectre.Console;

namespace MiniportTimers.Cli.Stress;

/// <summary>
/// <c>stress</c>: the real-clock stress run (8 threads, 1,000,000 operations by default; not part of CI's default set):
/// no lost, duplicate or early callback, no callback after a successful free, memory flat afterwards. Exit code 1
/// (<see cref="ExitCodes.RunFailed"/>) on any violation. On a terminal a progress bar shows the operations and
/// callbacks so far, the time elapsed and the time left. <c>--lazy-churn N</c> then runs <see cref="LazyChurnRun"/>.
/// </summary>
internal static class StressCommand
{
    /// <summary>The <c>stress</c> command; <paramref name="terminals"/> says what each output is (default: <see cref="Terminal.Detect"/>).</summary>
    public static Command Create(Func<TextWriter, Terminal>? terminals = null)
    {
        var threads = new Option<int>("--threads") { Description = "Threads requesting, cancelling and freeing timers, 1-1024.", DefaultValueFactory = _ => 8, HelpName = "n" }.WholeNumber(1, 1024);
        var operations = new Option<long>("--operations") { Description = "DDI calls in all, at least 1.", DefaultValueFactory = _ => 1_000_000, HelpName = "n" }.AtLeast(1);
        var gcEvery = new Option<int>("--gc-every-ms") { Description = "Inject a forced blocking full GC this often during the run, ms (0 = none).", DefaultValueFactory = _ => 0, HelpName = "ms" }.AtLeast(0);
        var lazyChurn = new Option<int>("--lazy-churn") { Description = "Then churn this many idle timeouts on the engine (lazy re-arms from 2 threads, 1 % exact one-shots due meanwhile) and check every callback: 0 = skip, else 100-10,000,000.", DefaultValueFactory = _ => 0, HelpName = "timers" }.WholeNumber(0, 10_000_000);
        var parseWhole = lazyChurn.CustomParser!;
        lazyChurn.CustomParser = result =>
        {
            var value = parseWhole(result);
            if (value is > 0 and < 100)
            {
                result.AddError($"--lazy-churn {value}: give 0 (skip) or at least 100 idle timeouts (1 % of them are the one-shots checked).");
            }

            return value;
        };
        var churnMilliseconds = new Option<int>("--churn-ms") { Description = "How long the lazy churn re-arms, ms, 1-600,000.", DefaultValueFactory = _ => 3_000, HelpName = "ms" }.WholeNumber(1, 600_000);
        var command = new Command("stress", "Stress the Storport timer DDIs on the real clock from many threads and check every callback.") { threads, operations, gcEvery, lazyChurn, churnMilliseconds };
        command.SetAction(parse => Execute(parse.GetValue(threads), parse.GetValue(operations), parse.InvocationConfiguration.Output, parse.GetValue(gcEvery), terminals, parse.GetValue(lazyChurn), parse.GetValue(churnMilliseconds)));
        return command;
    }

    /// <summary>Runs the stress and reports to <paramref name="output"/>; returns the exit code.</summary>
    /// <param name="threads">Worker threads.</param>
    /// <param name="operations">DDI calls in all.</param>
    /// <param name="output">The report.</param>
    /// <param name="gcEveryMilliseconds">A forced blocking full GC this often (0: none).</param>
    /// <param name="terminals">What <paramref name="output"/> is: a terminal gets live progress (default: <see cref="Terminal.Detect"/>).</param>
    /// <param name="lazyChurnTimers">Idle timeouts for the lazy churn afterwards (<see cref="LazyChurnRun"/>); 0 skips it.</param>
    /// <param name="churnMilliseconds">The lazy churn's length, ms.</param>
    public static int Execute(int threads, long operations, TextWriter output, int gcEveryMilliseconds = 0, Func<TextWriter, Terminal>? terminals = null, int lazyChurnTimers = 0, int churnMilliseconds = 3_000)
    {
        var terminal = (terminals ?? (writer => Terminal.Detect(writer)))(output);
        var r = terminal.IsInteractive
            ? WithProgress(terminal.CreateConsole(output), threads, operations, gcEveryMilliseconds)
            : StressRun.Execute(threads, operations, forcedGcIntervalMilliseconds: gcEveryMilliseconds);
        var growth = r.MemoryAfterBytes - r.MemoryBeforeBytes;
        var res = r.Resources;
        output.WriteLine($"stress: {r.Operations:N0} operations on {threads} thread{(threads == 1 ? string.Empty : "s")} in {r.Seconds:F1} s, {r.Callbacks:N0} callbacks, {res.GcsInjected} forced GC{(res.GcsInjected == 1 ? string.Empty : "s")} injected");
        output.WriteLine($"memory: {r.MemoryBeforeBytes / 1024.0:N0} KiB before, {r.MemoryAfterBytes / 1024.0:N0} KiB after ({growth / 1024.0:+#,0;-#,0;0} KiB)");
        output.WriteLine($"stress threads: {res.ThreadsBefore} before, {res.ThreadsAfter} after; open fds: {res.FileDescriptorsBefore} before, {res.FileDescriptorsAfter} after");
        output.WriteLine($"violations: {r.Violations.Count}");
        foreach (var v in r.Violations.Take(20))
        {
            output.WriteLine($"  {v}");
        }

        var flat = growth < 4 * 1024 * 1024; // a few MiB of JIT and pool noise at most
        if (!flat)
        {
            output.WriteLine("memory did not come back down");
        }

        if (!res.Flat)
        {
            output.WriteLine("threads or open file descriptors grew");
        }

        var churnClean = true;
        if (lazyChurnTimers > 0)
        {
            var c = LazyChurnRun.Execute(lazyChurnTimers, churnMilliseconds);
            output.WriteLine($"lazy churn: {c.IdleTimers:N0} idle timeouts, {c.ReArms:N0} re-arms in {c.Seconds:F1} s ({c.ReArms / c.Seconds / 1e6:F2} M/s), {c.OneShots:N0} one-shots due meanwhile (p99 {c.OneShotLatenessP99Microseconds:N0} µs late)");
            output.WriteLine($"lazy churn violations: {c.Violations.Count}");
            foreach (var v in c.Violations.Take(20))
            {
                output.WriteLine($"  {v}");
            }

            churnClean = c.Violations.Count == 0;
        }

        return r.Violations.Count == 0 && flat && res.Flat && churnClean ? ExitCodes.Success : ExitCodes.RunFailed;
    }

    /// <summary>The run under a progress bar (operations so far of all, callbacks, elapsed and remaining time), cleared at its end.</summary>
    private static StressRun.Result WithProgress(IAnsiConsole console, int threads, long operations, int gcEveryMilliseconds)
    {
        var progress = new StressProgress();
        var run = Task.Run(() => StressRun.Execute(threads, operations, forcedGcIntervalMilliseconds: gcEveryMilliseconds, progress: progress));
        try
        {
            console.Progress()
                .AutoClear(true)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask(Describe(progress, operations), maxValue: operations);
                    while (!run.Wait(TimeSpan.FromMilliseconds(200)))
                    {
                        task.Value = Math.Min(operations, progress.Operations);
                        task.Description = Describe(progress, operations);
                    }

                    task.Value = operations;
                });
        }
        finally
        {
            console.Cursor.Show();
        }

        return run.GetAwaiter().GetResult();
    }

    private static string Describe(StressProgress progress, long operations) =>
        Markup.Escape($"stress: {progress.Operations:N0} of {operations:N0} operations, {progress.Callbacks:N0} callbacks");
}
