/*
 * An NDIS 5.1 miniport written by the MiniportTimers project for the AMD PCnet-PCI II (Am79C970A), from the chip's data
 * sheet, the way an NDIS 5 Ethernet driver of that chip works (issue 23): DriverEntry registers with
 * NdisMRegisterMiniport; MiniportInitialize picks 802.3 from the medium array, finds the card with
 * NdisReadPciSlotInformation, registers its ports, its interrupt and shared memory, reads the station address from the
 * APROM, loads a software-style-2 initialization block and starts the chip; a periodic 5 s timer reads BCR4's LED bit
 * under NdisMSynchronizeWithInterrupt and indicates MEDIA_CONNECT / MEDIA_DISCONNECT; MiniportISR and
 * MiniportHandleInterrupt service IDON, TINT and RINT; MiniportSend copies a packet into the transmit ring;
 * MiniportCheckForHang counts its calls; MiniportHalt cancels the timer and frees everything. Reports with DbgPrint.
 */
#define NDIS51_MINIPORT 1
#include <ndis.h>

/* ---- the chip (Am79C970A data sheet) ---- */
#define IO_PORTS 0x20
#define PORT_RDP 0x10
#define PORT_RAP 0x12
#define PORT_RESET 0x14
#define PORT_BDP 0x16
#define CSR0_INIT 0x0001
#define CSR0_STRT 0x0002
#define CSR0_STOP 0x0004
#define CSR0_TDMD 0x0008
#define CSR0_IENA 0x0040
#define CSR0_INTR 0x0080
#define CSR0_IDON 0x0100
#define CSR0_TINT 0x0200
#define CSR0_RINT 0x0400
#define CSR4_APAD_XMT 0x0800
#define LED_LNKSTE 0x0040
#define LED_LEDOUT 0x8000
#define MD1_OWN 0x80000000u
#define MD1_ERR 0x40000000u
#define MD1_STP 0x02000000u
#define MD1_ENP 0x01000000u
#define RING_LOG2 4
#define RING (1 << RING_LOG2)
#define BUFFER 1536

#pragma pack(push, 1)
typedef struct { USHORT Mode; UCHAR Rlen; UCHAR Tlen; UCHAR Padr[6]; USHORT Reserved; UCHAR Ladrf[8]; ULONG Rdra; ULONG Tdra; } INIT_BLOCK;
typedef struct { ULONG Address; ULONG Md1; ULONG Md2; ULONG User; } DESCRIPTOR;
#pragma pack(pop)
C_ASSERT(sizeof(INIT_BLOCK) == 28 && sizeof(DESCRIPTOR) == 16);

typedef struct {
    INIT_BLOCK Init;
    DESCRIPTOR Rx[RING];
    DESCRIPTOR Tx[RING];
    UCHAR RxBuffers[RING][BUFFER];
    UCHAR TxBuffers[RING][BUFFER];
} SHARED;

typedef struct _ADAPTER {
    NDIS_HANDLE Handle;
    ULONG IoBase;
    ULONG_PTR Port;
    NDIS_MINIPORT_INTERRUPT Interrupt;
    NDIS_MINIPORT_TIMER MediaTimer;
    NDIS_MINIPORT_TIMER RequestTimer;   /* completes a pended set (OID_GEN_CURRENT_LOOKAHEAD) 10 ms later */
    ULONG Lookahead;
    NDIS_SPIN_LOCK Lock;
    SHARED *Shared;
    NDIS_PHYSICAL_ADDRESS SharedPhysical;
    UCHAR Mac[6];
    NDIS_MEDIA_STATE MediaState;
    ULONG RxNext;
    ULONG TxNext;
    ULONG TxDone;
    ULONG MediaTicks;
    ULONG HangChecks;
    ULONG Sent;
    ULONG Received;
    ULONG Interrupts;
    ULONG PacketFilter;
} ADAPTER, *PADAPTER;

static USHORT Csr(PADAPTER a, USHORT number)
{
    USHORT value;
    NdisRawWritePortUshort(a->Port + PORT_RAP, number);
    NdisRawReadPortUshort(a->Port + PORT_RDP, &value);
    return value;
}

static VOID SetCsr(PADAPTER a, USHORT number, USHORT value)
{
    NdisRawWritePortUshort(a->Port + PORT_RAP, number);
    NdisRawWritePortUshort(a->Port + PORT_RDP, value);
}

