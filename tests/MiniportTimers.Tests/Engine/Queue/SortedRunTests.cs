using CsCheck;
using MiniportTimers.Engine;
using MiniportTimers.Engine.Queue;

namespace MiniportTimers.Tests.Engine.Queue;

/// <summary>The level-0 run on its own: sorted by (due, order) like the heaps, segments appended behind it, the earliest deadline of what is left in O(log n), and ready to be built again once emptied.</summary>
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

    /// <summary>One step of <see cref="Segments_Pops_AndDroppedDeadlines_MatchAModelRun"/>: a segment to append (due offsets within its tick and tolerances), then pops, then deadline drops.</summary>
    public sealed record Step((int DueOffset, long Tolerance)[] Segment, int Pops, int Drops);

    private static readonly Gen<long> Tolerance = Gen.Frequency((3, Gen.Const(0L)), (1, Gen.Long[1, 300]), (1, Gen.Long[1, 5L << TimerWheel.TickShift]));

    private static readonly Gen<Step> StepGen = Gen.Select(
        Gen.Select(Gen.Int[0, 1_000], Tolerance).Array[0, 150],
        Gen.Int[0, 200],
        Gen.Frequency((4, Gen.Const(0)), (1, Gen.Int[1, 3])),
        (segment, pops, drops) => new Step(segment, pops, drops));

    [Fact]
    public void Segments_Pops_AndDroppedDeadlines_MatchAModelRun()
    {
        // The run as a pull per tick builds it on a real engine: each segment one later tick's entries, exact and
        // tolerant, with pops (fires) and drops (stale entries found at the earliest deadline) between. A model list says
        // what must be left: the front is the (due, order) minimum, and the earliest deadline is the minimum of what is
        // left with the dropped ones excluded. Enough pops make dead positions outnumber live ones, so compactions run.
        var engine = new VirtualTimerEngine();
        var timer = engine.CreateTimer(static (_, in _) => { });
        Check.Sample(StepGen.Array[1, 12], steps =>
        {
            var run = new SortedRun();
            var model = new List<(long Due, long Deadline, long Order)>();
            long order = 0;
            for (var s = 0; s < steps.Length; s++)
            {
                var tickStart = (long)(s + 3) << TimerWheel.TickShift;
                if (steps[s].Segment.Length > 0 && !run.CanAppendFrom(tickStart))
                {
                    return false;
                }

                foreach (var (offset, tolerance) in steps[s].Segment)
                {
                    // Orders out of filing order now and then (a virtual engine's tickets): the run puts ties in order.
                    order++;
                    var o = offset % 2 == 0 ? order : -order;
                    run.Add(tickStart + offset, tickStart + offset + tolerance, o, sequence: 1, timer);
                    model.Add((tickStart + offset, tickStart + offset + tolerance, o));
                }

                run.Sort();
                model.Sort((a, b) => a.Due != b.Due ? a.Due.CompareTo(b.Due) : a.Order.CompareTo(b.Order));
                if (!Matches(run, model))
                {
                    return false;
                }

                for (var d = 0; d < steps[s].Drops && !run.IsEmpty; d++)
                {
                    var dropped = run.EarliestDeadlineEntry(out var deadline);
                    if (deadline == long.MaxValue)
                    {
                        break; // every entry left was dropped already (the model agrees: Matches checked it)
                    }

                    var at = model.FindIndex(e => e.Order == dropped.Order);
                    if (model[at].Deadline != deadline)
                    {
                        return false;
                    }

                    run.DropEarliestDeadline();
                    model[at] = model[at] with { Deadline = long.MaxValue };
                    if (!Matches(run, model))
                    {
                        return false;
                    }
                }

                for (var p = 0; p < steps[s].Pops && !run.IsEmpty; p++)
                {
                    run.Pop();
                    model.RemoveAt(0);
                    if (!Matches(run, model))
                    {
                        return false;
                    }
                }
            }

            return true;
        });
    }

    private static bool Matches(SortedRun run, List<(long Due, long Deadline, long Order)> model)
    {
        if (run.Count != model.Count)
        {
            return false;
        }

        if (model.Count == 0)
        {
            return run.IsEmpty;
        }

        var front = run.Front;
        _ = run.EarliestDeadlineEntry(out var earliestDeadline);
        return front.DueNanoseconds == model[0].Due && front.Order == model[0].Order
            && run.FrontDeadlineNanoseconds == model[0].Deadline
            && earliestDeadline == model.Min(e => e.Deadline);
    }

    [Fact]
    public void AStreamOfSegments_WithTheFrontHandedOutBetween_KeepsTheArraysBounded()
    {
        // A run fed by a pull per tick never empties in a steady stream: the handed-out positions are reclaimed.
        var engine = new VirtualTimerEngine();
        var timer = engine.CreateTimer(static (_, in _) => { });
        var run = new SortedRun();
        long order = 0;
        for (var tick = 1L; tick <= 2_000; tick++)
        {
            for (var i = 0; i < 50; i++)
            {
                var due = (tick << TimerWheel.TickShift) + (i * 1_000);
                run.Add(due, due + TimeUnits.NanosecondsPerMillisecond, order++, sequence: 1, timer);
            }

            run.Sort();
            while (run.Count > 800)
            {
                run.Pop();
            }
        }

        Assert.Equal(800, run.Count);
        Assert.True(run.Capacity <= 2_048, $"capacity {run.Capacity}");
    }

    [Fact]
    public void DroppingEveryDeadlineOfALargeRun_InDeadlineOrder_CostsLogarithmicWorkEach()
    {
        // The churn case (docs/reliability.md, issue 27 session fourteen): a long run of tolerant entries, every one
        // found stale at the earliest deadline and dropped one by one. With suffix minima each drop re-walked every
        // position before it (quadratic); the deadline tree recomputes one path: at most log2(capacity) nodes a drop.
        // A third of the front is handed out first, so the drops also meet parents of handed-out leaves to repair.
        var engine = new VirtualTimerEngine();
        var timer = engine.CreateTimer(static (_, in _) => { });
        var run = new SortedRun();
        var rng = new Random(14);
        const int Segments = 200;
        const int PerSegment = 650;
        long order = 0;
        for (var s = 0; s < Segments; s++)
        {
            var tickStart = (long)(s + 1) << TimerWheel.TickShift;
            for (var i = 0; i < PerSegment; i++)
            {
                var due = tickStart + rng.Next(1 << TimerWheel.TickShift);
                run.Add(due, due + rng.NextInt64(TimeUnits.NanosecondsPerSecond), order++, sequence: 1, timer);
            }

            run.Sort();
        }

        var levels = System.Numerics.BitOperations.Log2((uint)run.Capacity);
        var built = run.DeadlineNodesComputed;
        // Each segment computes its own leaves' ancestors (about its length, plus a path); each doubling of the arrays
        // rebuilds the tree over what is sorted (about the length again, summed over the doublings).
        Assert.True(built <= (2L * Segments * PerSegment) + ((long)Segments * levels), $"building computed {built} nodes for {Segments * PerSegment} entries");

        var handedOut = new HashSet<long>();
        for (var i = 0; i < Segments * PerSegment / 3; i++)
        {
            handedOut.Add(run.Front.Order);
            run.Pop();
        }

        var before = run.DeadlineNodesComputed;
        var left = run.Count;
        var last = long.MinValue;
        var dropped = 0;
        while (true)
        {
            var entry = run.EarliestDeadlineEntry(out var deadline);
            if (deadline == long.MaxValue)
            {
                break;
            }

            Assert.DoesNotContain(entry.Order, handedOut);
            Assert.True(deadline >= last, $"deadlines in order: {deadline} after {last}");
            last = deadline;
            run.DropEarliestDeadline();
            dropped++;
        }

        Assert.Equal(left, dropped);
        var perDrop = (double)(run.DeadlineNodesComputed - before) / dropped;

        // One path per drop, plus the repairs of handed-out leaves' parents (one path each at most, for the pops).
        Assert.True(perDrop <= 2 * levels, $"{perDrop:F1} nodes computed a drop, a path is {levels}");
    }
}
