using System.Collections.Concurrent;
using MiniportTimers.Storport;

namespace MiniportTimers.Native.Storport;

/// <summary>
/// What a native Storport miniport's pointers stand for on the host: timer handles (ids the host hands out), STOR_DPC
/// storage, lock handles, requests in flight, and the wrappers of its C routines. Process-wide: native addresses are
/// unique across loaded drivers. Thread-safe.
/// </summary>
internal static class NativeObjects
{
    /// <summary>Stands for a non-null extension pointer no native host allocated (the DDIs then answer as for any unknown extension).</summary>
    public static readonly object UnknownExtension = new();

    /// <summary>The StorPortInitializeTimer handles native drivers hold ('S').</summary>
    public static readonly Interop.NativeHandleTable<StorPortTimerHandle> TimerHandles = new((byte)'S');

    private static readonly ConcurrentDictionary<nint, (STOR_DPC Dpc, NativeCallback Routine)> Dpcs = new();
    private static readonly ConcurrentDictionary<nint, STOR_LOCK_HANDLE> LockHandles = new();

    /// <summary>The extension object for a native pointer (null for NULL).</summary>
    public static object? Extension(nint pointer) =>
        pointer == 0 ? null : NativeDeviceExtension.Find(pointer) ?? UnknownExtension;

    /// <summary>The wrapper of the C routine at <paramref name="routine"/> of <paramref name="driver"/>, created once per driver
    /// (one .so loaded for two hosts shares its code addresses; each host's driver object gets its own wrappers).</summary>
    public static NativeCallback Callback(NativeDriver driver, nint routine) => driver.Callback(routine);

    /// <summary>STOR_DPC storage addresses StorPortInitializeDpc mapped.</summary>
    public static int DpcCount => Dpcs.Count;

    /// <summary>STOR_LOCK_HANDLE addresses of locks taken and not yet released.</summary>
    public static int LockHandleCount => LockHandles.Count;

    public static void AddDpc(nint storage, STOR_DPC dpc, NativeCallback routine) => Dpcs[storage] = (dpc, routine);

    public static STOR_DPC? Dpc(nint storage) => Dpcs.TryGetValue(storage, out var d) ? d.Dpc : null;

    public static void SetLockHandle(nint storage, STOR_LOCK_HANDLE handle) => LockHandles[storage] = handle;

    public static STOR_LOCK_HANDLE TakeLockHandle(nint storage) => LockHandles.TryRemove(storage, out var h) ? h : default;

    /// <summary>
    /// Drops what stands for <paramref name="adapter"/>'s objects once it is removed (issue 21 §4): its StorPortInitializeTimer
    /// handles (the host freed the timers at removal; a later use of a handle is a use after free, answered as for a
    /// freed handle), its STOR_DPCs, and the lock handles kept in its device extension [<paramref name="start"/>,
    /// <paramref name="start"/> + <paramref name="length"/>) (one taken and never released).
    /// </summary>
    public static void ForgetAdapter(StorportAdapter adapter, nint start, nuint length)
    {
        TimerHandles.RemoveWhere(handle => ReferenceEquals(handle.Timer.Adapter, adapter));
        foreach (var entry in Dpcs)
        {
            if (ReferenceEquals(entry.Value.Dpc.Adapter, adapter))
            {
                Dpcs.TryRemove(entry); // only if it still maps to this adapter's DPC (storage another adapter initialized since stays)
            }
        }

        foreach (var storage in LockHandles.Keys)
        {
            if (NativeRange.Contains(start, length, storage))
            {
                LockHandles.TryRemove(storage, out _);
            }
        }
    }
}
