namespace MiniportTimers.Engine.Queue;

/// <summary>
/// A 4-ary min-heap of <see cref="NearEntry"/> values (keys inline, no per-timer index): the exact-order part of the
/// engine's queue, holding only the timers whose tick the wheel's cursor has reached (except the exact timers of a
/// pulled level-0 bucket, which wait in a <see cref="SortedRun"/> beside the heaps: DispatchQueue "The level-0 run"). Removal is lazy: a cancelled or
/// re-armed timer's entry stays until it reaches the top, where <see cref="TryPeekCurrent"/> drops it; a compaction
/// sweeps stale entries whenever the array fills at twice the size the last sweep left, so churn cannot grow it without
/// bound. The array never shrinks while the dispatcher works through a burst (a pull of a busy bucket grows it to tens
/// of thousands of entries, a large-object array, and shrinking it entry by entry only to grow it again at the next
/// pull cost 188 MB of allocation and five full GCs per million expiries); the dispatcher calls <see cref="TrimExcess"/>
/// when it goes idle, so a burst does not hold memory for good.
/// <para>Layout (issue 27, session eight): the heap array holds only the order keys and a slot number (24 bytes, no
/// object reference), and each entry's timer, due time and sequence sit in a slot table beside it. A sift moves an entry
/// a level per step; with the timer reference inline every move was a GC write barrier (a pop of a 650-entry heap cost
/// 64 ns, a push 16 ns, sorted or random), and now it is a plain copy. A slot is taken on push and given back on pop.</para>
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

    /// <summary>The heap: order keys and the slot of each entry's payload. Invariant: the slots of [0, Count) are distinct and taken.</summary>
    private HeapKey[] _items = new HeapKey[MinimumCapacity];

    /// <summary>The payloads, by slot (as long as <see cref="_items"/>); a free slot holds no timer.</summary>
    private Payload[] _payloads = new Payload[MinimumCapacity];

    /// <summary>Free slots below <see cref="_slotsHandedOut"/>, a stack of [0, <see cref="_freeCount"/>).</summary>
    private int[] _freeSlots = new int[MinimumCapacity];

    private int _freeCount;

    /// <summary>Slots [0, this) have been handed out (taken now, or on the free stack). Invariant: Count + _freeCount == _slotsHandedOut ≤ capacity.</summary>
    private int _slotsHandedOut;

    private int _compactAt = 1024;

    /// <summary>Entries, stale ones included.</summary>
    public int Count { get; private set; }

    /// <summary>Entries the array can hold: it grows by doubling and shrinks only in <see cref="TrimExcess"/>, down to 64.</summary>
    public int Capacity => _items.Length;

    /// <summary>The timer of the top entry (stale or not), or null when empty: for a prefetch.</summary>
    public EngineTimer? TopTimer => Count > 0 ? _payloads[_items[0].Slot].Timer : null;

    /// <summary>The top entry, stale or not; only while <see cref="Count"/> &gt; 0. Reads no timer (a gather pops entries without touching them).</summary>
    public NearEntry Top
    {
        get
        {
            System.Diagnostics.Debug.Assert(Count > 0, "the top of an empty heap is not read");
            return EntryAt(0);
        }
    }

    /// <summary>True when the top entry comes before <paramref name="other"/> in heap order (key, then order); only while <see cref="Count"/> &gt; 0.</summary>
    public bool TopPrecedes(in NearEntry other)
    {
        ref readonly var top = ref _items[0];
        return top.Key < other.Key || (top.Key == other.Key && top.Order < other.Order);
    }

    /// <summary>True when this heap's top comes before <paramref name="other"/>'s top; both non-empty.</summary>
    public bool TopPrecedes(NearHeap other) => _items[0].Precedes(other._items[0]);

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
                Resize(checked(_items.Length * 2));
            }
        }

        var slot = _freeCount > 0 ? _freeSlots[--_freeCount] : _slotsHandedOut++;
        _payloads[slot] = new Payload(entry.Timer, entry.DueNanoseconds, entry.Sequence);
        var key = new HeapKey(entry.Key, entry.Order, slot);
        var index = Count++;
        while (index > 0)
        {
            var parent = (index - 1) / Arity;
            if (!key.Precedes(_items[parent]))
            {
                break;
            }

            _items[index] = _items[parent];
            index = parent;
        }

        _items[index] = key;
    }

    /// <summary>The top entry if it is current; false when the heap is empty or its top is stale (left in place).</summary>
    public bool TryPeekTop(out NearEntry entry)
    {
        if (Count > 0)
        {
            entry = EntryAt(0);
            if (entry.IsCurrent)
            {
                return true;
            }
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
            var t = _payloads[_items[i].Slot].Timer!;
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
        FreeSlot(_items[0].Slot);
        var last = _items[--Count];
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

        Resize(Math.Max(MinimumCapacity, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Count * 2))));
    }

    /// <summary>The entry at heap position <paramref name="index"/>, keys and payload together.</summary>
    private NearEntry EntryAt(int index)
    {
        ref readonly var key = ref _items[index];
        ref readonly var payload = ref _payloads[key.Slot];
        return new NearEntry(key.Key, payload.DueNanoseconds, key.Order, payload.Sequence, payload.Timer!);
    }

    /// <summary>Gives a slot back (its timer reference dropped, so the table keeps no timer alive).</summary>
    private void FreeSlot(int slot)
    {
        _payloads[slot] = default;
        _freeSlots[_freeCount++] = slot;
    }

    /// <summary>Moves the heap into arrays of <paramref name="capacity"/> (≥ Count), numbering the slots afresh: entry i's payload goes to slot i.</summary>
    private void Resize(int capacity)
    {
        var items = new HeapKey[capacity];
        var payloads = new Payload[capacity];
        for (var i = 0; i < Count; i++)
        {
            items[i] = new HeapKey(_items[i].Key, _items[i].Order, i);
            payloads[i] = _payloads[_items[i].Slot];
        }

        _items = items;
        _payloads = payloads;
        _freeSlots = new int[capacity];
        _freeCount = 0;
        _slotsHandedOut = Count;
    }

    /// <summary>Removes every stale entry that files nothing and restores the heap order: O(n).</summary>
    private void Compact()
    {
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            if (KeptByCompaction(EntryAt(i)))
            {
                _items[kept++] = _items[i];
            }
            else
            {
                FreeSlot(_items[i].Slot);
            }
        }

        Count = kept;
        for (var i = (Count - 2) / Arity; i >= 0; i--)
        {
            SiftDown(i, _items[i]);
        }

        _compactAt = Math.Max(1024, Count * 2);
    }

    /// <summary>
    /// Whether a compaction keeps <paramref name="entry"/>: a current one, and a stale one whose timer has a lazy re-arm
    /// pending (LazyBit) or an Arm mid-write (WritingBit, which may be a lazy one). A lazy re-arm is published without a
    /// push: its only filing is the earlier position it moved from, this entry, and the dispatcher files it when the
    /// entry reaches the top (DispatchQueue.RefileIfLazy). Dropped here, it was filed nowhere, and the timer stayed
    /// armed and never fired (issue 27, session thirteen: `DispatchQueueRunRaceTests`: two threads re-arming 4,000 timers
    /// against a real dispatcher, left 8-720 of them armed, every one Armed|Lazy, in 3 of 12 runs; since the heaps'
    /// compaction was added). Kept, it is dropped at the top like any stale entry.
    /// </summary>
    private static bool KeptByCompaction(in NearEntry entry) =>
        entry.IsCurrent || (Volatile.Read(ref entry.Timer.StateWord) & (EngineTimer.LazyBit | EngineTimer.WritingBit)) != 0;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // see "First calls" in DispatchWarmUp
    private void SiftDown(int index, HeapKey item)
    {
        while (true)
        {
            var first = (Arity * index) + 1;
            if (first >= Count)
            {
                break;
            }

            // The smallest of up to four children: they sit side by side, 96 bytes, so a level costs about one cache
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

    /// <summary>An entry's place in the heap: its order keys and the slot of its payload (no object reference: a move is a plain copy).</summary>
    private readonly record struct HeapKey(long Key, long Order, int Slot)
    {
        /// <summary>Heap order: key, then order (as <see cref="NearEntry.Precedes"/>).</summary>
        public bool Precedes(in HeapKey other) => Key < other.Key || (Key == other.Key && Order < other.Order);
    }

    /// <summary>What an entry carries besides its keys: the timer, the filed due time and sequence.</summary>
    private readonly record struct Payload(EngineTimer? Timer, long DueNanoseconds, long Sequence);
}
