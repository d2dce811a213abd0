namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// What the DPC watchdog notes when a callback starts, so that it can later tell how long the callback itself ran:
/// the engine time, and the stolen-time counters (GC pause, the thread's run delay) at that moment.
/// </summary>
/// <param name="StartNanoseconds">Engine time at the start, ns.</param>
/// <param name="GcPauseNanoseconds">Total GC pause at the start, ns (0 on a virtual clock).</param>
/// <param name="Scheduler">The running thread's scheduler totals at (or up to 1 ms before) the start.</param>
/// <param name="ThreadId">The running OS thread (0: not known, or a virtual clock).</param>
/// <param name="LockWaits">The running thread's waits for the library's internal locks (null on a virtual clock).</param>
/// <param name="LockWaitNanoseconds">Their total at the start, ns.</param>
internal readonly record struct WatchdogStamp(long StartNanoseconds, long GcPauseNanoseconds, SchedulerStats Scheduler, int ThreadId, LockWaitCounters? LockWaits, long LockWaitNanoseconds);
