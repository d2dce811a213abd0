/*
 * storport_nvme.c: a small NVMe Storport miniport written by the MiniportTimers project from the NVM Express 1.3
 * specification (section numbers below) and the public Storport DDI documentation. It uses the Storport timers the
 * way the OFA NVMe driver (nvmewin) does, as docs/spec/real-drivers.md (S3) describes it, so CI covers that use
 * without the real driver:
 *
 *  - HwFindAdapter: StorPortGetBusData (class 01/08/02), BAR0 from ConfigInfo->AccessRanges mapped with
 *    StorPortGetDeviceBase, CAP (TO, DSTRD, MQES), the uncached extension carved into the admin queues, one I/O queue
 *    pair and an Identify buffer (each 4 KiB aligned); in the Windows 8+ build, StorPortInitializeTimer for the
 *    surprise-removal poll;
 *  - HwPassiveInitialize: the controller disabled and enabled again (§7.6.1), then the start state machine on the
 *    LEGACY timer: StorPortNotification(RequestTimerCall, NvmeRunning, 5 ms), re-requested every 5 ms until CSTS.RDY
 *    and given up after CAP.TO x 500 ms; then Identify Controller, Identify Namespace, Set Features (Number of Queues),
 *    Create I/O Completion Queue, Create I/O Submission Queue, each advanced from the completion DPC, which requests
 *    the legacy timer again (replacing the pending request, as nvmewin's arbiter does);
 *  - a surprise-removal poll every second that reads CSTS (all ones: the controller is gone), fails the outstanding
 *    requests and, in the Windows 8+ build, frees its timer from inside its own callback. In the Windows 8+ build it is
 *    a StorPortInitializeTimer/StorPortRequestTimer timer; built with -DSTORPORT_NVME_WIN7 it is the same legacy timer
 *    as the start state machine, so the request for the poll replaces the start's pending request: the last one wins;
 *  - HwBuildIo: SCSI translated to NVMe: READ/WRITE (10/16) as Read/Write with PRP entries and a PRP list built from
 *    StorPortGetScatterGatherList in the SRB extension, SYNCHRONIZE CACHE as Flush; INQUIRY, READ CAPACITY (10/16),
 *    REPORT LUNS and TEST UNIT READY answered from the Identify data; HwStartIo: a command identifier, the I/O
 *    submission queue's tail doorbell, SRB_STATUS_BUSY while the controller starts, SRB_STATUS_NO_DEVICE once it has
 *    failed or is gone;
 *  - HwInterrupt (pin-based, §7.5.1: the vector masked with INTMS, a STOR_DPC scheduled) and the DPC, which consumes
 *    both completion queues (phase tags, §4.6), writes their head doorbells and unmasks with INTMC;
 *  - HwAdapterControl: ScsiQuerySupportedControlTypes and ScsiStopAdapter (the legacy timer cancelled, the removal
 *    timer freed, the outstanding requests completed, a normal shutdown through CC.SHN, §7.6.2).
 *
 * It prints what it does with DbgPrint (times in 100 ns units of KeQueryInterruptTime), which the tests read. Not from
 * nvmewin's source: only the behaviour docs/spec/real-drivers.md describes is followed.
 */
#include <storport.h>
#include <srbhelper.h>
#include <scsi.h>
#include "scsi_disk_answers.h"

/* ---- NVMe 1.3 controller registers (§3.1) ---- */
#define NVME_CAP 0x00                    /* §3.1.1 Controller Capabilities (64 bits) */
#define NVME_VS 0x08                     /* §3.1.2 Version */
#define NVME_INTMS 0x0C                  /* §3.1.3 Interrupt Mask Set */
#define NVME_INTMC 0x10                  /* §3.1.4 Interrupt Mask Clear */
#define NVME_CC 0x14                     /* §3.1.5 Controller Configuration */
#define NVME_CSTS 0x1C                   /* §3.1.6 Controller Status */
#define NVME_AQA 0x24                    /* §3.1.8 Admin Queue Attributes */
#define NVME_ASQ 0x28                    /* §3.1.9 Admin Submission Queue Base Address (64 bits) */
#define NVME_ACQ 0x30                    /* §3.1.10 Admin Completion Queue Base Address (64 bits) */
#define NVME_DOORBELL_BASE 0x1000        /* §3.1.11/§3.1.12: SQyTDBL at 1000h + (2y) * (4 << DSTRD), CQyHDBL at 1000h + (2y + 1) * (4 << DSTRD) */

/* §3.1.1 CAP */
#define NVME_CAP_MQES(cap) ((ULONG)((cap) & 0xFFFFu))               /* Maximum Queue Entries Supported, 0's based */
#define NVME_CAP_TO(cap) ((ULONG)(((cap) >> 24) & 0xFFu))           /* Timeout, 500 ms units */
#define NVME_CAP_DSTRD(cap) ((ULONG)(((cap) >> 32) & 0xFu))         /* Doorbell Stride */

/* §3.1.5 CC */
#define NVME_CC_EN (1u << 0)
#define NVME_CC_CSS_NVM (0u << 4)
#define NVME_CC_MPS_4K (0u << 7)         /* 2^(12 + MPS) */
#define NVME_CC_AMS_RR (0u << 11)
#define NVME_CC_SHN_MASK (3u << 14)
#define NVME_CC_SHN_NORMAL (1u << 14)
#define NVME_CC_IOSQES (6u << 16)        /* 2^6 = 64-byte submission entries */
#define NVME_CC_IOCQES (4u << 20)        /* 2^4 = 16-byte completion entries */

/* §3.1.6 CSTS */
#define NVME_CSTS_RDY (1u << 0)
#define NVME_CSTS_CFS (1u << 1)
#define NVME_CSTS_SHST_MASK (3u << 2)
#define NVME_CSTS_SHST_COMPLETE (2u << 2)
#define NVME_REGISTER_GONE 0xFFFFFFFFu  /* a surprise-removed device: every register reads all ones */

/* ---- Commands (§4.2 submission entry, §4.6 completion entry, §5 admin, §6 NVM) ---- */
#define NVME_ADMIN_IDENTIFY 0x06         /* §5.15 */
#define NVME_ADMIN_SET_FEATURES 0x09     /* §5.21 */
#define NVME_ADMIN_CREATE_IO_CQ 0x05     /* §5.3 */
#define NVME_ADMIN_CREATE_IO_SQ 0x01     /* §5.4 */
#define NVME_NVM_FLUSH 0x00              /* §6.8 */
#define NVME_NVM_WRITE 0x01              /* §6.15 */
#define NVME_NVM_READ 0x02               /* §6.9 */
#define NVME_IDENTIFY_CNS_NAMESPACE 0x00
#define NVME_IDENTIFY_CNS_CONTROLLER 0x01
#define NVME_FEATURE_NUMBER_OF_QUEUES 0x07 /* §5.21.1.7 */
#define NVME_QUEUE_PC (1u << 0)          /* Create I/O CQ/SQ CDW11: Physically Contiguous */
#define NVME_QUEUE_IEN (1u << 1)         /* Create I/O CQ CDW11: Interrupts Enabled */
#define NVME_CQE_PHASE (1u << 16)        /* DW3 bit 16: Phase Tag */
#define NVME_CQE_STATUS(dw3) (((dw3) >> 17) & 0x7FFFu) /* DW3 31:17: Status Field (SC 7:0, SCT 10:8, M, DNR) */

