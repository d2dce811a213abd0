using MiniportTimers.Hosting.Routines;
using MiniportTimers.Kernel;

namespace MiniportTimers.Ndis;

/// <summary>The adapter's OID requests: NDIS 5 delivers one at a time, and queues the others until the outstanding one completes.</summary>
public sealed partial class NdisMiniportAdapter
{
    /// <summary>NDIS 5 requests waiting for the outstanding one to complete (NDIS delivers one OID request at a time).</summary>
    private readonly Queue<(HostedRoutine Routine, MINIPORT_OID Handler, uint Oid, string CompletionKind)> _oidQueue = new();
    private bool _oidOutstanding;

    /// <summary>
    /// Calls MiniportQueryInformation at DISPATCH_LEVEL. NDIS_STATUS_PENDING: a completion follows. As NDIS 5 does, only
    /// one request is outstanding at a time: a request made meanwhile is queued (PENDING) and delivered when the
    /// outstanding one completes; the host then records its completion.
    /// </summary>
    public uint QueryInformation(uint oid) => Oid(NdisRoutines.MiniportQueryInformation, _handlers.QueryInformationHandler, oid, "QueryInformationComplete");

    /// <summary>Calls MiniportSetInformation at DISPATCH_LEVEL, serialized like <see cref="QueryInformation"/>.</summary>
    public uint SetInformation(uint oid) => Oid(NdisRoutines.MiniportSetInformation, _handlers.SetInformationHandler, oid, "SetInformationComplete");

    private uint Oid(HostedRoutine routine, MINIPORT_OID? handler, uint oid, string completionKind)
    {
        if (!IsLive)
        {
            return NdisApi.NDIS_STATUS_FAILURE;
        }

        if (handler is null)
        {
            return NdisApi.NDIS_STATUS_NOT_SUPPORTED;
        }

        lock (_gate)
        {
            if (_oidOutstanding)
            {
                _oidQueue.Enqueue((routine, handler, oid, completionKind));
                return NdisApi.NDIS_STATUS_PENDING;
            }

            _oidOutstanding = true;
        }

        return DeliverOid(routine, handler, oid);
    }

    /// <summary>Hands one request to the miniport; unless it pends, the next queued one follows.</summary>
    private uint DeliverOid(HostedRoutine routine, MINIPORT_OID handler, uint oid)
    {
        var status = NdisApi.NDIS_STATUS_FAILURE;
        Run(routine, KIRQL.DISPATCH_LEVEL, () => status = handler(Context, oid));
        if (status != NdisApi.NDIS_STATUS_PENDING)
        {
            CompleteOid();
        }

        return status;
    }

    /// <summary>The outstanding request completed: deliver the next queued one, recording its completion if it does not pend.</summary>
    internal void CompleteOid()
    {
        (HostedRoutine Routine, MINIPORT_OID Handler, uint Oid, string CompletionKind) next;
        lock (_gate)
        {
            if (!_oidQueue.TryDequeue(out next))
            {
                _oidOutstanding = false;
                return;
            }
        }

        var status = NdisApi.NDIS_STATUS_FAILURE;
        Run(next.Routine, KIRQL.DISPATCH_LEVEL, () => status = next.Handler(Context, next.Oid));
        if (status != NdisApi.NDIS_STATUS_PENDING)
        {
            Host.Record(new NdisCompletion(Name, next.CompletionKind, status, Host.Engine.NowNanoseconds, NdisRoutines.InTimerCallback));
            CompleteOid();
        }
    }
}