static USHORT Bcr(PADAPTER a, USHORT number)
{
    USHORT value;
    NdisRawWritePortUshort(a->Port + PORT_RAP, number);
    NdisRawReadPortUshort(a->Port + PORT_BDP, &value);
    return value;
}

static ULONG Physical(PADAPTER a, PVOID p) { return a->SharedPhysical.LowPart + (ULONG)((PUCHAR)p - (PUCHAR)a->Shared); }

/* ---- media detection: the timer of issue 23 ---- */

static BOOLEAN SyncMediaState(PVOID context)
{
    PADAPTER a = context;
    NDIS_MEDIA_STATE state = (Bcr(a, 4) & LED_LEDOUT) ? NdisMediaStateConnected : NdisMediaStateDisconnected;
    if (state == a->MediaState) {
        return FALSE;
    }
    a->MediaState = state;
    return TRUE;
}

static VOID MediaDetectionTimer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PADAPTER a = FunctionContext;
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    a->MediaTicks++;
    BOOLEAN changed = NdisMSynchronizeWithInterrupt(&a->Interrupt, (PVOID)SyncMediaState, a);
    DbgPrint("MediaDetectionTimer tick %lu at %I64u irql %u changed %u\n", a->MediaTicks, KeQueryInterruptTime(), (ULONG)KeGetCurrentIrql(), (ULONG)changed);
    if (changed) {
        NdisMIndicateStatus(a->Handle, a->MediaState == NdisMediaStateConnected ? NDIS_STATUS_MEDIA_CONNECT : NDIS_STATUS_MEDIA_DISCONNECT, NULL, 0);
        NdisMIndicateStatusComplete(a->Handle);
    }
}

/* ---- interrupts ---- */

static VOID Isr(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt, NDIS_HANDLE MiniportAdapterContext)
{
    PADAPTER a = MiniportAdapterContext;
    USHORT rap;
    NdisRawReadPortUshort(a->Port + PORT_RAP, &rap);
    USHORT csr0 = Csr(a, 0);
    *InterruptRecognized = (csr0 & CSR0_INTR) != 0;
    *QueueMiniportHandleInterrupt = *InterruptRecognized;
    if (*InterruptRecognized) {
        SetCsr(a, 0, 0); /* IENA off until MiniportHandleInterrupt is done */
    }
    NdisRawWritePortUshort(a->Port + PORT_RAP, rap);
}

static VOID HandleInterrupt(NDIS_HANDLE MiniportAdapterContext)
{
    PADAPTER a = MiniportAdapterContext;
    NdisDprAcquireSpinLock(&a->Lock);
    a->Interrupts++;
    USHORT csr0 = Csr(a, 0);
    SetCsr(a, 0, csr0 & (CSR0_IDON | CSR0_TINT | CSR0_RINT)); /* acknowledge (write 1 to clear) */
    if (csr0 & CSR0_IDON) {
        DbgPrint("IDON at %I64u\n", KeQueryInterruptTime());
    }
    if (csr0 & CSR0_RINT) {
        BOOLEAN indicated = FALSE;
        for (;;) {
            DESCRIPTOR *d = &a->Shared->Rx[a->RxNext];
            if (d->Md1 & MD1_OWN) {
                break;
            }
            ULONG length = d->Md2 & 0x0FFF;
            if (!(d->Md1 & MD1_ERR) && (d->Md1 & MD1_STP) && (d->Md1 & MD1_ENP) && length >= 18) {
                PUCHAR frame = a->Shared->RxBuffers[a->RxNext];
                /* the chip counts the FCS in the message length: the protocol above gets the frame without it */
                NdisMEthIndicateReceive(a->Handle, a, frame, 14, frame + 14, length - 18, length - 18);
                a->Received++;
                indicated = TRUE;
            }
            d->Md2 = 0;
            d->Md1 = MD1_OWN | (0xF000 | (USHORT)-BUFFER);
            a->RxNext = (a->RxNext + 1) % RING;
        }
        if (indicated) {
            NdisMEthIndicateReceiveComplete(a->Handle);
        }
    }
    if (csr0 & CSR0_TINT) {
        while (a->TxDone != a->TxNext && !(a->Shared->Tx[a->TxDone % RING].Md1 & MD1_OWN)) {
            a->TxDone++;
        }
        NdisMSendResourcesAvailable(a->Handle);
    }
    SetCsr(a, 0, CSR0_IENA);
    NdisDprReleaseSpinLock(&a->Lock);
}

/* ---- requests ---- */

