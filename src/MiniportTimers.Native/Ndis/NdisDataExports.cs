using System.Collections.Concurrent;
using MiniportTimers.Native.Interop;
using MiniportTimers.Ndis;

namespace MiniportTimers.Native.Ndis;

/// <summary>
/// The NDIS 6 data-path and request DDIs a native miniport calls (NdisMOidRequestComplete, NdisMSendNetBufferListsComplete,
/// NdisMIndicateReceiveNetBufferLists, NdisMIndicateStatusEx, I/O work items, NdisMSleep, NdisMDeregisterMiniportDriver),
/// as [UnmanagedCallersOnly] entry points over the flat C# DDIs (<see cref="NdisApi"/>). Nothing escapes to C.
/// </summary>
internal static unsafe partial class NdisDataExports
{
    /// <summary>The C NBLs the host sent, by address, with the NBL the host's caller submitted and the shim that made it.</summary>
    internal static readonly ConcurrentDictionary<nint, (NET_BUFFER_LIST Managed, NativeDriver Driver, NdisMiniportAdapter? Adapter)> SendsInFlight = new();

    /// <summary>The C OID requests a miniport pended, by address.</summary>
    internal static readonly ConcurrentDictionary<nint, NativeOidRequest> PendingRequests = new();

    /// <summary>
    /// Drops the sends and OID requests <paramref name="adapter"/> never completed, once it is released (NDIS would not
    /// halt it with any outstanding; a miniport that left some has a bug), and frees their native memory: a later
    /// completion with the adapter's handle is refused for the stale handle before the memory is read.
    /// </summary>
    internal static void ForgetAdapter(NdisMiniportAdapter adapter)
    {
        var sends = new List<(nint Nbl, NativeDriver Driver)>();
        foreach (var send in SendsInFlight)
        {
            if (ReferenceEquals(send.Value.Adapter, adapter) && SendsInFlight.TryRemove(send.Key, out var sent))
            {
                sends.Add((send.Key, sent.Driver));
            }
        }

        var requests = new List<NativeOidRequest>();
        foreach (var request in PendingRequests)
        {
            if (ReferenceEquals(request.Value.Adapter, adapter) && PendingRequests.TryRemove(request.Key, out var pending))
            {
                requests.Add(pending);
            }
        }

        if (sends.Count + requests.Count == 0)
        {
            return;
        }

        adapter.Host.Engine.FlushDispatched(); // a C callback already dispatched may still hold them (real clock)
        sends.ForEach(s => s.Driver.Shim.FreeSendNetBufferList(s.Nbl));
        requests.ForEach(r => r.Free());
    }

    /// <summary>NDIS_STATUS_INDICATION.StatusCode: after the header (4), SourceHandle (8 at 8) and PortNumber (4 at 16).</summary>
    private const int NdisStatusIndicationStatusCodeOffset = 20;

    private static void NdisMDeregisterMiniportDriver(nint driverHandle)
    {
        var handle = NativeNdisDriver.Handle(driverHandle) as NdisDriverHandle
            ?? throw new ArgumentException($"NdisMDeregisterMiniportDriver: 0x{driverHandle:X} is not the NdisMiniportDriverHandle NdisMRegisterMiniportDriver gave.", nameof(driverHandle));
        handle.Host.NdisMDeregisterMiniportDriver(handle);
    }

    private static void NdisMOidRequestComplete(nint adapterHandle, nint request, int status)
    {
        var adapter = NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMOidRequestComplete");
        if (!PendingRequests.TryRemove(request, out var pending))
        {
            throw new ArgumentException($"NdisMOidRequestComplete: 0x{request:X} is not an NDIS_OID_REQUEST the miniport pended (completed twice, or never pended).", nameof(request));
        }

        pending.CopyBackAndFree();
        NdisApi.NdisMOidRequestComplete(adapter, pending.Managed, unchecked((uint)status));
    }

