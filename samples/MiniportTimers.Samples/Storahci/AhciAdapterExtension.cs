namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// storahci's device extension (AHCI_ADAPTER_EXTENSION, reduced): what HwFindAdapter learned from the HBA (ABAR, CAP,
/// PI), the uncached extension that holds every port's command list, received-FIS area and command tables, the ports,
/// and what the run report counts.
/// </summary>
/// <remarks>Thread safety: written in HwFindAdapter; read-only afterwards, apart from the ports' own state and the counters.</remarks>
public sealed class AhciAdapterExtension
{
    internal AhciAdapterExtension(long lpmIntervalMilliseconds, Func<long> nowNanoseconds)
    {
        LpmIntervalMilliseconds = lpmIntervalMilliseconds;
        NowNanoseconds = nowNanoseconds;
    }

    /// <summary>The host engine's clock, ns: what the report's start and end times are measured on (instrumentation, not driver logic).</summary>
    internal Func<long> NowNanoseconds { get; }

    /// <summary>The ABAR mapping StorPortGetDeviceBase returned (register offsets of Serial ATA AHCI 1.3.1 chapter 3 add to it).</summary>
    public nint Abar { get; internal set; }

    /// <summary>CAP as read in HwFindAdapter (§3.1.1).</summary>
    public uint Capabilities { get; internal set; }

    /// <summary>PI as read in HwFindAdapter (§3.1.4).</summary>
    public uint PortsImplemented { get; internal set; }

    /// <summary>Command slots per port (CAP.NCS + 1).</summary>
    public int CommandSlots { get; internal set; }

    /// <summary>The uncached extension's host address.</summary>
    internal nint UncachedExtension { get; set; }

    /// <summary>The ports (one per PI bit), empty until HwFindAdapter ran.</summary>
    public IReadOnlyList<AhciChannelExtension> Ports { get; internal set; } = [];

    /// <summary>The idle time before Partial-to-Slumber, ms (registry value in the real driver).</summary>
    public long LpmIntervalMilliseconds { get; }

    /// <summary>What happened, for the report.</summary>
    public StorahciCounters Counters { get; } = new();
}
