using MiniportTimers.Ndis;

namespace MiniportTimers.Samples.E100bex;

/// <summary>What e100bex's MP_ADAPTER holds for deferred link detection (real-drivers.md N6).</summary>
public sealed class E100Adapter
{
    internal E100Adapter(NdisMiniportAdapter handle, long negotiationDoneAtNanoseconds)
    {
        Handle = handle;
        NegotiationDoneAtNanoseconds = negotiationDoneAtNanoseconds;
    }

    /// <summary>The MiniportAdapterHandle.</summary>
    public NdisMiniportAdapter Handle { get; }

    /// <summary>The 100 ms link detection timer.</summary>
    public NDIS_MINIPORT_TIMER LinkDetectionTimer { get; } = new();

    /// <summary>Signalled when the reference count drops to 0; Halt waits on it.</summary>
    public NDIS_EVENT ExitEvent { get; } = new();

    /// <summary>fMP_ADAPTER_LINK_DETECTION: while set, OID requests and resets are held pending and sends queued.</summary>
    public bool LinkDetection { get; internal set; }

    /// <summary>The adapter's reference count (one own reference, one held by link detection).</summary>
    public int RefCount { get; internal set; }

    /// <summary>When the simulated PHY finishes auto-negotiation, engine ns.</summary>
    public long NegotiationDoneAtNanoseconds { get; }

    internal uint? QueryPending { get; set; }

    internal uint? SetPending { get; set; }

    internal bool ResetPending { get; set; }

    internal Queue<NET_BUFFER_LIST> QueuedSends { get; } = new();

    /// <summary>Link detection callbacks run.</summary>
    public long DetectionPolls { get; internal set; }
}
