namespace MiniportTimers.Engine.Queue;

/// <summary>
/// The timers of pulled level-0 wheel buckets, exact and tolerant alike, sorted by due time and handed out front to
/// back: the third source of the near set beside the exact and the tolerant heaps (issue 27, sessions ten and twelve;
/// the notes "The level-0 run" in DispatchQueue say how it merges with them).
/// <para>Why. A level-0 bucket holds one 65.5 µs tick's timers (about 650 in a burst of a million over 100 ms). Pushed
/// one by one into the near heap and popped one by one, each cost a push (6-7 ns) and a pop of a 650-entry heap
/// (27-34 ns), and the gather copied them once more; a tolerant timer paid that twice (its by-due and its by-deadline
/// heap), and its by-deadline entry stayed behind after the fire until a wake-up's peek reached it. Filed here, they cost
/// an append and a share of one radix sort.</para>
/// <para>Layout: the keys and payloads in flat arrays by filing index (<see cref="_due"/>, <see cref="_deadline"/>,
/// <see cref="_order"/>, <see cref="_sequence"/>, <see cref="_timers"/>), and the sorted order as a permutation of those
/// indices (<see cref="_sorted"/>): the sort moves 4-byte indices only, never a timer reference (no GC write barrier),
/// and reads no timer.</para>
/// <para>Segments. A run is built by one pull and may be extended by later ones: each pull files a segment (Add) and
/// sorts it (<see cref="Sort"/>). A later pull's bucket is a later tick, so every entry of the new segment is due after
/// every entry already sorted (<see cref="CanAppendFrom"/> checks it), and the segments, each sorted, are sorted as a
/// whole. Entries handed out leave dead positions at the front; the segment that starts when they are at least as many
/// as the live ones first moves the live ones to the front (<see cref="Compact"/>, amortized O(1) an entry), so a run
/// fed by a steady stream never grows without bound.</para>
/// <para>The sort: an LSD radix sort of a segment's indices on the due time's offset from the segment's earliest, one
/// 8-bit digit per pass, as many passes as the span needs (two for a tick's 16 bits). LSD passes are stable, so equal
/// due times keep their filing order; the filing order is also the tie-breaker (<see cref="_order"/>) on a real engine,
/// and a virtual engine's arm tickets (not necessarily in filing order: a cancel swap-removes in a bucket) are put in
/// order within each group of equal due times afterwards. So the run hands out entries in exactly the heap order (due,
/// then order).</para>
/// <para>Deadlines. A tolerant entry's deadline (due + tolerance) is later than its due time, so the run's order says
/// nothing of which deadline comes first. The tolerant entries' deadlines are kept in a tournament tree over the sorted
/// positions (<see cref="_deadlineMinima"/>: each internal node the smallest deadline below it, the leaves read from the
/// entries, an exact entry's leaf long.MaxValue), so their earliest is at the root, found in O(log n), and taking one
/// out of the deadline order costs O(log n) (<see cref="DropEarliestDeadline"/>). A sorted segment with a tolerant
/// entry updates only its own leaves' ancestors (O(its length + log n)). An exact entry's deadline is its due time, and
/// the run is in due order, so the earliest of theirs is the first exact entry still in the deadline order from the
/// front (<see cref="_exactFront"/>, a scan that only moves forward: O(1) amortized). <see cref="EarliestDeadlineEntry"/>
/// reads both. A run of exact entries alone (a burst, a virtual engine's exact timers) never touches the tree.
/// A handed-out entry is not taken out of the tree when it is popped (the front stays O(1)): its leaf reads long.MaxValue
/// from then on, and the one internal node it may leave too low is repaired when a read reaches it (amortized O(log n)
/// per entry, paid by the rare reads of the earliest deadline, not by the fires).</para>
/// <para>Why a tree (issue 27, session fourteen). Until then the run kept suffix minima: the position of the smallest
/// deadline of every suffix, read in O(1). Dropping that entry re-walked every position before it, so dropping the stale
/// entries of lazily re-armed tolerant timers one by one was quadratic in the run's length: a million idle timeouts of
/// 30 s (1 s tolerance) pulled into the run and re-armed at 5 M/s kept the dispatcher in that walk for minutes, with
/// exact one-shots due meanwhile starved (docs/reliability.md).</para>
/// <para>Entries are snapshots as filed (due, deadline, sequence), like the heaps' entries: a timer cancelled or re-armed
/// after the filing leaves a stale entry, which the dispatcher drops when it reaches the front (lazily, as at a heap top),
/// or, when its deadline is the earliest, drops from the deadline order (<see cref="DropEarliestDeadline"/>).</para>
/// Not thread-safe: only the engine's dispatcher touches it.
/// </summary>
internal sealed class SortedRun
{
    /// <summary>The capacity the arrays start at, and the smallest they are trimmed to.</summary>
    private const int MinimumCapacity = 64;

