using HdrHistogram;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Diagnostics;

/// <summary>
/// Collects lateness samples (fire time minus due time, ns) and answers percentiles, in constant memory: an HdrHistogram
/// from 1 ns to one hour with three significant digits (a percentile is exact to 0.1 %; about 200 KiB per recorder
/// whatever the number of samples, where keeping every sample grew without bound over a long run). The count, the early
/// count and the maximum are exact. Deterministic: the same samples give the same answers. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// <b>Design (issue 27).</b> A recorder takes one sample per timer fire, on the fire path, and the samples of one row
/// nearly always come from one thread: the dispatcher its adapter's timers are pinned to. So the first thread to record
/// owns a histogram of its own (<c>_owned</c>) and records into it with plain writes, no lock and no interlocked
/// operation (a lock here was ~15 ns of a ~230 ns StorPortRequestTimer + fire); any other thread records into a second
/// histogram under the gate (<c>_shared</c>, made on first use), as every thread did before. A read adds the two.
/// Counts, the early count and the maximum are single words the writer publishes as it goes, so they are read without
/// the gate (a snapshot, exact once the recorders are quiet); only a percentile reads the owner's histogram, and it
/// first holds the owner out of it (an asymmetric handshake: the owner's side costs two plain stores and a load):
/// </para>
/// <code>
///   owner (fast path, no fence)                   reader of a percentile (gate held)
///   _ownerBusy = 1                                _readerWaiting = 1
///   _readerWaiting ≠ 0 ? ──► _ownerBusy = 0,      MemoryBarrierProcessWide: every thread passes a full fence
///        record under the gate instead              (the owner's store of _ownerBusy = 1 is visible after it, or
///   write _owned, the count, the maximum             the owner's load of _readerWaiting comes after it and sees 1)
///   _ownerBusy = 0 (release)                      wait until _ownerBusy == 0 (the owner's writes are visible)
///                                                 read _owned (the owner cannot enter it: it sees _readerWaiting)
///                                                 _readerWaiting = 0
/// </code>
/// <para>
/// Without the process-wide barrier both sides could read the other's flag before their own store is seen (store-load
/// reordering); the barrier makes at least one of them see the other. While a reader holds the owner out, the owner's
/// samples go to <c>_shared</c> under the gate (which the reader holds: the owner waits a few µs, as every recorder
/// waited for a reader before). A managed thread id is reused only after its thread died, so the owner slot never has
/// two live writers.
/// </para>
/// </remarks>
public sealed class LatenessRecorder
{
    /// <summary>The largest lateness the histogram resolves, ns (one hour); a larger sample is counted at this value, and
    /// <see cref="MaxNanoseconds"/> still reports it exactly.</summary>
    public const long HighestTrackableNanoseconds = 3_600L * 1_000_000_000;

    private const int SignificantDigits = 3;

    // Merging the two histograms for a percentile: one scratch histogram for the process, under its own lock (reads are
    // rare: reports), instead of a third 200 KiB per recorder.
    private static readonly object s_mergeGate = new();
    private static LongHistogram? s_merge;

    // The owner's part: written only by the thread whose managed id is _ownerThreadId (0 until the first record claims
    // it, once), read by others as the design note says. Invariant: _ownedCount = the samples in _owned.
    private readonly LongHistogram _owned = new(HighestTrackableNanoseconds, SignificantDigits);
    private int _ownerThreadId;
    private int _ownerBusy;
    private int _readerWaiting;
    private long _ownedCount;
    private long _ownedNegative;
    private long _ownedMax = long.MinValue;

    // Every other thread's part, and the owner's while a reader holds it out: under _gate (written), read without it
    // for the single words. Invariant: _sharedCount = the samples in _shared (0 while it is null).
    private readonly object _gate = new();
    private LongHistogram? _shared;
    private long _sharedCount;
    private long _sharedNegative;
    private long _sharedMax = long.MinValue;