#pragma pack(push, 1)
typedef struct _NVME_COMMAND {           /* §4.2: 64 bytes */
    ULONG CDW0;                          /* OPC 7:0, FUSE 9:8, PSDT 15:14, CID 31:16 */
    ULONG NSID;
    ULONG CDW2;
    ULONG CDW3;
    ULONGLONG MPTR;
    ULONGLONG PRP1;
    ULONGLONG PRP2;
    ULONG CDW10, CDW11, CDW12, CDW13, CDW14, CDW15;
} NVME_COMMAND, *PNVME_COMMAND;
C_ASSERT(sizeof(NVME_COMMAND) == 64);

typedef struct _NVME_COMPLETION {        /* §4.6: 16 bytes */
    ULONG DW0;                           /* command specific */
    ULONG DW1;
    USHORT SQHD;                         /* SQ Head Pointer */
    USHORT SQID;
    ULONG DW3;                           /* CID 15:0, P 16, SF 31:17 */
} NVME_COMPLETION, *PNVME_COMPLETION;
C_ASSERT(sizeof(NVME_COMPLETION) == 16);
#pragma pack(pop)

/* Identify data offsets (§5.15, Figures 109 and 114) */
#define NVME_IDCTRL_SN 4                 /* 20 bytes */
#define NVME_IDCTRL_MN 24                /* 40 bytes */
#define NVME_IDCTRL_FR 64                /* 8 bytes */
#define NVME_IDCTRL_MDTS 77
#define NVME_IDCTRL_NN 516
#define NVME_IDNS_NSZE 0
#define NVME_IDNS_FLBAS 26
#define NVME_IDNS_LBAF 128               /* 4 bytes each: MS 15:0, LBADS 23:16, RP 25:24 */

#define NVME_PAGE 4096u
#define NVME_ADMIN_DEPTH 64
#define NVME_IO_DEPTH 64
#define NVME_IO_QID 1
#define NVME_MAX_TRANSFER (128u * 1024)  /* our MaximumTransferLength (the model's MDTS 5 allows 128 KiB) */
#define NVME_MAX_PRP (NVME_MAX_TRANSFER / NVME_PAGE + 1)
#define NVME_START_POLL_US 5000          /* nvmewin's CheckbackInterval: the legacy timer's 5 ms */
#define NVME_ADMIN_TIMEOUT_MS 5000       /* an admin command of the start not completed in 5 s: the start fails */
#define NVME_REMOVAL_POLL_US 1000000     /* the surprise-removal poll: every second */

/* The SRB extension: the command (built by HwBuildIo), then the PRP list, which must not cross a page (§4.3): it is
   placed on a 512-byte boundary inside the extension and is at most 33 x 8 = 264 bytes. */
typedef struct _NVME_SRB_EXTENSION {
    NVME_COMMAND Command;
    BOOLEAN IsNvme;                      /* built as an NVMe command (else answered by HwStartIo) */
    BOOLEAN MediaAccess;                 /* Read/Write: the range is checked against the namespace */
    ULONGLONG Lba;
    ULONG Blocks;
    ULONG PrpCount;
    UCHAR PrpSpace[512 + NVME_MAX_PRP * sizeof(ULONGLONG)];
} NVME_SRB_EXTENSION, *PNVME_SRB_EXTENSION;

typedef enum _NVME_START_STATE {
    NvmeNotStarted,
    NvmeWaitOnRDY,
    NvmeWaitOnIdentifyController,
    NvmeWaitOnIdentifyNamespace,
    NvmeWaitOnSetFeatures,
    NvmeWaitOnCreateIoCq,
    NvmeWaitOnCreateIoSq,
    NvmeStartComplete,
    NvmeStartFailed,
    NvmeRemoved,
} NVME_START_STATE;

static const char *const StartStateNames[] = {
    "NotStarted", "WaitOnRDY", "WaitOnIdentifyController", "WaitOnIdentifyNamespace", "WaitOnSetFeatures",
    "WaitOnCreateIoCq", "WaitOnCreateIoSq", "StartComplete", "StartFailed", "Removed",
};

typedef struct _NVME_QUEUE {
    PUCHAR Entries;                      /* the queue's memory (submission or completion entries) */
    STOR_PHYSICAL_ADDRESS Pa;
    ULONG Depth;
    ULONG Index;                         /* SQ: the tail we write; CQ: the head we consume */
    ULONG Head;                          /* SQ: the head the controller reported (SQHD) */
    ULONG Phase;                         /* CQ: the phase tag of new entries (1 on the first pass, §4.6) */
} NVME_QUEUE, *PNVME_QUEUE;

typedef struct _NVME_ADAPTER {
    PUCHAR Registers;                    /* BAR0 */
    ULONGLONG Cap;
    ULONG DoorbellStride;                /* bytes: 4 << CAP.DSTRD */
    ULONG TimeoutMs;                     /* CAP.TO x 500 */
    NVME_START_STATE State;
    ULONG StartFires;                    /* NvmeRunning calls from the legacy timer */
    ULONG WaitedMs;                      /* in WaitOnRDY: since CC.EN; in an admin state: since the command */
    USHORT AdminCid;
    NVME_QUEUE AdminSq, AdminCq, IoSq, IoCq;
    PUCHAR Identify;
    STOR_PHYSICAL_ADDRESS IdentifyPa;
    CHAR Model[41];
    CHAR Serial[21];
    CHAR Firmware[9];
    ULONG Mdts;
    ULONGLONG NamespaceBlocks;
    ULONG BlockBytes;
    ULONG QueuesAllocated;               /* Set Features (Number of Queues) DW0: NSQA 15:0, NCQA 31:16 (0's based) */
    PVOID CidSrb[NVME_IO_DEPTH];
    ULONG Outstanding;
    ULONG Completed;
    PVOID RemovalTimer;                  /* Windows 8+: the StorPortInitializeTimer handle of the removal poll */
    ULONG RemovalPolls;
    BOOLEAN DpcReady;
    BOOLEAN Stopped;
    STOR_DPC CompletionDpc;
} NVME_ADAPTER, *PNVME_ADAPTER;

static VOID NvmeRunning(PVOID DeviceExtension);
static VOID NvmeStartStep(PNVME_ADAPTER Adapter);

static ULONGLONG Now100ns(void) { return KeQueryInterruptTime(); }

static ULONG RegRead(PNVME_ADAPTER Adapter, ULONG Offset) { return StorPortReadRegisterUlong(Adapter, (PULONG)(Adapter->Registers + Offset)); }
static VOID RegWrite(PNVME_ADAPTER Adapter, ULONG Offset, ULONG Value) { StorPortWriteRegisterUlong(Adapter, (PULONG)(Adapter->Registers + Offset), Value); }