    /// <summary>Due time of each filed entry, ns, by filing index.</summary>
    private long[] _due = new long[MinimumCapacity];

    /// <summary>Latest-allowed deadline of each filed entry (its due time for an exact timer; long.MaxValue once dropped from the deadline order), ns, by filing index.</summary>
    private long[] _deadline = new long[MinimumCapacity];

    /// <summary>Tie-breaker of each entry (filing order or arm ticket, as in the heaps), by filing index.</summary>
    private long[] _order = new long[MinimumCapacity];

    /// <summary>Arm sequence of each filed arming, by filing index.</summary>
    private long[] _sequence = new long[MinimumCapacity];

    /// <summary>True where the filing read the arming's arm code and found no period (DispatchQueue "The parameter block"), by filing index.</summary>
    private bool[] _filedOneShot = new bool[MinimumCapacity];

    /// <summary>The timers, by filing index; an entry handed out is cleared (the run keeps no timer alive).</summary>
    private TimerSlot[] _timers = new TimerSlot[MinimumCapacity];

    /// <summary>The filing indices in firing order: sorted positions [<see cref="_next"/>, <see cref="_sortedCount"/>) are still to be handed out.</summary>
    private int[] _sorted = new int[MinimumCapacity];

    /// <summary>The sort's second index buffer (the passes alternate between it and <see cref="_sorted"/>).</summary>
    private int[] _scratch = new int[MinimumCapacity];

    /// <summary>
    /// The deadline tournament tree, as long as the other arrays (its capacity C): node i in [1, C) holds the smallest
    /// deadline of its children 2i and 2i + 1, where a child j ≥ C is the leaf of sorted position j − C, read by
    /// <see cref="LeafDeadline"/> (a tolerant entry's deadline; long.MaxValue for an exact entry, outside
    /// [<see cref="_next"/>, <see cref="_sortedCount"/>), and for an entry dropped from the deadline order). Node 0 is
    /// unused. Invariant (Debug-checked, small runs): every node is the minimum of its children, except a parent of
    /// leaves handed out since it was computed, which may be lower (repaired by <see cref="EarliestTolerantPosition"/>
    /// when it reaches one); so the root is never later than the earliest deadline of the tolerant entries not handed
    /// out; and every node above positions not yet sorted is long.MaxValue.
    /// </summary>
    private long[] _deadlineMinima = NewDeadlineMinima(MinimumCapacity);

    /// <summary>The sorted position <see cref="EarliestDeadlineEntry"/> last returned (what <see cref="DropEarliestDeadline"/> drops).</summary>
    private int _earliestDeadlinePosition = -1;

    /// <summary>
    /// Where the scan for the earliest exact entry resumes, a sorted position. Invariant: no exact entry still in the
    /// deadline order lies in [<see cref="_next"/>, _exactFront) (every position there is tolerant, dropped or handed out).
    /// </summary>
    private int _exactFront;

    /// <summary>True once a tolerant entry has been sorted since the tree was last all long.MaxValue: a reset or compaction must then recompute it.</summary>
    private bool _treeHasTolerant;

    /// <summary>Compact's spare rows (as long as the arrays; empty between compactions).</summary>
    private long[] _spareLongs = new long[MinimumCapacity];

