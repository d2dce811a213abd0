using MiniportTimers.Diagnostics;

namespace MiniportTimers.Tests.Diagnostics;

/// <summary>
/// Issue 27, session twenty: rows made on a dispatcher have their recorders prefaulted on a thread of its own, a page a
/// millisecond (in one go, a thread-pool thread took CPU from the dispatcher as adapters started; at SCHED_IDLE, a
/// starved thread inside a page fault can stall the whole process), and a row's second recorder, which only tolerant
/// timers record into, is prefaulted only once a tolerance is seen.
/// </summary>
public sealed class RecorderPrefaulterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public void AQueuedRecorder_IsPrefaulted_APageAMillisecond()
    {
        var marker = new LatenessRecorder();
        RecorderPrefaulter.Queue(marker); // whatever other tests queued is done once this is
        Assert.True(SpinWait.SpinUntil(() => marker.IsPrefaulted, Patience));
        var recorder = new LatenessRecorder();
        Assert.False(recorder.IsPrefaulted);

        var started = System.Diagnostics.Stopwatch.StartNew();
        RecorderPrefaulter.Queue(recorder);
        Assert.True(SpinWait.SpinUntil(() => recorder.IsPrefaulted, Patience), "the queued recorder was prefaulted");

        // 66 pages, a pause of at least 1 ms after each but the last: never in one go.
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(40), $"prefaulted in {started.Elapsed.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public void ARowPrefaultsItsPastToleranceRecorder_OnlyOnceATimerOfItAsksForATolerance()
    {
        var exact = new TimerActivity("StorPortRequestTimer", "Exact", RecorderPrefault.Now);
        var tolerant = new TimerActivity("StorPortRequestTimer", "Tolerant", RecorderPrefault.Now);
        var virtualClock = new TimerActivity("StorPortRequestTimer", "Virtual", RecorderPrefault.None);
        Assert.True(exact.LatenessPrefaulted); // the lateness recorder, at once
        Assert.False(virtualClock.LatenessPrefaulted);

        exact.CountFire(5_000, toleranceNanoseconds: 0);
        tolerant.CountFire(5_000, toleranceNanoseconds: 20_000_000);
        virtualClock.CountFire(5_000, toleranceNanoseconds: 20_000_000);

        Assert.True(SpinWait.SpinUntil(() => tolerant.LatenessPastTolerance.IsPrefaulted, Patience), "the tolerant row's second recorder was prefaulted");
        var marker = new LatenessRecorder(); // queued after the tolerant row's: once it is done, anything queued before is too
        RecorderPrefaulter.Queue(marker);
        Assert.True(SpinWait.SpinUntil(() => marker.IsPrefaulted, Patience));
        Assert.False(exact.LatenessPastTolerance.IsPrefaulted);
        Assert.False(virtualClock.LatenessPastTolerance.IsPrefaulted);
        Assert.False(virtualClock.Lateness.IsPrefaulted);
    }
}
