using MiniportTimers.Engine;
using MiniportTimers.Kernel;

namespace MiniportTimers.Ndis;

/// <summary>The NDIS 6 OID-request completion, receive indication, I/O work items and NdisMSleep.</summary>
public static partial class NdisApi
{
    /// <summary>
    /// Completes an OID request MiniportOidRequest returned NDIS_STATUS_PENDING for (NdisMOidRequestComplete): sets
    /// <see cref="NDIS_OID_REQUEST.Status"/>, records the completion, and delivers the next queued request.
    /// </summary>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">0xC4 (verifier on) when <paramref name="oidRequest"/> is not the adapter's outstanding request: completed twice, or never pended; with the verifier off, a finding.</exception>
    public static void NdisMOidRequestComplete(NdisMiniportAdapter miniportAdapterHandle, NDIS_OID_REQUEST oidRequest, uint status)
    {
        ArgumentNullException.ThrowIfNull(miniportAdapterHandle);
        ArgumentNullException.ThrowIfNull(oidRequest);
        if (!miniportAdapterHandle.CompleteOidRequest(oidRequest, status))
        {
            miniportAdapterHandle.Host.Misuse(
                nameof(NdisMOidRequestComplete),
                Misuses.OidCompletedTwice,
                $"NdisMOidRequestComplete for OID 0x{oidRequest.Oid:X8}, which is not the adapter's outstanding request (completed twice, or never pended)",
                $"NdisMOidRequestComplete for OID 0x{oidRequest.Oid:X8}, which is not outstanding: ignored",
                oidRequest.Oid);
            return;
        }

        Complete(miniportAdapterHandle, "OidRequestComplete", status);
    }

    /// <summary>
    /// Indicates received NBLs, a chain through <see cref="NET_BUFFER_LIST.Next"/> (NdisMIndicateReceiveNetBufferLists).
    /// The host counts them (<see cref="NdisMiniportAdapter.ReceivedNetBufferLists"/>) and, unless
    /// <paramref name="receiveFlags"/> has NDIS_RECEIVE_FLAGS_RESOURCES, returns them soon through MiniportReturnNetBufferLists.
    /// </summary>
    /// <param name="miniportAdapterHandle">The adapter.</param>
    /// <param name="netBufferLists">The first NBL of the chain.</param>
    /// <param name="portNumber">The NDIS port (0: default).</param>
    /// <param name="numberOfNetBufferLists">How many NBLs the chain has; the host counts the chain itself.</param>
    /// <param name="receiveFlags">NDIS_RECEIVE_FLAGS_*.</param>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe.</remarks>
    public static void NdisMIndicateReceiveNetBufferLists(NdisMiniportAdapter miniportAdapterHandle, NET_BUFFER_LIST netBufferLists, uint portNumber, uint numberOfNetBufferLists, uint receiveFlags)
    {
        ArgumentNullException.ThrowIfNull(miniportAdapterHandle);
        ArgumentNullException.ThrowIfNull(netBufferLists);
        _ = portNumber;
        _ = numberOfNetBufferLists;
        miniportAdapterHandle.IndicateReceive(netBufferLists, receiveFlags);
    }

    /// <summary>Allocates an I/O work item for the adapter (NdisAllocateIoWorkItem).</summary>
    /// <param name="ndisObjectHandle">The adapter, or the driver handle from one of an adapter's routines (the work item then belongs to that adapter).</param>
    /// <returns>The work item; null when the handle names no adapter.</returns>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe.</remarks>
    public static NDIS_IO_WORKITEM? NdisAllocateIoWorkItem(object ndisObjectHandle) =>
        (ndisObjectHandle as NdisMiniportAdapter ?? NdisRoutines.CurrentAdapter) is { } adapter ? new NDIS_IO_WORKITEM(adapter) : null;

    /// <summary>Queues the work item (NdisQueueIoWorkItem); <paramref name="routine"/> runs once at PASSIVE_LEVEL on the host's dispatcher, soon.</summary>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">WORKER_INVALID (0xE4) when the work item is queued already or was freed.</exception>
    public static void NdisQueueIoWorkItem(NDIS_IO_WORKITEM ndisIoWorkItemHandle, NDIS_IO_WORKITEM_FUNCTION routine, object? workItemContext)
    {
        ArgumentNullException.ThrowIfNull(ndisIoWorkItemHandle);
        ArgumentNullException.ThrowIfNull(routine);
        if (ndisIoWorkItemHandle.IsFreed || !ndisIoWorkItemHandle.TryMarkQueued())
        {
            throw BugCheck.Create(BugCheckCodes.WORKER_INVALID, 0, 0, 0, 0, ndisIoWorkItemHandle.IsFreed ? "NdisQueueIoWorkItem on a freed work item" : "NdisQueueIoWorkItem on a work item that is queued already");
        }

        ndisIoWorkItemHandle.Routine = routine;
        ndisIoWorkItemHandle.Context = workItemContext;
        ndisIoWorkItemHandle.Adapter.QueueIoWorkItem(ndisIoWorkItemHandle);
    }

    /// <summary>Frees the work item (NdisFreeIoWorkItem). Its routine may be running; it must not be queued.</summary>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">WORKER_INVALID (0xE4) when it is still queued.</exception>
    public static void NdisFreeIoWorkItem(NDIS_IO_WORKITEM ndisIoWorkItemHandle)
    {
        ArgumentNullException.ThrowIfNull(ndisIoWorkItemHandle);
        if (ndisIoWorkItemHandle.IsQueued)
        {
            throw BugCheck.Create(BugCheckCodes.WORKER_INVALID, 1, 0, 0, 0, "NdisFreeIoWorkItem on a work item that is still queued");
        }

        ndisIoWorkItemHandle.IsFreed = true;
    }

    /// <summary>
    /// Sleeps at least <paramref name="microsecondsToSleep"/> µs (NdisMSleep). On a virtual clock (the host of the
    /// adapter whose routine runs) the clock moves forward by that much and what falls due meanwhile runs, as on
    /// Windows other threads would; on a real clock the thread sleeps.
    /// </summary>
    /// <remarks>IRQL: PASSIVE_LEVEL.</remarks>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above PASSIVE_LEVEL.</exception>
    public static void NdisMSleep(uint microsecondsToSleep)
    {
        Ke.RequireIrqlAtMost(KIRQL.PASSIVE_LEVEL, nameof(NdisMSleep));
        var nanoseconds = microsecondsToSleep * TimeUnits.NanosecondsPerMicrosecond;
        var engine = NdisRoutines.CurrentAdapter?.Host.Engine ?? KernelContext.CurrentEngine
            ?? throw new InvalidOperationException("NdisMSleep: no engine. Call it from a miniport routine of a host.");
        if (engine is VirtualTimerEngine virtualEngine)
        {
            virtualEngine.AdvanceBy(nanoseconds);
            return;
        }

        // Real clock: wait for an engine timer, so the sleep ends on the engine's clock like every other wait here.
        using var woken = new ManualResetEventSlim();
        var timer = engine.CreateTimer(static (t, in _) => ((ManualResetEventSlim)t.State!).Set(), woken);
        engine.Arm(timer, checked(engine.NowNanoseconds + nanoseconds));
        woken.Wait();
    }
}
