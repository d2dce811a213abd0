using System.Collections.Concurrent;
using MiniportTimers.Native.Interop;
using MiniportTimers.Ndis;

namespace MiniportTimers.Native.Ndis;

/// <summary>
/// The NDIS 6 data-path and request DDIs a native miniport calls (NdisMOidRequestComplete, NdisMSendNetBufferListsComplete,
/// NdisMIndicateReceiveNetBufferLists, NdisMIndicateStatusEx, I/O work items, NdisMSleep, NdisMDeregisterMiniportDriver),
/// as [UnmanagedCallersOnly] entry points over the flat C# DDIs (<see cref="NdisApi"/>). Nothing escapes to C.
/// </summary>
internal static unsafe class NdisDataExports
{
    /// <summary>The C NBLs the host sent, by address, with the NBL the host's caller submitted and the shim that made it.</summary>
    internal static readonly ConcurrentDictionary<nint, (NET_BUFFER_LIST Managed, NativeDriver Driver)> SendsInFlight = new();

    /// <summary>The C OID requests a miniport pended, by address.</summary>
    internal static readonly ConcurrentDictionary<nint, NativeOidRequest> PendingRequests = new();

    public static void Fill(MptDdiTable* t)
    {
        t->NdisMDeregisterMiniportDriver = &DeregisterMiniportDriver;
        t->NdisMOidRequestComplete = &OidRequestComplete;
        t->NdisMSendNetBufferListsComplete = &SendNetBufferListsComplete;
        t->NdisMIndicateReceiveNetBufferLists = &IndicateReceiveNetBufferLists;
        t->NdisMIndicateStatusEx = &IndicateStatusEx;
        t->NdisAllocateIoWorkItem = &AllocateIoWorkItem;
        t->NdisQueueIoWorkItem = &QueueIoWorkItem;
        t->NdisFreeIoWorkItem = &FreeIoWorkItem;
        t->NdisMSleep = &Sleep;
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void DeregisterMiniportDriver(nint driverHandle)
    {
        try
        {
            var handle = NativeNdisDriver.Handle(driverHandle) as NdisDriverHandle
                ?? throw new ArgumentException($"NdisMDeregisterMiniportDriver: 0x{driverHandle:X} is not the NdisMiniportDriverHandle NdisMRegisterMiniportDriver gave.", nameof(driverHandle));
            handle.Host.NdisMDeregisterMiniportDriver(handle);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMDeregisterMiniportDriver");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void OidRequestComplete(nint adapterHandle, nint request, int status)
    {
        try
        {
            var adapter = NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMOidRequestComplete");
            if (!PendingRequests.TryRemove(request, out var pending))
            {
                throw new ArgumentException($"NdisMOidRequestComplete: 0x{request:X} is not an NDIS_OID_REQUEST the miniport pended (completed twice, or never pended).", nameof(request));
            }

            pending.CopyBackAndFree();
            NdisApi.NdisMOidRequestComplete(adapter, pending.Managed, unchecked((uint)status));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMOidRequestComplete");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void SendNetBufferListsComplete(nint adapterHandle, nint netBufferLists, uint flags)
    {
        try
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
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMSendNetBufferListsComplete");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void IndicateReceiveNetBufferLists(nint adapterHandle, nint netBufferLists, uint portNumber, uint count, uint flags)
    {
        try
        {
            ArgumentOutOfRangeException.ThrowIfZero(netBufferLists);
            var adapter = NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMIndicateReceiveNetBufferLists");
            NET_BUFFER_LIST? first = null;
            NET_BUFFER_LIST? last = null;
            for (var nbl = netBufferLists; nbl != 0; nbl = NativeNblLayout.Next(nbl))
            {
                var managed = new NET_BUFFER_LIST { Tag = nbl };
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
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMIndicateReceiveNetBufferLists");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void IndicateStatusEx(nint adapterHandle, int statusCode)
    {
        try
        {
            NdisApi.NdisMIndicateStatusEx(NativeNdisObjects.RequireAdapter(adapterHandle, "NdisMIndicateStatusEx"), unchecked((uint)statusCode));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMIndicateStatusEx");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static nint AllocateIoWorkItem(nint ndisObjectHandle)
    {
        try
        {
            var owner = NativeNdisDriver.Handle(ndisObjectHandle)
                ?? throw new ArgumentException($"NdisAllocateIoWorkItem: 0x{ndisObjectHandle:X} is not an adapter or driver handle the host gave.", nameof(ndisObjectHandle));
            return NdisApi.NdisAllocateIoWorkItem(owner) is { } workItem ? NativeNdisObjects.AddIoWorkItem(workItem) : 0;
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisAllocateIoWorkItem");
            return 0;
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void QueueIoWorkItem(nint workItem, nint routine, nint context)
    {
        try
        {
            ArgumentOutOfRangeException.ThrowIfZero(routine);
            var callback = DdiGuard.RequireDriver("NdisQueueIoWorkItem").Callback(routine);
            NdisApi.NdisQueueIoWorkItem(WorkItem(workItem, "NdisQueueIoWorkItem"), callback.IoWorkItem, NativeCallback.Boxed(context));
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisQueueIoWorkItem");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void FreeIoWorkItem(nint workItem)
    {
        try
        {
            NdisApi.NdisFreeIoWorkItem(WorkItem(workItem, "NdisFreeIoWorkItem"));
            NativeNdisObjects.RemoveIoWorkItem(workItem);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisFreeIoWorkItem");
        }
    }

    [System.Runtime.InteropServices.UnmanagedCallersOnly]
    private static void Sleep(uint microseconds)
    {
        try
        {
            NdisApi.NdisMSleep(microseconds);
        }
        catch (Exception ex)
        {
            DdiGuard.Fail(ex, "NdisMSleep");
        }
    }

    private static NDIS_IO_WORKITEM WorkItem(nint handle, string routine) =>
        NativeNdisObjects.IoWorkItem(handle) ?? throw new ArgumentException($"{routine}: 0x{handle:X} is not a work item NdisAllocateIoWorkItem gave (or it was freed).", nameof(handle));
}
