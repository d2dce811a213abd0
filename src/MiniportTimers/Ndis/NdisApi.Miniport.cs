using MiniportTimers.Kernel;

namespace MiniportTimers.Ndis;

public static partial class NdisApi
{
    /// <summary>Registers the MiniportAdapterContext the host passes to the adapter's handlers (NdisMSetMiniportAttributes, reduced to the context).</summary>
    /// <returns>NDIS_STATUS_SUCCESS.</returns>
    /// <remarks>IRQL: PASSIVE_LEVEL (MiniportInitializeEx).</remarks>
    public static uint NdisMSetMiniportAttributes(NdisMiniportAdapter miniportAdapterHandle, object miniportAdapterContext)
    {
        ArgumentNullException.ThrowIfNull(miniportAdapterHandle);
        miniportAdapterHandle.MiniportAdapterContext = miniportAdapterContext;
        return NDIS_STATUS_SUCCESS;
    }

    /// <summary>Indicates a status change (NdisMIndicateStatusEx, NDIS 6). Recorded in <see cref="NdisHost.Indications"/>.</summary>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL.</remarks>
    public static void NdisMIndicateStatusEx(NdisMiniportAdapter miniportAdapterHandle, uint statusCode) => Indicate(miniportAdapterHandle, statusCode);

    /// <summary>Indicates a status change (NdisMIndicateStatus, NDIS 5); follow it with NdisMIndicateStatusComplete.</summary>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL.</remarks>
    public static void NdisMIndicateStatus(NdisMiniportAdapter miniportAdapterHandle, uint generalStatus) => Indicate(miniportAdapterHandle, generalStatus);

    /// <summary>Ends a series of NDIS 5 status indications (NdisMIndicateStatusComplete).</summary>
    public static void NdisMIndicateStatusComplete(NdisMiniportAdapter miniportAdapterHandle) => ArgumentNullException.ThrowIfNull(miniportAdapterHandle);

    /// <summary>Completes a pause the miniport had pended (NdisMPauseComplete). Legal from a timer callback (netvmini).</summary>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL.</remarks>
    public static void NdisMPauseComplete(NdisMiniportAdapter miniportAdapterHandle)
    {
        Complete(miniportAdapterHandle, "PauseComplete", NDIS_STATUS_SUCCESS);
        miniportAdapterHandle.CompletePause();
    }

    /// <summary>Completes a reset the miniport had pended (NdisMResetComplete).</summary>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL.</remarks>
    public static void NdisMResetComplete(NdisMiniportAdapter miniportAdapterHandle, uint status, bool addressingReset)
    {
        _ = addressingReset;
        Complete(miniportAdapterHandle, "ResetComplete", status);
        miniportAdapterHandle.CompleteReset();
    }

    /// <summary>Completes a pended OID query (NdisMQueryInformationComplete, NDIS 5).</summary>
    public static void NdisMQueryInformationComplete(NdisMiniportAdapter miniportAdapterHandle, uint status)
    {
        Complete(miniportAdapterHandle, "QueryInformationComplete", status);
        miniportAdapterHandle.CompleteOid();
    }

    /// <summary>Completes a pended OID set (NdisMSetInformationComplete, NDIS 5).</summary>
    public static void NdisMSetInformationComplete(NdisMiniportAdapter miniportAdapterHandle, uint status)
    {
        Complete(miniportAdapterHandle, "SetInformationComplete", status);
        miniportAdapterHandle.CompleteOid();
    }

    /// <summary>Completes a send (NdisMSendNetBufferListsComplete).</summary>
    public static void NdisMSendNetBufferListsComplete(NdisMiniportAdapter miniportAdapterHandle, NET_BUFFER_LIST netBufferList)
    {
        ArgumentNullException.ThrowIfNull(netBufferList);
        Complete(miniportAdapterHandle, "SendComplete", netBufferList.Status);
    }

