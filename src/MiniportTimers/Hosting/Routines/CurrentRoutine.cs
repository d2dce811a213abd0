using System.Diagnostics;
using System.Runtime.CompilerServices;
using MiniportTimers.Kernel;

namespace MiniportTimers.Hosting.Routines;

/// <summary>
/// The hosting layer's view of the <see cref="ThreadFrame"/>'s routine slots: which adapter's miniport routine the
/// thread is running, if any (both stacks read it: Storport's lock rules, NDIS's "allocated inside an adapter's
/// handler", completions made inside a timer callback). Set by <see cref="RoutineRunner"/> around every call into the
/// miniport; routines nest (a DPC inside nothing, a timer callback inside a virtual engine's Advance inside a test), so
/// each entry restores the outer one. No state of its own.
/// </summary>
internal static class CurrentRoutine
{
    /// <summary>The adapter whose routine the calling thread runs (null: none, or a driver-level routine).</summary>
    public static HostedAdapter? Adapter => AdapterOf(ThreadFrame.Current);

    /// <summary>The routine the calling thread runs (null: none).</summary>
    public static HostedRoutine? Routine => RoutineOf(ThreadFrame.Current);

    /// <summary>The adapter slot of <paramref name="frame"/>, as the one type this layer stores there.</summary>
    public static HostedAdapter? AdapterOf(ThreadFrame frame)
    {
        Debug.Assert(frame.Adapter is null or HostedAdapter, "only RoutineRunner writes the slot");
        return Unsafe.As<HostedAdapter?>(frame.Adapter);
    }

    /// <summary>The routine slot of <paramref name="frame"/>, as the one type this layer stores there.</summary>
    public static HostedRoutine? RoutineOf(ThreadFrame frame)
    {
        Debug.Assert(frame.Routine is null or HostedRoutine, "only RoutineRunner writes the slot");
        return Unsafe.As<HostedRoutine?>(frame.Routine);
    }
}
