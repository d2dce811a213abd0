namespace MiniportTimers.Devices.Ahci;

/// <summary>
/// The AHCI register map (Serial ATA AHCI 1.3.1, chapter 3 "HBA Memory Registers"): byte offsets from ABAR, and the
/// fields of each register, spelled as the specification spells them (<c>CAP.S64A</c> is <see cref="CAP_S64A"/>,
/// <c>PxCMD.ST</c> is <see cref="PxCMD_ST"/>). Port register offsets are relative to the port's 80h-byte block at
/// <see cref="PortRegistersBase"/> + port × <see cref="PortRegistersStride"/>; <see cref="PortRegister"/> adds them up.
/// </summary>
public static class AhciRegisters
{
    // ---- §3.1 Generic Host Control (offsets from ABAR) ----

    /// <summary>§3.1.1 CAP, Host Capabilities (HwInit, read-only).</summary>
    public const int CAP = 0x00;

    /// <summary>§3.1.2 GHC, Global HBA Control.</summary>
    public const int GHC = 0x04;

    /// <summary>§3.1.3 IS, Interrupt Status (one IPS bit per port, write 1 to clear).</summary>
    public const int IS = 0x08;

    /// <summary>§3.1.4 PI, Ports Implemented (HwInit).</summary>
    public const int PI = 0x0C;

    /// <summary>§3.1.5 VS, Version.</summary>
    public const int VS = 0x10;

    /// <summary>§3.1.6 CCC_CTL, Command Completion Coalescing Control (not implemented: CAP.CCCS = 0, reads 0).</summary>
    public const int CCC_CTL = 0x14;

    /// <summary>§3.1.7 CCC_PORTS, Command Completion Coalescing Ports (not implemented, reads 0).</summary>
    public const int CCC_PORTS = 0x18;

    /// <summary>§3.1.8 EM_LOC, Enclosure Management Location (not implemented: CAP.EMS = 0, reads 0).</summary>
    public const int EM_LOC = 0x1C;

    /// <summary>§3.1.9 EM_CTL, Enclosure Management Control (not implemented, reads 0).</summary>
    public const int EM_CTL = 0x20;

    /// <summary>§3.1.10 CAP2, Host Capabilities Extended (HwInit).</summary>
    public const int CAP2 = 0x24;

    /// <summary>§3.1.11 BOHC, BIOS/OS Handoff Control and Status (not implemented: CAP2.BOH = 0, reads 0).</summary>
    public const int BOHC = 0x28;

    /// <summary>§3.3: the first port's registers start at 100h.</summary>
    public const int PortRegistersBase = 0x100;

    /// <summary>§3.3: each port's register block is 80h bytes.</summary>
    public const int PortRegistersStride = 0x80;

    /// <summary>The size of the register space the model decodes (ABAR's size: 8 KiB, room for 32 ports).</summary>
    public const int RegisterSpaceLength = 0x2000;

    // ---- §3.3 Port registers (offsets within a port's block) ----

    /// <summary>§3.3.1 PxCLB, Command List Base Address (bits 31:10; 1 KiB aligned).</summary>
    public const int PxCLB = 0x00;

    /// <summary>§3.3.2 PxCLBU, Command List Base Address Upper 32 bits (read/write when CAP.S64A).</summary>
    public const int PxCLBU = 0x04;

    /// <summary>§3.3.3 PxFB, FIS Base Address (bits 31:8; 256-byte aligned).</summary>
    public const int PxFB = 0x08;

    /// <summary>§3.3.4 PxFBU, FIS Base Address Upper 32 bits (read/write when CAP.S64A).</summary>
    public const int PxFBU = 0x0C;

    /// <summary>§3.3.5 PxIS, Port x Interrupt Status (write 1 to clear, except the bits that reflect PxSERR).</summary>
    public const int PxIS = 0x10;

    /// <summary>§3.3.6 PxIE, Port x Interrupt Enable.</summary>
    public const int PxIE = 0x14;

    /// <summary>§3.3.7 PxCMD, Port x Command and Status.</summary>
    public const int PxCMD = 0x18;

    /// <summary>§3.3.8 PxTFD, Port x Task File Data (read-only: STS in bits 7:0, ERR in bits 15:8).</summary>
    public const int PxTFD = 0x20;

