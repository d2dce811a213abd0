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
}
