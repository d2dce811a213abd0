namespace MiniportTimers.Kernel;

/// <summary>
/// The per-thread part of the kernel model: the thread's current IRQL, the requests recorded above DISPATCH_LEVEL that
/// wait for it to drop, and the spin locks it holds. Each emulated "processor" is a thread; a new thread starts at
/// PASSIVE_LEVEL holding nothing.
/// </summary>
internal static class IrqlState
{
    [ThreadStatic]
    private static KIRQL t_current;

    [ThreadStatic]
    private static Queue<Action>? t_deferred;

    [ThreadStatic]
    private static List<KSpinLock>? t_held;

    public static KIRQL Current => t_current;

    /// <summary>Sets the IRQL; when it drops to DISPATCH_LEVEL or below, runs the work deferred at a higher level.</summary>
    public static void Set(KIRQL irql)
    {
        t_current = irql;
        if (irql <= KIRQL.DISPATCH_LEVEL && t_deferred is { Count: > 0 } queue)
        {
            // Each deferred action is host code (an engine arm), not user code. FIFO keeps request order.
            while (queue.TryDequeue(out var action))
            {
                action();
            }
        }
    }

    /// <summary>Runs <paramref name="action"/> now if the thread is at or below DISPATCH_LEVEL, otherwise when it drops there.</summary>
    public static void RunAtOrBelowDispatch(Action action)
    {
        if (t_current <= KIRQL.DISPATCH_LEVEL)
        {
            action();
            return;
        }

        (t_deferred ??= new Queue<Action>()).Enqueue(action);
    }

    public static List<KSpinLock> HeldLocks => t_held ??= [];
}
