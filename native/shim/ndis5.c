/*
 * MiniportTimers shim: an NDIS 5 miniport on the NDIS 6 host (issue 23). NdisMRegisterMiniport registers the driver
 * with NdisMRegisterMiniportDriver through handlers of this file, which call the NDIS 5 handlers the way NDIS 5 calls
 * them, so NDIS 5 and NDIS 6 drivers share the one host, its timers, verifier and report:
 *   MiniportInitializeEx  -> MiniportInitialize with the medium array (802.3, 802.5, FDDI, WAN); the adapter context is
 *                            what NdisMSetAttributesEx registered
 *   MiniportHaltEx        -> MiniportHalt;  MiniportResetEx -> MiniportReset;  MiniportCheckForHangEx -> MiniportCheckForHang
 *   MiniportOidRequest    -> MiniportQueryInformation / MiniportSetInformation (one request at a time; a pended one
 *                            completes with NdisMQueryInformationComplete / NdisMSetInformationComplete)
 *   MiniportSendNetBufferLists -> MiniportSend (or MiniportSendPackets) with an NDIS_PACKET over a copy of the frame,
 *                            under the serialized-miniport rules: SUCCESS or a failure completes the send, PENDING waits
 *                            for NdisMSendComplete, RESOURCES keeps it (and those after it) queued until
 *                            NdisMSendResourcesAvailable, which retries them from a DPC
 *   line interrupts       -> MiniportISR at the device IRQL, MiniportHandleInterrupt at DISPATCH_LEVEL (without
 *                            RequestIsr: MiniportDisableInterrupt, MiniportHandleInterrupt, MiniportEnableInterrupt)
 * and NdisMIndicateStatus, NdisMEthIndicateReceive and NdisMSendComplete become NdisMIndicateStatusEx,
 * NdisMIndicateReceiveNetBufferLists and NdisMSendNetBufferListsComplete. Per-adapter state lives in an mpt5_adapter
 * (the NDIS 6 MiniportAdapterContext); the list that finds it by MiniportAdapterHandle is guarded by a mutex that is
 * never held across a call into the host or the driver.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#define MPT_SHIM 1
#include <ndis.h>
#include "mpt_internal.h"

typedef struct mpt5_wrapper {
    PVOID DriverObject;
    PVOID RegistryPath;
    NDIS_HANDLE DriverHandle;
} mpt5_wrapper;

typedef struct mpt5_send {
    NDIS_PACKET Packet;               /* first: the driver's PNDIS_PACKET is this block */
    MDL Mdl;
    PNET_BUFFER_LIST Nbl;
    struct mpt5_adapter *Adapter;
    struct mpt5_send *Next;
    UCHAR Frame[];
} mpt5_send;

typedef struct mpt5_adapter {
    struct mpt5_adapter *Next;
    NDIS_HANDLE Handle;
    NDIS_HANDLE Context;              /* NdisMSetAttributesEx's MiniportAdapterContext */
    UINT CheckForHangSeconds;
    ULONG AttributeFlags;
    PNDIS_MINIPORT_INTERRUPT Interrupt;
    PNDIS_OID_REQUEST PendingRequest;
    ULONG BytesDone;
    ULONG BytesNeeded;
    NDIS_SPIN_LOCK SendLock;          /* serializes MiniportSend (a serialized miniport's sends never overlap) and the queue */
    mpt5_send *QueueHead;             /* sends held after NDIS_STATUS_RESOURCES, in order */
    mpt5_send *QueueTail;
    KDPC RetryDpc;
    ADAPTER_SHUTDOWN_HANDLER ShutdownHandler;
    PVOID ShutdownContext;
} mpt5_adapter;

static NDIS51_MINIPORT_CHARACTERISTICS g_mpt5;
static mpt5_adapter *g_mpt5_adapters;
static pthread_mutex_t g_mpt5_lock = PTHREAD_MUTEX_INITIALIZER;
static NDIS_MEDIUM g_mpt5_media[] = { NdisMedium802_3, NdisMedium802_5, NdisMediumFddi, NdisMediumWan };

static mpt5_adapter *mpt5_find(NDIS_HANDLE handle)
{
    pthread_mutex_lock(&g_mpt5_lock);
    mpt5_adapter *a = g_mpt5_adapters;
    while (a != NULL && a->Handle != handle) {
        a = a->Next;
    }
    pthread_mutex_unlock(&g_mpt5_lock);
    return a;
}

