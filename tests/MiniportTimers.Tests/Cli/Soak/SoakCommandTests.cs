using MiniportTimers.Cli.Shell;
using MiniportTimers.Tests.Native;

namespace MiniportTimers.Tests.Cli.Soak;

/// <summary>
/// Issue 21 §4: the hidden <c>soak</c> command. Its smoke runs judge by count (no bridge map grew, nothing released
/// stayed alive, no bug check); bytes per unit are judged only on long runs, which are not tests (docs/reliability.md).
/// </summary>
[Collection(NativeDriverCollection.Name)]
public class SoakCommandTests
{
    [Fact]
    public void Soak_IsHidden_AndABadCountIsRejectedBeforeAnyWork()
    {
        var (code, _, stderr) = Run("soak", "native", "--cycles", "0");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--cycles: 0 is out of range", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("soak", Run("--help").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Soak_WithoutTheBuiltDrivers_SaysHowToBuildThem()
    {
        var (code, _, stderr) = Run("soak", "native", "--cycles", "1", "--native-build", "/nonexistent-mpt-build");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("make -C native", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // no stack trace
    }

    [NativeFact]
    public void Soak_SmokeRuns_AreFlatByCount_AndExitZero()
    {
        var build = Path.GetDirectoryName(NativeBuild.Driver("storport_timers"))!;
        foreach (var args in new[] { new[] { "native", "--cycles", "3" }, ["native-adapters", "--adapters", "3"], ["native-timers", "--timers", "4"] })
        {
            var (code, stdout, stderr) = Run(["soak", .. args, "--native-build", build]);
            Assert.True(code == ExitCodes.Success, $"soak {string.Join(' ', args)}: exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("flat by count: no bridge map grew, no failure", stdout, StringComparison.Ordinal);
            Assert.Contains("| managed KiB |", stdout, StringComparison.Ordinal);
        }
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