    private TimerSlot[] _spareTimers = new TimerSlot[MinimumCapacity];

    private bool[] _spareFlags = new bool[MinimumCapacity];

    /// <summary>Per-digit counts of one radix pass (256 digits, then their start offsets).</summary>
    private readonly int[] _digitStarts = new int[256];

    /// <summary>
    /// How many entries are filed. Invariant: 0 ≤ _next ≤ _sortedCount ≤ _count ≤ capacity; the filing indices of sorted
    /// positions [0, _sortedCount) are a permutation of [0, _sortedCount), and [_sortedCount, _count) is the segment being
    /// built (added, not yet sorted: nothing reads it).
    /// </summary>
    private int _count;

    /// <summary>How many entries are sorted.</summary>
    private int _sortedCount;

    /// <summary>The next sorted position to hand out.</summary>
    private int _next;

    /// <summary>The earliest and latest due time of the segment being built (the sort's offsets and its number of passes).</summary>
    private long _segmentMinDue = long.MaxValue;

    private long _segmentMaxDue = long.MinValue;

    /// <summary>True when an entry of the segment being built has a deadline later than its due time.</summary>
    private bool _segmentHasTolerant;

    /// <summary>The latest due time sorted (a new segment's entries must all be later), ns.</summary>
    private long _sortedMaxDue = long.MinValue;

    /// <summary>Entries not yet handed out (stale ones included).</summary>
    public int Count => _sortedCount - _next;

    /// <summary>True when every sorted entry has been handed out (or none was filed).</summary>
    public bool IsEmpty => _next == _sortedCount;

    /// <summary>How many deadline tree nodes have been computed since the run was created: the tree's work, for tests of its cost (a count, not a time).</summary>
    internal long DeadlineNodesComputed { get; private set; }

    /// <summary>The arrays' capacity (they grow by doubling and shrink only in <see cref="TrimExcess"/>).</summary>
    public int Capacity => _due.Length;

    /// <summary>True when a segment whose entries are all due at or after <paramref name="earliestDueNanoseconds"/> may be added: the run is empty, or all of it is due earlier.</summary>
    public bool CanAppendFrom(long earliestDueNanoseconds) => IsEmpty || earliestDueNanoseconds > _sortedMaxDue;

    /// <summary>
    /// Files one entry of the segment being built (sorted by the next <see cref="Sort"/>). The caller has checked
    /// <see cref="CanAppendFrom"/> for the segment: every entry is due after every sorted one.
    /// </summary>
    public void Add(long dueNanoseconds, long deadlineNanoseconds, long order, long sequence, EngineTimer timer, bool filedOneShot = false)
    {
        System.Diagnostics.Debug.Assert(deadlineNanoseconds >= dueNanoseconds, "a deadline is never before its due time");
        System.Diagnostics.Debug.Assert(IsEmpty || dueNanoseconds > _sortedMaxDue, "a later segment is due after everything sorted");
        if (_count == _sortedCount && _next > 0 && _next >= _sortedCount - _next)
        {
            Compact(); // a new segment, and at least as many dead positions as live ones: the live ones move to the front
        }

        if (_count == _due.Length)
        {
            Grow();
        }

        var i = _count++;
        _due[i] = dueNanoseconds;
        _deadline[i] = deadlineNanoseconds;
        _order[i] = order;
        _sequence[i] = sequence;
        _filedOneShot[i] = filedOneShot;
        _timers[i].Timer = timer;
        _segmentMinDue = Math.Min(_segmentMinDue, dueNanoseconds);
        _segmentMaxDue = Math.Max(_segmentMaxDue, dueNanoseconds);
        _segmentHasTolerant |= deadlineNanoseconds != dueNanoseconds;
    }

