using System.Text.Json;
using MiniportTimers.Cli.Run;

namespace MiniportTimers.Tests.Cli;

public class RunCommandTests
{
    private static (int Code, string Text) Run(RunSettings settings)
    {
        using var writer = new StringWriter();
        var code = RunCommand.Execute(settings, writer);
        return (code, writer.ToString());
    }

    private static RunSettings Virtual(int seed = 1, string? json = null) => new(true, 4, 4, seed, RunSettings.DefaultDurationMilliseconds, null, json);

    [Fact]
    public void RunVirtual_SameSeedTwice_PrintsByteForByteTheSameReportAndExitsZero()
    {
        var a = Run(Virtual());
        var b = Run(Virtual());
        Assert.Equal(0, a.Code);
        Assert.Equal(a.Text, b.Text);
        Assert.Contains("ports started: 16, ports failed: 0, ports empty: 0", a.Text);
        Assert.Contains("Bug checks in all: 0", a.Text);
        foreach (var callback in new[] { "P_Running_Callback", "AsyncBusyCheckTimerDpc", "MediaDetectionCallback", "LinkDetectionDpc" })
        {
            Assert.Contains(callback, a.Text);
        }
        Assert.DoesNotContain("INVARIANT FAILURE", a.Text);
    }

    [Fact]
    public void RunVirtual_SameSeedInTwoProcesses_PrintsTheSameReport()
    {
        // In-process repetition cannot catch per-process randomness (string hashing, HashCode): run the tool twice.
        var tool = Path.Combine(AppContext.BaseDirectory, "miniport-timers.dll");
        string RunTool()
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", [tool, "run", "--virtual", "--seed", "3"])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            var output = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(2)));
            Assert.Equal(0, process.ExitCode);
            return output;
        }

        var first = RunTool();
        Assert.Equal(first, RunTool());
        Assert.Contains("Bug checks in all: 0", first);
    }

    [Fact]
    public void RunVirtual_Json_WritesTheReport()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mt-{Guid.NewGuid():N}.json");
        try
        {
            Assert.Equal(0, Run(Virtual(json: path)).Code);
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            Assert.Equal(0, root.GetProperty("BugCheckCount").GetInt32());
            var samples = root.GetProperty("Samples").EnumerateArray().ToDictionary(s => s.GetProperty("Name").GetString()!);
            Assert.Equal(["storahci", "nvme", "nvme-win7", "netvmini", "pcnet", "e100bex"], samples.Keys);
            Assert.Equal(16, samples["storahci"].GetProperty("Ports").GetArrayLength());
            Assert.Contains(samples["storahci"].GetProperty("Timers").EnumerateArray(), t => t.GetProperty("Callback").GetString() == "AhciAutoPartialToSlumber");
            Assert.Contains(samples["netvmini"].GetProperty("Facts").EnumerateArray(), f => f.GetProperty("Label").GetString() == "pauses completed from timer" && f.GetProperty("Value").GetInt64() > 0);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RunVirtual_OneSample_RunsOnlyThatSample()
    {
        var (code, text) = Run(Virtual() with { Samples = ["pcnet"] });
        Assert.Equal(0, code);
        Assert.Contains("== pcnet ==", text);
        Assert.DoesNotContain("== storahci ==", text);
    }

    [Fact]
    public void RunVirtual_WindowsTick_ShowsTheWindowsLatenessAndStillWorks()
    {
        var precise = Run(Virtual() with { Samples = ["storahci"] });
        var windows = Run(Virtual() with { Samples = ["storahci"], WindowsTickMicroseconds = 15_625 });
        Assert.Equal(0, windows.Code);
        Assert.Contains("Windows clock tick 15.625 ms", windows.Text);
        Assert.Contains("ports started: 16", windows.Text);
        static string PollRow(string text) => text.Split('\n').Single(l => l.Contains("P_Running_Callback", StringComparison.Ordinal));
        Assert.NotEqual(PollRow(precise.Text), PollRow(windows.Text));
    }

    /// <summary>
    /// Every sample on two dispatchers, the real clock: the workload's events are dealt over both and run at once, which
    /// one dispatcher hid. Session eleven found two races this way (the NDIS samples' adapter slots, e100bex's and
    /// netvmini's queues without their locks). Outcome only: no bug check, no invariant failure, no callback fault.
    /// </summary>
    [Fact]
    public void RunReal_TwoDispatchers_EverySampleEndsWithoutAFailure()
    {
        var (code, text) = Run(new RunSettings(false, 2, 2, 1, 2_000, null, null, Dispatchers: 2)); // netvmini needs 2 s
        Assert.DoesNotContain("INVARIANT FAILURE", text, StringComparison.Ordinal);
        Assert.Equal(0, code);
        Assert.Contains("Bug checks in all: 0", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownSample_ExitsTwo()
    {
        Assert.Equal(2, Run(Virtual() with { Samples = ["nosuch"] }).Code);
    }

    [Fact]
    public void Run_BadPortCount_ExitsTwoWithAMessage()
    {
        var (code, text) = Run(new RunSettings(true, 1, 40, 1, 1_000, null, null));
        Assert.Equal(2, code);
        Assert.Contains("--ports", text);
    }
}