static mpt5_adapter *mpt5_require(NDIS_HANDLE handle, const char *routine)
{
    mpt5_adapter *a = mpt5_find(handle);
    if (a == NULL) {
        /* Not an adapter of an NDIS 5 miniport (or one already halted): Windows would touch freed memory. */
        KeBugCheckEx(0xC4 /* DRIVER_VERIFIER_DETECTED_VIOLATION */, 0x1005, (ULONG_PTR)handle, 0, (ULONG_PTR)routine);
    }
    return a;
}

static void mpt5_unlink(mpt5_adapter *adapter)
{
    pthread_mutex_lock(&g_mpt5_lock);
    for (mpt5_adapter **p = &g_mpt5_adapters; *p != NULL; p = &(*p)->Next) {
        if (*p == adapter) {
            *p = adapter->Next;
            break;
        }
    }
    pthread_mutex_unlock(&g_mpt5_lock);
}

/* ---- the NDIS 6 handlers the host calls ---- */

static NDIS_STATUS mpt5_initialize(NDIS_HANDLE handle, NDIS_HANDLE driverContext, PNDIS_MINIPORT_INIT_PARAMETERS parameters)
{
    UNREFERENCED_PARAMETER(driverContext);
    UNREFERENCED_PARAMETER(parameters);
    mpt5_adapter *a = calloc(1, sizeof *a);
    if (a == NULL) {
        return NDIS_STATUS_RESOURCES;
    }
    a->Handle = handle;
    NdisAllocateSpinLock(&a->SendLock);
    NDIS_MINIPORT_ADAPTER_ATTRIBUTES attributes;
    RtlZeroMemory(&attributes, sizeof attributes);
    attributes.RegistrationAttributes.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    attributes.RegistrationAttributes.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    attributes.RegistrationAttributes.Header.Size = sizeof(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES);
    attributes.RegistrationAttributes.MiniportAdapterContext = a;
    attributes.RegistrationAttributes.InterfaceType = NdisInterfacePci;
    NDIS_STATUS status = NdisMSetMiniportAttributes(handle, &attributes);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeSpinLock(&a->SendLock);
        free(a);
        return status;
    }
    pthread_mutex_lock(&g_mpt5_lock);
    a->Next = g_mpt5_adapters;
    g_mpt5_adapters = a;
    pthread_mutex_unlock(&g_mpt5_lock);

    NDIS_STATUS openError = NDIS_STATUS_SUCCESS;
    UINT selected = (UINT)-1;
    /* WrapperConfigurationContext is the adapter handle: NdisOpenConfiguration and NdisReadPciSlotInformation take it. */
    status = g_mpt5.InitializeHandler(&openError, &selected, g_mpt5_media, sizeof g_mpt5_media / sizeof g_mpt5_media[0], handle, handle);
    if (status == NDIS_STATUS_SUCCESS && selected >= sizeof g_mpt5_media / sizeof g_mpt5_media[0]) {
        status = NDIS_STATUS_UNSUPPORTED_MEDIA; /* NDIS fails an adapter whose SelectedMediumIndex is not in the array */
    }
    if (status != NDIS_STATUS_SUCCESS) {
        mpt5_unlink(a);
        NdisFreeSpinLock(&a->SendLock);
        free(a);
    }
    return status;
}

static void mpt5_complete_send(mpt5_send *s, NDIS_STATUS status)
{
    NET_BUFFER_LIST_STATUS(s->Nbl) = status;
    NdisMSendNetBufferListsComplete(s->Adapter->Handle, s->Nbl, KeGetCurrentIrql() >= DISPATCH_LEVEL ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0);
    free(s);
}

static VOID mpt5_halt(NDIS_HANDLE context, NDIS_HALT_ACTION action)
{
    UNREFERENCED_PARAMETER(action);
    mpt5_adapter *a = context;
    g_mpt5.HaltHandler(a->Context);
    mpt5_unlink(a);
    KeRemoveQueueDpc(&a->RetryDpc);
    for (mpt5_send *s = a->QueueHead, *next; s != NULL; s = next) {
        next = s->Next;
        mpt5_complete_send(s, NDIS_STATUS_FAILURE); /* sends NDIS still held for the miniport: aborted with the adapter */
    }
    NdisFreeSpinLock(&a->SendLock);
    free(a);
}

