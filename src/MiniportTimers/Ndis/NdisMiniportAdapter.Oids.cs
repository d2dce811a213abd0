using MiniportTimers.Hosting.Routines;
using MiniportTimers.Kernel;

namespace MiniportTimers.Ndis;

/// <summary>
/// The adapter's OID requests: NDIS delivers one at a time (NDIS 5's MiniportQueryInformation / MiniportSetInformation
/// and NDIS 6's MiniportOidRequest alike) and queues the others until the outstanding one completes.
/// </summary>
public sealed partial class NdisMiniportAdapter
{
    /// <summary>Requests waiting for the outstanding one to complete.</summary>
    private readonly Queue<OidCall> _oidQueue = new();
    private bool _oidOutstanding;
    private NDIS_OID_REQUEST? _outstandingRequest;

    /// <summary>One OID request as the host delivers it: the routine, its IRQL, the call, and how its completion is recorded.</summary>
    private sealed record OidCall(HostedRoutine Routine, KIRQL Irql, Func<object, uint> Call, string CompletionKind, NDIS_OID_REQUEST? Request);

    /// <summary>
    /// Calls MiniportQueryInformation at DISPATCH_LEVEL. NDIS_STATUS_PENDING: a completion follows. As NDIS 5 does, only
    /// one request is outstanding at a time: a request made meanwhile is queued (PENDING) and delivered when the
    /// outstanding one completes; the host then records its completion.
    /// </summary>
    public uint QueryInformation(uint oid) =>
        _handlers.QueryInformationHandler is { } h
            ? Oid(new OidCall(NdisRoutines.Of(NdisRoutine.MiniportQueryInformation), KIRQL.DISPATCH_LEVEL, c => h(c, oid), "QueryInformationComplete", null))
            : NotSupportedUnlessLive();

    /// <summary>Calls MiniportSetInformation at DISPATCH_LEVEL, serialized like <see cref="QueryInformation"/>.</summary>
    public uint SetInformation(uint oid) =>
        _handlers.SetInformationHandler is { } h
            ? Oid(new OidCall(NdisRoutines.Of(NdisRoutine.MiniportSetInformation), KIRQL.DISPATCH_LEVEL, c => h(c, oid), "SetInformationComplete", null))
            : NotSupportedUnlessLive();

    /// <summary>
    /// Hands <paramref name="request"/> to MiniportOidRequest (NDIS 6) at PASSIVE_LEVEL, serialized like
    /// <see cref="QueryInformation"/>: one request outstanding at a time. The request's <see cref="NDIS_OID_REQUEST.Status"/>
    /// is set when it completes: at once, or at NdisMOidRequestComplete after NDIS_STATUS_PENDING.
    /// </summary>
    /// <returns>What the miniport returned; NDIS_STATUS_PENDING when it pended or the request was queued;
    /// NDIS_STATUS_NOT_SUPPORTED without a handler; NDIS_STATUS_FAILURE when the adapter is not live.</returns>
    /// <remarks>IRQL: PASSIVE_LEVEL. Thread-safe.</remarks>
    public uint OidRequest(NDIS_OID_REQUEST request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _handlers.OidRequestHandler is { } h
            ? Oid(new OidCall(NdisRoutines.Of(NdisRoutine.MiniportOidRequest), KIRQL.PASSIVE_LEVEL, c => h(c, request), "OidRequestComplete", request))
            : NotSupportedUnlessLive();
    }

    private uint NotSupportedUnlessLive() => IsLive ? NdisApi.NDIS_STATUS_NOT_SUPPORTED : NdisApi.NDIS_STATUS_FAILURE;

    private uint Oid(OidCall call)
    {
        if (!IsLive)
        {
            return NdisApi.NDIS_STATUS_FAILURE;
        }

        lock (_gate)
        {
            if (_oidOutstanding)
            {
                _oidQueue.Enqueue(call);
                return NdisApi.NDIS_STATUS_PENDING;
            }

            _oidOutstanding = true;
        }

        return DeliverOid(call, recordCompletion: false);
    }

    /// <summary>Hands one request to the miniport; unless it pends, the next queued one follows.</summary>
    private uint DeliverOid(OidCall call, bool recordCompletion)
    {
        var status = NdisApi.NDIS_STATUS_FAILURE;
        lock (_gate)
        {
            _outstandingRequest = call.Request;
        }

        Run(call.Routine, call.Irql, () => status = call.Call(Context));
        if (status != NdisApi.NDIS_STATUS_PENDING)
        {
            call.Request?.Status = status;
            if (recordCompletion)
            {
                Host.Record(new NdisCompletion(Name, call.CompletionKind, status, Host.Engine.NowNanoseconds, NdisRoutines.InTimerCallback));
            }

            CompleteOid();
        }

        return status;
    }

    /// <summary>NdisMOidRequestComplete: the outstanding NDIS 6 request completed with <paramref name="status"/>.</summary>
    /// <returns>False when <paramref name="request"/> is not the outstanding request (the caller reports the misuse).</returns>
    internal bool CompleteOidRequest(NDIS_OID_REQUEST request, uint status)
    {
        lock (_gate)
        {
            if (!_oidOutstanding || !ReferenceEquals(_outstandingRequest, request))
            {
                return false;
            }
        }

        request.Status = status;
        CompleteOid();
        return true;
    }

    /// <summary>The outstanding request completed: deliver the next queued one, recording its completion if it does not pend.</summary>
    internal void CompleteOid()
    {
        OidCall? next;
        lock (_gate)
        {
            _outstandingRequest = null;
            if (!_oidQueue.TryDequeue(out next))
            {
                _oidOutstanding = false;
                return;
            }
        }

        DeliverOid(next, recordCompletion: true);
    }
}
