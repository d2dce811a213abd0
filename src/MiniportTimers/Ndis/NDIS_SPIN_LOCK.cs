using MiniportTimers.Kernel;

namespace MiniportTimers.Ndis;

/// <summary>
/// An NDIS spin lock (NDIS_SPIN_LOCK): an executive spin lock and the IRQL to restore, from NdisAllocateSpinLock. It
/// synchronizes at DISPATCH_LEVEL.
/// </summary>
/// <remarks>Thread safety: acquire and release from any thread, as the NdisAcquireSpinLock family documents.</remarks>
public sealed class NDIS_SPIN_LOCK
{
    internal NDIS_SPIN_LOCK() => SpinLock = new KSpinLock("NDIS_SPIN_LOCK");

    /// <summary>The executive spin lock underneath.</summary>
    public KSpinLock SpinLock { get; }

    /// <summary>The IRQL NdisAcquireSpinLock raised from (restored by NdisReleaseSpinLock).</summary>
    public KIRQL OldIrql { get; internal set; }

    /// <summary>True after NdisFreeSpinLock.</summary>
    public bool IsFreed { get; internal set; }
}
