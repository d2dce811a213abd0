namespace MiniportTimers.Samples.Storahci;

/// <summary>storahci's device extension (AHCI_ADAPTER_EXTENSION, reduced): the ports and what the run report counts.</summary>
public sealed class AhciAdapterExtension
{
    internal AhciAdapterExtension(AhciHba hba, long lpmIntervalMilliseconds)
    {
        Hba = hba;
        LpmIntervalMilliseconds = lpmIntervalMilliseconds;
        Ports = [.. hba.Ports.Select((d, i) => new AhciChannelExtension(this, i, d))];
    }

    /// <summary>The simulated HBA.</summary>
    public AhciHba Hba { get; }

    /// <summary>The ports.</summary>
    public IReadOnlyList<AhciChannelExtension> Ports { get; }

    /// <summary>The idle time before Partial-to-Slumber, ms (registry value in the real driver).</summary>
    public long LpmIntervalMilliseconds { get; }

    /// <summary>What happened, for the report.</summary>
    public StorahciCounters Counters { get; } = new();
}
