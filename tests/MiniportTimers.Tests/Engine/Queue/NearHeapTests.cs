using MiniportTimers.Engine;
using MiniportTimers.Engine.Queue;

namespace MiniportTimers.Tests.Engine.Queue;

public class NearHeapTests
{
    [Fact]
    public void TryPeekCurrent_OrdersByKeyThenOrder()
    {
        var engine = new VirtualTimerEngine();
        var heap = new NearHeap();
        var entries = new (long Key, long Order)[] { (30, 1), (20, 5), (20, 2), (10, 9) }
            .Select(k => Current(engine, k.Key, k.Order)).ToList();
        entries.ForEach(e => heap.Push(e));

        var popped = new List<(long, long)>();
        while (heap.TryPeekCurrent(out var top))
        {
            popped.Add((top.Key, top.Order));
            heap.Pop();
        }

        Assert.Equal([(10L, 9L), (20L, 2L), (20L, 5L), (30L, 1L)], popped);
    }

    [Fact]
    public void RandomPushesPopsAndTrims_EveryEntryComesOutWholeAndInOrder()
    {
        // The heap keeps the keys apart from the timer, due time and sequence (a slot table): slots are reused after
        // pops and renumbered by a resize or a trim, and each entry must still come out with its own payload.
        // Every entry is current (its own timer, armed with the entry's due time), so a compaction keeps it.
        var engine = new VirtualTimerEngine();
        var heap = new NearHeap();
        var expected = new SortedSet<NearEntry>(Comparer<NearEntry>.Create((a, b) => a.Precedes(b) ? -1 : b.Precedes(a) ? 1 : 0));
        var rng = new Random(8);
        long order = 0;
        for (var step = 0; step < 20_000; step++)
        {
            var grow = step % 5_000 < 3_000; // phases that grow the heap past several resizes, then drain it
            if (heap.Count == 0 || rng.Next(3) < (grow ? 2 : 1))
            {
                var key = rng.Next(1_000);
                var timer = engine.CreateTimer(static (_, in _) => { });
                var due = 1_000_000 + key - rng.Next(10);
                engine.Arm(timer, due);
                var entry = new NearEntry(key, due, order++, timer.ArmSequence, timer);
                heap.Push(entry);
                expected.Add(entry);
            }
            else
            {
                Assert.Equal(expected.Min, heap.Top);
                expected.Remove(expected.Min);
                heap.Pop();
            }

            if (step % 1_000 == 999)
            {
                heap.TrimExcess();
            }

            Assert.Equal(expected.Count, heap.Count);
        }
    }

    [Fact]
    public void TryPeekCurrent_DropsEntriesOfCancelledAndReArmedTimers()
    {
        var engine = new VirtualTimerEngine();
        var heap = new NearHeap();
        var cancelled = Current(engine, 1, 1);
        var reArmed = Current(engine, 2, 2);
        var current = Current(engine, 3, 3);
        heap.Push(cancelled);
        heap.Push(reArmed);
        heap.Push(current);
        engine.Cancel(cancelled.Timer);
        engine.Arm(reArmed.Timer, 2);

        Assert.True(heap.TryPeekCurrent(out var top));
        Assert.Same(current.Timer, top.Timer);
        Assert.Equal(1, heap.Count);
    }

    [Fact]
    public void Push_ChurnOfStaleEntries_IsSweptInsteadOfGrowingTheHeap()
    {
        var engine = new VirtualTimerEngine();
        var heap = new NearHeap();
        var keep = Current(engine, 50_000, 0);
        heap.Push(keep);
        var timer = engine.CreateTimer((_, in _) => { });
        var largest = 0;
        for (var i = 0; i < 20_000; i++)
        {
            engine.Arm(timer, i); // each arming makes the previous entry stale
            heap.Push(new NearEntry(i, i, i, timer.ArmSequence, timer));
            largest = Math.Max(largest, heap.Count);
        }

        Assert.InRange(largest, 2, 1_024); // swept whenever the array filled at the compaction threshold
        Assert.True(heap.TryPeekCurrent(out var top));
        Assert.Equal(19_999, top.Key); // the timer's latest arming
        heap.Pop();
        Assert.True(heap.TryPeekCurrent(out top));
        Assert.Same(keep.Timer, top.Timer);
    }

    [Fact]
    public void TrimExcess_AfterABurst_GivesTheArrayBack()
    {
        var engine = new VirtualTimerEngine();
        var heap = new NearHeap();
        var timers = new List<EngineTimer>(); // kept alive: only the heap's array may be given back
        for (var i = 0; i < 10_000; i++)
        {
            var entry = Current(engine, i, i);
            timers.Add(entry.Timer);
            heap.Push(entry);
        }

        Assert.Equal(16_384, heap.Capacity);
        while (heap.TryPeekCurrent(out _))
        {
            heap.Pop();
        }

        Assert.Equal(16_384, heap.Capacity); // never shrunk during the burst: the next pull would grow it again
        heap.TrimExcess();

        // The array itself, not the process's memory (other tests allocate meanwhile): back to the minimum.
        Assert.Equal((0, 64), (heap.Count, heap.Capacity));
        GC.KeepAlive(timers);
    }

    private static NearEntry Current(VirtualTimerEngine engine, long due, long order)
    {
        var timer = engine.CreateTimer((_, in _) => { });
        engine.Arm(timer, due);
        return new NearEntry(due, due, order, timer.ArmSequence, timer);
    }
}