static NDIS_STATUS mpt5_reset(NDIS_HANDLE context, PBOOLEAN addressingReset)
{
    mpt5_adapter *a = context;
    return g_mpt5.ResetHandler(addressingReset, a->Context);
}

static BOOLEAN mpt5_check_for_hang(NDIS_HANDLE context)
{
    mpt5_adapter *a = context;
    return g_mpt5.CheckForHangHandler != NULL ? g_mpt5.CheckForHangHandler(a->Context) : FALSE;
}

static void mpt5_finish_request(mpt5_adapter *a, PNDIS_OID_REQUEST r)
{
    if (r->RequestType == NdisRequestSetInformation) {
        r->DATA.SET_INFORMATION.BytesRead = a->BytesDone;
        r->DATA.SET_INFORMATION.BytesNeeded = a->BytesNeeded;
    } else {
        r->DATA.QUERY_INFORMATION.BytesWritten = a->BytesDone;
        r->DATA.QUERY_INFORMATION.BytesNeeded = a->BytesNeeded;
    }
}

static NDIS_STATUS mpt5_oid_request(NDIS_HANDLE context, PNDIS_OID_REQUEST r)
{
    mpt5_adapter *a = context;
    NDIS_STATUS status;
    a->BytesDone = a->BytesNeeded = 0;
    if (r->RequestType == NdisRequestSetInformation) {
        status = g_mpt5.SetInformationHandler(a->Context, r->DATA.SET_INFORMATION.Oid, r->DATA.SET_INFORMATION.InformationBuffer,
            r->DATA.SET_INFORMATION.InformationBufferLength, &a->BytesDone, &a->BytesNeeded);
    } else if (r->RequestType == NdisRequestQueryInformation || r->RequestType == NdisRequestQueryStatistics) {
        status = g_mpt5.QueryInformationHandler(a->Context, r->DATA.QUERY_INFORMATION.Oid, r->DATA.QUERY_INFORMATION.InformationBuffer,
            r->DATA.QUERY_INFORMATION.InformationBufferLength, &a->BytesDone, &a->BytesNeeded);
    } else {
        return NDIS_STATUS_NOT_SUPPORTED; /* method requests have no NDIS 5 form */
    }
    if (status == NDIS_STATUS_PENDING) {
        a->PendingRequest = r;
    } else {
        mpt5_finish_request(a, r);
    }
    return status;
}

static void mpt5_complete_request(NDIS_HANDLE handle, NDIS_STATUS status, const char *routine)
{
    mpt5_adapter *a = mpt5_require(handle, routine);
    PNDIS_OID_REQUEST r = a->PendingRequest;
    if (r == NULL) {
        KeBugCheckEx(0xC4, 0x1006, (ULONG_PTR)handle, 0, (ULONG_PTR)routine); /* no request pending */
    }
    a->PendingRequest = NULL;
    mpt5_finish_request(a, r);
    NdisMOidRequestComplete(handle, r, status);
}

VOID NdisMQueryInformationComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status) { mpt5_complete_request(MiniportAdapterHandle, Status, "NdisMQueryInformationComplete"); }
VOID NdisMSetInformationComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status) { mpt5_complete_request(MiniportAdapterHandle, Status, "NdisMSetInformationComplete"); }

/* ---- sends ---- */

/* Hands one packet to the miniport; FALSE when it answered NDIS_STATUS_RESOURCES (the packet stays NDIS's). */
static BOOLEAN mpt5_send_one(mpt5_adapter *a, mpt5_send *s)
{
    NDIS_STATUS status;
    if (g_mpt5.SendHandler != NULL) {
        status = g_mpt5.SendHandler(a->Context, &s->Packet, 0);
    } else {
        /* MiniportSendPackets: a packet's status is NDIS_SET_PACKET_STATUS-less here; PENDING is what NDIS assumes. */
        PNDIS_PACKET packets[1] = { &s->Packet };
        g_mpt5.SendPacketsHandler(a->Context, packets, 1);
        status = NDIS_STATUS_PENDING;
    }
    if (status == NDIS_STATUS_RESOURCES) {
        return FALSE;
    }
    if (status != NDIS_STATUS_PENDING) {
        mpt5_complete_send(s, status);
    }
    return TRUE;
}

