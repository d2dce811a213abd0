using MiniportTimers.Cli.Run;
using Xunit;

namespace MiniportTimers.Tests.Cli.Run;

/// <summary>The OS floor probe's accounting of one timerfd wake-up (OsFloorProbe.Sample): pure arithmetic, no clock.</summary>
public sealed class OsFloorProbeTests
{
    private const long Period = 1_000_000; // 1 ms

    [Fact]
    public void AnOnTimeWakeUp_IsLateByItsDistanceFromTheDeadline_AndWaitsForTheNextPeriod()
    {
        var (lateness, next) = OsFloorProbe.Sample(expectedNanoseconds: 10_000_000, expirations: 1, wokeNanoseconds: 10_040_000, Period);

        Assert.Equal(40_000, lateness);
        Assert.Equal(11_000_000, next);
    }

    [Fact]
    public void AWakeUpThatSleptThroughExpiries_IsLateFromTheFirstDeadline_NotTheLast()
    {
        // Asleep for the 10 ms deadline, woken at 13.5 ms: the read covers the expiries at 10, 11, 12 and 13 ms. The
        // thread was 3.5 ms late; counted from the last expiry it would read 0.5 ms, and no sample could exceed 1 ms.
        var (lateness, next) = OsFloorProbe.Sample(expectedNanoseconds: 10_000_000, expirations: 4, wokeNanoseconds: 13_500_000, Period);

        Assert.Equal(3_500_000, lateness);
        Assert.Equal(14_000_000, next);
    }

    [Fact]
    public void ConsecutiveWakeUps_FollowThePeriodBoundaries_AfterALateOne()
    {
        var expected = 10_000_000L;
        var samples = new List<long>();
        foreach (var (expirations, woke) in new[] { (1UL, 10_030_000L), (3UL, 13_200_000L), (1UL, 14_020_000L) })
        {
            (var lateness, expected) = OsFloorProbe.Sample(expected, expirations, woke, Period);
            samples.Add(lateness);
        }

        Assert.Equal([30_000L, 2_200_000L, 20_000L], samples);
        Assert.Equal(15_000_000, expected);
    }
}
