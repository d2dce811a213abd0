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

    /// <summary>
    /// The adapter's lock (MP_ADAPTER's Lock and SendLock in one): guards <see cref="LinkDetection"/>, the held requests
    /// and the queued sends. The miniport is deserialized: a send or an OID request can run on another processor than
    /// the link detection callback (a real-clock engine with several dispatchers, a protocol's thread), so the check of
    /// the flag and the queueing must be one step against the callback's clear-and-drain.
    /// </summary>
    internal NDIS_SPIN_LOCK Lock { get; } = NewLock();

    /// <summary>fMP_ADAPTER_LINK_DETECTION: while set, OID requests and resets are held pending and sends queued (under <see cref="Lock"/>).</summary>
    public bool LinkDetection { get; internal set; }

    /// <summary>The adapter's reference count (one own reference, one held by link detection).</summary>
    public int RefCount
    {
        get => Volatile.Read(ref _refCount);
        internal set => Volatile.Write(ref _refCount, value);
    }

    private int _refCount;

    /// <summary>Drops one reference (MP_DEC_REF, NdisInterlockedDecrement: Halt and the callback may drop theirs on two processors); returns the count left.</summary>
    internal int ReleaseReference() => Interlocked.Decrement(ref _refCount);

    /// <summary>When the simulated PHY finishes auto-negotiation, engine ns.</summary>
    public long NegotiationDoneAtNanoseconds { get; }

    internal uint? QueryPending { get; set; }

    internal uint? SetPending { get; set; }

    internal bool ResetPending { get; set; }

    internal Queue<NET_BUFFER_LIST> QueuedSends { get; } = new();

    private static NDIS_SPIN_LOCK NewLock()
    {
        NdisApi.NdisAllocateSpinLock(out var spinLock);
        return spinLock;
    }

    /// <summary>Link detection callbacks run.</summary>
    public long DetectionPolls { get; internal set; }
}
