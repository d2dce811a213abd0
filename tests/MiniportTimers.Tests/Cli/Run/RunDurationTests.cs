using System.Text.RegularExpressions;
using MiniportTimers.Cli.Run;
using MiniportTimers.Cli.Shell;

namespace MiniportTimers.Tests.Cli.Run;

/// <summary>
/// Issue 25: runs the tool accepts do not fail for being short. Before, <c>run --virtual --duration-ms 100</c>, 500 and
/// 1000 were accepted and exited 1 ("netvmini: a pended pause or reset never completed"). Now a run shorter than its
/// samples need is refused before it starts (exit 2, naming --duration-ms and the sample), and every sample passes at
/// the minimum it is given. <c>--never-ready-port</c> without --duration-ms extends the run to cover the 60 s give-up;
/// with a shorter --duration-ms a warning says the port will still be starting.
/// </summary>
public class RunDurationTests
{
    private static (int Code, string Stdout, string Stderr) Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("100")]
    [InlineData("500")]
    [InlineData("1000")]
    public void AllSamples_InARunShorterThanTheyNeed_AreRefusedBeforeTheRun(string duration)
    {
        var (code, stdout, stderr) = Cli("run", "--virtual", "--duration-ms", duration);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(stdout);
        Assert.Contains("--duration-ms: ", stderr, StringComparison.Ordinal);
        Assert.Contains("too short for netvmini, which needs at least 2,000 ms", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ASampleThatNeedsLess_RunsShort()
    {
        var (code, stdout, _) = Cli("run", "--virtual", "--sample", "pcnet", "--duration-ms", "100");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("1 miniport (pcnet) for 100 ms", stdout, StringComparison.Ordinal);
    }

    public static TheoryData<string, long?> SamplesAndTicks()
    {
        var data = new TheoryData<string, long?>();
        foreach (var sample in RunSettings.AllSamples)
        {
            foreach (var tick in new long?[] { null, 15_625, 1_000_000 })
            {
                data.Add(sample, tick);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SamplesAndTicks))]
    public void EverySample_AtTheMinimumItIsGiven_Passes(string sample, long? windowsTickMicroseconds)
    {
        var (minimum, _) = RunLimits.MinimumFor([sample], windowsTickMicroseconds);
        foreach (var seed in new[] { 1, 2 })
        {
            using var text = new StringWriter();
            var settings = new RunSettings(true, 4, 4, seed, minimum, null, null, Samples: [sample], WindowsTickMicroseconds: windowsTickMicroseconds);
            Assert.True(RunCommand.Execute(settings, text) == ExitCodes.Success, $"{sample} at {minimum} ms, seed {seed}:\n{text}");
            Assert.Equal(minimum == RunLimits.MinimumDurationMilliseconds, RunLimits.DurationProblem(minimum - 1, true, [sample], windowsTickMicroseconds) is null);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AllSamplesTogether_AtTheirMinimum_Pass(int seed)
    {
        var (minimum, sample) = RunLimits.MinimumFor(RunSettings.AllSamples, null);
        Assert.Equal(("netvmini", 2_000L), (sample, minimum));
        using var text = new StringWriter();
        Assert.True(RunCommand.Execute(new RunSettings(true, 4, 4, seed, minimum, null, null), text) == ExitCodes.Success, text.ToString());
    }

    [Fact]
    public void TheHelp_SaysWhatTheShortestRunsAre()
    {
        var (_, help, _) = Cli("run", "--help");
        Assert.Contains("storahci needs 1,000 ms, netvmini 2,000 ms", help, StringComparison.Ordinal);
    }

    [Fact]
    public void NeverReadyPort_WithoutADuration_ExtendsTheRunToSeeTheGiveUp()
    {
        var (code, stdout, stderr) = Cli("run", "--virtual", "--sample", "storahci", "--never-ready-port", "0:3");
        Assert.Equal(ExitCodes.Success, code);
        var needed = RunLimits.NeverReadyGiveUpMilliseconds(3, 4, null);
        Assert.Contains($"the run lasts {needed:N0} ms instead of the default 11,000 ms", stderr, StringComparison.Ordinal);
        Assert.Contains($"Note: the run lasts {needed:N0} ms", stdout, StringComparison.Ordinal);
        Assert.Contains($"for {needed:N0} ms on the virtual clock", stdout, StringComparison.Ordinal);
        Assert.Matches(PortRow(0, 3, "Failed"), stdout); // gave up: what the option is for
    }

    [Fact]
    public void NeverReadyPort_WithAShorterDurationGiven_WarnsThatThePortWillStillBeStarting()
    {
        var (code, stdout, stderr) = Cli("run", "--virtual", "--sample", "storahci", "--never-ready-port", "0:3", "--duration-ms", "11000");
        Assert.Equal(ExitCodes.Success, code);
        Assert.Contains("run: warning: --never-ready-port 0:3: its start gives up after 60 s of polling", stderr, StringComparison.Ordinal);
        Assert.Contains("the port is reported still starting", stdout, StringComparison.Ordinal);
        Assert.Matches(PortRow(0, 3, "Starting"), stdout);
    }

    private static Regex PortRow(int adapter, int port, string outcome) =>
        new($@"\|\s+{adapter} \|\s+{port} \| {outcome}\s+\|", RegexOptions.None, TimeSpan.FromSeconds(1));
}
