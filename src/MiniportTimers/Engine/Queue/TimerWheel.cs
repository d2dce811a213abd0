using System.Numerics;

namespace MiniportTimers.Engine.Queue;

// =====================================================================================================================
// TimerWheel: the far part of the engine's queue
//
// A hierarchical timing wheel (Varghese & Lauck) over 65.536 µs ticks, whose buckets are arrays of timer references
// (WheelBucket): a filed timer costs one 8-byte reference beyond its own object (which holds its bucket and index), and
// filing or removing it is O(1) (removal swaps the bucket's last timer into the hole, Go's per-P timer heaps keep an
// index the same way). Time in ticks is split into 6-bit digits; level k holds the timers whose tick first differs
// from the cursor's at digit k, in the bucket named by that digit.
//
//   level  bucket width   level spans         level  bucket width   level spans
//     0      65.5 µs        4.2 ms              4      18.3 min       19.5 h
//     1       4.2 ms      268 ms                5      19.5 h         52 days
//     2     268 ms         17.2 s               6      52 days        9.1 years
//     3      17.2 s        18.3 min             7       9.1 years   584 years (beyond MaxTimeNanoseconds)
//
// Invariant: every timer in the wheel has tick(due) > Cursor; every timer of the engine's near set (the near heaps and
// the level-0 run, SortedRun) has tick ≤ Cursor.
// So the wheel never has to be exact: its timers are all later than everything in the near heaps, which order by the
// exact nanosecond. Buckets at a level are all ahead of the cursor's digit there, and a lower level is all earlier than
// a higher one, so the earliest timers sit in the lowest occupied bucket of the lowest occupied level.
//
// The cursor moves only by TryPullEarliest: it jumps to that bucket's start (nothing in the wheel is earlier) and hands
// the bucket's timers back to the engine, which files each again: into a lower level, or, once its tick is ≤ the
// cursor, into the near set (a level-0 bucket's exact timers into the run, sorted once: DispatchQueue "The level-0
// run"). A timer cascades at most once per level per arming. With the wheel empty the cursor may
// also jump forward to the present (AdvanceIdleCursor), so new armings land in low levels. It moves back only by Rewind,
// on an empty wheel whose owner files every near timer again (DispatchQueue.RewindIfAhead: a far pull left the cursor
// ahead of the clock, and armings due before it could not enter the wheel).
//
// Why arrays (issue 27). A pull is the one place the dispatcher meets thousands of cold timers at once (a burst of a
// million armed a second ahead is pulled three times on its way down: level 2, level 1, level 0). Through a linked list
// each step waited for the previous miss: about 200 ns a timer on the 2-core VM (`bench --only memory`, the chased
// walk). Through an array of references the addresses are known ahead, so the misses can overlap: about 10 ns a timer
// (the array walk). They overlap only if the loads are close together in the instruction stream: a prefetch 16 ahead
// inside the filing loop (a few hundred instructions a timer) still cost 80-170 ns a timer in a burst, so the
// dispatcher reads a chunk of the pull array in a tight loop first (TouchPulled: one load per timer, and a prefetch of
// the next chunk), then files that chunk. A pulled bucket's array is swapped out whole (the bucket takes the previous,
// emptied pull array), so the pull itself is O(1) and never copies.
//
// A pulled timer waits in the pull array, untouched and still naming the pulled bucket's slot, until the caller takes
// it (TakePulled): every pulled timer is taken before the wheel is pulled again. A real dispatcher may stop a pull
// between chunks to fire due work first (DispatchQueue "A pull that yields"); meanwhile the pull is pending
// (PullPending), and a pulled timer not yet taken may be removed (a cancel or re-arm drained, a lazy arming filed):
// Remove clears its place in the pull array, and TakePulled then hands back null for it. While a pull is pending the
// pulled bucket stays empty (nothing files into it: every tick in it differs from the cursor only in lower digits), so
// a timer naming that bucket's slot is in the pull array; its timers may be due at the cursor's own tick, so the
// earliest possible due time is the cursor's tick then, not the next one.
//
// Spare arrays (issue 27, session eleven)
//   A burst allocated 0.4-21 MB of bucket arrays inside its own window (GC allocation ticks: EngineTimer[]), with a
//   gen-0 collection in about half the bursts: a level-2 pull in the window (a burst that straddles a 268 ms boundary)
//   re-filed half a million timers into level-1 buckets that grew 16 → 64 K by doubling, and level-0 buckets trimmed
//   before a sleep grew back. Now:
//   - a bucket that must grow takes the shortest spare array at least twice its length, up to 4× that (Rent; a small
//     bucket does not take a long array a cascade needs), and puts its old one among the spares (Release, cleared);
//   - a bucket with no timers gives its array to the spares at a trim and holds WheelBucket.Empty; an emptied pull array
//     much longer than the pulled bucket's goes to the spares at the pull (a level-1 bucket's 64 K array no longer sits
//     in a level-0 bucket until the next trim);
//   - buckets of level 2 and up count, as timers are filed, which bucket of the level below each will re-file into
//     (WheelBucket.FiledBelow), and their pull gives each of those buckets an array long enough at once (ReserveBelow);
//   - the trim before a sleep keeps the spares the next level-2 pull will reserve (WantedForNextCascades) and others up
//     to a quarter as many references as the wheel holds timers (SpareBound, the largest dropped first; an emptied
//     wheel gives everything back), then provisions what that pull will reserve and the spares lack
//     (ProvisionNextCascades), allocating it then, outside the burst's window. Before session twelve the drop did not
//     spare the provisioned arrays, so a stream that sleeps every millisecond dropped and re-allocated them at each
//     sleep (40-57 MB a second in the tolerant spread);
//   - that provisioning asks for what the pull will find missing: each level-1 array sized for the pull's own timers
//     (level 1 is empty when a level-2 bucket is pulled), the arrays the occupied level-1 buckets hold counted as coming
//     back (HeldByLevelOne). Before session thirteen it counted the timers level 1 held then too, so every level-2 pull
//     of a stream was provisioned a second, longer set that the pull did not take (10-11 MB a second).
//   - (session seventeen) the level-0 arrays stay in their buckets through a trim, empty or not, up to 4× a level-0
//     bucket's share of the timers the wheel holds (LevelZeroArrayKept; all go once the wheel is empty), and a pull of
//     level 1 or up right after a level-0 pull puts the level-0 pull array among the spares instead of in the bucket it
//     pulled (a pulled bucket otherwise takes the previous pull array). Before, a tolerant stream, which trims at
//     most every 100 ms or before a sleep of 1 ms, gave its emptied level-0 buckets' arrays back at each trim and grew
//     them again from 16 at the next level-1 cascade, and every level-1 pull of a burst kept one level-0 array in the
//     level-1 bucket it pulled, which the level-0 buckets then grew anew: in a fixed cascade of 98,304 timers through
//     twelve level-1 ranges (TimerWheelTests), 592 KB allocated with a trim after each pull and 48 KB without, against
//     207 KB and 28 KB now; in the 1 ms-tolerance spread of `bench --only expiry`, 0.8-1.3 MB allocated inside the
//     second before, 0.3-0.9 MB now (docs/benchmarks.md, session seventeen).
//   Spares are per wheel (one dispatcher's), never shared between threads.
//
// Not thread-safe: only the engine's dispatcher touches it (and the wheel fields of the timers in it).
// =====================================================================================================================