    /// <summary>§3.3.9 PxSIG, Port x Signature (read-only).</summary>
    public const int PxSIG = 0x24;

    /// <summary>§3.3.10 PxSSTS, Port x Serial ATA Status (SCR0: SStatus; read-only).</summary>
    public const int PxSSTS = 0x28;

    /// <summary>§3.3.11 PxSCTL, Port x Serial ATA Control (SCR2: SControl).</summary>
    public const int PxSCTL = 0x2C;

    /// <summary>§3.3.12 PxSERR, Port x Serial ATA Error (SCR1: SError; write 1 to clear).</summary>
    public const int PxSERR = 0x30;

    /// <summary>§3.3.13 PxSACT, Port x Serial ATA Active (SCR3: SActive).</summary>
    public const int PxSACT = 0x34;

    /// <summary>§3.3.14 PxCI, Port x Command Issue.</summary>
    public const int PxCI = 0x38;

    /// <summary>§3.3.15 PxSNTF, Port x Serial ATA Notification (SCR4: SNotification; PMN write 1 to clear).</summary>
    public const int PxSNTF = 0x3C;

    /// <summary>§3.3.16 PxFBS, Port x FIS-based Switching Control (not implemented: CAP.FBSS = 0, reads 0).</summary>
    public const int PxFBS = 0x40;

    /// <summary>§3.3.17 PxDEVSLP, Port x Device Sleep (not implemented: CAP2.SDS = 0, reads 0).</summary>
    public const int PxDEVSLP = 0x44;

