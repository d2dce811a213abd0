using MiniportTimers.Cli.Shell;
using MiniportTimers.Cli.Stress;

namespace MiniportTimers.Tests.Cli.Stress;

/// <summary>
/// Issue 25: stress shows its progress on a terminal (operations and callbacks so far, elapsed and remaining time);
/// before it was silent for about a minute. Redirected, it prints its report only. (In the non-parallel collection:
/// the run checks that the process's open descriptors do not grow.)
/// </summary>
[Collection(nameof(MiniportTimers.Tests.Reliability.LifecycleFuzz))]
public class StressProgressTests
{
    [Fact]
    public void OnATerminal_StressShowsOperationsAndCallbacksSoFar()
    {
        using var terminal = new StringWriter();
        Assert.Equal(ExitCodes.Success, StressCommand.Execute(threads: 2, operations: 4_000, terminal, terminals: _ => new Terminal(true, false, 120)));
        Assert.Matches(@"stress: [\d,]+ of 4,000 operations, [\d,]+ callbacks", terminal.ToString());
        Assert.Contains("violations: 0", terminal.ToString(), StringComparison.Ordinal);

        using var redirected = new StringWriter();
        Assert.Equal(ExitCodes.Success, StressCommand.Execute(threads: 1, operations: 1_000, redirected));
        Assert.StartsWith("stress: 1,000 operations on 1 thread in", redirected.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', redirected.ToString());
    }
}
