namespace MiniportTimers.Kernel;

/// <summary>
/// A spin lock of the kernel model. Acquiring raises the thread to the lock's <see cref="SynchronizeIrql"/>
/// (DISPATCH_LEVEL for an ordinary lock, the device IRQL for an interrupt lock) and really excludes other threads;
/// releasing restores the IRQL the caller passes back.
/// </summary>
/// <remarks>
/// Thread safety: any thread may acquire; only the owner may release. Acquiring a lock the thread already holds is
/// SPIN_LOCK_ALREADY_OWNED (0x0F), releasing one it does not hold SPIN_LOCK_NOT_OWNED (0x10), and acquiring from above
/// the lock's level IRQL_NOT_GREATER_OR_EQUAL (0x09), as on Windows. The owner is recorded as its thread's
/// <see cref="ThreadFrame"/> (one object per thread), so a caller that has fetched its frame (the routine runner, around
/// every timer callback) takes and gives the lock without another thread lookup (issue 27).
/// <para>
/// <b>The lock word.</b> The owner's frame is the lock: taking it is one compare-exchange of <c>_owner</c> from null,
/// and giving it back is a release store of null and a plain read of the waiter count, with no interlocked operation
/// (issue 27: the monitor under this lock was ~20 ns of the ~25 ns the StartIo lock added to every Storport timer
/// callback). A thread that finds the lock taken spins briefly, then sleeps on <c>_gate</c>. The one race is the
/// wake-up: the releaser must not skip the pulse while the waiter goes to sleep on a lock already given back. The
/// releaser has no fence between its store and its read (store-load reordering), so the waiter, the rare side, pays
/// for both with a process-wide barrier:
/// </para>
/// <code>
///   releaser (no fence)                         waiter (gate held)
///   _owner = null        (release store)        _waiters++                    (interlocked)
///   _waiters > 0 ?  ── no ──► done              MemoryBarrierProcessWide: every thread passes a full fence; after it
///     yes: lock gate ◄── only once the            either the releaser's store is visible (the waiter reads null: it
///          waiter is in Monitor.Wait               does not sleep) or the releaser's read comes after it (it reads
///          PulseAll; unlock ──────────────────►    _waiters > 0: it pulses)
///                                               _owner != null ? Monitor.Wait(gate) (releases the gate atomically)
///                                               _waiters--; compare-exchange again (another thread may win: wait again)
/// </code>
/// </remarks>
public sealed class KSpinLock
{
    // The lock word: the owning thread's frame, or null when free. Taken by compare-exchange from null; given back by
    // the owner's release store of null. _gate and _waiters serve only the sleeping waiters (the type's remarks).
    private readonly object _gate = new();
    private ThreadFrame? _owner;
    private int _waiters;

    /// <summary>Creates a lock that synchronizes at <paramref name="synchronizeIrql"/>.</summary>
    /// <param name="name">A name for reports ("StartIoLock").</param>
    /// <param name="synchronizeIrql">The IRQL the owner runs at: DISPATCH_LEVEL or a device IRQL.</param>
    public KSpinLock(string name, KIRQL synchronizeIrql = KIRQL.DISPATCH_LEVEL)
    {
        if (synchronizeIrql < KIRQL.DISPATCH_LEVEL)
        {
            throw new ArgumentOutOfRangeException(nameof(synchronizeIrql), synchronizeIrql, "A spin lock synchronizes at DISPATCH_LEVEL or above.");
        }

        Name = name;
        SynchronizeIrql = synchronizeIrql;
    }

    /// <summary>The lock's name, for reports.</summary>
    public string Name { get; }

    /// <summary>The IRQL the owner runs at while holding the lock.</summary>
    public KIRQL SynchronizeIrql { get; }

    /// <summary>True when the calling thread holds the lock.</summary>
    public bool IsOwnedByCurrentThread => IsOwnedBy(ThreadFrame.Current);

    /// <summary>Raises to <see cref="SynchronizeIrql"/> and takes the lock (KeAcquireSpinLock / KeAcquireInterruptSpinLock).</summary>
    /// <returns>The IRQL to pass to <see cref="Release(KIRQL)"/>.</returns>
    /// <exception cref="BugCheckException">0x09 when called above <see cref="SynchronizeIrql"/>; 0x0F when already owned.</exception>
    public KIRQL Acquire() => Acquire(ThreadFrame.Current);

    /// <summary>Releases the lock and lowers to <paramref name="oldIrql"/> (KeReleaseSpinLock).</summary>
    /// <exception cref="BugCheckException">0x10 when the calling thread does not hold the lock.</exception>
    public void Release(KIRQL oldIrql) => Release(ThreadFrame.Current, oldIrql);

