using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Kernel.Watchdog;
using MiniportTimers.Tests.Support;

namespace MiniportTimers.Tests.Kernel.Timers;

/// <summary>
/// Issue 27, session nineteen: a row's new worst fire takes one schedstat reading for both of its figures, the CPU wait
/// since the due time and the baseline of its dispatch path. Two readings there were 5-10 µs of system calls on a cold
/// dispatcher, inside the fire of a rarely firing timer and in the lateness of every timer due behind it.
/// </summary>
public sealed class CallbackRunProbeTests
{
    [LinuxFact]
    public void NowWithRunDelaySince_ReadsSchedstatOnce_AndItsProbeCountsFromThatReading()
    {
        SystemStolenTime.Instance.RecentSchedulerStats(0); // a fresh reading: the baseline, the handle opened
        var reader = ThreadFrame.Current.Scheduler;
        Assert.NotNull(reader);
        var readsBefore = reader.Reads;

        var probe = CallbackRunProbe.NowWithRunDelaySince(0, out var runDelaySince);

        Assert.Equal(readsBefore + 1, reader.Reads);
        Assert.True(runDelaySince >= 0, "the reading just taken is at least 0 ns old: a baseline exists");

        // The probe's run delay is that reading's: a later probe never sees less, and the stretch between them is
        // measured from it (no collection, JIT of this thread or CPU wait is negative).
        var later = CallbackRunProbe.Now(realClock: true);
        var (collections, pause, jit, cpuWait, spinLockWait) = probe.Until(later);
        Assert.True(collections >= 0 && pause >= 0 && jit >= 0 && cpuWait >= 0 && spinLockWait >= 0);
        Assert.Equal(readsBefore + 2, reader.Reads);
    }

    [LinuxFact]
    public void NowWithRunDelaySince_WithNoReadingThatOld_SaysUnknown()
    {
        SystemStolenTime.Instance.RecentSchedulerStats(0);
        SystemStolenTime.Instance.RecentSchedulerStats(0); // both kept readings are from now

        CallbackRunProbe.NowWithRunDelaySince(TimeSpan.FromHours(1).Ticks * 100, out var runDelaySince);

        Assert.Equal(-1, runDelaySince);
    }
    /// <summary>
    /// Issue 27, session nineteen: a dispatcher that slept from its last reading to a timer's due time reuses that
    /// reading as the callback's CPU-wait baseline (a sleeping thread accrues no run-queue wait) instead of paying a
    /// fresh, cold system call in the callback. A one-shot re-armed every 20 ms from its own callback on a real clock:
    /// the starts of its later fires take no reading of their own. A fire that is the row's latest or longest so far
    /// still takes one, to record it, so the first run is made 5 ms long and the second fire 4 ms late: on a loaded
    /// machine later fires grew new worsts one after another, and the test failed in CI (session twenty: 1, 1, 0, 0, 1,
    /// 2, 1, 2, 1).
    /// </summary>
    [LinuxFact]
    public void AfterASleep_TheDispatchersLastReadingIsTheBaseline_NotAFreshOne()
    {
        using var engine = new MiniportTimers.Engine.RealTimeTimerEngine("credit");
        var host = new MiniportTimers.Storport.StorportHost(engine);
        var ext = MiniportTimers.Tests.Storport.RealClockAdapter.Create(host);
        Assert.Equal(MiniportTimers.Storport.StorPort.STOR_STATUS_SUCCESS, MiniportTimers.Storport.StorPort.StorPortInitializeTimer(ext, out var timer));
        var reads = new List<long>();
        using var done = new ManualResetEventSlim();
        void Callback(object? e, object? context)
        {
            reads.Add(ThreadFrame.Current.Scheduler?.Reads ?? -1);
            if (reads.Count == 1)
            {
                // The row's longest run and, for the next fire, its worst lateness, out of reach of the later fires.
                MiniportTimers.Storport.StorPort.StorPortRequestTimer(e, timer, Callback, null, 1_000, 0);
                var until = System.Diagnostics.Stopwatch.GetTimestamp() + (System.Diagnostics.Stopwatch.Frequency / 200);
                while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(10);
                }
            }
            else if (reads.Count < 12)
            {
                MiniportTimers.Storport.StorPort.StorPortRequestTimer(e, timer, Callback, null, 20_000, 0);
            }
            else
            {
                done.Set();
            }
        }

        MiniportTimers.Storport.StorPort.StorPortRequestTimer(ext, timer, Callback, null, 20_000, 0);
        Assert.True(done.Wait(TimeSpan.FromSeconds(30)));

        // Readings between consecutive fires, from the third on (the first fires open the handle and set records).
        var between = reads.Zip(reads.Skip(1), (a, b) => b - a).Skip(2).ToList();
        Assert.True(between.Count(r => r == 0) >= between.Count / 2, $"readings between fires: {string.Join(", ", between)}");
    }
}
