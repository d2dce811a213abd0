using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using MiniportTimers.Cli.Shell;

namespace MiniportTimers.Tests.Cli;

/// <summary>
/// Issue 13: the tool rejects every bad value before any work starts, with one message naming the option and the value
/// on stderr and exit code 2, never a stack trace; outputs are checked up front; <c>--json -</c> is standard output;
/// <c>--version</c> is the package's version; help shows real placeholders; Ctrl-C ends a real-clock run with a partial
/// report, its JSON and exit code 130.
/// </summary>
public class CliAppTests
{
    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("--windows-tick abc", "--windows-tick", "'abc'")]
    [InlineData("--windows-tick 1e400", "--windows-tick", "'1e400'")]
    [InlineData("--windows-tick 1,5", "--windows-tick", "'1,5'")]
    [InlineData("--windows-tick 0.1", "--windows-tick", "0.1 ms is out of range")]
    [InlineData("--never-ready-port abc", "--never-ready-port", "'abc'")]
    [InlineData("--never-ready-port 9:9", "--never-ready-port", "'9:9' names no port")]
    [InlineData("--never-ready-port 0:1 --sample pcnet", "--never-ready-port", "storahci is not among the samples")]
    [InlineData("--duration-ms 5", "--duration-ms", "5 is out of range")]
    [InlineData("--ports 33", "--ports", "33 is out of range")]
    [InlineData("--driver-adapters 0", "--driver-adapters", "0 is out of range")]
    [InlineData("--sample nosuch", "nosuch", "storahci")]
    [InlineData("--json /nonexistent-folder-mpt/x.json", "--json", "/nonexistent-folder-mpt")]
    [InlineData("--trace -", "--trace", "'-' is not accepted")]
    [InlineData("--driver /nonexistent/x.so", "--driver", "no such file")]
    [InlineData("--bogus", "--bogus", "Unrecognized")]
    [InlineData("--dispatchers 0", "--dispatchers", "0 is out of range")]
    [InlineData("--dispatchers 65", "--dispatchers", "65 is out of range")]
    [InlineData("--real-time-priority 0", "--real-time-priority", "0 is out of range")]
    [InlineData("--real-time-priority 100", "--real-time-priority", "100 is out of range")]
    [InlineData("--virtual --dispatchers 2", "--dispatchers", "apply to the real clock")]
    [InlineData("--virtual --real-time-priority 10", "--real-time-priority", "apply to the real clock")]
    public void Run_BadValues_AreRejectedBeforeAnyWork_OnStderr_WithExitCode2(string arguments, string option, string detail)
    {
        var (code, stdout, stderr) = Run(["run", "--virtual", .. arguments.Split(' ')]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(stdout); // nothing ran
        Assert.Contains(option, stderr, StringComparison.Ordinal);
        Assert.Contains(detail, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void OutputsThatAreFoldersOrFiles_AreRejectedUpFront_ForRunAndBench()
    {
        var folder = Directory.CreateTempSubdirectory("mpt-cli-").FullName;
        var file = Path.Combine(folder, "a-file");
        File.WriteAllText(file, "x");
        var trace = Run("run", "--virtual", "--trace", folder);
        Assert.Equal((ExitCodes.Usage, true), (trace.Code, trace.Stderr.Contains("is a folder, not a file", StringComparison.Ordinal)));
        var bench = Run("bench", "--quick", "--output", file);
        Assert.Equal((ExitCodes.Usage, true), (bench.Code, bench.Stderr.Contains("is a file, not a folder", StringComparison.Ordinal)));
        var stress = Run("stress", "--threads", "0");
        Assert.Equal((ExitCodes.Usage, true), (stress.Code, stress.Stderr.Contains("--threads: 0 is out of range", StringComparison.Ordinal)));
        Assert.Null(OutputPath.Check(Path.Combine(folder, "new.json"), isFolder: false));
        Assert.False(File.Exists(Path.Combine(folder, "new.json"))); // the check leaves nothing behind
        Assert.NotNull(OutputPath.TryWrite(folder, "{}", TextWriter.Null)); // a write that fails is a message, not an exception
    }

    [Fact]
    public void JsonDash_WritesTheJsonAloneOnStdout_AndTheTextReportOnStderr()
    {
        var (_, stdout, stderr) = Run("run", "--virtual", "--sample", "pcnet", "--duration-ms", "1000", "--json", "-");
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal("virtual", json.RootElement.GetProperty("Clock").GetString());
        Assert.Contains("== pcnet ==", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists("-"));
    }

    [Fact]
    public void Version_IsThePackagesVersion_AndHelpListsTheExitCodesAndRealPlaceholders()
    {
        var version = typeof(MiniportTimers.Engine.TimerEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(version, Run("--version").Stdout.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", version);
        Assert.Contains(ExitCodes.HelpText, Run("--help").Stdout, StringComparison.Ordinal);
        var help = Run("run", "--help").Stdout;
        Assert.Contains("--never-ready-port <adapter:port>", help, StringComparison.Ordinal);
        Assert.Contains("--windows-tick [<ms>]", help, StringComparison.Ordinal);
        Assert.Contains("--json <path|->", help, StringComparison.Ordinal);
    }

    [Support.PosixFact]
    public void CtrlC_DuringARealClockRun_WritesAPartialReportAndItsJson_AndExits130()
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "miniport-timers.dll");
        var json = Path.Combine(Directory.CreateTempSubdirectory("mpt-cli-").FullName, "partial.json");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [tool, "run", "--sample", "pcnet", "--duration-ms", "120000", "--json", json]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        Thread.Sleep(3_000); // started and running (generous: the run is 120 s long)
        using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.True(process.WaitForExit(60_000), "the run did not stop within 60 s of SIGINT");
        Assert.Equal(ExitCodes.Interrupted, process.ExitCode);
        Assert.Contains("PARTIAL REPORT: the run was stopped by SIGINT", stdout.Result, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("SIGINT", report.RootElement.GetProperty("StoppedBy").GetString());
        Assert.Equal("real", report.RootElement.GetProperty("Clock").GetString());
    }

    [Fact]
    public void FirstExpiries_HiddenCommand_PrintsTenLatenesses_AndIsNotInHelp()
    {
        var (code, stdout, _) = Run("first-expiries");
        Assert.Equal(0, code);
        var values = stdout.Trim().Split(' ').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(10, values.Length);
        Assert.All(values, v => Assert.True(v > -1_000, $"{v} µs")); // a lower bound on lateness: never far below 0
        Assert.DoesNotContain("first-expiries", Run("--help").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithTwoDispatchers_ReportsThemAndItsScheduling_InTextAndJson()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mpt-run-").FullName, "r.json");
        var (code, stdout, stderr) = Run("run", "--sample", "nvme", "--duration-ms", "300", "--dispatchers", "2", "--json", path);
        Assert.True(code == 0, $"exit code {code}; the report:\n{stdout}\n{stderr}"); // a failure seen once under load (session nineteen): the report says why
        Assert.Contains("2 dispatchers, ordinary", stdout, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(2, json.RootElement.GetProperty("Dispatchers").GetInt32());
        Assert.Equal("ordinary", json.RootElement.GetProperty("Scheduling").GetString());
    }
}
