namespace MiniportTimers.Storport;

/// <summary>Which miniport routine a thread is running, as the host called it. Used for reports and IRQL rules.</summary>
public enum MiniportRoutine
{
    /// <summary>No miniport routine: host or test code.</summary>
    None = 0,

    /// <summary>HwStorFindAdapter (PASSIVE_LEVEL).</summary>
    HwFindAdapter,

    /// <summary>HwStorInitialize (device IRQL, Interrupt lock).</summary>
    HwInitialize,

    /// <summary>HwStorStartIo (DISPATCH_LEVEL, StartIo lock unless concurrent channels).</summary>
    HwStartIo,

    /// <summary>HwStorInterrupt (device IRQL, Interrupt lock).</summary>
    HwInterrupt,

    /// <summary>HwStorAdapterControl (no lock).</summary>
    HwAdapterControl,

    /// <summary>HwStorUnitControl (DISPATCH_LEVEL for ScsiUnitPoFxPowerActive, no lock).</summary>
    HwUnitControl,

    /// <summary>A timer callback: HwStorTimer or a PHW_TIMER_EX (DISPATCH_LEVEL, StartIo lock).</summary>
    TimerCallback,

    /// <summary>A DPC routine issued with StorPortIssueDpc (DISPATCH_LEVEL).</summary>
    DpcRoutine,

    /// <summary>HwStorPassiveInitializeRoutine (PASSIVE_LEVEL, no lock), enabled from HwStorInitialize.</summary>
    HwPassiveInitialize,

    /// <summary>HwStorBuildIo (DISPATCH_LEVEL, no port lock), before HwStorStartIo.</summary>
    HwBuildIo,

    /// <summary>A work item queued with StorPortQueueWorkItem (PASSIVE_LEVEL, no lock, on a system worker thread).</summary>
    WorkItem,

    /// <summary>The HwStateChange callback of StorPortStateChangeDetected, once the notification is processed (DISPATCH_LEVEL, StartIo lock).</summary>
    HwStateChange,
}
