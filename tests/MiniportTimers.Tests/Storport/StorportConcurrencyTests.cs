using MiniportTimers.Samples.Harness;

namespace MiniportTimers.Tests.Storport;

/// <summary>
/// Real clock, several threads: each thread requests, cancels and frees its own timers on one adapter while callbacks
/// run on the dispatcher. Checked: no lost, duplicate or early callback, no callback after a successful free. (The
/// 8-thread, 1,000,000-operation version is `miniport-timers stress`.)
/// </summary>
public class StorportConcurrencyTests
{
    [Fact]
    public void ThreadsArmCancelAndFreeOwnTimers_NoLostDuplicateEarlyOrPostFreeCallback()
    {
        var result = StressRun.Execute(threads: 4, operations: 40_000);
        Assert.Empty(result.Violations);
        Assert.True(result.Callbacks > 100, $"only {result.Callbacks} callbacks ran");
    }
}
