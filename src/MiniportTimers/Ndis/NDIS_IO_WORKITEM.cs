using MiniportTimers.Engine;

namespace MiniportTimers.Ndis;

/// <summary>
/// An NDIS I/O work item (NdisAllocateIoWorkItem): queued with <see cref="NdisApi.NdisQueueIoWorkItem"/>, its routine
/// runs once at PASSIVE_LEVEL on the host's dispatcher, soon; freed with <see cref="NdisApi.NdisFreeIoWorkItem"/>.
/// </summary>
/// <remarks>Thread-safe. Queuing it while it is queued, or freeing it then, is a bug check (0xE4, WORKER_INVALID).</remarks>
public sealed class NDIS_IO_WORKITEM
{
    private int _queued;

    internal NDIS_IO_WORKITEM(NdisMiniportAdapter adapter) => Adapter = adapter;

    /// <summary>The adapter whose routine runs it.</summary>
    public NdisMiniportAdapter Adapter { get; }

    /// <summary>True from NdisQueueIoWorkItem until its routine starts.</summary>
    public bool IsQueued => Volatile.Read(ref _queued) != 0;

    /// <summary>True once NdisFreeIoWorkItem freed it.</summary>
    public bool IsFreed { get; internal set; }

    internal NDIS_IO_WORKITEM_FUNCTION? Routine { get; set; }

    internal object? Context { get; set; }

    internal EngineTimer? Queue { get; set; }

    internal bool TryMarkQueued() => Interlocked.Exchange(ref _queued, 1) == 0;

    internal void MarkStarted() => Volatile.Write(ref _queued, 0);
}