static NDIS_STATUS QueryInformation(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid, PVOID InformationBuffer, ULONG InformationBufferLength, PULONG BytesWritten, PULONG BytesNeeded)
{
    PADAPTER a = MiniportAdapterContext;
    ULONG value = 0;
    PVOID from = &value;
    ULONG size = sizeof value;
    switch (Oid) {
    case OID_GEN_MEDIA_CONNECT_STATUS: value = a->MediaState; break;
    case OID_GEN_MEDIA_SUPPORTED:
    case OID_GEN_MEDIA_IN_USE: value = NdisMedium802_3; break;
    case OID_GEN_LINK_SPEED: value = 100000; break; /* 10 Mb/s in 100 b/s units */
    case OID_GEN_MAXIMUM_FRAME_SIZE: value = 1500; break;
    case OID_GEN_XMIT_OK: value = a->Sent; break;
    case OID_GEN_RCV_OK: value = a->Received; break;
    case OID_802_3_PERMANENT_ADDRESS:
    case OID_802_3_CURRENT_ADDRESS: from = a->Mac; size = 6; break;
    default: *BytesWritten = 0; *BytesNeeded = 0; return NDIS_STATUS_NOT_SUPPORTED;
    }
    *BytesNeeded = size;
    if (InformationBufferLength < size) {
        *BytesWritten = 0;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    NdisMoveMemory(InformationBuffer, from, size);
    *BytesWritten = size;
    return NDIS_STATUS_SUCCESS;
}

static VOID RequestTimer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PADAPTER a = FunctionContext;
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    DbgPrint("RequestTimer completes the lookahead set (%lu) at %I64u\n", a->Lookahead, KeQueryInterruptTime());
    NdisMSetInformationComplete(a->Handle, NDIS_STATUS_SUCCESS);
}

