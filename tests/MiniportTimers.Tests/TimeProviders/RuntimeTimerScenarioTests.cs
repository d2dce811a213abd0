using System.Diagnostics;
using MiniportTimers.TimeProviders;

namespace MiniportTimers.Tests.TimeProviders;

/// <summary>
/// Issue 14: EngineTimeProvider as a drop-in for TimeProvider.System. The behaviour scenarios the runtime's own
/// System.Threading.Timer tests check, re-expressed here and run on TimeProvider.System itself beside ours (real clock,
/// generous bounds). "Engine" is the default mode (callbacks on the thread pool, like System's); "EngineInline" runs
/// them on the dispatch thread and is left out where its documented trade-off applies (a blocked callback holds up the
/// provider's other timers).
/// </summary>
public class RuntimeTimerScenarioTests
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Real() => new() { "System", "Engine", "EngineInline" };

    public static TheoryData<string> ConcurrentCallbacks() => new() { "System", "Engine" };

    [Theory]
    [MemberData(nameof(Real))]
    public void FiresAfterItsDueTime(string name)
    {
        using var c = ProviderCase.Create(name);
        using var fired = new ManualResetEventSlim();
        var watch = Stopwatch.StartNew();
        TimeSpan at = default;
        using var t = c.Provider.CreateTimer(_ =>
        {
            at = watch.Elapsed;
            fired.Set();
        }, null, TimeSpan.FromMilliseconds(50), Timeout.InfiniteTimeSpan);
        Assert.True(fired.Wait(Generous));
        // System.Threading.Timer counts whole ticks of a coarse clock and may fire a few ms before a Stopwatch says 50
        // ms have passed; the engine never fires early, but the scenario is the runtime's, with its tolerance.
        var earliest = name == "System" ? TimeSpan.FromMilliseconds(40) : TimeSpan.FromMilliseconds(50);
        Assert.True(at >= earliest, $"fired after {at}");
    }

    [Theory]
    [MemberData(nameof(Real))]
    public void InfinitePeriod_FiresOnce(string name)
    {
        using var c = ProviderCase.Create(name);
        var fires = 0;
        using var t = c.Provider.CreateTimer(_ => Interlocked.Increment(ref fires), null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref fires) > 0, Generous));
        Thread.Sleep(100);
        Assert.Equal(1, Volatile.Read(ref fires));
    }

    [Theory]
    [MemberData(nameof(Real))]
    public void DisposeFromInsideTheCallback_StopsAPeriodicTimer(string name)
    {
        using var c = ProviderCase.Create(name);
        var fires = 0;
        ITimer? timer = null;
        using var created = new ManualResetEventSlim();
        timer = c.Provider.CreateTimer(_ =>
        {
            created.Wait(Generous);
            Interlocked.Increment(ref fires);
            timer!.Dispose();
        }, null, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));
        created.Set();
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref fires) > 0, Generous));
        Thread.Sleep(100);
        Assert.InRange(Volatile.Read(ref fires), 1, 2); // one already queued on the pool may still run, as with System's
    }

    [Theory]
    [MemberData(nameof(Real))]
    public async Task DisposeTwice_AndDisposeAsyncAfterDispose_AreHarmless(string name)
    {
        using var c = ProviderCase.Create(name);
        var t = c.Provider.CreateTimer(_ => { }, null, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(1));
        t.Dispose();
        t.Dispose();
        await t.DisposeAsync();
        Assert.False(t.Change(TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan));
    }

    [Theory]
    [MemberData(nameof(Real))]
    public void ChangeAfterItFired_ArmsItAgain(string name)
    {
        using var c = ProviderCase.Create(name);
        var fires = 0;
        using var t = c.Provider.CreateTimer(_ => Interlocked.Increment(ref fires), null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref fires) == 1, Generous));
        Assert.True(t.Change(TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan));
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref fires) == 2, Generous));
    }

    [Theory]
    [MemberData(nameof(ConcurrentCallbacks))]
    public void ABlockedCallback_DoesNotBlockTheNextPeriodsCallback(string name)
    {
        using var c = ProviderCase.Create(name);
        using var release = new ManualResetEventSlim();
        var entered = 0;
        using var t = c.Provider.CreateTimer(_ =>
        {
            if (Interlocked.Increment(ref entered) == 1)
            {
                release.Wait(Generous); // the first callback blocks
            }
        }, null, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5));
        try
        {
            Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref entered) >= 3, Generous), "later periods ran while the first callback was blocked");
        }
        finally
        {
            release.Set();
        }
    }

    [Theory]
    [MemberData(nameof(Real))]
    public void TenThousandTimers_EachFire(string name)
    {
        using var c = ProviderCase.Create(name);
        const int count = 10_000;
        var fired = new int[count];
        var total = 0;
        var timers = new ITimer[count];
        for (var i = 0; i < count; i++)
        {
            var index = i;
            timers[i] = c.Provider.CreateTimer(_ =>
            {
                Interlocked.Increment(ref fired[index]);
                Interlocked.Increment(ref total);
            }, null, TimeSpan.FromMilliseconds(1 + (i % 20)), Timeout.InfiniteTimeSpan);
        }

        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref total) == count, TimeSpan.FromSeconds(30)), $"{Volatile.Read(ref total)} of {count} fired");
        Assert.All(fired, f => Assert.Equal(1, f));
        foreach (var t in timers)
        {
            t.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(Real))]
    public async Task DisposeAsync_CompletesOnlyWhenTheRunningCallbackHasReturned(string name)
    {
        using var c = ProviderCase.Create(name);
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var returned = false;
        var t = c.Provider.CreateTimer(_ =>
        {
            entered.Set();
            release.Wait(Generous);
            Volatile.Write(ref returned, true);
        }, null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
        Assert.True(entered.Wait(Generous));
        var disposing = t.DisposeAsync().AsTask();
        await Task.Delay(50);
        Assert.False(disposing.IsCompleted, "DisposeAsync completed while the callback still ran"); // before the fix: at once
        release.Set();
        await disposing.WaitAsync(Generous);
        Assert.True(Volatile.Read(ref returned));
    }

    [Fact]
    public async Task DisposeAsync_OnAVirtualProvider_WaitsForACallbackBlockedOnAnotherThread()
    {
        var p = new VirtualTimeProvider();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var t = p.CreateTimer(_ =>
        {
            entered.Set();
            release.Wait(Generous);
        }, null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
        var advancing = Task.Run(() => p.Advance(TimeSpan.FromMilliseconds(5)));
        Assert.True(entered.Wait(Generous));
        var disposing = t.DisposeAsync().AsTask();
        Assert.False(disposing.IsCompleted);
        release.Set();
        await disposing.WaitAsync(Generous);
        await advancing.WaitAsync(Generous);
    }
}
