using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// `bench --only memory-latency` (issue 27, "measure where the time goes"): the floor of this machine for touching a cold
/// 64-byte object, the quantity the engine's expiry path is made of. 1,000,000 64-byte nodes (one cache line each, 64 MB,
/// far beyond the caches) in native memory, visited in one random order, each read and written:
/// <list type="bullet">
/// <item>chased: each node holds the index of the next, so every step waits for the previous miss (the latency);</item>
/// <item>array walk: an array of pointers to the same nodes in the same order, so the core overlaps the misses (the
/// memory-level parallelism); once plain and once with a software prefetch 16 nodes ahead;</item>
/// <item>sequential: the nodes in address order (the hardware prefetcher's best case);</item>
/// <item>the engine's clock read (Stopwatch.GetTimestamp), which the real dispatcher pays once per expiry.</item>
/// </list>
/// Each figure is the best of three passes, wall-clock ns per node on one thread.
/// </summary>
internal static unsafe class MemoryLatencyBench
{
    private const int NodeBytes = 64;
    private const int PrefetchDistance = 16;

    public static List<BenchRow> Run(bool quick)
    {
        var rows = new List<BenchRow>();
        var n = quick ? 10_000 : 1_000_000;
        var label = $"{n:N0} nodes of 64 B in random order";
        var nodes = (byte*)NativeMemory.AlignedAlloc((nuint)n * NodeBytes, 4096);
        var order = new nint[n];
        try
        {
            var permutation = Enumerable.Range(0, n).ToArray();
            new Random(27).Shuffle(permutation);
            for (var i = 0; i < n; i++)
            {
                var node = nodes + ((long)permutation[i] * NodeBytes);
                order[i] = (nint)node;
                *(long*)node = permutation[(i + 1) % n]; // the chain: this node names the next one in the order
                *(long*)(node + 8) = 0;
            }

            rows.Add(new BenchRow("memory-latency", $"chased walk (each node names the next), {label}", "this machine", Best(() => Chased(nodes, permutation[0], n)), "ns/node", "every step waits for the previous miss"));
            rows.Add(new BenchRow("memory-latency", $"array walk (pointers to the same nodes, same order), {label}", "this machine", Best(() => ArrayWalk(order, prefetch: false)), "ns/node", "the core overlaps the misses"));
            rows.Add(new BenchRow("memory-latency", $"array walk with a prefetch {PrefetchDistance} ahead, {label}", "this machine", Best(() => ArrayWalk(order, prefetch: true)), "ns/node"));
            rows.Add(new BenchRow("memory-latency", $"sequential walk, {n:N0} nodes of 64 B in address order", "this machine", Best(() => Sequential(nodes, n)), "ns/node"));
            rows.Add(new BenchRow("memory-latency", "clock read (Stopwatch.GetTimestamp)", "this machine", Best(ClockRead), "ns/read", "the real dispatcher reads it once per expiry"));
        }
        finally
        {
            NativeMemory.AlignedFree(nodes);
        }

        return rows;
    }

    private static double Best(Func<double> pass) => Enumerable.Range(0, 3).Min(_ => pass());

    /// <summary>Follows the chain: node → the node it names, reading and writing each.</summary>
    private static double Chased(byte* nodes, int first, int n)
    {
        var start = Stopwatch.GetTimestamp();
        long index = first;
        for (var i = 0; i < n; i++)
        {
            var node = nodes + (index * NodeBytes);
            index = *(long*)node;
            (*(long*)(node + 8))++;
        }

        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / n;
    }

    /// <summary>Visits the same nodes in the same order through an array of pointers, reading and writing each.</summary>
    private static double ArrayWalk(nint[] order, bool prefetch)
    {
        var start = Stopwatch.GetTimestamp();
        long sum = 0;
        for (var i = 0; i < order.Length; i++)
        {
            if (prefetch && Sse.IsSupported && i + PrefetchDistance < order.Length)
            {
                Sse.Prefetch0((void*)order[i + PrefetchDistance]);
            }

            var node = (byte*)order[i];
            sum = unchecked(sum + *(long*)node);
            (*(long*)(node + 8))++;
        }

        GC.KeepAlive(sum);
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / order.Length;
    }

    private static double Sequential(byte* nodes, int n)
    {
        var start = Stopwatch.GetTimestamp();
        long sum = 0;
        for (var i = 0; i < n; i++)
        {
            var node = nodes + ((long)i * NodeBytes);
            sum = unchecked(sum + *(long*)node);
            (*(long*)(node + 8))++;
        }

        GC.KeepAlive(sum);
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / n;
    }

    private static double ClockRead()
    {
        const int reads = 1_000_000;
        var start = Stopwatch.GetTimestamp();
        long sum = 0;
        for (var i = 0; i < reads; i++)
        {
            sum = unchecked(sum + Stopwatch.GetTimestamp());
        }

        GC.KeepAlive(sum);
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / reads;
    }
}