/* §3.1: a 64-bit register is written as two dwords, the low one first. */
static VOID RegWrite64(PNVME_ADAPTER Adapter, ULONG Offset, ULONGLONG Value)
{
    RegWrite(Adapter, Offset, (ULONG)Value);
    RegWrite(Adapter, Offset + 4, (ULONG)(Value >> 32));
}

static ULONG SqTailDoorbell(PNVME_ADAPTER Adapter, ULONG Qid) { return NVME_DOORBELL_BASE + (2 * Qid) * Adapter->DoorbellStride; }       /* §3.1.11 */
static ULONG CqHeadDoorbell(PNVME_ADAPTER Adapter, ULONG Qid) { return NVME_DOORBELL_BASE + (2 * Qid + 1) * Adapter->DoorbellStride; }   /* §3.1.12 */

/* The legacy timer (nvmewin's NVMeCallArbiter): one per adapter; a new request replaces a pending one. */
static VOID NvmeCallArbiter(PNVME_ADAPTER Adapter)
{
    StorPortNotification(RequestTimerCall, Adapter, NvmeRunning, (ULONG)NVME_START_POLL_US);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Requests                                                                                                          */

static VOID NvmeComplete(PNVME_ADAPTER Adapter, PVOID Srb, UCHAR SrbStatus)
{
    SrbSetSrbStatus(Srb, SrbStatus);
    StorPortNotification(RequestComplete, Adapter, Srb);
}

static ULONG NvmeFailOutstanding(PNVME_ADAPTER Adapter, UCHAR SrbStatus)
{
    ULONG failed = 0;
    for (ULONG cid = 0; cid < NVME_IO_DEPTH; cid++) {
        if (Adapter->CidSrb[cid] != NULL) {
            PVOID srb = Adapter->CidSrb[cid];
            Adapter->CidSrb[cid] = NULL;
            NvmeComplete(Adapter, srb, SrbStatus);
            failed++;
        }
    }
    Adapter->Outstanding = 0;
    return failed;
}

/* Copies Command into the submission queue at its tail and rings the tail doorbell (§4.1, §7.2.1). */
static VOID NvmeSubmit(PNVME_ADAPTER Adapter, PNVME_QUEUE Sq, ULONG Qid, const NVME_COMMAND *Command)
{
    StorPortCopyMemory(Sq->Entries + (SIZE_T)Sq->Index * sizeof(NVME_COMMAND), (PVOID)Command, sizeof(NVME_COMMAND));
    Sq->Index = (Sq->Index + 1) % Sq->Depth;
    KeMemoryBarrier();
    RegWrite(Adapter, SqTailDoorbell(Adapter, Qid), Sq->Index);
}

static BOOLEAN NvmeSqFull(const NVME_QUEUE *Sq) { return (Sq->Index + 1) % Sq->Depth == Sq->Head; }

static VOID NvmeAdminCommand(PNVME_ADAPTER Adapter, UCHAR Opcode, ULONG Nsid, ULONGLONG Prp1, ULONG Cdw10, ULONG Cdw11)
{
    NVME_COMMAND command;
    RtlZeroMemory(&command, sizeof command);
    command.CDW0 = Opcode | ((ULONG)++Adapter->AdminCid << 16);
    command.NSID = Nsid;
    command.PRP1 = Prp1;
    command.CDW10 = Cdw10;
    command.CDW11 = Cdw11;
    Adapter->WaitedMs = 0;
    NvmeSubmit(Adapter, &Adapter->AdminSq, 0, &command);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* The start state machine (nvmewin's NVMeRunning), on the legacy timer                                              */

static VOID NvmeCopyString(PCHAR Out, const UCHAR *In, ULONG Bytes)
{
    /* Identify strings are ASCII, space padded (§5.15). */
    RtlCopyMemory(Out, In, Bytes);
    Out[Bytes] = '\0';
    for (LONG i = (LONG)Bytes - 1; i >= 0 && (Out[i] == ' ' || Out[i] == '\0'); i--) {
        Out[i] = '\0';
    }
}

static VOID NvmeRequestRemovalPoll(PNVME_ADAPTER Adapter);

static VOID NvmeStartDone(PNVME_ADAPTER Adapter, NVME_START_STATE State, const char *Why)
{
    NVME_START_STATE from = Adapter->State;
    Adapter->State = State;
    if (State == NvmeStartComplete) {
        DbgPrint("start complete: namespace %I64u blocks of %lu bytes, MDTS %lu, queues 0x%08lx, model '%s' serial '%s' firmware '%s' after %lu legacy timer calls at %I64u\n",
                 Adapter->NamespaceBlocks, Adapter->BlockBytes, Adapter->Mdts, Adapter->QueuesAllocated, Adapter->Model, Adapter->Serial, Adapter->Firmware, Adapter->StartFires, Now100ns());
        NvmeRequestRemovalPoll(Adapter);
        return;
    }
    DbgPrint("start given up in %s after %lu ms: %s at %I64u\n", StartStateNames[from], Adapter->WaitedMs, Why, Now100ns());
}

/* An admin command of the start completed (from the DPC): check it, take its data, send the next one. */
static VOID NvmeAdminCompleted(PNVME_ADAPTER Adapter, const NVME_COMPLETION *Completion)
{
    ULONG status = NVME_CQE_STATUS(Completion->DW3);
    if (status != 0) {
        DbgPrint("admin command in %s failed: status 0x%04lx\n", StartStateNames[Adapter->State], status);
        NvmeStartDone(Adapter, NvmeStartFailed, "an admin command failed");
        return;
    }
    switch (Adapter->State) {
    case NvmeWaitOnIdentifyController:
        NvmeCopyString(Adapter->Serial, Adapter->Identify + NVME_IDCTRL_SN, 20);
        NvmeCopyString(Adapter->Model, Adapter->Identify + NVME_IDCTRL_MN, 40);
        NvmeCopyString(Adapter->Firmware, Adapter->Identify + NVME_IDCTRL_FR, 8);
        Adapter->Mdts = Adapter->Identify[NVME_IDCTRL_MDTS];
        Adapter->State = NvmeWaitOnIdentifyNamespace;
        NvmeAdminCommand(Adapter, NVME_ADMIN_IDENTIFY, 1, (ULONGLONG)Adapter->IdentifyPa.QuadPart, NVME_IDENTIFY_CNS_NAMESPACE, 0);
        break;
    case NvmeWaitOnIdentifyNamespace: {
        ULONGLONG nsze;
        RtlCopyMemory(&nsze, Adapter->Identify + NVME_IDNS_NSZE, sizeof nsze);
        ULONG format = Adapter->Identify[NVME_IDNS_FLBAS] & 0xFu;
        ULONG lbads = Adapter->Identify[NVME_IDNS_LBAF + 4 * format + 2];
        Adapter->NamespaceBlocks = nsze;
        Adapter->BlockBytes = lbads >= 9 && lbads < 32 ? 1u << lbads : 0;
        if (Adapter->BlockBytes != 512) {
            NvmeStartDone(Adapter, NvmeStartFailed, "the namespace's blocks are not 512 bytes");
            return;
        }
        /* Number of Queues (§5.21.1.7): one I/O submission and one completion queue (0's based counts). */
        Adapter->State = NvmeWaitOnSetFeatures;
        NvmeAdminCommand(Adapter, NVME_ADMIN_SET_FEATURES, 0, 0, NVME_FEATURE_NUMBER_OF_QUEUES, 0);
        break;
    }
    case NvmeWaitOnSetFeatures:
        Adapter->QueuesAllocated = Completion->DW0;
        Adapter->State = NvmeWaitOnCreateIoCq;
        NvmeAdminCommand(Adapter, NVME_ADMIN_CREATE_IO_CQ, 0, (ULONGLONG)Adapter->IoCq.Pa.QuadPart,
                         NVME_IO_QID | ((Adapter->IoCq.Depth - 1) << 16), NVME_QUEUE_PC | NVME_QUEUE_IEN); /* vector 0 */
        break;
    case NvmeWaitOnCreateIoCq:
        Adapter->State = NvmeWaitOnCreateIoSq;
        NvmeAdminCommand(Adapter, NVME_ADMIN_CREATE_IO_SQ, 0, (ULONGLONG)Adapter->IoSq.Pa.QuadPart,
                         NVME_IO_QID | ((Adapter->IoSq.Depth - 1) << 16), NVME_QUEUE_PC | ((ULONG)NVME_IO_QID << 16));
        break;
    case NvmeWaitOnCreateIoSq:
        NvmeStartDone(Adapter, NvmeStartComplete, NULL);
        return;
    default:
        return;
    }
    NvmeCallArbiter(Adapter); /* replaces the request still pending, as nvmewin's completion DPC does */
}

/* One step of the start: from HwPassiveInitialize and from the legacy timer. */
static VOID NvmeStartStep(PNVME_ADAPTER Adapter)
{
    ULONG csts = RegRead(Adapter, NVME_CSTS);
    if (csts == NVME_REGISTER_GONE) {
        NvmeStartDone(Adapter, NvmeRemoved, "CSTS reads all ones (the controller is gone)");
        return;
    }
    switch (Adapter->State) {
    case NvmeWaitOnRDY:
        if (csts & NVME_CSTS_CFS) {
            NvmeStartDone(Adapter, NvmeStartFailed, "CSTS.CFS");
            return;
        }
        if (csts & NVME_CSTS_RDY) {
            /* §7.6.1: ready; the admin queue works now. */
            DbgPrint("CSTS.RDY after %lu ms at %I64u\n", Adapter->WaitedMs, Now100ns());
            Adapter->State = NvmeWaitOnIdentifyController;
            NvmeAdminCommand(Adapter, NVME_ADMIN_IDENTIFY, 0, (ULONGLONG)Adapter->IdentifyPa.QuadPart, NVME_IDENTIFY_CNS_CONTROLLER, 0);
            NvmeCallArbiter(Adapter);
            return;
        }
        if (Adapter->WaitedMs >= Adapter->TimeoutMs) {
            /* §3.1.1 CAP.TO: the worst-case time to wait for CSTS.RDY. */
            NvmeStartDone(Adapter, NvmeStartFailed, "CSTS.RDY not set within CAP.TO");
            return;
        }
        NvmeCallArbiter(Adapter);
        return;
    case NvmeWaitOnIdentifyController:
    case NvmeWaitOnIdentifyNamespace:
    case NvmeWaitOnSetFeatures:
    case NvmeWaitOnCreateIoCq:
    case NvmeWaitOnCreateIoSq:
        /* The completion DPC advances these; the timer only watches the command's time. */
        if (Adapter->WaitedMs >= NVME_ADMIN_TIMEOUT_MS) {
            NvmeStartDone(Adapter, NvmeStartFailed, "an admin command did not complete");
            return;
        }
        NvmeCallArbiter(Adapter);
        return;
    default:
        return;
    }
}

/* HW_TIMER (StorPortNotification(RequestTimerCall)): DISPATCH_LEVEL, StartIo lock held. */
static VOID NvmeRunning(PVOID DeviceExtension)
{
    PNVME_ADAPTER adapter = (PNVME_ADAPTER)DeviceExtension;
    adapter->StartFires++;
    adapter->WaitedMs += NVME_START_POLL_US / 1000;
    DbgPrint("NvmeRunning %s fire %lu at %I64u\n", StartStateNames[adapter->State], adapter->StartFires, Now100ns());
    if (!adapter->Stopped) {
        NvmeStartStep(adapter);
    }
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* The surprise-removal poll (nvmewin's IsDeviceRemoved)                                                             */

static VOID NvmeIsDeviceRemovedBody(PNVME_ADAPTER Adapter)
{
    if (Adapter->Stopped || Adapter->State != NvmeStartComplete) {
        return;
    }
    Adapter->RemovalPolls++;
    ULONG csts = RegRead(Adapter, NVME_CSTS);
    if (csts != NVME_REGISTER_GONE) {
        NvmeRequestRemovalPoll(Adapter);
        return;
    }
    /* Gone: nothing it held will complete. Fail what is outstanding (from this callback, as nvmewin does). */
    Adapter->State = NvmeRemoved;
    ULONG failed = NvmeFailOutstanding(Adapter, SRB_STATUS_NO_DEVICE);
    DbgPrint("surprise removal: CSTS 0x%08lx at poll %lu, %lu outstanding requests failed at %I64u\n", csts, Adapter->RemovalPolls, failed, Now100ns());
#ifndef STORPORT_NVME_WIN7
    /* Freed from inside its own callback (legal: the callback does not start again). */
    ULONG status = StorPortFreeTimer(Adapter, Adapter->RemovalTimer);
    Adapter->RemovalTimer = NULL;
    DbgPrint("RemovalTimer freed in its callback status 0x%08lx at %I64u\n", status, Now100ns());
#endif
}

#ifdef STORPORT_NVME_WIN7
/* HW_TIMER: the Windows 7 build's poll shares the adapter's one legacy timer with NvmeRunning. */
static VOID NvmeIsDeviceRemoved(PVOID DeviceExtension)
{
    NvmeIsDeviceRemovedBody((PNVME_ADAPTER)DeviceExtension);
}

static VOID NvmeRequestRemovalPoll(PNVME_ADAPTER Adapter)
{
    /* Replaces whatever the legacy timer had pending (NvmeRunning's last request): the last request wins. */
    StorPortNotification(RequestTimerCall, Adapter, NvmeIsDeviceRemoved, (ULONG)NVME_REMOVAL_POLL_US);
}
#else
/* PHW_TIMER_EX: DISPATCH_LEVEL, StartIo lock held; its context is NULL, as nvmewin's. */
static VOID NvmeIsDeviceRemoved(PVOID DeviceExtension, PVOID Context)
{
    (void)Context;
    NvmeIsDeviceRemovedBody((PNVME_ADAPTER)DeviceExtension);
}

static VOID NvmeRequestRemovalPoll(PNVME_ADAPTER Adapter)
{
    if (Adapter->RemovalPolls == 0) {
        StorPortNotification(RequestTimerCall, Adapter, NvmeRunning, 0); /* the start is over: its pending request is cancelled */
    }
    if (Adapter->RemovalTimer != NULL) {
        StorPortRequestTimer(Adapter, Adapter->RemovalTimer, NvmeIsDeviceRemoved, NULL, NVME_REMOVAL_POLL_US, 0);
    }
}
#endif

/* ---------------------------------------------------------------------------------------------------------------- */
/* Interrupt and completion DPC (§7.5.1: pin-based interrupts, masked with INTMS while the DPC runs)                */

static BOOLEAN NvmeCqHasEntry(const NVME_QUEUE *Cq)
{
    if (Cq->Entries == NULL) {
        return FALSE;
    }
    const volatile NVME_COMPLETION *entry = (const volatile NVME_COMPLETION *)(Cq->Entries + (SIZE_T)Cq->Index * sizeof(NVME_COMPLETION));
    return ((entry->DW3 & NVME_CQE_PHASE) != 0) == (Cq->Phase != 0);
}

static BOOLEAN NvmeHwInterrupt(PVOID DeviceExtension)
{
    PNVME_ADAPTER adapter = (PNVME_ADAPTER)DeviceExtension;
    if (!NvmeCqHasEntry(&adapter->AdminCq) && !NvmeCqHasEntry(&adapter->IoCq)) {
        return FALSE;
    }
    RegWrite(adapter, NVME_INTMS, 1); /* §3.1.3: mask vector 0 until the DPC has consumed the entries */
    if (adapter->DpcReady) {
        StorPortIssueDpc(adapter, &adapter->CompletionDpc, NULL, NULL);
    }
    return TRUE;
}

/* Consumes one completion queue's new entries (§4.6, §7.2.2); returns how many. */
static ULONG NvmeDrain(PNVME_ADAPTER Adapter, PNVME_QUEUE Cq, PNVME_QUEUE Sq, ULONG Qid, BOOLEAN Admin)
{
    ULONG consumed = 0;
    while (NvmeCqHasEntry(Cq) && !Adapter->Stopped) {
        NVME_COMPLETION completion;
        StorPortCopyMemory(&completion, Cq->Entries + (SIZE_T)Cq->Index * sizeof(NVME_COMPLETION), sizeof completion);
        Cq->Index++;
        if (Cq->Index == Cq->Depth) {
            Cq->Index = 0;
            Cq->Phase ^= 1; /* the phase tag inverts on each pass through the queue */
        }
        Sq->Head = completion.SQHD;
        consumed++;
        if (Admin) {
            NvmeAdminCompleted(Adapter, &completion);
            continue;
        }
        ULONG cid = completion.DW3 & 0xFFFFu;
        if (cid >= NVME_IO_DEPTH || Adapter->CidSrb[cid] == NULL) {
            DbgPrint("I/O completion for an unknown command %lu\n", cid);
            continue;
        }
        PVOID srb = Adapter->CidSrb[cid];
        Adapter->CidSrb[cid] = NULL;
        Adapter->Outstanding--;
        Adapter->Completed++;
        ULONG status = NVME_CQE_STATUS(completion.DW3);
        if (status != 0) {
            DbgPrint("I/O command %lu failed: status 0x%04lx\n", cid, status);
        }
        NvmeComplete(Adapter, srb, status == 0 ? SRB_STATUS_SUCCESS : SRB_STATUS_ERROR);
    }
    if (consumed != 0) {
        RegWrite(Adapter, CqHeadDoorbell(Adapter, Qid), Cq->Index); /* §3.1.12 */
    }
    return consumed;
}

static VOID NvmeCompletionDpc(PSTOR_DPC Dpc, PVOID HwDeviceExtension, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PNVME_ADAPTER adapter = (PNVME_ADAPTER)HwDeviceExtension;
    STOR_LOCK_HANDLE lock;
    (void)Dpc;
    (void)SystemArgument1;
    (void)SystemArgument2;
    StorPortAcquireSpinLock(adapter, StartIoLock, NULL, &lock);
    if (!adapter->Stopped && adapter->State != NvmeRemoved) {
        /* Admin completions may issue the next admin command, which the controller may complete at once: drain again. */
        while (NvmeDrain(adapter, &adapter->AdminCq, &adapter->AdminSq, 0, TRUE) != 0) {
        }
        if (adapter->IoCq.Entries != NULL && adapter->State == NvmeStartComplete) {
            NvmeDrain(adapter, &adapter->IoCq, &adapter->IoSq, NVME_IO_QID, FALSE);
        }
        RegWrite(adapter, NVME_INTMC, 1); /* §3.1.4: unmask vector 0 */
    }
    StorPortReleaseSpinLock(adapter, &lock);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* SCSI translation                                                                                                  */

static PNVME_SRB_EXTENSION NvmeSrbExtension(PVOID Srb) { return (PNVME_SRB_EXTENSION)SrbGetMiniportContext(Srb); }

static PULONGLONG NvmePrpList(PNVME_SRB_EXTENSION Ext)
{
    return (PULONGLONG)(((ULONG_PTR)Ext->PrpSpace + 511) & ~(ULONG_PTR)511);
}

/* Builds PRP1/PRP2 and the PRP list (§4.3) from the request's scatter-gather list: the first entry may start inside a
   page; every later one starts on a page boundary, and every earlier one ends on one. */
static BOOLEAN NvmeBuildPrps(PNVME_ADAPTER Adapter, PVOID Srb, PNVME_SRB_EXTENSION Ext)
{
    PSTOR_SCATTER_GATHER_LIST sgl = StorPortGetScatterGatherList(Adapter, Srb);
    ULONGLONG entries[NVME_MAX_PRP];
    ULONG count = 0;
    BOOLEAN endsOnPage = TRUE;
    if (sgl == NULL) {
        return FALSE;
    }
    for (ULONG e = 0; e < sgl->NumberOfElements; e++) {
        ULONGLONG address = (ULONGLONG)sgl->List[e].PhysicalAddress.QuadPart;
        ULONG left = sgl->List[e].Length;
        while (left > 0) {
            ULONG offset = (ULONG)(address & (NVME_PAGE - 1));
            if (count == NVME_MAX_PRP || (count > 0 && (offset != 0 || !endsOnPage)) || (address & 3) != 0) {
                return FALSE;
            }
            ULONG bytes = min(left, NVME_PAGE - offset);
            entries[count++] = address;
            endsOnPage = ((offset + bytes) & (NVME_PAGE - 1)) == 0;
            address += bytes;
            left -= bytes;
        }
    }
    Ext->PrpCount = count;
    Ext->Command.PRP1 = count > 0 ? entries[0] : 0;
    if (count == 2) {
        Ext->Command.PRP2 = entries[1];
    } else if (count > 2) {
        PULONGLONG list = NvmePrpList(Ext);
        ULONG length;
        for (ULONG i = 1; i < count; i++) {
            list[i - 1] = entries[i];
        }
        Ext->Command.PRP2 = (ULONGLONG)StorPortGetPhysicalAddress(Adapter, Srb, list, &length).QuadPart;
    }
    return TRUE;
}

/* HwBuildIo: without locks, before HwStartIo. Read, Write and Flush are built into the SRB extension now. */
static BOOLEAN NvmeHwBuildIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PNVME_ADAPTER adapter = (PNVME_ADAPTER)DeviceExtension;
    PNVME_SRB_EXTENSION ext = NvmeSrbExtension(Srb);
    if (ext == NULL) {
        NvmeComplete(adapter, Srb, SRB_STATUS_INTERNAL_ERROR);
        return FALSE;
    }
    ext->IsNvme = FALSE;
    ext->MediaAccess = FALSE;
    if (SrbGetSrbFunction(Srb) != SRB_FUNCTION_EXECUTE_SCSI) {
        return TRUE;
    }
    if (SrbGetPathId(Srb) != 0 || SrbGetTargetId(Srb) != 0) {
        NvmeComplete(adapter, Srb, SRB_STATUS_NO_DEVICE);
        return FALSE;
    }
    if (SrbGetLun(Srb) != 0) {
        NvmeComplete(adapter, Srb, SRB_STATUS_INVALID_LUN);
        return FALSE;
    }
    const UCHAR *cdb = (const UCHAR *)SrbGetCdb(Srb);
    UCHAR opcode;
    ULONGLONG lba = 0;
    ULONG blocks = 0;
    switch (cdb[0]) {
    case SCSIOP_READ:
    case SCSIOP_WRITE:
        lba = Be32(cdb + 2);
        blocks = ((ULONG)cdb[7] << 8) | cdb[8];
        opcode = cdb[0] == SCSIOP_READ ? NVME_NVM_READ : NVME_NVM_WRITE;
        break;
    case SCSIOP_READ16:
    case SCSIOP_WRITE16:
        lba = Be64(cdb + 2);
        blocks = Be32(cdb + 10);
        opcode = cdb[0] == SCSIOP_READ16 ? NVME_NVM_READ : NVME_NVM_WRITE;
        break;
    case SCSIOP_SYNCHRONIZE_CACHE:
    case SCSIOP_SYNCHRONIZE_CACHE16:
        opcode = NVME_NVM_FLUSH;
        break;
    default:
        return TRUE; /* answered by HwStartIo from the Identify data */
    }
    RtlZeroMemory(&ext->Command, sizeof ext->Command);
    ext->Command.CDW0 = opcode; /* the CID is set when the command is queued */
    ext->Command.NSID = 1;
    ext->IsNvme = TRUE;
    if (opcode == NVME_NVM_FLUSH) {
        return TRUE;
    }
    if (blocks == 0) {
        SrbSetDataTransferLength(Srb, 0);
        NvmeComplete(adapter, Srb, SRB_STATUS_SUCCESS); /* no blocks: nothing to do (SBC-3) */
        return FALSE;
    }
    if (blocks > NVME_MAX_TRANSFER / 512 || SrbGetDataTransferLength(Srb) < blocks * 512) {
        NvmeComplete(adapter, Srb, SRB_STATUS_INVALID_REQUEST);
        return FALSE;
    }
    ext->MediaAccess = TRUE;
    ext->Lba = lba;
    ext->Blocks = blocks;
    ext->Command.CDW10 = (ULONG)lba;            /* SLBA (§6.9) */
    ext->Command.CDW11 = (ULONG)(lba >> 32);
    ext->Command.CDW12 = blocks - 1;            /* NLB, 0's based */
    if (!NvmeBuildPrps(adapter, Srb, ext)) {
        NvmeComplete(adapter, Srb, SRB_STATUS_INVALID_REQUEST);
        return FALSE;
    }
    return TRUE;
}

static BOOLEAN NvmeHwStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PNVME_ADAPTER adapter = (PNVME_ADAPTER)DeviceExtension;
    ULONG function = SrbGetSrbFunction(Srb);
    if (function != SRB_FUNCTION_EXECUTE_SCSI) {
        NvmeComplete(adapter, Srb, ScsiDiskOtherFunction(function));
        return TRUE;
    }
    switch (adapter->State) {
    case NvmeStartComplete:
        break;
    case NvmeStartFailed:
    case NvmeRemoved:
        NvmeComplete(adapter, Srb, SRB_STATUS_NO_DEVICE);
        return TRUE;
    default:
        NvmeComplete(adapter, Srb, SRB_STATUS_BUSY); /* still starting: Storport asks again */
        return TRUE;
    }
    PNVME_SRB_EXTENSION ext = NvmeSrbExtension(Srb);
    const UCHAR *cdb = (const UCHAR *)SrbGetCdb(Srb);
    if (ext->IsNvme) {
        if (ext->MediaAccess && (ext->Lba >= adapter->NamespaceBlocks || adapter->NamespaceBlocks - ext->Lba < ext->Blocks)) {
            NvmeComplete(adapter, Srb, SRB_STATUS_INVALID_REQUEST); /* LBA out of range */
            return TRUE;
        }
        ULONG cid = 0;
        while (cid < NVME_IO_DEPTH && adapter->CidSrb[cid] != NULL) {
            cid++;
        }
        if (cid == NVME_IO_DEPTH || NvmeSqFull(&adapter->IoSq)) {
            NvmeComplete(adapter, Srb, SRB_STATUS_BUSY);
            return TRUE;
        }
        ext->Command.CDW0 = (ext->Command.CDW0 & 0xFFFFu) | (cid << 16);
        adapter->CidSrb[cid] = Srb;
        adapter->Outstanding++;
        NvmeSubmit(adapter, &adapter->IoSq, NVME_IO_QID, &ext->Command);
        return TRUE;
    }
    /* INQUIRY: vendor "NVMe", the product the first 16 characters of the model number, the revision the firmware's first 4. */
    SCSI_DISK_IDENTITY unit = { "NVMe", adapter->Model, adapter->Firmware, 6 /* SPC-4 */, adapter->NamespaceBlocks, adapter->BlockBytes };
    UCHAR status = ScsiDiskAnswer(&unit, Srb, cdb);
    NvmeComplete(adapter, Srb, status);
    return TRUE;
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Adapter                                                                                                           */

static BOOLEAN NvmeCarveQueue(PNVME_ADAPTER Adapter, PNVME_QUEUE Queue, PUCHAR *Next, ULONG Depth, ULONG EntryBytes)
{
    ULONG length;
    Queue->Entries = *Next;
    Queue->Depth = Depth;
    Queue->Index = 0;
    Queue->Head = 0;
    Queue->Phase = 1;
    Queue->Pa = StorPortGetPhysicalAddress(Adapter, NULL, Queue->Entries, &length);
    RtlZeroMemory(Queue->Entries, Depth * EntryBytes);
    *Next += (Depth * EntryBytes + NVME_PAGE - 1) & ~(NVME_PAGE - 1);
    return Queue->Pa.QuadPart != 0 && (Queue->Pa.QuadPart & (NVME_PAGE - 1)) == 0;
}

static ULONG NvmeHwFindAdapter(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation, PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo, PBOOLEAN Reserved3)
{
    PNVME_ADAPTER adapter = (PNVME_ADAPTER)DeviceExtension;
    PCI_COMMON_CONFIG pci;
    (void)HwContext;
    (void)BusInformation;
    (void)ArgumentString;
    (void)Reserved3;
    ULONG got = StorPortGetBusData(adapter, PCIConfiguration, ConfigInfo->SystemIoBusNumber, ConfigInfo->SlotNumber, &pci, sizeof pci);
    if (got < PCI_COMMON_HDR_LENGTH || pci.BaseClass != 0x01 || pci.SubClass != 0x08 || pci.ProgIf != 0x02) {
        DbgPrint("NvmeHwFindAdapter: not an NVMe controller (%lu bytes, class %02x/%02x/%02x)\n", got, (ULONG)pci.BaseClass, (ULONG)pci.SubClass, (ULONG)pci.ProgIf);
        return SP_RETURN_NOT_FOUND;
    }
    /* §2.1.10/§2.1.11: MLBAR (BAR0) and MUBAR (BAR1), a 64-bit memory BAR. */
    ULONGLONG bar0 = ((ULONGLONG)pci.u.type0.BaseAddresses[1] << 32) | (pci.u.type0.BaseAddresses[0] & ~0xFu);
    PACCESS_RANGE range = NULL;
    for (ULONG i = 0; i < ConfigInfo->NumberOfAccessRanges; i++) {
        PACCESS_RANGE candidate = &(*ConfigInfo->AccessRanges)[i];
        if (candidate->RangeInMemory && (ULONGLONG)candidate->RangeStart.QuadPart == bar0) {
            range = candidate;
        }
    }
    if (range == NULL) {
        DbgPrint("NvmeHwFindAdapter: no access range for BAR0 0x%I64x\n", bar0);
        return SP_RETURN_BAD_CONFIG;
    }
    adapter->Registers = (PUCHAR)StorPortGetDeviceBase(adapter, ConfigInfo->AdapterInterfaceType, ConfigInfo->SystemIoBusNumber, range->RangeStart, range->RangeLength, FALSE);
    if (adapter->Registers == NULL) {
        return SP_RETURN_ERROR;
    }
    adapter->Cap = ((ULONGLONG)RegRead(adapter, NVME_CAP + 4) << 32) | RegRead(adapter, NVME_CAP);
    adapter->DoorbellStride = 4u << NVME_CAP_DSTRD(adapter->Cap);
    adapter->TimeoutMs = NVME_CAP_TO(adapter->Cap) * 500;
    ULONG depth = min((ULONG)NVME_IO_DEPTH, NVME_CAP_MQES(adapter->Cap) + 1);

    ConfigInfo->NumberOfBuses = 1;
    ConfigInfo->MaximumNumberOfTargets = 1;
    ConfigInfo->MaximumNumberOfLogicalUnits = 1;
    ConfigInfo->MaximumTransferLength = NVME_MAX_TRANSFER;
    ConfigInfo->NumberOfPhysicalBreaks = NVME_MAX_PRP - 1;
    ConfigInfo->AlignmentMask = 3; /* PRP entries are dword aligned (§4.3) */
    ConfigInfo->ScatterGather = TRUE;
    ConfigInfo->Master = TRUE;
    ConfigInfo->CachesData = TRUE;
    ConfigInfo->MapBuffers = STOR_MAP_NON_READ_WRITE_BUFFERS;
    ConfigInfo->Dma64BitAddresses = SCSI_DMA64_MINIPORT_SUPPORTED;
    ConfigInfo->SynchronizationModel = StorSynchronizeFullDuplex;
    ConfigInfo->SrbExtensionSize = sizeof(NVME_SRB_EXTENSION);

    /* Pages: admin SQ, admin CQ, Identify, I/O SQ, I/O CQ; one more for the 4 KiB alignment. */
    PUCHAR uncached = (PUCHAR)StorPortGetUncachedExtension(adapter, ConfigInfo, 6 * NVME_PAGE);
    if (uncached == NULL) {
        DbgPrint("NvmeHwFindAdapter: no uncached extension\n");
        return SP_RETURN_ERROR;
    }
    PUCHAR next = (PUCHAR)(((ULONG_PTR)uncached + NVME_PAGE - 1) & ~(ULONG_PTR)(NVME_PAGE - 1));
    ULONG length;
    if (!NvmeCarveQueue(adapter, &adapter->AdminSq, &next, NVME_ADMIN_DEPTH, sizeof(NVME_COMMAND))
        || !NvmeCarveQueue(adapter, &adapter->AdminCq, &next, NVME_ADMIN_DEPTH, sizeof(NVME_COMPLETION))) {
        return SP_RETURN_ERROR;
    }
    adapter->Identify = next;
    adapter->IdentifyPa = StorPortGetPhysicalAddress(adapter, NULL, adapter->Identify, &length);
    next += NVME_PAGE;
    if (!NvmeCarveQueue(adapter, &adapter->IoSq, &next, depth, sizeof(NVME_COMMAND))
        || !NvmeCarveQueue(adapter, &adapter->IoCq, &next, depth, sizeof(NVME_COMPLETION))) {
        return SP_RETURN_ERROR;
    }
#ifndef STORPORT_NVME_WIN7
    /* nvmewin (Windows 8+): the removal poll's timer, made here; on failure the poll is silently off. */
    if (StorPortInitializeTimer(adapter, &adapter->RemovalTimer) != STOR_STATUS_SUCCESS) {
        adapter->RemovalTimer = NULL;
    }
#endif
    DbgPrint("NvmeHwFindAdapter: vendor %04x device %04x BAR0 0x%I64x VS 0x%08lx CAP 0x%I64x TO %lu DSTRD %lu I/O depth %lu\n",
             (ULONG)pci.VendorID, (ULONG)pci.DeviceID, bar0, RegRead(adapter, NVME_VS), adapter->Cap,
             NVME_CAP_TO(adapter->Cap), NVME_CAP_DSTRD(adapter->Cap), depth);
    return SP_RETURN_FOUND;
}

/* §7.6.1: disable (waiting for CSTS.RDY to clear), program the admin queue, enable; then wait for CSTS.RDY on the
   legacy timer. Under the StartIo lock. */
static VOID NvmeStartAttempt(PNVME_ADAPTER Adapter)
{
    if (RegRead(Adapter, NVME_CC) & NVME_CC_EN) {
        RegWrite(Adapter, NVME_CC, 0);
        for (ULONG i = 0; i < 100 && (RegRead(Adapter, NVME_CSTS) & NVME_CSTS_RDY); i++) {
            StorPortStallExecution(1000);
        }
    }
    Adapter->AdminSq.Index = Adapter->AdminSq.Head = 0;
    Adapter->AdminCq.Index = 0;
    Adapter->AdminCq.Phase = 1;
    RtlZeroMemory(Adapter->AdminCq.Entries, NVME_ADMIN_DEPTH * sizeof(NVME_COMPLETION));
    RegWrite(Adapter, NVME_AQA, (NVME_ADMIN_DEPTH - 1) | ((NVME_ADMIN_DEPTH - 1) << 16)); /* ASQS, ACQS: 0's based */
    RegWrite64(Adapter, NVME_ASQ, (ULONGLONG)Adapter->AdminSq.Pa.QuadPart);
    RegWrite64(Adapter, NVME_ACQ, (ULONGLONG)Adapter->AdminCq.Pa.QuadPart);
    RegWrite(Adapter, NVME_CC, NVME_CC_EN | NVME_CC_CSS_NVM | NVME_CC_MPS_4K | NVME_CC_AMS_RR | NVME_CC_IOSQES | NVME_CC_IOCQES);
    Adapter->State = NvmeWaitOnRDY;
    Adapter->WaitedMs = 0;
    Adapter->StartFires = 0;
    DbgPrint("CC.EN set at %I64u, CAP.TO %lu (%lu ms)\n", Now100ns(), NVME_CAP_TO(Adapter->Cap), Adapter->TimeoutMs);
    NvmeStartStep(Adapter);
}

static BOOLEAN NvmeHwPassiveInitialize(PVOID DeviceExtension)
{
    PNVME_ADAPTER adapter = (PNVME_ADAPTER)DeviceExtension;
    STOR_LOCK_HANDLE lock;
    StorPortInitializeDpc(adapter, &adapter->CompletionDpc, NvmeCompletionDpc);
    adapter->DpcReady = TRUE;
    StorPortAcquireSpinLock(adapter, StartIoLock, NULL, &lock);
    NvmeStartAttempt(adapter);
    StorPortReleaseSpinLock(adapter, &lock);
    return TRUE;
}

static BOOLEAN NvmeHwInitialize(PVOID DeviceExtension)
{
    return StorPortEnablePassiveInitialization(DeviceExtension, NvmeHwPassiveInitialize);
}

static SCSI_ADAPTER_CONTROL_STATUS NvmeHwAdapterControl(PVOID DeviceExtension, SCSI_ADAPTER_CONTROL_TYPE ControlType, PVOID Parameters)
{
    PNVME_ADAPTER adapter = (PNVME_ADAPTER)DeviceExtension;
    switch (ControlType) {
    case ScsiQuerySupportedControlTypes: {
        PSCSI_SUPPORTED_CONTROL_TYPE_LIST list = (PSCSI_SUPPORTED_CONTROL_TYPE_LIST)Parameters;
        if (list != NULL) {
            if (ScsiQuerySupportedControlTypes < list->MaxControlType) list->SupportedTypeList[ScsiQuerySupportedControlTypes] = TRUE;
            if (ScsiStopAdapter < list->MaxControlType) list->SupportedTypeList[ScsiStopAdapter] = TRUE;
        }
        return ScsiAdapterControlSuccess;
    }
    case ScsiStopAdapter: {
        /* Under the StartIo lock, as the timer callbacks and the DPC run: once Stopped is set they do nothing. */
        STOR_LOCK_HANDLE lock;
        ULONG freed = 0;
        StorPortAcquireSpinLock(adapter, StartIoLock, NULL, &lock);
        adapter->Stopped = TRUE;
        StorPortNotification(RequestTimerCall, adapter, NvmeRunning, 0); /* 0: the legacy timer's pending request, if any, is cancelled */
        ULONG failed = NvmeFailOutstanding(adapter, SRB_STATUS_BUS_RESET);
        ULONG csts = RegRead(adapter, NVME_CSTS);
        if (csts != NVME_REGISTER_GONE && (RegRead(adapter, NVME_CC) & NVME_CC_EN) && !(csts & NVME_CSTS_RDY)) {
            /* Enabled but never ready: nothing to shut down; a controller reset (CC.EN 1 -> 0, §7.3.2) stops it. */
            RegWrite(adapter, NVME_CC, 0);
            csts = RegRead(adapter, NVME_CSTS);
        } else if (csts != NVME_REGISTER_GONE && (RegRead(adapter, NVME_CC) & NVME_CC_EN)) {
            /* §7.6.2: a normal shutdown: CC.SHN = 01b, then CSTS.SHST = 10b. */
            RegWrite(adapter, NVME_CC, (RegRead(adapter, NVME_CC) & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL);
            for (ULONG i = 0; i < 100 && (RegRead(adapter, NVME_CSTS) & NVME_CSTS_SHST_MASK) != NVME_CSTS_SHST_COMPLETE; i++) {
                StorPortStallExecution(1000);
            }
            csts = RegRead(adapter, NVME_CSTS);
        }
        StorPortReleaseSpinLock(adapter, &lock);
        if (adapter->RemovalTimer != NULL) {
            freed += StorPortFreeTimer(adapter, adapter->RemovalTimer) == STOR_STATUS_SUCCESS;
            adapter->RemovalTimer = NULL;
        }
        DbgPrint("ScsiStopAdapter: legacy timer cancelled, %lu timers freed, %lu requests ended, CSTS 0x%08lx at %I64u\n", freed, failed, csts, Now100ns());
        return ScsiAdapterControlSuccess;
    }
    default:
        return ScsiAdapterControlUnsuccessful;
    }
}

ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    HW_INITIALIZATION_DATA init;
    RtlZeroMemory(&init, sizeof init);
    init.HwInitializationDataSize = sizeof(HW_INITIALIZATION_DATA);
    init.AdapterInterfaceType = PCIBus;
    init.HwFindAdapter = NvmeHwFindAdapter;
    init.HwInitialize = NvmeHwInitialize;
    init.HwBuildIo = NvmeHwBuildIo;
    init.HwStartIo = NvmeHwStartIo;
    init.HwInterrupt = NvmeHwInterrupt;
    init.HwAdapterControl = NvmeHwAdapterControl;
    init.DeviceExtensionSize = sizeof(NVME_ADAPTER);
    init.SrbExtensionSize = sizeof(NVME_SRB_EXTENSION);
    init.NumberOfAccessRanges = 2;
    init.MapBuffers = STOR_MAP_NON_READ_WRITE_BUFFERS;
    init.NeedPhysicalAddresses = TRUE;
    init.TaggedQueuing = TRUE;
    init.AutoRequestSense = TRUE;
    init.MultipleRequestPerLu = TRUE;
    init.SrbTypeFlags = SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK;
    return StorPortInitialize(DriverObject, RegistryPath, &init, NULL);
}
