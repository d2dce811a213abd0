using MiniportTimers.Engine;
using MiniportTimers.Hosting.Routines;
using MiniportTimers.Kernel;

namespace MiniportTimers.Ndis;

/// <summary>
/// The adapter's receive path and its NDIS 6 I/O work items. Indicated NBLs go to a protocol that keeps nothing: the host
/// counts them and hands them back through MiniportReturnNetBufferLists at DISPATCH_LEVEL after
/// <see cref="NdisHostOptions.ReceiveReturnDelayMicroseconds"/> (never from inside the indication, where the miniport may
/// hold its locks), unless NDIS_RECEIVE_FLAGS_RESOURCES says the miniport reclaims them when the indication returns.
/// </summary>
public sealed partial class NdisMiniportAdapter
{
    private long _receivedNetBufferLists;
    private long _returnedNetBufferLists;

    /// <summary>
    /// Raised for each NdisMIndicateReceiveNetBufferLists with the chain indicated (a native miniport's NBLs carry a copy
    /// of their first NET_BUFFER's data in <see cref="NET_BUFFER_LIST.Data"/>). Runs on the indicating thread, in the
    /// miniport's context (usually DISPATCH_LEVEL): handlers must be short and must not block.
    /// </summary>
    public event Action<NdisMiniportAdapter, NET_BUFFER_LIST>? NetBufferListsIndicated;

    /// <summary>NBLs the miniport indicated (NdisMIndicateReceiveNetBufferLists), counted one by one along each chain.</summary>
    public long ReceivedNetBufferLists => Interlocked.Read(ref _receivedNetBufferLists);

    /// <summary>NBLs the host has handed back through MiniportReturnNetBufferLists.</summary>
    public long ReturnedNetBufferLists => Interlocked.Read(ref _returnedNetBufferLists);

    internal void IndicateReceive(NET_BUFFER_LIST first, uint receiveFlags)
    {
        var count = 0;
        for (var nbl = first; nbl is not null; nbl = nbl.Next)
        {
            count++;
        }

        Interlocked.Add(ref _receivedNetBufferLists, count);
        NetBufferListsIndicated?.Invoke(this, first);
        Host.Record(new NdisCompletion(Name, "Receive", (uint)count, Host.Engine.NowNanoseconds, NdisRoutines.InTimerCallback));
        if ((receiveFlags & NdisApi.NDIS_RECEIVE_FLAGS_RESOURCES) != 0 || _handlers.ReturnNetBufferListsHandler is null)
        {
            return;
        }

        var engine = Host.Engine;
        var timer = engine.CreateTimer(static (t, in _) =>
        {
            var (adapter, nbls, n) = ((NdisMiniportAdapter, NET_BUFFER_LIST, int))t.State!;
            adapter.ReturnNetBufferLists(nbls, n);
        }, (this, first, count));
        var delay = Math.Clamp(Host.Options.ReceiveReturnDelayMicroseconds, 0, 10_000_000) * TimeUnits.NanosecondsPerMicrosecond;
        engine.Arm(timer, checked(engine.NowNanoseconds + delay));
    }

    private void ReturnNetBufferLists(NET_BUFFER_LIST first, int count)
    {
        if (State is NdisAdapterState.Halted or NdisAdapterState.Failed or NdisAdapterState.Faulted || _handlers.ReturnNetBufferListsHandler is not { } handler)
        {
            return;
        }

        Interlocked.Add(ref _returnedNetBufferLists, count);
        Run(NdisRoutines.Of(NdisRoutine.MiniportReturnNetBufferLists), KIRQL.DISPATCH_LEVEL, () => handler(Context, first, NdisApi.NDIS_RETURN_FLAGS_DISPATCH_LEVEL));
    }

    /// <summary>Queues <paramref name="workItem"/> to run soon on the engine's dispatcher (NdisQueueIoWorkItem).</summary>
    internal void QueueIoWorkItem(NDIS_IO_WORKITEM workItem)
    {
        var engine = Host.Engine;
        workItem.Queue ??= engine.CreateTimer(static (t, in _) =>
        {
            var w = (NDIS_IO_WORKITEM)t.State!;
            w.Adapter.RunIoWorkItem(w);
        }, workItem);
        engine.Arm(workItem.Queue, engine.NowNanoseconds);
    }

    private void RunIoWorkItem(NDIS_IO_WORKITEM workItem)
    {
        var routine = workItem.Routine;
        var context = workItem.Context;
        workItem.MarkStarted();
        if (IsLive && routine is not null)
        {
            Run(NdisRoutines.Of(NdisRoutine.WorkItem), KIRQL.PASSIVE_LEVEL, RoutineLocks.None, (workItem, routine, context), static (in s) => s.routine(s.context, s.workItem));
        }
    }
}