    /// <summary>The offset from ABAR of port <paramref name="port"/>'s register <paramref name="register"/>.</summary>
    /// <param name="port">The port number, 0 to 31.</param>
    /// <param name="register">A port register offset (<see cref="PxCLB"/> .. <see cref="PxDEVSLP"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static int PortRegister(int port, int register)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 31);
        ArgumentOutOfRangeException.ThrowIfNegative(register);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(register, PortRegistersStride - 4);
        return PortRegistersBase + (port * PortRegistersStride) + register;
    }

    // ---- §3.1.1 CAP fields ----

    /// <summary>CAP.S64A (bit 31): Supports 64-bit Addressing (PxCLBU, PxFBU, CTBAU, DBAU are used).</summary>
    public const uint CAP_S64A = 1u << 31;

    /// <summary>CAP.SNCQ (bit 30): Supports Native Command Queuing.</summary>
    public const uint CAP_SNCQ = 1u << 30;

    /// <summary>CAP.SSNTF (bit 29): Supports SNotification Register.</summary>
    public const uint CAP_SSNTF = 1u << 29;

    /// <summary>CAP.SMPS (bit 28): Supports Mechanical Presence Switch.</summary>
    public const uint CAP_SMPS = 1u << 28;

    /// <summary>CAP.SSS (bit 27): Supports Staggered Spin-up (PxCMD.SUD is read/write).</summary>
    public const uint CAP_SSS = 1u << 27;

    /// <summary>CAP.SALP (bit 26): Supports Aggressive Link Power Management (PxCMD.ALPE, ASP).</summary>
    public const uint CAP_SALP = 1u << 26;

    /// <summary>CAP.SAL (bit 25): Supports Activity LED.</summary>
    public const uint CAP_SAL = 1u << 25;

    /// <summary>CAP.SCLO (bit 24): Supports Command List Override (PxCMD.CLO).</summary>
    public const uint CAP_SCLO = 1u << 24;

    /// <summary>CAP.ISS (bits 23:20): Interface Speed Support: 1 Gen 1 (1.5 Gb/s), 2 Gen 2 (3 Gb/s), 3 Gen 3 (6 Gb/s).</summary>
    public const uint CAP_ISS_Mask = 0xFu << 20;

    /// <summary>The shift of CAP.ISS.</summary>
    public const int CAP_ISS_Shift = 20;

    /// <summary>CAP.SAM (bit 18): Supports AHCI mode only (GHC.AE is read-only 1).</summary>
    public const uint CAP_SAM = 1u << 18;

    /// <summary>CAP.SPM (bit 17): Supports Port Multiplier.</summary>
    public const uint CAP_SPM = 1u << 17;

    /// <summary>CAP.FBSS (bit 16): FIS-based Switching Supported.</summary>
    public const uint CAP_FBSS = 1u << 16;

    /// <summary>CAP.PMD (bit 15): PIO Multiple DRQ Block.</summary>
    public const uint CAP_PMD = 1u << 15;

    /// <summary>CAP.SSC (bit 14): Slumber State Capable.</summary>
    public const uint CAP_SSC = 1u << 14;

    /// <summary>CAP.PSC (bit 13): Partial State Capable.</summary>
    public const uint CAP_PSC = 1u << 13;

    /// <summary>CAP.NCS (bits 12:8): Number of Command Slots, 0-based (31 = 32 slots).</summary>
    public const uint CAP_NCS_Mask = 0x1Fu << 8;

    /// <summary>The shift of CAP.NCS.</summary>
    public const int CAP_NCS_Shift = 8;

    /// <summary>CAP.CCCS (bit 7): Command Completion Coalescing Supported.</summary>
    public const uint CAP_CCCS = 1u << 7;

    /// <summary>CAP.EMS (bit 6): Enclosure Management Supported.</summary>
    public const uint CAP_EMS = 1u << 6;

    /// <summary>CAP.SXS (bit 5): Supports External SATA.</summary>
    public const uint CAP_SXS = 1u << 5;

    /// <summary>CAP.NP (bits 4:0): Number of Ports, 0-based.</summary>
    public const uint CAP_NP_Mask = 0x1Fu;

    // ---- §3.1.2 GHC fields ----

    /// <summary>GHC.AE (bit 31): AHCI Enable.</summary>
    public const uint GHC_AE = 1u << 31;

    /// <summary>GHC.MRSM (bit 2): MSI Revert to Single Message.</summary>
    public const uint GHC_MRSM = 1u << 2;

    /// <summary>GHC.IE (bit 1): Interrupt Enable.</summary>
    public const uint GHC_IE = 1u << 1;

    /// <summary>GHC.HR (bit 0): HBA Reset; the HBA clears it when the reset is complete (§10.4.3).</summary>
    public const uint GHC_HR = 1u << 0;

    // ---- §3.1.5 VS ----

    /// <summary>VS for AHCI 1.3: major 0001h in bits 31:16, minor 0300h in bits 15:0.</summary>
    public const uint VS_1_3 = 0x0001_0300;

    // ---- §3.1.10 CAP2 fields ----

    /// <summary>CAP2.BOH (bit 0): BIOS/OS Handoff.</summary>
    public const uint CAP2_BOH = 1u << 0;

    /// <summary>CAP2.NVMP (bit 1): NVMHCI Present.</summary>
    public const uint CAP2_NVMP = 1u << 1;

    /// <summary>CAP2.APST (bit 2): Automatic Partial to Slumber Transitions.</summary>
    public const uint CAP2_APST = 1u << 2;

    /// <summary>CAP2.SDS (bit 3): Supports Device Sleep.</summary>
    public const uint CAP2_SDS = 1u << 3;

    /// <summary>CAP2.SADM (bit 4): Supports Aggressive Device Sleep Management.</summary>
    public const uint CAP2_SADM = 1u << 4;

    /// <summary>CAP2.DESO (bit 5): DevSleep Entrance from Slumber Only.</summary>
    public const uint CAP2_DESO = 1u << 5;

    // ---- §3.3.5 PxIS fields (§3.3.6 PxIE uses the same bit positions, named ...E) ----

    /// <summary>PxIS.DHRS (bit 0): Device to Host Register FIS Interrupt: a D2H Register FIS with the I bit was received.</summary>
    public const uint PxIS_DHRS = 1u << 0;

    /// <summary>PxIS.PSS (bit 1): PIO Setup FIS Interrupt.</summary>
    public const uint PxIS_PSS = 1u << 1;

    /// <summary>PxIS.DSS (bit 2): DMA Setup FIS Interrupt.</summary>
    public const uint PxIS_DSS = 1u << 2;

    /// <summary>PxIS.SDBS (bit 3): Set Device Bits Interrupt.</summary>
    public const uint PxIS_SDBS = 1u << 3;

    /// <summary>PxIS.UFS (bit 4): Unknown FIS Interrupt; read-only, reflects PxSERR.DIAG.F.</summary>
    public const uint PxIS_UFS = 1u << 4;

    /// <summary>PxIS.DPS (bit 5): Descriptor Processed: a PRD with the I bit has transferred all its data.</summary>
    public const uint PxIS_DPS = 1u << 5;

    /// <summary>PxIS.PCS (bit 6): Port Connect Change Status; read-only, reflects PxSERR.DIAG.X.</summary>
    public const uint PxIS_PCS = 1u << 6;

    /// <summary>PxIS.DMPS (bit 7): Device Mechanical Presence Status.</summary>
    public const uint PxIS_DMPS = 1u << 7;

    /// <summary>PxIS.PRCS (bit 22): PhyRdy Change Status; read-only, reflects PxSERR.DIAG.N.</summary>
    public const uint PxIS_PRCS = 1u << 22;

    /// <summary>PxIS.IPMS (bit 23): Incorrect Port Multiplier Status.</summary>
    public const uint PxIS_IPMS = 1u << 23;

    /// <summary>PxIS.OFS (bit 24): Overflow Status: the device sent more data than the PRDT describes (fatal).</summary>
    public const uint PxIS_OFS = 1u << 24;

    /// <summary>PxIS.INFS (bit 26): Interface Non-fatal Error Status.</summary>
    public const uint PxIS_INFS = 1u << 26;

    /// <summary>PxIS.IFS (bit 27): Interface Fatal Error Status.</summary>
    public const uint PxIS_IFS = 1u << 27;

    /// <summary>PxIS.HBDS (bit 28): Host Bus Data Error Status.</summary>
    public const uint PxIS_HBDS = 1u << 28;

    /// <summary>PxIS.HBFS (bit 29): Host Bus Fatal Error Status (a system memory access failed; fatal).</summary>
    public const uint PxIS_HBFS = 1u << 29;

    /// <summary>PxIS.TFES (bit 30): Task File Error Status: the device reported an error (STS.ERR).</summary>
    public const uint PxIS_TFES = 1u << 30;

    /// <summary>PxIS.CPDS (bit 31): Cold Port Detect Status.</summary>
    public const uint PxIS_CPDS = 1u << 31;

    // ---- §3.3.7 PxCMD fields ----

    /// <summary>PxCMD.ST (bit 0): Start: the HBA may process the command list.</summary>
    public const uint PxCMD_ST = 1u << 0;

    /// <summary>PxCMD.SUD (bit 1): Spin-Up Device (read/write when CAP.SSS, else read-only 1).</summary>
    public const uint PxCMD_SUD = 1u << 1;

    /// <summary>PxCMD.POD (bit 2): Power On Device (read/write when PxCMD.CPD, else read-only 1).</summary>
    public const uint PxCMD_POD = 1u << 2;

    /// <summary>PxCMD.CLO (bit 3): Command List Override: clears PxTFD.STS.BSY and DRQ, then clears itself.</summary>
    public const uint PxCMD_CLO = 1u << 3;

    /// <summary>PxCMD.FRE (bit 4): FIS Receive Enable.</summary>
    public const uint PxCMD_FRE = 1u << 4;

    /// <summary>PxCMD.CCS (bits 12:8): Current Command Slot.</summary>
    public const uint PxCMD_CCS_Mask = 0x1Fu << 8;

    /// <summary>The shift of PxCMD.CCS.</summary>
    public const int PxCMD_CCS_Shift = 8;

    /// <summary>PxCMD.MPSS (bit 13): Mechanical Presence Switch State.</summary>
    public const uint PxCMD_MPSS = 1u << 13;

    /// <summary>PxCMD.FR (bit 14): FIS Receive Running.</summary>
    public const uint PxCMD_FR = 1u << 14;

    /// <summary>PxCMD.CR (bit 15): Command List Running.</summary>
    public const uint PxCMD_CR = 1u << 15;

    /// <summary>PxCMD.CPS (bit 16): Cold Presence State.</summary>
    public const uint PxCMD_CPS = 1u << 16;

    /// <summary>PxCMD.PMA (bit 17): Port Multiplier Attached.</summary>
    public const uint PxCMD_PMA = 1u << 17;

    /// <summary>PxCMD.HPCP (bit 18): Hot Plug Capable Port (HwInit).</summary>
    public const uint PxCMD_HPCP = 1u << 18;

    /// <summary>PxCMD.MPSP (bit 19): Mechanical Presence Switch Attached to Port (HwInit).</summary>
    public const uint PxCMD_MPSP = 1u << 19;

    /// <summary>PxCMD.CPD (bit 20): Cold Presence Detection (HwInit).</summary>
    public const uint PxCMD_CPD = 1u << 20;

    /// <summary>PxCMD.ESP (bit 21): External SATA Port (HwInit).</summary>
    public const uint PxCMD_ESP = 1u << 21;

    /// <summary>PxCMD.FBSCP (bit 22): FIS-based Switching Capable Port (HwInit).</summary>
    public const uint PxCMD_FBSCP = 1u << 22;

    /// <summary>PxCMD.APSTE (bit 23): Automatic Partial to Slumber Transitions Enabled.</summary>
    public const uint PxCMD_APSTE = 1u << 23;

    /// <summary>PxCMD.ATAPI (bit 24): Device is ATAPI.</summary>
    public const uint PxCMD_ATAPI = 1u << 24;

    /// <summary>PxCMD.DLAE (bit 25): Drive LED on ATAPI Enable.</summary>
    public const uint PxCMD_DLAE = 1u << 25;

    /// <summary>PxCMD.ALPE (bit 26): Aggressive Link Power Management Enable (§8.3.1.3).</summary>
    public const uint PxCMD_ALPE = 1u << 26;

    /// <summary>PxCMD.ASP (bit 27): Aggressive Slumber / Partial (1 Slumber, 0 Partial).</summary>
    public const uint PxCMD_ASP = 1u << 27;

    /// <summary>PxCMD.ICC (bits 31:28): Interface Communication Control: 0 Idle, 1 Active, 2 Partial, 6 Slumber, 8 DevSleep.</summary>
    public const uint PxCMD_ICC_Mask = 0xFu << 28;

    /// <summary>The shift of PxCMD.ICC.</summary>
    public const int PxCMD_ICC_Shift = 28;

    // ---- §3.3.8 PxTFD fields ----

    /// <summary>PxTFD.STS (bits 7:0): the device's ATA Status register.</summary>
    public const uint PxTFD_STS_Mask = 0xFFu;

    /// <summary>PxTFD.ERR (bits 15:8): the device's ATA Error register.</summary>
    public const uint PxTFD_ERR_Mask = 0xFFu << 8;

    /// <summary>The shift of PxTFD.ERR.</summary>
    public const int PxTFD_ERR_Shift = 8;

    /// <summary>PxTFD.STS.BSY (bit 7): the device is busy.</summary>
    public const uint PxTFD_STS_BSY = 1u << 7;

    /// <summary>PxTFD.STS.DRQ (bit 3): data transfer requested.</summary>
    public const uint PxTFD_STS_DRQ = 1u << 3;

    /// <summary>PxTFD.STS.ERR (bit 0): the device reports an error (ERR field valid).</summary>
    public const uint PxTFD_STS_ERR = 1u << 0;

    /// <summary>PxTFD's value after reset and while no device has answered: 7Fh.</summary>
    public const uint PxTFD_Reset = 0x7F;

    // ---- §3.3.9 PxSIG ----

    /// <summary>PxSIG's value after reset and until the device's first D2H Register FIS.</summary>
    public const uint PxSIG_Reset = 0xFFFF_FFFF;

    /// <summary>PxSIG of an ATA device (LBA high 00h, LBA mid 00h, LBA low 01h, sector count 01h).</summary>
    public const uint SIG_ATA = 0x0000_0101;

    /// <summary>PxSIG of an ATAPI device.</summary>
    public const uint SIG_ATAPI = 0xEB14_0101;

    // ---- §3.3.10 PxSSTS fields ----

    /// <summary>PxSSTS.DET (bits 3:0): 0 no device, 1 device present without Phy communication, 3 device present with Phy communication, 4 Phy offline.</summary>
    public const uint PxSSTS_DET_Mask = 0xFu;

    /// <summary>PxSSTS.SPD (bits 7:4): negotiated speed, 0 none, 1 Gen 1, 2 Gen 2, 3 Gen 3.</summary>
    public const uint PxSSTS_SPD_Mask = 0xFu << 4;

    /// <summary>The shift of PxSSTS.SPD.</summary>
    public const int PxSSTS_SPD_Shift = 4;

    /// <summary>PxSSTS.IPM (bits 11:8): interface power state, 0 none, 1 Active, 2 Partial, 6 Slumber, 8 DevSleep.</summary>
    public const uint PxSSTS_IPM_Mask = 0xFu << 8;

    /// <summary>The shift of PxSSTS.IPM.</summary>
    public const int PxSSTS_IPM_Shift = 8;

    // ---- §3.3.11 PxSCTL fields ----

    /// <summary>PxSCTL.DET (bits 3:0): 0 no action, 1 COMRESET (held while 1), 4 disable the Phy (offline).</summary>
    public const uint PxSCTL_DET_Mask = 0xFu;

    /// <summary>PxSCTL.SPD (bits 7:4): speed allowed, 0 no restriction, 1 Gen 1 only, 2 up to Gen 2, 3 up to Gen 3.</summary>
    public const uint PxSCTL_SPD_Mask = 0xFu << 4;

    /// <summary>The shift of PxSCTL.SPD.</summary>
    public const int PxSCTL_SPD_Shift = 4;

    /// <summary>PxSCTL.IPM (bits 11:8): transitions not allowed: bit 0 Partial, bit 1 Slumber, bit 2 DevSleep.</summary>
    public const uint PxSCTL_IPM_Mask = 0xFu << 8;

    /// <summary>The shift of PxSCTL.IPM.</summary>
    public const int PxSCTL_IPM_Shift = 8;

    // ---- §3.3.12 PxSERR fields ----

    /// <summary>PxSERR.ERR.I (bit 0): Recovered Data Integrity Error.</summary>
    public const uint PxSERR_ERR_I = 1u << 0;

    /// <summary>PxSERR.ERR.M (bit 1): Recovered Communications Error.</summary>
    public const uint PxSERR_ERR_M = 1u << 1;

    /// <summary>PxSERR.ERR.T (bit 8): Transient Data Integrity Error.</summary>
    public const uint PxSERR_ERR_T = 1u << 8;

    /// <summary>PxSERR.ERR.C (bit 9): Persistent Communication or Data Integrity Error.</summary>
    public const uint PxSERR_ERR_C = 1u << 9;

    /// <summary>PxSERR.ERR.P (bit 10): Protocol Error.</summary>
    public const uint PxSERR_ERR_P = 1u << 10;

    /// <summary>PxSERR.ERR.E (bit 11): Internal Error.</summary>
    public const uint PxSERR_ERR_E = 1u << 11;

    /// <summary>PxSERR.DIAG.N (bit 16): PhyRdy Change; reflected in PxIS.PRCS.</summary>
    public const uint PxSERR_DIAG_N = 1u << 16;

    /// <summary>PxSERR.DIAG.I (bit 17): Phy Internal Error.</summary>
    public const uint PxSERR_DIAG_I = 1u << 17;

    /// <summary>PxSERR.DIAG.W (bit 18): Comm Wake.</summary>
    public const uint PxSERR_DIAG_W = 1u << 18;

    /// <summary>PxSERR.DIAG.B (bit 19): 10B to 8B Decode Error.</summary>
    public const uint PxSERR_DIAG_B = 1u << 19;

    /// <summary>PxSERR.DIAG.D (bit 20): Disparity Error.</summary>
    public const uint PxSERR_DIAG_D = 1u << 20;

    /// <summary>PxSERR.DIAG.C (bit 21): CRC Error.</summary>
    public const uint PxSERR_DIAG_C = 1u << 21;

    /// <summary>PxSERR.DIAG.H (bit 22): Handshake Error.</summary>
    public const uint PxSERR_DIAG_H = 1u << 22;

    /// <summary>PxSERR.DIAG.S (bit 23): Link Sequence Error.</summary>
    public const uint PxSERR_DIAG_S = 1u << 23;

    /// <summary>PxSERR.DIAG.T (bit 24): Transport state transition error.</summary>
    public const uint PxSERR_DIAG_T = 1u << 24;

    /// <summary>PxSERR.DIAG.F (bit 25): Unknown FIS Type; reflected in PxIS.UFS.</summary>
    public const uint PxSERR_DIAG_F = 1u << 25;

    /// <summary>PxSERR.DIAG.X (bit 26): Exchanged: a COMINIT was received (device presence changed); reflected in PxIS.PCS.</summary>
    public const uint PxSERR_DIAG_X = 1u << 26;
}