/// <summary>The engine's far queue: a hierarchical timing wheel of timer arrays (see the notes above).</summary>
internal sealed class TimerWheel
{
    /// <summary>log2 of the tick, ns: 2^16 ns = 65.536 µs.</summary>
    public const int TickShift = 16;

    /// <summary>Bits per level digit.</summary>
    public const int LevelBits = 6;

    /// <summary>Buckets per level.</summary>
    public const int BucketsPerLevel = 1 << LevelBits;

    /// <summary>Levels: 8 × 6 bits cover the 45-bit tick of <see cref="TimerEngine.MaxTimeNanoseconds"/>.</summary>
    public const int Levels = 8;

    /// <summary>How many buckets the wheel has: a short (EngineTimer.WheelSlot) names each, or the constant would not compile.</summary>
    private const short SlotCount = Levels * BucketsPerLevel;

    private readonly WheelBucket?[] _buckets = new WheelBucket?[SlotCount];

    /// <summary>Bit i of level k is set exactly when bucket i of level k holds a timer.</summary>
    private readonly ulong[] _occupied = new ulong[Levels];

    /// <summary>The array of the bucket last pulled: its timers in [0, <see cref="_pulledCount"/>), each set to null as it is taken.</summary>
    private TimerSlot[] _pulled = WheelBucket.Empty;

    /// <summary>Spare arrays by log2 of their length: [c][0, _spareCounts[c]) are arrays of 2^c references, all null (see "Spare arrays").</summary>
    private readonly TimerSlot[]?[]?[] _spares = new TimerSlot[]?[]?[31];

    /// <summary>How many spare arrays of each length class are held.</summary>
    private readonly int[] _spareCounts = new int[31];

