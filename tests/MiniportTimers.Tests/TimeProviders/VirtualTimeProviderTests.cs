using MiniportTimers.Storport;
using MiniportTimers.TimeProviders;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace MiniportTimers.Tests.TimeProviders;

/// <summary>The FakeTimeProvider-style members of <see cref="VirtualTimeProvider"/>, and a real consumer (Polly.Core).</summary>
public class VirtualTimeProviderTests
{
    [Fact]
    public void Start_DefaultsTo2000UtcAndGetUtcNowFollowsAdvance()
    {
        var p = new VirtualTimeProvider();
        Assert.Equal(new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero), p.Start);
        p.Advance(TimeSpan.FromMinutes(90));
        Assert.Equal(p.Start.AddMinutes(90), p.GetUtcNow());
    }

    [Fact]
    public void SetUtcNow_MovesForwardFiringTimersAndNeverGoesBack()
    {
        var start = new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero);
        var p = new VirtualTimeProvider(start);
        var fired = false;
        using var t = p.CreateTimer(_ => fired = true, null, TimeSpan.FromSeconds(30), Timeout.InfiniteTimeSpan);
        p.SetUtcNow(start.AddMinutes(1));
        Assert.True(fired);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => p.SetUtcNow(start)).ParamName);
    }

    /// <summary>
    /// Issue 25: beyond the engine's 73-year range the wall clock goes on in the offset; the engine moves only to the
    /// latest pending due time, and each pending timer fires once there (FakeTimeProvider would replay every second of a
    /// periodic timer for eight thousand years).
    /// </summary>
    [Fact]
    public void EndOfTime_AMoveBeyondTheEngineRange_FiresEachPendingTimerOnceAtItsEnd_AndKeepsTheEngineRange()
    {
        var p = new VirtualTimeProvider();
        var log = new List<string>();
        var target = DateTimeOffset.MaxValue - TimeSpan.FromDays(40);
        using var periodic = p.CreateTimer(_ => log.Add($"periodic at {p.GetUtcNow():O}"), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        using var oneShot = p.CreateTimer(_ => log.Add($"one-shot at {p.GetUtcNow():O}"), null, TimeSpan.FromDays(3), Timeout.InfiniteTimeSpan);

        p.SetUtcNow(target);

        Assert.Equal([$"periodic at {target:O}", $"one-shot at {target:O}"], log);
        Assert.Equal(TimeSpan.FromDays(3).Ticks * 100, p.VirtualEngine.NowNanoseconds); // the latest due time, no further
        log.Clear();
        p.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal([$"periodic at {target.AddSeconds(1):O}", $"periodic at {target.AddSeconds(2):O}"], log);
        periodic.Dispose();
        var fired = false;
        using var afterwards = p.CreateTimer(_ => fired = true, null, TimeSpan.FromDays(30), Timeout.InfiniteTimeSpan);
        p.Advance(TimeSpan.FromDays(30) - TimeSpan.FromTicks(1));
        Assert.False(fired); // a due time keeps the engine's precision after the jump
        p.Advance(TimeSpan.FromTicks(1));
        Assert.True(fired);
    }

    [Fact]
    public void AutoAdvanceAmount_EachReadMovesTheClock()
    {
        var p = new VirtualTimeProvider { AutoAdvanceAmount = TimeSpan.FromSeconds(1) };
        var first = p.GetUtcNow();
        var second = p.GetUtcNow();
        Assert.Equal(TimeSpan.FromSeconds(1), second - first);
        Assert.Throws<ArgumentOutOfRangeException>(() => p.AutoAdvanceAmount = TimeSpan.FromSeconds(-1));
    }

    [Fact]
    public void SetLocalTimeZone_IsReported()
    {
        var p = new VirtualTimeProvider();
        Assert.Equal(TimeZoneInfo.Utc, p.LocalTimeZone);
        var zone = TimeZoneInfo.CreateCustomTimeZone("Test+3", TimeSpan.FromHours(3), "Test+3", "Test+3");
        p.SetLocalTimeZone(zone);
        Assert.Equal(zone, p.LocalTimeZone);
        Assert.Equal(TimeSpan.FromHours(3), p.GetLocalNow().Offset);
    }

    [Fact]
    public void RuntimeTaskDelayWithAProvider_TruncatesToWholeMilliseconds()
    {
        // Why Delay exists: the runtime hands the provider whole milliseconds, so 200 µs arrives as 0.
        var p = new VirtualTimeProvider();
        Assert.True(Task.Delay(TimeSpan.FromMicroseconds(200), p).IsCompleted);
    }

    [Fact]
    public void Delay_200Microseconds_CompletesExactlyThenNotBefore()
    {
        var p = new VirtualTimeProvider();
        var delay = p.Delay(TimeSpan.FromMicroseconds(200));
        p.Advance(TimeSpan.FromMicroseconds(199));
        Assert.False(delay.IsCompleted);
        p.Advance(TimeSpan.FromMicroseconds(1));
        Assert.True(delay.IsCompletedSuccessfully);
    }

    [Fact]
    public void Timers_FireInDueOrderWithTheClockAtTheirDueTime()
    {
        var p = new VirtualTimeProvider();
        var seen = new List<(int, TimeSpan)>();
        var t0 = p.GetTimestamp();
        int[] dueMilliseconds = [30, 10, 20];
        var timers = dueMilliseconds.Select(ms => p.CreateTimer(_ => seen.Add((ms, p.GetElapsedTime(t0))), null, TimeSpan.FromMilliseconds(ms), Timeout.InfiniteTimeSpan)).ToList();
        p.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([(10, TimeSpan.FromMilliseconds(10)), (20, TimeSpan.FromMilliseconds(20)), (30, TimeSpan.FromMilliseconds(30))], seen);
        timers.ForEach(t => t.Dispose());
    }

    [Fact]
    public void Advance_FromATimerCallback_MovesTheClock()
    {
        var p = new VirtualTimeProvider();
        var start = p.GetUtcNow();
        using var t = p.CreateTimer(_ => p.Advance(TimeSpan.FromSeconds(1)), null, TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
        p.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Equal(start + TimeSpan.FromMilliseconds(1001), p.GetUtcNow());
    }

    [Fact]
    public void SameEngine_HostsAMiniportAndTheProviderOnOneClock()
    {
        var p = new VirtualTimeProvider();
        var host = new StorportHost(p.VirtualEngine);
        var ext = Storport.RealClockAdapter.Create(host);
        StorPort.StorPortInitializeTimer(ext, out var timer);
        var order = new List<string>();
        StorPort.StorPortRequestTimer(ext, timer, (_, _) => order.Add("miniport"), null, 5_000, 0);
        using var t = p.CreateTimer(_ => order.Add("provider"), null, TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
        p.Advance(TimeSpan.FromMilliseconds(10));
        Assert.Equal(["miniport", "provider"], order);
    }

    [Fact]
    public async Task RealEngineProvider_200MicrosecondDelay_IsHonoured()
    {
        using var p = new EngineTimeProvider();
        var t0 = p.GetTimestamp();
        await p.Delay(TimeSpan.FromMicroseconds(200)).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.InRange(p.GetElapsedTime(t0), TimeSpan.FromMicroseconds(200), TimeSpan.FromSeconds(2)); // never early; the upper bound is generous for loaded CI machines
    }

    [Fact]
    public async Task Polly_TimeoutAndRetry_RunOnTheVirtualClock()
    {
        var p = new VirtualTimeProvider();
        var attempts = 0;
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = p }
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 3, Delay = TimeSpan.FromSeconds(2), BackoffType = DelayBackoffType.Constant, UseJitter = false })
            .AddTimeout(TimeSpan.FromSeconds(1))
            .Build();

        // Each attempt hangs for 10 s; the 1 s timeout cuts it; the retry waits 2 s; the third attempt succeeds at once.
        var run = pipeline.ExecuteAsync(async token =>
        {
            if (++attempts < 3)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), p, token);
            }

            return attempts;
        }).AsTask();

        var t0 = p.GetTimestamp();
        await Drive(p, run);
        Assert.Equal(3, await run);
        Assert.Equal(TimeSpan.FromSeconds(6), p.GetElapsedTime(t0)); // 1 s timeout + 2 s retry delay, twice
    }

    [Fact]
    public async Task Polly_TimeoutAlone_RejectsAfterOneVirtualSecond()
    {
        var p = new VirtualTimeProvider();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = p }.AddTimeout(TimeSpan.FromSeconds(1)).Build();
        var run = pipeline.ExecuteAsync(async token => await Task.Delay(TimeSpan.FromSeconds(10), p, token)).AsTask();
        p.Advance(TimeSpan.FromMilliseconds(999));
        await Settled(p, run);
        Assert.False(run.IsCompleted);
        p.Advance(TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<TimeoutRejectedException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>
    /// Polly continues on the thread pool (ConfigureAwait(false)), so between two moves of the virtual clock the test lets
    /// that asynchronous work settle: until the run is done or the engine's counters stop changing for 30 ms of real time.
    /// </summary>
    private static async Task Settled(VirtualTimeProvider p, Task run)
    {
        var last = p.Engine.Statistics;
        for (var stable = 0; stable < 3 && !run.IsCompleted;)
        {
            await Task.Delay(10);
            var now = p.Engine.Statistics;
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
    }

    /// <summary>
    /// Settle, then advance exactly to the next due timer, until <paramref name="run"/> is done. With nothing pending yet
    /// the run's next timer is still to be armed by a continuation the thread pool has not run (a loaded CI machine can
    /// hold it back longer than the 30 ms of calm): wait for it rather than give up.
    /// </summary>
    private static async Task Drive(VirtualTimeProvider p, Task run)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (!run.IsCompleted && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Settled(p, run);
            if (run.IsCompleted)
            {
                break;
            }

            if (p.VirtualEngine.NextDueNanoseconds is { } next)
            {
                p.VirtualEngine.AdvanceTo(next);
            }
            else
            {
                await Task.Delay(10);
            }
        }

        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
