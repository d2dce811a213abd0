using MiniportTimers.Cli.Shell;

namespace MiniportTimers.Tests.Cli.Run;

/// <summary>
/// Issue 25: on a terminal a run shows live progress (engine time elapsed and to go, and per sample its arms, fires,
/// bug checks and findings); redirected output never has it, and a virtual run's stays byte-identical. Before, a
/// real-clock run's progress bar had no time to go and no counts, and a virtual run showed nothing.
/// </summary>
public class RunProgressTests
{
    private static (int Code, string Stdout) Run(bool terminal, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr, writer => terminal && ReferenceEquals(writer, stdout) ? new Terminal(true, false, 100) : Terminal.Redirected);
        Assert.True(code == 0, $"exit code {code}{Environment.NewLine}stderr:{Environment.NewLine}{stderr}{Environment.NewLine}stdout:{Environment.NewLine}{stdout}");
        return (code, stdout.ToString());
    }

    [Fact]
    public void OnATerminal_ARealClockRun_ShowsTimeToGoAndCountsPerSample()
    {
        var (code, stdout) = Run(true, "run", "--sample", "pcnet", "--sample", "e100bex", "--duration-ms", "1500");
        Assert.Equal(0, code);
        Assert.Matches(@"run: \d+\.\d s of 1\.5 s \(\d+ %\), \d+\.\d s to go", stdout);
        Assert.Matches(@"e100bex\s+[\d,]+ arms\s+[\d,]+ fires\s+0 bug checks\s+0 findings", stdout);
        Assert.Contains("2 miniports (pcnet, e100bex) for 1,500 ms on the real clock", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Redirected_ThereIsNoProgress_AndAVirtualRunStaysByteIdentical()
    {
        var first = Run(false, "run", "--virtual", "--sample", "pcnet", "--sample", "e100bex");
        var second = Run(false, "run", "--virtual", "--sample", "pcnet", "--sample", "e100bex");
        Assert.Equal(0, first.Code);
        Assert.Equal(first.Stdout, second.Stdout);
        Assert.DoesNotContain("to go", first.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', first.Stdout);
    }
}
