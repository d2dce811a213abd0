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

    private static readonly ConcurrentDictionary<nint, StorPortTimerHandle> TimerHandles = new();
    private static readonly ConcurrentDictionary<nint, (STOR_DPC Dpc, NativeCallback Routine)> Dpcs = new();
    private static readonly ConcurrentDictionary<nint, STOR_LOCK_HANDLE> LockHandles = new();
    private static long s_nextHandle;

    /// <summary>The extension object for a native pointer (null for NULL).</summary>
    public static object? Extension(nint pointer) =>
        pointer == 0 ? null : NativeDeviceExtension.Find(pointer) ?? UnknownExtension;

    /// <summary>The wrapper of the C routine at <paramref name="routine"/> of <paramref name="driver"/>, created once per driver
    /// (one .so loaded for two hosts shares its code addresses; each host's driver object gets its own wrappers).</summary>
    public static NativeCallback Callback(NativeDriver driver, nint routine) => driver.Callback(routine);

    /// <summary>A new handle value for <paramref name="handle"/> (aligned like a pointer, never NULL).</summary>
    public static nint AddTimerHandle(StorPortTimerHandle handle)
    {
        var id = (nint)(0x4D50_0000_0000 + (Interlocked.Increment(ref s_nextHandle) * 16));
        TimerHandles[id] = handle;
        return id;
    }

    public static StorPortTimerHandle? TimerHandle(nint id) => id != 0 && TimerHandles.TryGetValue(id, out var h) ? h : null;

    public static void RemoveTimerHandle(nint id) => TimerHandles.TryRemove(id, out _);

    public static void AddDpc(nint storage, STOR_DPC dpc, NativeCallback routine) => Dpcs[storage] = (dpc, routine);

    public static STOR_DPC? Dpc(nint storage) => Dpcs.TryGetValue(storage, out var d) ? d.Dpc : null;

    public static void SetLockHandle(nint storage, STOR_LOCK_HANDLE handle) => LockHandles[storage] = handle;

    public static STOR_LOCK_HANDLE TakeLockHandle(nint storage) => LockHandles.TryRemove(storage, out var h) ? h : default;
}
