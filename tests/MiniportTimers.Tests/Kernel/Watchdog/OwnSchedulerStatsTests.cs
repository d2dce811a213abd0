using System.Runtime;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Watchdog;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Support;

namespace MiniportTimers.Tests.Kernel.Watchdog;

/// <summary>
/// Issue 26 §4: an ended dispatch thread's <c>/proc/thread-self/schedstat</c> handle is closed, not left to a GC's
/// finalizer. Before the fix every real-clock engine whose dispatch thread ran a watched callback left one descriptor per
/// dispatcher open until a collection: +40 over 20 engines. Alone (no parallel test opens descriptors meanwhile).
/// </summary>
[Collection(nameof(OwnSchedulerStatsTests))]
[CollectionDefinition(nameof(OwnSchedulerStatsTests), DisableParallelization = true)]
public class OwnSchedulerStatsTests
{
    private const int Cycles = 20;
    private const int Dispatchers = 2;

    [LinuxFact]
    public void EndedDispatchThreadsDoNotKeepTheirSchedstatDescriptors()
    {
        RunCycle(); // the first cycle may open what stays open for the process (the runtime's own, a live reader's)
        var before = OpenDescriptors();

        // A collection would finalize leaked handles and hide the leak: hold collections off while the engines come and
        // go where the runtime allows it (no GC.Collect: the handles must be closed by the library, not by a GC).
        var noGc = TryStartNoGcRegion();
        int after, ofEndedThreads;
        try
        {
            for (var i = 0; i < Cycles; i++)
            {
                RunCycle();
            }

            after = OpenDescriptors();
            ofEndedThreads = SchedstatDescriptorsOfEndedThreads();
        }
        finally
        {
            if (noGc && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                GC.EndNoGCRegion();
            }
        }

        // Without the fix: + Cycles × Dispatchers (40), every one a schedstat of an ended thread. With it: at most the
        // last cycle's threads' handles (closed at the next open), give or take the runtime's own churn.
        Assert.True(ofEndedThreads <= Dispatchers, $"{ofEndedThreads} schedstat descriptors of ended threads open after {Cycles} engines of {Dispatchers} dispatchers");
        Assert.True(after - before <= 3 * Dispatchers, $"{after - before} descriptors more after {Cycles} engines of {Dispatchers} dispatchers (before {before}, after {after})");
    }

    [LinuxFact]
    public void AnOpenClosesTheHandlesOfEndedThreads()
    {
        var thread = new Thread(() => SystemStolenTime.Instance.SchedulerStats(SystemStolenTime.Instance.CurrentThreadId(), ownThread: true));
        thread.Start();
        thread.Join();
        Assert.True(OwnSchedulerStats.OpenOfEndedThreads() >= 1); // the ended thread's handle is still open...

        var opener = new Thread(() => SystemStolenTime.Instance.SchedulerStats(SystemStolenTime.Instance.CurrentThreadId(), ownThread: true));
        opener.Start();
        opener.Join();
        Assert.Equal(1, OwnSchedulerStats.OpenOfEndedThreads()); // ...until the next open: only the opener's own (now ended) remains
    }

    /// <summary>One real-clock engine whose dispatchers each run a watched callback (verifier on), then disposed.</summary>
    private static void RunCycle()
    {
        using var engine = new RealTimeTimerEngine(dispatchers: Dispatchers);
        var scope = KernelScope.ForHost(engine, new StorportHostOptions(), null, null, NullTimerRecords.Instance, "driver");
        using var fired = new CountdownEvent(Dispatchers);
        for (var d = 0; d < Dispatchers; d++)
        {
            var timer = engine.CreateTimer(static (t, in _) =>
            {
                var (s, done) = ((KernelScope, CountdownEvent))t.State!;
                DpcWatchdog.RunWatched("TimerCallback", s, done, static (in e) => e.Signal());
            }, (scope, fired));
            Assert.True(engine.TrySetTargetDispatcher(timer, d));
            engine.ArmAfter(timer, 100_000);
        }

        Assert.True(fired.Wait(TimeSpan.FromSeconds(30)), "the watched callbacks ran");
    }

    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>Open descriptors whose target is the schedstat of a thread of this process that no longer exists.</summary>
    private static int SchedstatDescriptorsOfEndedThreads()
    {
        var count = 0;
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed meanwhile
            }

            // "/proc/PID/task/TID/schedstat"
            if (target is not null && target.EndsWith("/schedstat", StringComparison.Ordinal) && !Directory.Exists(Path.GetDirectoryName(target)))
            {
                count++;
            }
        }

        return count;
    }

    private static bool TryStartNoGcRegion()
    {
        try
        {
            return GC.TryStartNoGCRegion(200_000_000);
        }
        catch (ArgumentOutOfRangeException)
        {
            return false; // more than this runtime's budget: run without (a GC may then hide a leak, never invent one)
        }
        catch (InvalidOperationException)
        {
            // A region already in progress: another test's real-clock run still holding its own (RunCollections; seen
            // once in CI, session eighteen). Collections are held off all the same; it is not this test's to end.
            return false;
        }
    }
}