static void mpt5_drain(mpt5_adapter *a)
{
    while (a->QueueHead != NULL) {
        mpt5_send *s = a->QueueHead;
        a->QueueHead = s->Next;
        if (a->QueueHead == NULL) {
            a->QueueTail = NULL;
        }
        s->Next = NULL;
        if (!mpt5_send_one(a, s)) {
            s->Next = a->QueueHead;
            a->QueueHead = s;
            if (a->QueueTail == NULL) {
                a->QueueTail = s;
            }
            return;
        }
    }
}

static VOID mpt5_retry_dpc(PKDPC dpc, PVOID context, PVOID arg1, PVOID arg2)
{
    UNREFERENCED_PARAMETER(dpc);
    UNREFERENCED_PARAMETER(arg1);
    UNREFERENCED_PARAMETER(arg2);
    mpt5_adapter *a = context;
    NdisDprAcquireSpinLock(&a->SendLock);
    mpt5_drain(a);
    NdisDprReleaseSpinLock(&a->SendLock);
}

static VOID mpt5_send_nbls(NDIS_HANDLE context, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port, ULONG flags)
{
    UNREFERENCED_PARAMETER(port);
    UNREFERENCED_PARAMETER(flags);
    mpt5_adapter *a = context;
    for (PNET_BUFFER_LIST nbl = nbls, next; nbl != NULL; nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
        ULONG length = nb != NULL ? NET_BUFFER_DATA_LENGTH(nb) : 0;
        mpt5_send *s = calloc(1, sizeof *s + length);
        if (s == NULL) {
            NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_RESOURCES;
            NdisMSendNetBufferListsComplete(a->Handle, nbl, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
            continue;
        }
        PUCHAR data = length != 0 ? NdisGetDataBuffer(nb, length, s->Frame, 1, 0) : NULL;
        if (data != NULL && data != s->Frame) {
            memcpy(s->Frame, data, length);
        }
        s->Mdl.Size = (CSHORT)sizeof s->Mdl;
        s->Mdl.MdlFlags = MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL;
        s->Mdl.MappedSystemVa = s->Mdl.StartVa = s->Frame;
        s->Mdl.ByteCount = length;
        s->Packet.Private.Head = s->Packet.Private.Tail = &s->Mdl;
        s->Packet.Private.TotalLength = length;
        s->Packet.Private.PhysicalCount = s->Packet.Private.Count = 1;
        s->Packet.Private.ValidCounts = TRUE;
        s->Nbl = nbl;
        s->Adapter = a;
        NdisDprAcquireSpinLock(&a->SendLock);
        if (a->QueueHead != NULL || !mpt5_send_one(a, s)) {
            /* serialized: NDIS keeps the packet, and every one after it, until NdisMSendResourcesAvailable */
            if (a->QueueTail != NULL) {
                a->QueueTail->Next = s;
            } else {
                a->QueueHead = s;
            }
            a->QueueTail = s;
        }
        NdisDprReleaseSpinLock(&a->SendLock);
    }
}

VOID NdisMSendComplete(NDIS_HANDLE MiniportAdapterHandle, PNDIS_PACKET Packet, NDIS_STATUS Status)
{
    mpt5_require(MiniportAdapterHandle, "NdisMSendComplete");
    mpt5_complete_send(CONTAINING_RECORD(Packet, mpt5_send, Packet), Status);
}

VOID NdisMSendResourcesAvailable(NDIS_HANDLE MiniportAdapterHandle)
{
    mpt5_adapter *a = mpt5_require(MiniportAdapterHandle, "NdisMSendResourcesAvailable");
    if (a->QueueHead != NULL) {
        KeInsertQueueDpc(&a->RetryDpc, NULL, NULL); /* not from inside the caller's locks: NDIS retries later */
    }
}

/* ---- receives and status ---- */

VOID NdisMEthIndicateReceive(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportReceiveContext, PVOID HeaderBuffer, UINT HeaderBufferSize, PVOID LookaheadBuffer, UINT LookaheadBufferSize, UINT PacketSize)
{
    UNREFERENCED_PARAMETER(MiniportReceiveContext);
    UNREFERENCED_PARAMETER(PacketSize);
    mpt5_require(MiniportAdapterHandle, "NdisMEthIndicateReceive");
    UINT length = HeaderBufferSize + LookaheadBufferSize;
    PUCHAR frame = malloc(length != 0 ? length : 1);
    if (frame == NULL) {
        return; /* the frame is dropped, as NDIS drops one it has no packet for */
    }
    memcpy(frame, HeaderBuffer, HeaderBufferSize);
    memcpy(frame + HeaderBufferSize, LookaheadBuffer, LookaheadBufferSize);
    PNET_BUFFER_LIST nbl = MptAllocateSendNetBufferList(frame, length, NULL);
    free(frame);
    if (nbl == NULL) {
        return;
    }
    /* RESOURCES: the protocol copies it now, so the lookahead the miniport lent stays the miniport's. */
    NdisMIndicateReceiveNetBufferLists(MiniportAdapterHandle, nbl, 0, 1,
        NDIS_RECEIVE_FLAGS_RESOURCES | (KeGetCurrentIrql() >= DISPATCH_LEVEL ? NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL : 0));
    MptFreeSendNetBufferList(nbl);
}

VOID NdisMEthIndicateReceiveComplete(NDIS_HANDLE MiniportAdapterHandle)
{
    mpt5_require(MiniportAdapterHandle, "NdisMEthIndicateReceiveComplete"); /* the protocol above has nothing batched */
}

VOID NdisMIndicateStatus(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS GeneralStatus, PVOID StatusBuffer, UINT StatusBufferSize)
{
    NDIS_STATUS_INDICATION indication;
    RtlZeroMemory(&indication, sizeof indication);
    indication.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
    indication.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
    indication.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
    indication.SourceHandle = MiniportAdapterHandle;
    indication.StatusCode = GeneralStatus;
    indication.StatusBuffer = StatusBuffer;
    indication.StatusBufferSize = StatusBufferSize;
    NdisMIndicateStatusEx(MiniportAdapterHandle, &indication);
}

VOID NdisMIndicateStatusComplete(NDIS_HANDLE MiniportAdapterHandle)
{
    mpt5_require(MiniportAdapterHandle, "NdisMIndicateStatusComplete"); /* the protocol above has nothing batched */
}

/* ---- interrupts ---- */

static BOOLEAN mpt5_isr(NDIS_HANDLE context, PBOOLEAN queueDpc, PULONG targetProcessors)
{
    mpt5_adapter *a = context;
    PNDIS_MINIPORT_INTERRUPT i = a->Interrupt;
    *targetProcessors = 0;
    if (i->IsrRequested) {
        BOOLEAN recognized = FALSE, queue = FALSE;
        i->MiniportIsr(&recognized, &queue, a->Context);
        *queueDpc = queue;
        return recognized;
    }
    g_mpt5.DisableInterruptHandler(a->Context);
    *queueDpc = TRUE;
    return TRUE;
}

static BOOLEAN mpt5_enable(NDIS_HANDLE context)
{
    mpt5_adapter *a = context;
    g_mpt5.EnableInterruptHandler(a->Context);
    return TRUE;
}

static VOID mpt5_interrupt_dpc(NDIS_HANDLE context, PVOID dpcContext, PVOID reserved1, PVOID reserved2)
{
    UNREFERENCED_PARAMETER(dpcContext);
    UNREFERENCED_PARAMETER(reserved1);
    UNREFERENCED_PARAMETER(reserved2);
    mpt5_adapter *a = context;
    PNDIS_MINIPORT_INTERRUPT i = a->Interrupt;
    i->MiniportDpc(a->Context);
    if (!i->IsrRequested) {
        NdisMSynchronizeWithInterruptEx(i->InterruptObject, 0, (PVOID)mpt5_enable, a);
    }
}

NDIS_STATUS NdisMRegisterInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt, NDIS_HANDLE MiniportAdapterHandle, UINT InterruptVector, UINT InterruptLevel, BOOLEAN RequestIsr, BOOLEAN SharedInterrupt, NDIS_INTERRUPT_MODE InterruptMode)
{
    UNREFERENCED_PARAMETER(InterruptVector);
    UNREFERENCED_PARAMETER(InterruptLevel);
    UNREFERENCED_PARAMETER(InterruptMode);
    mpt5_adapter *a = mpt5_require(MiniportAdapterHandle, "NdisMRegisterInterrupt");
    if (g_mpt5.HandleInterruptHandler == NULL || (RequestIsr ? g_mpt5.ISRHandler == NULL : (SharedInterrupt || g_mpt5.DisableInterruptHandler == NULL || g_mpt5.EnableInterruptHandler == NULL))) {
        return NDIS_STATUS_FAILURE;
    }
    if (a->Interrupt != NULL) {
        return NDIS_STATUS_RESOURCES;
    }
    RtlZeroMemory(Interrupt, sizeof *Interrupt);
    Interrupt->MiniportIsr = g_mpt5.ISRHandler;
    Interrupt->MiniportDpc = g_mpt5.HandleInterruptHandler;
    Interrupt->SharedInterrupt = SharedInterrupt;
    Interrupt->IsrRequested = RequestIsr;
    a->Interrupt = Interrupt; /* before the line is connected: an interrupt may come at once */
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS c;
    RtlZeroMemory(&c, sizeof c);
    c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
    c.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
    c.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
    c.InterruptHandler = mpt5_isr;
    c.InterruptDpcHandler = mpt5_interrupt_dpc;
    NDIS_HANDLE handle = NULL;
    NDIS_STATUS status = NdisMRegisterInterruptEx(MiniportAdapterHandle, a, &c, &handle);
    if (status != NDIS_STATUS_SUCCESS) {
        a->Interrupt = NULL;
        return status;
    }
    Interrupt->InterruptObject = (PKINTERRUPT)handle;
    return NDIS_STATUS_SUCCESS;
}

