namespace MiniportTimers.Storport;

/// <summary>StorPortInitializePerfOpts's structure (storport.h); only the fields the timer semantics depend on are used.</summary>
public sealed class PERF_CONFIGURATION_DATA
{
    /// <summary>STOR_PERF_VERSION_*; 2 or later for concurrent channels.</summary>
    public uint Version { get; set; } = StorPort.STOR_PERF_VERSION_2;

    /// <summary>Structure size (kept for fidelity; not checked).</summary>
    public uint Size { get; set; }

    /// <summary>STOR_PERF_* flags. STOR_PERF_CONCURRENT_CHANNELS (0x2) with <see cref="ConcurrentChannels"/> &gt; 1 removes the StartIo lock from HwStorStartIo.</summary>
    public uint Flags { get; set; }

    /// <summary>Channels StartIo may run on at once.</summary>
    public uint ConcurrentChannels { get; set; }
}
