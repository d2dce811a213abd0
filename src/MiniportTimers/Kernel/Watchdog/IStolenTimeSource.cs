namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// Where the DPC watchdog learns how much of a callback's elapsed time the callback could not run: the runtime's
/// garbage-collection pauses (every managed thread is suspended) and the OS scheduler's view of the thread (time on a
/// CPU, time waiting on a run queue, whether it is runnable now). In Windows a DPC runs at DISPATCH_LEVEL and nothing
/// preempts it, so its watchdog counts elapsed time; in a user-mode process GC pauses and preemption are the machine's
/// doing, not the callback's.
/// </summary>
/// <remarks>Every member is safe from any thread. The real source is <see cref="SystemStolenTime"/>; tests supply their own.</remarks>
internal interface IStolenTimeSource
{
    /// <summary>Total time the runtime has paused managed threads for garbage collection, ns, monotonic.</summary>
    long GcPauseNanoseconds();

    /// <summary>An id of the calling OS thread that <see cref="SchedulerStats"/> accepts (0 where the scheduler's view is not known).</summary>
    int CurrentThreadId();

    /// <summary>
    /// Thread <paramref name="threadId"/>'s totals so far (all zero where the platform does not say).
    /// <paramref name="ownThread"/> is true when the caller is that thread (a cheaper read).
    /// </summary>
    SchedulerStats SchedulerStats(int threadId, bool ownThread);

    /// <summary>
    /// The calling thread's totals at or shortly before now (at most <paramref name="maxAgeNanoseconds"/> old): lets the
    /// start of every callback take a baseline without a system call each time.
    /// </summary>
    SchedulerStats RecentSchedulerStats(long maxAgeNanoseconds);

    /// <summary>True when thread <paramref name="threadId"/> is runnable now (on a CPU or waiting for one), false when it
    /// sleeps or blocks, or when the platform does not say.</summary>
    bool IsRunnable(int threadId);
}
