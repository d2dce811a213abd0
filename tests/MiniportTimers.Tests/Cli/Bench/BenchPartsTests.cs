using System.Diagnostics;
using System.Globalization;
using MiniportTimers.Cli.Bench;
using MiniportTimers.Cli.Shell;

namespace MiniportTimers.Tests.Cli.Bench;

/// <summary>
/// Issue 25: <c>bench --only first</c> works however the tool is started (before, it always showed "NaN … the child
/// process failed": the child was handed the .dll path as its first argument, which the tool's own executable takes
/// as the command), a part that fails makes bench exit 1 (before: 0), and on a terminal bench shows its progress part by
/// part (before: silent for minutes). The help is readable: --only names its parts in one short line (before: 1,091
/// characters) and --output names every file it writes.
/// </summary>
[Collection(nameof(MiniportTimers.Tests.Reliability.LifecycleFuzz))] // starts processes: not beside the stress run's descriptor count
public class BenchPartsTests
{
    private static List<string[]> Csv(string folder) =>
        [.. File.ReadAllLines(Path.Combine(folder, "bench.csv")).Skip(1).Select(l => l.Split(','))];

    private static void AssertTwentyFirstExpiries(string folder)
    {
        var first = Csv(folder).Where(r => r[0] == "first").ToList();
        Assert.Equal(20, first.Count); // ten expiries of a cold and of a warmed-up process
        Assert.All(first, r => Assert.True(double.TryParse(r[^3], CultureInfo.InvariantCulture, out var v) && double.IsFinite(v), string.Join(',', r)));
    }

    [Fact]
    public void OnlyFirst_InProcess_MeasuresTwoFreshProcesses_AndExitsZero()
    {
        var folder = Directory.CreateTempSubdirectory("mpt-bench-").FullName;
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.True(BenchCommand.Execute(quick: true, folder, output, ["first"], error) == ExitCodes.Success, $"{output}\n{error}");
        Assert.DoesNotContain("failed", output.ToString(), StringComparison.Ordinal);
        AssertTwentyFirstExpiries(folder);
    }

    [Theory]
    [InlineData(true)] // the tool's own executable: what `dotnet run`, an installed .NET tool's shim and a publish start
    [InlineData(false)] // dotnet miniport-timers.dll
    public async Task OnlyFirst_AsAProcess_Works(bool ownExecutable)
    {
        var apphost = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "miniport-timers.exe" : "miniport-timers");
        Assert.True(!ownExecutable || File.Exists(apphost), $"no {apphost}");
        var folder = Directory.CreateTempSubdirectory("mpt-bench-").FullName;
        var start = ownExecutable ? new ProcessStartInfo(apphost) : new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "miniport-timers.dll")]);
        foreach (var a in new[] { "bench", "--quick", "--only", "first", "--output", folder })
        {
            start.ArgumentList.Add(a);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)));
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{await error}");
        AssertTwentyFirstExpiries(folder);
    }

    [Fact]
    public void AFailedPart_MakesBenchExitOne_AndTheOtherPartsStillRunAndAreWritten()
    {
        var folder = Directory.CreateTempSubdirectory("mpt-bench-").FullName;
        using var output = new StringWriter();
        using var error = new StringWriter();
        BenchCommand.Part[] parts =
        [
            new("idle", () => [new BenchRow("idle", "wake-ups per second", "ours", 0, "/s")]),
            new("boom", () => throw new InvalidOperationException("the part broke")),
            new("first", () => [new BenchRow("first", "first ten expiries", "ours", double.NaN, "µs", "the child process failed: exit 2", Failed: true)]),
        ];
        Assert.Equal(ExitCodes.RunFailed, BenchCommand.Execute(quick: true, folder, output, null, error, parts: parts));
        Assert.Contains("bench: boom failed (-): InvalidOperationException: the part broke", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("bench: first failed (ours): the child process failed: exit 2", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("FAILED: boom, first could not be measured", output.ToString(), StringComparison.Ordinal);
        Assert.Contains(Csv(folder), r => r[0] == "idle");
    }

    [Fact]
    public void OnATerminal_BenchShowsItsProgressPartByPart()
    {
        var folder = Directory.CreateTempSubdirectory("mpt-bench-").FullName;
        using var output = new StringWriter();
        BenchCommand.Part[] parts =
        [
            new("idle", () => [new BenchRow("idle", "wake-ups per second", "ours", 0, "/s")]),
            new("coalescing", () => { Thread.Sleep(300); return [new BenchRow("coalescing", "x", "ours", 1, "×"), new BenchRow("coalescing", "y", "ours", 1, "×")]; }),
        ];
        Assert.Equal(ExitCodes.Success, BenchCommand.Execute(quick: true, folder, output, null, TextWriter.Null, _ => new Terminal(true, false, 120), parts));
        Assert.Contains("bench: 2 of 2 parts", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("coalescing: 2 rows", output.ToString(), StringComparison.Ordinal);

        using var redirected = new StringWriter();
        Assert.Equal(ExitCodes.Success, BenchCommand.Execute(quick: true, folder, redirected, null, TextWriter.Null, parts: parts));
        Assert.DoesNotContain("of 2 parts", redirected.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', redirected.ToString());
    }

    [Fact]
    public void TheHelp_NamesThePartsInOneShortLine_AndEveryFileOutputWrites()
    {
        using var help = new StringWriter();
        CliApp.Run(["bench", "--help"], help, TextWriter.Null);
        var text = help.ToString();
        Assert.All(text.Split('\n'), line => Assert.True(line.Length <= 240, $"{line.Length} characters: {line}"));
        Assert.Contains("throughput, ddi, lateness, coalescing, idle, expiry, memory-latency, cpus, churn, floor, first, storport", text, StringComparison.Ordinal);
        Assert.Contains("bench-lateness.png", text, StringComparison.Ordinal);
        Assert.Contains(".hgrm", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AFloorNoteOfOneSample_SaysOneSample()
    {
        var rows = FloorBench.Rows([new FloorBench.Pair(1_000_000, "ordinary", new LatenessHistogram([50.0]), new LatenessHistogram([40.0]), "ordinary")]).ToList();
        Assert.All(rows.Where(r => r.Note?.Contains("each", StringComparison.Ordinal) == true), r => Assert.StartsWith("1 sample each;", r.Note, StringComparison.Ordinal));
    }
}
