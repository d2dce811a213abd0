using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Hosting.Watchdog;

/// <summary>Issue 5 §7: a callback that never returns, on the real clock (generous bounds, no sleeps in the checks).</summary>
public class StuckCallbackWatchdogTests
{
    [Fact]
    public void CallbackThatNeverReturns_TripsTheDpcWatchdogWhileStuck_AndAnotherEnginesTimersKeepFiring()
    {
        using var stuckEngine = new RealTimeTimerEngine("stuck");
        using var otherEngine = new RealTimeTimerEngine("other");
        var stuckHost = new StorportHost(stuckEngine, new StorportHostOptions { DpcWatchdogMicroseconds = 20_000 });
        var otherHost = new StorportHost(otherEngine);
        var stuckExt = RealClockAdapter.Create(stuckHost);
        var otherExt = RealClockAdapter.Create(otherHost);
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        var otherFires = 0;
        var otherTimer = default(StorPortTimerHandle);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(otherExt, out otherTimer));
        HW_TIMER_EX rearm = null!;
        rearm = (ext, _) =>
        {
            Interlocked.Increment(ref otherFires);
            StorPortRequestTimer(ext, otherTimer, rearm, null, 1_000, 0);
        };
        StorPortRequestTimer(otherExt, otherTimer, rearm, null, 1_000, 0);

        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(stuckExt, out var stuckTimer));
        StorPortRequestTimer(stuckExt, stuckTimer, (_, _) =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(60)); // "never" returns, until the test lets it go
        }, null, 100, 0);

        try
        {
            Assert.True(entered.Wait(TimeSpan.FromSeconds(10)), "the stuck callback started");
            var firesWhenStuck = Volatile.Read(ref otherFires);
            Assert.True(SpinWait.SpinUntil(() => stuckHost.BugChecks.Count > 0, TimeSpan.FromSeconds(10)), "the watchdog reported while the callback was still running");
            Assert.False(release.IsSet);
            var report = Assert.Single(stuckHost.BugChecks);
            Assert.Equal(BugCheckCodes.DPC_WATCHDOG_VIOLATION, report.BugCheck.Code);
            Assert.True(report.BugCheck.Parameter2 > 20_000, "P2: how long it had run, µs");
            Assert.Equal(20_000ul, report.BugCheck.Parameter3);
            Assert.Equal(AdapterState.Faulted, stuckHost.Adapters[0].State);
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref otherFires) > firesWhenStuck + 5, TimeSpan.FromSeconds(10)), "the other engine's timer kept firing");
        }
        finally
        {
            release.Set();
        }

        stuckEngine.FlushDispatched();
        Assert.Single(stuckHost.BugChecks); // the late return does not report it a second time
        Assert.Empty(otherHost.BugChecks);
    }

    [Fact]
    public void WhenCallbacksStop_TheWatchdogParks_AndTheNextStuckCallbackStillTripsIt()
    {
        using var engine = new RealTimeTimerEngine("parking");
        var (host, ext, timer, watchdog) = AfterOneCallback(new StorportHost(engine, new StorportHostOptions { DpcWatchdogMicroseconds = 20_000 }) { WatchdogQuietBeforeParking = TimeSpan.FromMilliseconds(50) });
        Assert.True(SpinWait.SpinUntil(() => watchdog.IsParked, TimeSpan.FromSeconds(10)), "parks after a quiet spell");

        // Parked: no scans while nothing runs (a generous 300 ms look).
        var scans = watchdog.Scans;
        Idle(TimeSpan.FromMilliseconds(300));
        Assert.True(watchdog.Scans <= scans + 1, $"scanned {watchdog.Scans - scans} times while parked");

        // The next callback wakes it, and a stuck one is still caught.
        AStuckCallbackTrips(host, ext, timer, "tripped after unparking");
        Assert.True(watchdog.WokenByCallbacks >= 1, "the parked thread was woken by the callback");
    }

    /// <summary>
    /// Issue 27, session nineteen: after a quiet spell the watchdog dozes (a scan per allotment) instead of parking, so the
    /// callback that starts next need not wake it (a futex call on the dispatcher, 17-89 µs after a long sleep on the
    /// VM); a callback that gets stuck meanwhile is still caught (the next doze scan finds it running and wakes up).
    /// </summary>
    [Fact]
    public void WhenCallbacksStop_TheWatchdogDozes_SoTheNextCallbackDoesNotWakeIt_AndAStuckOneStillTripsIt()
    {
        using var engine = new RealTimeTimerEngine("dozing");
        var (host, ext, timer, watchdog) = AfterOneCallback(new StorportHost(engine, new StorportHostOptions { DpcWatchdogMicroseconds = 20_000 }) { WatchdogQuietBeforeDozing = TimeSpan.FromMilliseconds(50) });

        // Dozing: scans go on at the allotment's pace (20 ms), not the quarter's (5 ms), and the thread is never parked.
        Idle(TimeSpan.FromMilliseconds(300)); // the quiet spell (50 ms) and then some
        var scans = watchdog.Scans;
        Idle(TimeSpan.FromMilliseconds(400));
        Assert.False(watchdog.IsParked);
        Assert.InRange(watchdog.Scans - scans, 1, 40); // 20 at the allotment's pace; 80 awake

        // The next callback finds it awake (no wake-up paid), and a stuck one is still caught.
        AStuckCallbackTrips(host, ext, timer, "tripped while dozing");
        Assert.Equal(0, watchdog.WokenByCallbacks);
    }

    /// <summary>Starts an adapter on <paramref name="host"/> (real clock) and runs one quick timer callback: the watchdog thread has seen activity.</summary>
    private static (StorportHost Host, object Extension, StorPortTimerHandle Timer, MiniportTimers.Hosting.Watchdog.StuckCallbackWatchdog Watchdog) AfterOneCallback(StorportHost host)
    {
        var ext = RealClockAdapter.Create(host);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(ext, out var timer));
        using var fired = new ManualResetEventSlim();
        StorPortRequestTimer(ext, timer, (_, _) => fired.Set(), null, 100, 0);
        Assert.True(fired.Wait(TimeSpan.FromSeconds(10)));
        Assert.NotNull(host.Watchdog);
        return (host, ext, timer!, host.Watchdog);
    }

    /// <summary>Runs a timer callback that does not return for a minute, and asserts the watchdog reports it (once, as DPC_WATCHDOG_VIOLATION) while it is stuck.</summary>
    private static void AStuckCallbackTrips(StorportHost host, object ext, StorPortTimerHandle timer, string because)
    {
        using var release = new ManualResetEventSlim();
        StorPortRequestTimer(ext, timer, (_, _) => release.Wait(TimeSpan.FromSeconds(60)), null, 100, 0);
        try
        {
            Assert.True(SpinWait.SpinUntil(() => host.BugChecks.Count > 0, TimeSpan.FromSeconds(10)), because);
            Assert.Equal(BugCheckCodes.DPC_WATCHDOG_VIOLATION, Assert.Single(host.BugChecks).BugCheck.Code);
        }
        finally
        {
            release.Set();
        }
    }

    private static void Idle(TimeSpan span)
    {
        using var idle = new ManualResetEventSlim();
        idle.Wait(span);
    }

    [Fact]
    public void OnTheRealClock_TheWatchdogThreadStartsWithTheHost_NotInTheFirstCallback_AndOnTheVirtualClockOnlyWhenACallbackRuns()
    {
        // Issue 27's tails: starting the thread in the first callback held that dispatcher up for 2-3 ms.
        using var real = new RealTimeTimerEngine();
        var realHost = new StorportHost(real);
        Assert.NotNull(realHost.Watchdog);

        var virtualHost = new StorportHost(new VirtualTimerEngine());
        Assert.Null(virtualHost.Watchdog);
        var off = new StorportHost(new RealTimeTimerEngine(), new StorportHostOptions { Verifier = false });
        Assert.Null(off.Watchdog); // the verifier's watchdog: off with it
        off.Engine.Dispose();
    }
}
