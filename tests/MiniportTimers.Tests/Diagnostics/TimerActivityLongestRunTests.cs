using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Diagnostics;

/// <summary>
/// Issue 25: each timer row keeps the longest time one of its expiries held the dispatcher, and the adapter it ran
/// for, so the run report can name the longest callback (before it printed only "longest callback 21345.2 µs").
/// </summary>
public class TimerActivityLongestRunTests
{
    [Fact]
    public void ACallbackThatBlocks_IsTheRowsLongestRun_WithItsAdapter()
    {
        using var engine = new RealTimeTimerEngine("longest run test");
        var host = new StorportHost(engine);
        var ext = NullMiniport.Start(host);
        using var done = new ManualResetEventSlim();
        StorPortInitializeTimer(ext, out var timer);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(ext, timer, (_, _) =>
        {
            Thread.Sleep(20);
            done.Set();
        }, null, 1_000, 0));
        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));
        engine.FlushDispatched();

        var row = Assert.Single(host.Diagnostics.TimerActivity.Rows);
        Assert.InRange(row.LongestRunNanoseconds, 20 * TimeUnits.NanosecondsPerMillisecond, long.MaxValue);
        Assert.Equal(host.Adapters[0].Name, row.LongestRunAdapter);
    }
}
