namespace MiniportTimers.Devices.Nvme;

/// <summary>
/// The NVMe controller register map (NVM Express 1.3, §3.1 "Register Definition"): byte offsets from BAR0 (MLBAR/MUBAR),
/// and the fields of each register, spelled as the specification spells them (<c>CAP.DSTRD</c> is
/// <see cref="CAP_DSTRD_Shift"/>, <c>CC.EN</c> is <see cref="CC_EN"/>, <c>CSTS.RDY</c> is <see cref="CSTS_RDY"/>).
/// CAP, ASQ and ACQ are 64-bit registers (their fields are <see cref="ulong"/> masks); the others are 32-bit.
/// The doorbells follow at <see cref="DoorbellBase"/>: <see cref="SubmissionQueueTailDoorbell"/> and
/// <see cref="CompletionQueueHeadDoorbell"/> compute their offsets (§3.1.10, §3.1.11).
/// </summary>
public static class NvmeRegisters
{
    /// <summary>§3.1.1 CAP, Controller Capabilities (64 bits, read-only).</summary>
    public const int CAP = 0x00;

    /// <summary>§3.1.2 VS, Version (read-only): MJR in bits 31:16, MNR in 15:8, TER in 7:0.</summary>
    public const int VS = 0x08;

    /// <summary>§3.1.3 INTMS, Interrupt Mask Set (write 1 to set a vector's mask; reads the mask).</summary>
    public const int INTMS = 0x0C;

    /// <summary>§3.1.4 INTMC, Interrupt Mask Clear (write 1 to clear a vector's mask; reads the mask).</summary>
    public const int INTMC = 0x10;

    /// <summary>§3.1.5 CC, Controller Configuration.</summary>
    public const int CC = 0x14;

    /// <summary>§3.1.6 CSTS, Controller Status (read-only).</summary>
    public const int CSTS = 0x1C;

    /// <summary>§3.1.7 NSSR, NVM Subsystem Reset (not implemented: CAP.NSSRS = 0; reads 0, writes ignored).</summary>
    public const int NSSR = 0x20;

    /// <summary>§3.1.8 AQA, Admin Queue Attributes: ASQS in bits 11:0, ACQS in 27:16 (both 0-based).</summary>
    public const int AQA = 0x24;

    /// <summary>§3.1.9 ASQ, Admin Submission Queue Base Address (64 bits; bits 11:0 reserved).</summary>
    public const int ASQ = 0x28;

    /// <summary>§3.1.10 ACQ, Admin Completion Queue Base Address (64 bits; bits 11:0 reserved).</summary>
    public const int ACQ = 0x30;

    /// <summary>§3.1.11 CMBLOC, Controller Memory Buffer Location (not implemented: reads 0).</summary>
    public const int CMBLOC = 0x38;

    /// <summary>§3.1.12 CMBSZ, Controller Memory Buffer Size (not implemented: reads 0).</summary>
    public const int CMBSZ = 0x3C;

    /// <summary>§3.1.13: the doorbells start at 1000h (SQ0TDBL).</summary>
    public const int DoorbellBase = 0x1000;

    /// <summary>The size of BAR0's register space the model decodes, in bytes (16 KiB).</summary>
    public const int RegisterSpaceLength = 0x4000;

    // ---- §3.1.1 CAP ----

    /// <summary>CAP.MQES (bits 15:0): Maximum Queue Entries Supported, 0-based.</summary>
    public const ulong CAP_MQES_Mask = 0xFFFF;

    /// <summary>CAP.CQR (bit 16): Contiguous Queues Required.</summary>
    public const ulong CAP_CQR = 1UL << 16;

    /// <summary>CAP.AMS (bits 18:17): Arbitration Mechanism Supported beyond round robin.</summary>
    public const int CAP_AMS_Shift = 17;

    /// <summary>CAP.TO (bits 31:24): Timeout, the worst-case time to CSTS.RDY after CC.EN changes, in 500 ms units.</summary>
    public const int CAP_TO_Shift = 24;

