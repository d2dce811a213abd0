namespace MiniportTimers.Devices.Nvme;

/// <summary>
/// How an <see cref="NvmeController"/> is built: its capabilities (CAP), its timing, its namespace and its PCI
/// identity. The defaults are what docs/devices.md ("The NVMe controller") describes. Immutable (thread-safe); read
/// once, when the controller is built, except <see cref="CommandLatencyNanoseconds"/>, <see cref="ReadyNanoseconds"/>
/// and <see cref="NeverReady"/>, which the controller copies into settable properties of its own.
/// </summary>
public sealed record NvmeControllerOptions
{
    /// <summary>The PCI vendor ID: 1234h by default, an ID no vendor holds, so no driver applies a vendor quirk.</summary>
    public const ushort DefaultVendorId = 0x1234;

    /// <summary>The PCI device ID: 4E56h ("NV") by default.</summary>
    public const ushort DefaultDeviceId = 0x4E56;

    /// <summary>The default BAR0 address: FEBC0000h (16 KiB aligned; BAR1, the upper half, reads 0).</summary>
    public const ulong DefaultBar0Address = 0xFEBC_0000;

    /// <summary>VS (§3.1.2): <see cref="NvmeRegisters.VS_1_2"/> or <see cref="NvmeRegisters.VS_1_3"/> (the default). Identify Controller's VER reports the same.</summary>
    public uint Version { get; init; } = NvmeRegisters.VS_1_3;

    /// <summary>CAP.MQES + 1: the largest queue a driver may create, in entries, 2 to 65,536. Default 1,024.</summary>
    public int MaximumQueueEntries { get; init; } = 1024;

    /// <summary>CAP.CQR: Contiguous Queues Required (Create I/O CQ/SQ with PC = 0 then fails with Invalid Field). The model supports only contiguous queues, so this is true; false is rejected.</summary>
    public bool ContiguousQueuesRequired { get; init; } = true;

    /// <summary>CAP.TO, in 500 ms units, 1 to 255: the worst-case time to CSTS.RDY a driver waits before giving up. Default 20 (10 s).</summary>
    public int TimeoutUnits { get; init; } = 20;

    /// <summary>CAP.DSTRD, 0 to 4: doorbells are 4 &lt;&lt; DSTRD bytes apart (the doorbells of every queue must fit in BAR0's 16 KiB). Default 0.</summary>
    public int DoorbellStride { get; init; }

    /// <summary>CAP.MPSMAX: the largest memory page size, 2^(12 + n) bytes, 0 to 4 (MPSMIN is 0: 4 KiB). Default 4 (64 KiB).</summary>
    public int MaximumPageSizeExponent { get; init; } = 4;

    /// <summary>The number of I/O submission and completion queues the controller offers (Set Features Number of Queues allocates at most this many of each), 1 to 255. Default 16.</summary>
    public int MaximumIoQueues { get; init; } = 16;

    /// <summary>Identify Controller MDTS: the largest data transfer is 2^MDTS pages of 4 KiB (CAP.MPSMIN), 1 to 10. Default 5 (128 KiB).</summary>
    public int MaximumDataTransferSizeExponent { get; init; } = 5;

    /// <summary>The namespace's size in 512-byte logical blocks, 1 or more. Default 2,097,152 (1 GiB; the RAM image is sparse).</summary>
    public long NamespaceBlocks { get; init; } = 2 * 1024 * 1024;

    /// <summary>The time from CC.EN 0 → 1 to CSTS.RDY, in engine nanoseconds, 0 or more (0: within the register write). Default 0.</summary>
    public long ReadyNanoseconds { get; init; }

    /// <summary>A controller that never sets CSTS.RDY after CC.EN is set (a driver gives up after CAP.TO). Default false.</summary>
    public bool NeverReady { get; init; }

    /// <summary>The time from a command's fetch (its SQ tail doorbell write) to its completion, in engine nanoseconds, 0 or more (0: completed within the doorbell write). Default 0.</summary>
    public long CommandLatencyNanoseconds { get; init; }