VOID NdisMDeregisterInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt)
{
    NdisMDeregisterInterruptEx((NDIS_HANDLE)Interrupt->InterruptObject);
    pthread_mutex_lock(&g_mpt5_lock);
    for (mpt5_adapter *a = g_mpt5_adapters; a != NULL; a = a->Next) {
        if (a->Interrupt == Interrupt) {
            a->Interrupt = NULL;
        }
    }
    pthread_mutex_unlock(&g_mpt5_lock);
}

BOOLEAN NdisMSynchronizeWithInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt, PVOID SynchronizeFunction, PVOID SynchronizeContext)
{
    return NdisMSynchronizeWithInterruptEx((NDIS_HANDLE)Interrupt->InterruptObject, 0, SynchronizeFunction, SynchronizeContext);
}

/* ---- registration ---- */

VOID NdisInitializeWrapper(PNDIS_HANDLE NdisWrapperHandle, PVOID SystemSpecific1, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    UNREFERENCED_PARAMETER(SystemSpecific3);
    mpt5_wrapper *w = calloc(1, sizeof *w);
    if (w != NULL) {
        w->DriverObject = SystemSpecific1;
        w->RegistryPath = SystemSpecific2;
    }
    *NdisWrapperHandle = w;
}

NDIS_STATUS NdisMRegisterMiniport(NDIS_HANDLE NdisWrapperHandle, PNDIS_MINIPORT_CHARACTERISTICS MiniportCharacteristics, UINT CharacteristicsLength)
{
    mpt5_wrapper *w = NdisWrapperHandle;
    const NDIS51_MINIPORT_CHARACTERISTICS *c = (const NDIS51_MINIPORT_CHARACTERISTICS *)MiniportCharacteristics;
    if (w == NULL || c == NULL) {
        return NDIS_STATUS_FAILURE;
    }
    UINT expected = c->MajorNdisVersion == 5 && c->MinorNdisVersion == 1 ? sizeof(NDIS51_MINIPORT_CHARACTERISTICS)
        : c->MajorNdisVersion == 5 && c->MinorNdisVersion == 0 ? sizeof(NDIS50_MINIPORT_CHARACTERISTICS) : 0;
    if (expected == 0 || CharacteristicsLength < expected) {
        return NDIS_STATUS_BAD_VERSION;
    }
    if (c->InitializeHandler == NULL || c->HaltHandler == NULL || c->ResetHandler == NULL || c->QueryInformationHandler == NULL
        || c->SetInformationHandler == NULL || (c->SendHandler == NULL && c->SendPacketsHandler == NULL)
        || c->CoCreateVcHandler != NULL || c->CoSendPacketsHandler != NULL || c->CoRequestHandler != NULL) {
        return NDIS_STATUS_BAD_CHARACTERISTICS; /* connection-oriented miniports are not emulated */
    }
    RtlZeroMemory(&g_mpt5, sizeof g_mpt5);
    memcpy(&g_mpt5, c, expected);

    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c6;
    RtlZeroMemory(&c6, sizeof c6);
    c6.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    c6.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    c6.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    c6.MajorNdisVersion = 6;
    c6.InitializeHandlerEx = mpt5_initialize;
    c6.HaltHandlerEx = mpt5_halt;
    c6.ResetHandlerEx = mpt5_reset;
    c6.OidRequestHandler = mpt5_oid_request;
    c6.SendNetBufferListsHandler = mpt5_send_nbls;
    c6.CheckForHangHandlerEx = c->CheckForHangHandler != NULL ? mpt5_check_for_hang : NULL;
    return NdisMRegisterMiniportDriver(w->DriverObject, w->RegistryPath, w, &c6, &w->DriverHandle);
}

