namespace MiniportTimers.Diagnostics;

/// <summary>
/// One callback run of a <see cref="TimerActivity"/> row, the longest of its row so far (replaced, never mutated): how
/// long the expiry held its dispatcher, for which adapter, and what the time went to where the library knows it
/// (issue 27: a first call's JIT, a collection during it, a wait for a CPU, or the callback's own time). Immutable, thread-safe.
/// </summary>
/// <remarks>
/// The JIT and pause figures are wall-clock time measured by the runtime, the run's length is engine time: on the real
/// clock the two are the same clock, and <see cref="Cause"/> is the largest of the JIT time, the pause time and the
/// rest (and, on a real clock, the run-queue wait). On the virtual clock time passes inside a callback only when it moves the clock, so a JIT or a collection
/// there lengthens no run but is still reported, and names the cause of a run that took no engine time. The parts may
/// overlap: the JIT's time is wall time, so a thread descheduled while compiling counts that wait in both.
/// </remarks>
public sealed class CallbackRun
{
    internal CallbackRun(long nanoseconds, string adapter, int collections, long collectionPauseNanoseconds, long jitNanoseconds, long cpuWaitNanoseconds = 0, long spinLockWaitNanoseconds = 0)
    {
        CpuWaitNanoseconds = cpuWaitNanoseconds;
        SpinLockWaitNanoseconds = spinLockWaitNanoseconds;
        Nanoseconds = nanoseconds;
        Adapter = adapter;
        Collections = collections;
        CollectionPauseNanoseconds = collectionPauseNanoseconds;
        JitNanoseconds = jitNanoseconds;
    }

    /// <summary>How long the expiry held its dispatcher, ns of engine time (the callback with the host's locks and watchdogs around it); ≥ 0.</summary>
    public long Nanoseconds { get; }

    /// <summary>The adapter the callback ran for (the host's "driver" for a driver-level timer).</summary>
    public string Adapter { get; }

    /// <summary>Garbage collections (any generation) that happened during the run, in the whole process; ≥ 0.</summary>
    public int Collections { get; }

    /// <summary>The pause time of those collections, ns of wall-clock time (GC.GetTotalPauseDuration); 0 when there were none.</summary>
    public long CollectionPauseNanoseconds { get; }

    /// <summary>Time the run's thread spent JIT-compiling during it, ns of wall-clock time (System.Runtime.JitInfo); 0 when every method it called was compiled already (by an earlier call, a warm-up or ReadyToRun).</summary>
    public long JitNanoseconds { get; }

    /// <summary>
    /// Time the run's thread waited on a run queue for a CPU during it, ns (Linux <c>/proc/thread-self/schedstat</c>, on a
    /// real clock; 0 on a virtual clock or where the kernel does not publish it): a loaded machine, not the callback.
    /// </summary>
    public long CpuWaitNanoseconds { get; }

    /// <summary>
    /// Time the run's thread waited during it for spin locks another thread held (KeAcquireSpinLock and the port locks
    /// the host takes around the callback: the StartIo lock, the interrupt lock), ns, on a real clock; 0 on a virtual
    /// clock. A lock taken at once adds nothing; the wait includes the holder's own descheduling.
    /// </summary>
    public long SpinLockWaitNanoseconds { get; }

    /// <summary>
    /// What most of the run's time went to: the largest of <see cref="JitNanoseconds"/>,
    /// <see cref="CollectionPauseNanoseconds"/>, <see cref="CpuWaitNanoseconds"/>, <see cref="SpinLockWaitNanoseconds"/>
    /// and the rest of <see cref="Nanoseconds"/> (ties go to the callback's own time, then to a collection, then to the
    /// JIT, then to the CPU wait).
    /// </summary>
    public CallbackRunCause Cause
    {
        get
        {
            var own = Math.Max(0, Nanoseconds - JitNanoseconds - CollectionPauseNanoseconds - CpuWaitNanoseconds - SpinLockWaitNanoseconds);
            var largest = Math.Max(Math.Max(own, SpinLockWaitNanoseconds), Math.Max(CollectionPauseNanoseconds, Math.Max(JitNanoseconds, CpuWaitNanoseconds)));
            return largest == own ? CallbackRunCause.OwnTime
                : largest == CollectionPauseNanoseconds ? CallbackRunCause.Collection
                : largest == JitNanoseconds ? CallbackRunCause.FirstCall
                : largest == CpuWaitNanoseconds ? CallbackRunCause.WaitedForCpu
                : CallbackRunCause.WaitedForSpinLock;
        }
    }
}
