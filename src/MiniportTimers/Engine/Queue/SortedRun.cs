namespace MiniportTimers.Engine.Queue;

/// <summary>
/// The exact (zero-tolerance) timers of a pulled level-0 wheel bucket, sorted once by due time and handed out front to
/// back: the third source of the near set beside the exact and the tolerant heaps (issue 27, session ten; the notes
/// "The level-0 run" in DispatchQueue say how it merges with them).
/// <para>Why. A level-0 bucket holds one 65.5 µs tick's timers (about 650 in a burst of a million over 100 ms). Pushed
/// one by one into the near heap and popped one by one, each cost a push (6-7 ns) and a pop of a 650-entry heap
/// (27-34 ns), and the gather copied them once more. Filed here, they cost an append and a share of one radix sort.</para>
/// <para>Layout: the keys and payloads in flat arrays by filing index (<see cref="_due"/>, <see cref="_order"/>,
/// <see cref="_sequence"/>, <see cref="_timers"/>), and the sorted order as a permutation of those indices
/// (<see cref="_sorted"/>): the sort moves 4-byte indices only, never a timer reference (no GC write barrier), and reads
/// no timer.</para>
/// <para>The sort: an LSD radix sort of the indices on the due time's offset from the run's earliest, one 8-bit digit
/// per pass, as many passes as the span needs (two for a tick's 16 bits). LSD passes are stable, so equal due times keep
/// their filing order; the filing order is also the tie-breaker (<see cref="_order"/>) on a real engine, and a virtual
/// engine's arm tickets (not necessarily in filing order: a cancel swap-removes in a bucket) are put in order within
/// each group of equal due times afterwards. So the run hands out entries in exactly the heap order (key, then order).</para>
/// <para>Entries are snapshots as filed (due, sequence), like the heaps' entries: a timer cancelled or re-armed after
/// the filing leaves a stale entry, which the dispatcher drops when it reaches the front (lazily, as at a heap top).</para>
/// Not thread-safe: only the engine's dispatcher touches it.
/// </summary>
internal sealed class SortedRun
{
    /// <summary>The capacity the arrays start at, and the smallest they are trimmed to.</summary>
    private const int MinimumCapacity = 64;

    /// <summary>Due time of each filed entry, ns, by filing index.</summary>
    private long[] _due = new long[MinimumCapacity];

    /// <summary>Tie-breaker of each entry (filing order or arm ticket, as in the heaps), by filing index.</summary>
    private long[] _order = new long[MinimumCapacity];

    /// <summary>Arm sequence of each filed arming, by filing index.</summary>
    private long[] _sequence = new long[MinimumCapacity];

    /// <summary>The timers, by filing index; an entry handed out is cleared (the run keeps no timer alive).</summary>
    private TimerSlot[] _timers = new TimerSlot[MinimumCapacity];

    /// <summary>The filing indices in firing order, once sorted: [<see cref="_next"/>, <see cref="_count"/>) are still to be handed out.</summary>
    private int[] _sorted = new int[MinimumCapacity];

    /// <summary>The sort's second index buffer (the passes alternate between it and <see cref="_sorted"/>).</summary>
    private int[] _scratch = new int[MinimumCapacity];

    /// <summary>Per-digit counts of one radix pass (256 digits, then their start offsets).</summary>
    private readonly int[] _digitStarts = new int[256];

    /// <summary>How many entries are filed. Invariant: 0 ≤ _next ≤ _count ≤ capacity.</summary>
    private int _count;

    /// <summary>The next sorted position to hand out.</summary>
    private int _next;

    /// <summary>True between <see cref="Sort"/> and the run's end: no entry may be added then.</summary>
    private bool _sortedDone;

    /// <summary>The earliest and latest due time filed (the sort's offsets and its number of passes).</summary>
    private long _minDue = long.MaxValue;

    private long _maxDue = long.MinValue;

    /// <summary>Entries not yet handed out (stale ones included).</summary>
    public int Count => _count - _next;

    /// <summary>True when every entry has been handed out (or none was filed).</summary>
    public bool IsEmpty => _next == _count;

    /// <summary>The arrays' capacity (they grow by doubling and shrink only in <see cref="TrimExcess"/>).</summary>
    public int Capacity => _due.Length;

    /// <summary>Files one entry; only before <see cref="Sort"/>, while the run is being built.</summary>
    public void Add(long dueNanoseconds, long order, long sequence, EngineTimer timer)
    {
        System.Diagnostics.Debug.Assert(!_sortedDone, "entries are added only while the run is built (before its sort)");
        if (_count == _due.Length)
        {
            Grow();
        }

        var i = _count++;
        _due[i] = dueNanoseconds;
        _order[i] = order;
        _sequence[i] = sequence;
        _timers[i].Timer = timer;
        _minDue = Math.Min(_minDue, dueNanoseconds);
        _maxDue = Math.Max(_maxDue, dueNanoseconds);
    }