    /// <summary>The references of every spare array, summed. Invariant: after a trim, at most <see cref="SpareBound"/> plus the arrays the next level-2 pull will reserve (WantedForNextCascades).</summary>
    private long _spareSlots;

    /// <summary>How many timers the last pull handed back.</summary>
    private int _pulledCount;

    /// <summary>How many of them are taken. Invariant: _pulledTaken == _pulledCount whenever a pull begins.</summary>
    private int _pulledTaken;

    /// <summary>True once an array may have grown beyond what its bucket needs (see <see cref="TrimExcess"/>).</summary>
    private bool _mayTrim;

    /// <summary>The slot of the bucket last pulled (the pulled timers not yet taken still name it).</summary>
    private int _pulledSlot = -1;

    /// <summary>True while timers of the last pull are not yet taken (a pull that yielded: see the notes above).</summary>
    public bool PullPending => _pulledTaken < _pulledCount;

    /// <summary>How many of the last pull's timers have been taken (the next to take is this index).</summary>
    public int PulledTaken => _pulledTaken;

    /// <summary>How many timers the last pull handed back (taken or not).</summary>
    public int PulledCount => _pulledCount;

    /// <summary>The level of the bucket last pulled (0: its timers all go near).</summary>
    public int PulledLevel { get; private set; }

    /// <summary>The cursor, in ticks: every wheel timer is later (see the invariant above).</summary>
    public long Cursor { get; private set; }

    /// <summary>How many timers the wheel holds (pulled timers not yet taken included).</summary>
    public int Count { get; private set; }

    /// <summary>A lower bound on the due time of every wheel timer, ns: the start of the tick after the cursor, or of the cursor's own tick while a pull is pending (its timers may be due in it).</summary>
    public long EarliestPossibleDueNanoseconds => (PullPending ? Cursor : Cursor + 1) << TickShift;

    /// <summary>The tick a due time falls in.</summary>
    public static long TickOf(long dueNanoseconds) => dueNanoseconds >> TickShift;

    /// <summary>With the wheel empty, moves the cursor forward to <paramref name="tick"/> (never back).</summary>
    public void AdvanceIdleCursor(long tick)
    {
        if (Count == 0 && tick > Cursor && !PullPending) // a pending pull whose timers were all removed keeps the cursor until it ends
        {
            Cursor = tick;
        }
    }

    /// <summary>Files <paramref name="timer"/> by <paramref name="dueNanoseconds"/>; false (not filed) when its tick is at or before the cursor.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // see "First calls" in DispatchWarmUp
    public bool TryInsert(EngineTimer timer, long dueNanoseconds)
    {
        System.Diagnostics.Debug.Assert(timer.WheelSlot < 0, "a timer is filed in at most one bucket");
        var tick = TickOf(dueNanoseconds);
        if (tick <= Cursor)
        {
            return false;
        }

        var level = (63 - BitOperations.LeadingZeroCount((ulong)(tick ^ Cursor))) / LevelBits;
        System.Diagnostics.Debug.Assert(tick > Cursor && level < Levels, "every wheel timer is after the cursor, within the wheel's levels");
        var index = (int)((tick >> (level * LevelBits)) & (BucketsPerLevel - 1));
        var slot = (level * BucketsPerLevel) + index;
        System.Diagnostics.Debug.Assert(slot != _pulledSlot || !PullPending, "nothing files into the bucket of a pending pull");
        var bucket = _buckets[slot] ??= new WheelBucket(slot);
        var items = bucket.Items;
        var count = bucket.Count;
        if (count == items.Length)
        {
            items = Grow(bucket);
        }

        items[count].Timer = timer;
        bucket.Count = count + 1;
        if (level >= 2 && bucket.FiledSincePull < int.MaxValue) // saturates: a bucket of re-armed timers that is never pulled must not wrap to a small count
        {
            (bucket.FiledBelow ??= new int[BucketsPerLevel])[(int)((tick >> ((level - 1) * LevelBits)) & (BucketsPerLevel - 1))]++;
            bucket.FiledSincePull++;
        }

        timer.WheelSlot = (short)slot; // below SlotCount, a short
        timer.WheelIndex = count;
        _occupied[level] |= 1UL << index;
        Count++;
        return true;
    }

