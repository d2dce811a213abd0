namespace MiniportTimers.Ndis;

/// <summary>
/// How an <see cref="NdisHost"/> behaves where Windows leaves a choice. The verifier
/// (<see cref="Kernel.KernelHostOptions.Verifier"/>) checks here: a timer callback running past
/// <see cref="Kernel.KernelHostOptions.DpcWatchdogMicroseconds"/> (DPC_WATCHDOG_VIOLATION); a halt with a timer still
/// queued, a timer object freed while queued, or NdisMInitializeTimer on a queued timer (TIMER_OR_DPC_INVALID); a freed
/// timer object used, or a periodic NdisCancelTimerObject above PASSIVE_LEVEL (DRIVER_VERIFIER_DETECTED_VIOLATION).
/// </summary>
public sealed record NdisHostOptions : Kernel.KernelHostOptions
{
    /// <summary>
    /// The system time (100 ns units since 1601-01-01, as KeQuerySystemTime) at engine time 0. Absolute DueTime values
    /// of NdisSetTimerObject are measured against it. Default: 2026-01-01T00:00:00Z, so virtual runs stay deterministic.
    /// </summary>
    public long SystemTimeAtEngineZero100ns { get; init; } = Kernel.KernelTime.DefaultSystemTimeAtEngineZero100ns;
}
