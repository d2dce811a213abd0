namespace MiniportTimers.Kernel;

/// <summary>
/// The kernel model's IRQL calls, read and written through the calling thread's <see cref="ThreadFrame"/> (its IRQL,
/// the requests recorded above DISPATCH_LEVEL that wait for it to drop, and the spin locks it holds). No state of its own.
/// </summary>
internal static class IrqlState
{
    /// <summary>The calling thread's IRQL.</summary>
    public static KIRQL Current => ThreadFrame.Current.Irql;

    /// <summary>Sets the IRQL; when it drops to DISPATCH_LEVEL or below, runs the work deferred at a higher level.</summary>
    public static void Set(KIRQL irql) => ThreadFrame.Current.SetIrql(irql);

    /// <summary>Runs <paramref name="action"/> now if the thread is at or below DISPATCH_LEVEL, otherwise when it drops there.</summary>
    public static void RunAtOrBelowDispatch(Action action) => ThreadFrame.Current.RunAtOrBelowDispatch(action);

    /// <summary>The spin locks the calling thread holds, in acquisition order.</summary>
    public static List<KSpinLock> HeldLocks => ThreadFrame.Current.HeldLocks;
}
