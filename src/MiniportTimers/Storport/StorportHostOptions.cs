using MiniportTimers.Kernel;

namespace MiniportTimers.Storport;

/// <summary>
/// How a <see cref="StorportHost"/> behaves where Windows leaves a choice. The verifier (<see cref="KernelHostOptions.Verifier"/>)
/// checks here: a timer callback or DPC running past <see cref="KernelHostOptions.DpcWatchdogMicroseconds"/>, or never
/// returning (DPC_WATCHDOG_VIOLATION); removal with a timer still queued (TIMER_OR_DPC_INVALID); port locks taken out of
/// order, a lock HwStorTimer may not take, a lock released at the wrong IRQL (DRIVER_VERIFIER_DETECTED_VIOLATION with a
/// <see cref="VerifierRules"/> number).
/// </summary>
public sealed record StorportHostOptions : KernelHostOptions
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

    /// <summary>How long, in µs, the host re-enumerates after a StorPortStateChangeDetected; another notification in that window is refused (default 250 000).</summary>
    public ulong StateChangeProcessingMicroseconds { get; init; } = 250_000;

    /// <summary>
    /// The power plan's values of the power settings a miniport may register with
    /// StorPortSetPowerSettingNotificationGuids: the host sends each registered setting it has a value for in a
    /// HwStorAdapterControl(ScsiPowerSettingNotification) once the registering routine returned, as the power manager
    /// does on registration. Defaults: AHCI Link Power Management - HIPM/DIPM (0B2D69D7-A2A1-449C-9680-F91C70521C60) = 1
    /// (HIPM), and - Adaptive (DAB60367-53FE-4FBC-825E-521D069D2456) = 100 (ms of idle before Partial to Slumber).
    /// </summary>
    public IReadOnlyDictionary<Guid, uint> PowerSettings { get; init; } = new Dictionary<Guid, uint>
    {
        [new Guid("0B2D69D7-A2A1-449C-9680-F91C70521C60")] = 1,
        [new Guid("DAB60367-53FE-4FBC-825E-521D069D2456")] = 100,
    };
}
