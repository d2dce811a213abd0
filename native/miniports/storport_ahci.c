/*
 * storport_ahci.c: a compact AHCI Storport miniport written by the MiniportTimers project from the Serial ATA AHCI
 * 1.3.1 specification (section numbers below), ATA8-ACS and the public Storport DDI documentation. It drives the I/O
 * path the way a real AHCI miniport does (the shape issue 22 describes for Microsoft's storahci), so CI covers that
 * path without the sample:
 *
 *  - HwFindAdapter: StorPortGetBusData (class 01/06/01), ABAR = BAR5 from ConfigInfo->AccessRanges mapped with
 *    StorPortGetDeviceBase, GHC.AE, CAP and PI, one bus per port, the uncached extension carved into per-port command
 *    lists (1 KiB aligned), received-FIS areas (256 B), an internal command table and an IDENTIFY buffer;
 *  - HwInitialize (GHC.IE, passive initialization enabled) and HwPassiveInitialize (the completion STOR_DPC, then the
 *    ports started one after another);
 *  - per-port start as a StorPortRequestTimer state machine re-armed from its own callback: PxSSTS.DET polled every
 *    10 ms (an empty port is given up after 3 polls), DET = 1 waited for, PxCMD.FRE/FR, PxTFD.STS.BSY/DRQ polled every
 *    20 ms with a COMRESET (PxSCTL.DET) at 1 s and the port given up at 60 s, then PxCMD.ST and IDENTIFY DEVICE;
 *  - HwBuildIo (command FIS and PRDT in the SRB extension, from StorPortGetScatterGatherList), HwStartIo (a command slot,
 *    PxCI), SRB_STATUS_BUSY while a port starts and SRB_STATUS_NO_DEVICE for an empty or given-up port; INQUIRY, READ
 *    CAPACITY (10/16), REPORT LUNS, TEST UNIT READY answered from the IDENTIFY data; READ/WRITE (10/16) as READ/WRITE
 *    DMA EXT; SYNCHRONIZE CACHE as FLUSH CACHE EXT; ATA PASS-THROUGH (16) for non-data commands;
 *  - HwInterrupt (IS, PxIS and PxSERR acknowledged) and a STOR_DPC that completes the slots PxCI released, recovers
 *    from task-file errors (§6.2.2), and takes hot plug (PxIS.PCS/PRCS) to a port restart and
 *    StorPortStateChangeDetected, retried every 100 ms from a BusChangeTimer made when needed and freed once it
 *    succeeds;
 *  - HwAdapterControl: ScsiQuerySupportedControlTypes, ScsiStopAdapter (every timer freed), ScsiRestartAdapter.
 *
 * It prints what it does with DbgPrint (times in 100 ns units of KeQueryInterruptTime), which the tests read.
 * Not from storahci's source: only the behaviour issue 22 describes is followed.
 */
#include <storport.h>
#include <srbhelper.h>
#include <ata.h>
#include <scsi.h>
#include "scsi_disk_answers.h"

/* ---- AHCI 1.3.1 register map (chapter 3) ---- */
#define AHCI_CAP 0x00                   /* §3.1.1 HBA Capabilities */
#define AHCI_GHC 0x04                   /* §3.1.2 Global HBA Control */
#define AHCI_IS 0x08                    /* §3.1.3 Interrupt Status */
#define AHCI_PI 0x0C                    /* §3.1.4 Ports Implemented */
#define AHCI_VS 0x10                    /* §3.1.5 Version */
#define AHCI_CAP_S64A (1u << 31)
#define AHCI_CAP_NCS_SHIFT 8
#define AHCI_CAP_NCS_MASK 0x1Fu
#define AHCI_CAP_NP_MASK 0x1Fu
#define AHCI_GHC_AE (1u << 31)
#define AHCI_GHC_IE (1u << 1)

#define AHCI_PORT_BASE 0x100            /* §3.3: port x at 100h + x * 80h */
#define AHCI_PORT_STRIDE 0x80
#define AHCI_PxCLB 0x00
#define AHCI_PxCLBU 0x04
#define AHCI_PxFB 0x08
#define AHCI_PxFBU 0x0C
#define AHCI_PxIS 0x10
#define AHCI_PxIE 0x14
#define AHCI_PxCMD 0x18
#define AHCI_PxTFD 0x20
#define AHCI_PxSIG 0x24
#define AHCI_PxSSTS 0x28
#define AHCI_PxSCTL 0x2C
#define AHCI_PxSERR 0x30
#define AHCI_PxSACT 0x34
#define AHCI_PxCI 0x38

/* §3.3.5 PxIS / §3.3.6 PxIE */
#define AHCI_PxIS_DHRS (1u << 0)        /* Device to Host Register FIS */
#define AHCI_PxIS_PSS (1u << 1)         /* PIO Setup FIS */
#define AHCI_PxIS_DSS (1u << 2)
#define AHCI_PxIS_SDBS (1u << 3)
#define AHCI_PxIS_DPS (1u << 5)         /* Descriptor Processed */
#define AHCI_PxIS_PCS (1u << 6)         /* Port Connect Change (PxSERR.DIAG.X) */
#define AHCI_PxIS_PRCS (1u << 22)       /* PhyRdy Change (PxSERR.DIAG.N) */
#define AHCI_PxIS_OFS (1u << 24)        /* Overflow */
#define AHCI_PxIS_INFS (1u << 26)
#define AHCI_PxIS_IFS (1u << 27)        /* Interface Fatal Error */
#define AHCI_PxIS_HBDS (1u << 28)       /* Host Bus Data Error */
#define AHCI_PxIS_HBFS (1u << 29)       /* Host Bus Fatal Error */
#define AHCI_PxIS_TFES (1u << 30)       /* Task File Error */
#define AHCI_PxIS_ERRORS (AHCI_PxIS_OFS | AHCI_PxIS_IFS | AHCI_PxIS_HBDS | AHCI_PxIS_HBFS | AHCI_PxIS_TFES)
#define AHCI_PxIS_HOTPLUG (AHCI_PxIS_PCS | AHCI_PxIS_PRCS)
#define AHCI_PxIE_ENABLED (AHCI_PxIS_DHRS | AHCI_PxIS_PSS | AHCI_PxIS_SDBS | AHCI_PxIS_DPS | AHCI_PxIS_HOTPLUG | AHCI_PxIS_ERRORS)

/* §3.3.7 PxCMD */
#define AHCI_PxCMD_ST (1u << 0)
#define AHCI_PxCMD_CLO (1u << 3)
#define AHCI_PxCMD_FRE (1u << 4)
#define AHCI_PxCMD_CCS_SHIFT 8
#define AHCI_PxCMD_CCS_MASK 0x1Fu
#define AHCI_PxCMD_FR (1u << 14)
#define AHCI_PxCMD_CR (1u << 15)

/* §3.3.8 PxTFD */
#define AHCI_PxTFD_STS_ERR (1u << 0)
#define AHCI_PxTFD_STS_DRQ (1u << 3)
#define AHCI_PxTFD_STS_BSY (1u << 7)
#define AHCI_PxTFD_ERR_SHIFT 8

/* §3.3.10 PxSSTS, §3.3.11 PxSCTL, §3.3.12 PxSERR */
#define AHCI_PxSSTS_DET_MASK 0xFu
#define AHCI_PxSSTS_DET_NONE 0x0u       /* no device, no Phy communication */
#define AHCI_PxSSTS_DET_PRESENT 0x1u    /* device presence detected, Phy communication not established */
#define AHCI_PxSSTS_DET_ESTABLISHED 0x3u
#define AHCI_PxSCTL_DET_MASK 0xFu
#define AHCI_PxSCTL_DET_COMRESET 0x1u
#define AHCI_PxSERR_DIAG_N (1u << 16)
#define AHCI_PxSERR_DIAG_X (1u << 26)

