namespace MiniportTimers.Diagnostics;

/// <summary>
/// What most of one callback run's time went to, as far as the library can tell (<see cref="CallbackRun"/>): the run's
/// time is split into the JIT compilation its thread did during it, the collections' pauses during it, its thread's wait for a CPU (real
/// clock, Linux) and the rest,
/// and the largest part names the cause.
/// </summary>
public enum CallbackRunCause
{
    /// <summary>The callback's own time (with the host's locks and watchdogs): neither the JIT nor a collection took most of it.</summary>
    OwnTime = 0,

    /// <summary>A first call: the run's thread spent most of it JIT-compiling methods it had not run before (System.Runtime.JitInfo).</summary>
    FirstCall = 1,

    /// <summary>A garbage collection paused the process for most of the run (GC.GetTotalPauseDuration).</summary>
    Collection = 2,

    /// <summary>The run's thread waited on a run queue for a CPU for most of it (Linux schedstat, real clock only): the machine was loaded.</summary>
    WaitedForCpu = 3,

    /// <summary>The run's thread waited for most of it for a spin lock another thread held (the StartIo lock, the
    /// interrupt lock, a KSPIN_LOCK; real clock only): another routine of the adapter, on another thread, held it.</summary>
    WaitedForSpinLock = 4,
}
