namespace MiniportTimers.Samples.Nvme;

/// <summary>The facts the NVMe sample counts, in report order.</summary>
public enum NvmeFact
{
    /// <summary>Adapters whose start state machine reached StartComplete.</summary>
    StartsCompleted,

    /// <summary>Adapters whose start failed (CAP.TO, or the passive wait timed out and freed the timer).</summary>
    StartsFailed,

    /// <summary>NVMeRunning ticks that found CSTS.RDY still 0 and added 5000 µs.</summary>
    ReadyPolls,

    /// <summary>NVMeRunning ticks in an admin state whose command had not completed yet.</summary>
    AdminCheckbacks,

    /// <summary>Admin-command states advanced from the completion DPC.</summary>
    AdvancedFromCompletionDpc,

    /// <summary>Legacy timer requests that replaced a request still pending (A4: the last request wins).</summary>
    LegacyRequestsReplaced,

    /// <summary>Iterations of the passive wait in HwPassiveInitialize (every 5 ms until started or failed).</summary>
    PassiveWaitPolls,

    /// <summary>Runs of the IsDeviceRemoved watchdog.</summary>
    WatchdogChecks,

    /// <summary>Adapters whose watchdog runs on the legacy timer because StorPortInitializeTimer is not implemented (Windows 7).</summary>
    WatchdogOnLegacyTimer,

    /// <summary>Surprise removals the watchdog detected (VS read all-ones).</summary>
    SurpriseRemovals,

    /// <summary>Commands failed from inside the watchdog callback.</summary>
    CommandsFailedInCallback,

    /// <summary>Timers freed by their own callback (StorPortFreeTimer inside IsDeviceRemoved).</summary>
    TimersFreedInOwnCallback,

    /// <summary>Watchdog callbacks that got a context other than NULL (must stay 0).</summary>
    WatchdogContextNotNull,

    /// <summary>Requests failed with SRB_STATUS_NO_DEVICE after the device was gone.</summary>
    IoFailedNoDevice,
}