/* ---- System memory structures (chapter 4) ---- */
#define AHCI_COMMAND_LIST_BYTES 1024    /* §4.2.2: 32 headers of 32 bytes, 1 KiB aligned */
#define AHCI_RECEIVED_FIS_BYTES 256     /* §4.2.1: 256 bytes, 256-byte aligned */
#define AHCI_RFIS_PSFIS 0x20            /* PIO Setup FIS */
#define AHCI_RFIS_RFIS 0x40             /* D2H Register FIS */
#define AHCI_CMD_HEADER_CFL_SHIFT 0     /* DW0: Command FIS Length in DWORDs */
#define AHCI_CMD_HEADER_W (1u << 6)     /* DW0: Write (host to device) */
#define AHCI_CMD_HEADER_PRDTL_SHIFT 16  /* DW0: PRD Table Length */
#define AHCI_PRD_DBC_MASK 0x3FFFFFu     /* §4.2.3.3 DW3: Data Byte Count (bytes - 1, bit 0 always 1) */
#define AHCI_PRD_MAX_BYTES (4u * 1024 * 1024)
#define AHCI_MAX_PRDT 33                /* 128 KiB transfers in pages, plus one for an unaligned start */
#define AHCI_MAX_PORTS 32
#define AHCI_NO_PORT 0xFFFFFFFFu
#define AHCI_INTERNAL_SLOT 0            /* IDENTIFY DEVICE while a port starts (no requests then) */

/* Serial ATA: the Register Host to Device FIS (type 27h) */
#define SATA_FIS_TYPE_REG_H2D 0x27
#define SATA_FIS_H2D_C (1u << 7)        /* byte 1: this is a command (not a Device Control update) */
#define SATA_FIS_H2D_DWORDS 5
#define ATA_DEVICE_LBA (1u << 6)
#define SAT_PROTOCOL_NON_DATA 3         /* SAT-3 ATA PASS-THROUGH PROTOCOL field */

#pragma pack(push, 1)
typedef struct _AHCI_COMMAND_HEADER {    /* §4.2.2 */
    ULONG DW0;                           /* CFL, A, W, P, R, B, C, PMP, PRDTL */
    ULONG PRDBC;                         /* bytes transferred */
    ULONG CTBA;                          /* command table, 128-byte aligned */
    ULONG CTBAU;
    ULONG Reserved[4];
} AHCI_COMMAND_HEADER, *PAHCI_COMMAND_HEADER;
C_ASSERT(sizeof(AHCI_COMMAND_HEADER) == 32);

typedef struct _AHCI_PRDT {              /* §4.2.3.3 */
    ULONG DBA;
    ULONG DBAU;
    ULONG Reserved;
    ULONG DW3;                           /* DBC, I */
} AHCI_PRDT, *PAHCI_PRDT;
C_ASSERT(sizeof(AHCI_PRDT) == 16);

typedef struct _SATA_FIS_REG_H2D {
    UCHAR FisType;
    UCHAR Flags;                         /* PM Port, C */
    UCHAR Command;
    UCHAR FeaturesLow;
    UCHAR Lba0, Lba1, Lba2, Device;
    UCHAR Lba3, Lba4, Lba5, FeaturesHigh;
    UCHAR CountLow, CountHigh, Icc, Control;
    UCHAR Reserved[4];
} SATA_FIS_REG_H2D, *PSATA_FIS_REG_H2D;
C_ASSERT(sizeof(SATA_FIS_REG_H2D) == 20);

typedef struct _AHCI_COMMAND_TABLE {     /* §4.2.3: 128-byte aligned */
    UCHAR CFIS[64];
    UCHAR ACMD[16];
    UCHAR Reserved[48];
    AHCI_PRDT PRDT[AHCI_MAX_PRDT];
} AHCI_COMMAND_TABLE, *PAHCI_COMMAND_TABLE;
C_ASSERT(FIELD_OFFSET(AHCI_COMMAND_TABLE, PRDT) == 0x80);
#pragma pack(pop)

/* The SRB extension: the command table (aligned to 128 bytes inside it), then what the miniport keeps per request. */
typedef struct _AHCI_SRB_EXTENSION {
    AHCI_COMMAND_TABLE Table;
    ULONG Prdtl;
    BOOLEAN IsAta;                       /* built by HwBuildIo as an ATA command */
    BOOLEAN Write;
    BOOLEAN MediaAccess;                 /* READ/WRITE: the LBA range is checked against the disk's size */
    UCHAR AtaCommand;
    ULONGLONG Lba;
    ULONG Sectors;
} AHCI_SRB_EXTENSION, *PAHCI_SRB_EXTENSION;
#define AHCI_SRB_EXTENSION_SIZE (sizeof(AHCI_SRB_EXTENSION) + 128)

typedef enum _AHCI_PORT_STATE {
    PortNotStarted,
    PortWaitOnDET,
    PortWaitWhileDET1,
    PortWaitOnFRE,
    PortWaitOnBSYDRQ,
    PortIdentify,
    PortRunning,
    PortEmpty,                            /* no device after the DET polls */
    PortGivenUp,                          /* a device that never became ready */
} AHCI_PORT_STATE;

static const char *const PortStateNames[] = {
    "NotStarted", "WaitOnDET", "WaitWhileDET1", "WaitOnFRE", "WaitOnBSYDRQ", "Identify", "Running", "Empty", "GivenUp",
};

#define AHCI_DET_POLLS 3                 /* WaitOnDET: polls 10 ms apart before an empty port is given up */
#define AHCI_DET_POLL_US 10000
#define AHCI_DET1_POLLS 10               /* WaitWhileDET1: then a COMRESET */
#define AHCI_FRE_POLLS 5
#define AHCI_BSY_POLL_US 20000           /* WaitOnBSYDRQ */
#define AHCI_BSY_COMRESET_MS 1000
#define AHCI_BSY_GIVE_UP_MS 60000
#define AHCI_IDENTIFY_TIMEOUT_US 5000000
#define AHCI_BUS_CHANGE_RETRY_US 100000
#define AHCI_COMRESET_HOLD_US 1000       /* §10.4.2: DET = 1 for at least 1 ms */

typedef struct _AHCI_PORT {
    ULONG Index;
    STOR_ADDR_BTL8 Address;              /* the unit's address for StorPortStateChangeDetected: it must stay valid until HwStateChange runs */
    PULONG Registers;                    /* PxCLB of this port (ABAR + 100h + 80h * Index) */
    PVOID StartTimer;                    /* StorPortInitializeTimer handle: the start state machine */
    AHCI_PORT_STATE State;
    ULONG Polls;
    ULONG BusyMs;
    ULONG ComResets;
    ULONG StartFires;
    BOOLEAN NotifyWhenStarted;           /* started again after a hot plug: tell Storport when it settles */
    PAHCI_COMMAND_HEADER CommandList;
    STOR_PHYSICAL_ADDRESS CommandListPa;
    PUCHAR ReceivedFis;
    STOR_PHYSICAL_ADDRESS ReceivedFisPa;
    PAHCI_COMMAND_TABLE InternalTable;
    STOR_PHYSICAL_ADDRESS InternalTablePa;
    PUSHORT IdentifyData;
    STOR_PHYSICAL_ADDRESS IdentifyDataPa;
    BOOLEAN InternalActive;
    ULONG IssuedSlots;                   /* slots this driver set in PxCI and has not completed */
    PVOID SlotSrb[32];
    volatile LONG PendingIs;             /* PxIS bits the ISR acknowledged, for the DPC */
    CHAR Model[41];
    CHAR Serial[21];
    CHAR Firmware[9];
    ULONGLONG Sectors;
    ULONG Completed;
} AHCI_PORT, *PAHCI_PORT;

typedef struct _AHCI_ADAPTER {
    PUCHAR Abar;
    ULONG Cap;
    ULONG Pi;
    ULONG Slots;
    ULONG Buses;
    PVOID BusChangeTimer;                /* made when a state change is refused, freed once one succeeds */
    ULONG BusChangePending;              /* ports whose change Storport has not taken yet */
    ULONG BusChangeRetries;
    ULONG StartQueue;                    /* ports waiting for their turn to start */
    ULONG StartingPort;
    BOOLEAN DpcReady;
    BOOLEAN Stopped;
    STOR_DPC CompletionDpc;
    AHCI_PORT Port[AHCI_MAX_PORTS];
} AHCI_ADAPTER, *PAHCI_ADAPTER;

static VOID AhciPortStartTimer(PVOID DeviceExtension, PVOID Context);
static VOID AhciBusChangeTimer(PVOID DeviceExtension, PVOID Context);
static VOID AhciPortStep(PAHCI_ADAPTER Adapter, PAHCI_PORT Port);

