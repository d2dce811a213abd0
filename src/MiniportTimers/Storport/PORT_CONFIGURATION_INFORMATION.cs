using MiniportTimers.Kernel;

namespace MiniportTimers.Storport;

/// <summary>
/// The configuration HwStorFindAdapter reads and fills in (ns-storport-_port_configuration_information): what the port
/// driver found (access ranges, slot, interrupt) and what the miniport asks for (buses, targets, transfer limits, SRB
/// extension size, DMA width). The members this emulation uses; the C bridge copies the same members to and from the
/// 224-byte C structure.
/// </summary>
/// <remarks>Thread safety: written by the host before HwStorFindAdapter and by the miniport during it; read by the host after.</remarks>
public sealed class PORT_CONFIGURATION_INFORMATION
{
    /// <summary>SP_UNINITIALIZED_VALUE (~0): a limit the miniport did not set.</summary>
    public const uint SP_UNINITIALIZED_VALUE = uint.MaxValue;

    /// <summary>Full or half duplex (default full). Half duplex makes StartIo and timer callbacks also hold the Interrupt lock.</summary>
    public STOR_SYNCHRONIZATION_MODEL SynchronizationModel { get; set; } = STOR_SYNCHRONIZATION_MODEL.StorSynchronizeFullDuplex;

    /// <summary>Buses (for storahci: ports) the adapter exposes.</summary>
    public byte NumberOfBuses { get; set; } = 1;

    /// <summary>The device IRQL of the adapter's interrupt, set by the host (3 to 12).</summary>
    public KIRQL InterruptIrql { get; internal set; }

    /// <summary>True when the host runs the miniport in crash-dump mode (storahci skips timers then).</summary>
    public bool DumpMode { get; init; }

    /// <summary>The adapter's ranges: one per BAR of its device, in BAR order; empty for an adapter without a device.</summary>
    public IReadOnlyList<ACCESS_RANGE> AccessRanges { get; internal set; } = [];

    /// <summary>The bus number of the adapter's PCI function (0 here).</summary>
    public uint SystemIoBusNumber { get; internal set; }

    /// <summary>The slot (PCI_SLOT_NUMBER as a ULONG: device in bits 0-4, function in bits 5-7) GetBusData takes.</summary>
    public uint SlotNumber { get; internal set; }

    /// <summary>The interrupt line (PCI Interrupt Line register) of a line-based interrupt.</summary>
    public uint BusInterruptLevel { get; internal set; }

    /// <summary>The largest transfer in bytes the adapter takes; <see cref="SP_UNINITIALIZED_VALUE"/> when the miniport sets no limit.</summary>
    public uint MaximumTransferLength { get; set; } = SP_UNINITIALIZED_VALUE;

    /// <summary>Scatter-gather elements a transfer may have, minus one (the documented convention); <see cref="SP_UNINITIALIZED_VALUE"/> when unset.</summary>
    public uint NumberOfPhysicalBreaks { get; set; } = SP_UNINITIALIZED_VALUE;

    /// <summary>The data buffer alignment the adapter needs, as a mask (3 = 4-byte aligned).</summary>
    public uint AlignmentMask { get; set; }

    /// <summary>Bytes of SRB extension the host allocates with each request (device-reachable memory for a native miniport).</summary>
    public uint SrbExtensionSize { get; set; }

    /// <summary>Targets per bus (0 means the Storport default).</summary>
    public byte MaximumNumberOfTargets { get; set; }

    /// <summary>Logical units per target (0 means the Storport default).</summary>
    public byte MaximumNumberOfLogicalUnits { get; set; }

    /// <summary>True when the adapter addresses 64-bit physical memory (STOR_64_BIT_ADDRESSING).</summary>
    public bool Dma64BitAddresses { get; set; }

    /// <summary>Requests the adapter takes at once (0: the Storport default).</summary>
    public uint MaxNumberOfIO { get; set; }

    /// <summary>
    /// The miniport's handler of message-signaled interrupts (HwMSInterruptRoutine), set in HwStorFindAdapter; null
    /// (the default): the device's interrupt goes to HwStorInterrupt as a line interrupt. When set on an adapter with a
    /// device, the host grants one message, message 0, which every interrupt of the device then signals: StorPortGetMSIInfo
    /// answers it, and each interrupt calls this routine at the device IRQL under the Interrupt lock (a single message's
    /// lock, whatever InterruptSynchronizationMode asks). Storport's "PORT_CONFIGURATION_INFORMATION (storport.h)" page.
    /// </summary>
    public HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE? HwMSInterruptRoutine { get; set; }
}
