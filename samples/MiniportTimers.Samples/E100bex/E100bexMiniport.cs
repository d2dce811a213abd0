using MiniportTimers.Ndis;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Samples.E100bex;

/// <summary>
/// An e100bex-style NDIS 5.1 miniport (real-drivers.md N6): link detection is deferred to a 100 ms timer that re-arms
/// until the PHY has negotiated; meanwhile OID queries and sets and a reset are held pending and sends are queued; when
/// the link is up the callback completes all of them and drops its adapter reference. Halt does not cancel the timer:
/// it waits on the reference count, so the timer must be allowed to run out.
/// </summary>
public static class E100bexMiniport
{
    /// <summary>NIC_LINK_DETECTION_DELAY, ms.</summary>
    public const uint LinkDetectionDelayMilliseconds = 100;

    /// <summary>The characteristics; <paramref name="negotiationMicroseconds"/> draws each adapter's PHY negotiation time.</summary>
    public static NDIS_MINIPORT_DRIVER_CHARACTERISTICS Create(Func<long> negotiationMicroseconds) => new()
    {
        InitializeHandlerEx = (handle, _) => Initialize(handle, negotiationMicroseconds()),
        HaltHandlerEx = ctx => Halt((E100Adapter)ctx),
        ResetHandlerEx = (object ctx, out bool addressingReset) =>
        {
            addressingReset = false;
            return Reset((E100Adapter)ctx);
        },
        QueryInformationHandler = (ctx, oid) => Query((E100Adapter)ctx, oid),
        SetInformationHandler = (ctx, oid) => Set((E100Adapter)ctx, oid),
        SendNetBufferListsHandler = (ctx, nbl) => Send((E100Adapter)ctx, nbl),
    };

    private static uint Initialize(NdisMiniportAdapter handle, long negotiationMicroseconds)
    {
        var adapter = new E100Adapter(handle, handle.Host.Engine.NowNanoseconds + (negotiationMicroseconds * 1000));
        NdisMSetMiniportAttributes(handle, adapter);
        NdisInitializeEvent(adapter.ExitEvent);
        NdisMInitializeTimer(adapter.LinkDetectionTimer, handle, LinkDetectionDpc, adapter);
        adapter.LinkDetection = true;
        adapter.RefCount = 2; // the adapter's own reference, and the one link detection holds until it is done
        NdisMSetTimer(adapter.LinkDetectionTimer, LinkDetectionDelayMilliseconds);
        return NDIS_STATUS_SUCCESS;
    }

    private static uint Query(E100Adapter adapter, uint oid) =>
        HoldWhileDetecting(adapter, a => a.QueryPending = oid);

    private static uint Set(E100Adapter adapter, uint oid) =>
        HoldWhileDetecting(adapter, a => a.SetPending = oid);

    private static uint Reset(E100Adapter adapter) =>
        HoldWhileDetecting(adapter, a => a.ResetPending = true);

    /// <summary>While link detection runs, records the request as held (NDIS_STATUS_PENDING); else it succeeds at once.
    /// The flag is read and the request recorded under the adapter's lock: the callback clears the flag under it.</summary>
    private static uint HoldWhileDetecting(E100Adapter adapter, Action<E100Adapter> hold)
    {
        NdisAcquireSpinLock(adapter.Lock);
        try
        {
            if (!adapter.LinkDetection)
            {
                return NDIS_STATUS_SUCCESS;
            }

            hold(adapter);
            return NDIS_STATUS_PENDING;
        }
        finally
        {
            NdisReleaseSpinLock(adapter.Lock);
        }
    }

    private static void Send(E100Adapter adapter, NET_BUFFER_LIST nbl)
    {
        NdisAcquireSpinLock(adapter.Lock);
        var queued = adapter.LinkDetection;
        if (queued)
        {
            adapter.QueuedSends.Enqueue(nbl);
        }

        NdisReleaseSpinLock(adapter.Lock);
        if (!queued)
        {
            nbl.Status = NDIS_STATUS_SUCCESS;
            NdisMSendNetBufferListsComplete(adapter.Handle, nbl);
        }
    }

    /// <summary>MpLinkDetectionDpc: PHY not done: again in 100 ms. Done: complete everything held, drop the reference.</summary>
    private static void LinkDetectionDpc(object systemSpecific1, object? functionContext, nuint systemSpecific2, nuint systemSpecific3)
    {
        var adapter = (E100Adapter)functionContext!;
        adapter.DetectionPolls++;
        if (adapter.Handle.Host.Engine.NowNanoseconds < adapter.NegotiationDoneAtNanoseconds)
        {
            NdisMSetTimer(adapter.LinkDetectionTimer, LinkDetectionDelayMilliseconds); // NDIS_STATUS_PENDING from the PHY
            return;
        }

        // Clear the flag and take what was held in one step under the lock; complete outside it, as e100bex does.
        NdisDprAcquireSpinLock(adapter.Lock);
        adapter.LinkDetection = false;
        var (query, set, reset) = (adapter.QueryPending, adapter.SetPending, adapter.ResetPending);
        (adapter.QueryPending, adapter.SetPending, adapter.ResetPending) = (null, null, false);
        var sends = adapter.QueuedSends.ToArray();
        adapter.QueuedSends.Clear();
        NdisDprReleaseSpinLock(adapter.Lock);

        NdisMIndicateStatus(adapter.Handle, NDIS_STATUS_MEDIA_CONNECT);
        NdisMIndicateStatusComplete(adapter.Handle);
        if (query is not null)
        {
            NdisMQueryInformationComplete(adapter.Handle, NDIS_STATUS_SUCCESS);
        }

        if (set is not null)
        {
            NdisMSetInformationComplete(adapter.Handle, NDIS_STATUS_SUCCESS);
        }

        if (reset)
        {
            NdisMResetComplete(adapter.Handle, NDIS_STATUS_ADAPTER_NOT_READY, false);
        }

        foreach (var nbl in sends)
        {
            nbl.Status = NDIS_STATUS_SUCCESS;
            NdisMSendNetBufferListsComplete(adapter.Handle, nbl);
        }

        if (adapter.ReleaseReference() == 0)
        {
            NdisSetEvent(adapter.ExitEvent);
        }
    }

    /// <summary>MiniportHalt: drop the own reference and wait for the rest (the link detection timer runs out first).</summary>
    private static void Halt(E100Adapter adapter)
    {
        if (adapter.ReleaseReference() != 0)
        {
            NdisWaitEvent(adapter.ExitEvent, 0);
        }
    }
}
