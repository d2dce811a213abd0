namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// The scheduler's totals for one thread, ns (Linux: the first two fields of schedstat). A run-queue wait in progress is
/// not in <see cref="RunDelayNanoseconds"/> until the thread gets a CPU, which is why the watchdog thread judges a
/// runnable callback by its CPU time instead.
/// </summary>
/// <param name="OnCpuNanoseconds">Time spent running on a CPU.</param>
/// <param name="RunDelayNanoseconds">Time spent runnable but waiting on a run queue (finished waits).</param>
internal readonly record struct SchedulerStats(long OnCpuNanoseconds, long RunDelayNanoseconds);