    /// <summary>Sorts the segment filed since the last sort into firing order (due, then order) behind the sorted entries; the run then hands them out front to back.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // an array loop: see "First calls" in DispatchWarmUp
    public void Sort()
    {
        var start = _sortedCount;
        var count = _count;
        if (count == start)
        {
            if (IsEmpty)
            {
                Reset(); // nothing filed here and nothing left: the run stays ready to be built
            }

            return;
        }

        var sorted = _sorted;
        for (var i = start; i < count; i++)
        {
            sorted[i] = i;
        }

        // One pass per 8-bit digit of the span (a level-0 bucket spans one 65.5 µs tick: two passes).
        var span = unchecked((ulong)(_segmentMaxDue - _segmentMinDue));
        var scratch = _scratch;
        var due = _due;
        var minDue = _segmentMinDue;
        var starts = _digitStarts;
        for (var shift = 0; shift < 64 && (span >> shift) != 0; shift += 8)
        {
            Array.Clear(starts);
            for (var i = start; i < count; i++)
            {
                starts[(int)((unchecked((ulong)(due[sorted[i]] - minDue)) >> shift) & 0xFF)]++;
            }

            var sum = start;
            for (var d = 0; d < starts.Length; d++)
            {
                var c = starts[d];
                starts[d] = sum;
                sum += c;
            }

            for (var i = start; i < count; i++)
            {
                var index = sorted[i];
                scratch[starts[(int)((unchecked((ulong)(due[index] - minDue)) >> shift) & 0xFF)]++] = index;
            }

            (sorted, scratch) = (scratch, sorted);
        }

        if (!ReferenceEquals(sorted, _sorted))
        {
            Array.Copy(sorted, start, _sorted, start, count - start); // an odd number of passes: the segment goes back beside the sorted part
        }

        OrderTies(start, count);
        _sortedCount = count;
        _sortedMaxDue = _segmentMaxDue;
        _segmentMinDue = long.MaxValue;
        _segmentMaxDue = long.MinValue;
        if (_segmentHasTolerant)
        {
            // The segment's tolerant leaves now read their deadlines: their ancestors, once each. An exact segment's leaves
            // read long.MaxValue, as every node above positions not yet sorted already does.
            _segmentHasTolerant = false;
            _treeHasTolerant = true;
            RecomputeDeadlineMinima(start, count);
        }
    }

    /// <summary>
    /// Puts each group of equal due times of sorted positions [start, end) in tie-breaker order. The stable passes left
    /// them in filing order, which is the order already on a real engine (the order is the filing counter): one
    /// comparison per entry then.
    /// </summary>
    private void OrderTies(int start, int end)
    {
        var sorted = _sorted;
        for (var group = start; group < end;)
        {
            var groupEnd = group + 1;
            var inOrder = true;
            var due = _due[sorted[group]];
            while (groupEnd < end && _due[sorted[groupEnd]] == due)
            {
                inOrder &= _order[sorted[groupEnd - 1]] < _order[sorted[groupEnd]];
                groupEnd++;
            }

            if (!inOrder)
            {
                // Rare (a virtual engine's equal due times filed out of ticket order): a small allocation is fine here.
                var keys = new long[groupEnd - group];
                var indices = new int[groupEnd - group];
                for (var i = group; i < groupEnd; i++)
                {
                    keys[i - group] = _order[sorted[i]];
                    indices[i - group] = sorted[i];
                }

                Array.Sort(keys, indices);
                indices.CopyTo(sorted, group);
            }

            group = groupEnd;
        }
    }

    /// <summary>A deadline tree of <paramref name="capacity"/> nodes, every one long.MaxValue (no entry).</summary>
    private static long[] NewDeadlineMinima(int capacity)
    {
        var minima = new long[capacity];
        Array.Fill(minima, long.MaxValue);
        return minima;
    }

    /// <summary>The deadline the tree's leaf for sorted position <paramref name="position"/> reads, ns: a tolerant entry's deadline; long.MaxValue for an exact entry, a position handed out or not sorted, or an entry dropped from the deadline order.</summary>
    private long LeafDeadline(int position)
    {
        if (unchecked((uint)(position - _next) >= (uint)(_sortedCount - _next)))
        {
            return long.MaxValue;
        }

        var i = _sorted[position];
        var deadline = _deadline[i];
        return deadline != _due[i] ? deadline : long.MaxValue; // a dropped entry's deadline is long.MaxValue already
    }

