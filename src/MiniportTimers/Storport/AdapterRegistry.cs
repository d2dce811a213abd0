using System.Runtime.CompilerServices;
using MiniportTimers.Hosting.Routines;
using MiniportTimers.Kernel;

namespace MiniportTimers.Storport;

/// <summary>
/// Maps a device extension (the PVOID HwDeviceExtension every DDI takes) back to the adapter the host created it for,
/// and holds the one rule for an extension the host did not create, across all Storport DDIs: a DDI that returns a
/// status answers with its documented failure (STOR_STATUS_INVALID_PARAMETER, or FALSE for a BOOLEAN), and a DDI that
/// returns nothing raises the bug check Windows would give when it dereferenced the bogus pointer:
/// KMODE_EXCEPTION_NOT_HANDLED (0x1E) with STATUS_ACCESS_VIOLATION (<see cref="Require(object?, string)"/>). Weak keys: a removed
/// adapter's extension is collected with it.
/// </summary>
/// <remarks>
/// The common case, a miniport calling a DDI for the adapter whose routine it runs, is one thread-static read and a
/// reference compare (the hosting layer's current routine), not a table lookup; nothing is cached beyond the routine, so
/// a removed adapter is never kept alive.
/// </remarks>
internal static class AdapterRegistry
{
    private static readonly ConditionalWeakTable<object, StorportAdapter> Map = new();

    public static void Register(object deviceExtension, StorportAdapter adapter) => Map.Add(deviceExtension, adapter);

    /// <summary>The adapter <paramref name="deviceExtension"/> belongs to, or null for an object no host created.</summary>
    public static StorportAdapter? Find(object? deviceExtension) =>
        deviceExtension is null ? null : Find(deviceExtension, ThreadFrame.Current);

    /// <summary><see cref="Find(object?)"/> with the calling thread's frame already read.</summary>
    public static StorportAdapter? Find(object? deviceExtension, ThreadFrame frame)
    {
        if (deviceExtension is null)
        {
            return null;
        }

        if (CurrentRoutine.AdapterOf(frame) is StorportAdapter current && ReferenceEquals(current.DeviceExtension, deviceExtension))
        {
            return current;
        }

        return Map.TryGetValue(deviceExtension, out var adapter) ? adapter : null;
    }

    /// <summary>The adapter of <paramref name="deviceExtension"/>, for a DDI that returns no status.</summary>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E; P1 = STATUS_ACCESS_VIOLATION) for an object no host created.</exception>
    public static StorportAdapter Require(object? deviceExtension, string routine) =>
        Require(deviceExtension, routine, ThreadFrame.Current);

    /// <summary><see cref="Require(object?, string)"/> with the calling thread's frame already read.</summary>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E; P1 = STATUS_ACCESS_VIOLATION) for an object no host created.</exception>
    public static StorportAdapter Require(object? deviceExtension, string routine, ThreadFrame frame) =>
        Find(deviceExtension, frame) ?? throw BugCheck.Create(
            BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED,
            BugCheckCodes.STATUS_ACCESS_VIOLATION,
            0,
            0,
            0,
            $"{routine}: HwDeviceExtension is {(deviceExtension is null ? "NULL" : "not a device extension the host created")}; Windows faults dereferencing it");
}