static NDIS_STATUS SetInformation(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid, PVOID InformationBuffer, ULONG InformationBufferLength, PULONG BytesRead, PULONG BytesNeeded)
{
    PADAPTER a = MiniportAdapterContext;
    *BytesNeeded = sizeof(ULONG);
    if (Oid == OID_GEN_CURRENT_LOOKAHEAD && InformationBufferLength >= sizeof(ULONG)) {
        /* pended: NDIS 5 keeps BytesRead until NdisMSetInformationComplete */
        NdisMoveMemory(&a->Lookahead, InformationBuffer, sizeof(ULONG));
        *BytesRead = sizeof(ULONG);
        NdisMSetTimer(&a->RequestTimer, 10);
        return NDIS_STATUS_PENDING;
    }
    if (Oid != OID_GEN_CURRENT_PACKET_FILTER) {
        *BytesRead = 0;
        return NDIS_STATUS_NOT_SUPPORTED;
    }
    if (InformationBufferLength < sizeof(ULONG)) {
        *BytesRead = 0;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    NdisMoveMemory(&a->PacketFilter, InformationBuffer, sizeof(ULONG));
    *BytesRead = sizeof(ULONG);
    return NDIS_STATUS_SUCCESS;
}

/* ---- sends ---- */

static BOOLEAN SyncTransmitDemand(PVOID context)
{
    SetCsr(context, 0, CSR0_IENA | CSR0_TDMD);
    return TRUE;
}

static NDIS_STATUS Send(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet, UINT Flags)
{
    PADAPTER a = MiniportAdapterContext;
    UNREFERENCED_PARAMETER(Flags);
    NdisDprAcquireSpinLock(&a->Lock);
    if (a->TxNext - a->TxDone >= RING - 1) {
        NdisDprReleaseSpinLock(&a->Lock);
        return NDIS_STATUS_RESOURCES; /* NDIS holds it until NdisMSendResourcesAvailable */
    }
    ULONG slot = a->TxNext % RING;
    PNDIS_BUFFER buffer;
    UINT total, position = 0;
    NdisQueryPacket(Packet, NULL, NULL, &buffer, &total);
    while (buffer != NULL && position + MmGetMdlByteCount(buffer) <= BUFFER) {
        PVOID va;
        UINT length;
        NdisQueryBuffer(buffer, &va, &length);
        NdisMoveMemory(a->Shared->TxBuffers[slot] + position, va, length);
        position += length;
        NdisGetNextBuffer(buffer, &buffer);
    }
    DESCRIPTOR *d = &a->Shared->Tx[slot];
    d->Md2 = 0;
    d->Md1 = MD1_OWN | MD1_STP | MD1_ENP | (0xF000 | (USHORT)-(SHORT)position);
    a->TxNext++;
    a->Sent++;
    NdisMSynchronizeWithInterrupt(&a->Interrupt, (PVOID)SyncTransmitDemand, a);
    NdisDprReleaseSpinLock(&a->Lock);
    return NDIS_STATUS_SUCCESS;
}

/* ---- reset, hang check, halt ---- */

static NDIS_STATUS Reset(PBOOLEAN AddressingReset, NDIS_HANDLE MiniportAdapterContext)
{
    PADAPTER a = MiniportAdapterContext;
    *AddressingReset = FALSE;
    DbgPrint("Reset at %I64u: CSR0 %x\n", KeQueryInterruptTime(), (ULONG)Csr(a, 0));
    return NDIS_STATUS_SUCCESS;
}

static BOOLEAN CheckForHang(NDIS_HANDLE MiniportAdapterContext)
{
    PADAPTER a = MiniportAdapterContext;
    a->HangChecks++;
    return FALSE;
}

static BOOLEAN SyncStop(PVOID context)
{
    SetCsr(context, 0, CSR0_STOP);
    return TRUE;
}

static VOID Halt(NDIS_HANDLE MiniportAdapterContext)
{
    PADAPTER a = MiniportAdapterContext;
    BOOLEAN cancelled = FALSE;
    NdisMCancelTimer(&a->MediaTimer, &cancelled);
    BOOLEAN requestCancelled;
    NdisMCancelTimer(&a->RequestTimer, &requestCancelled);
    DbgPrint("Halt at %I64u: media timer cancelled %u after %lu ticks, %lu sent, %lu received, %lu interrupts, %lu hang checks\n",
        KeQueryInterruptTime(), (ULONG)cancelled, a->MediaTicks, a->Sent, a->Received, a->Interrupts, a->HangChecks);
    NdisMSynchronizeWithInterrupt(&a->Interrupt, (PVOID)SyncStop, a);
    NdisMDeregisterInterrupt(&a->Interrupt);
    NdisMDeregisterIoPortRange(a->Handle, a->IoBase, IO_PORTS, (PVOID)a->Port);
    NdisMFreeSharedMemory(a->Handle, sizeof(SHARED), FALSE, a->Shared, a->SharedPhysical);
    NdisFreeSpinLock(&a->Lock);
    NdisFreeMemory(a, sizeof *a, 0);
}

/* ---- initialize ---- */

static NDIS_STATUS Initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex, PNDIS_MEDIUM MediumArray, UINT MediumArraySize, NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE WrapperConfigurationContext)
{
    UINT i;
    UNREFERENCED_PARAMETER(WrapperConfigurationContext);
    *OpenErrorStatus = NDIS_STATUS_SUCCESS;
    for (i = 0; i < MediumArraySize && MediumArray[i] != NdisMedium802_3; i++) {
    }
    if (i == MediumArraySize) {
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    }
    *SelectedMediumIndex = i;

    PADAPTER a;
    if (NdisAllocateMemoryWithTag((PVOID *)&a, sizeof *a, 'NCPM') != NDIS_STATUS_SUCCESS) {
        return NDIS_STATUS_RESOURCES;
    }
    NdisZeroMemory(a, sizeof *a);
    a->Handle = MiniportAdapterHandle;
    a->MediaState = NdisMediaStateDisconnected;
    NdisMSetAttributesEx(MiniportAdapterHandle, a, 0, NDIS_ATTRIBUTE_BUS_MASTER, NdisInterfacePci);

    ULONG id = 0, bar = 0;
    UCHAR line = 0;
    if (NdisReadPciSlotInformation(MiniportAdapterHandle, 0, 0, &id, 4) != 4 || id != 0x20001022) {
        DbgPrint("no PCnet here: PCI ID %x\n", id);
        NdisFreeMemory(a, sizeof *a, 0);
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    NdisReadPciSlotInformation(MiniportAdapterHandle, 0, 0x10, &bar, 4);
    NdisReadPciSlotInformation(MiniportAdapterHandle, 0, 0x3C, &line, 1);
    a->IoBase = bar & ~3u;
    NDIS_STATUS status = NdisMRegisterIoPortRange((PVOID *)&a->Port, MiniportAdapterHandle, a->IoBase, IO_PORTS);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(a, sizeof *a, 0);
        return status;
    }
    status = NdisMAllocateMapRegisters(MiniportAdapterHandle, 0, NDIS_DMA_32BITS, 8, BUFFER);
    NdisMAllocateSharedMemory(MiniportAdapterHandle, sizeof(SHARED), FALSE, (PVOID *)&a->Shared, &a->SharedPhysical);
    if (status != NDIS_STATUS_SUCCESS || a->Shared == NULL || a->SharedPhysical.HighPart != 0) {
        NdisFreeMemory(a, sizeof *a, 0);
        return NDIS_STATUS_RESOURCES;
    }
    NdisAllocateSpinLock(&a->Lock);
    status = NdisMRegisterInterrupt(&a->Interrupt, MiniportAdapterHandle, line, line, TRUE, TRUE, NdisInterruptLevelSensitive);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisMFreeSharedMemory(MiniportAdapterHandle, sizeof(SHARED), FALSE, a->Shared, a->SharedPhysical);
        NdisFreeMemory(a, sizeof *a, 0);
        return status;
    }

    USHORT scratch;
    NdisRawReadPortUshort(a->Port + PORT_RESET, &scratch); /* S_RESET: word I/O mode, CSR0 = STOP */
    for (i = 0; i < 6; i++) {
        NdisRawReadPortUchar(a->Port + i, &a->Mac[i]);
    }
    SHARED *s = a->Shared;
    s->Init.Mode = 0;
    s->Init.Rlen = RING_LOG2 << 4;
    s->Init.Tlen = RING_LOG2 << 4;
    NdisMoveMemory(s->Init.Padr, a->Mac, 6);
    s->Init.Rdra = Physical(a, s->Rx);
    s->Init.Tdra = Physical(a, s->Tx);
    for (i = 0; i < RING; i++) {
        s->Rx[i].Address = Physical(a, s->RxBuffers[i]);
        s->Rx[i].Md1 = MD1_OWN | (0xF000 | (USHORT)-BUFFER);
        s->Tx[i].Address = Physical(a, s->TxBuffers[i]);
    }
    SetCsr(a, 58, (Csr(a, 58) & ~0xFF) | 2);                 /* software style 2: 32-bit structures */
    SetCsr(a, 4, Csr(a, 4) | CSR4_APAD_XMT);
    SetCsr(a, 1, (USHORT)Physical(a, &s->Init));
    SetCsr(a, 2, (USHORT)(Physical(a, &s->Init) >> 16));
    NdisRawWritePortUshort(a->Port + PORT_RAP, 4);           /* BCR4: LED0 shows the link */
    NdisRawWritePortUshort(a->Port + PORT_BDP, LED_LNKSTE);
    SetCsr(a, 0, CSR0_INIT | CSR0_STRT | CSR0_IENA);
    a->MediaState = (Bcr(a, 4) & LED_LEDOUT) ? NdisMediaStateConnected : NdisMediaStateDisconnected;
    DbgPrint("Initialize: PCnet at port %x line %u MAC %02x-%02x-%02x-%02x-%02x-%02x, CSR0 %x, media %s\n", a->IoBase, (ULONG)line,
        a->Mac[0], a->Mac[1], a->Mac[2], a->Mac[3], a->Mac[4], a->Mac[5], (ULONG)Csr(a, 0), a->MediaState == NdisMediaStateConnected ? "connected" : "disconnected");

    NdisMInitializeTimer(&a->MediaTimer, MiniportAdapterHandle, MediaDetectionTimer, a);
    NdisMInitializeTimer(&a->RequestTimer, MiniportAdapterHandle, RequestTimer, a);
    NdisMSetPeriodicTimer(&a->MediaTimer, 5000);
    return NDIS_STATUS_SUCCESS;
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PVOID RegistryPath)
{
    NDIS_HANDLE wrapper;
    NDIS_MINIPORT_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof c);
    c.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
    c.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
    c.InitializeHandler = Initialize;
    c.HaltHandler = Halt;
    c.ISRHandler = Isr;
    c.HandleInterruptHandler = HandleInterrupt;
    c.QueryInformationHandler = QueryInformation;
    c.SetInformationHandler = SetInformation;
    c.ResetHandler = Reset;
    c.SendHandler = Send;
    c.CheckForHangHandler = CheckForHang;
    NdisMInitializeWrapper(&wrapper, DriverObject, RegistryPath, NULL);
    if (wrapper == NULL) {
        return NDIS_STATUS_FAILURE;
    }
    NDIS_STATUS status = NdisMRegisterMiniport(wrapper, &c, sizeof c);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisTerminateWrapper(wrapper, NULL);
    }
    return status;
}