    /// <summary>Prepares an NDIS 5 work item (NdisInitializeWorkItem).</summary>
    public static void NdisInitializeWorkItem(NDIS_WORK_ITEM workItem, NDIS_PROC routine, object? context)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        ArgumentNullException.ThrowIfNull(routine);
        workItem.Routine = routine;
        workItem.Context = context;
    }

    /// <summary>
    /// Queues a work item (NdisScheduleWorkItem); its routine runs at PASSIVE_LEVEL on the dispatcher of the calling
    /// adapter's host, soon. Call from one of the adapter's routines.
    /// </summary>
    /// <returns>NDIS_STATUS_SUCCESS; NDIS_STATUS_FAILURE when not called from an adapter's routine or never initialized.</returns>
    public static uint NdisScheduleWorkItem(NDIS_WORK_ITEM workItem)
    {
        ArgumentNullException.ThrowIfNull(workItem);
        if (NdisRoutines.CurrentAdapter is not { } adapter || workItem.Routine is null)
        {
            return NDIS_STATUS_FAILURE;
        }

        var engine = adapter.Host.Engine;
        workItem.Queue ??= engine.CreateTimer(static (t, in _) =>
        {
            var (a, w) = ((NdisMiniportAdapter, NDIS_WORK_ITEM))t.State!;
            a.RunWorkItem(w);
        }, (adapter, workItem));
        engine.Arm(workItem.Queue, engine.NowNanoseconds);
        return NDIS_STATUS_SUCCESS;
    }

    /// <summary>Initializes an event, not signalled (NdisInitializeEvent). IRQL: PASSIVE_LEVEL.</summary>
    public static void NdisInitializeEvent(NDIS_EVENT ndisEvent)
    {
        ArgumentNullException.ThrowIfNull(ndisEvent);
        ndisEvent.Event.Reset();
    }

    /// <summary>Returns a signalled event to not signalled (NdisResetEvent). IRQL: &lt;= DISPATCH_LEVEL.</summary>
    public static void NdisResetEvent(NDIS_EVENT ndisEvent)
    {
        ArgumentNullException.ThrowIfNull(ndisEvent);
        ndisEvent.Event.Reset();
    }

    /// <summary>Signals an event (NdisSetEvent). IRQL: &lt;= DISPATCH_LEVEL.</summary>
    public static void NdisSetEvent(NDIS_EVENT ndisEvent)
    {
        ArgumentNullException.ThrowIfNull(ndisEvent);
        ndisEvent.Event.Set();
    }

    /// <summary>
    /// Waits for an event (NdisWaitEvent), at most <paramref name="millisecondsToWait"/> ms (0 = without limit). On a
    /// virtual clock (the host of the adapter whose routine is running) the wait moves the clock forward, 1 ms at a
    /// time, until the event is set: the timers that set it run (also from a work item running inside an advance: the
    /// virtual engine lets nested advances through).
    /// </summary>
    /// <returns>TRUE if the event was signalled.</returns>
    /// <remarks>IRQL: PASSIVE_LEVEL.</remarks>
    /// <exception cref="BugCheckException">0x0A above PASSIVE_LEVEL.</exception>
    public static bool NdisWaitEvent(NDIS_EVENT ndisEvent, uint millisecondsToWait)
    {
        ArgumentNullException.ThrowIfNull(ndisEvent);
        var engine = NdisRoutines.CurrentAdapter?.Host.Engine;
        Ke.RequireIrqlAtMost(KIRQL.PASSIVE_LEVEL, nameof(NdisWaitEvent));
        var limit = millisecondsToWait == 0 ? TimeSpan.FromHours(1) : TimeSpan.FromMilliseconds(millisecondsToWait);
        if (engine is Engine.VirtualTimerEngine virtualEngine)
        {
            var end = virtualEngine.NowNanoseconds + (long)(limit.TotalMilliseconds * Engine.TimeUnits.NanosecondsPerMillisecond);
            while (!ndisEvent.Event.IsSet && virtualEngine.NowNanoseconds < end)
            {
                virtualEngine.AdvanceBy(Engine.TimeUnits.NanosecondsPerMillisecond);
            }

            return ndisEvent.Event.IsSet;
        }

        return ndisEvent.Event.Wait(limit);
    }

    private static void Indicate(NdisMiniportAdapter adapter, uint status)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        adapter.Host.Record(new NdisIndication(adapter.Name, status, adapter.Host.Engine.NowNanoseconds));
    }

    private static void Complete(NdisMiniportAdapter adapter, string kind, uint status)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        adapter.Host.Record(new NdisCompletion(adapter.Name, kind, status, adapter.Host.Engine.NowNanoseconds, NdisRoutines.InTimerCallback));
    }
}
