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
/// </remarks>
public sealed class KSpinLock
{
    private readonly object _gate = new();
    private ThreadFrame? _owner; // the owning thread's frame; written by the owner only (under _gate)

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

        if (!Monitor.TryEnter(_gate))
        {
            return false;
        }

        Volatile.Write(ref _owner, frame);
        frame.HeldLocks.Add(this);
        return true;
    }

    private void Take(ThreadFrame frame)
    {
        if (IsOwnedBy(frame))
        {
            throw BugCheck.Create(BugCheckCodes.SPIN_LOCK_ALREADY_OWNED, 0, 0, 0, 0, $"{Name} acquired twice by one thread");
        }

        Monitor.Enter(_gate);
        Volatile.Write(ref _owner, frame);
        frame.HeldLocks.Add(this);
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
        Monitor.Exit(_gate);
    }

    /// <summary>Releases the lock on behalf of a faulted callback, without touching IRQL. Owner only.</summary>
    internal void ForceRelease() => Give(ThreadFrame.Current);
}