    /// <summary>Sorts the filed entries into firing order (due, then order); the run then hands them out front to back.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // an array loop: see "First calls" in DispatchWarmUp
    public void Sort()
    {
        System.Diagnostics.Debug.Assert(!_sortedDone && _next == 0, "a run is sorted once, before any entry is handed out");
        var count = _count;
        if (count == 0)
        {
            Reset(); // the pull filed nothing here (all tolerant, idle or later): the run stays ready to be built
            return;
        }

        _sortedDone = true;
        var sorted = _sorted;
        for (var i = 0; i < count; i++)
        {
            sorted[i] = i;
        }

        if (count < 2)
        {
            return;
        }

        // One pass per 8-bit digit of the span (a level-0 bucket spans one 65.5 µs tick: two passes).
        var span = unchecked((ulong)(_maxDue - _minDue));
        var scratch = _scratch;
        var due = _due;
        var minDue = _minDue;
        var starts = _digitStarts;
        for (var shift = 0; shift < 64 && (span >> shift) != 0; shift += 8)
        {
            Array.Clear(starts);
            for (var i = 0; i < count; i++)
            {
                starts[(int)((unchecked((ulong)(due[sorted[i]] - minDue)) >> shift) & 0xFF)]++;
            }

            var sum = 0;
            for (var d = 0; d < starts.Length; d++)
            {
                var c = starts[d];
                starts[d] = sum;
                sum += c;
            }

            for (var i = 0; i < count; i++)
            {
                var index = sorted[i];
                scratch[starts[(int)((unchecked((ulong)(due[index] - minDue)) >> shift) & 0xFF)]++] = index;
            }

            (sorted, scratch) = (scratch, sorted);
        }

        _sorted = sorted;
        _scratch = scratch;
        OrderTies();
    }

    /// <summary>
    /// Puts each group of equal due times in tie-breaker order. The stable passes left them in filing order, which is
    /// the order already on a real engine (the order is the filing counter): one comparison per entry then.
    /// </summary>
    private void OrderTies()
    {
        var sorted = _sorted;
        for (var start = 0; start < _count;)
        {
            var end = start + 1;
            var inOrder = true;
            var due = _due[sorted[start]];
            while (end < _count && _due[sorted[end]] == due)
            {
                inOrder &= _order[sorted[end - 1]] < _order[sorted[end]];
                end++;
            }

            if (!inOrder)
            {
                // Rare (a virtual engine's equal due times filed out of ticket order): a small allocation is fine here.
                var keys = new long[end - start];
                var indices = new int[end - start];
                for (var i = start; i < end; i++)
                {
                    keys[i - start] = _order[sorted[i]];
                    indices[i - start] = sorted[i];
                }

                Array.Sort(keys, indices);
                indices.CopyTo(sorted, start);
            }

            start = end;
        }
    }

    /// <summary>The front entry (stale or not) and its heap-order keys; only while not <see cref="IsEmpty"/>. Reads no timer.</summary>
    public NearEntry Front
    {
        get
        {
            System.Diagnostics.Debug.Assert(_sortedDone && !IsEmpty, "the front of a sorted, non-empty run is read");
            var i = _sorted[_next];
            return new NearEntry(_due[i], _due[i], _order[i], _sequence[i], _timers[i].Timer!);
        }
    }

    /// <summary>The front entry's due time, ns; only while not <see cref="IsEmpty"/>.</summary>
    public long FrontDueNanoseconds => _due[_sorted[_next]];

    /// <summary>True when the front entry comes before <paramref name="other"/> in heap order (key = due, then order).</summary>
    public bool FrontPrecedes(in NearEntry other)
    {
        var i = _sorted[_next];
        var due = _due[i];
        return due < other.Key || (due == other.Key && _order[i] < other.Order);
    }

    /// <summary>Removes the front entry (its timer reference dropped); when the last one goes, the run is ready to be built again.</summary>
    public void Pop()
    {
        System.Diagnostics.Debug.Assert(_sortedDone && !IsEmpty, "only a sorted, non-empty run is popped");
        _timers[_sorted[_next]].Timer = null;
        if (++_next == _count)
        {
            Reset();
        }
    }

    /// <summary>The latest due time of the armed timers this run has entries for, ns, or <paramref name="floor"/> if none is later: O(n).</summary>
    public long LatestArmedDue(long floor)
    {
        var latest = floor;
        for (var p = _next; p < _count; p++)
        {
            var t = _timers[_sorted[p]].Timer!;
            if ((Volatile.Read(ref t.StateWord) & EngineTimer.ArmedBit) != 0)
            {
                latest = Math.Max(latest, Volatile.Read(ref t.DueNanoseconds));
            }
        }

        return latest;
    }

    /// <summary>Gives memory back once the run is empty and its arrays are larger than the minimum (the dispatcher calls it when it goes idle).</summary>
    public void TrimExcess()
    {
        if (!IsEmpty || _due.Length <= MinimumCapacity)
        {
            return;
        }

        Resize(MinimumCapacity);
    }

    /// <summary>Empties the run (every entry handed out): the next pull may build it again.</summary>
    private void Reset()
    {
        _count = 0;
        _next = 0;
        _sortedDone = false;
        _minDue = long.MaxValue;
        _maxDue = long.MinValue;
    }

    private void Grow() => Resize(checked(_due.Length * 2));

    private void Resize(int capacity)
    {
        Array.Resize(ref _due, capacity);
        Array.Resize(ref _order, capacity);
        Array.Resize(ref _sequence, capacity);
        Array.Resize(ref _timers, capacity);
        Array.Resize(ref _sorted, capacity);
        Array.Resize(ref _scratch, capacity);
    }
}