    /// <summary>Creates an empty recorder whose histogram's memory is touched on its first samples (a page fault each time a
    /// sample lands on a page not yet written: about 10 µs on a VM), unless it is prefaulted first. Thread-safe to record
    /// into from any thread.</summary>
    public LatenessRecorder()
    {
    }

    /// <summary>
    /// Writes each page of the owner histogram's counts once (about 270 KiB, a large object the runtime takes fresh from
    /// the OS, untouched), so no later sample takes a page fault there: a real-clock host's rows (issue 27: the first
    /// fires of a rarely firing timer, pcnet's 5 s poll, paid 20-45 µs of faults each on its dispatcher, and every timer
    /// due behind it waited for them). About 0.5 ms for its 66 pages of 4 KiB. Safe while the owner records, from any thread: the write to a page is an atomic add of
    /// zero to one count, which cannot lose the owner's plain increment of that count (issue 27, session twenty: a row
    /// first armed on a dispatcher is prefaulted this way on a thread of its own, a page a millisecond, <see cref="RecorderPrefaulter"/>):
    /// <code>
    ///   owner (Record, plain)               prefaulting thread
    ///   v = counts[i]                       lock xadd counts[i], 0: reads and writes back in one step, so it lands
    ///                                         wholly before the owner's load (the owner reads what it wrote back),
    ///   counts[i] = v + 1                     or wholly between load and store (writes back v: the owner's store
    ///                                         still follows), or after the store (writes back v + 1)
    /// </code>
    /// A reader's percentile sees the same counts either way.
    /// </summary>
    internal void Prefault() => Prefault(PageStrideCounts);

    /// <summary>The counts in a page of memory: the stride of <see cref="Prefault()"/>.</summary>
    internal static int PageStrideCounts => Math.Max(1, Environment.SystemPageSize / sizeof(long));

    /// <summary>
    /// <see cref="Prefault()"/> with a stride of <paramref name="strideCounts"/> counts (tests: 1 touches every count),
    /// calling <paramref name="betweenTouches"/> after each touch but the last (<see cref="RecorderPrefaulter"/>: a pause).
    /// </summary>
    internal void Prefault(int strideCounts, Action? betweenTouches = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(strideCounts);
        var counts = CountsOf(_owned);
        for (var i = 0; i < counts.Length; i += strideCounts)
        {
            Interlocked.Add(ref counts[i], 0);
            betweenTouches?.Invoke();
        }

        if (counts.Length > 0)
        {
            Interlocked.Add(ref counts[^1], 0); // the last page, when the array does not start on a page boundary
        }

        Volatile.Write(ref _prefaulted, 1);
    }

    /// <summary>True once <see cref="Prefault()"/> has written every page (on whichever thread ran it).</summary>
    internal bool IsPrefaulted => Volatile.Read(ref _prefaulted) != 0;

    private int _prefaulted;

    /// <summary>The sum of the owner histogram's counts (tests: equals the owner's samples unless an increment was lost).</summary>
    internal long SumOfOwnedCounts()
    {
        var sum = 0L;
        foreach (var count in CountsOf(_owned))
        {
            sum += count;
        }

        return sum;
    }

    // HdrHistogram 2.5.0's LongHistogram keeps its counts in this field (the version is pinned in Directory.Packages.props;
    // a renamed field throws MissingFieldException here, and LatenessRecorderTests fails).
    [System.Runtime.CompilerServices.UnsafeAccessor(System.Runtime.CompilerServices.UnsafeAccessorKind.Field, Name = "_counts")]
    private static extern ref long[] CountsOf(LongHistogram histogram);

