using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Hosting.Timers;

/// <summary>
/// Issue 27, sessions nineteen and twenty: where a host's timer rows touch their recorders' memory. On a real clock a row
/// made on an ordinary thread (a timer first armed in HwInitialize, at PnP start) is prefaulted there; a row made on a
/// dispatcher (a timer first armed from a DPC or a callback) is prefaulted a page a millisecond on a thread of its own
/// (RecorderPrefaulter), since 0.5 ms per recorder there would hold up every timer of that dispatcher, and untouched,
/// its samples took the faults on the fire path; on a virtual clock nothing is prefaulted (no fire path measures faults there).
/// </summary>
public sealed class HostTimerRecordsTests
{
    [Fact]
    public void OnTheRealClock_ARowFirstArmedOffTheDispatcherIsPrefaulted_AndOneFirstArmedInACallbackIsPrefaultedInTheBackground()
    {
        using var engine = new RealTimeTimerEngine("records");
        var host = new StorportHost(engine);
        var ext = RealClockAdapter.Create(host);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(ext, out var outer));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(ext, out var inner));
        using var innerFired = new ManualResetEventSlim();
        var armedInCallback = STOR_STATUS_UNSUCCESSFUL;
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(ext, outer, OuterCallback, null, 1_000, 0));
        Assert.True(innerFired.Wait(TimeSpan.FromSeconds(10)), "the timer armed in the callback fired");
        Assert.Equal(STOR_STATUS_SUCCESS, armedInCallback);

        Assert.Equal(RecorderPrefault.Now, Row(host, nameof(OuterCallback)).Prefault);
        Assert.True(Row(host, nameof(OuterCallback)).LatenessPrefaulted);
        var innerRow = Row(host, nameof(InnerCallback));
        Assert.Equal(RecorderPrefault.InBackground, innerRow.Prefault);
        Assert.True(SpinWait.SpinUntil(() => innerRow.LatenessPrefaulted, TimeSpan.FromSeconds(30)), "the prefaulting thread prefaulted the row made in the callback");
        Assert.Equal(1, innerRow.Fires);

        void OuterCallback(object? e, object? context) => armedInCallback = StorPortRequestTimer(e, inner, InnerCallback, null, 1_000, 0);

        void InnerCallback(object? e, object? context) => innerFired.Set();
    }

    [Fact]
    public void OnTheVirtualClock_NoRowIsPrefaulted()
    {
        var engine = new VirtualTimerEngine();
        var host = new StorportHost(engine);
        var ext = MiniportTimers.Samples.Harness.NullMiniport.Start(host);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(ext, out var timer));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(ext, timer, Callback, null, 1_000, 0));
        engine.AdvanceBy(1_000_000);
        Assert.Equal(1, Row(host, nameof(Callback)).Fires);
        Assert.Equal(RecorderPrefault.None, Row(host, nameof(Callback)).Prefault);
        Assert.False(Row(host, nameof(Callback)).LatenessPrefaulted);

        static void Callback(object? e, object? context)
        {
        }
    }

    private static TimerActivity Row(StorportHost host, string callback) =>
        Assert.Single(host.TimerActivity.Rows, r => r.Callback.Contains(callback, StringComparison.Ordinal));
}
