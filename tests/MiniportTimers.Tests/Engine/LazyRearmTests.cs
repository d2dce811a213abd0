using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>
/// Lazy re-arms (issue 15's server churn): a pending timer moved later is not filed again at once; it must still fire
/// at its new due time, never at the old one, and an earlier move, a cancel or a tolerance change must not be lost.
/// </summary>
public sealed class LazyRearmTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Theory]
    [InlineData(1)]        // near: the old filing is a near-heap entry (same tick)
    [InlineData(10)]       // level 0/1 of the wheel
    [InlineData(30_000)]   // a 30 s idle timeout, far in the wheel
    public void MovedLater_FiresAtTheNewDueTime_NotTheOld(long firstDueMs)
    {
        using var engine = new VirtualTimerEngine();
        var fired = new List<long>();
        var t = engine.CreateTimer((_, in f) => fired.Add(f.FiredAtNanoseconds));
        engine.Arm(t, firstDueMs * Ms);
        engine.AdvanceBy(0); // filed
        for (var k = 1; k <= 5; k++)
        {
            engine.Arm(t, (firstDueMs + k) * Ms); // later each time: lazy
        }

        engine.AdvanceTo((firstDueMs + 4) * Ms);
        Assert.Empty(fired);
        engine.AdvanceTo((firstDueMs + 100) * Ms);
        Assert.Equal([(firstDueMs + 5) * Ms], fired);
    }

    [Fact]
    public void TolerantNearTimer_MovedLater_FiresByItsNewDeadline_AloneInTheQueue()
    {
        using var engine = new VirtualTimerEngine();
        var fired = new List<long>();
        var t = engine.CreateTimer((_, in f) => fired.Add(f.FiredAtNanoseconds));
        engine.Arm(t, 10 * Ms, toleranceNanoseconds: 2 * Ms); // deadline 12 ms
        engine.AdvanceTo(9 * Ms); // filed near, nothing due
        engine.Arm(t, 30 * Ms, toleranceNanoseconds: 2 * Ms); // lazy: deadline 32 ms
        engine.AdvanceTo(100 * Ms);
        Assert.Equal([32 * Ms], fired); // woken at the old deadline (12 ms), filed again, then fired at its new deadline: alone, it rides on nothing earlier
        Assert.Equal(1, engine.PendingCount + fired.Count);
    }

    [Fact]
    public void MovedLaterThenEarlier_FiresAtTheEarlierOne()
    {
        using var engine = new VirtualTimerEngine();
        var fired = new List<long>();
        var t = engine.CreateTimer((_, in f) => fired.Add(f.FiredAtNanoseconds));
        engine.Arm(t, 50 * Ms);
        engine.AdvanceBy(0);
        engine.Arm(t, 80 * Ms); // lazy
        engine.Arm(t, 20 * Ms); // earlier: pushed
        engine.AdvanceTo(200 * Ms);
        Assert.Equal([20 * Ms], fired);
    }

    [Fact]
    public void MovedLaterThenCancelled_NeverFires_AndPendingCountsRight()
    {
        using var engine = new VirtualTimerEngine();
        var fired = 0;
        var t = engine.CreateTimer((_, in _) => fired++);
        engine.Arm(t, 50 * Ms);
        engine.AdvanceBy(0);
        engine.Arm(t, 80 * Ms);
        Assert.Equal(1, engine.PendingCount);
        Assert.True(engine.Cancel(t));
        engine.AdvanceTo(200 * Ms);
        Assert.Equal((0, 0), (fired, engine.PendingCount));
    }

    [Fact]
    public void ALaterDueWithAnEarlierDeadline_IsNotLazy_AndFiresByItsDeadline()
    {
        using var engine = new VirtualTimerEngine();
        var fired = new List<long>();
        var other = engine.CreateTimer((_, in _) => { });
        var t = engine.CreateTimer((_, in f) => fired.Add(f.FiredAtNanoseconds));
        engine.Arm(t, 10 * Ms, toleranceNanoseconds: 100 * Ms); // deadline 110 ms
        engine.AdvanceBy(0);
        engine.Arm(t, 20 * Ms); // due later, but its deadline (20 ms) is earlier than the filed one: must be filed now
        engine.Arm(other, 50 * Ms);
        engine.AdvanceTo(200 * Ms);
        Assert.Equal([20 * Ms], fired);
    }

    [Fact]
    public void RealEngine_ChurnedIdleTimeouts_LetTheOthersExpireOnTime()
    {
        using var engine = new RealTimeTimerEngine("lazy");
        var idle = Enumerable.Range(0, 1_000).Select(_ => engine.CreateTimer((_, in _) => { })).ToArray();
        foreach (var t in idle)
        {
            engine.ArmAfter(t, 30 * TimeUnits.NanosecondsPerSecond, TimeUnits.NanosecondsPerSecond);
        }

        using var expired = new ManualResetEventSlim();
        long lateness = 0;
        var expiring = engine.CreateTimer((_, in f) =>
        {
            lateness = f.LatenessNanoseconds;
            expired.Set();
        });
        engine.ArmAfter(expiring, 50 * Ms);
        var rng = new Random(1);
        while (!expired.IsSet)
        {
            engine.ArmAfter(idle[rng.Next(idle.Length)], 30 * TimeUnits.NanosecondsPerSecond, TimeUnits.NanosecondsPerSecond);
        }

        Assert.InRange(lateness, 0, 100 * Ms); // generous: the point is that it fires at all while the churn runs
        engine.FlushDispatched(); // the pending count is exact once the dispatcher is quiet (expiries are counted off in batches)
        Assert.Equal(1_000, engine.PendingCount);
        Assert.Equal(0, engine.Statistics.Fires - 1);
    }
}