    /// <summary>Records one sample, ns. A negative value (an early fire) is counted in <see cref="EarlyCount"/> and enters
    /// the percentiles as 0. Thread-safe; on the recorder's owner thread no lock and no interlocked operation.</summary>
    internal void Record(long latenessNanoseconds)
    {
        var thread = Environment.CurrentManagedThreadId;
        var owner = Volatile.Read(ref _ownerThreadId);
        if (owner == 0)
        {
            owner = Interlocked.CompareExchange(ref _ownerThreadId, thread, 0) is var seen && seen == 0 ? thread : seen;
        }

        if (owner == thread)
        {
            Volatile.Write(ref _ownerBusy, 1);
            if (Volatile.Read(ref _readerWaiting) == 0)
            {
                if (latenessNanoseconds < 0)
                {
                    Volatile.Write(ref _ownedNegative, _ownedNegative + 1);
                }

                if (latenessNanoseconds > _ownedMax)
                {
                    Volatile.Write(ref _ownedMax, latenessNanoseconds);
                }

                _owned.RecordValue(Clamp(latenessNanoseconds));
                Volatile.Write(ref _ownedCount, _ownedCount + 1); // last: a reader that sees the count sees its maximum
                Volatile.Write(ref _ownerBusy, 0);
                return;
            }

            Volatile.Write(ref _ownerBusy, 0); // a reader holds the owner's histogram: this sample goes to the shared one
        }

        using (HostLock.Enter(_gate))
        {
            (_shared ??= new LongHistogram(HighestTrackableNanoseconds, SignificantDigits)).RecordValue(Clamp(latenessNanoseconds));
            if (latenessNanoseconds < 0)
            {
                Volatile.Write(ref _sharedNegative, _sharedNegative + 1);
            }

            if (latenessNanoseconds > _sharedMax)
            {
                Volatile.Write(ref _sharedMax, latenessNanoseconds);
            }

            Volatile.Write(ref _sharedCount, _sharedCount + 1);
        }
    }

    /// <summary>Samples recorded (a snapshot while samples are being recorded).</summary>
    public long Count => Volatile.Read(ref _ownedCount) + Volatile.Read(ref _sharedCount);

    /// <summary>Samples below zero: fires before their due time (must stay 0).</summary>
    public long EarlyCount => Volatile.Read(ref _ownedNegative) + Volatile.Read(ref _sharedNegative);

    /// <summary>The largest sample, ns, or 0 when none.</summary>
    public long MaxNanoseconds => Count == 0 ? 0 : Math.Max(Volatile.Read(ref _ownedMax), Volatile.Read(ref _sharedMax));

    /// <summary>
    /// The <paramref name="percentile"/>th percentile (0 to 100), ns, or 0 when there are no samples: the histogram's
    /// value at that percentile (within 0.1 % of the sample there), never above <see cref="MaxNanoseconds"/>.
    /// </summary>
    /// <remarks>Holds the recorder's owner thread out of its histogram for the few µs the read takes (its samples meanwhile
    /// wait for the recorder's gate); see the type's remarks.</remarks>
    public long PercentileNanoseconds(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        using (HostLock.Enter(_gate))
        {
            Volatile.Write(ref _readerWaiting, 1);
            try
            {
                Interlocked.MemoryBarrierProcessWide();
                var spin = default(SpinWait);
                while (Volatile.Read(ref _ownerBusy) != 0)
                {
                    spin.SpinOnce(); // the owner is inside one sample: a few plain writes
                }

                var max = Math.Max(Volatile.Read(ref _ownedMax), _sharedMax);
                if (Volatile.Read(ref _ownedCount) + _sharedCount == 0)
                {
                    return 0;
                }

                if (_shared is null)
                {
                    return Math.Min(_owned.GetValueAtPercentile(percentile), Math.Max(0, max));
                }

                lock (s_mergeGate)
                {
                    var merge = s_merge ??= new LongHistogram(HighestTrackableNanoseconds, SignificantDigits);
                    merge.Reset();
                    merge.Add(_owned);
                    merge.Add(_shared);
                    return Math.Min(merge.GetValueAtPercentile(percentile), Math.Max(0, max));
                }
            }
            finally
            {
                Volatile.Write(ref _readerWaiting, 0);
            }
        }
    }

    private static long Clamp(long latenessNanoseconds) => Math.Clamp(latenessNanoseconds, 0, HighestTrackableNanoseconds);
}
