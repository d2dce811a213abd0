using System.Runtime;
using MiniportTimers.Cli.Run;

namespace MiniportTimers.Tests.Cli.Run;

/// <summary>
/// The GC settings a real-clock run holds (SustainedLowLatency, a no-GC region) are the process's: a second run in the
/// same process (a library user's, or a parallel test's) must neither fail nor take them from the first. Before, the
/// second run's start set the latency mode while the first held a no-GC region, and the runtime threw
/// InvalidOperationException ("The NoGCRegion mode is in progress"): the run failed with exit code 1 (CI, session ten).
/// </summary>
public class RunCollectionsTests
{
    [Fact]
    public void ASecondRunInTheProcess_SharesTheFirstsSettings_AndTheLastOutRestoresThem()
    {
        var before = GCSettings.LatencyMode;
        using (var first = RunCollections.Start())
        {
            using var second = RunCollections.Start();
            Assert.False(second.OwnsSettings);
            Assert.Contains("set by another run or the host in this process", second.Finish().LatencyMode, StringComparison.Ordinal);
            if (first.OwnsSettings)
            {
                Assert.NotEqual(GCLatencyMode.Batch, GCSettings.LatencyMode);
            }
        }

        if (before != GCLatencyMode.NoGCRegion)
        {
            Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        }
    }
}
