using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>When the real dispatcher gives its arrays back before a sleep (DispatchQueue.TrimExcessBeforeSleep).</summary>
public class DispatchQueueTrimTests
{
    private const long Us = TimeUnits.NanosecondsPerMicrosecond;
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Theory]
    [InlineData(30 * Us, false)]         // a dense stream's sleep, just after a trim: the arrays stay for the next pull
    [InlineData(Ms - 1, false)]
    [InlineData(Ms, true)]               // a long sleep: idle, give the memory back
    [InlineData(long.MaxValue, true)]    // nothing pending
    public void SleepRightAfterATrim_TrimsOnlyWhenTheSleepIsLong(long sleepNanoseconds, bool trims)
    {
        var now = 5 * Ms;
        var deadline = sleepNanoseconds == long.MaxValue ? long.MaxValue : now + sleepNanoseconds;
        Assert.Equal(trims, DispatchQueue.ShouldTrimBeforeSleep(now, deadline, lastTrimNanoseconds: now - Us));
    }

    [Theory]
    [InlineData(100 * Ms - 1, false)]
    [InlineData(100 * Ms, true)]         // a stream that never sleeps long still trims every 100 ms
    public void ShortSleeps_TrimAtMostEvery100Milliseconds(long sinceLastTrimNanoseconds, bool trims)
    {
        var now = 1_000 * Ms;
        Assert.Equal(trims, DispatchQueue.ShouldTrimBeforeSleep(now, now + (30 * Us), now - sinceLastTrimNanoseconds));
    }
}
