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

    [Theory]
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