VOID NdisTerminateWrapper(NDIS_HANDLE NdisWrapperHandle, PVOID SystemSpecific)
{
    UNREFERENCED_PARAMETER(SystemSpecific);
    mpt5_wrapper *w = NdisWrapperHandle;
    if (w == NULL) {
        return;
    }
    if (w->DriverHandle != NULL) {
        NdisMDeregisterMiniportDriver(w->DriverHandle);
    }
    free(w);
}

VOID NdisMSetAttributesEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportAdapterContext, UINT CheckForHangTimeInSeconds, ULONG AttributeFlags, NDIS_INTERFACE_TYPE AdapterType)
{
    UNREFERENCED_PARAMETER(AdapterType);
    mpt5_adapter *a = mpt5_require(MiniportAdapterHandle, "NdisMSetAttributesEx");
    a->Context = MiniportAdapterContext;
    a->CheckForHangSeconds = CheckForHangTimeInSeconds;
    a->AttributeFlags = AttributeFlags;
    KeInitializeDpc(&a->RetryDpc, mpt5_retry_dpc, a);
}

VOID NdisMRegisterAdapterShutdownHandler(NDIS_HANDLE MiniportHandle, PVOID ShutdownContext, ADAPTER_SHUTDOWN_HANDLER ShutdownHandler)
{
    mpt5_adapter *a = mpt5_require(MiniportHandle, "NdisMRegisterAdapterShutdownHandler");
    a->ShutdownHandler = ShutdownHandler; /* recorded: the host never shuts the machine down */
    a->ShutdownContext = ShutdownContext;
}

