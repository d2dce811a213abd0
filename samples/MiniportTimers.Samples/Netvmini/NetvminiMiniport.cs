using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Samples.Netvmini;

/// <summary>
/// A netvmini-style NDIS 6 miniport (real-drivers.md N1): two timer objects allocated with the NdisDriverHandle; pause
/// and reset finish asynchronously, re-checking every 100 ms up to 20 times and completing from the timer callback; the
/// send-complete timer is set with a due time of 0, which must fire promptly.
/// </summary>
public static class NetvminiMiniport
{
    /// <summary>The busy re-check interval, 100 ns units (negative: relative): 100 ms.</summary>
    public const long AsyncBusyCheckDue100ns = -1_000_000;

    /// <summary>Re-checks before a pended operation gives up.</summary>
    public const int MaxAsyncBusyChecks = 20;

    /// <summary>Sends completed per run of the send-complete timer; more re-arms it.</summary>
    public const int SendCompleteBudget = 16;

    /// <summary>The characteristics; <paramref name="driverHandle"/> supplies the NdisDriverHandle the timers are allocated with.</summary>
    public static NDIS_MINIPORT_DRIVER_CHARACTERISTICS Create(Func<NdisDriverHandle> driverHandle) => new()
    {
        InitializeHandlerEx = (handle, _) => Initialize(handle, driverHandle()),
        HaltHandlerEx = ctx => Halt((NetvminiAdapter)ctx),
        PauseHandler = ctx => Pause((NetvminiAdapter)ctx),
        RestartHandler = _ => NDIS_STATUS_SUCCESS,
        ResetHandlerEx = (object ctx, out bool addressingReset) =>
        {
            addressingReset = false;
            return Reset((NetvminiAdapter)ctx);
        },
        SendNetBufferListsHandler = (ctx, nbl) => Send((NetvminiAdapter)ctx, nbl),
    };

    /// <summary>Makes the simulated NIC busy for <paramref name="busyNanoseconds"/> from now (a DMA burst).</summary>
    public static void HardwareBurst(NetvminiAdapter adapter, long busyNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        adapter.HardwareBusyUntilNanoseconds = Math.Max(adapter.HardwareBusyUntilNanoseconds, adapter.Handle.Host.Engine.NowNanoseconds + busyNanoseconds);
    }

    private static bool IsBusy(NetvminiAdapter a) => a.Handle.Host.Engine.NowNanoseconds < a.HardwareBusyUntilNanoseconds;

    /// <summary>NICAllocAdapter: both timers with the driver handle, each allocation checked.</summary>
    private static uint Initialize(NdisMiniportAdapter handle, NdisDriverHandle driver)
    {
        var adapter = new NetvminiAdapter(handle);
        NdisMSetMiniportAttributes(handle, adapter);
        var status = NdisAllocateTimerObject(driver, NDIS_TIMER_CHARACTERISTICS.For(SendCompleteTimerDpc, adapter), out var sendComplete);
        if (status != NDIS_STATUS_SUCCESS)
        {
            return status;
        }

        status = NdisAllocateTimerObject(driver, NDIS_TIMER_CHARACTERISTICS.For(AsyncBusyCheckTimerDpc, adapter), out var busyCheck);
        if (status != NDIS_STATUS_SUCCESS)
        {
            NdisFreeTimerObject(sendComplete!);
            return status;
        }

        adapter.SendCompleteTimer = sendComplete;
        adapter.AsyncBusyCheckTimer = busyCheck;
        return NDIS_STATUS_SUCCESS;
    }

    private static void Send(NetvminiAdapter adapter, NET_BUFFER_LIST nbl)
    {
        NdisAcquireSpinLock(adapter.SendQueueLock);
        adapter.SendQueue.Enqueue(nbl);
        NdisReleaseSpinLock(adapter.SendQueueLock);
        NdisSetTimerObject(adapter.SendCompleteTimer!, 0, 0, null); // due time 0: fire at once (A15)
    }

