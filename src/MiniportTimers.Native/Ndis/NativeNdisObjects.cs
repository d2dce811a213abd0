using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using MiniportTimers.Ndis;

namespace MiniportTimers.Native.Ndis;

/// <summary>
/// What a native NDIS miniport's handles and storage stand for on the host: adapter handles (ids the host hands out for
/// each <see cref="NdisMiniportAdapter"/>), NDIS_MINIPORT_TIMER storage, timer-object handles, and the way back from a
/// host timer to the native value its routine receives as SystemSpecific1. Process-wide; thread-safe.
/// </summary>
internal static class NativeNdisObjects
{
    private static readonly ConcurrentDictionary<nint, NdisMiniportAdapter> Adapters = new();
    private static readonly ConditionalWeakTable<NdisMiniportAdapter, StrongBox<nint>> AdapterHandles = new();
    private static readonly ConcurrentDictionary<nint, NdisTimerObject> TimerObjects = new();
    private static readonly ConditionalWeakTable<object, StrongBox<nint>> NativeTimers = new();
    private static long s_next;

    /// <summary>The handle the native driver sees for <paramref name="adapter"/>, made on first use.</summary>
    public static nint AdapterHandle(NdisMiniportAdapter adapter) =>
        AdapterHandles.GetValue(adapter, static a =>
        {
            var handle = NewId(0x4E49_0000_0000);
            Adapters[handle] = a;
            return new StrongBox<nint>(handle);
        }).Value;

    /// <summary>The adapter a MiniportAdapterHandle names, for <paramref name="routine"/>.</summary>
    /// <exception cref="ArgumentException">The handle is not one the host gave.</exception>
    public static NdisMiniportAdapter RequireAdapter(nint handle, string routine) =>
        Adapter(handle) ?? throw new ArgumentException($"{routine}: 0x{handle:X} is not a MiniportAdapterHandle the host gave this driver.", nameof(handle));

    public static NdisMiniportAdapter? Adapter(nint handle) => handle != 0 && Adapters.TryGetValue(handle, out var a) ? a : null;

    /// <summary>The host's NDIS_MINIPORT_TIMER for <paramref name="driver"/>'s storage at <paramref name="storage"/>, made on first use.</summary>
    public static NDIS_MINIPORT_TIMER Ndis5Timer(NativeDriver driver, nint storage) =>
        driver.Storage(storage, static s =>
        {
            var timer = new NDIS_MINIPORT_TIMER();
            NativeTimers.AddOrUpdate(timer, new StrongBox<nint>(s));
            return timer;
        });

    public static nint AddTimerObject(NdisTimerObject timerObject)
    {
        var handle = NewId(0x544F_0000_0000);
        TimerObjects[handle] = timerObject;
        NativeTimers.AddOrUpdate(timerObject, new StrongBox<nint>(handle));
        return handle;
    }

    public static NdisTimerObject? TimerObject(nint handle) => handle != 0 && TimerObjects.TryGetValue(handle, out var t) ? t : null;

    public static nint AddInterrupt(NdisInterrupt interrupt)
    {
        var handle = NewId(0x494E_0000_0000);
        Interrupts[handle] = interrupt;
        return handle;
    }

    public static NdisInterrupt? Interrupt(nint handle) => handle != 0 && Interrupts.TryGetValue(handle, out var i) ? i : null;

    private static readonly ConcurrentDictionary<nint, NdisInterrupt> Interrupts = new();

    private static readonly ConcurrentDictionary<nint, NDIS_IO_WORKITEM> IoWorkItems = new();
    private static readonly ConditionalWeakTable<NDIS_IO_WORKITEM, StrongBox<nint>> IoWorkItemHandles = new();

    /// <summary>The handle C sees for an I/O work item (one per work item; 0 for one C never saw).</summary>
    public static nint IoWorkItemHandle(NDIS_IO_WORKITEM workItem) => IoWorkItemHandles.TryGetValue(workItem, out var box) ? box.Value : 0;

    public static nint AddIoWorkItem(NDIS_IO_WORKITEM workItem)
    {
        var handle = NewId(0x4E57_0000_0000);
        IoWorkItems[handle] = workItem;
        IoWorkItemHandles.AddOrUpdate(workItem, new StrongBox<nint>(handle));
        return handle;
    }

    public static NDIS_IO_WORKITEM? IoWorkItem(nint handle) => handle != 0 && IoWorkItems.TryGetValue(handle, out var w) ? w : null;

    /// <summary>Forgets a freed work item's handle: a later use of it is then an unknown handle.</summary>
    public static void RemoveIoWorkItem(nint handle) => IoWorkItems.TryRemove(handle, out _);


    /// <summary>The native value (storage address or handle) of a host timer: SystemSpecific1 of its routine.</summary>
    public static nint NativeTimer(object hostTimer) => NativeTimers.TryGetValue(hostTimer, out var box) ? box.Value : 0;

    private static nint NewId(long prefix) => (nint)(prefix + (Interlocked.Increment(ref s_next) * 16));
}