/* InterlockedOr is not in our wdm.h: the compare-exchange loop. */
static LONG AhciInterlockedOr(volatile LONG *Target, LONG Bits)
{
    LONG old;
    do {
        old = *Target;
    } while (InterlockedCompareExchange(Target, old | Bits, old) != old);
    return old;
}

static ULONGLONG Now100ns(void) { return KeQueryInterruptTime(); }

static ULONG HbaRead(PAHCI_ADAPTER Adapter, ULONG Offset) { return StorPortReadRegisterUlong(Adapter, (PULONG)(Adapter->Abar + Offset)); }
static VOID HbaWrite(PAHCI_ADAPTER Adapter, ULONG Offset, ULONG Value) { StorPortWriteRegisterUlong(Adapter, (PULONG)(Adapter->Abar + Offset), Value); }
static ULONG PortRead(PAHCI_ADAPTER Adapter, PAHCI_PORT Port, ULONG Offset) { return StorPortReadRegisterUlong(Adapter, (PULONG)((PUCHAR)Port->Registers + Offset)); }
static VOID PortWrite(PAHCI_ADAPTER Adapter, PAHCI_PORT Port, ULONG Offset, ULONG Value) { StorPortWriteRegisterUlong(Adapter, (PULONG)((PUCHAR)Port->Registers + Offset), Value); }