    /// <summary>The send-complete timer: completes a budget of sends and sets itself again if more remain.</summary>
    private static void SendCompleteTimerDpc(object systemSpecific1, object? functionContext, nuint systemSpecific2, nuint systemSpecific3)
    {
        var adapter = (NetvminiAdapter)functionContext!;
        var (sends, more) = TakeSends(adapter, SendCompleteBudget);
        foreach (var nbl in sends)
        {
            nbl.Status = NDIS_STATUS_SUCCESS;
            NdisMSendNetBufferListsComplete(adapter.Handle, nbl);
        }

        if (more)
        {
            NdisSetTimerObject(adapter.SendCompleteTimer!, 0, 0, null);
        }
    }

    /// <summary>Takes up to <paramref name="budget"/> queued sends under the queue's lock (they are completed outside it);
    /// <c>More</c>: sends are still queued.</summary>
    private static (List<NET_BUFFER_LIST> Sends, bool More) TakeSends(NetvminiAdapter adapter, int budget)
    {
        var sends = new List<NET_BUFFER_LIST>(Math.Min(budget, 64));
        NdisAcquireSpinLock(adapter.SendQueueLock);
        while (sends.Count < budget && adapter.SendQueue.TryDequeue(out var nbl))
        {
            sends.Add(nbl);
        }

        var more = adapter.SendQueue.Count > 0;
        NdisReleaseSpinLock(adapter.SendQueueLock);
        return (sends, more);
    }

    /// <summary>NICStopTheDatapath: cancel both timers, flush DPCs, return the sends still queued.</summary>
    private static void StopTheDatapath(NetvminiAdapter adapter)
    {
        NdisCancelTimerObject(adapter.SendCompleteTimer!);
        NdisCancelTimerObject(adapter.AsyncBusyCheckTimer!);
        if (Ke.KeGetCurrentIrql() == KIRQL.PASSIVE_LEVEL)
        {
            Ke.KeFlushQueuedDpcs();
        }

        foreach (var nbl in TakeSends(adapter, int.MaxValue).Sends)
        {
            nbl.Status = NDIS_STATUS_FAILURE;
            adapter.SendsAborted++;
            NdisMSendNetBufferListsComplete(adapter.Handle, nbl);
        }
    }

    private static uint Pause(NetvminiAdapter adapter)
    {
        StopTheDatapath(adapter);
        return PendIfBusy(adapter, "Pause");
    }

    private static uint Reset(NetvminiAdapter adapter)
    {
        StopTheDatapath(adapter);
        return PendIfBusy(adapter, "Reset");
    }

    private static uint PendIfBusy(NetvminiAdapter adapter, string operation)
    {
        if (!IsBusy(adapter))
        {
            return NDIS_STATUS_SUCCESS;
        }

        adapter.AsyncBusyCheckCount = 0;
        adapter.PendingOperation = operation;
        NdisSetTimerObject(adapter.AsyncBusyCheckTimer!, AsyncBusyCheckDue100ns, 0, null);
        return NDIS_STATUS_PENDING;
    }

    /// <summary>The busy check: again in 100 ms while busy (at most 20 times), else complete the pended operation from here.</summary>
    private static void AsyncBusyCheckTimerDpc(object systemSpecific1, object? functionContext, nuint systemSpecific2, nuint systemSpecific3)
    {
        var adapter = (NetvminiAdapter)functionContext!;
        var busy = IsBusy(adapter);
        if (busy && ++adapter.AsyncBusyCheckCount <= MaxAsyncBusyChecks)
        {
            NdisSetTimerObject(adapter.AsyncBusyCheckTimer!, AsyncBusyCheckDue100ns, 0, null);
            return;
        }

        var operation = adapter.PendingOperation;
        adapter.PendingOperation = null;
        if (operation == "Pause")
        {
            NdisMPauseComplete(adapter.Handle);
        }
        else if (operation == "Reset")
        {
            NdisMResetComplete(adapter.Handle, busy ? NDIS_STATUS_FAILURE : NDIS_STATUS_SUCCESS, false);
        }
    }

    /// <summary>MiniportHaltEx: stop the datapath, then free both timers.</summary>
    private static void Halt(NetvminiAdapter adapter)
    {
        StopTheDatapath(adapter);
        NdisFreeTimerObject(adapter.SendCompleteTimer!);
        NdisFreeTimerObject(adapter.AsyncBusyCheckTimer!);
    }

    /// <summary>Engine milliseconds, for readers of the sample.</summary>
    internal static long Ms(long ms) => ms * TimeUnits.NanosecondsPerMillisecond;
}
