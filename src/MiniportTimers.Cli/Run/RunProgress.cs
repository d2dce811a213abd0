using System.Diagnostics;
using System.Globalization;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// Live progress of a <c>run</c> on a terminal (never in redirected output): engine time elapsed and remaining, and per
/// sample its arms, fires, bug checks and findings so far, redrawn a few times a second and cleared when the run ends.
/// </summary>
internal static class RunProgress
{
    /// <summary>Runs <paramref name="runs"/> under a live view on <paramref name="console"/>; the view is cleared and the cursor restored however the run ends.</summary>
    /// <returns>What <see cref="SampleRunner.Run"/> returned.</returns>
    public static bool Run(IAnsiConsole console, TimerEngine engine, IReadOnlyList<ISampleRun> runs, RunSettings settings, CancellationToken cancel)
    {
        var start = engine.NowNanoseconds;
        var wall = Stopwatch.StartNew();
        var run = Task.Run(() => SampleRunner.Run(engine, runs, settings.DurationMilliseconds, settings.Seed, cancel));
        try
        {
            console.Live(View(runs, 0, settings.DurationMilliseconds, TimeSpan.Zero))
                .AutoClear(true)
                .Start(context =>
                {
                    while (!run.Wait(TimeSpan.FromMilliseconds(200)))
                    {
                        var elapsed = Math.Min(settings.DurationMilliseconds, (engine.NowNanoseconds - start) / TimeUnits.NanosecondsPerMillisecond);
                        context.UpdateTarget(View(runs, elapsed, settings.DurationMilliseconds, wall.Elapsed));
                        context.Refresh();
                    }
                });
        }
        finally
        {
            console.Cursor.Show();
        }

        return run.GetAwaiter().GetResult();
    }

    /// <summary>The live view: a time line, then one row of counts per sample.</summary>
    /// <param name="runs">The samples, read while they run (their counters are thread-safe).</param>
    /// <param name="elapsedMilliseconds">Engine time elapsed, ms.</param>
    /// <param name="totalMilliseconds">The run's length, ms.</param>
    /// <param name="wall">Wall time since the start (on the virtual clock engine time runs ahead of it).</param>
    public static IRenderable View(IReadOnlyList<ISampleRun> runs, long elapsedMilliseconds, long totalMilliseconds, TimeSpan wall)
    {
        var percent = totalMilliseconds == 0 ? 100 : 100 * elapsedMilliseconds / totalMilliseconds;
        var header = new Text(string.Create(
            CultureInfo.InvariantCulture,
            $"run: {elapsedMilliseconds / 1000.0:0.0} s of {totalMilliseconds / 1000.0:0.0} s ({percent} %), {(totalMilliseconds - elapsedMilliseconds) / 1000.0:0.0} s to go; {wall.TotalSeconds:0} s elapsed"));
        var table = new Table().Border(TableBorder.None).HideHeaders();
        table.AddColumns(new TableColumn(string.Empty), new TableColumn(string.Empty).RightAligned(), new TableColumn(string.Empty).RightAligned(), new TableColumn(string.Empty).RightAligned(), new TableColumn(string.Empty).RightAligned());
        foreach (var r in runs)
        {
            var (arms, fires, bugChecks, findings) = Counts(r);
            table.AddRow(r.Name, $"{arms:N0} arms", $"{fires:N0} fires", $"{bugChecks:N0} bug checks", $"{findings:N0} findings");
        }

        return new Rows(header, table);
    }

    private static (long Arms, long Fires, long BugChecks, long Findings) Counts(ISampleRun run)
    {
        try
        {
            var d = run.Diagnostics;
            var rows = d.TimerActivity.Rows;
            return (rows.Sum(r => r.Arms), rows.Sum(r => r.Fires), d.BugChecks.Count, d.FindingCount);
        }
        catch (InvalidOperationException)
        {
            return default; // not started yet
        }
    }
}