static BOOLEAN RequestTimer(PAHCI_ADAPTER Adapter, PVOID Timer, PHW_TIMER_EX Callback, PVOID Context, ULONGLONG Microseconds)
{
    ULONG status = StorPortRequestTimer(Adapter, Timer, Callback, Context, Microseconds, 0);
    return status == STOR_STATUS_SUCCESS || status == STOR_STATUS_BUSY; /* BUSY: already queued, as good as armed */
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Port engines (§10.3) and COMRESET (§10.4.2)                                                                       */

static VOID AhciStopEngines(PAHCI_ADAPTER Adapter, PAHCI_PORT Port)
{
    ULONG cmd = PortRead(Adapter, Port, AHCI_PxCMD);
    if (cmd & AHCI_PxCMD_ST) {
        PortWrite(Adapter, Port, AHCI_PxCMD, cmd & ~AHCI_PxCMD_ST);
    }
    for (ULONG i = 0; i < 50 && (PortRead(Adapter, Port, AHCI_PxCMD) & AHCI_PxCMD_CR); i++) {
        StorPortStallExecution(10000); /* up to 500 ms for CR (§10.3.2) */
    }
    cmd = PortRead(Adapter, Port, AHCI_PxCMD);
    if (cmd & AHCI_PxCMD_FRE) {
        PortWrite(Adapter, Port, AHCI_PxCMD, cmd & ~AHCI_PxCMD_FRE);
    }
    for (ULONG i = 0; i < 50 && (PortRead(Adapter, Port, AHCI_PxCMD) & AHCI_PxCMD_FR); i++) {
        StorPortStallExecution(10000);
    }
}

static VOID AhciComReset(PAHCI_ADAPTER Adapter, PAHCI_PORT Port)
{
    ULONG sctl = PortRead(Adapter, Port, AHCI_PxSCTL) & ~AHCI_PxSCTL_DET_MASK;
    Port->ComResets++;
    PortWrite(Adapter, Port, AHCI_PxSCTL, sctl | AHCI_PxSCTL_DET_COMRESET);
    StorPortStallExecution(AHCI_COMRESET_HOLD_US);
    PortWrite(Adapter, Port, AHCI_PxSCTL, sctl);
    DbgPrint("port %lu COMRESET %lu at %I64u\n", Port->Index, Port->ComResets, Now100ns());
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Requests                                                                                                          */

static VOID AhciComplete(PAHCI_ADAPTER Adapter, PVOID Srb, UCHAR SrbStatus)
{
    SrbSetSrbStatus(Srb, SrbStatus);
    StorPortNotification(RequestComplete, Adapter, Srb);
}

static VOID AhciCompleteOutstanding(PAHCI_ADAPTER Adapter, PAHCI_PORT Port, UCHAR SrbStatus)
{
    for (ULONG slot = 0; slot < 32; slot++) {
        if ((Port->IssuedSlots & (1u << slot)) && Port->SlotSrb[slot] != NULL) {
            PVOID srb = Port->SlotSrb[slot];
            Port->SlotSrb[slot] = NULL;
            AhciComplete(Adapter, srb, SrbStatus);
        }
    }
    Port->IssuedSlots = 0;
    Port->InternalActive = FALSE;
}

/* Fills a command header and sets the slot in PxCI (§5.5.1). */
static VOID AhciIssue(PAHCI_ADAPTER Adapter, PAHCI_PORT Port, ULONG Slot, STOR_PHYSICAL_ADDRESS TablePa, ULONG Prdtl, BOOLEAN Write)
{
    PAHCI_COMMAND_HEADER header = &Port->CommandList[Slot];
    RtlZeroMemory(header, sizeof *header);
    header->DW0 = (SATA_FIS_H2D_DWORDS << AHCI_CMD_HEADER_CFL_SHIFT) | (Write ? AHCI_CMD_HEADER_W : 0) | (Prdtl << AHCI_CMD_HEADER_PRDTL_SHIFT);
    header->CTBA = TablePa.LowPart;
    header->CTBAU = (ULONG)TablePa.HighPart;
    Port->IssuedSlots |= 1u << Slot;
    KeMemoryBarrier();
    PortWrite(Adapter, Port, AHCI_PxCI, 1u << Slot);
}

static VOID AhciBuildH2D(PAHCI_COMMAND_TABLE Table, UCHAR Command, ULONGLONG Lba, ULONG Count)
{
    PSATA_FIS_REG_H2D fis = (PSATA_FIS_REG_H2D)Table->CFIS;
    RtlZeroMemory(Table->CFIS, sizeof Table->CFIS);
    fis->FisType = SATA_FIS_TYPE_REG_H2D;
    fis->Flags = SATA_FIS_H2D_C;
    fis->Command = Command;
    fis->Lba0 = (UCHAR)Lba;
    fis->Lba1 = (UCHAR)(Lba >> 8);
    fis->Lba2 = (UCHAR)(Lba >> 16);
    fis->Lba3 = (UCHAR)(Lba >> 24);
    fis->Lba4 = (UCHAR)(Lba >> 32);
    fis->Lba5 = (UCHAR)(Lba >> 40);
    fis->Device = Command == IDE_COMMAND_IDENTIFY ? 0 : ATA_DEVICE_LBA;
    fis->CountLow = (UCHAR)Count;
    fis->CountHigh = (UCHAR)(Count >> 8);
}

static VOID AhciCopyAtaString(PCHAR Out, const UCHAR *In, ULONG Bytes)
{
    /* ATA strings: two characters a word, the first in the high byte (ATA8-ACS 3.3.10). */
    for (ULONG i = 0; i + 1 < Bytes; i += 2) {
        Out[i] = (CHAR)In[i + 1];
        Out[i + 1] = (CHAR)In[i];
    }
    Out[Bytes] = '\0';
    for (LONG i = (LONG)Bytes - 1; i >= 0 && Out[i] == ' '; i--) {
        Out[i] = '\0';
    }
}

static VOID AhciSendIdentify(PAHCI_ADAPTER Adapter, PAHCI_PORT Port)
{
    PAHCI_COMMAND_TABLE table = Port->InternalTable;
    RtlZeroMemory(table, FIELD_OFFSET(AHCI_COMMAND_TABLE, PRDT) + sizeof(AHCI_PRDT));
    AhciBuildH2D(table, IDE_COMMAND_IDENTIFY, 0, 0);
    table->PRDT[0].DBA = Port->IdentifyDataPa.LowPart;
    table->PRDT[0].DBAU = (ULONG)Port->IdentifyDataPa.HighPart;
    table->PRDT[0].DW3 = 512 - 1;
    Port->InternalActive = TRUE;
    Port->State = PortIdentify;
    AhciIssue(Adapter, Port, AHCI_INTERNAL_SLOT, Port->InternalTablePa, 1, FALSE);
    RequestTimer(Adapter, Port->StartTimer, AhciPortStartTimer, Port, AHCI_IDENTIFY_TIMEOUT_US);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Bus changes: StorPortStateChangeDetected, retried from the BusChangeTimer while Storport refuses it             */

static VOID AhciStateChangeTaken(PVOID HwDeviceExtension, PVOID Context, SHORT AddressType, PVOID Address, ULONG Status)
{
    PSTOR_ADDR_BTL8 address = (PSTOR_ADDR_BTL8)Address;
    DbgPrint("state change taken: bus %u type %d status 0x%08lx at %I64u\n", (ULONG)address->Path, (int)AddressType, Status, Now100ns());
}

static VOID AhciNotifyBusChanges(PAHCI_ADAPTER Adapter)
{
    for (ULONG i = 0; i < AHCI_MAX_PORTS; i++) {
        if (!(Adapter->BusChangePending & (1u << i))) {
            continue;
        }
        /* Storport keeps the address until HwStateChange runs, after the notification is processed: not a stack variable. */
        PSTOR_ADDR_BTL8 address = &Adapter->Port[i].Address;
        RtlZeroMemory(address, sizeof *address);
        address->Type = STOR_ADDRESS_TYPE_BTL8;
        address->AddressLength = STOR_ADDR_BTL8_ADDRESS_LENGTH;
        address->Path = (UCHAR)i;
        ULONG status = StorPortStateChangeDetected(Adapter, STATE_CHANGE_TARGET, (PSTOR_ADDRESS)address, 0, AhciStateChangeTaken, NULL);
        DbgPrint("StorPortStateChangeDetected bus %lu status 0x%08lx at %I64u\n", i, status, Now100ns());
        if (status == STOR_STATUS_SUCCESS) {
            Adapter->BusChangePending &= ~(1u << i);
        }
    }
    if (Adapter->BusChangePending != 0 && !Adapter->Stopped) {
        if (Adapter->BusChangeTimer == NULL) {
            ULONG status = StorPortInitializeTimer(Adapter, &Adapter->BusChangeTimer);
            DbgPrint("BusChangeTimer created status 0x%08lx\n", status);
            if (status != STOR_STATUS_SUCCESS) {
                Adapter->BusChangeTimer = NULL;
                return;
            }
        }
        RequestTimer(Adapter, Adapter->BusChangeTimer, AhciBusChangeTimer, NULL, AHCI_BUS_CHANGE_RETRY_US);
    } else if (Adapter->BusChangeTimer != NULL) {
        ULONG status = StorPortFreeTimer(Adapter, Adapter->BusChangeTimer);
        Adapter->BusChangeTimer = NULL;
        DbgPrint("BusChangeTimer freed status 0x%08lx at %I64u\n", status, Now100ns());
    }
}

static VOID AhciBusChangeTimer(PVOID DeviceExtension, PVOID Context)
{
    PAHCI_ADAPTER adapter = (PAHCI_ADAPTER)DeviceExtension;
    if (adapter->Stopped) {
        return; /* ScsiStopAdapter frees this timer */
    }
    adapter->BusChangeRetries++;
    DbgPrint("AhciBusChangeTimer retry %lu at %I64u\n", adapter->BusChangeRetries, Now100ns());
    AhciNotifyBusChanges(adapter);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Port start: one port at a time, each a timer-driven state machine                                                 */

static VOID AhciStartNextPort(PAHCI_ADAPTER Adapter);

static VOID AhciPortStartDone(PAHCI_ADAPTER Adapter, PAHCI_PORT Port, AHCI_PORT_STATE State)
{
    AHCI_PORT_STATE from = Port->State;
    Port->State = State;
    if (State != PortRunning) {
        ULONG cmd = PortRead(Adapter, Port, AHCI_PxCMD);
        if (cmd & AHCI_PxCMD_ST) {
            PortWrite(Adapter, Port, AHCI_PxCMD, cmd & ~AHCI_PxCMD_ST);
        }
    }
    switch (State) {
    case PortRunning:
        DbgPrint("port %lu running: model '%s' serial '%s' firmware '%s' sectors %I64u at %I64u\n", Port->Index, Port->Model, Port->Serial, Port->Firmware, Port->Sectors, Now100ns());
        break;
    case PortEmpty:
        DbgPrint("port %lu empty after %lu DET polls at %I64u\n", Port->Index, Port->Polls, Now100ns());
        break;
    default:
        DbgPrint("port %lu given up in %s after %lu ms BSY, %lu COMRESETs at %I64u\n", Port->Index, PortStateNames[from], Port->BusyMs, Port->ComResets, Now100ns());
        break;
    }
    if (Adapter->StartingPort == Port->Index) {
        Adapter->StartingPort = AHCI_NO_PORT;
    }
    if (Port->NotifyWhenStarted) {
        Port->NotifyWhenStarted = FALSE;
        Adapter->BusChangePending |= 1u << Port->Index;
        AhciNotifyBusChanges(Adapter);
    }
    AhciStartNextPort(Adapter);
}

static VOID AhciPortStartBegin(PAHCI_ADAPTER Adapter, PAHCI_PORT Port)
{
    DbgPrint("port %lu start at %I64u\n", Port->Index, Now100ns());
    AhciStopEngines(Adapter, Port);
    PortWrite(Adapter, Port, AHCI_PxCLB, Port->CommandListPa.LowPart);
    PortWrite(Adapter, Port, AHCI_PxCLBU, (ULONG)Port->CommandListPa.HighPart);
    PortWrite(Adapter, Port, AHCI_PxFB, Port->ReceivedFisPa.LowPart);
    PortWrite(Adapter, Port, AHCI_PxFBU, (ULONG)Port->ReceivedFisPa.HighPart);
    PortWrite(Adapter, Port, AHCI_PxSERR, 0xFFFFFFFFu);
    PortWrite(Adapter, Port, AHCI_PxIS, 0xFFFFFFFFu);
    PortWrite(Adapter, Port, AHCI_PxIE, AHCI_PxIE_ENABLED);
    Port->State = PortWaitOnDET;
    Port->Polls = 0;
    Port->BusyMs = 0;
    Port->ComResets = 0;
    AhciPortStep(Adapter, Port);
}

static VOID AhciStartNextPort(PAHCI_ADAPTER Adapter)
{
    if (Adapter->StartingPort != AHCI_NO_PORT || Adapter->StartQueue == 0 || Adapter->Stopped) {
        return;
    }
    for (ULONG i = 0; i < AHCI_MAX_PORTS; i++) {
        if (Adapter->StartQueue & (1u << i)) {
            Adapter->StartQueue &= ~(1u << i);
            Adapter->StartingPort = i;
            AhciPortStartBegin(Adapter, &Adapter->Port[i]);
            return;
        }
    }
}

/* One step of the start state machine: from the start, from its timer, or when a state leads on at once. */
static VOID AhciPortStep(PAHCI_ADAPTER Adapter, PAHCI_PORT Port)
{
    for (;;) {
        switch (Port->State) {
        case PortWaitOnDET: {
            ULONG det = PortRead(Adapter, Port, AHCI_PxSSTS) & AHCI_PxSSTS_DET_MASK;
            if (det == AHCI_PxSSTS_DET_ESTABLISHED) {
                PortWrite(Adapter, Port, AHCI_PxCMD, PortRead(Adapter, Port, AHCI_PxCMD) | AHCI_PxCMD_FRE);
                Port->State = PortWaitOnFRE;
                Port->Polls = 0;
                continue;
            }
            if (det == AHCI_PxSSTS_DET_PRESENT) {
                Port->State = PortWaitWhileDET1;
                Port->Polls = 1;
                RequestTimer(Adapter, Port->StartTimer, AhciPortStartTimer, Port, AHCI_DET_POLL_US);
                return;
            }
            if (Port->Polls < AHCI_DET_POLLS) {
                Port->Polls++;
                RequestTimer(Adapter, Port->StartTimer, AhciPortStartTimer, Port, AHCI_DET_POLL_US);
                return;
            }
            AhciPortStartDone(Adapter, Port, PortEmpty);
            return;
        }
        case PortWaitWhileDET1: {
            ULONG det = PortRead(Adapter, Port, AHCI_PxSSTS) & AHCI_PxSSTS_DET_MASK;
            if (det != AHCI_PxSSTS_DET_PRESENT) {
                Port->State = PortWaitOnDET;
                Port->Polls = 0;
                continue;
            }
            if (Port->Polls < AHCI_DET1_POLLS) {
                Port->Polls++;
            } else {
                AhciComReset(Adapter, Port);
                Port->State = PortWaitOnDET;
                Port->Polls = 1;
            }
            RequestTimer(Adapter, Port->StartTimer, AhciPortStartTimer, Port, AHCI_DET_POLL_US);
            return;
        }
        case PortWaitOnFRE:
            if (PortRead(Adapter, Port, AHCI_PxCMD) & AHCI_PxCMD_FR) {
                Port->State = PortWaitOnBSYDRQ;
                continue;
            }
            if (Port->Polls < AHCI_FRE_POLLS) {
                Port->Polls++;
                RequestTimer(Adapter, Port->StartTimer, AhciPortStartTimer, Port, AHCI_DET_POLL_US);
                return;
            }
            AhciPortStartDone(Adapter, Port, PortGivenUp);
            return;
        case PortWaitOnBSYDRQ: {
            ULONG tfd = PortRead(Adapter, Port, AHCI_PxTFD);
            if ((tfd & (AHCI_PxTFD_STS_BSY | AHCI_PxTFD_STS_DRQ)) == 0) {
                PortWrite(Adapter, Port, AHCI_PxSERR, 0xFFFFFFFFu);
                PortWrite(Adapter, Port, AHCI_PxCMD, PortRead(Adapter, Port, AHCI_PxCMD) | AHCI_PxCMD_ST);
                DbgPrint("port %lu ready after %lu ms: TFD 0x%08lx SIG 0x%08lx at %I64u\n", Port->Index, Port->BusyMs, tfd, PortRead(Adapter, Port, AHCI_PxSIG), Now100ns());
                AhciSendIdentify(Adapter, Port);
                return;
            }
            if (Port->BusyMs >= AHCI_BSY_GIVE_UP_MS) {
                AhciPortStartDone(Adapter, Port, PortGivenUp);
                return;
            }
            if (Port->BusyMs == AHCI_BSY_COMRESET_MS) {
                AhciComReset(Adapter, Port);
            }
            Port->BusyMs += AHCI_BSY_POLL_US / 1000;
            RequestTimer(Adapter, Port->StartTimer, AhciPortStartTimer, Port, AHCI_BSY_POLL_US);
            return;
        }
        case PortIdentify:
            /* The timer fired before IDENTIFY DEVICE completed. */
            Port->IssuedSlots = 0;
            Port->InternalActive = FALSE;
            AhciPortStartDone(Adapter, Port, PortGivenUp);
            return;
        default:
            return;
        }
    }
}

/* HW_TIMER_EX: under the StartIo lock at DISPATCH_LEVEL. */
static VOID AhciPortStartTimer(PVOID DeviceExtension, PVOID Context)
{
    PAHCI_ADAPTER adapter = (PAHCI_ADAPTER)DeviceExtension;
    PAHCI_PORT port = (PAHCI_PORT)Context;
    port->StartFires++;
    DbgPrint("AhciPortStartTimer port %lu %s fire %lu at %I64u\n", port->Index, PortStateNames[port->State], port->StartFires, Now100ns());
    if (!adapter->Stopped) {
        AhciPortStep(adapter, port);
    }
}

static VOID AhciIdentifyDone(PAHCI_ADAPTER Adapter, PAHCI_PORT Port, BOOLEAN Failed)
{
    PIDENTIFY_DEVICE_DATA identify = (PIDENTIFY_DEVICE_DATA)Port->IdentifyData;
    Port->InternalActive = FALSE;
    StorPortRequestTimer(Adapter, Port->StartTimer, AhciPortStartTimer, Port, 0, 0); /* 0: cancel the timeout */
    if (Failed) {
        AhciPortStartDone(Adapter, Port, PortGivenUp);
        return;
    }
    AhciCopyAtaString(Port->Model, identify->ModelNumber, sizeof identify->ModelNumber);
    AhciCopyAtaString(Port->Serial, identify->SerialNumber, sizeof identify->SerialNumber);
    AhciCopyAtaString(Port->Firmware, identify->FirmwareRevision, sizeof identify->FirmwareRevision);
    if (identify->CommandSetSupport.BigLba) {
        Port->Sectors = ((ULONGLONG)identify->Max48BitLBA[1] << 32) | identify->Max48BitLBA[0];
    } else {
        Port->Sectors = identify->UserAddressableSectors;
    }
    AhciPortStartDone(Adapter, Port, PortRunning);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Interrupt and completion DPC                                                                                      */

static BOOLEAN AhciHwInterrupt(PVOID DeviceExtension)
{
    PAHCI_ADAPTER adapter = (PAHCI_ADAPTER)DeviceExtension;
    ULONG is = HbaRead(adapter, AHCI_IS);
    if (is == 0) {
        return FALSE;
    }
    for (ULONG i = 0; i < AHCI_MAX_PORTS; i++) {
        if (!(is & (1u << i))) {
            continue;
        }
        PAHCI_PORT port = &adapter->Port[i];
        ULONG pxis = PortRead(adapter, port, AHCI_PxIS);
        PortWrite(adapter, port, AHCI_PxIS, pxis);
        if (pxis & AHCI_PxIS_HOTPLUG) {
            /* PCS and PRCS reflect PxSERR.DIAG.X and DIAG.N and clear there (§3.3.5). */
            PortWrite(adapter, port, AHCI_PxSERR, PortRead(adapter, port, AHCI_PxSERR));
        }
        AhciInterlockedOr(&port->PendingIs, (LONG)pxis);
    }
    HbaWrite(adapter, AHCI_IS, is);
    if (adapter->DpcReady) {
        StorPortIssueDpc(adapter, &adapter->CompletionDpc, NULL, NULL);
    }
    return TRUE;
}

static VOID AhciRecover(PAHCI_ADAPTER Adapter, PAHCI_PORT Port, ULONG Pending)
{
    /* §6.2.2: the command list stopped on the failing slot (PxCMD.CCS). Clear ST, clear the errors, start again. */
    ULONG cmd = PortRead(Adapter, Port, AHCI_PxCMD);
    ULONG failed = (cmd >> AHCI_PxCMD_CCS_SHIFT) & AHCI_PxCMD_CCS_MASK;
    ULONG tfd = PortRead(Adapter, Port, AHCI_PxTFD);
    DbgPrint("port %lu error: PxIS 0x%08lx TFD 0x%08lx slot %lu at %I64u\n", Port->Index, (ULONG)Pending, tfd, failed, Now100ns());
    PortWrite(Adapter, Port, AHCI_PxCMD, cmd & ~AHCI_PxCMD_ST);
    PortWrite(Adapter, Port, AHCI_PxSERR, 0xFFFFFFFFu);
    PortWrite(Adapter, Port, AHCI_PxIS, 0xFFFFFFFFu);
    if (PortRead(Adapter, Port, AHCI_PxTFD) & (AHCI_PxTFD_STS_BSY | AHCI_PxTFD_STS_DRQ)) {
        PortWrite(Adapter, Port, AHCI_PxCMD, PortRead(Adapter, Port, AHCI_PxCMD) | AHCI_PxCMD_CLO);
    }
    PortWrite(Adapter, Port, AHCI_PxCMD, PortRead(Adapter, Port, AHCI_PxCMD) | AHCI_PxCMD_ST);
    if (Port->InternalActive) {
        Port->IssuedSlots = 0;
        AhciIdentifyDone(Adapter, Port, TRUE);
        return;
    }
    for (ULONG slot = 0; slot < 32; slot++) {
        if ((Port->IssuedSlots & (1u << slot)) && Port->SlotSrb[slot] != NULL) {
            PVOID srb = Port->SlotSrb[slot];
            Port->SlotSrb[slot] = NULL;
            /* The failed command ends in error; the others were dropped with ST and are sent again by Storport. */
            AhciComplete(Adapter, srb, slot == failed ? SRB_STATUS_ERROR : SRB_STATUS_BUSY);
        }
    }
    Port->IssuedSlots = 0;
}

static VOID AhciHotPlug(PAHCI_ADAPTER Adapter, PAHCI_PORT Port, ULONG Pending)
{
    ULONG det = PortRead(Adapter, Port, AHCI_PxSSTS) & AHCI_PxSSTS_DET_MASK;
    if (Port->State != PortRunning && Port->State != PortEmpty && Port->State != PortGivenUp) {
        return; /* the start sequence's own COMRESET, or a change it will see anyway */
    }
    DbgPrint("port %lu hot plug: PxIS 0x%08lx DET %lu in %s at %I64u\n", Port->Index, Pending, det, PortStateNames[Port->State], Now100ns());
    AhciCompleteOutstanding(Adapter, Port, SRB_STATUS_NO_DEVICE);
    Port->State = PortNotStarted;
    Port->Sectors = 0;
    Port->NotifyWhenStarted = TRUE;
    Adapter->BusChangePending |= 1u << Port->Index;
    AhciNotifyBusChanges(Adapter);
    Adapter->StartQueue |= 1u << Port->Index;
    AhciStartNextPort(Adapter);
}

static VOID AhciCompletionDpc(PSTOR_DPC Dpc, PVOID HwDeviceExtension, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PAHCI_ADAPTER adapter = (PAHCI_ADAPTER)HwDeviceExtension;
    STOR_LOCK_HANDLE lock;
    StorPortAcquireSpinLock(adapter, StartIoLock, NULL, &lock);
    for (ULONG i = 0; i < AHCI_MAX_PORTS && !adapter->Stopped; i++) {
        PAHCI_PORT port = &adapter->Port[i];
        ULONG pending = (ULONG)InterlockedExchange(&port->PendingIs, 0);
        if (!(adapter->Pi & (1u << i)) || (pending == 0 && port->IssuedSlots == 0)) {
            continue;
        }
        if (port->IssuedSlots != 0) {
            ULONG done = port->IssuedSlots & ~PortRead(adapter, port, AHCI_PxCI);
            for (ULONG slot = 0; slot < 32; slot++) {
                if (!(done & (1u << slot))) {
                    continue;
                }
                port->IssuedSlots &= ~(1u << slot);
                if (port->InternalActive && slot == AHCI_INTERNAL_SLOT) {
                    AhciIdentifyDone(adapter, port, (PortRead(adapter, port, AHCI_PxTFD) & AHCI_PxTFD_STS_ERR) != 0);
                    continue;
                }
                PVOID srb = port->SlotSrb[slot];
                port->SlotSrb[slot] = NULL;
                if (srb != NULL) {
                    SrbSetDataTransferLength(srb, port->CommandList[slot].PRDBC);
                    port->Completed++;
                    AhciComplete(adapter, srb, SRB_STATUS_SUCCESS);
                }
            }
        }
        if (pending & AHCI_PxIS_ERRORS) {
            AhciRecover(adapter, port, pending); /* after the slots that finished before the error were completed */
        }
        if (pending & AHCI_PxIS_HOTPLUG) {
            AhciHotPlug(adapter, port, pending);
        }
    }
    StorPortReleaseSpinLock(adapter, &lock);
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* SCSI translation                                                                                                  */

static PAHCI_SRB_EXTENSION AhciSrbExtension(PVOID Srb)
{
    ULONG_PTR context = (ULONG_PTR)SrbGetMiniportContext(Srb);
    return context == 0 ? NULL : (PAHCI_SRB_EXTENSION)((context + 127) & ~(ULONG_PTR)127);
}

/* HwBuildIo: without locks, before HwStartIo. The ATA commands' FIS and PRDT go into the SRB extension now. */
static BOOLEAN AhciHwBuildIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PAHCI_ADAPTER adapter = (PAHCI_ADAPTER)DeviceExtension;
    PAHCI_SRB_EXTENSION ext = AhciSrbExtension(Srb);
    if (ext == NULL) {
        AhciComplete(adapter, Srb, SRB_STATUS_INTERNAL_ERROR);
        return FALSE;
    }
    ext->IsAta = FALSE;
    if (SrbGetSrbFunction(Srb) != SRB_FUNCTION_EXECUTE_SCSI) {
        return TRUE;
    }
    UCHAR path = SrbGetPathId(Srb);
    if (path >= AHCI_MAX_PORTS || !(adapter->Pi & (1u << path)) || SrbGetTargetId(Srb) != 0) {
        AhciComplete(adapter, Srb, SRB_STATUS_NO_DEVICE);
        return FALSE;
    }
    if (SrbGetLun(Srb) != 0) {
        AhciComplete(adapter, Srb, SRB_STATUS_INVALID_LUN);
        return FALSE;
    }
    const UCHAR *cdb = (const UCHAR *)SrbGetCdb(Srb);
    ULONGLONG lba = 0;
    ULONG count = 0;
    switch (cdb[0]) {
    case SCSIOP_READ:
    case SCSIOP_WRITE:
        lba = Be32(cdb + 2);
        count = ((ULONG)cdb[7] << 8) | cdb[8];
        ext->AtaCommand = cdb[0] == SCSIOP_READ ? IDE_COMMAND_READ_DMA_EXT : IDE_COMMAND_WRITE_DMA_EXT;
        break;
    case SCSIOP_READ16:
    case SCSIOP_WRITE16:
        lba = Be64(cdb + 2);
        count = Be32(cdb + 10);
        ext->AtaCommand = cdb[0] == SCSIOP_READ16 ? IDE_COMMAND_READ_DMA_EXT : IDE_COMMAND_WRITE_DMA_EXT;
        break;
    case SCSIOP_SYNCHRONIZE_CACHE:
    case SCSIOP_SYNCHRONIZE_CACHE16:
        ext->AtaCommand = IDE_COMMAND_FLUSH_CACHE_EXT;
        break;
    case SCSIOP_ATA_PASSTHROUGH16: {
        /* SAT-3 ATA PASS-THROUGH (16), the non-data protocol only: the task file as the CDB gives it. */
        PSATA_FIS_REG_H2D fis = (PSATA_FIS_REG_H2D)ext->Table.CFIS;
        if (((cdb[1] >> 1) & 0xF) != SAT_PROTOCOL_NON_DATA) {
            AhciComplete(adapter, Srb, SRB_STATUS_INVALID_REQUEST);
            return FALSE;
        }
        RtlZeroMemory(ext->Table.CFIS, sizeof ext->Table.CFIS);
        fis->FisType = SATA_FIS_TYPE_REG_H2D;
        fis->Flags = SATA_FIS_H2D_C;
        fis->FeaturesHigh = cdb[3];
        fis->FeaturesLow = cdb[4];
        fis->CountHigh = cdb[5];
        fis->CountLow = cdb[6];
        fis->Lba3 = cdb[7];
        fis->Lba0 = cdb[8];
        fis->Lba4 = cdb[9];
        fis->Lba1 = cdb[10];
        fis->Lba5 = cdb[11];
        fis->Lba2 = cdb[12];
        fis->Device = cdb[13];
        fis->Command = cdb[14];
        ext->AtaCommand = cdb[14];
        ext->IsAta = TRUE;
        ext->Write = FALSE;
        ext->MediaAccess = FALSE;
        ext->Prdtl = 0;
        return TRUE;
    }
    default:
        return TRUE; /* answered by HwStartIo from what the port knows */
    }
    ext->IsAta = TRUE;
    ext->MediaAccess = ext->AtaCommand != IDE_COMMAND_FLUSH_CACHE_EXT;
    ext->Write = ext->AtaCommand == IDE_COMMAND_WRITE_DMA_EXT;
    ext->Lba = lba;
    ext->Sectors = count;
    ext->Prdtl = 0;
    AhciBuildH2D(&ext->Table, ext->AtaCommand, lba, count);
    if (ext->AtaCommand == IDE_COMMAND_FLUSH_CACHE_EXT) {
        return TRUE;
    }
    if (count == 0) {
        SrbSetDataTransferLength(Srb, 0);
        AhciComplete(adapter, Srb, SRB_STATUS_SUCCESS); /* no blocks: nothing to do (SBC-3) */
        return FALSE;
    }
    if (count > 65536 || SrbGetDataTransferLength(Srb) < count * 512) {
        AhciComplete(adapter, Srb, SRB_STATUS_INVALID_REQUEST);
        return FALSE;
    }
    PSTOR_SCATTER_GATHER_LIST sgl = StorPortGetScatterGatherList(adapter, Srb);
    if (sgl == NULL) {
        AhciComplete(adapter, Srb, SRB_STATUS_INTERNAL_ERROR);
        return FALSE;
    }
    for (ULONG e = 0; e < sgl->NumberOfElements; e++) {
        ULONGLONG address = (ULONGLONG)sgl->List[e].PhysicalAddress.QuadPart;
        ULONG left = sgl->List[e].Length;
        while (left > 0) {
            ULONG bytes = min(left, AHCI_PRD_MAX_BYTES);
            if (ext->Prdtl == AHCI_MAX_PRDT) {
                AhciComplete(adapter, Srb, SRB_STATUS_INVALID_REQUEST);
                return FALSE;
            }
            PAHCI_PRDT prd = &ext->Table.PRDT[ext->Prdtl++];
            prd->DBA = (ULONG)address;
            prd->DBAU = (ULONG)(address >> 32);
            prd->Reserved = 0;
            prd->DW3 = (bytes - 1) & AHCI_PRD_DBC_MASK;
            address += bytes;
            left -= bytes;
        }
    }
    return TRUE;
}

static BOOLEAN AhciHwStartIo(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb)
{
    PAHCI_ADAPTER adapter = (PAHCI_ADAPTER)DeviceExtension;
    ULONG function = SrbGetSrbFunction(Srb);
    if (function != SRB_FUNCTION_EXECUTE_SCSI) {
        AhciComplete(adapter, Srb, ScsiDiskOtherFunction(function));
        return TRUE;
    }
    PAHCI_SRB_EXTENSION ext = AhciSrbExtension(Srb);
    PAHCI_PORT port = &adapter->Port[SrbGetPathId(Srb)];
    switch (port->State) {
    case PortRunning:
        break;
    case PortEmpty:
    case PortGivenUp:
        AhciComplete(adapter, Srb, SRB_STATUS_NO_DEVICE);
        return TRUE;
    default:
        AhciComplete(adapter, Srb, SRB_STATUS_BUSY); /* still starting: Storport asks again */
        return TRUE;
    }
    const UCHAR *cdb = (const UCHAR *)SrbGetCdb(Srb);
    if (ext->IsAta) {
        if (ext->MediaAccess && ext->Lba + ext->Sectors > port->Sectors) {
            AhciComplete(adapter, Srb, SRB_STATUS_INVALID_REQUEST); /* LBA out of range */
            return TRUE;
        }
        ULONG free = ~port->IssuedSlots & (adapter->Slots == 32 ? 0xFFFFFFFFu : ((1u << adapter->Slots) - 1));
        if (free == 0) {
            AhciComplete(adapter, Srb, SRB_STATUS_BUSY);
            return TRUE;
        }
        ULONG slot = (ULONG)__builtin_ctz(free);
        ULONG length;
        STOR_PHYSICAL_ADDRESS tablePa = StorPortGetPhysicalAddress(adapter, Srb, &ext->Table, &length);
        port->SlotSrb[slot] = Srb;
        AhciIssue(adapter, port, slot, tablePa, ext->Prdtl, ext->Write);
        return TRUE;
    }
    /* INQUIRY: vendor "ATA", the product the first 16 characters of IDENTIFY's model (SAT). */
    SCSI_DISK_IDENTITY unit = { "ATA", port->Model, port->Firmware, 5 /* SPC-3 */, port->Sectors, 512 };
    UCHAR status = ScsiDiskAnswer(&unit, Srb, cdb);
    AhciComplete(adapter, Srb, status);
    return TRUE;
}

/* ---------------------------------------------------------------------------------------------------------------- */
/* Adapter                                                                                                           */

static ULONG AhciHwFindAdapter(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation, PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo, PBOOLEAN Reserved3)
{
    PAHCI_ADAPTER adapter = (PAHCI_ADAPTER)DeviceExtension;
    PCI_COMMON_CONFIG pci;
    ULONG got = StorPortGetBusData(adapter, PCIConfiguration, ConfigInfo->SystemIoBusNumber, ConfigInfo->SlotNumber, &pci, sizeof pci);
    if (got < PCI_COMMON_HDR_LENGTH || pci.BaseClass != 0x01 || pci.SubClass != 0x06 || pci.ProgIf != 0x01) {
        DbgPrint("AhciHwFindAdapter: not an AHCI HBA (%lu bytes, class %02x/%02x/%02x)\n", got, (ULONG)pci.BaseClass, (ULONG)pci.SubClass, (ULONG)pci.ProgIf);
        return SP_RETURN_NOT_FOUND;
    }
    ULONG abar = pci.u.type0.BaseAddresses[5] & ~0xFu; /* ABAR: BAR5, memory (§2.1.11) */
    PACCESS_RANGE range = NULL;
    for (ULONG i = 0; i < ConfigInfo->NumberOfAccessRanges; i++) {
        PACCESS_RANGE candidate = &(*ConfigInfo->AccessRanges)[i];
        if (candidate->RangeInMemory && (ULONGLONG)candidate->RangeStart.QuadPart == abar) {
            range = candidate;
        }
    }
    if (range == NULL) {
        DbgPrint("AhciHwFindAdapter: no access range for ABAR 0x%08lx\n", abar);
        return SP_RETURN_BAD_CONFIG;
    }
    adapter->Abar = (PUCHAR)StorPortGetDeviceBase(adapter, ConfigInfo->AdapterInterfaceType, ConfigInfo->SystemIoBusNumber, range->RangeStart, range->RangeLength, FALSE);
    if (adapter->Abar == NULL) {
        return SP_RETURN_ERROR;
    }
    HbaWrite(adapter, AHCI_GHC, HbaRead(adapter, AHCI_GHC) | AHCI_GHC_AE);
    adapter->Cap = HbaRead(adapter, AHCI_CAP);
    adapter->Pi = HbaRead(adapter, AHCI_PI);
    adapter->Slots = ((adapter->Cap >> AHCI_CAP_NCS_SHIFT) & AHCI_CAP_NCS_MASK) + 1;
    adapter->Buses = 32 - (ULONG)__builtin_clz(adapter->Pi | 1u);
    adapter->StartingPort = AHCI_NO_PORT;

    ConfigInfo->NumberOfBuses = (UCHAR)adapter->Buses;
    ConfigInfo->MaximumNumberOfTargets = 1;
    ConfigInfo->MaximumNumberOfLogicalUnits = 1;
    ConfigInfo->MaximumTransferLength = 128 * 1024;
    ConfigInfo->NumberOfPhysicalBreaks = AHCI_MAX_PRDT - 1;
    ConfigInfo->AlignmentMask = 1; /* PRD data addresses are word aligned (§4.2.3.3) */
    ConfigInfo->ScatterGather = TRUE;
    ConfigInfo->Master = TRUE;
    ConfigInfo->CachesData = TRUE;
    ConfigInfo->MapBuffers = STOR_MAP_NON_READ_WRITE_BUFFERS;
    ConfigInfo->Dma64BitAddresses = (adapter->Cap & AHCI_CAP_S64A) ? SCSI_DMA64_MINIPORT_SUPPORTED : 0;
    ConfigInfo->SynchronizationModel = StorSynchronizeFullDuplex;
    ConfigInfo->SrbExtensionSize = AHCI_SRB_EXTENSION_SIZE;

    /* Per port, 2 KiB: command list (1 KiB), received FIS (256 B), internal command table (256 B), IDENTIFY (512 B). */
    ULONG perPort = 2048;
    PUCHAR uncached = (PUCHAR)StorPortGetUncachedExtension(adapter, ConfigInfo, perPort * adapter->Buses + AHCI_COMMAND_LIST_BYTES);
    if (uncached == NULL) {
        DbgPrint("AhciHwFindAdapter: no uncached extension\n");
        return SP_RETURN_ERROR;
    }
    uncached = (PUCHAR)(((ULONG_PTR)uncached + AHCI_COMMAND_LIST_BYTES - 1) & ~(ULONG_PTR)(AHCI_COMMAND_LIST_BYTES - 1));
    for (ULONG i = 0; i < adapter->Buses; i++) {
        PAHCI_PORT port = &adapter->Port[i];
        ULONG length;
        port->Index = i;
        port->State = PortNotStarted;
        if (!(adapter->Pi & (1u << i))) {
            continue;
        }
        PUCHAR base = uncached + perPort * i;
        port->Registers = (PULONG)(adapter->Abar + AHCI_PORT_BASE + AHCI_PORT_STRIDE * i);
        port->CommandList = (PAHCI_COMMAND_HEADER)base;
        port->ReceivedFis = base + AHCI_COMMAND_LIST_BYTES;
        port->InternalTable = (PAHCI_COMMAND_TABLE)(base + AHCI_COMMAND_LIST_BYTES + AHCI_RECEIVED_FIS_BYTES);
        port->IdentifyData = (PUSHORT)(base + 1536);
        port->CommandListPa = StorPortGetPhysicalAddress(adapter, NULL, port->CommandList, &length);
        port->ReceivedFisPa = StorPortGetPhysicalAddress(adapter, NULL, port->ReceivedFis, &length);
        port->InternalTablePa = StorPortGetPhysicalAddress(adapter, NULL, port->InternalTable, &length);
        port->IdentifyDataPa = StorPortGetPhysicalAddress(adapter, NULL, port->IdentifyData, &length);
        if (StorPortInitializeTimer(adapter, &port->StartTimer) != STOR_STATUS_SUCCESS) {
            return SP_RETURN_ERROR;
        }
    }
    DbgPrint("AhciHwFindAdapter: vendor %04x device %04x ABAR 0x%08lx VS 0x%08lx CAP 0x%08lx PI 0x%08lx buses %lu slots %lu\n",
             (ULONG)pci.VendorID, (ULONG)pci.DeviceID, abar, HbaRead(adapter, AHCI_VS), adapter->Cap, adapter->Pi, adapter->Buses, adapter->Slots);
    return SP_RETURN_FOUND;
}

static VOID AhciQueueAllPorts(PAHCI_ADAPTER Adapter)
{
    STOR_LOCK_HANDLE lock;
    StorPortAcquireSpinLock(Adapter, StartIoLock, NULL, &lock);
    Adapter->Stopped = FALSE;
    Adapter->StartingPort = AHCI_NO_PORT;
    Adapter->StartQueue = Adapter->Pi & (Adapter->Buses == 32 ? 0xFFFFFFFFu : ((1u << Adapter->Buses) - 1));
    AhciStartNextPort(Adapter);
    StorPortReleaseSpinLock(Adapter, &lock);
}

static BOOLEAN AhciHwPassiveInitialize(PVOID DeviceExtension)
{
    PAHCI_ADAPTER adapter = (PAHCI_ADAPTER)DeviceExtension;
    StorPortInitializeDpc(adapter, &adapter->CompletionDpc, AhciCompletionDpc);
    adapter->DpcReady = TRUE;
    AhciQueueAllPorts(adapter);
    return TRUE;
}

static BOOLEAN AhciHwInitialize(PVOID DeviceExtension)
{
    PAHCI_ADAPTER adapter = (PAHCI_ADAPTER)DeviceExtension;
    HbaWrite(adapter, AHCI_GHC, HbaRead(adapter, AHCI_GHC) | AHCI_GHC_AE | AHCI_GHC_IE);
    return StorPortEnablePassiveInitialization(adapter, AhciHwPassiveInitialize);
}

static ULONG AhciFreeTimers(PAHCI_ADAPTER Adapter)
{
    ULONG freed = 0;
    for (ULONG i = 0; i < AHCI_MAX_PORTS; i++) {
        if (Adapter->Port[i].StartTimer != NULL) {
            freed += StorPortFreeTimer(Adapter, Adapter->Port[i].StartTimer) == STOR_STATUS_SUCCESS;
            Adapter->Port[i].StartTimer = NULL;
        }
    }
    if (Adapter->BusChangeTimer != NULL) {
        freed += StorPortFreeTimer(Adapter, Adapter->BusChangeTimer) == STOR_STATUS_SUCCESS;
        Adapter->BusChangeTimer = NULL;
    }
    return freed;
}

static SCSI_ADAPTER_CONTROL_STATUS AhciHwAdapterControl(PVOID DeviceExtension, SCSI_ADAPTER_CONTROL_TYPE ControlType, PVOID Parameters)
{
    PAHCI_ADAPTER adapter = (PAHCI_ADAPTER)DeviceExtension;
    switch (ControlType) {
    case ScsiQuerySupportedControlTypes: {
        PSCSI_SUPPORTED_CONTROL_TYPE_LIST list = (PSCSI_SUPPORTED_CONTROL_TYPE_LIST)Parameters;
        DbgPrint("ScsiQuerySupportedControlTypes: MaxControlType %lu at %I64u\n", list != NULL ? list->MaxControlType : 0, Now100ns());
        if (list != NULL) {
            if (ScsiQuerySupportedControlTypes < list->MaxControlType) list->SupportedTypeList[ScsiQuerySupportedControlTypes] = TRUE;
            if (ScsiStopAdapter < list->MaxControlType) list->SupportedTypeList[ScsiStopAdapter] = TRUE;
            if (ScsiRestartAdapter < list->MaxControlType) list->SupportedTypeList[ScsiRestartAdapter] = TRUE;
        }
        return ScsiAdapterControlSuccess;
    }
    case ScsiStopAdapter: {
        /* Under the StartIo lock, as the timer callbacks and the DPC run: once Stopped is set they do nothing. The timers
           are freed after it is released (a callback waiting for the lock returns at once). */
        STOR_LOCK_HANDLE lock;
        StorPortAcquireSpinLock(adapter, StartIoLock, NULL, &lock);
        adapter->Stopped = TRUE;
        HbaWrite(adapter, AHCI_GHC, HbaRead(adapter, AHCI_GHC) & ~AHCI_GHC_IE);
        for (ULONG i = 0; i < adapter->Buses; i++) {
            PAHCI_PORT port = &adapter->Port[i];
            if (!(adapter->Pi & (1u << i))) {
                continue;
            }
            PortWrite(adapter, port, AHCI_PxIE, 0);
            AhciStopEngines(adapter, port);
            AhciCompleteOutstanding(adapter, port, SRB_STATUS_BUS_RESET);
            port->State = PortNotStarted;
        }
        adapter->BusChangePending = 0;
        StorPortReleaseSpinLock(adapter, &lock);
        ULONG freed = AhciFreeTimers(adapter);
        DbgPrint("ScsiStopAdapter: %lu timers freed at %I64u\n", freed, Now100ns());
        return ScsiAdapterControlSuccess;
    }
    case ScsiRestartAdapter:
        for (ULONG i = 0; i < adapter->Buses; i++) {
            if ((adapter->Pi & (1u << i)) && StorPortInitializeTimer(adapter, &adapter->Port[i].StartTimer) != STOR_STATUS_SUCCESS) {
                return ScsiAdapterControlUnsuccessful;
            }
        }
        HbaWrite(adapter, AHCI_GHC, HbaRead(adapter, AHCI_GHC) | AHCI_GHC_AE | AHCI_GHC_IE);
        DbgPrint("ScsiRestartAdapter at %I64u\n", Now100ns());
        AhciQueueAllPorts(adapter);
        return ScsiAdapterControlSuccess;
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
    init.HwFindAdapter = AhciHwFindAdapter;
    init.HwInitialize = AhciHwInitialize;
    init.HwBuildIo = AhciHwBuildIo;
    init.HwStartIo = AhciHwStartIo;
    init.HwInterrupt = AhciHwInterrupt;
    init.HwAdapterControl = AhciHwAdapterControl;
    init.DeviceExtensionSize = sizeof(AHCI_ADAPTER);
    init.SrbExtensionSize = AHCI_SRB_EXTENSION_SIZE;
    init.NumberOfAccessRanges = 6;
    init.MapBuffers = STOR_MAP_NON_READ_WRITE_BUFFERS;
    init.NeedPhysicalAddresses = TRUE;
    init.TaggedQueuing = TRUE;
    init.AutoRequestSense = TRUE;
    init.MultipleRequestPerLu = TRUE;
    init.SrbTypeFlags = SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK;
    return StorPortInitialize(DriverObject, RegistryPath, &init, NULL);
}
