using MiniportTimers.Native.Kernel;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Native.Storport;

namespace MiniportTimers.Native;

/// <summary>
/// How much the bridge keeps (issue 21 §4): the live entries of its process-wide maps and handle tables, and of one
/// driver object's own maps. A released object (a halted or removed adapter, a freed timer, an unloaded driver) leaves
/// nothing in them, so after any number of load/run/halt/unload cycles or adapters added and removed the counts come
/// back to where they were; <c>miniport-timers soak</c> checks exactly that (docs/reliability.md, "Native bridge soaks").
/// </summary>
/// <remarks>Counts, not bytes. Each read takes each map's own lock briefly; meant for checkpoints, not hot paths. Thread-safe.</remarks>
public static class NativeBridgeStatistics
{
    /// <summary>Each process-wide map's live entries, by name, in a fixed order.</summary>
    public static IReadOnlyList<KeyValuePair<string, long>> Entries() =>
    [
        new("NDIS adapter handles", NativeNdisObjects.Adapters.Count),
        new("NDIS timer objects", NativeNdisObjects.TimerObjects.Count),
        new("NDIS interrupts", NativeNdisObjects.Interrupts.Count),
        new("NDIS I/O work items", NativeNdisObjects.IoWorkItems.Count),
        new("NDIS sends in flight", NdisDataExports.SendsInFlight.Count),
        new("NDIS OID requests pending", NdisDataExports.PendingRequests.Count),
        new("NDIS driver tokens", NativeNdisDriver.TokenCount),
        new("NDIS driver handles", NativeNdisDriver.DriverHandleCount),
        new("Storport timer handles", NativeObjects.TimerHandles.Count),
        new("Storport DPCs", NativeObjects.DpcCount),
        new("Storport lock handles", NativeObjects.LockHandleCount),
        new("Storport requests in flight", NativeStorportDriver.RequestCount),
        new("Storport driver tokens", NativeStorportDriver.TokenCount),
        new("device extensions", NativeDeviceExtension.LiveCount),
        new("EX_TIMER handles", KernelExports.ExTimers.Count),
        new("KSPIN_LOCKs", NativeSpinLocks.Count),
    ];

    /// <summary>The slots of each handle table (live plus reusable): what its memory is proportional to, the peak live count.</summary>
    public static IReadOnlyList<KeyValuePair<string, long>> HandleSlots() =>
    [
        new("NDIS adapter handle slots", NativeNdisObjects.Adapters.Capacity),
        new("NDIS timer object slots", NativeNdisObjects.TimerObjects.Capacity),
        new("NDIS interrupt slots", NativeNdisObjects.Interrupts.Capacity),
        new("NDIS I/O work item slots", NativeNdisObjects.IoWorkItems.Capacity),
        new("Storport timer handle slots", NativeObjects.TimerHandles.Capacity),
        new("EX_TIMER handle slots", KernelExports.ExTimers.Capacity),
    ];

    /// <summary>The sum of <see cref="Entries"/>.</summary>
    public static long TotalEntries() => Entries().Sum(e => e.Value);

    /// <summary>Timer handles freed since the process started (Storport timer handles, NDIS timer objects, EX_TIMERs), by the driver or on its adapter's removal.</summary>
    public static long TimersFreed() =>
        NativeObjects.TimerHandles.Removed + NativeNdisObjects.TimerObjects.Removed + KernelExports.ExTimers.Removed;

    /// <summary>What <paramref name="driver"/> keeps for itself: host objects for its storage (KTIMER, KDPC, NDIS_MINIPORT_TIMER), and its C routines' wrappers.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="driver"/> is null.</exception>
    public static IReadOnlyList<KeyValuePair<string, long>> DriverEntries(NativeDriver driver)
    {
        ArgumentNullException.ThrowIfNull(driver);
        return
        [
            new("driver storage", driver.StorageCount),
            new("driver callbacks", driver.CallbackCount),
        ];
    }
}
