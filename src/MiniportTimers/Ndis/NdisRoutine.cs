namespace MiniportTimers.Ndis;

/// <summary>
/// Which NDIS miniport routine a thread is running, as the host called it: the code of its hosted routine
/// (<see cref="NdisRoutines.Of"/>), as <see cref="Storport.MiniportRoutine"/> is for Storport. The names are the
/// handlers' documented names (reports and bug checks use them).
/// </summary>
internal enum NdisRoutine
{
    /// <summary>No NDIS routine: host or test code.</summary>
    None = 0,

    /// <summary>MiniportInitializeEx (PASSIVE_LEVEL).</summary>
    MiniportInitializeEx,

    /// <summary>MiniportHaltEx (PASSIVE_LEVEL).</summary>
    MiniportHaltEx,

    /// <summary>MiniportPause (PASSIVE_LEVEL).</summary>
    MiniportPause,

    /// <summary>MiniportRestart (PASSIVE_LEVEL).</summary>
    MiniportRestart,

    /// <summary>MiniportResetEx (DISPATCH_LEVEL or below).</summary>
    MiniportResetEx,

    /// <summary>MiniportQueryInformation, NDIS 5 (PASSIVE_LEVEL here).</summary>
    MiniportQueryInformation,

    /// <summary>MiniportSetInformation, NDIS 5 (PASSIVE_LEVEL here).</summary>
    MiniportSetInformation,

    /// <summary>MiniportSendNetBufferLists (DISPATCH_LEVEL).</summary>
    MiniportSendNetBufferLists,

    /// <summary>A timer callback (NDIS 5 NdisMTimer or NDIS 6 timer object), adapter- or driver-level: DISPATCH_LEVEL, watched.</summary>
    TimerCallback,

    /// <summary>An NDIS work item's routine: PASSIVE_LEVEL, where Windows has no DPC watchdog; it must return below DISPATCH_LEVEL (0xE1).</summary>
    WorkItem,

    /// <summary>A Ke/Ex timer's or DPC's routine initialized by the adapter's code (the bug check is reported under this name).</summary>
    KernelDpc,

    /// <summary>MiniportInterrupt: the device IRQL, the interrupt lock held.</summary>
    MiniportInterrupt,

    /// <summary>MiniportInterruptDPC: DISPATCH_LEVEL, watched like every DPC.</summary>
    MiniportInterruptDPC,

    /// <summary>MiniportOidRequest (PASSIVE_LEVEL here).</summary>
    MiniportOidRequest,

    /// <summary>MiniportReturnNetBufferLists (DISPATCH_LEVEL).</summary>
    MiniportReturnNetBufferLists,

    /// <summary>MiniportCheckForHangEx: every 2 s by default.</summary>
    MiniportCheckForHangEx,
}