    /// <summary>CAP.TO's mask.</summary>
    public const ulong CAP_TO_Mask = 0xFFUL << CAP_TO_Shift;

    /// <summary>CAP.DSTRD (bits 35:32): Doorbell Stride; doorbells are 2^(2 + DSTRD) bytes apart.</summary>
    public const int CAP_DSTRD_Shift = 32;

    /// <summary>CAP.DSTRD's mask.</summary>
    public const ulong CAP_DSTRD_Mask = 0xFUL << CAP_DSTRD_Shift;

    /// <summary>CAP.NSSRS (bit 36): NVM Subsystem Reset Supported.</summary>
    public const ulong CAP_NSSRS = 1UL << 36;

    /// <summary>CAP.CSS (bits 44:37): Command Sets Supported.</summary>
    public const int CAP_CSS_Shift = 37;

    /// <summary>CAP.CSS bit 37: the NVM command set.</summary>
    public const ulong CAP_CSS_NVM = 1UL << 37;

    /// <summary>CAP.BPS (bit 45): Boot Partition Support.</summary>
    public const ulong CAP_BPS = 1UL << 45;

    /// <summary>CAP.MPSMIN (bits 51:48): Memory Page Size Minimum, 2^(12 + MPSMIN) bytes.</summary>
    public const int CAP_MPSMIN_Shift = 48;

    /// <summary>CAP.MPSMAX (bits 55:52): Memory Page Size Maximum, 2^(12 + MPSMAX) bytes.</summary>
    public const int CAP_MPSMAX_Shift = 52;

    // ---- §3.1.2 VS ----

    /// <summary>VS for NVMe 1.2 (00010200h).</summary>
    public const uint VS_1_2 = 0x0001_0200;

    /// <summary>VS for NVMe 1.3 (00010300h).</summary>
    public const uint VS_1_3 = 0x0001_0300;

    // ---- §3.1.5 CC ----

    /// <summary>CC.EN (bit 0): Enable. 0 → 1 starts the controller (CSTS.RDY follows); 1 → 0 resets it (§7.3.2).</summary>
    public const uint CC_EN = 1;

    /// <summary>CC.CSS (bits 6:4): I/O Command Set Selected (000b: NVM).</summary>
    public const int CC_CSS_Shift = 4;

    /// <summary>CC.CSS's mask.</summary>
    public const uint CC_CSS_Mask = 0x7u << CC_CSS_Shift;

    /// <summary>CC.MPS (bits 10:7): Memory Page Size, 2^(12 + MPS) bytes.</summary>
    public const int CC_MPS_Shift = 7;

    /// <summary>CC.MPS's mask.</summary>
    public const uint CC_MPS_Mask = 0xFu << CC_MPS_Shift;

    /// <summary>CC.AMS (bits 13:11): Arbitration Mechanism Selected (000b: round robin).</summary>
    public const int CC_AMS_Shift = 11;

    /// <summary>CC.AMS's mask.</summary>
    public const uint CC_AMS_Mask = 0x7u << CC_AMS_Shift;

    /// <summary>CC.SHN (bits 15:14): Shutdown Notification.</summary>
    public const int CC_SHN_Shift = 14;

    /// <summary>CC.SHN's mask.</summary>
    public const uint CC_SHN_Mask = 0x3u << CC_SHN_Shift;

    /// <summary>CC.SHN = 01b: normal shutdown notification.</summary>
    public const uint CC_SHN_Normal = 0x1u << CC_SHN_Shift;

    /// <summary>CC.SHN = 10b: abrupt shutdown notification.</summary>
    public const uint CC_SHN_Abrupt = 0x2u << CC_SHN_Shift;

    /// <summary>CC.IOSQES (bits 19:16): I/O Submission Queue Entry Size, 2^n bytes (6: 64 bytes).</summary>
    public const int CC_IOSQES_Shift = 16;

    /// <summary>CC.IOSQES's mask.</summary>
    public const uint CC_IOSQES_Mask = 0xFu << CC_IOSQES_Shift;