    /// <summary>True when the thread of <paramref name="frame"/> (the caller's own) holds the lock.</summary>
    internal bool IsOwnedBy(ThreadFrame frame) => ReferenceEquals(Volatile.Read(ref _owner), frame);

    /// <summary><see cref="Acquire()"/> on the calling thread's <paramref name="frame"/>.</summary>
    internal KIRQL Acquire(ThreadFrame frame)
    {
        System.Diagnostics.Debug.Assert(ReferenceEquals(frame, ThreadFrame.Current), "the calling thread's own frame");
        var old = frame.Irql;
        if (old > SynchronizeIrql)
        {
            throw BugCheck.Create(BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, (ulong)old, (ulong)SynchronizeIrql, 0, 0, $"{Name} acquired at {old.IrqlName()}, above its level {SynchronizeIrql.IrqlName()}");
        }

        Take(frame);
        frame.SetIrql(SynchronizeIrql);
        return old;
    }

    /// <summary><see cref="Release(KIRQL)"/> on the calling thread's <paramref name="frame"/>.</summary>
    internal void Release(ThreadFrame frame, KIRQL oldIrql)
    {
        System.Diagnostics.Debug.Assert(ReferenceEquals(frame, ThreadFrame.Current), "the calling thread's own frame");
        Give(frame);
        frame.SetIrql(oldIrql);
    }

    /// <summary>Takes the lock if it is free, without waiting and without changing the IRQL (KeTryToAcquireSpinLockAtDpcLevel).</summary>
    /// <returns>True when taken; false when another thread holds it.</returns>
    /// <exception cref="BugCheckException">0x0F when the calling thread already holds it.</exception>
    internal bool TryTake()
    {
        var frame = ThreadFrame.Current;
        if (IsOwnedBy(frame))
        {
            throw BugCheck.Create(BugCheckCodes.SPIN_LOCK_ALREADY_OWNED, 0, 0, 0, 0, $"{Name} acquired twice by one thread");
        }

        if (Interlocked.CompareExchange(ref _owner, frame, null) is not null)
        {
            return false;
        }

        frame.HeldLocks.Add(this);
        return true;
    }

    private void Take(ThreadFrame frame)
    {
        if (IsOwnedBy(frame))
        {
            throw BugCheck.Create(BugCheckCodes.SPIN_LOCK_ALREADY_OWNED, 0, 0, 0, 0, $"{Name} acquired twice by one thread");
        }

        if (Interlocked.CompareExchange(ref _owner, frame, null) is not null)
        {
            TakeContended(frame);
        }

        frame.HeldLocks.Add(this);
    }

    /// <summary>The lock was taken: spins briefly, then sleeps until a release wakes it (the type's diagram), until it takes it.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void TakeContended(ThreadFrame frame)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var spin = default(SpinWait);
        while (true)
        {
            if (Volatile.Read(ref _owner) is null && Interlocked.CompareExchange(ref _owner, frame, null) is null)
            {
                frame.SpinLockWaitNanoseconds += (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalNanoseconds; // its own thread's slot
                return;
            }

            if (!spin.NextSpinWillYield)
            {
                spin.SpinOnce(sleep1Threshold: -1);
                continue;
            }

            lock (_gate)
            {
                Interlocked.Increment(ref _waiters);
                try
                {
                    Interlocked.MemoryBarrierProcessWide();
                    while (Volatile.Read(ref _owner) is not null)
                    {
                        Monitor.Wait(_gate);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _waiters);
                }
            }

            spin.Reset();
        }
    }

    private void Give(ThreadFrame frame)
    {
        if (!IsOwnedBy(frame))
        {
            throw BugCheck.Create(BugCheckCodes.SPIN_LOCK_NOT_OWNED, 0, 0, 0, 0, $"{Name} released by a thread that does not hold it");
        }

        // Locks are almost always released in reverse order: the last one held is this one (no comparer, no search).
        var held = frame.HeldLocks;
        var last = held.Count - 1;
        held.RemoveAt(last >= 0 && ReferenceEquals(held[last], this) ? last : held.LastIndexOf(this));
        Volatile.Write(ref _owner, null);
        if (Volatile.Read(ref _waiters) > 0)
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        }
    }

    /// <summary>Releases the lock on behalf of a faulted callback, without touching IRQL. Owner only.</summary>
    internal void ForceRelease() => Give(ThreadFrame.Current);
}