    private static void NdisMSendNetBufferListsComplete(nint adapterHandle, nint netBufferLists, uint flags)
    {
        var adapter = NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMSendNetBufferListsComplete");
        for (var nbl = netBufferLists; nbl != 0;)
        {
            var next = NativeNblLayout.Next(nbl);
            if (!SendsInFlight.TryRemove(nbl, out var sent))
            {
                throw new ArgumentException($"NdisMSendNetBufferListsComplete: 0x{nbl:X} is not a NET_BUFFER_LIST the host sent (completed twice, or never sent).", nameof(netBufferLists));
            }

            sent.Managed.Status = NativeNblLayout.Status(nbl);
            sent.Driver.Shim.FreeSendNetBufferList(nbl);
            NdisApi.NdisMSendNetBufferListsComplete(adapter, sent.Managed);
            nbl = next;
        }
    }

    private static void NdisMIndicateReceiveNetBufferLists(nint adapterHandle, nint netBufferLists, uint portNumber, uint count, uint flags)
    {
        ArgumentOutOfRangeException.ThrowIfZero(netBufferLists);
        var adapter = NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMIndicateReceiveNetBufferLists");
        NET_BUFFER_LIST? first = null;
        NET_BUFFER_LIST? last = null;
        for (var nbl = netBufferLists; nbl != 0; nbl = NativeNblLayout.Next(nbl))
        {
            var managed = new NET_BUFFER_LIST { Tag = nbl, Data = NativeNblLayout.FirstFrame(nbl) };
            if (last is null)
            {
                first = managed;
            }
            else
            {
                last.Next = managed;
            }

            last = managed;
        }

        NdisApi.NdisMIndicateReceiveNetBufferLists(adapter, first!, portNumber, count, flags);
    }

    private static void NdisMIndicateStatusEx(nint adapterHandle, nint statusIndication)
    {
        var adapter = NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMIndicateStatusEx");
        var statusCode = statusIndication == 0 ? NdisApi.NDIS_STATUS_INVALID_PARAMETER : *(uint*)(statusIndication + NdisStatusIndicationStatusCodeOffset);
        NdisApi.NdisMIndicateStatusEx(adapter, statusCode);
    }

    private static nint NdisAllocateIoWorkItem(nint ndisObjectHandle)
    {
        var owner = NativeNdisDriver.Handle(ndisObjectHandle)
            ?? throw new ArgumentException($"NdisAllocateIoWorkItem: 0x{ndisObjectHandle:X} is not an adapter or driver handle the host gave.", nameof(ndisObjectHandle));
        return NdisApi.NdisAllocateIoWorkItem(owner) is { } workItem ? NativeNdisObjects.AddIoWorkItem(workItem) : 0;
    }

    private static void NdisQueueIoWorkItem(nint workItem, nint routine, nint context)
    {
        ArgumentOutOfRangeException.ThrowIfZero(routine);
        var callback = DdiGuard.RequireDriver("NdisQueueIoWorkItem").Callback(routine);
        NdisApi.NdisQueueIoWorkItem(WorkItem(workItem, "NdisQueueIoWorkItem"), callback.IoWorkItem, NativeCallback.Boxed(context));
    }

    private static void NdisFreeIoWorkItem(nint workItem)
    {
        NdisApi.NdisFreeIoWorkItem(WorkItem(workItem, "NdisFreeIoWorkItem"));
        NativeNdisObjects.IoWorkItems.Remove(workItem);
    }

    private static void NdisMSleep(uint microseconds)
    {
        NdisApi.NdisMSleep(microseconds);
    }

    private static NDIS_IO_WORKITEM WorkItem(nint handle, string routine) =>
        NativeNdisObjects.IoWorkItems.Get(handle) ?? throw new ArgumentException($"{routine}: 0x{handle:X} is not a work item NdisAllocateIoWorkItem gave (or it was freed).", nameof(handle));
}
