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
/// <para>The common case, a miniport calling a DDI for the adapter whose routine it runs, is one thread-static read and
/// a reference compare (the hosting layer's current routine), not a table lookup. Outside a routine (a test harness's
/// thread, a miniport's own thread) the adapter the last table lookup found is tried next (one static read and a
/// compare), then the table: a RequestTimerCall + cancel pair outside a routine cost 1.67× the engine's pair with the
/// table lookup each time, 1.49× inside HwStorTimer (issue 27, session eighteen).</para>
/// <para>That one cached adapter never outlives its removal: <see cref="Forget"/> (the adapter's removal, or its
/// abandonment at unload) marks it and clears the cache; a lookup that caches an adapter checks the mark after its
/// store. Both sides use a locked instruction between their write and their read, so one of them sees the other's
/// write:</para>
/// <code>
///   lookup (FindInTable)                      removal (Forget)
///   Interlocked.Exchange(s_lastFound, a)      Volatile.Write(a.ForgottenByRegistry, true)
///   if (Volatile.Read(a.ForgottenByRegistry)) Interlocked.CompareExchange(s_lastFound, null, a)
///       CompareExchange(s_lastFound, null, a)
/// </code>
/// <para>If the lookup's exchange comes first, the removal's compare-exchange sees a and clears it; if the removal's
/// mark comes first, the lookup reads it and clears its own store. A removed adapter's extension is still found
/// through the table (its DDIs then answer as a removed adapter's do), but it is never cached again.</para>
/// </remarks>
internal static class AdapterRegistry
{
    private static readonly ConditionalWeakTable<object, StorportAdapter> Map = new();

    /// <summary>The adapter the last table lookup found, unless it has been forgotten since (see the remarks); any thread.</summary>
    private static StorportAdapter? s_lastFound;

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

        if (Volatile.Read(ref s_lastFound) is { } last && ReferenceEquals(last.DeviceExtension, deviceExtension))
        {
            return last;
        }

        return FindInTable(deviceExtension);
    }

    /// <summary>
    /// The adapter's removal or abandonment: it is never cached again, and no longer held by the cache (the
    /// interleaving is in the remarks). Idempotent; any thread.
    /// </summary>
    public static void Forget(StorportAdapter adapter)
    {
        Volatile.Write(ref adapter.ForgottenByRegistry, true);
        Interlocked.CompareExchange(ref s_lastFound, null, adapter);
    }

    /// <summary>Find, outside the adapter's own routine and past the cache: the table, whose hit is cached.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StorportAdapter? FindInTable(object deviceExtension)
    {
        if (!Map.TryGetValue(deviceExtension, out var adapter))
        {
            return null;
        }

        if (!Volatile.Read(ref adapter.ForgottenByRegistry) && !ReferenceEquals(Volatile.Read(ref s_lastFound), adapter))
        {
            Interlocked.Exchange(ref s_lastFound, adapter);
            if (Volatile.Read(ref adapter.ForgottenByRegistry))
            {
                Interlocked.CompareExchange(ref s_lastFound, null, adapter); // Forget ran meanwhile: see the remarks
            }
        }

        return adapter;
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