VOID NdisMDeregisterAdapterShutdownHandler(NDIS_HANDLE MiniportHandle)
{
    mpt5_adapter *a = mpt5_require(MiniportHandle, "NdisMDeregisterAdapterShutdownHandler");
    a->ShutdownHandler = NULL;
    a->ShutdownContext = NULL;
}

VOID NdisOpenConfiguration(PNDIS_STATUS Status, PNDIS_HANDLE ConfigurationHandle, NDIS_HANDLE WrapperConfigurationContext)
{
    NDIS_CONFIGURATION_OBJECT object;
    RtlZeroMemory(&object, sizeof object);
    object.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    object.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
    object.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
    object.NdisHandle = WrapperConfigurationContext; /* the adapter handle (mpt5_initialize) */
    *Status = NdisOpenConfigurationEx(&object, ConfigurationHandle);
}

NDIS_STATUS NdisMAllocateMapRegisters(NDIS_HANDLE MiniportAdapterHandle, UINT DmaChannel, NDIS_DMA_SIZE DmaSize, ULONG PhysicalMapRegistersNeeded, ULONG MaximumPhysicalMapping)
{
    UNREFERENCED_PARAMETER(DmaChannel);
    UNREFERENCED_PARAMETER(DmaSize);
    UNREFERENCED_PARAMETER(PhysicalMapRegistersNeeded);
    UNREFERENCED_PARAMETER(MaximumPhysicalMapping);
    mpt5_require(MiniportAdapterHandle, "NdisMAllocateMapRegisters");
    return NDIS_STATUS_SUCCESS; /* granted; NdisMStartBufferPhysicalMapping, which would use them, is not emulated */
}

VOID NdisMFreeMapRegisters(NDIS_HANDLE MiniportAdapterHandle)
{
    mpt5_require(MiniportAdapterHandle, "NdisMFreeMapRegisters");
}
