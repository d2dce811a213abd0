using System.Runtime.CompilerServices;
using MiniportTimers.Native.Interop;
using MiniportTimers.Ndis;

namespace MiniportTimers.Native.Ndis;

/// <summary>
/// What a native NDIS miniport's handles and storage stand for on the host: adapter handles, NDIS_MINIPORT_TIMER
/// storage, timer-object, interrupt and I/O work-item handles (each a generation-tagged <see cref="NativeHandleTable{T}"/>),
/// and the way back from a host timer to the native value its routine receives as SystemSpecific1. Process-wide;
/// thread-safe.
/// </summary>
internal static class NativeNdisObjects
{
    /// <summary>MiniportAdapterHandles ('A').</summary>
    public static readonly NativeHandleTable<NdisMiniportAdapter> Adapters = new((byte)'A');

    /// <summary>NDIS 6 timer objects ('T'); a freed one leaves its host as the tombstone.</summary>
    public static readonly NativeHandleTable<NdisTimerObject> TimerObjects = new((byte)'T');

    /// <summary>NdisMRegisterInterruptEx handles ('I').</summary>
    public static readonly NativeHandleTable<NdisInterrupt> Interrupts = new((byte)'I');

    /// <summary>NdisAllocateIoWorkItem handles ('W').</summary>
    public static readonly NativeHandleTable<NDIS_IO_WORKITEM> IoWorkItems = new((byte)'W');

    private static readonly ConditionalWeakTable<object, StrongBox<nint>> HandlesOf = new();

    /// <summary>The handle the native driver sees for <paramref name="adapter"/>, made on first use.</summary>
    public static nint AdapterHandle(NdisMiniportAdapter adapter) =>
        HandlesOf.GetValue(adapter, static a => new StrongBox<nint>(Adapters.Add((NdisMiniportAdapter)a))).Value;

    /// <summary>
    /// Frees a released (halted, or failed to initialize) adapter's handle: a later use of it is a stale handle (the clear
    /// error of <see cref="RequireAdapter"/>), and the table does not keep the adapter alive. The adapter keeps its
    /// handle value (a weak mapping), so <see cref="AdapterHandle"/> gives the same stale handle, never a new live one.
    /// </summary>
    public static void RemoveAdapter(NdisMiniportAdapter adapter)
    {
        if (HandlesOf.TryGetValue(adapter, out var box))
        {
            Adapters.Remove(box.Value);
        }
    }

    /// <summary>
    /// What a freed timer object's slot keeps to answer a later use of its handle: a weak reference to its host (one per
    /// host), so a freed handle does not keep the host, its engine and its records alive (issue 21 §4).
    /// </summary>
    public static object Tombstone(NdisHost host) => HostTombstones.GetValue(host, static h => new WeakReference<NdisHost>((NdisHost)h));

    /// <summary>
    /// The host whose verifier setting answers a use of a freed handle with <paramref name="tombstone"/>: the one that
    /// freed it, or, when that host is gone, the host of the driver whose C code is calling.
    /// </summary>
    public static NdisHost? HostOf(object? tombstone) =>
        tombstone is WeakReference<NdisHost> weak && weak.TryGetTarget(out var host) ? host : (DdiGuard.CurrentDriver as NativeNdisDriver)?.Host;

    private static readonly ConditionalWeakTable<NdisHost, WeakReference<NdisHost>> HostTombstones = new();

    /// <summary>The adapter a MiniportAdapterHandle names, for <paramref name="routine"/>.</summary>
    /// <exception cref="ArgumentException">The handle is not one the host gave, or its adapter was halted.</exception>
    public static NdisMiniportAdapter RequireAdapter(nint handle, string routine) =>
        Adapters.Find(handle, out var adapter) switch
        {
            HandleState.Live => adapter!,
            HandleState.Freed => throw new ArgumentException($"{routine}: 0x{handle:X} is the MiniportAdapterHandle of an adapter already halted.", nameof(handle)),
            _ => throw new ArgumentException($"{routine}: 0x{handle:X} is not a MiniportAdapterHandle the host gave this driver.", nameof(handle)),
        };

    public static NdisMiniportAdapter? Adapter(nint handle) => Adapters.Get(handle);

    /// <summary>The host's NDIS_MINIPORT_TIMER for <paramref name="driver"/>'s storage at <paramref name="storage"/>, made on first use.</summary>
    public static NDIS_MINIPORT_TIMER Ndis5Timer(NativeDriver driver, nint storage) =>
        driver.Storage(storage, static s =>
        {
            var timer = new NDIS_MINIPORT_TIMER();
            HandlesOf.AddOrUpdate(timer, new StrongBox<nint>(s));
            return timer;
        });

    public static nint AddTimerObject(NdisTimerObject timerObject)
    {
        var handle = TimerObjects.Add(timerObject);
        HandlesOf.AddOrUpdate(timerObject, new StrongBox<nint>(handle));
        return handle;
    }

    /// <summary>The handle C sees for an I/O work item (one per work item; 0 for one C never saw).</summary>
    public static nint IoWorkItemHandle(NDIS_IO_WORKITEM workItem) => HandlesOf.TryGetValue(workItem, out var box) ? box.Value : 0;

    public static nint AddIoWorkItem(NDIS_IO_WORKITEM workItem)
    {
        var handle = IoWorkItems.Add(workItem);
        HandlesOf.AddOrUpdate(workItem, new StrongBox<nint>(handle));
        return handle;
    }

    /// <summary>The native value (storage address or handle) of a host timer: SystemSpecific1 of its routine.</summary>
    public static nint NativeTimer(object hostTimer) => HandlesOf.TryGetValue(hostTimer, out var box) ? box.Value : 0;
}
