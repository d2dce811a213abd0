namespace MiniportTimers.Devices.Ata;

/// <summary>
/// ATA command codes (ATA/ATAPI Command Set, ATA8-ACS, chapter 7) that the model's disk answers or that a driver is
/// likely to send; the disk aborts every code it does not implement (docs/devices.md lists what it implements).
/// </summary>
public static class AtaCommands
{
    /// <summary>READ DMA EXT (25h): 48-bit LBA, 16-bit count (0 = 65,536 sectors), DMA data-in. Implemented.</summary>
    public const byte READ_DMA_EXT = 0x25;

    /// <summary>WRITE DMA EXT (35h): 48-bit LBA, 16-bit count, DMA data-out. Implemented.</summary>
    public const byte WRITE_DMA_EXT = 0x35;

    /// <summary>READ FPDMA QUEUED (60h): NCQ; not implemented (the disk does not report NCQ), aborted.</summary>
    public const byte READ_FPDMA_QUEUED = 0x60;

    /// <summary>WRITE FPDMA QUEUED (61h): NCQ; not implemented, aborted.</summary>
    public const byte WRITE_FPDMA_QUEUED = 0x61;

    /// <summary>EXECUTE DEVICE DIAGNOSTIC (90h): not implemented, aborted.</summary>
    public const byte EXECUTE_DEVICE_DIAGNOSTIC = 0x90;

    /// <summary>PACKET (A0h): ATAPI only; aborted by an ATA disk.</summary>
    public const byte PACKET = 0xA0;

    /// <summary>IDENTIFY PACKET DEVICE (A1h): ATAPI only; aborted by an ATA disk.</summary>
    public const byte IDENTIFY_PACKET_DEVICE = 0xA1;

    /// <summary>SMART (B0h): not implemented (IDENTIFY does not report it), aborted.</summary>
    public const byte SMART = 0xB0;

    /// <summary>READ LOG EXT (2Fh): General Purpose Logging; not implemented (IDENTIFY does not report it), aborted.</summary>
    public const byte READ_LOG_EXT = 0x2F;

    /// <summary>STANDBY IMMEDIATE (E0h): non-data; the disk enters Standby. Implemented.</summary>
    public const byte STANDBY_IMMEDIATE = 0xE0;

    /// <summary>CHECK POWER MODE (E5h): not implemented, aborted.</summary>
    public const byte CHECK_POWER_MODE = 0xE5;

    /// <summary>FLUSH CACHE (E7h): the 28-bit flush; not implemented, aborted (the disk reports FLUSH CACHE EXT only).</summary>
    public const byte FLUSH_CACHE = 0xE7;

    /// <summary>FLUSH CACHE EXT (EAh): non-data. Implemented.</summary>
    public const byte FLUSH_CACHE_EXT = 0xEA;

    /// <summary>IDENTIFY DEVICE (ECh): PIO data-in, 512 bytes. Implemented.</summary>
    public const byte IDENTIFY_DEVICE = 0xEC;

    /// <summary>SET FEATURES (EFh): non-data; the subcommand is in the Features register. Implemented for the subcommands <see cref="AtaSetFeatures"/> lists.</summary>
    public const byte SET_FEATURES = 0xEF;

    /// <summary>SECURITY FREEZE LOCK (F5h): not implemented (no security feature set), aborted.</summary>
    public const byte SECURITY_FREEZE_LOCK = 0xF5;
}

/// <summary>SET FEATURES subcommands (the Features register of SET FEATURES, ATA8-ACS) the model's disk accepts; any other aborts.</summary>
public static class AtaSetFeatures
{
    /// <summary>02h: enable the volatile write cache (IDENTIFY word 85 bit 5 follows).</summary>
    public const byte EnableWriteCache = 0x02;

    /// <summary>03h: set transfer mode from the Count register (PIO 08h-0Ch, Multiword DMA 20h-22h, Ultra DMA 40h-46h).</summary>
    public const byte SetTransferMode = 0x03;

    /// <summary>10h: enable a SATA feature (Count: 02h DMA Setup auto-activate, 03h device-initiated power management, 06h software settings preservation).</summary>
    public const byte EnableSataFeature = 0x10;

    /// <summary>55h: disable read look-ahead.</summary>
    public const byte DisableReadLookAhead = 0x55;

    /// <summary>66h: disable reverting to power-on defaults.</summary>
    public const byte DisableRevertToPowerOnDefaults = 0x66;

    /// <summary>82h: disable the volatile write cache.</summary>
    public const byte DisableWriteCache = 0x82;

    /// <summary>90h: disable a SATA feature (Count as for <see cref="EnableSataFeature"/>).</summary>
    public const byte DisableSataFeature = 0x90;

    /// <summary>AAh: enable read look-ahead.</summary>
    public const byte EnableReadLookAhead = 0xAA;

    /// <summary>CCh: enable reverting to power-on defaults.</summary>
    public const byte EnableRevertToPowerOnDefaults = 0xCC;
}

/// <summary>The ATA Status register's bits (ATA8-ACS; the low byte of AHCI's PxTFD).</summary>
public static class AtaStatus
{
    /// <summary>BSY (bit 7): the device is busy.</summary>
    public const byte BSY = 0x80;

    /// <summary>DRDY (bit 6): the device is ready to accept commands.</summary>
    public const byte DRDY = 0x40;

    /// <summary>DF (bit 5): device fault.</summary>
    public const byte DF = 0x20;

    /// <summary>DSC (bit 4): seek complete (obsolete, still set by devices after reset).</summary>
    public const byte DSC = 0x10;

    /// <summary>DRQ (bit 3): data request.</summary>
    public const byte DRQ = 0x08;

    /// <summary>ERR (bit 0): an error occurred; the Error register says which.</summary>
    public const byte ERR = 0x01;
}

/// <summary>The ATA Error register's bits (ATA8-ACS; the high byte of AHCI's PxTFD).</summary>
public static class AtaError
{
    /// <summary>ICRC (bit 7): interface CRC error.</summary>
    public const byte ICRC = 0x80;

    /// <summary>UNC (bit 6): uncorrectable data error.</summary>
    public const byte UNC = 0x40;

    /// <summary>IDNF (bit 4): the requested address is out of range (ID not found).</summary>
    public const byte IDNF = 0x10;

    /// <summary>ABRT (bit 2): the command was aborted (not supported, or an invalid parameter).</summary>
    public const byte ABRT = 0x04;

    /// <summary>The Error register after a reset with diagnostics passed (device 0 passed, no device 1): 01h.</summary>
    public const byte DiagnosticsPassed = 0x01;
}
