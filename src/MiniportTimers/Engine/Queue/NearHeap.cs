namespace MiniportTimers.Engine.Queue;

/// <summary>
/// A 4-ary min-heap of <see cref="NearEntry"/> values (keys inline, no per-timer index): the exact-order part of the
/// engine's queue, holding only the timers whose tick the wheel's cursor has reached. Removal is lazy: a cancelled or
/// re-armed timer's entry stays until it reaches the top, where <see cref="TryPeekCurrent"/> drops it; a compaction
/// sweeps stale entries whenever the array fills at twice the size the last sweep left, so churn cannot grow it without
/// bound. The array never shrinks while the dispatcher works through a burst (a pull of a busy bucket grows it to tens
/// of thousands of entries, a large-object array, and shrinking it entry by entry only to grow it again at the next
/// pull cost 188 MB of allocation and five full GCs per million expiries); the dispatcher calls <see cref="TrimExcess"/>
/// when it goes idle, so a burst does not hold memory for good.
/// Not thread-safe: only the engine's dispatcher touches it.
/// </summary>
internal sealed class NearHeap
{
    private const int MinimumCapacity = 64;

    /// <summary>
    /// Children per node: a 4-ary heap is half as deep as a binary one, and a node's children share cache lines. With a
    /// million timers due in one tick (all set at once with the same timeout), the heap outgrows the caches and each pop
    /// paid a miss per level: 2,350 ns per expiry with 2 children against 1,700 ns with 4 on the 2-core VM.
    /// </summary>
    private const int Arity = 4;

    private NearEntry[] _items = new NearEntry[MinimumCapacity];
    private int _compactAt = 1024;

    /// <summary>Entries, stale ones included.</summary>
    public int Count { get; private set; }

    /// <summary>Entries the array can hold: it grows by doubling and shrinks only in <see cref="TrimExcess"/>, down to 64.</summary>
    public int Capacity => _items.Length;

    /// <summary>The timer of the top entry (stale or not), or null when empty: for a prefetch.</summary>
    public EngineTimer? TopTimer => Count > 0 ? _items[0].Timer : null;

    /// <summary>The top entry, stale or not; only while <see cref="Count"/> &gt; 0. Reads no timer (a gather pops entries without touching them).</summary>
    public ref readonly NearEntry Top
    {
        get
        {
            System.Diagnostics.Debug.Assert(Count > 0, "the top of an empty heap is not read");
            return ref _items[0];
        }
    }

    /// <summary>Adds an entry.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // see "First calls" in DispatchWarmUp
    public void Push(in NearEntry entry)
    {
        if (Count == _items.Length)
        {
            if (Count >= _compactAt)
            {
                Compact();
            }

            if (Count == _items.Length)
            {
                Array.Resize(ref _items, checked(_items.Length * 2));
            }
        }

        var index = Count++;
        while (index > 0)
        {
            var parent = (index - 1) / Arity;
            if (!entry.Precedes(_items[parent]))
            {
                break;
            }

            _items[index] = _items[parent];
            index = parent;
        }

        _items[index] = entry;
    }

    /// <summary>The top entry if it is current; false when the heap is empty or its top is stale (left in place).</summary>
    public bool TryPeekTop(out NearEntry entry)
    {
        if (Count > 0 && _items[0].IsCurrent)
        {
            entry = _items[0];
            return true;
        }

        entry = default;
        return false;
    }

    /// <summary>Drops stale entries from the top; then the smallest current entry, if any.</summary>
    public bool TryPeekCurrent(out NearEntry entry)
    {
        while (Count > 0)
        {
            if (TryPeekTop(out entry))
            {
                return true;
            }

            Pop();
        }

        entry = default;
        return false;
    }

    /// <summary>The latest due time of the armed timers this heap has entries for, ns, or <paramref name="floor"/> if none is later: O(n).</summary>
    public long LatestArmedDue(long floor)
    {
        var latest = floor;
        for (var i = 0; i < Count; i++)
        {
            var t = _items[i].Timer;
            if ((Volatile.Read(ref t.StateWord) & EngineTimer.ArmedBit) != 0)
            {
                latest = Math.Max(latest, Volatile.Read(ref t.DueNanoseconds));
            }
        }

        return latest;
    }

    /// <summary>Removes the top entry.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // see "First calls" in DispatchWarmUp
    public void Pop()
    {
        var last = _items[--Count];
        _items[Count] = default;
        if (Count > 0)
        {
            SiftDown(0, last);
        }
    }

    /// <summary>
    /// Gives memory back once the heap is down to a quarter of its array: the array shrinks, in one step, to the smallest
    /// power of two (at least 64) that holds twice the entries. The dispatcher calls it when it is about to sleep.
    /// </summary>
    public void TrimExcess()
    {
        if (_items.Length <= MinimumCapacity || Count >= _items.Length / 4)
        {
            return;
        }

        var capacity = Math.Max(MinimumCapacity, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Count * 2)));
        Array.Resize(ref _items, capacity);
    }

    /// <summary>Removes every stale entry and restores the heap order: O(n).</summary>
    private void Compact()
    {
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            if (_items[i].IsCurrent)
            {
                _items[kept++] = _items[i];
            }
        }

        Array.Clear(_items, kept, Count - kept);
        Count = kept;
        for (var i = (Count - 2) / Arity; i >= 0; i--)
        {
            SiftDown(i, _items[i]);
        }

        _compactAt = Math.Max(1024, Count * 2);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // see "First calls" in DispatchWarmUp
    private void SiftDown(int index, NearEntry item)
    {
        while (true)
        {
            var first = (Arity * index) + 1;
            if (first >= Count)
            {
                break;
            }

            // The smallest of up to four children: they sit side by side, 160 bytes, so a level costs about one cache
            // miss where a binary heap pays one for each of two levels.
            var child = first;
            var last = Math.Min(first + Arity, Count);
            for (var c = first + 1; c < last; c++)
            {
                if (_items[c].Precedes(_items[child]))
                {
                    child = c;
                }
            }

            if (!_items[child].Precedes(item))
            {
                break;
            }

            _items[index] = _items[child];
            index = child;
        }

        _items[index] = item;
    }
}
