using MiniportTimers.Ndis;

namespace MiniportTimers.Samples.Netvmini;

/// <summary>What netvmini's MiniportAdapterContext holds for the timer paths (MP_ADAPTER, reduced).</summary>
public sealed class NetvminiAdapter
{
    internal NetvminiAdapter(NdisMiniportAdapter handle) => Handle = handle;

    /// <summary>The MiniportAdapterHandle.</summary>
    public NdisMiniportAdapter Handle { get; }

    /// <summary>Completes sends; set with a due time of 0 after programming sends.</summary>
    public NdisTimerObject? SendCompleteTimer { get; internal set; }

    /// <summary>Re-checks every 100 ms whether a pended pause or reset can complete.</summary>
    public NdisTimerObject? AsyncBusyCheckTimer { get; internal set; }

    /// <summary>Sends handed to the miniport and not yet completed (under <see cref="SendQueueLock"/>).</summary>
    internal Queue<NET_BUFFER_LIST> SendQueue { get; } = new();

    /// <summary>
    /// The send queue's lock (netvmini's send-path spin lock). The miniport is deserialized: MiniportSendNetBufferLists,
    /// the send-complete timer's callback and the datapath stop of a pause (PASSIVE_LEVEL, a worker thread) can run on
    /// different processors at once.
    /// </summary>
    internal NDIS_SPIN_LOCK SendQueueLock { get; } = NewLock();

    private static NDIS_SPIN_LOCK NewLock()
    {
        NdisApi.NdisAllocateSpinLock(out var spinLock);
        return spinLock;
    }

    /// <summary>The simulated NIC is busy (DMA in flight) until this engine time, ns.</summary>
    internal long HardwareBusyUntilNanoseconds { get; set; }

    /// <summary>How many times the busy check has re-armed for the pending operation.</summary>
    internal int AsyncBusyCheckCount { get; set; }

    /// <summary>"Pause", "Reset" or null.</summary>
    internal string? PendingOperation { get; set; }

    /// <summary>Sends aborted by a pause or reset.</summary>
    public long SendsAborted { get; internal set; }
}
