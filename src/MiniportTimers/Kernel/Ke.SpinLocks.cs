namespace MiniportTimers.Kernel;

public static partial class Ke
{
    /// <summary>Initializes an executive spin lock, not held (KeInitializeSpinLock). It synchronizes at DISPATCH_LEVEL.</summary>
    /// <param name="SpinLock">Receives the lock.</param>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    public static void KeInitializeSpinLock(out KSpinLock SpinLock) => SpinLock = new KSpinLock("KSPIN_LOCK");

    /// <summary>Raises to DISPATCH_LEVEL and takes the lock (KeAcquireSpinLock); <paramref name="OldIrql"/> is the IRQL to restore.</summary>
    /// <param name="SpinLock">The lock.</param>
    /// <param name="OldIrql">Receives the IRQL before the call.</param>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe: other threads wait (spin) until it is released.</remarks>
    /// <exception cref="BugCheckException">SPIN_LOCK_ALREADY_OWNED (0x0F) when the thread holds it; IRQL_NOT_GREATER_OR_EQUAL (0x09) above DISPATCH_LEVEL.</exception>
    public static void KeAcquireSpinLock(KSpinLock SpinLock, out KIRQL OldIrql)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        OldIrql = SpinLock.Acquire();
    }

    /// <summary>Releases the lock and returns to <paramref name="NewIrql"/> (KeReleaseSpinLock).</summary>
    /// <param name="SpinLock">The lock.</param>
    /// <param name="NewIrql">The IRQL KeAcquireSpinLock returned.</param>
    /// <remarks>IRQL: DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">SPIN_LOCK_NOT_OWNED (0x10) when the thread does not hold it.</exception>
    public static void KeReleaseSpinLock(KSpinLock SpinLock, KIRQL NewIrql)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        SpinLock.Release(NewIrql);
    }

    /// <summary>Takes the lock without changing the IRQL, which must already be DISPATCH_LEVEL (KeAcquireSpinLockAtDpcLevel).</summary>
    /// <param name="SpinLock">The lock.</param>
    /// <remarks>IRQL: DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09) below or above DISPATCH_LEVEL; SPIN_LOCK_ALREADY_OWNED (0x0F).</exception>
    public static void KeAcquireSpinLockAtDpcLevel(KSpinLock SpinLock)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        var irql = IrqlState.Current;
        if (irql != KIRQL.DISPATCH_LEVEL)
        {
            throw BugCheck.Create(BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, (ulong)irql, (ulong)KIRQL.DISPATCH_LEVEL, 0, 0, $"KeAcquireSpinLockAtDpcLevel at {irql.IrqlName()}; it requires DISPATCH_LEVEL");
        }

        SpinLock.Acquire();
    }

    /// <summary>Releases a lock taken with <see cref="KeAcquireSpinLockAtDpcLevel"/>; the IRQL stays DISPATCH_LEVEL (KeReleaseSpinLockFromDpcLevel).</summary>
    /// <param name="SpinLock">The lock.</param>
    /// <remarks>IRQL: DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">SPIN_LOCK_NOT_OWNED (0x10) when the thread does not hold it.</exception>
    public static void KeReleaseSpinLockFromDpcLevel(KSpinLock SpinLock)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        SpinLock.Release(KIRQL.DISPATCH_LEVEL);
    }

    /// <summary>Takes the lock if it is free, without spinning (KeTryToAcquireSpinLockAtDpcLevel); the IRQL must already be DISPATCH_LEVEL.</summary>
    /// <param name="SpinLock">The lock.</param>
    /// <returns>True when the lock was taken; false when another thread holds it.</returns>
    /// <remarks>IRQL: DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09) below or above DISPATCH_LEVEL; SPIN_LOCK_ALREADY_OWNED (0x0F).</exception>
    public static bool KeTryToAcquireSpinLockAtDpcLevel(KSpinLock SpinLock)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        var irql = IrqlState.Current;
        if (irql != KIRQL.DISPATCH_LEVEL)
        {
            throw BugCheck.Create(BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, (ulong)irql, (ulong)KIRQL.DISPATCH_LEVEL, 0, 0, $"KeTryToAcquireSpinLockAtDpcLevel at {irql.IrqlName()}; it requires DISPATCH_LEVEL");
        }

        return SpinLock.TryTake();
    }
}
