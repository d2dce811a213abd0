namespace MiniportTimers.Devices.Pcnet;

/// <summary>
/// The register map of the AMD PCnet-PCI II (Am79C970A data sheet, publication 19436): the I/O resources (section
/// "Software Access: I/O Resources"), the control and status registers (CSRs, reached through RAP and RDP), the bus
/// configuration registers (BCRs, through RAP and BDP), and the descriptor and initialization block layouts of software
/// style 2 (32-bit). Names are the data sheet's; each value says which section defines it.
/// </summary>
public static class PcnetRegisters
{
    // ---- I/O resource map (data sheet "I/O Resources", Table "I/O Map In Word I/O Mode (DWIO = 0)" and "... DWord I/O Mode (DWIO = 1)") ----

    /// <summary>Bytes of I/O space the function decodes (BAR0).</summary>
    public const int IoLength = 0x20;

    /// <summary>The address PROM: 16 bytes at offset 0, the station address in bytes 0-5 and 'W','W' in bytes 14-15.</summary>
    public const int Aprom = 0x00;

    /// <summary>Register Data Port, both modes.</summary>
    public const int Rdp = 0x10;

    /// <summary>Register Address Pointer, word I/O mode.</summary>
    public const int Rap16 = 0x12;

    /// <summary>Reset register, word I/O mode: a read performs S_RESET.</summary>
    public const int Reset16 = 0x14;

    /// <summary>BCR Data Port, word I/O mode.</summary>
    public const int Bdp16 = 0x16;

    /// <summary>Register Address Pointer, double-word I/O mode.</summary>
    public const int Rap32 = 0x14;

    /// <summary>Reset register, double-word I/O mode.</summary>
    public const int Reset32 = 0x18;

    /// <summary>BCR Data Port, double-word I/O mode.</summary>
    public const int Bdp32 = 0x1C;

    // ---- CSR0: Controller Status and Control Register ----

    /// <summary>CSR0.INIT: read the initialization block.</summary>
    public const ushort CSR0_INIT = 0x0001;

    /// <summary>CSR0.STRT: enable transmit and receive.</summary>
    public const ushort CSR0_STRT = 0x0002;

    /// <summary>CSR0.STOP: stop all activity; takes precedence over INIT and STRT.</summary>
    public const ushort CSR0_STOP = 0x0004;

    /// <summary>CSR0.TDMD: transmit demand (poll the transmit ring now).</summary>
    public const ushort CSR0_TDMD = 0x0008;

    /// <summary>CSR0.TXON (read-only): the transmitter is on.</summary>
    public const ushort CSR0_TXON = 0x0010;

    /// <summary>CSR0.RXON (read-only): the receiver is on.</summary>
    public const ushort CSR0_RXON = 0x0020;

    /// <summary>CSR0.IENA: interrupt enable (INTA is driven while IENA and INTR are set).</summary>
    public const ushort CSR0_IENA = 0x0040;

    /// <summary>CSR0.INTR (read-only): an unmasked interrupt flag is set.</summary>
    public const ushort CSR0_INTR = 0x0080;

    /// <summary>CSR0.IDON (write 1 to clear): the initialization block was read.</summary>
    public const ushort CSR0_IDON = 0x0100;

    /// <summary>CSR0.TINT (write 1 to clear): a transmit descriptor was given back.</summary>
    public const ushort CSR0_TINT = 0x0200;

    /// <summary>CSR0.RINT (write 1 to clear): a receive descriptor was given back.</summary>
    public const ushort CSR0_RINT = 0x0400;

    /// <summary>CSR0.MERR (write 1 to clear): memory error (a DMA address nothing maps).</summary>
    public const ushort CSR0_MERR = 0x0800;

    /// <summary>CSR0.MISS (write 1 to clear): a frame was missed (no receive descriptor owned by the chip).</summary>
    public const ushort CSR0_MISS = 0x1000;

    /// <summary>CSR0.CERR (write 1 to clear): collision error.</summary>
    public const ushort CSR0_CERR = 0x2000;

    /// <summary>CSR0.BABL (write 1 to clear): transmitter babble.</summary>
    public const ushort CSR0_BABL = 0x4000;

    /// <summary>CSR0.ERR (read-only): BABL, CERR, MISS or MERR.</summary>
    public const ushort CSR0_ERR = 0x8000;

