using MiniportTimers.Cli.Stress;

namespace MiniportTimers.Tests.Cli;

/// <summary>In the non-parallel collection: the run checks that the process's open descriptors do not grow.</summary>
[Collection(nameof(MiniportTimers.Tests.Reliability.LifecycleFuzz))]
public class StressCommandTests
{
    [Fact]
    public void Stress_SmallRun_ReportsNoViolationsAndExitsZero()
    {
        using var writer = new StringWriter();
        var code = StressCommand.Execute(threads: 2, operations: 4_000, writer);
        var text = writer.ToString();
        Assert.True(code == 0, text);
        Assert.Contains("operations on 2 threads", text);
        Assert.Contains("violations: 0", text);
        Assert.DoesNotContain("memory did not come back down", text);
    }

    [Fact]
    public void Stress_WithALazyChurn_EveryOneShotAndEveryIdleTimeoutFiresOnceAtItsLastArming()
    {
        // The churn of docs/reliability.md's starvation, small: 20,000 idle timeouts re-armed lazily for half a second,
        // 200 one-shots due meanwhile; then each idle timeout's last arming. Before session fourteen's fix the one-shots of
        // a million-timer churn starved; at this size the run checks the callbacks (none lost, early, twice or stale).
        using var writer = new StringWriter();
        var code = StressCommand.Execute(threads: 2, operations: 1_000, writer, lazyChurnTimers: 20_000, churnMilliseconds: 500);
        var text = writer.ToString();
        Assert.True(code == 0, text);
        Assert.Contains("lazy churn: 20,000 idle timeouts", text);
        Assert.Contains("200 one-shots due meanwhile", text);
        Assert.Contains("lazy churn violations: 0", text);
    }

    [Fact]
    public void Stress_ALazyChurnOfFewerThan100Timers_IsRejectedNamingTheOption()
    {
        var parse = StressCommand.Create().Parse(["--lazy-churn", "50"]);
        var error = Assert.Single(parse.Errors);
        Assert.Contains("--lazy-churn 50", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--lazy-churn", "-1")]
    [InlineData("--churn-ms", "0")]
    [InlineData("--threads", "0")]
    [InlineData("--operations", "0")]
    [InlineData("--gc-every-ms", "-1")]
    public void Stress_ABadValue_IsRejectedBeforeAnyWork_NamingTheOption(string option, string value)
    {
        var command = StressCommand.Create();
        var parse = command.Parse([option, value]);
        var error = Assert.Single(parse.Errors);
        Assert.Contains(option, error.Message, StringComparison.Ordinal); // before: --threads 0 crashed with a stack trace
        Assert.Contains(value, error.Message, StringComparison.Ordinal);
    }
}
