namespace MiniportTimers.Devices.Ata;

/// <summary>
/// The ATA task file registers a command carries to the device or a device reports back (ATA8-ACS, in their 48-bit
/// form): what a Register H2D FIS delivers and a Register D2H FIS returns.
/// </summary>
internal struct AtaTaskFile
{
    /// <summary>The Command register.</summary>
    public byte Command;

    /// <summary>Features 15:0.</summary>
    public ushort Features;

    /// <summary>LBA 47:0.</summary>
    public ulong Lba;

    /// <summary>Count 15:0.</summary>
    public ushort Count;

    /// <summary>The Device register.</summary>
    public byte Device;

    /// <summary>The Device Control register (H2D only).</summary>
    public byte Control;
}

/// <summary>How a command moves data (ATA8-ACS protocols; AHCI picks the FISes it posts from it).</summary>
internal enum AtaProtocol
{
    /// <summary>No data; the device ends with a Register D2H FIS.</summary>
    NonData,

    /// <summary>PIO data-in; the device sends a PIO Setup FIS (with the ending status in E_Status) and data, and no Register D2H FIS when it succeeds.</summary>
    PioDataIn,

    /// <summary>DMA data-in; data, then a Register D2H FIS.</summary>
    DmaIn,

    /// <summary>DMA data-out; data, then a Register D2H FIS.</summary>
    DmaOut,
}

/// <summary>How a command ended: the protocol it used, the Status and Error registers, the other output registers, and whether the host's buffers were too small.</summary>
internal readonly record struct AtaCompletion(AtaProtocol Protocol, byte Status, byte Error, AtaTaskFile Outputs, long BytesTransferred, bool Overflow)
{
    /// <summary>The device reported an error (Status.ERR).</summary>
    public bool IsError => (Status & AtaStatus.ERR) != 0;
}