    /// <summary>Removes <paramref name="timer"/> if it is in the wheel: the bucket's last timer takes its index.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // see "First calls" in DispatchWarmUp
    public void Remove(EngineTimer timer)
    {
        var slot = timer.WheelSlot;
        if (slot < 0)
        {
            return;
        }

        var index = timer.WheelIndex;
        if (slot == _pulledSlot && PullPending)
        {
            // In the pull array, not yet taken (a pending pull: the pulled bucket itself is empty meanwhile).
            System.Diagnostics.Debug.Assert(index >= _pulledTaken && index < _pulledCount && ReferenceEquals(_pulled[index].Timer, timer), "a pulled timer not yet taken names its place in the pull array");
            _pulled[index].Timer = null;
            timer.WheelSlot = -1;
            Count--;
            return;
        }

        var bucket = _buckets[slot]!;
        var items = bucket.Items;
        System.Diagnostics.Debug.Assert(index < bucket.Count && ReferenceEquals(items[index].Timer, timer), "a filed timer's slot and index name its place");
        var last = bucket.Count - 1;
        if (index != last)
        {
            var moved = items[last].Timer!;
            items[index].Timer = moved;
            moved.WheelIndex = index;
        }

        items[last].Timer = null;
        bucket.Count = last;
        timer.WheelSlot = -1;
        Count--;
        if (last == 0)
        {
            _occupied[slot / BucketsPerLevel] &= ~(1UL << (slot % BucketsPerLevel));
        }
    }

    /// <summary>
    /// Takes every timer out of the wheel into <paramref name="into"/> from index <paramref name="start"/> (which must have
    /// room for them all); returns the new end. Not while a pull is pending. O(occupied buckets + timers). For a rewind
    /// (DispatchQueue.RewindIfAhead).
    /// </summary>
    public int TakeAll(EngineTimer?[] into, int start)
    {
        System.Diagnostics.Debug.Assert(!PullPending, "no pull pending");
        var n = start;
        for (var level = 0; level < Levels; level++)
        {
            for (var bits = _occupied[level]; bits != 0; bits &= bits - 1)
            {
                var bucket = _buckets[(level * BucketsPerLevel) + BitOperations.TrailingZeroCount(bits)]!;
                for (var i = 0; i < bucket.Count; i++)
                {
                    var t = bucket.Items[i].Timer!;
                    t.WheelSlot = -1;
                    into[n++] = t;
                    bucket.Items[i].Timer = null;
                }

                Count -= bucket.Count;
                bucket.Count = 0;
            }

            _occupied[level] = 0;
        }

        System.Diagnostics.Debug.Assert(Count == 0, "every timer taken");
        return n;
    }

    /// <summary>
    /// Moves the cursor back to <paramref name="tick"/>: a rewind. The wheel must be empty (<see cref="TakeAll"/>), no pull
    /// pending, and the caller must file every near timer again afterwards (DispatchQueue.RewindIfAhead), so that the
    /// invariant above holds: wheel timers after the cursor, near ones at or before it.
    /// </summary>
    public void Rewind(long tick)
    {
        System.Diagnostics.Debug.Assert(Count == 0 && !PullPending && tick <= Cursor, "an empty wheel, moved back");
        Cursor = tick;
    }

    /// <summary>
    /// Moves the cursor to the start of the earliest occupied bucket and hands its timers back: they are
    /// <see cref="PulledAt"/>(0 to <paramref name="count"/> - 1), each to be taken with <see cref="TakePulled"/> (in
    /// index order) before the wheel is pulled again. False when the wheel is empty. O(1): the bucket's array is swapped
    /// out whole, and the timers are not touched here (the caller reads them a chunk ahead of filing them: TouchPulled).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // see "First calls" in DispatchWarmUp
    public bool TryPullEarliest(out int count)
    {
        System.Diagnostics.Debug.Assert(_pulledTaken == _pulledCount, "every pulled timer is taken before the next pull");
        for (var level = 0; level < Levels; level++)
        {
            var bits = _occupied[level];
            if (bits == 0)
            {
                continue;
            }

            var index = BitOperations.TrailingZeroCount(bits);
            var above = (level + 1) * LevelBits;
            var start = ((Cursor >> above) << above) | ((long)index << (level * LevelBits));
            System.Diagnostics.Debug.Assert(start >= Cursor, "the cursor never moves back: every wheel timer is after it");
            Cursor = start;

            // Every timer of this bucket now re-files at a lower level or near, never into this bucket: its tick differs
            // from the new cursor only in lower digits. So the bucket may take the emptied pull array at once.
            _pulledSlot = (level * BucketsPerLevel) + index;
            var bucket = _buckets[_pulledSlot]!;
            var pulled = bucket.Items;
            count = bucket.Count;
            System.Diagnostics.Debug.Assert(count > 0, "an occupied bucket holds a timer");
            if (_pulled.Length > 2 * pulled.Length)
            {
                // A large pull array (a level-1 bucket's, say) would sit in a level-0 bucket until the next trim: it goes
                // among the spares now, where a cascade later in the same burst finds it (see "Spare arrays").
                bucket.Items = TryRentSpare(pulled.Length) ?? WheelBucket.Empty;
                Release(_pulled, used: 0); // every timer of the previous pull was taken, and cleared as it was
            }
            else if (level != 0 && PulledLevel == 0 && _pulled.Length > WheelBucket.MinimumCapacity)
            {
                // A level-0 bucket's array, which the level-0 buckets this cascade fills need back: among the spares, not
                // in the higher bucket just pulled, which is filed again later (a level-2 pull reserves it an array).
                bucket.Items = WheelBucket.Empty;
                Release(_pulled, used: 0);
            }
            else
            {
                bucket.Items = _pulled;
            }

            bucket.Count = 0;
            _pulled = pulled;
            _pulledCount = count;
            _pulledTaken = 0;
            _mayTrim |= pulled.Length > WheelBucket.TrimThreshold;
            _occupied[level] = bits & ~(1UL << index);
            PulledLevel = level;
            if (level >= 2)
            {
                ReserveBelow(bucket, level - 1, count);
            }

            return true;
        }

        count = 0;
        return false;
    }

