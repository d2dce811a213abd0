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
        while (wheel.TryPullEarliest(out var count))
        {
            Assert.True(count > 0);
            for (var i = 0; i < count; i++)
            {
                var t = wheel.TakePulled(i)!;
                Assert.Equal(-1, t.WheelSlot);
                Assert.Null(wheel.PulledAt(i));
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
        Assert.False(wheel.TryPullEarliest(out _));
        Assert.Equal(-1, b.WheelSlot);
    }

    [Fact]
    public void Remove_FromTheMiddleOfABucket_MovesTheLastTimerIntoItsPlace_AndAPullHandsBackTheRest()
    {
        var wheel = new TimerWheel();
        var nodes = Enumerable.Range(0, 40).Select(_ => new Node()).ToArray(); // past the bucket's first capacity of 16
        foreach (var node in nodes)
        {
            Assert.True(wheel.TryInsert(node, 5 * Tick));
        }

        Assert.All(nodes, n => Assert.Equal(nodes[0].WheelSlot, n.WheelSlot));
        Assert.Equal(Enumerable.Range(0, 40), nodes.Select(n => n.WheelIndex));
        wheel.Remove(nodes[3]);
        Assert.Equal(3, nodes[39].WheelIndex); // the last one took the hole
        Assert.Equal(-1, nodes[3].WheelSlot);
        wheel.Remove(nodes[39]);
        wheel.Remove(nodes[38]); // the last one itself: nothing moves
        Assert.Equal(37, wheel.Count);

        Assert.True(wheel.TryPullEarliest(out var count));
        Assert.Equal(37, count);
        Assert.Equal(5, wheel.Cursor);
        var pulled = Enumerable.Range(0, count).Select(i => wheel.TakePulled(i)).ToHashSet();
        Assert.True(pulled.SetEquals(nodes.Where((_, i) => i is not 3 and not 38 and not 39)));
        Assert.Equal(0, wheel.Count);
        Assert.All(nodes, n => Assert.Equal(-1, n.WheelSlot));
        Assert.False(wheel.TryPullEarliest(out _));

        // The emptied bucket takes timers again (it holds the previous pull's array now), and the trim keeps them.
        var again = new Node();
        Assert.True(wheel.TryInsert(again, 7 * Tick));
        wheel.TrimExcess();
        Assert.True(wheel.TryPullEarliest(out count));
        Assert.Equal(1, count);
        Assert.Same(again, wheel.TakePulled(0));
    }

    [Fact]
    public void PulledAt_GivesTheUntakenTimersOfTheLastPull_AndNullBeyond()
    {
        var wheel = new TimerWheel();
        var a = new Node();
        var b = new Node();
        wheel.TryInsert(a, 3 * Tick);
        wheel.TryInsert(b, 3 * Tick);
        Assert.True(wheel.TryPullEarliest(out var count));
        Assert.Equal(2, count);
        Assert.Same(a, wheel.PulledAt(0));
        Assert.Same(b, wheel.PulledAt(1));
        Assert.Null(wheel.PulledAt(2));
        Assert.Null(wheel.PulledAt(-1));
        Assert.Same(a, wheel.TakePulled(0));
        Assert.Null(wheel.PulledAt(0));
        Assert.Same(b, wheel.TakePulled(1));
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

    [Fact]
    public void ACascadeAfterATrim_FilesIntoProvisionedSpares_AllocatingNothing()
    {
        // A burst's level-2 bucket (20,000 timers over its 64 level-1 buckets, unevenly) and a second one behind it: the
        // trim before the dispatcher sleeps provisions the level-1 arrays the first one's pull will need.
        var wheel = new TimerWheel();
        var rng = new Random(11);
        for (var i = 0; i < 20_000; i++)
        {
            var tick = 4096 + 64 + (long)(Math.Pow(rng.NextDouble(), 2) * (4096 - 64)); // each re-files at level 1 (digit 1 ≥ 1)
            Assert.True(wheel.TryInsert(new Node { DueNanoseconds = tick * Tick }, tick * Tick));
        }

        Assert.True(wheel.TryInsert(new Node { DueNanoseconds = 20_000 * Tick }, 20_000 * Tick));
        wheel.TrimExcess();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(wheel.TryPullEarliest(out var count));
        for (var i = 0; i < count; i++)
        {
            var t = wheel.TakePulled(i)!;
            Assert.True(wheel.TryInsert(t, t.DueNanoseconds)); // every tick is after the new cursor's (4096), at level 1
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1, wheel.PulledLevel - 1);
        Assert.Equal(20_001, wheel.Count);
    }

    [Fact]
    public void ATrimAgain_KeepsTheArraysTheNextCascadeWants_BeyondTheBound_AllocatingNothing()
    {
        // The level-1 arrays provisioned for the next level-2 pull hold more references than SpareBound (a quarter of the
        // timers): a dispatcher that sleeps every millisecond trims again and again before that pull. Before session
        // twelve each trim dropped them as beyond the bound and the provisioning allocated them again (40-57 MB a second
        // in the tolerant spread).
        var wheel = new TimerWheel();
        var rng = new Random(11);
        for (var i = 0; i < 20_000; i++)
        {
            var tick = 4096 + 64 + (long)(rng.NextDouble() * (4096 - 64));
            Assert.True(wheel.TryInsert(new Node { DueNanoseconds = tick * Tick }, tick * Tick));
        }

        wheel.TrimExcess();
        var provisioned = wheel.SpareSlots;
        Assert.True(provisioned > wheel.SpareBound, $"the provisioned arrays ({provisioned} references) exceed the bound ({wheel.SpareBound})");
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var trim = 0; trim < 5; trim++)
        {
            wheel.TrimExcess();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(wheel.SpareSlots > wheel.SpareBound, "the wanted arrays are kept beyond the bound (only spares nobody wants are dropped)");
    }

    [Fact]
    public void AStreamAcrossLevelTwoBuckets_ALevelTwoPullAndTheTrimAfterItAllocateNoSecondSetOfLevelOneArrays()
    {
        // Three level-2 buckets (4096 ticks each) of 12,000 timers, as a tolerant stream over a second meets them. After
        // the first level-2 pull its timers are filed in level 1; the trims before the next pull must count the arrays
        // level 1 holds as coming back (each goes among the spares when its bucket is pulled), not provision a second
        // set beside them. Before session thirteen every trim after a pull allocated that set (10-11 MB inside the
        // tolerant spread's second) and dropped the first as it came back.
        var wheel = new TimerWheel();
        var rng = new Random(13);
        for (var i = 0; i < 36_000; i++)
        {
            var tick = 4096 + (long)(rng.NextDouble() * 3 * 4096);
            Assert.True(wheel.TryInsert(new Node { DueNanoseconds = tick * Tick }, tick * Tick));
        }

        wheel.TrimExcess(); // before the stream: the first pull's arrays are provisioned here, outside it
        var levelTwoPhases = new List<long>(8);
        var levelTwoPulls = 0;
        while (true)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            if (!wheel.TryPullEarliest(out var count))
            {
                break;
            }

            levelTwoPulls += wheel.PulledLevel == 2 ? 1 : 0;
            for (var i = 0; i < count; i++)
            {
                var node = wheel.TakePulled(i)!;
                wheel.TryInsert(node, node.DueNanoseconds); // as the dispatcher files it: lower, or near (refused here)
            }

            wheel.TrimExcess(); // a tolerant stream's dispatcher sleeps, and trims, between pulls
            if (wheel.PulledLevel == 2)
            {
                levelTwoPhases.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }

        Assert.Equal(3, levelTwoPulls);
        Assert.Equal(0, wheel.Count);
        // What is left per level-2 pull is the level-0 arrays of its first level-1 range (its timers due within a tick
        // of the new cursor: about 9 KB); the second set of level-1 arrays was 256 KB.
        Assert.All(levelTwoPhases, bytes => Assert.True(bytes < 32 * 1024, $"{bytes} bytes allocated by a level-2 pull, its filing and the trim after it ({string.Join(", ", levelTwoPhases)})"));
    }

    [Fact]
    public void ABurstCascadingThroughLevelOne_KeepsItsLevelZeroArrays()
    {
        // Twelve level-1 buckets (64 ticks each) of 8,192 timers, about 128 a level-0 bucket, as a burst meets them (a
        // million in 100 ms: about 650 a bucket). Each level-1 pull re-files its range into the 64 level-0 buckets, which
        // the level-0 pulls then empty one by one. Before session seventeen (a) each level-1 pull kept the level-0 array
        // the previous pull had handed back (a pulled bucket takes the previous pull array), so the level-0 buckets grew
        // arrays again at every range, and (b) a trim between pulls (a dispatcher that sleeps between them, as a
        // tolerant stream's does) gave every emptied level-0 bucket's array back, to be grown again from 16. Measured
        // here on this sequence (deterministic: one seed, one thread): 48,432 bytes allocated after the first two ranges
        // without trims and 592,496 with them before; 27,712 and 206,744 after (what is left: buckets of the Poisson
        // tail growing 128 → 256, and the last ranges, where the wheel holds few timers and the trim keeps few spares).
        var withoutTrims = AllocatedAfterTheFirstTwoRanges(trimBetweenPulls: false);
        var withTrims = AllocatedAfterTheFirstTwoRanges(trimBetweenPulls: true);
        Assert.True(withoutTrims < 40 * 1024, $"{withoutTrims} bytes allocated by the ranges after the first two, no trims");
        Assert.True(withTrims < 300 * 1024, $"{withTrims} bytes allocated by the ranges after the first two, a trim after every pull");
    }

    /// <summary>Files 98,304 timers in twelve level-1 buckets, pulls them all down (re-filing each pull); the bytes allocated from the third level-1 pull on.</summary>
    private static long AllocatedAfterTheFirstTwoRanges(bool trimBetweenPulls)
    {
        var wheel = new TimerWheel();
        var rng = new Random(17);
        var nodes = new Node[12 * 8_192];
        for (var i = 0; i < nodes.Length; i++)
        {
            var tick = 64 + (long)(rng.NextDouble() * 12 * 64);
            nodes[i] = new Node { DueNanoseconds = tick * Tick };
            Assert.True(wheel.TryInsert(nodes[i], tick * Tick));
        }

        var levelOnePulls = 0;
        long from = 0;
        while (wheel.TryPullEarliest(out var count))
        {
            if (wheel.PulledLevel == 1 && ++levelOnePulls == 3)
            {
                from = GC.GetAllocatedBytesForCurrentThread();
            }

            for (var i = 0; i < count; i++)
            {
                var node = wheel.TakePulled(i)!;
                wheel.TryInsert(node, node.DueNanoseconds); // lower, or near (refused here)
            }

            if (trimBetweenPulls)
            {
                wheel.TrimExcess();
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - from;
        Assert.Equal(12, levelOnePulls);
        Assert.Equal(0, wheel.Count);
        return allocated;
    }

    [Fact]
    public void Trim_KeepsSparesUpToAQuarterOfTheTimersHeld_AndNoneOnceTheWheelIsEmpty()
    {
        var wheel = new TimerWheel();
        for (var i = 0; i < 3_000; i++)
        {
            wheel.TryInsert(new Node(), (2 + (i % 50)) * Tick); // level 0: each bucket grows 16 → 64 (old arrays become spares)
        }

        wheel.TrimExcess();
        Assert.InRange(wheel.SpareSlots, 1, wheel.SpareBound);
        while (wheel.TryPullEarliest(out var count))
        {
            for (var i = 0; i < count; i++)
            {
                wheel.TakePulled(i);
            }
        }

        Assert.Equal(0, wheel.Count);
        wheel.TrimExcess();
        Assert.Equal(0, wheel.SpareSlots);
    }

    [Fact]
    public void ABucketGivenBackItsArray_TakesTimersAgain()
    {
        var wheel = new TimerWheel();
        var nodes = Enumerable.Range(0, 2_000).Select(_ => new Node()).ToArray();
        foreach (var node in nodes)
        {
            wheel.TryInsert(node, 5 * Tick);
        }

        foreach (var node in nodes)
        {
            wheel.Remove(node);
        }

        wheel.TrimExcess(); // the bucket is empty: its array goes among the spares (or is dropped), the bucket holds none
        foreach (var node in nodes)
        {
            Assert.True(wheel.TryInsert(node, 5 * Tick));
        }

        Assert.True(wheel.TryPullEarliest(out var pulled));
        Assert.Equal(2_000, pulled);
        Assert.Equal(nodes.ToHashSet(), Enumerable.Range(0, pulled).Select(wheel.TakePulled).Cast<Node>().ToHashSet());
    }

    private sealed class Node : EngineTimer
    {
        protected internal override void OnFired(in TimerFiring firing)
        {
        }
    }
}
