using MiniportTimers.Kernel;

namespace MiniportTimers.Storport;

/// <summary>The configuration HwStorFindAdapter fills in (the fields this emulation uses).</summary>
public sealed class PORT_CONFIGURATION_INFORMATION
{
    /// <summary>Full or half duplex (default full). Half duplex makes StartIo and timer callbacks also hold the Interrupt lock.</summary>
    public STOR_SYNCHRONIZATION_MODEL SynchronizationModel { get; set; } = STOR_SYNCHRONIZATION_MODEL.StorSynchronizeFullDuplex;

    /// <summary>Buses (for storahci: ports) the adapter exposes.</summary>
    public byte NumberOfBuses { get; set; } = 1;

    /// <summary>The device IRQL of the adapter's interrupt, set by the host (3 to 12).</summary>
    public KIRQL InterruptIrql { get; internal set; }

    /// <summary>True when the host runs the miniport in crash-dump mode (storahci skips timers then).</summary>
    public bool DumpMode { get; init; }
}