    /// <summary>
    /// Reads the timers [<paramref name="start"/>, <paramref name="end"/>) of the last pull in one tight loop, asking for
    /// the one <paramref name="ahead"/> further on each time; returns what it read (summed, so the reads stay). The loop
    /// is small enough that the core has all of its misses in flight at once, where the filing loop, a few hundred
    /// instructions a timer, waited for each (see "Why arrays"). <paramref name="parametersToo"/>: also ask for each
    /// timer's owner (on a virtual engine a level-0 pull files every timer near, which reads its parameter block for the
    /// arm ticket, one more cold object; a real engine's filing reads the timer alone: its tolerance is in its arm code).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // see "First calls" in DispatchWarmUp
    public long TouchPulled(int start, int end, int ahead, bool parametersToo)
    {
        System.Diagnostics.Debug.Assert(start >= _pulledTaken && end <= _pulledCount, "only timers not yet taken are touched");
        var pulled = _pulled;
        long sum = 0;
        for (var i = start; i < end; i++)
        {
            Prefetch.Timer(PulledAt(i + ahead));
            var t = pulled[i].Timer;
            if (t is null)
            {
                continue; // removed while its pull was pending
            }

            sum = unchecked(sum + Volatile.Read(ref t.StateWord) + t.WheelIndex);
            if (parametersToo)
            {
                Prefetch.Object(t.Owner);
            }
        }

        return sum;
    }

    /// <summary>The <paramref name="index"/>th timer of the last pull while it is not yet taken, else null (for a prefetch ahead).</summary>
    public EngineTimer? PulledAt(int index) => index >= 0 && index < _pulledCount ? _pulled[index].Timer : null;

    /// <summary>
    /// Takes the <paramref name="index"/>th timer of the last pull (the next one in order) and marks it not filed; null
    /// when it was removed while the pull was pending. Every pulled timer must be taken before the wheel is pulled again.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // see "First calls" in DispatchWarmUp
    public EngineTimer? TakePulled(int index)
    {
        System.Diagnostics.Debug.Assert(index == _pulledTaken && index < _pulledCount, "pulled timers are taken once each, in order");
        var t = _pulled[index].Timer;
        _pulledTaken = index + 1;
        if (t is null)
        {
            return null; // removed while the pull was pending (Remove counted it)
        }

        _pulled[index].Timer = null;
        System.Diagnostics.Debug.Assert(t.WheelSlot >= 0 && t.WheelIndex == index, "a pulled timer still names the pulled bucket, at its index in the pulled array");
        t.WheelSlot = -1;
        Count--;
        return t;
    }

    /// <summary>
    /// The latest due time of the armed timers filed in the wheel, ns, or <paramref name="floor"/> if none is later: a
    /// walk over every bucket, O(timers filed). For the rare caller that must know how far every pending timer reaches
    /// (a virtual clock moved beyond its range).
    /// </summary>
    public long LatestArmedDue(long floor)
    {
        var latest = floor;
        for (var i = _pulledTaken; i < _pulledCount; i++)
        {
            if (_pulled[i].Timer is { } pending && (Volatile.Read(ref pending.StateWord) & EngineTimer.ArmedBit) != 0)
            {
                latest = Math.Max(latest, Volatile.Read(ref pending.DueNanoseconds));
            }
        }

        foreach (var bucket in _buckets)
        {
            if (bucket is null)
            {
                continue;
            }

            for (var i = 0; i < bucket.Count; i++)
            {
                var t = bucket.Items[i].Timer!;
                if ((Volatile.Read(ref t.StateWord) & EngineTimer.ArmedBit) != 0)
                {
                    latest = Math.Max(latest, Volatile.Read(ref t.DueNanoseconds));
                }
            }
        }

        return latest;
    }

