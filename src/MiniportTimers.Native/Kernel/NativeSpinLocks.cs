using System.Collections.Concurrent;
using MiniportTimers.Kernel;

namespace MiniportTimers.Native.Kernel;

/// <summary>The <see cref="KSpinLock"/> behind each KSPIN_LOCK address a native driver uses (a zeroed KSPIN_LOCK is a free lock, as in Windows). Thread-safe.</summary>
internal static class NativeSpinLocks
{
    private static readonly ConcurrentDictionary<nint, KSpinLock> Locks = new();

    /// <summary>KSPIN_LOCK addresses with a host lock.</summary>
    public static int Count => Locks.Count;

    public static KSpinLock At(nint address) => Locks.GetOrAdd(address, static a => new KSpinLock($"KSPIN_LOCK@0x{a:X}"));

    /// <summary>Forgets the locks at addresses in [<paramref name="start"/>, <paramref name="start"/> + <paramref name="length"/>): memory the host frees (a device extension).</summary>
    /// <returns>How many were forgotten.</returns>
    public static int RemoveRange(nint start, nuint length)
    {
        var removed = 0;
        foreach (var address in Locks.Keys)
        {
            if (NativeRange.Contains(start, length, address) && Locks.TryRemove(address, out _))
            {
                removed++;
            }
        }

        return removed;
    }
}
