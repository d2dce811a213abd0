namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// Where the DPC watchdog learns how much of a callback's elapsed time the callback could not run: the runtime's
/// garbage-collection pauses (every managed thread is suspended) and the OS scheduler's run-queue delay (the thread was
/// runnable but another thread had its CPU). In Windows a DPC runs at DISPATCH_LEVEL and nothing preempts it, so its
/// watchdog counts elapsed time; in a user-mode process both of these are the machine's doing, not the callback's.
/// </summary>
/// <remarks>Every member is safe from any thread. The real source is <see cref="SystemStolenTime"/>; tests supply their own.</remarks>
internal interface IStolenTimeSource
{
    /// <summary>Total time the runtime has paused managed threads for garbage collection, ns, monotonic.</summary>
    long GcPauseNanoseconds();

    /// <summary>An id of the calling OS thread that <see cref="RunDelayNanoseconds"/> accepts (0 where run delay is not known).</summary>
    int CurrentThreadId();

    /// <summary>
    /// Total time thread <paramref name="threadId"/> has waited on a run queue, ns, monotonic; 0 where the platform does
    /// not say. <paramref name="ownThread"/> is true when the caller is that thread (a cheaper read).
    /// </summary>
    long RunDelayNanoseconds(int threadId, bool ownThread);

    /// <summary>
    /// The calling thread's run delay at or shortly before now (at most <paramref name="maxAgeNanoseconds"/> old): lets
    /// the start of every callback take a baseline without a system call each time.
    /// </summary>
    long RecentRunDelayNanoseconds(long maxAgeNanoseconds);
}
