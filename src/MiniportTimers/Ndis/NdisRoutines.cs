using MiniportTimers.Hosting.Routines;

namespace MiniportTimers.Ndis;

/// <summary>NDIS's miniport routines as the hosting layer runs them, created once (the names are the handlers' documented names).</summary>
internal static class NdisRoutines
{
    public static readonly HostedRoutine MiniportInitializeEx = new(nameof(MiniportInitializeEx), 1, isDpcLevelCallback: false);
    public static readonly HostedRoutine MiniportHaltEx = new(nameof(MiniportHaltEx), 2, isDpcLevelCallback: false);
    public static readonly HostedRoutine MiniportPause = new(nameof(MiniportPause), 3, isDpcLevelCallback: false);
    public static readonly HostedRoutine MiniportRestart = new(nameof(MiniportRestart), 4, isDpcLevelCallback: false);
    public static readonly HostedRoutine MiniportResetEx = new(nameof(MiniportResetEx), 5, isDpcLevelCallback: false);
    public static readonly HostedRoutine MiniportQueryInformation = new(nameof(MiniportQueryInformation), 6, isDpcLevelCallback: false);
    public static readonly HostedRoutine MiniportSetInformation = new(nameof(MiniportSetInformation), 7, isDpcLevelCallback: false);
    public static readonly HostedRoutine MiniportSendNetBufferLists = new(nameof(MiniportSendNetBufferLists), 8, isDpcLevelCallback: false);

    /// <summary>A timer callback (NDIS 5 NdisMTimer or NDIS 6 timer object), adapter- or driver-level: DISPATCH_LEVEL, watched.</summary>
    public static readonly HostedRoutine TimerCallback = new(nameof(TimerCallback), 9, isDpcLevelCallback: true);

    /// <summary>An NDIS work item's routine: PASSIVE_LEVEL, where Windows has no DPC watchdog; it must return below DISPATCH_LEVEL (0xE1).</summary>
    public static readonly HostedRoutine WorkItem = new(nameof(WorkItem), 10, isDpcLevelCallback: false, isWorkerRoutine: true);

    /// <summary>A Ke/Ex timer's or DPC's routine initialized by the adapter's code (the bug check is reported under this name).</summary>
    public static readonly HostedRoutine KernelDpc = new(nameof(KernelDpc), 11, isDpcLevelCallback: true);

    /// <summary>MiniportInterrupt: the device IRQL, the interrupt lock held.</summary>
    public static readonly HostedRoutine MiniportInterrupt = new(nameof(MiniportInterrupt), 12, isDpcLevelCallback: false);

    /// <summary>MiniportInterruptDPC: DISPATCH_LEVEL, watched like every DPC.</summary>
    public static readonly HostedRoutine MiniportInterruptDpc = new("MiniportInterruptDPC", 13, isDpcLevelCallback: true);

    /// <summary>True while the calling thread runs an NDIS timer callback (of any adapter, or driver-level).</summary>
    public static readonly HostedRoutine MiniportOidRequest = new(nameof(MiniportOidRequest), 14, isDpcLevelCallback: false);

    public static readonly HostedRoutine MiniportReturnNetBufferLists = new(nameof(MiniportReturnNetBufferLists), 15, isDpcLevelCallback: false);

    /// <summary>MiniportCheckForHangEx: DISPATCH_LEVEL, every 2 s by default.</summary>
    public static readonly HostedRoutine MiniportCheckForHangEx = new(nameof(MiniportCheckForHangEx), 16, isDpcLevelCallback: false);

    public static bool InTimerCallback => ReferenceEquals(CurrentRoutine.Routine, TimerCallback);

    /// <summary>The NDIS adapter whose routine the calling thread runs, if any.</summary>
    public static NdisMiniportAdapter? CurrentAdapter => CurrentRoutine.Adapter as NdisMiniportAdapter;
}
