using System.Runtime.CompilerServices;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Native.Kernel;

/// <summary>
/// KTIMER and KDPC storage of native drivers (EX_TIMER handles: <see cref="KernelExports.ExTimers"/>), and the way back from a host object to the native
/// value its routine receives (the KDPC address a deferred routine gets first, the PEX_TIMER an EXT_CALLBACK gets).
/// Storage maps per driver object (<see cref="NativeDriver.Storage{T}"/>); thread-safe.
/// </summary>
internal static class NativeKernelObjects
{
    private static readonly ConditionalWeakTable<object, StrongBox<nint>> Natives = new();

    public static KDPC Dpc(NativeDriver driver, nint storage) => driver.Storage(storage, static s => Remember(new KDPC(), s));

    public static KTIMER Timer(NativeDriver driver, nint storage) => driver.Storage(storage, static s => Remember(new KTIMER(), s));

    /// <summary>The native value a host object stands for (0 when it stands for none).</summary>
    public static nint Storage(object hostObject) => Natives.TryGetValue(hostObject, out var box) ? box.Value : 0;

    /// <summary>Records that <paramref name="hostObject"/> stands for <paramref name="native"/> (a storage address or a handle).</summary>
    public static T Remember<T>(T hostObject, nint native)
        where T : class
    {
        Natives.AddOrUpdate(hostObject, new StrongBox<nint>(native));
        return hostObject;
    }
}