    /// <summary>
    /// Gives back the memory a burst left: each bucket with no timers puts its array among the spares, one down to a
    /// quarter full moves to a smaller array (a spare if one fits, else a new one), and the emptied pull array joins
    /// the spares; then spares beyond <see cref="SpareBound"/> are dropped, the largest first (see "Spare arrays"). The
    /// dispatcher calls it when it is about to sleep, never mid-burst; a walk of the 512 buckets only after an array grew
    /// past <see cref="WheelBucket.TrimThreshold"/>, one that long was pulled, or an array was put among the spares.
    /// </summary>
    public void TrimExcess()
    {
        if (NothingToProvision() && ((!_mayTrim && _spareSlots <= SpareBound) || _pulledTaken != _pulledCount))
        {
            // The common case (a driver's timers, and a virtual engine, which trims at the end of every advance): nothing
            // to give back and no level-2 pull to provision for. Session thirteen: the wanted-array walk and the
            // provisioning loop were 8 % of a virtual Arm+fire without it.
            return;
        }

        Span<int> wanted = stackalloc int[31];
        WantedForNextCascades(wanted);
        if ((!_mayTrim && _spareSlots <= SpareBound) || _pulledTaken != _pulledCount)
        {
            ProvisionNextCascades(wanted);
            return;
        }

        _mayTrim = false;
        var keptLevelZeroLength = LevelZeroArrayKept;
        foreach (var bucket in _buckets)
        {
            if (bucket is null || bucket.Items.Length == 0 || (bucket.Slot < BucketsPerLevel && bucket.Items.Length <= keptLevelZeroLength))
            {
                continue; // a level-0 array the next cascade refills (see "Spare arrays")
            }

            var items = bucket.Items;
            var count = bucket.Count;
            if (count == 0)
            {
                bucket.Items = WheelBucket.Empty;
                Release(items, used: 0);
            }
            else if (items.Length > WheelBucket.MinimumCapacity && count < items.Length / 4)
            {
                var smaller = Rent(count * 2, smallerThan: items.Length);
                Array.Copy(items, smaller, count);
                bucket.Items = smaller;
                Release(items, used: count);
            }
        }

        if (_pulled.Length != 0)
        {
            Release(_pulled, used: 0); // every pulled timer is taken, and each was cleared as it was
            _pulled = WheelBucket.Empty;
        }

        _mayTrim = false; // the releases above asked for a trim: this is it
        var bound = SpareBound;
        for (var c = _spares.Length - 1; c >= 0 && _spareSlots > bound; c--)
        {
            var stack = _spares[c];
            while (_spareCounts[c] > wanted[c] && _spareSlots > bound) // what the next cascades want stays (see "Spare arrays")
            {
                var n = --_spareCounts[c];
                _spareSlots -= stack![n]!.Length;
                stack[n] = null;
            }
        }

        ProvisionNextCascades(wanted);
    }

    /// <summary>
    /// Outside a burst (before a sleep): makes sure the spares will hold the arrays <paramref name="wanted"/> by length
    /// class (<see cref="WantedForNextCascades"/>) when the next level-2 pull reserves them, allocating what is missing
    /// now, so that a cascade inside a burst's window takes them instead of allocating (see "Spare arrays"). The arrays
    /// level-1 buckets hold count as coming: every level-1 bucket is pulled before any level-2 one, and a pulled array
    /// goes among the spares at the next pull (TryPullEarliest).
    /// </summary>
    private void ProvisionNextCascades(ReadOnlySpan<int> wanted)
    {
        Span<int> coming = stackalloc int[wanted.Length];
        HeldByLevelOne(coming);
        var mayTrim = _mayTrim; // the arrays provisioned here are wanted: they do not ask for a trim
        for (var c = 0; c < wanted.Length; c++)
        {
            for (var missing = wanted[c] - _spareCounts[c] - coming[c]; missing > 0; missing--)
            {
                Release(new TimerSlot[1 << c], used: 0);
            }
        }

        _mayTrim = mayTrim;
    }