    /// <summary>True when the entry at sorted position <paramref name="position"/> is exact and still in the deadline order (its deadline is its due time).</summary>
    private bool IsExactInDeadlineOrder(int position)
    {
        var i = _sorted[position];
        return _deadline[i] == _due[i];
    }

    /// <summary>The deadline of the entry at sorted position <paramref name="position"/> as it is in the deadline order, ns.</summary>
    private long DeadlineOf(int position) => _deadline[_sorted[position]];

    /// <summary>The sorted position of the earliest exact entry still in the deadline order, or -1: the scan from <see cref="_exactFront"/> (O(1) amortized).</summary>
    private int EarliestExactPosition()
    {
        var p = Math.Max(_exactFront, _next);
        while (p < _sortedCount && !IsExactInDeadlineOrder(p))
        {
            p++;
        }

        _exactFront = p;
        return p < _sortedCount ? p : -1;
    }

    /// <summary>The value of tree node <paramref name="node"/> (an internal node's minimum, or a leaf's deadline), ns.</summary>
    private long NodeDeadline(int node)
    {
        var capacity = _deadlineMinima.Length;
        return node >= capacity ? LeafDeadline(node - capacity) : _deadlineMinima[node];
    }

    /// <summary>
    /// Recomputes every ancestor of the leaves of sorted positions [<paramref name="from"/>, <paramref name="to"/>), level
    /// by level up to the root: O(to − from + log n).
    /// </summary>
    private void RecomputeDeadlineMinima(int from, int to)
    {
        if (from >= to)
        {
            return;
        }

        var minima = _deadlineMinima;
        var capacity = minima.Length;
        var low = (capacity + from) >> 1;
        var high = (capacity + to - 1) >> 1;
        while (low >= 1)
        {
            for (var node = low; node <= high; node++)
            {
                minima[node] = Math.Min(NodeDeadline(2 * node), NodeDeadline((2 * node) + 1));
            }

            DeadlineNodesComputed += high - low + 1;

            low >>= 1;
            high >>= 1;
        }

        AssertDeadlineMinima();
    }

    /// <summary>
    /// The sorted position of a tolerant entry with the earliest deadline among those not handed out (ties: any), or -1
    /// when none is left in the deadline order. Descends from the root to the smaller child; a parent of leaves
    /// found lower than both its leaves (they were handed out since it was computed) is recomputed up to the root and
    /// the descent begins again: O(log n) amortized.
    /// </summary>
    private int EarliestTolerantPosition()
    {
        var minima = _deadlineMinima;
        var capacity = minima.Length;
        while (true)
        {
            var earliest = minima[1];
            if (earliest == long.MaxValue)
            {
                return -1;
            }

            var node = 1;
            while (2 * node < capacity)
            {
                node = minima[2 * node] <= minima[(2 * node) + 1] ? 2 * node : (2 * node) + 1;
            }

            // node is a parent of two leaves: the stored minimum was computed from them.
            var left = (2 * node) - capacity;
            var leftDeadline = LeafDeadline(left);
            var rightDeadline = LeafDeadline(left + 1);
            if (Math.Min(leftDeadline, rightDeadline) == earliest)
            {
                return leftDeadline == earliest ? left : left + 1;
            }

            System.Diagnostics.Debug.Assert(Math.Min(leftDeadline, rightDeadline) > earliest, "a leaf's deadline only rises (handed out or dropped) without its ancestors recomputed");
            RecomputeDeadlineMinima(left, left + 2); // handed out since: repair this path and look again
        }
    }

    /// <summary>Debug: every internal node is the minimum of its children, or lower only where a leaf below was handed out (O(n); small runs only).</summary>
    [System.Diagnostics.Conditional("DEBUG")]
    private void AssertDeadlineMinima()
    {
        var minima = _deadlineMinima;
        if (minima.Length > 4096)
        {
            return;
        }

        for (var node = minima.Length - 1; node >= 1; node--)
        {
            var computed = Math.Min(NodeDeadline(2 * node), NodeDeadline((2 * node) + 1));
            var leafParent = 2 * node >= minima.Length;
            System.Diagnostics.Debug.Assert(minima[node] == computed || (leafParent && minima[node] < computed), "each deadline node is the minimum of its children (a leaves' parent may lag a hand-out)");
        }
    }