    /// <summary>CSR0's write-1-to-clear flags.</summary>
    public const ushort CSR0_W1C = CSR0_IDON | CSR0_TINT | CSR0_RINT | CSR0_MERR | CSR0_MISS | CSR0_CERR | CSR0_BABL;

    // ---- CSR numbers ----

    /// <summary>CSR1: IADR[15:0], the initialization block address.</summary>
    public const int CSR1 = 1;

    /// <summary>CSR2: IADR[31:16] (with SSIZE32; bits 23:16 otherwise).</summary>
    public const int CSR2 = 2;

    /// <summary>CSR3: interrupt masks and deferral control.</summary>
    public const int CSR3 = 3;

    /// <summary>CSR4: test and features control (reset value 0115h).</summary>
    public const int CSR4 = 4;

    /// <summary>CSR5: extended control and interrupt 1.</summary>
    public const int CSR5 = 5;

    /// <summary>CSR6: RX/TX descriptor table length (read-only copy of the init block's RLEN/TLEN).</summary>
    public const int CSR6 = 6;

    /// <summary>CSR8-11: the logical address filter LADRF[63:0].</summary>
    public const int CSR8 = 8;

    /// <summary>CSR12-14: the physical address PADR[47:0].</summary>
    public const int CSR12 = 12;

    /// <summary>CSR15: mode (loaded from the init block's MODE).</summary>
    public const int CSR15 = 15;

    /// <summary>CSR24/25: BADR, the receive ring's base address.</summary>
    public const int CSR24 = 24;

    /// <summary>CSR30/31: BADX, the transmit ring's base address.</summary>
    public const int CSR30 = 30;

    /// <summary>CSR58: software style (the same register as BCR20).</summary>
    public const int CSR58 = 58;

    /// <summary>CSR76: RCVRL, the receive ring length (two's complement).</summary>
    public const int CSR76 = 76;

    /// <summary>CSR78: XMTRL, the transmit ring length (two's complement).</summary>
    public const int CSR78 = 78;

    /// <summary>CSR88: chip ID lower (Am79C970A: part 2621h, manufacturer 001h, bit 0 set).</summary>
    public const int CSR88 = 88;

    /// <summary>CSR89: chip ID upper.</summary>
    public const int CSR89 = 89;

    /// <summary>The CSR numbers RAP can select (0-127).</summary>
    public const int CsrCount = 128;

    // CSR3 masks
    /// <summary>CSR3.IDONM: mask IDON.</summary>
    public const ushort CSR3_IDONM = 0x0100;

    /// <summary>CSR3.TINTM: mask TINT.</summary>
    public const ushort CSR3_TINTM = 0x0200;

    /// <summary>CSR3.RINTM: mask RINT.</summary>
    public const ushort CSR3_RINTM = 0x0400;

    /// <summary>CSR3.MERRM: mask MERR.</summary>
    public const ushort CSR3_MERRM = 0x0800;

    /// <summary>CSR3.MISSM: mask MISS.</summary>
    public const ushort CSR3_MISSM = 0x1000;

    /// <summary>CSR4 after H_RESET and S_RESET.</summary>
    public const ushort CSR4_Reset = 0x0115;

    /// <summary>CSR4.APAD_XMT: pad short transmit frames to 64 bytes.</summary>
    public const ushort CSR4_APAD_XMT = 0x0800;

    /// <summary>CSR4.DPOLL: disable transmit polling.</summary>
    public const ushort CSR4_DPOLL = 0x1000;

    // CSR15 mode
    /// <summary>CSR15.DRX: disable the receiver.</summary>
    public const ushort CSR15_DRX = 0x0001;

    /// <summary>CSR15.DTX: disable the transmitter.</summary>
    public const ushort CSR15_DTX = 0x0002;

    /// <summary>CSR15.DRCVPA: do not accept frames to the physical address.</summary>
    public const ushort CSR15_DRCVPA = 0x2000;

    /// <summary>CSR15.DRCVBC: do not accept broadcast frames.</summary>
    public const ushort CSR15_DRCVBC = 0x4000;

    /// <summary>CSR15.PROM: promiscuous mode.</summary>
    public const ushort CSR15_PROM = 0x8000;

    // CSR58 / BCR20
    /// <summary>CSR58.SWSTYLE field (bits 7:0).</summary>
    public const ushort CSR58_SWSTYLE = 0x00FF;

    /// <summary>CSR58.SSIZE32 (read-only): 32-bit software structures (styles 1, 2, 3).</summary>
    public const ushort CSR58_SSIZE32 = 0x0100;

