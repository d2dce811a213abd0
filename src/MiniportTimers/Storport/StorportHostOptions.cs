using MiniportTimers.Kernel;

namespace MiniportTimers.Storport;

/// <summary>How a <see cref="StorportHost"/> behaves where Windows leaves a choice.</summary>
public sealed record StorportHostOptions
{
    /// <summary>
    /// Cap on live StorPortInitializeTimer handles per adapter; beyond it StorPortInitializeTimer returns
    /// STOR_STATUS_UNSUCCESSFUL. Null (the default) = no limit, as on Windows 8 and later (decision A7).
    /// </summary>
    public int? MaxTimersPerAdapter { get; init; }

    /// <summary>
    /// Windows 7 mode: StorPortInitializeTimer, StorPortRequestTimer and StorPortFreeTimer return
    /// STOR_STATUS_NOT_IMPLEMENTED, as an old storport.sys does for extended function codes 32-34 (decision A17).
    /// </summary>
    public bool Windows7Mode { get; init; }

    /// <summary>The device IRQL of every adapter's interrupt (3 to 12; default 5).</summary>
    public KIRQL InterruptIrql { get; init; } = (KIRQL)5;

    /// <summary>
    /// The verifier (on by default, like Driver Verifier in a test lab): misuse Windows punishes raises its bug check and
    /// stops the adapter: a timer callback or DPC running past <see cref="DpcWatchdogMicroseconds"/>
    /// (DPC_WATCHDOG_VIOLATION), removal with a timer still queued (TIMER_OR_DPC_INVALID), port locks taken out of order,
    /// a lock HwStorTimer may not take, a lock released at the wrong IRQL (DRIVER_VERIFIER_DETECTED_VIOLATION with a
    /// <see cref="Kernel.VerifierRules"/> number). Off: the same misuse is only reported as a finding where the decided
    /// semantics define a fallback (decision A6).
    /// </summary>
    public bool Verifier { get; init; } = true;

    /// <summary>
    /// The longest a single timer callback or DPC may run before the verifier raises DPC_WATCHDOG_VIOLATION, µs of engine
    /// time (default 100 000). A callback that returns late is reported when it returns; on a real clock one that never
    /// returns is reported by the host's watchdog thread once it passes this limit, and its adapter is stopped.
    /// </summary>
    public long DpcWatchdogMicroseconds { get; init; } = 100_000;

    /// <summary>
    /// Windows timing fidelity: null (the default) is precise, the engine's best. Otherwise every timer expires at the first
    /// Windows clock tick at or after its due time: <see cref="Kernel.WindowsClockTick.DefaultMicroseconds"/> (15 625 µs)
    /// is Windows' default clock, down to 500 µs as with timeBeginPeriod(1)'s finest. Shows what real Windows timing does
    /// to a miniport's logic (a 10 ms poll becomes 15.6 ms).
    /// </summary>
    public long? WindowsClockTickMicroseconds
    {
        get => _windowsClockTickMicroseconds;
        init => _windowsClockTickMicroseconds = Kernel.WindowsClockTick.Validate(value, nameof(WindowsClockTickMicroseconds));
    }

    private readonly long? _windowsClockTickMicroseconds;

    /// <summary>How long, in µs, the host re-enumerates after a StorPortStateChangeDetected; another notification in that window is refused (default 250 000).</summary>
    public ulong StateChangeProcessingMicroseconds { get; init; } = 250_000;
}
