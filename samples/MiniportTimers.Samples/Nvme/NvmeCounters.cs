namespace MiniportTimers.Samples.Nvme;

/// <summary>What one NVMe adapter's driver did, counted where it happened (increments are atomic).</summary>
public sealed class NvmeCounters
{
    private readonly long[] _values = new long[Enum.GetValues<NvmeFact>().Length];

    /// <summary>Adds one to <paramref name="fact"/>.</summary>
    public void Add(NvmeFact fact, long amount = 1) => Interlocked.Add(ref _values[(int)fact], amount);

    /// <summary>The count of <paramref name="fact"/>.</summary>
    public long this[NvmeFact fact] => Interlocked.Read(ref _values[(int)fact]);
}
