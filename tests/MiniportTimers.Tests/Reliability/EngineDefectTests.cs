using System.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Engine.Waiting;
using MiniportTimers.Tests.Support;

namespace MiniportTimers.Tests.Reliability;

/// <summary>Issue 11, the engine's defects 1 and 3-7: each test failed before its fix.</summary>
public class EngineDefectTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public async Task Defect01_CancelOfAnotherEnginesTimer_IsRejected_AndBothEnginesFireTheirOwnTimers()
    {
        var a = new VirtualTimerEngine();
        var b = new VirtualTimerEngine();
        var firedA = new List<string>();
        var firedB = new List<string>();
        var farA = a.CreateTimer((_, in _) => firedA.Add("far"));
        var nearA = a.CreateTimer((_, in _) => firedA.Add("near"));
        var nearB = b.CreateTimer((_, in _) => firedB.Add("near"));
        a.Arm(farA, 10_000 * Ms);
        a.Arm(nearA, 5 * Ms);
        b.Arm(nearB, 5 * Ms);

        var ex = Assert.Throws<ArgumentException>(() => b.Cancel(farA));
        Assert.Equal("timer", ex.ParamName);

        // Before the fix both advances hung (the other engine's wheel counts were corrupted).
        await Task.Run(() => (a.AdvanceBy(20_000 * Ms), b.AdvanceBy(20_000 * Ms))).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["near", "far"], firedA);
        Assert.Equal(["near"], firedB);
        Assert.Equal((0, 0), (a.PendingCount, b.PendingCount));
    }

    [Fact]
    public async Task Defect01_CancelOfAnotherEnginesTimer_OnRealEngines_LosesNoTimerAndKillsNoDispatcher()
    {
        using var a = new RealTimeTimerEngine("a");
        using var b = new RealTimeTimerEngine("b");
        var far = a.CreateTimer((_, in _) => { });
        a.ArmAfter(far, 60_000 * Ms);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var soon = a.CreateTimer((_, in _) => fired.TrySetResult());
        for (var i = 0; i < 100; i++)
        {
            Assert.Throws<ArgumentException>(() => b.Cancel(far));
        }

        a.ArmAfter(soon, 5 * Ms);
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(a.Cancel(far), "the far timer is still pending on its own engine");
    }

    [Fact]
    public async Task Defect03_DisposeRacingArm_ReturnsPromptly_NeverWritesAClosedTimerFd_AndLeavesTheNextEngineOnTime()
    {
        var unexpected = new List<Exception>();
        for (var round = 0; round < 40; round++)
        {
            var engine = new RealTimeTimerEngine("racing " + round);
            using var go = new Barrier(2);
            var armer = Task.Run(() =>
            {
                var t = engine.CreateTimer((_, in _) => { });
                go.SignalAndWait();
                try
                {
                    for (var i = 0; i < 10_000; i++)
                    {
                        engine.ArmAfter(t, 5_000 * Ms - i); // each one lowers the OS deadline: a timerfd write
                        engine.Cancel(t);
                    }
                }
                catch (ObjectDisposedException)
                {
                    // the documented answer to an Arm after Dispose
                }
                catch (Exception ex)
                {
                    lock (unexpected)
                    {
                        unexpected.Add(ex);
                    }
                }
            });

            go.SignalAndWait();
            var watch = Stopwatch.StartNew();
            engine.Dispose();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5), $"round {round}: Dispose took {watch.Elapsed} (it waited for a racing arm's 5 s deadline)");
            await armer.WaitAsync(TimeSpan.FromSeconds(30));

            // The next engine may get the same descriptor number: its timer must not be moved by the old engine's arms.
            using var next = new RealTimeTimerEngine("next " + round);
            var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            next.ArmAfter(next.CreateTimer((_, in _) => fired.TrySetResult()), 10 * Ms);
            await fired.Task.WaitAsync(TimeSpan.FromSeconds(2));
        }

        Assert.Empty(unexpected); // before the fix: "timerfd_settime failed: errno 9" about 20 times per 40 rounds
    }

    [Fact]
    public void Defect03_DisposeWhileTheDispatcherIsAwake_NeverWritesTheTimerFdTheDispatcherClosed()
    {
        // The dispatcher may see the disposed flag and close its timerfd before Dispose's final wake-up write: that
        // write then failed with errno 9 (found by the stuck-callback test once the dispatcher closed its own fd).
        for (var round = 0; round < 200; round++)
        {
            var engine = new RealTimeTimerEngine();
            engine.ArmAfter(engine.CreateTimer((_, in _) => { }), 0, 0, 50 * TimeUnits.NanosecondsPerMicrosecond);
            Thread.SpinWait(round * 50);
            engine.Dispose(); // threw InvalidOperationException ("timerfd_settime failed: errno 9") before the fix
        }
    }

    [Fact]
    public void Defect04_CancelAfterDispose_NeverThrows_EvenOnTheDrainWakeUp()
    {
        var engine = new RealTimeTimerEngine();
        var timers = Enumerable.Range(0, 10_000).Select(_ => engine.CreateTimer((_, in _) => { })).ToArray();
        foreach (var t in timers)
        {
            engine.ArmAfter(t, 60_000 * Ms);
        }

        engine.Dispose();
        using var reuser = new RealTimeTimerEngine(); // may take the closed descriptor's number
        var cancelled = timers.Count(engine.Cancel); // the 4,096th push asked the closed waiter to drain: errno 9 / 22
        Assert.Equal(timers.Length, cancelled);
        Assert.Throws<ObjectDisposedException>(() => engine.ArmAfter(timers[0], Ms));
    }

    [Fact]
    public async Task Defect05_PeriodicTimerWhoseNextExpiryPassesMaxTime_FiresOnceAndGoesIdle()
    {
        var engine = new VirtualTimerEngine();
        var fires = 0;
        var t = engine.CreateTimer((_, in _) => fires++);
        engine.Arm(t, Ms, 0, TimerEngine.MaxTimeNanoseconds);
        await Task.Run(() => engine.AdvanceBy(10 * Ms)).WaitAsync(TimeSpan.FromSeconds(30)); // hung forever before the fix
        Assert.Equal(1, fires);
        Assert.Equal(0, engine.PendingCount);
        Assert.False(engine.Cancel(t));
    }

    [Fact]
    public async Task Defect05_OnTheRealEngine_TheDispatcherGoesBackToSleep()
    {
        using var engine = new RealTimeTimerEngine();
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.ArmAfter(engine.CreateTimer((_, in _) => fired.TrySetResult()), Ms, 0, TimerEngine.MaxTimeNanoseconds);
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
        engine.FlushDispatched();
        var wakeUps = engine.Statistics.WakeUps;
        await Task.Delay(200);
        Assert.True(engine.Statistics.WakeUps - wakeUps < 100, $"{engine.Statistics.WakeUps - wakeUps} wake-ups in 200 ms with nothing pending (65,000/s before the fix)");
        Assert.Equal(0, engine.PendingCount);
    }

    [LinuxFact]
    public void Defect06_EngineDisposedFromItsOwnCallback_ClosesItsTimerFd()
    {
        var engine = new RealTimeTimerEngine();
        var waiter = Assert.IsType<TimerFdWaiter>(engine.Waiter);
        using var disposed = new ManualResetEventSlim();
        engine.ArmAfter(engine.CreateTimer((t, in _) =>
        {
            t.Engine.Dispose();
            disposed.Set();
        }), Ms);
        Assert.True(disposed.Wait(TimeSpan.FromSeconds(10)), "the callback ran");
        Assert.True(SpinWait.SpinUntil(() => waiter.IsClosed, TimeSpan.FromSeconds(10)), "the dispatch thread closed its timerfd as it ended");
    }

    [Fact]
    public void Defect07_VirtualEngineDisposedByACallback_FiresNothingMore()
    {
        var engine = new VirtualTimerEngine();
        var fired = new List<string>();
        engine.Arm(engine.CreateTimer((t, in _) =>
        {
            fired.Add("first");
            t.Engine.Dispose();
        }), Ms);
        engine.Arm(engine.CreateTimer((_, in _) => fired.Add("same instant")), Ms);
        engine.Arm(engine.CreateTimer((_, in _) => fired.Add("later")), 2 * Ms);
        engine.AdvanceBy(10 * Ms);
        Assert.Equal(["first"], fired);
        Assert.Equal(0, engine.AdvanceBy(10 * Ms));
        Assert.Equal(["first"], fired);
    }

    [Fact]
    public async Task Decided_ACallbackFaultedHandlerThatThrows_DoesNotEndTheDispatcher()
    {
        using var engine = new RealTimeTimerEngine();
        var secondHandlerRan = 0;
        engine.CallbackFaulted += (_, _) => throw new InvalidOperationException("a handler's own bug");
        engine.CallbackFaulted += (_, _) => Interlocked.Increment(ref secondHandlerRan);
        engine.ArmAfter(engine.CreateTimer((_, in _) => throw new InvalidOperationException("a callback's bug")), Ms);
        var fired = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        engine.ArmAfter(engine.CreateTimer((_, in _) => fired.TrySetResult()), 20 * Ms);
        await fired.Task.WaitAsync(TimeSpan.FromSeconds(10)); // before: the dispatcher thread died, and the process with it
        Assert.Equal(1, secondHandlerRan);
        Assert.Equal(2, engine.Statistics.CallbackFaults); // the callback's and the handler's
    }
}