    /// <summary>CC.IOCQES (bits 23:20): I/O Completion Queue Entry Size, 2^n bytes (4: 16 bytes).</summary>
    public const int CC_IOCQES_Shift = 20;

    /// <summary>CC.IOCQES's mask.</summary>
    public const uint CC_IOCQES_Mask = 0xFu << CC_IOCQES_Shift;

    /// <summary>The bits of CC the model stores (the others are reserved and read 0).</summary>
    public const uint CC_Writable = CC_EN | CC_CSS_Mask | CC_MPS_Mask | CC_AMS_Mask | CC_SHN_Mask | CC_IOSQES_Mask | CC_IOCQES_Mask;

    // ---- §3.1.6 CSTS ----

    /// <summary>CSTS.RDY (bit 0): Ready; the controller processes commands after CC.EN is set.</summary>
    public const uint CSTS_RDY = 1;

    /// <summary>CSTS.CFS (bit 1): Controller Fatal Status.</summary>
    public const uint CSTS_CFS = 1 << 1;

    /// <summary>CSTS.SHST (bits 3:2): Shutdown Status.</summary>
    public const int CSTS_SHST_Shift = 2;

    /// <summary>CSTS.SHST's mask.</summary>
    public const uint CSTS_SHST_Mask = 0x3u << CSTS_SHST_Shift;

    /// <summary>CSTS.SHST = 00b: normal operation.</summary>
    public const uint CSTS_SHST_Normal = 0;

    /// <summary>CSTS.SHST = 01b: shutdown processing occurring.</summary>
    public const uint CSTS_SHST_Occurring = 0x1u << CSTS_SHST_Shift;

    /// <summary>CSTS.SHST = 10b: shutdown processing complete.</summary>
    public const uint CSTS_SHST_Complete = 0x2u << CSTS_SHST_Shift;

    /// <summary>CSTS.NSSRO (bit 4): NVM Subsystem Reset Occurred.</summary>
    public const uint CSTS_NSSRO = 1 << 4;

    /// <summary>CSTS.PP (bit 5): Processing Paused.</summary>
    public const uint CSTS_PP = 1 << 5;

    // ---- §3.1.8 AQA ----

    /// <summary>AQA.ASQS (bits 11:0): Admin Submission Queue Size, 0-based.</summary>
    public const uint AQA_ASQS_Mask = 0xFFF;

    /// <summary>AQA.ACQS (bits 27:16): Admin Completion Queue Size, 0-based.</summary>
    public const int AQA_ACQS_Shift = 16;

    /// <summary>AQA.ACQS's mask.</summary>
    public const uint AQA_ACQS_Mask = 0xFFFu << AQA_ACQS_Shift;

    /// <summary>
    /// §3.1.13 SQyTDBL, Submission Queue y Tail Doorbell: 1000h + (2y × (4 &lt;&lt; CAP.DSTRD)).
    /// </summary>
    /// <param name="queueId">y, the queue identifier (0 for the admin queue).</param>
    /// <param name="doorbellStride">CAP.DSTRD, 0 to 15.</param>
    /// <returns>The register's byte offset from BAR0.</returns>
    public static int SubmissionQueueTailDoorbell(int queueId, int doorbellStride) => DoorbellBase + (2 * queueId * (4 << doorbellStride));

    /// <summary>
    /// §3.1.14 CQyHDBL, Completion Queue y Head Doorbell: 1000h + ((2y + 1) × (4 &lt;&lt; CAP.DSTRD)).
    /// </summary>
    /// <param name="queueId">y, the queue identifier (0 for the admin queue).</param>
    /// <param name="doorbellStride">CAP.DSTRD, 0 to 15.</param>
    /// <returns>The register's byte offset from BAR0.</returns>
    public static int CompletionQueueHeadDoorbell(int queueId, int doorbellStride) => DoorbellBase + (((2 * queueId) + 1) * (4 << doorbellStride));
}
