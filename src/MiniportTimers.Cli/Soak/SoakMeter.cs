using System.Globalization;
using MiniportTimers.Native;

namespace MiniportTimers.Cli.Soak;

/// <summary>One reading of the process at a soak checkpoint, taken after full blocking compacting collections.</summary>
/// <param name="Units">Units of work done when it was taken.</param>
/// <param name="ManagedBytes">GC.GetTotalMemory(true): bytes of live managed objects.</param>
/// <param name="GcHeapBytes">GCMemoryInfo.HeapSizeBytes after the last collection (live objects plus fragmentation).</param>
/// <param name="CommittedBytes">GCMemoryInfo.TotalCommittedBytes: memory the GC holds from the OS.</param>
/// <param name="RssBytes">VmRSS of /proc/self/status (0 where there is none): everything, native memory included.</param>
/// <param name="DebugOutputBytes">An estimate of the managed bytes the live drivers' DebugOutput keeps (not the bridge's maps).</param>
/// <param name="BridgeEntries">Each process-wide map's live entries (<see cref="NativeBridgeStatistics.Entries"/>).</param>
/// <param name="HandleSlots">Each handle table's slots (<see cref="NativeBridgeStatistics.HandleSlots"/>).</param>
/// <param name="Counts">What the workload counts (sampled objects still alive, a driver's own maps).</param>
internal sealed record SoakCheckpoint(
    long Units,
    long ManagedBytes,
    long GcHeapBytes,
    long CommittedBytes,
    long RssBytes,
    long DebugOutputBytes,
    IReadOnlyList<KeyValuePair<string, long>> BridgeEntries,
    IReadOnlyList<KeyValuePair<string, long>> HandleSlots,
    IReadOnlyList<KeyValuePair<string, long>> Counts)
{
    /// <summary>The sum of <see cref="BridgeEntries"/>.</summary>
    public long TotalBridgeEntries => BridgeEntries.Sum(e => e.Value);

    /// <summary>The managed bytes the bridge and the hosts keep: <see cref="ManagedBytes"/> less the drivers' kept debug output.</summary>
    public long ManagedWithoutDebugOutput => ManagedBytes - DebugOutputBytes;
}

/// <summary>Reads the process's memory for a soak: managed heap, GC heap, committed, RSS.</summary>
internal static class SoakMeter
{
    /// <summary>Collects everything collectable: full blocking compacting collections with finalizers run between them.</summary>
    public static void CollectEverything()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
    }

    /// <summary>A reading after <see cref="CollectEverything"/>; <paramref name="counts"/> and <paramref name="debugOutputBytes"/> are read after the collections too (weak references are counted then).</summary>
    public static SoakCheckpoint Read(long units, Func<long> debugOutputBytes, Func<IReadOnlyList<KeyValuePair<string, long>>> counts)
    {
        CollectEverything();
        var managed = GC.GetTotalMemory(forceFullCollection: true);
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        var rss = RssBytes();
        return new SoakCheckpoint(units, managed, info.HeapSizeBytes, info.TotalCommittedBytes, rss, debugOutputBytes(), NativeBridgeStatistics.Entries(), NativeBridgeStatistics.HandleSlots(), counts());
    }

    /// <summary>VmRSS from /proc/self/status, bytes; 0 where the file or the line is missing.</summary>
    public static long RssBytes()
    {
        const string Path = "/proc/self/status";
        if (!File.Exists(Path))
        {
            return 0;
        }

        foreach (var line in File.ReadLines(Path))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var fields = line["VmRSS:".Length..].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries); // "VmRSS:\t  1234 kB"
                return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var kib) ? kib * 1024 : 0;
            }
        }

        return 0;
    }
}

/// <summary>
/// An estimate of the managed bytes a driver's kept debug output takes (NativeDriver.DebugOutput, a ring of the most
/// recent prints: not the bridge's maps), so that a soak can judge the bridge without it while the ring fills. It adds up
/// the prints as <see cref="NativeDriver.DebugPrinted"/> reports them, and charges the prints kept their average size (a
/// string: a 22-byte header and terminator plus two bytes a character, rounded to 8) plus the ring's array (8 bytes a
/// slot; it doubles from 256 slots until the ring is full). Once the ring is full the estimate stops growing.
/// </summary>
internal sealed class DebugOutputMeter
{
    private readonly NativeDriver _driver;
    private long _lines;
    private long _stringBytes;

    public DebugOutputMeter(NativeDriver driver)
    {
        _driver = driver;
        driver.DebugPrinted += line =>
        {
            Interlocked.Increment(ref _lines);
            Interlocked.Add(ref _stringBytes, Math.Max(24, (22 + (2L * line.Length) + 7) & ~7L));
        };
    }

    /// <summary>The estimate now.</summary>
    public long Bytes()
    {
        var (lines, stringBytes) = (Interlocked.Read(ref _lines), Interlocked.Read(ref _stringBytes));
        var dropped = _driver.DebugPrintsDropped;
        var kept = _driver.DebugPrintCount - dropped;
        var slots = 256L;
        while (slots < kept)
        {
            slots *= 2;
        }

        return (lines == 0 ? 0 : kept * stringBytes / lines) + (8 * (dropped > 0 ? kept : slots));
    }
}
