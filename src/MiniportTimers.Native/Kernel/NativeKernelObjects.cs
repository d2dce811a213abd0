using System.Runtime.CompilerServices;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Native.Kernel;

/// <summary>
/// KTIMER and KDPC storage and EX_TIMER handles of native drivers, and the way back from a host object to the native
/// value its routine receives (the KDPC address a deferred routine gets first, the PEX_TIMER an EXT_CALLBACK gets).
/// Storage maps per driver object (<see cref="NativeDriver.Storage{T}"/>); thread-safe.
/// </summary>
internal static class NativeKernelObjects
{
    private static readonly ConditionalWeakTable<object, StrongBox<nint>> Natives = new();
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<nint, EX_TIMER> ExTimers = new();
    private static long s_next;

    public static KDPC Dpc(NativeDriver driver, nint storage) => driver.Storage(storage, static s => Remember(new KDPC(), s));

    public static KTIMER Timer(NativeDriver driver, nint storage) => driver.Storage(storage, static s => Remember(new KTIMER(), s));

    public static nint AddExTimer(EX_TIMER timer)
    {
        var handle = (nint)(0x4558_0000_0000 + (Interlocked.Increment(ref s_next) * 16));
        ExTimers[handle] = timer;
        Remember(timer, handle);
        return handle;
    }

    public static EX_TIMER? ExTimer(nint handle) => handle != 0 && ExTimers.TryGetValue(handle, out var t) ? t : null;

    /// <summary>The native value a host object stands for (0 when it stands for none).</summary>
    public static nint Storage(object hostObject) => Natives.TryGetValue(hostObject, out var box) ? box.Value : 0;

    private static T Remember<T>(T hostObject, nint native)
        where T : class
    {
        Natives.AddOrUpdate(hostObject, new StrongBox<nint>(native));
        return hostObject;
    }
}