    /// <summary>The time from CC.SHN set to CSTS.SHST = 10b (complete), in engine nanoseconds, 0 or more (0: within the register write). Default 0.</summary>
    public long ShutdownNanoseconds { get; init; }

    /// <summary>Identify Controller SN (20 ASCII characters at most).</summary>
    public string SerialNumber { get; init; } = "MT-NVME-0001";

    /// <summary>Identify Controller MN (40 ASCII characters at most).</summary>
    public string ModelNumber { get; init; } = "MiniportTimers emulated NVMe";

    /// <summary>Identify Controller FR (8 ASCII characters at most).</summary>
    public string FirmwareRevision { get; init; } = "1.0";

    /// <summary>The PCI vendor ID (configuration offset 00h); Identify Controller VID and SSVID report it too.</summary>
    public ushort VendorId { get; init; } = DefaultVendorId;

    /// <summary>The PCI device ID (configuration offset 02h).</summary>
    public ushort DeviceId { get; init; } = DefaultDeviceId;

    /// <summary>The PCI revision ID (configuration offset 08h). Default 01h.</summary>
    public byte RevisionId { get; init; } = 0x01;

    /// <summary>BAR0/BAR1: the register space's physical address, 16 KiB aligned, not 0 (a 64-bit memory BAR). Default <see cref="DefaultBar0Address"/>.</summary>
    public ulong Bar0Address { get; init; } = DefaultBar0Address;

    /// <summary>The PCI Interrupt Line register's value (offset 3Ch; for the system's use). Default 11.</summary>
    public byte InterruptLine { get; init; } = 11;

    /// <summary>Throws if an option is out of range.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    internal void Validate()
    {
        Check(Version is NvmeRegisters.VS_1_2 or NvmeRegisters.VS_1_3, nameof(Version), "00010200h or 00010300h");
        Check(MaximumQueueEntries is >= 2 and <= 65536, nameof(MaximumQueueEntries), "2 to 65,536");
        Check(ContiguousQueuesRequired, nameof(ContiguousQueuesRequired), "true (the model supports contiguous queues only)");
        Check(TimeoutUnits is >= 1 and <= 255, nameof(TimeoutUnits), "1 to 255");
        Check(DoorbellStride is >= 0 and <= 4, nameof(DoorbellStride), "0 to 4");
        Check(MaximumPageSizeExponent is >= 0 and <= 4, nameof(MaximumPageSizeExponent), "0 to 4");
        Check(MaximumIoQueues is >= 1 and <= 255, nameof(MaximumIoQueues), "1 to 255");
        Check(NvmeRegisters.CompletionQueueHeadDoorbell(MaximumIoQueues, DoorbellStride) + 4 <= NvmeRegisters.RegisterSpaceLength, nameof(DoorbellStride), "small enough that every queue's doorbells fit in 16 KiB");
        Check(MaximumDataTransferSizeExponent is >= 1 and <= 10, nameof(MaximumDataTransferSizeExponent), "1 to 10");
        Check(NamespaceBlocks >= 1 && NamespaceBlocks <= long.MaxValue / NvmeNamespace.BlockSize, nameof(NamespaceBlocks), "1 or more");
        Check(ReadyNanoseconds >= 0, nameof(ReadyNanoseconds), "0 or more");
        Check(CommandLatencyNanoseconds >= 0, nameof(CommandLatencyNanoseconds), "0 or more");
        Check(ShutdownNanoseconds >= 0, nameof(ShutdownNanoseconds), "0 or more");
        Check(SerialNumber.Length <= 20, nameof(SerialNumber), "20 characters at most");
        Check(ModelNumber.Length <= 40, nameof(ModelNumber), "40 characters at most");
        Check(FirmwareRevision.Length <= 8, nameof(FirmwareRevision), "8 characters at most");
        Check(Bar0Address != 0 && Bar0Address % NvmeRegisters.RegisterSpaceLength == 0, nameof(Bar0Address), "a non-zero multiple of 16 KiB");
    }

    private static void Check(bool condition, string name, string range)
    {
        if (!condition)
        {
            throw new ArgumentException($"{name} must be {range}.");
        }
    }
}