    /// <summary>CSR58.CSRPCNET (read-only): PCnet-ISA register set (styles 0, 2, 3).</summary>
    public const ushort CSR58_CSRPCNET = 0x0200;

    // ---- BCR numbers ----

    /// <summary>BCR2: miscellaneous configuration (reset 0002h: ASEL).</summary>
    public const int BCR2 = 2;

    /// <summary>BCR4: LED0 status (link status by default, reset 00C0h).</summary>
    public const int BCR4 = 4;

    /// <summary>BCR5: LED1 status (reset 0084h).</summary>
    public const int BCR5 = 5;

    /// <summary>BCR6: LED2 status (reset 0088h).</summary>
    public const int BCR6 = 6;

    /// <summary>BCR7: LED3 status (reset 0090h).</summary>
    public const int BCR7 = 7;

    /// <summary>BCR9: full-duplex control.</summary>
    public const int BCR9 = 9;

    /// <summary>BCR18: burst and bus control (DWIO is bit 7, read-only).</summary>
    public const int BCR18 = 18;

    /// <summary>BCR20: software style (the same register as CSR58).</summary>
    public const int BCR20 = 20;

    /// <summary>The BCR numbers RAP can select here (0-31; the 79C970A has BCR0-22).</summary>
    public const int BcrCount = 32;

    /// <summary>BCR2.APROMWE: the address PROM is writable.</summary>
    public const ushort BCR2_APROMWE = 0x0100;

    // LED registers (BCR4-7): status enables, and LEDOUT
    /// <summary>BCRx.LNKSTE: the LED shows link status.</summary>
    public const ushort LED_LNKSTE = 0x0040;

    /// <summary>BCRx.FDLSE: the LED shows full-duplex link status.</summary>
    public const ushort LED_FDLSE = 0x0100;

    /// <summary>BCRx.E100: the LED shows 100 Mb/s (never true on the 10 Mb/s Am79C970A).</summary>
    public const ushort LED_E100 = 0x1000;

    /// <summary>BCRx.LEDOUT (read-only): the OR of the enabled status signals.</summary>
    public const ushort LED_LEDOUT = 0x8000;

    /// <summary>BCR9.FDEN: full-duplex enable.</summary>
    public const ushort BCR9_FDEN = 0x0001;

    /// <summary>BCR18.DWIO (read-only): double-word I/O mode, entered by a 32-bit write to RDP.</summary>
    public const ushort BCR18_DWIO = 0x0080;

    // ---- Software style 2 structures (data sheet "Initialization Block", "Receive Descriptors", "Transmit Descriptors") ----

    /// <summary>Bytes of the 32-bit initialization block: MODE, RLEN, TLEN, PADR, LADRF, RDRA, TDRA.</summary>
    public const int InitBlockLength = 28;

    /// <summary>Bytes of a software style 2 descriptor (RMD0-3 / TMD0-3).</summary>
    public const int DescriptorLength = 16;

    /// <summary>RMD1/TMD1 bit 31: OWN, the descriptor belongs to the chip.</summary>
    public const uint MD1_OWN = 0x8000_0000;

    /// <summary>RMD1/TMD1 bit 30: ERR.</summary>
    public const uint MD1_ERR = 0x4000_0000;

    /// <summary>RMD1/TMD1 bit 25: STP, start of packet.</summary>
    public const uint MD1_STP = 0x0200_0000;

    /// <summary>RMD1/TMD1 bit 24: ENP, end of packet.</summary>
    public const uint MD1_ENP = 0x0100_0000;

    /// <summary>RMD1 bit 26: BUFF, buffer error (the frame did not fit the chain).</summary>
    public const uint RMD1_BUFF = 0x0400_0000;

    /// <summary>RMD1 bit 22: PAM, physical address match.</summary>
    public const uint RMD1_PAM = 0x0040_0000;

    /// <summary>RMD1 bit 20: BAM, broadcast address match.</summary>
    public const uint RMD1_BAM = 0x0010_0000;

    /// <summary>RMD1 bit 21: LAFM, logical address filter match.</summary>
    public const uint RMD1_LAFM = 0x0020_0000;

    /// <summary>TMD2 bit 27: LCAR, loss of carrier (the link was down).</summary>
    public const uint TMD2_LCAR = 0x0800_0000;

    /// <summary>TMD2 bit 31: BUFF, buffer error (a chain without ENP).</summary>
    public const uint TMD2_BUFF = 0x8000_0000;
}
