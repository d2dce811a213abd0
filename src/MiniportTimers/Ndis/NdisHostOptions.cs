namespace MiniportTimers.Ndis;

/// <summary>How an <see cref="NdisHost"/> behaves where Windows leaves a choice.</summary>
public sealed record NdisHostOptions
{
    /// <summary>
    /// The verifier (on by default): a timer callback running past <see cref="DpcWatchdogMicroseconds"/>
    /// (DPC_WATCHDOG_VIOLATION); a halt with a timer still queued, a timer object freed while queued, or NdisMInitializeTimer
    /// on a queued timer (TIMER_OR_DPC_INVALID); a freed timer object used, or a periodic NdisCancelTimerObject above
    /// PASSIVE_LEVEL (DRIVER_VERIFIER_DETECTED_VIOLATION). Off: these are verifier findings only.
    /// </summary>
    public bool Verifier { get; init; } = true;

    /// <summary>The longest a single timer callback may run before DPC_WATCHDOG_VIOLATION, µs of engine time (default 100 000).</summary>
    public long DpcWatchdogMicroseconds { get; init; } = 100_000;

    /// <summary>
    /// Windows timing fidelity, as <see cref="Storport.StorportHostOptions.WindowsClockTickMicroseconds"/>: null is
    /// precise; otherwise each expiry lands on the first clock tick at or after its due time, and a period is rounded up
    /// to whole ticks.
    /// </summary>
    public long? WindowsClockTickMicroseconds
    {
        get => _windowsClockTickMicroseconds;
        init => _windowsClockTickMicroseconds = Kernel.WindowsClockTick.Validate(value, nameof(WindowsClockTickMicroseconds));
    }

    private readonly long? _windowsClockTickMicroseconds;

    /// <summary>
    /// The system time (100 ns units since 1601-01-01, as KeQuerySystemTime) at engine time 0. Absolute DueTime values
    /// of NdisSetTimerObject are measured against it. Default: 2026-01-01T00:00:00Z, so virtual runs stay deterministic.
    /// </summary>
    public long SystemTimeAtEngineZero100ns { get; init; } = Kernel.KernelTime.DefaultSystemTimeAtEngineZero100ns;
}
