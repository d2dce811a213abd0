namespace MiniportTimers.Devices.Ahci;

/// <summary>
/// The system memory structures an AHCI HBA reads and writes (Serial ATA AHCI 1.3.1, chapter 4): the received-FIS
/// area (§4.2.1), the command list of command headers (§4.2.2), and the command table with its command FIS and PRDT
/// (§4.2.3). Offsets in bytes; fields little-endian.
/// </summary>
public static class AhciMemoryStructures
{
    // ---- §4.2.1 Received FIS structure (at PxFB; 256 bytes, 256-byte aligned) ----

    /// <summary>The size of the received-FIS area.</summary>
    public const int ReceivedFisLength = 0x100;

    /// <summary>DSFIS: where a DMA Setup FIS is posted.</summary>
    public const int DSFIS = 0x00;

    /// <summary>PSFIS: where a PIO Setup FIS is posted.</summary>
    public const int PSFIS = 0x20;

    /// <summary>RFIS: where a Register Device to Host FIS is posted.</summary>
    public const int RFIS = 0x40;

    /// <summary>SDBFIS: where a Set Device Bits FIS is posted.</summary>
    public const int SDBFIS = 0x58;

    /// <summary>UFIS: where an unknown FIS (up to 64 bytes) is posted.</summary>
    public const int UFIS = 0x60;

    // ---- §4.2.2 Command list (at PxCLB; 32 headers of 32 bytes, 1 KiB aligned) ----

    /// <summary>The size of one command header.</summary>
    public const int CommandHeaderLength = 32;

    /// <summary>The size of a 32-slot command list.</summary>
    public const int CommandListLength = 32 * CommandHeaderLength;

    /// <summary>DW0 bits 4:0: CFL, the command FIS length in dwords (2 to 16; a Register H2D FIS is 5).</summary>
    public const uint HeaderCFL_Mask = 0x1F;

    /// <summary>DW0 bit 5: A, ATAPI (the command table's ACMD holds a SCSI CDB).</summary>
    public const uint HeaderA = 1u << 5;

    /// <summary>DW0 bit 6: W, write (host to device data).</summary>
    public const uint HeaderW = 1u << 6;

    /// <summary>DW0 bit 7: P, prefetchable.</summary>
    public const uint HeaderP = 1u << 7;

    /// <summary>DW0 bit 8: R, reset (part of a software reset sequence).</summary>
    public const uint HeaderR = 1u << 8;

    /// <summary>DW0 bit 9: B, BIST.</summary>
    public const uint HeaderB = 1u << 9;

    /// <summary>DW0 bit 10: C, clear busy upon R_OK (PxTFD.STS.BSY and the PxCI bit clear once the FIS is sent).</summary>
    public const uint HeaderC = 1u << 10;

    /// <summary>DW0 bits 15:12: PMP, port multiplier port.</summary>
    public const uint HeaderPMP_Mask = 0xFu << 12;

    /// <summary>DW0 bits 31:16: PRDTL, the number of PRDT entries.</summary>
    public const int HeaderPRDTL_Shift = 16;

    /// <summary>Byte offset of DW1, PRDBC: the bytes transferred, written by the HBA.</summary>
    public const int HeaderPRDBC = 4;

    /// <summary>Byte offset of DW2, CTBA: the command table base address (bits 31:7; 128-byte aligned).</summary>
    public const int HeaderCTBA = 8;

    /// <summary>Byte offset of DW3, CTBAU: the command table base address, upper 32 bits.</summary>
    public const int HeaderCTBAU = 12;

    // ---- §4.2.3 Command table (at CTBA; 128-byte aligned) ----

    /// <summary>CFIS: the command FIS (up to 64 bytes).</summary>
    public const int CFIS = 0x00;

    /// <summary>ACMD: the ATAPI command (12 or 16 bytes).</summary>
    public const int ACMD = 0x40;

    /// <summary>PRDT: the first physical region descriptor.</summary>
    public const int PRDT = 0x80;

    /// <summary>The size of one PRDT entry (§4.2.3.3).</summary>
    public const int PrdLength = 16;

    /// <summary>PRD byte offset 0, DBA: data base address (bit 0 reserved: word aligned).</summary>
    public const int PrdDBA = 0;

    /// <summary>PRD byte offset 4, DBAU: data base address, upper 32 bits.</summary>
    public const int PrdDBAU = 4;

    /// <summary>PRD byte offset 12, DW3: DBC in bits 21:0 and I in bit 31.</summary>
    public const int PrdDW3 = 12;

    /// <summary>PRD DW3 bits 21:0: DBC, the data byte count minus one (bit 0 is always 1: an even count, at most 4 MiB).</summary>
    public const uint PrdDBC_Mask = 0x3F_FFFF;

    /// <summary>PRD DW3 bit 31: I, interrupt on completion (PxIS.DPS when this region's data has moved).</summary>
    public const uint PrdI = 1u << 31;
}
