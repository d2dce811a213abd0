using System.Numerics;

namespace MiniportTimers.Engine.Queue;

// =====================================================================================================================
// TimerWheel: the far part of the engine's queue
//
// A hierarchical timing wheel (Varghese & Lauck) over 65.536 µs ticks, with intrusive lists: a filed timer costs no
// memory beyond its own two link fields, and filing or removing it is O(1). Time in ticks is split into 6-bit digits;
// level k holds the timers whose tick first differs from the cursor's at digit k, in the bucket named by that digit.
//
//   level  bucket width   level spans         level  bucket width   level spans
//     0      65.5 µs        4.2 ms              4      18.3 min       19.5 h
//     1       4.2 ms      268 ms                5      19.5 h         52 days
//     2     268 ms         17.2 s               6      52 days        9.1 years
//     3      17.2 s        18.3 min             7       9.1 years   584 years (beyond MaxTimeNanoseconds)
//
// Invariant: every timer in the wheel has tick(due) > Cursor; every timer of the engine's near heaps has tick ≤ Cursor.
// So the wheel never has to be exact: its timers are all later than everything in the near heaps, which order by the
// exact nanosecond. Buckets at a level are all ahead of the cursor's digit there, and a lower level is all earlier than
// a higher one, so the earliest timers sit in the lowest occupied bucket of the lowest occupied level.
//
// The cursor moves only by PullEarliest: it jumps to that bucket's start (nothing in the wheel is earlier) and hands
// the bucket's timers back to the engine, which files each again: into a lower level, or, once its tick is ≤ the
// cursor, into the near heaps. A timer cascades at most once per level per arming. With the wheel empty the cursor may
// also jump forward to the present (AdvanceIdleCursor), so new armings land in low levels.
//
// Not thread-safe: only the engine's dispatcher touches it (and the links of the timers in it).
// =====================================================================================================================

/// <summary>The engine's far queue: a hierarchical timing wheel of intrusive lists (see the notes above).</summary>
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

    private readonly WheelBucket?[] _buckets = new WheelBucket?[Levels * BucketsPerLevel];

    /// <summary>Bit i of level k is set exactly when bucket i of level k holds a timer.</summary>
    private readonly ulong[] _occupied = new ulong[Levels];

    /// <summary>The cursor, in ticks: every wheel timer is later (see the invariant above).</summary>
    public long Cursor { get; private set; }

    /// <summary>How many timers the wheel holds.</summary>
    public int Count { get; private set; }

    /// <summary>A lower bound on the due time of every wheel timer, ns (the start of the tick after the cursor).</summary>
    public long EarliestPossibleDueNanoseconds => (Cursor + 1) << TickShift;

    /// <summary>The tick a due time falls in.</summary>
    public static long TickOf(long dueNanoseconds) => dueNanoseconds >> TickShift;

    /// <summary>With the wheel empty, moves the cursor forward to <paramref name="tick"/> (never back).</summary>
    public void AdvanceIdleCursor(long tick)
    {
        if (Count == 0 && tick > Cursor)
        {
            Cursor = tick;
        }
    }

    /// <summary>Files <paramref name="timer"/> by <paramref name="dueNanoseconds"/>; false (not filed) when its tick is at or before the cursor.</summary>
    public bool TryInsert(EngineTimer timer, long dueNanoseconds)
    {
        var tick = TickOf(dueNanoseconds);
        if (tick <= Cursor)
        {
            return false;
        }

        var level = (63 - BitOperations.LeadingZeroCount((ulong)(tick ^ Cursor))) / LevelBits;
        System.Diagnostics.Debug.Assert(tick > Cursor && level < Levels, "every wheel timer is after the cursor, within the wheel's levels");
        var index = (int)((tick >> (level * LevelBits)) & (BucketsPerLevel - 1));
        var slot = (level * BucketsPerLevel) + index;
        var head = _buckets[slot] ??= new WheelBucket(slot);
        var last = head.WheelPrevious!;
        timer.WheelNext = head;
        timer.WheelPrevious = last;
        last.WheelNext = timer;
        head.WheelPrevious = timer;
        _occupied[level] |= 1UL << index;
        Count++;
        return true;
    }

    /// <summary>Unlinks <paramref name="timer"/> if it is in the wheel.</summary>
    public void Remove(EngineTimer timer)
    {
        var previous = timer.WheelPrevious;
        if (previous is null)
        {
            return;
        }

        var next = timer.WheelNext!;
        previous.WheelNext = next;
        next.WheelPrevious = previous;
        timer.WheelNext = null;
        timer.WheelPrevious = null;
        Count--;
        if (ReferenceEquals(previous, next) && previous is WheelBucket { IsEmpty: true } bucket)
        {
            _occupied[bucket.Slot / BucketsPerLevel] &= ~(1UL << (bucket.Slot % BucketsPerLevel));
        }
    }

    /// <summary>
    /// Moves the cursor to the start of the earliest occupied bucket and detaches that bucket's timers, returned as a
    /// chain through <see cref="EngineTimer.WheelNext"/> that ends in null; null when the wheel is empty. O(1): the chain
    /// is not walked here (a walk over cold timers is the expensive part of a pull, so it happens once, in the caller).
    /// The caller takes every timer of the chain with <see cref="TakePulled"/> and files each one again.
    /// </summary>
    public EngineTimer? PullEarliest()
    {
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

            var head = _buckets[(level * BucketsPerLevel) + index]!;
            var first = head.WheelNext!;
            head.WheelPrevious!.WheelNext = null; // the chain ends at the last timer
            head.WheelNext = head;
            head.WheelPrevious = head;
            _occupied[level] = bits & ~(1UL << index);
            return first;
        }

        return null;
    }

    /// <summary>
    /// The latest due time of the armed timers filed in the wheel, ns, or <paramref name="floor"/> if none is later: a
    /// walk over every bucket, O(timers filed). For the rare caller that must know how far every pending timer reaches
    /// (a virtual clock moved beyond its range).
    /// </summary>
    public long LatestArmedDue(long floor)
    {
        var latest = floor;
        foreach (var head in _buckets)
        {
            if (head is null)
            {
                continue;
            }

            for (var t = head.WheelNext!; !ReferenceEquals(t, head); t = t.WheelNext!)
            {
                if ((Volatile.Read(ref t.StateWord) & EngineTimer.ArmedBit) != 0)
                {
                    latest = Math.Max(latest, Volatile.Read(ref t.DueNanoseconds));
                }
            }
        }

        return latest;
    }

    /// <summary>
    /// Takes the first timer of a chain from <see cref="PullEarliest"/> (advancing <paramref name="chain"/>) and marks
    /// it not filed; null at the chain's end. Every pulled timer must be taken before the wheel is used again.
    /// </summary>
    public EngineTimer? TakePulled(ref EngineTimer? chain)
    {
        var t = chain;
        if (t is null)
        {
            return null;
        }

        chain = t.WheelNext;
        t.WheelNext = null;
        t.WheelPrevious = null;
        Count--;
        return t;
    }
}
