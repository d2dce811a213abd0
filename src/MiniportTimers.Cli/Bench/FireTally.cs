namespace MiniportTimers.Cli.Bench;

/// <summary>
/// What the expiry benches' callbacks record: how many fired and the latest fire time, kept per processor in slots 128 bytes
/// apart and summed when read. One shared counter made every callback of two dispatchers (or of Timer's pool threads)
/// write the same cache line, so the two-dispatcher burst measured the line moving between the cores, not the engine
/// (issue 27, session twelve). The same tally serves both sides of a comparison. Thread-safe; a read is a snapshot.
/// </summary>
internal sealed class FireTally
{
    /// <summary>Slots, a power of two (processors beyond this many share one, still exactly: the writes are atomic).</summary>
    private const int Slots = 64;

    /// <summary>longs between two slots: 128 bytes, two cache lines, so the adjacent-line prefetcher does not pair them.</summary>
    private const int Stride = 16;

    private readonly long[] _fired = new long[Slots * Stride];
    private readonly long[] _latest = new long[Slots * Stride];

    /// <summary>Records one fire at <paramref name="firedAtNanoseconds"/> (any clock, the same for every fire) in the calling processor's slot.</summary>
    public void Record(long firedAtNanoseconds)
    {
        // By processor, not by thread (the project keeps thread-statics to the frame and the stripe): a dispatcher stays
        // on its core, so its slot's line stays there; a thread that moves only writes another slot, atomically.
        var i = (Thread.GetCurrentProcessorId() & (Slots - 1)) * Stride;
        Interlocked.Increment(ref _fired[i]);
        ref var latest = ref _latest[i];
        var seen = Volatile.Read(ref latest);
        while (firedAtNanoseconds > seen)
        {
            var was = Interlocked.CompareExchange(ref latest, firedAtNanoseconds, seen);
            if (was == seen)
            {
                break;
            }

            seen = was;
        }
    }

    /// <summary>How many fires were recorded.</summary>
    public long Fired
    {
        get
        {
            long sum = 0;
            for (var i = 0; i < _fired.Length; i += Stride)
            {
                sum += Volatile.Read(ref _fired[i]);
            }

            return sum;
        }
    }

    /// <summary>The latest fire time recorded (0 before any).</summary>
    public long Latest
    {
        get
        {
            long max = 0;
            for (var i = 0; i < _latest.Length; i += Stride)
            {
                max = Math.Max(max, Volatile.Read(ref _latest[i]));
            }

            return max;
        }
    }
}