    /// <summary>The front entry (stale or not) and its heap-order keys; only while not <see cref="IsEmpty"/>. Reads no timer.</summary>
    public NearEntry Front
    {
        get
        {
            System.Diagnostics.Debug.Assert(!IsEmpty, "the front of a non-empty run is read");
            var i = _sorted[_next];
            return new NearEntry(_due[i], _due[i], _order[i], _sequence[i], _timers[i].Timer!);
        }
    }

    /// <summary>The front entry's due time, ns; only while not <see cref="IsEmpty"/>.</summary>
    public long FrontDueNanoseconds => _due[_sorted[_next]];

    /// <summary>The front entry's deadline as filed (its due time for an exact timer), ns; only while not <see cref="IsEmpty"/>.</summary>
    public long FrontDeadlineNanoseconds => _deadline[_sorted[_next]];

    /// <summary>True when the front entry was filed as a one-shot (its parameters read then, with no period); only while not <see cref="IsEmpty"/>.</summary>
    public bool FrontFiledOneShot => _filedOneShot[_sorted[_next]];

    /// <summary>True when the front entry comes before <paramref name="other"/> in heap order (key = due, then order).</summary>
    public bool FrontPrecedes(in NearEntry other)
    {
        var i = _sorted[_next];
        var due = _due[i];
        return due < other.Key || (due == other.Key && _order[i] < other.Order);
    }

    /// <summary>
    /// The entry with the earliest deadline among those not handed out (stale or not; ties: any), and that deadline;
    /// only while not <see cref="IsEmpty"/>. O(log n) amortized, reads no timer. Its deadline is long.MaxValue (and the
    /// entry the front) when every remaining entry was dropped from the deadline order.
    /// </summary>
    public NearEntry EarliestDeadlineEntry(out long deadlineNanoseconds)
    {
        System.Diagnostics.Debug.Assert(!IsEmpty, "the deadlines of a non-empty run are read");
        var exact = EarliestExactPosition();
        var position = EarliestTolerantPosition();
        if (position < 0 || (exact >= 0 && DeadlineOf(exact) <= DeadlineOf(position)))
        {
            position = exact;
        }

        _earliestDeadlinePosition = position;
        var i = _sorted[position < 0 ? _next : position];
        deadlineNanoseconds = position < 0 ? long.MaxValue : _deadline[i];
        return new NearEntry(_due[i], _due[i], _order[i], _sequence[i], _timers[i].Timer!);
    }

    /// <summary>
    /// Takes the entry of <see cref="EarliestDeadlineEntry"/> (found stale) out of the deadline order: it stays in the
    /// firing order, to be dropped when it reaches the front. O(log n). Only right after <see cref="EarliestDeadlineEntry"/>
    /// found a deadline (nothing changed the run between).
    /// </summary>
    public void DropEarliestDeadline()
    {
        var position = _earliestDeadlinePosition;
        System.Diagnostics.Debug.Assert(!IsEmpty && position >= _next && position < _sortedCount && DeadlineOf(position) != long.MaxValue, "the entry the last EarliestDeadlineEntry found is dropped");
        _earliestDeadlinePosition = -1;
        var tolerant = !IsExactInDeadlineOrder(position);
        _deadline[_sorted[position]] = long.MaxValue;
        if (tolerant)
        {
            RecomputeDeadlineMinima(position, position + 1); // an exact one is passed over by the next scan
        }
    }

    /// <summary>Removes the front entry (its timer reference dropped); when the last one goes, the run is ready to be built again.</summary>
    public void Pop()
    {
        System.Diagnostics.Debug.Assert(!IsEmpty && _count == _sortedCount, "only a non-empty run is popped, never while a segment is built");
        _timers[_sorted[_next]].Timer = null;
        if (++_next == _sortedCount)
        {
            Reset();
        }
    }

