using MiniportTimers.Engine;
using MiniportTimers.Engine.Queue;

namespace MiniportTimers.Tests.Engine.Queue;

public class TimerWheelTests
{
    private const long Tick = 1L << TimerWheel.TickShift;

    [Fact]
    public void TryInsert_AtOrBeforeCursor_IsRefused()
    {
        var wheel = new TimerWheel();
        wheel.AdvanceIdleCursor(10);
        Assert.False(wheel.TryInsert(new Node(), 10 * Tick));
        Assert.False(wheel.TryInsert(new Node(), (11 * Tick) - 1));
        Assert.True(wheel.TryInsert(new Node(), 11 * Tick));
        Assert.Equal(1, wheel.Count);
    }

    [Fact]
    public void PullEarliest_AcrossAllLevels_HandsBackEveryTimerOnceInTickOrder()
    {
        var rng = new Random(7);
        var wheel = new TimerWheel();
        var dues = new Dictionary<Node, long>();
        for (var i = 0; i < 5_000; i++)
        {
            // Log-uniform due times from 1 tick to 2^60 ns: every level gets timers.
            var due = Math.Min(TimerEngine.MaxTimeNanoseconds, (long)Math.Pow(2, TimerWheel.TickShift + (rng.NextDouble() * 44)));
            var node = new Node();
            dues[node] = due;
            if (!wheel.TryInsert(node, due))
            {
                continue; // the first tick is the cursor's own
            }
        }

        var emerged = new List<long>();
        while (wheel.PullEarliest() is { } first)
        {
            EngineTimer? chain = first;
            while (wheel.TakePulled(ref chain) is { } t)
            {
                Assert.Null(t.WheelNext);
                Assert.Null(t.WheelPrevious);
                if (!wheel.TryInsert(t, dues[(Node)t]))
                {
                    emerged.Add(TimerWheel.TickOf(dues[(Node)t]));
                    Assert.Equal(wheel.Cursor, TimerWheel.TickOf(dues[(Node)t]));
                }
            }
        }

        Assert.Equal(0, wheel.Count);
        Assert.Equal(dues.Values.Count(d => TimerWheel.TickOf(d) > 0), emerged.Count);
        Assert.Equal(emerged.Order(), emerged);
    }

    [Fact]
    public void Remove_LastTimerOfABucket_EmptiesTheWheel()
    {
        var wheel = new TimerWheel();
        var a = new Node();
        var b = new Node();
        wheel.TryInsert(a, 5 * Tick);
        wheel.TryInsert(b, 5 * Tick);
        wheel.Remove(a);
        wheel.Remove(a); // a second remove is a no-op
        Assert.Equal(1, wheel.Count);
        wheel.Remove(b);
        Assert.Equal(0, wheel.Count);
        Assert.Null(wheel.PullEarliest());
        Assert.Null(b.WheelNext);
        Assert.Null(b.WheelPrevious);
    }

    [Fact]
    public void AdvanceIdleCursor_MovesOnlyForwardAndOnlyWhenEmpty()
    {
        var wheel = new TimerWheel();
        wheel.AdvanceIdleCursor(100);
        wheel.AdvanceIdleCursor(50);
        Assert.Equal(100, wheel.Cursor);
        wheel.TryInsert(new Node(), 200 * Tick);
        wheel.AdvanceIdleCursor(150);
        Assert.Equal(100, wheel.Cursor);
        Assert.Equal(101 * Tick, wheel.EarliestPossibleDueNanoseconds);
    }

    private sealed class Node : EngineTimer
    {
        protected internal override void OnFired(in TimerFiring firing)
        {
        }
    }
}
