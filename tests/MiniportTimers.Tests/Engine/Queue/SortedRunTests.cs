using MiniportTimers.Engine;
using MiniportTimers.Engine.Queue;

namespace MiniportTimers.Tests.Engine.Queue;

/// <summary>The level-0 run on its own: sorted by (due, order) like the heaps, and ready to be built again once emptied.</summary>
public class SortedRunTests
{
    private static List<(long Due, long Order)> Drain(SortedRun run)
    {
        var handedOut = new List<(long, long)>();
        while (!run.IsEmpty)
        {
            var front = run.Front;
            Assert.Equal(front.Key, front.DueNanoseconds); // an exact entry: its key is its due time
            handedOut.Add((front.DueNanoseconds, front.Order));
            run.Pop();
        }

        return handedOut;
    }

    [Fact]
    public void RandomDueTimesWithinATick_WithTiesInFilingOrder_ComeOutByDueThenOrder()
    {
        var engine = new VirtualTimerEngine();
        var run = new SortedRun();
        var rng = new Random(10);
        var tickStart = 7L << TimerWheel.TickShift;
        var filed = new List<(long Due, long Order)>();
        for (var order = 0L; order < 3_000; order++) // past several growths of the arrays
        {
            var due = tickStart + rng.Next(0, 300); // many ties, all inside one 65.5 µs tick
            filed.Add((due, order));
            run.Add(due, due, order, sequence: 1, engine.CreateTimer(static (_, in _) => { }));
        }

        run.Sort();

        Assert.Equal(filed.OrderBy(e => e.Due).ThenBy(e => e.Order).ToList(), Drain(run));
    }

    [Fact]
    public void TiesFiledOutOfTheirOrder_AreHandedOutInOrder()
    {
        // A virtual engine's tie-breaker is the arm ticket, and a bucket's array is not in ticket order once a cancel
        // swap-removed a timer: the run must still hand equal due times out by ticket, as the heap would.
        var engine = new VirtualTimerEngine();
        var run = new SortedRun();
        var filed = new (long Due, long Order)[] { (500, 9), (100, 3), (500, 2), (500, 7), (100, 1), (300, 4) };
        foreach (var (due, order) in filed)
        {
            run.Add(due, due, order, sequence: 1, engine.CreateTimer(static (_, in _) => { }));
        }

        run.Sort();

        Assert.Equal([(100L, 1L), (100L, 3L), (300L, 4L), (500L, 2L), (500L, 7L), (500L, 9L)], Drain(run));
    }

    [Fact]
    public void DueTimesSpanningManyDigits_AreSortedByEveryPass()
    {
        // A level-0 pull's entries share one tick (two 8-bit passes); the sort takes as many passes as the span needs.
        var engine = new VirtualTimerEngine();
        var run = new SortedRun();
        var rng = new Random(11);
        var filed = new List<(long Due, long Order)>();
        for (var order = 0L; order < 500; order++)
        {
            var due = 1_000 + rng.NextInt64(0, 1L << 42);
            filed.Add((due, order));
            run.Add(due, due, order, sequence: 1, engine.CreateTimer(static (_, in _) => { }));
        }

        run.Sort();

        Assert.Equal(filed.OrderBy(e => e.Due).ThenBy(e => e.Order).ToList(), Drain(run));
    }

    [Fact]
    public void EmptiedOrNeverFilled_TheRunIsBuiltAgainFromScratch()
    {
        var engine = new VirtualTimerEngine();
        var run = new SortedRun();
        run.Sort(); // a pull that filed nothing here
        Assert.True(run.IsEmpty);

        run.Add(20, 20, 1, 1, engine.CreateTimer(static (_, in _) => { }));
        run.Add(10, 10, 2, 1, engine.CreateTimer(static (_, in _) => { }));
        run.Sort();
        Assert.Equal(2, run.Count);
        Assert.Equal([(10L, 2L), (20L, 1L)], Drain(run));

        run.Add(5, 5, 3, 1, engine.CreateTimer(static (_, in _) => { }));
        run.Sort();
        Assert.Equal([(5L, 3L)], Drain(run));
    }

    [Fact]
    public void TrimExcess_OnceEmpty_GivesTheGrownArraysBack()
    {
        var engine = new VirtualTimerEngine();
        var run = new SortedRun();
        for (var i = 0; i < 1_000; i++)
        {
            run.Add(i, i, i, 1, engine.CreateTimer(static (_, in _) => { }));
        }

        run.Sort();
        run.TrimExcess();
        Assert.True(run.Capacity >= 1_000); // not while entries wait

        Drain(run);
        run.TrimExcess();
        Assert.Equal(64, run.Capacity);
    }
}