    /// <summary>The latest due time of the armed timers this run has entries for, ns, or <paramref name="floor"/> if none is later: O(n).</summary>
    public long LatestArmedDue(long floor)
    {
        var latest = floor;
        for (var p = _next; p < _sortedCount; p++)
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
        System.Diagnostics.Debug.Assert(_count == _sortedCount, "a run is reset only between segments");
        var sorted = _sortedCount;
        _count = 0;
        _sortedCount = 0;
        _next = 0;
        _exactFront = 0;
        if (_treeHasTolerant)
        {
            _treeHasTolerant = false;
            RecomputeDeadlineMinima(0, sorted); // every leaf now reads long.MaxValue: so do their ancestors
        }
        _segmentMinDue = long.MaxValue;
        _segmentMaxDue = long.MinValue;
        _segmentHasTolerant = false;
        _sortedMaxDue = long.MinValue;
    }

    /// <summary>
    /// Between segments: moves the entries not yet handed out to filing indices and sorted positions [0, Count), in
    /// firing order (the deadline tree recomputed for the positions before). O(the positions before), through the spare rows (<see cref="_spareLongs"/>,
    /// <see cref="_spareTimers"/>): each array is gathered in sorted order into its spare row and copied back. No
    /// allocation: it runs in the middle of a stream (a run fed by a pull per tick never empties).
    /// </summary>
    private void Compact()
    {
        System.Diagnostics.Debug.Assert(_count == _sortedCount, "compacted only between segments");
        var live = _sortedCount - _next;
        var sorted = _sorted;
        var next = _next;
        GatherLongs(_due, sorted, next, live);
        GatherLongs(_deadline, sorted, next, live);
        GatherLongs(_order, sorted, next, live);
        GatherLongs(_sequence, sorted, next, live);
        var oneShot = _filedOneShot;
        var spareFlags = _spareFlags;
        for (var p = 0; p < live; p++)
        {
            spareFlags[p] = oneShot[sorted[next + p]];
        }

        Array.Copy(spareFlags, oneShot, live);

        var timers = _timers;
        var spare = _spareTimers;
        for (var p = 0; p < live; p++)
        {
            spare[p] = timers[sorted[next + p]];
        }

        Array.Clear(timers, 0, _count);
        Array.Copy(spare, timers, live);
        Array.Clear(spare, 0, live); // the spare row keeps no timer alive

        for (var p = 0; p < live; p++)
        {
            sorted[p] = p;
        }

        var before = _sortedCount;
        _next = 0;
        _count = live;
        _sortedCount = live;
        _exactFront = Math.Max(0, _exactFront - next);
        if (_treeHasTolerant)
        {
            RecomputeDeadlineMinima(0, before);
        }
    }

    /// <summary>Compact: <paramref name="values"/>[p] := values[sorted[next + p]] for p in [0, live), through the spare row.</summary>
    private void GatherLongs(long[] values, int[] sorted, int next, int live)
    {
        var spare = _spareLongs;
        for (var p = 0; p < live; p++)
        {
            spare[p] = values[sorted[next + p]];
        }

        Array.Copy(spare, values, live);
    }

    private void Grow() => Resize(checked(_due.Length * 2));

    private void Resize(int capacity)
    {
        Array.Resize(ref _due, capacity);
        Array.Resize(ref _deadline, capacity);
        Array.Resize(ref _order, capacity);
        Array.Resize(ref _sequence, capacity);
        Array.Resize(ref _filedOneShot, capacity);
        Array.Resize(ref _timers, capacity);
        Array.Resize(ref _sorted, capacity);
        Array.Resize(ref _scratch, capacity);
        _deadlineMinima = NewDeadlineMinima(capacity);
        if (_treeHasTolerant)
        {
            RecomputeDeadlineMinima(_next, _sortedCount);
        }
        _spareLongs = new long[capacity];
        _spareTimers = new TimerSlot[capacity];
        _spareFlags = new bool[capacity];
    }
}
