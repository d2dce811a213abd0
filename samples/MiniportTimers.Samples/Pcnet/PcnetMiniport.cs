using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Samples.Pcnet;

/// <summary>
/// A pcnet/nvnet-style NDIS 5 miniport (real-drivers.md N3/N4): a periodic 5000 ms media detection timer that indicates
/// link changes of a simulated PHY; a reset that pends, cancels the timer and flushes DPCs in a work item, then sets the
/// same timer periodic again and completes the reset; halt cancels and flushes.
/// </summary>
public static class PcnetMiniport
{
    /// <summary>The media detection period, ms.</summary>
    public const uint MediaDetectionPeriodMilliseconds = 5_000;

    /// <summary>The characteristics.</summary>
    public static NDIS_MINIPORT_DRIVER_CHARACTERISTICS Create() => new()
    {
        InitializeHandlerEx = (handle, _) => Initialize(handle),
        HaltHandlerEx = ctx => Halt((PcnetAdapter)ctx),
        ResetHandlerEx = (object ctx, out bool addressingReset) =>
        {
            addressingReset = false;
            return Reset((PcnetAdapter)ctx);
        },
    };

    private static uint Initialize(NdisMiniportAdapter handle)
    {
        var adapter = new PcnetAdapter(handle);
        NdisMSetMiniportAttributes(handle, adapter);
        NdisMInitializeTimer(adapter.MediaDetectionTimer, handle, MediaDetectionCallback, adapter);
        NdisMSetPeriodicTimer(adapter.MediaDetectionTimer, MediaDetectionPeriodMilliseconds);
        NdisInitializeWorkItem(adapter.ResetWorkItem, ResetWorkItemRoutine, adapter);
        return NDIS_STATUS_SUCCESS;
    }

    /// <summary>Every 5 s at DISPATCH_LEVEL: read the PHY; on a change indicate it.</summary>
    private static void MediaDetectionCallback(object systemSpecific1, object? functionContext, nuint systemSpecific2, nuint systemSpecific3)
    {
        var adapter = (PcnetAdapter)functionContext!;
        adapter.Polls++;
        var linkUp = adapter.PhyLinkUp;
        if (linkUp != adapter.IndicatedLinkUp)
        {
            adapter.IndicatedLinkUp = linkUp;
            NdisMIndicateStatus(adapter.Handle, linkUp ? NDIS_STATUS_MEDIA_CONNECT : NDIS_STATUS_MEDIA_DISCONNECT);
            NdisMIndicateStatusComplete(adapter.Handle);
        }
    }

    /// <summary>MiniportReset: pend, and let a work item do the work at PASSIVE_LEVEL (nvnet).</summary>
    private static uint Reset(PcnetAdapter adapter) =>
        NdisScheduleWorkItem(adapter.ResetWorkItem) == NDIS_STATUS_SUCCESS ? NDIS_STATUS_PENDING : NDIS_STATUS_FAILURE;

    /// <summary>NvNetStopAdapter (cancel + flush), re-initialize, NvNetStartAdapter (periodic again), complete the reset.</summary>
    private static void ResetWorkItemRoutine(NDIS_WORK_ITEM workItem, object? context)
    {
        var adapter = (PcnetAdapter)context!;
        NdisMCancelTimer(adapter.MediaDetectionTimer, out _);
        Ke.KeFlushQueuedDpcs();
        adapter.IndicatedLinkUp = adapter.PhyLinkUp;
        NdisMSetPeriodicTimer(adapter.MediaDetectionTimer, MediaDetectionPeriodMilliseconds);
        adapter.ResetsDone++;
        NdisMResetComplete(adapter.Handle, NDIS_STATUS_SUCCESS, false);
    }

    /// <summary>MiniportHalt: cancel (ignoring the result) and flush, then the adapter memory may go.</summary>
    private static void Halt(PcnetAdapter adapter)
    {
        NdisMCancelTimer(adapter.MediaDetectionTimer, out _);
        Ke.KeFlushQueuedDpcs();
    }
}
