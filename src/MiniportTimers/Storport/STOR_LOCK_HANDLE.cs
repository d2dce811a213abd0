using MiniportTimers.Kernel;

namespace MiniportTimers.Storport;

/// <summary>What StorPortAcquireSpinLock fills in and StorPortReleaseSpinLock takes back: the lock and the IRQL to restore.</summary>
public struct STOR_LOCK_HANDLE
{
    /// <summary>Which lock is held.</summary>
    public STOR_SPINLOCK Lock { get; internal set; }

    /// <summary>The IRQL to restore on release.</summary>
    public KIRQL OldIrql { get; internal set; }

    internal KSpinLock? Held { get; set; }
}
