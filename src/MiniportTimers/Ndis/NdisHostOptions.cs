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
    /// <summary>The device IRQL of every adapter's interrupt (3 to 12; default 5): MiniportInterrupt runs at it.</summary>
    public Kernel.KIRQL InterruptIrql { get; init; } = (Kernel.KIRQL)5;

    /// <summary>
    /// How long the protocol above holds the NBLs a miniport indicates before it returns them through
    /// MiniportReturnNetBufferLists, µs (0 to 10,000,000; default 1,000): a protocol processes a receive before it
    /// returns it, so a miniport paused or reset meanwhile sees receives outstanding, as on Windows.
    /// </summary>
    public long ReceiveReturnDelayMicroseconds { get; init; } = 1_000;

    /// <summary>
    /// How often the host calls a running adapter's MiniportCheckForHangEx (NDIS 5: MiniportCheckForHang), ms (0: never;
    /// default 2,000, NDIS's default when the miniport gives no CheckForHangTimeInSeconds). Calls keep their phase from
    /// the end of MiniportInitializeEx; one that returns TRUE makes the host call MiniportResetEx.
    /// </summary>
    public long CheckForHangIntervalMilliseconds { get; init; } = 2_000;
}