    /// <summary>
    /// How many arrays of each length class (index: log2 of the length) the occupied level-1 buckets hold, into
    /// <paramref name="held"/> (cleared first): they come back among the spares before the next level-2 pull. Before
    /// session thirteen the trim counted only the spares, so in a stream longer than a level-2 bucket (268 ms) the
    /// trims after each level-2 pull provisioned a second set while the first was still filed in level 1, and dropped
    /// the first as it came back: 10-11 MB allocated, and a collection, inside the tolerant spread's second.
    /// </summary>
    private void HeldByLevelOne(Span<int> held)
    {
        held.Clear();
        for (var i = 0; i < BucketsPerLevel; i++)
        {
            if (_buckets[BucketsPerLevel + i] is { Count: > 0, Items.Length: >= WheelBucket.MinimumCapacity and var length })
            {
                held[BitOperations.Log2((uint)length)]++; // occupied: it will be pulled, its array among the spares
            }
        }
    }

    /// <summary>
    /// How many spare arrays of each length class (index: log2 of the length) the next pull of each level 2 and up will
    /// reserve (<see cref="ReserveBelow"/>, from its bucket's <see cref="WheelBucket.FiledBelow"/>), into
    /// <paramref name="wanted"/> (31 classes, cleared first). The trim keeps that many of each class and provisions what is
    /// missing: before, it dropped them as spares beyond <see cref="SpareBound"/> and allocated them again at the next
    /// sleep, 40-57 MB a second in a tolerant stream that sleeps every millisecond (issue 27, session twelve). O(levels × 64).
    /// </summary>
    private void WantedForNextCascades(Span<int> wanted)
    {
        // Level 2 only: its next pull comes within 17.2 s and is the one a burst's window meets (a 268 ms boundary);
        // arrays provisioned for a level-3 or higher pull would be held for minutes to hours (the memory per pending
        // timer of `bench --only throughput` rose from 69.6 to 84.4 B with every level provisioned and spares up to 2×).
        wanted.Clear();
        for (var level = 2; level <= ProvisionedLevel; level++)
        {
            var bits = _occupied[level];
            if (bits == 0)
            {
                continue;
            }

            var bucket = _buckets[(level * BucketsPerLevel) + BitOperations.TrailingZeroCount(bits)]!;
            var filed = bucket.FiledBelow;
            if (filed is null || bucket.FiledSincePull > 2L * bucket.Count)
            {
                continue; // ReserveBelow will not reserve either
            }

            for (var i = 0; i < BucketsPerLevel; i++)
            {
                if (filed[i] != 0)
                {
                    var slot = ((level - 1) * BucketsPerLevel) + i;
                    var below = _buckets[slot] ??= new WheelBucket(slot); // created now, not inside the burst
                    // Not + below.Count, as ReserveBelow adds: level 1 is empty when a level-2 bucket is pulled (every
                    // level-1 bucket is pulled first), so the timers it holds now are gone by then, and so is its array
                    // (a pulled bucket's goes among the spares, HeldByLevelOne). Counting them asked for arrays a class
                    // too long, which the pull then did not take, and an occupied bucket's own array was taken for the
                    // one the pull would find (session thirteen).
                    var needed = Math.Min(bucket.Count, filed[i]);
                    if (below.Count > 0 || below.Items.Length < needed)
                    {
                        wanted[BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(WheelBucket.MinimumCapacity, needed)))]++;
                    }
                }
            }
        }
    }

    /// <summary>True when no level the trim provisions for holds a timer: <see cref="WantedForNextCascades"/> would want nothing.</summary>
    private bool NothingToProvision()
    {
        for (var level = 2; level <= ProvisionedLevel; level++)
        {
            if (_occupied[level] != 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The longest array a level-0 bucket keeps through a trim, empty or not (see "Spare arrays"): 4× a level-0 bucket's
    /// share of the timers the wheel holds (at least 4 × 16), and none once the wheel is empty.
    /// </summary>
    private int LevelZeroArrayKept => Count == 0 ? 0 : 4 * Math.Max(WheelBucket.MinimumCapacity, Count / BucketsPerLevel);

    /// <summary>How many spare references a trim keeps beyond the provisioned ones: a quarter of the timers the wheel holds (see "Spare arrays").</summary>
    public long SpareBound => Count / 4;

    /// <summary>The references of every spare array, summed (for tests).</summary>
    internal long SpareSlots => _spareSlots;

    /// <summary>
    /// At a pull of <paramref name="pulled"/> (level 2 and up, <paramref name="count"/> timers): gives each bucket of
    /// <paramref name="level"/> the timers will re-file into an array long enough for them at once (a spare if one fits),
    /// from the pulled bucket's <see cref="WheelBucket.FiledBelow"/>, so that they do not grow by doubling while the pull
    /// is filed (a burst's cascade inside its window). Skipped when more than twice the pulled timers were filed (removals
    /// are not counted: a bucket of re-armed timers would over-reserve). O(64).
    /// </summary>
    private void ReserveBelow(WheelBucket pulled, int level, int count)
    {
        var filed = pulled.FiledBelow;
        var filedSincePull = pulled.FiledSincePull;
        pulled.FiledSincePull = 0;
        if (filed is null)
        {
            return;
        }

        if (filedSincePull <= 2L * count)
        {
            for (var i = 0; i < BucketsPerLevel; i++)
            {
                var expected = filed[i];
                if (expected == 0)
                {
                    continue;
                }

                var slot = (level * BucketsPerLevel) + i;
                var bucket = _buckets[slot] ??= new WheelBucket(slot);
                var needed = Math.Min(count, expected) + bucket.Count;
                if (bucket.Items.Length < needed)
                {
                    var items = bucket.Items;
                    var reserved = Rent(needed, smallerThan: int.MaxValue);
                    Array.Copy(items, reserved, bucket.Count);
                    bucket.Items = reserved;
                    Release(items, used: bucket.Count);
                    _mayTrim |= reserved.Length > WheelBucket.TrimThreshold;
                }
            }
        }

        Array.Clear(filed);
    }

    /// <summary>Replaces a full bucket's array by one twice as long (a spare if one is at least that long), the old one among the spares; the new array.</summary>
    private TimerSlot[] Grow(WheelBucket bucket)
    {
        var items = bucket.Items;
        var grown = Rent(Math.Max(WheelBucket.MinimumCapacity, checked(items.Length * 2)), smallerThan: int.MaxValue);
        Array.Copy(items, grown, bucket.Count);
        bucket.Items = grown;
        Release(items, used: bucket.Count);
        _mayTrim |= grown.Length > WheelBucket.TrimThreshold;
        return grown;
    }

    /// <summary>
    /// An array of at least <paramref name="minimumLength"/> references (a power of two ≥ 16), all null: the shortest
    /// spare that long and shorter than <paramref name="smallerThan"/>, else a new one of the smallest such length.
    /// </summary>
    private TimerSlot[] Rent(int minimumLength, int smallerThan)
    {
        var cls = BitOperations.Log2(BitOperations.RoundUpToPowerOf2((uint)Math.Max(WheelBucket.MinimumCapacity, minimumLength)));
        for (var c = cls; c < _spares.Length && c <= cls + RentReach && (1L << c) < smallerThan; c++)
        {
            if (_spareCounts[c] > 0)
            {
                return PopSpare(c);
            }
        }

        return new TimerSlot[1 << cls];
    }

    /// <summary>The highest level whose next pull's arrays the trim provisions (see <see cref="ProvisionNextCascades"/>).</summary>
    private const int ProvisionedLevel = 2;

    /// <summary>How many length classes above the one asked for a spare may be (a spare up to 4× longer): a small bucket does not take the long array a cascade will need.</summary>
    private const int RentReach = 2;

    /// <summary>A spare of exactly <paramref name="length"/> references (a power of two), or null.</summary>
    private TimerSlot[]? TryRentSpare(int length)
    {
        var c = BitOperations.Log2((uint)length);
        return length < WheelBucket.MinimumCapacity || _spareCounts[c] == 0 ? null : PopSpare(c);
    }

    /// <summary>Takes the last spare of length class <paramref name="lengthClass"/> (2^class references), which has one.</summary>
    private TimerSlot[] PopSpare(int lengthClass)
    {
        System.Diagnostics.Debug.Assert(_spareCounts[lengthClass] > 0, "a spare of the class is there");
        var stack = _spares[lengthClass]!;
        var n = --_spareCounts[lengthClass];
        var spare = stack[n]!;
        stack[n] = null;
        _spareSlots -= spare.Length;
        return spare;
    }

    /// <summary>Puts <paramref name="array"/> among the spares, its first <paramref name="used"/> references cleared first (no spare keeps a timer alive).</summary>
    private void Release(TimerSlot[] array, int used)
    {
        if (array.Length == 0)
        {
            return; // WheelBucket.Empty
        }

        Array.Clear(array, 0, used);
        System.Diagnostics.Debug.Assert(BitOperations.IsPow2(array.Length) && Array.TrueForAll(array, static t => t.Timer is null), "a spare is a power of two long and holds no timer");
        var c = BitOperations.Log2((uint)array.Length);
        var stack = _spares[c] ??= new TimerSlot[]?[4];
        if (_spareCounts[c] == stack.Length)
        {
            Array.Resize(ref stack, stack.Length * 2);
            _spares[c] = stack;
        }

        stack[_spareCounts[c]++] = array;
        _spareSlots += array.Length;
        _mayTrim = true;
    }
}
