using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Watchdog;

/// <summary>What the DPC watchdog charges a callback: the elapsed time less what the callback could not run, all in ns.</summary>
/// <param name="ElapsedNanoseconds">Engine time since the callback started.</param>
/// <param name="GcPauseNanoseconds">Garbage-collection pauses meanwhile.</param>
/// <param name="RunDelayNanoseconds">Time its thread waited for a CPU (read only once the rest passes the allotment).</param>
/// <param name="LockWaitNanoseconds">Time its thread waited for the library's internal locks.</param>
internal readonly record struct WatchdogCharge(long ElapsedNanoseconds, long GcPauseNanoseconds, long RunDelayNanoseconds, long LockWaitNanoseconds)
{
    /// <summary>The run time charged, ns (never negative).</summary>
    public long RanNanoseconds => Math.Max(0, ElapsedNanoseconds - GcPauseNanoseconds - RunDelayNanoseconds - LockWaitNanoseconds);

    /// <summary>The run time charged, µs.</summary>
    public long RanMicroseconds => RanNanoseconds / TimeUnits.NanosecondsPerMicrosecond;

    /// <summary>" (elapsed …, less …)" when anything was taken off, else empty: for the bug check's text.</summary>
    public string Breakdown =>
        GcPauseNanoseconds + RunDelayNanoseconds + LockWaitNanoseconds == 0
            ? string.Empty
            : $" (elapsed {ElapsedNanoseconds / TimeUnits.NanosecondsPerMicrosecond} µs, less GC pauses {GcPauseNanoseconds / TimeUnits.NanosecondsPerMicrosecond} µs, waiting for a CPU {RunDelayNanoseconds / TimeUnits.NanosecondsPerMicrosecond} µs, waiting for the host's locks {LockWaitNanoseconds / TimeUnits.NanosecondsPerMicrosecond} µs)";
}
