using MiniportTimers.Engine;

namespace MiniportTimers.Cli.Run;

/// <summary>The device each adapter of a Storport --driver gets (<c>--device</c>).</summary>
internal enum StorportScenarioDeviceKind
{
    /// <summary>An AHCI 1.3 HBA of 4 ports with SATA disks (<see cref="AhciScenarioDevice"/>); the default.</summary>
    Ahci,

    /// <summary>An NVMe 1.3 controller with one RAM namespace (<see cref="NvmeScenarioDevice"/>).</summary>
    Nvme,
}

/// <summary>
/// The Storport driver scenario's build: the device, then the AHCI parts (the never-ready port, the disks' size and
/// spin-up, the hot-plugged port) and the NVMe parts (time to ready, never ready, surprise removal), and the I/O.
/// </summary>
internal sealed record StorportScenarioOptions
{
    /// <summary>The NVMe controller's default time from CC.EN to CSTS.RDY: 200 ms (issue 24's acceptance).</summary>
    public const long DefaultNvmeReadyNanoseconds = 200 * TimeUnits.NanosecondsPerMillisecond;

    /// <summary>The NVMe namespace's default size in 512-byte blocks: 1 GiB (the RAM image is sparse).</summary>
    public const long DefaultNvmeNamespaceBlocks = 2L * 1024 * 1024;

    /// <summary>The device each adapter gets. Default <see cref="StorportScenarioDeviceKind.Ahci"/>.</summary>
    public StorportScenarioDeviceKind Device { get; init; } = StorportScenarioDeviceKind.Ahci;

    /// <summary>AHCI: the port whose disk stays BSY for ever, or null for none.</summary>
    public int? NeverReadyPort { get; init; }

    /// <summary>
    /// AHCI: each disk's capacity in 512-byte sectors: 256 GiB by default (the image is sparse), above the 2^28 sectors
    /// from which storahci addresses a disk with the 48-bit commands (READ/WRITE DMA EXT, FLUSH CACHE EXT).
    /// </summary>
    public long CapacitySectors { get; init; } = 1L << 29;

    /// <summary>AHCI: each disk's time in BSY after a COMRESET, ns.</summary>
    public long SpinUpNanoseconds { get; init; } = 50 * TimeUnits.NanosecondsPerMillisecond;

    /// <summary>
    /// Reads and writes per unit (per disk on the AHCI HBA, per namespace on the NVMe controller), or null for the
    /// device's default: 500 per AHCI disk (two disks: 1,000), 1,000 for the NVMe namespace.
    /// </summary>
    public int? IosPerDisk { get; init; }

    /// <summary>AHCI: the port unplugged 3 s before the end and plugged again <see cref="ReplugDelayNanoseconds"/> later, or null for none (the only hot-plug capable port).</summary>
    public int? HotPlugPort { get; init; } = 2;

    /// <summary>AHCI: from the unplug to the plug, ns (150 ms: within Storport's state-change processing, so the plug's notification is refused and retried); at most 2 s.</summary>
    public long ReplugDelayNanoseconds { get; init; } = 150 * TimeUnits.NanosecondsPerMillisecond;

    /// <summary>NVMe: the time from CC.EN 0 → 1 to CSTS.RDY, ns, 0 or more (<c>--nvme-ready-ms</c>). Default 200 ms.</summary>
    public long NvmeReadyNanoseconds { get; init; } = DefaultNvmeReadyNanoseconds;

    /// <summary>NVMe: the controller never sets CSTS.RDY (<c>--never-ready</c>): the driver gives up after CAP.TO × 500 ms.</summary>
    public bool NvmeNeverReady { get; init; }

    /// <summary>NVMe: when the controller is surprise-removed (registers then read all ones), ns of engine time, or null for never (<c>--surprise-remove-ms</c>).</summary>
    public long? SurpriseRemoveNanoseconds { get; init; }

    /// <summary>NVMe: the namespace's size in 512-byte blocks. Default <see cref="DefaultNvmeNamespaceBlocks"/> (1 GiB).</summary>
    public long NvmeNamespaceBlocks { get; init; } = DefaultNvmeNamespaceBlocks;
}
