using MiniportTimers.Kernel;

namespace MiniportTimers.Ndis;

public static partial class NdisApi
{
    /// <summary>Allocates and initializes a spin lock, not held (NdisAllocateSpinLock).</summary>
    /// <param name="SpinLock">Receives the lock.</param>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe.</remarks>
    public static void NdisAllocateSpinLock(out NDIS_SPIN_LOCK SpinLock) => SpinLock = new NDIS_SPIN_LOCK();

    /// <summary>Releases the lock's resources (NdisFreeSpinLock); it must not be held.</summary>
    /// <param name="SpinLock">The lock.</param>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL.</remarks>
    /// <exception cref="BugCheckException">With the verifier, DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4, <see cref="VerifierRules.SpinLockFreedWhileHeld"/>) when the calling thread holds it; without, a finding and the lock is freed.</exception>
    public static void NdisFreeSpinLock(NDIS_SPIN_LOCK SpinLock)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        if (SpinLock.SpinLock.IsOwnedByCurrentThread)
        {
            VerifierDecision.InKernel(Misuses.SpinLockFreedWhileHeld, "NdisFreeSpinLock on a lock the thread holds", "NdisFreeSpinLock on a lock the thread holds: freed.");
        }

        SpinLock.IsFreed = true;
    }

    /// <summary>Raises to DISPATCH_LEVEL and takes the lock (NdisAcquireSpinLock); the old IRQL is kept in the lock.</summary>
    /// <param name="SpinLock">The lock.</param>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">SPIN_LOCK_ALREADY_OWNED (0x0F); IRQL_NOT_GREATER_OR_EQUAL (0x09) above DISPATCH_LEVEL.</exception>
    public static void NdisAcquireSpinLock(NDIS_SPIN_LOCK SpinLock)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        var old = SpinLock.SpinLock.Acquire();
        SpinLock.OldIrql = old;
    }

    /// <summary>Releases the lock and restores the IRQL NdisAcquireSpinLock saved (NdisReleaseSpinLock).</summary>
    /// <param name="SpinLock">The lock.</param>
    /// <remarks>IRQL: DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">SPIN_LOCK_NOT_OWNED (0x10) when the thread does not hold it.</exception>
    public static void NdisReleaseSpinLock(NDIS_SPIN_LOCK SpinLock)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        SpinLock.SpinLock.Release(SpinLock.OldIrql);
    }

    /// <summary>Takes the lock at DISPATCH_LEVEL without changing the IRQL (NdisDprAcquireSpinLock).</summary>
    /// <param name="SpinLock">The lock.</param>
    /// <remarks>IRQL: DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">IRQL_NOT_GREATER_OR_EQUAL (0x09) at any other IRQL; SPIN_LOCK_ALREADY_OWNED (0x0F).</exception>
    public static void NdisDprAcquireSpinLock(NDIS_SPIN_LOCK SpinLock)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        Ke.KeAcquireSpinLockAtDpcLevel(SpinLock.SpinLock);
    }

    /// <summary>Releases a lock taken with <see cref="NdisDprAcquireSpinLock"/>; the IRQL stays DISPATCH_LEVEL (NdisDprReleaseSpinLock).</summary>
    /// <param name="SpinLock">The lock.</param>
    /// <remarks>IRQL: DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">SPIN_LOCK_NOT_OWNED (0x10).</exception>
    public static void NdisDprReleaseSpinLock(NDIS_SPIN_LOCK SpinLock)
    {
        ArgumentNullException.ThrowIfNull(SpinLock);
        Ke.KeReleaseSpinLockFromDpcLevel(SpinLock.SpinLock);
    }

    /// <summary>
    /// The system time (NdisGetCurrentSystemTime): 100 ns units since 1601-01-01 on the epoch of the host whose routine
    /// the thread runs, read from its engine (virtual or real).
    /// </summary>
    /// <param name="pSystemTime">Receives the time.</param>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    /// <exception cref="InvalidOperationException">No host routine and no UseEngine scope on the calling thread.</exception>
    public static void NdisGetCurrentSystemTime(out long pSystemTime) => Ke.KeQuerySystemTime(out pSystemTime);
}
