using System.Diagnostics;
using MiniportTimers.Engine.Waiting;
using MiniportTimers.Tests.Support;

namespace MiniportTimers.Tests.Engine.Waiting;

/// <summary>
/// The dispatch thread's sleep (Engine/Waiting): a waiter never returns before its deadline, returns at once for a
/// deadline already past, and a deadline moved from another thread wakes it. The monitor fallback everywhere, the
/// timerfd waiter on Linux. Bounds are one-sided (never early; woken at all within seconds): no timing upper bound.
/// </summary>
public class DeadlineWaiterTests
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    private static long Now() => (long)(Clock.ElapsedTicks * (1_000_000_000.0 / Stopwatch.Frequency));

    public static TheoryData<string> Kinds() => OperatingSystem.IsLinux() ? new TheoryData<string> { "monitor", "timerfd" } : new TheoryData<string> { "monitor" };

    private static IDeadlineWaiter Create(string kind) => kind switch
    {
        "monitor" => new MonitorWaiter(Now),
        _ => TimerFdWaiter.TryCreate(Now) ?? throw new InvalidOperationException("timerfd is not available"),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Wait_NeverReturnsBeforeTheDeadline(string kind)
    {
        using var waiter = Create(kind);
        Assert.Equal(kind, waiter.Name);
        for (var i = 0; i < 5; i++)
        {
            var deadline = Now() + 3_000_000 + (i * 700_000); // 3 ms and a bit: not on a millisecond boundary
            waiter.SetDeadline(deadline);
            waiter.Wait();
            Assert.True(Now() >= deadline, $"woke {deadline - Now()} ns early");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ADeadlineAlreadyPast_ReturnsAtOnce(string kind)
    {
        using var waiter = Create(kind);
        waiter.SetDeadline(Now() - 1);
        var done = new Thread(waiter.Wait) { IsBackground = true };
        done.Start();
        Assert.True(done.Join(TimeSpan.FromSeconds(10)), "a past deadline must not block");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ADeadlineMovedFromAnotherThread_WakesAWaiterThatHadNone(string kind)
    {
        using var waiter = Create(kind);
        waiter.SetDeadline(long.MaxValue); // none: sleep until the next change
        using var started = new ManualResetEventSlim();
        var woke = new Thread(() =>
        {
            started.Set();
            waiter.Wait();
        })
        { IsBackground = true };
        woke.Start();
        started.Wait();
        Assert.False(woke.Join(50), "a waiter without a deadline must sleep");
        waiter.SetDeadline(Now());
        Assert.True(woke.Join(TimeSpan.FromSeconds(10)), "moving the deadline must wake it");
    }
}
