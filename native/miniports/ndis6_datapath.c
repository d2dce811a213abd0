/*
 * An NDIS 6 virtual NIC written by the MiniportTimers project: the services netvmini needs beyond its timers, used the
 * way such a driver uses them, so CI exercises them without netvmini's source.
 *  - Configuration: reads "BusyCheckMs" (absent: 100), writes "Instance" and reads it back; NdisReadNetworkAddress
 *    (absent: the permanent address 02-00-00-00-00-<instance>).
 *  - Memory and lists: the adapter from NdisAllocateMemoryWithTagPriority; frames from an NPAGED lookaside list; sends
 *    and receives on interlocked lists; the adapter list under an NDIS read-write lock.
 *  - Sends: MiniportSendNetBufferLists copies each frame (NdisGetDataBuffer) to every other adapter (a hub) and
 *    completes the sends from a timer object set with due time 0, as netvmini does.
 *  - Receives: a receive DPC (MediumHighImportance, KeTryToAcquireSpinLockAtDpcLevel, KeQueryDpcWatchdogInformation)
 *    indicates NBLs from the adapter's pool (one MDL each); MiniportReturnNetBufferLists takes them back.
 *  - Pause and reset pend while sends or receives are outstanding and complete from a busy-check timer.
 *  - OID requests: vendor id (BUFFER_TOO_SHORT with BytesNeeded), current address, transmit and receive counts, the
 *    packet filter; OID_GEN_LINK_PARAMETERS pends and completes from an NDIS I/O work item at PASSIVE_LEVEL.
 *  - Halt waits with NdisMSleep until idle; MiniportDriverUnload deletes the lookaside list and deregisters.
 * Reports with DbgPrint.
 */
#include <ndis.h>

#define TAG 'PDTM'
#define FRAME_BYTES 128
#define RECEIVE_NBLS 16
#define MAX_BUSY_CHECKS 20
#define OID_VENDOR_ID_VALUE 0x00FFFFFFu

typedef struct _FRAME {
    SINGLE_LIST_ENTRY Link;           /* a lookaside entry starts with a link word */
    ULONG Length;
    UCHAR Data[FRAME_BYTES];
} FRAME, *PFRAME;

typedef struct _RECEIVE {
    LIST_ENTRY Link;
    PNET_BUFFER_LIST Nbl;
    PMDL Mdl;
    UCHAR Buffer[FRAME_BYTES];
} RECEIVE, *PRECEIVE;

typedef struct _ADAPTER {
    LIST_ENTRY Link;                  /* in g_adapters */
    NDIS_HANDLE AdapterHandle;
    ULONG Instance;
    UCHAR CurrentAddress[ETH_LENGTH_OF_ADDRESS];
    ULONG PacketFilter;
    ULONG BusyCheckMilliseconds;
    ULONG BusyChecks;
    BOOLEAN Pausing;
    BOOLEAN Resetting;
    LONG BusySends;
    LONG BusyReceives;
    ULONG64 FramesSent;
    ULONG64 FramesReceived;
    NDIS_SPIN_LOCK SendLock;
    LIST_ENTRY Sends;                 /* NBLs waiting for the send-complete timer (MiniportReserved is the link) */
    KSPIN_LOCK ReceiveLock;
    NDIS_SPIN_LOCK FreeLock;
    LIST_ENTRY FreeReceives;
    LIST_ENTRY PendingReceives;       /* filled by senders, emptied by the receive DPC (under ReceiveLock) */
    KDPC ReceiveDpc;
    NDIS_HANDLE NblPool;
    RECEIVE Receives[RECEIVE_NBLS];
    NDIS_HANDLE SendCompleteTimer;
    NDIS_HANDLE BusyCheckTimer;
    NDIS_HANDLE WorkItem;
    PNDIS_OID_REQUEST PendingLinkRequest;
} ADAPTER, *PADAPTER;

#define SEND_LINK(nbl) ((PLIST_ENTRY)&(nbl)->MiniportReserved[0])
#define NBL_FROM_SEND_LINK(entry) CONTAINING_RECORD((PVOID *)(entry), NET_BUFFER_LIST, MiniportReserved[0])
#define RECEIVE_OF(nbl) ((PRECEIVE)(nbl)->MiniportReserved[0])

static NDIS_HANDLE g_driverHandle;
static NPAGED_LOOKASIDE_LIST g_frames;
static NDIS_RW_LOCK g_adaptersLock;
static LIST_ENTRY g_adapters;
static LONG g_instances;

static BOOLEAN IsBusy(PADAPTER adapter) { return adapter->BusySends != 0 || adapter->BusyReceives != 0; }

/* ---- sends: completed from a timer object set with due time 0 ---- */
static VOID SendComplete(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PADAPTER adapter = (PADAPTER)FunctionContext;
    PNET_BUFFER_LIST first = NULL, *tail = &first;
    ULONG count = 0;
    PLIST_ENTRY entry;
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    while ((entry = NdisInterlockedRemoveHeadList(&adapter->Sends, &adapter->SendLock)) != NULL) {
        PNET_BUFFER_LIST nbl = NBL_FROM_SEND_LINK(entry);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        NET_BUFFER_LIST_STATUS(nbl) = adapter->Resetting ? NDIS_STATUS_RESET_IN_PROGRESS : NDIS_STATUS_SUCCESS;
        *tail = nbl;
        tail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
        count++;
    }
    if (first != NULL) {
        DbgPrint("SendComplete %u at %I64u\n", count, KeQueryInterruptTime());
        NdisMSendNetBufferListsComplete(adapter->AdapterHandle, first, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
        InterlockedExchangeAdd(&adapter->BusySends, -(LONG)count);
    }
}

/* A frame from a sender: copied into a free receive NBL of this adapter, indicated by its receive DPC. */
static VOID Deliver(PADAPTER adapter, PFRAME frame)
{
    PLIST_ENTRY entry = NdisInterlockedRemoveHeadList(&adapter->FreeReceives, &adapter->FreeLock);
    if (entry == NULL) {
        DbgPrint("Receive dropped: no free NBL\n");
        return;
    }
    PRECEIVE receive = CONTAINING_RECORD(entry, RECEIVE, Link);
    NdisMoveMemory(receive->Buffer, frame->Data, frame->Length);
    receive->Mdl->ByteCount = frame->Length;
    NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(receive->Nbl)) = frame->Length;
    InterlockedIncrement(&adapter->BusyReceives);
    KIRQL old = KeAcquireSpinLockRaiseToDpc(&adapter->ReceiveLock);
    InsertTailList(&adapter->PendingReceives, &receive->Link);
    KeReleaseSpinLock(&adapter->ReceiveLock, old);
    KeInsertQueueDpc(&adapter->ReceiveDpc, NULL, NULL);
}

static VOID SendNetBufferLists(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    UNREFERENCED_PARAMETER(PortNumber);
    UNREFERENCED_PARAMETER(SendFlags);
    for (PNET_BUFFER_LIST nbl = NetBufferLists, next; nbl != NULL; nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
        ULONG length = NET_BUFFER_DATA_LENGTH(nb) < FRAME_BYTES ? NET_BUFFER_DATA_LENGTH(nb) : FRAME_BYTES;
        PFRAME frame = NdisAllocateFromNPagedLookasideList(&g_frames);
        PVOID data = frame == NULL ? NULL : NdisGetDataBuffer(nb, length, frame->Data, 1, 0);
        if (data != NULL) {
            if (data != frame->Data) {
                NdisMoveMemory(frame->Data, data, length);
            }
            frame->Length = length;
            LOCK_STATE lock;
            NdisAcquireReadWriteLock(&g_adaptersLock, FALSE, &lock);
            for (PLIST_ENTRY e = g_adapters.Flink; e != &g_adapters; e = e->Flink) {
                PADAPTER other = CONTAINING_RECORD(e, ADAPTER, Link);
                if (other != adapter && !other->Pausing && !other->Resetting) {
                    Deliver(other, frame);
                }
            }
            NdisReleaseReadWriteLock(&g_adaptersLock, &lock);
            adapter->FramesSent++;
        }
        if (frame != NULL) {
            NdisFreeToNPagedLookasideList(&g_frames, frame);
        }
        InterlockedIncrement(&adapter->BusySends);
        NdisInterlockedInsertTailList(&adapter->Sends, SEND_LINK(nbl), &adapter->SendLock);
    }
    LARGE_INTEGER due = { .QuadPart = 0 };
    NdisSetTimerObject(adapter->SendCompleteTimer, due, 0, adapter);
}

/* ---- receives ---- */
static VOID ReceiveDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PADAPTER adapter = (PADAPTER)DeferredContext;
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    if (!KeTryToAcquireSpinLockAtDpcLevel(&adapter->ReceiveLock)) {
        KeInsertQueueDpc(Dpc, NULL, NULL); /* a sender holds it: try again */
        return;
    }
    PNET_BUFFER_LIST first = NULL, *tail = &first;
    ULONG count = 0;
    while (!IsListEmpty(&adapter->PendingReceives)) {
        PRECEIVE receive = CONTAINING_RECORD(RemoveHeadList(&adapter->PendingReceives), RECEIVE, Link);
        NET_BUFFER_LIST_NEXT_NBL(receive->Nbl) = NULL;
        *tail = receive->Nbl;
        tail = &NET_BUFFER_LIST_NEXT_NBL(receive->Nbl);
        count++;
    }
    KeReleaseSpinLockFromDpcLevel(&adapter->ReceiveLock);
    KDPC_WATCHDOG_INFORMATION watchdog;
    KeQueryDpcWatchdogInformation(&watchdog);
    if (first != NULL) {
        adapter->FramesReceived += count;
        DbgPrint("Receive %u at %I64u (DPC limit %u ticks)\n", count, KeQueryInterruptTime(), watchdog.DpcTimeLimit);
        NdisMIndicateReceiveNetBufferLists(adapter->AdapterHandle, first, NDIS_DEFAULT_PORT_NUMBER, count, NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
    }
}

static VOID ReturnNetBufferLists(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    ULONG count = 0;
    UNREFERENCED_PARAMETER(ReturnFlags);
    for (PNET_BUFFER_LIST nbl = NetBufferLists, next; nbl != NULL; nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NdisInterlockedInsertTailList(&adapter->FreeReceives, &RECEIVE_OF(nbl)->Link, &adapter->FreeLock);
        InterlockedDecrement(&adapter->BusyReceives);
        count++;
    }
    DbgPrint("Return %u at %I64u\n", count, KeQueryInterruptTime());
}

/* ---- pause and reset: pend while busy, complete from the busy-check timer ---- */
static VOID ScheduleBusyCheck(PADAPTER adapter)
{
    LARGE_INTEGER due = { .QuadPart = -(LONGLONG)adapter->BusyCheckMilliseconds * 10000 };
    NdisSetTimerObject(adapter->BusyCheckTimer, due, 0, adapter);
}

static VOID BusyCheck(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PADAPTER adapter = (PADAPTER)FunctionContext;
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    if (IsBusy(adapter) && ++adapter->BusyChecks < MAX_BUSY_CHECKS) {
        ScheduleBusyCheck(adapter);
        return;
    }
    DbgPrint("BusyCheck done at %I64u\n", KeQueryInterruptTime());
    if (adapter->Pausing) {
        NdisMPauseComplete(adapter->AdapterHandle);
    } else if (adapter->Resetting) {
        adapter->Resetting = FALSE;
        NdisMResetComplete(adapter->AdapterHandle, NDIS_STATUS_SUCCESS, FALSE);
    }
}

static NDIS_STATUS Pause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    UNREFERENCED_PARAMETER(PauseParameters);
    adapter->Pausing = TRUE;
    if (!IsBusy(adapter)) {
        return NDIS_STATUS_SUCCESS;
    }
    adapter->BusyChecks = 0;
    ScheduleBusyCheck(adapter);
    return NDIS_STATUS_PENDING;
}

static NDIS_STATUS Restart(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    UNREFERENCED_PARAMETER(RestartParameters);
    adapter->Pausing = FALSE;
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS Reset(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    *AddressingReset = FALSE;
    if (adapter->Resetting) {
        return NDIS_STATUS_RESET_IN_PROGRESS;
    }
    if (!IsBusy(adapter)) {
        return NDIS_STATUS_SUCCESS;
    }
    adapter->Resetting = TRUE;
    adapter->BusyChecks = 0;
    ScheduleBusyCheck(adapter);
    return NDIS_STATUS_PENDING;
}

/* ---- OID requests ---- */
static NDIS_STATUS Answer(PNDIS_OID_REQUEST request, const void *value, ULONG length)
{
    struct _QUERY *query = &request->DATA.QUERY_INFORMATION;
    if (query->InformationBufferLength < length) {
        query->BytesNeeded = length;
        query->BytesWritten = 0;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    NdisMoveMemory(query->InformationBuffer, value, length);
    query->BytesWritten = length;
    return NDIS_STATUS_SUCCESS;
}

static VOID LinkParametersWorkItem(PVOID WorkItemContext, NDIS_HANDLE NdisIoWorkItemHandle)
{
    PADAPTER adapter = (PADAPTER)WorkItemContext;
    PNDIS_OID_REQUEST request = adapter->PendingLinkRequest;
    UNREFERENCED_PARAMETER(NdisIoWorkItemHandle);
    adapter->PendingLinkRequest = NULL;
    request->DATA.SET_INFORMATION.BytesRead = request->DATA.SET_INFORMATION.InformationBufferLength;
    DbgPrint("LinkParameters applied at %I64u irql %u\n", KeQueryInterruptTime(), (ULONG)KeGetCurrentIrql());
    NdisMOidRequestComplete(adapter->AdapterHandle, request, NDIS_STATUS_SUCCESS);
}

static NDIS_STATUS OidRequest(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    if (OidRequest->RequestType == NdisRequestQueryInformation || OidRequest->RequestType == NdisRequestQueryStatistics) {
        ULONG vendor = OID_VENDOR_ID_VALUE;
        switch (OidRequest->DATA.QUERY_INFORMATION.Oid) {
        case OID_GEN_VENDOR_ID: return Answer(OidRequest, &vendor, sizeof vendor);
        case OID_802_3_CURRENT_ADDRESS: return Answer(OidRequest, adapter->CurrentAddress, ETH_LENGTH_OF_ADDRESS);
        case OID_GEN_XMIT_OK: return Answer(OidRequest, &adapter->FramesSent, sizeof adapter->FramesSent);
        case OID_GEN_RCV_OK: return Answer(OidRequest, &adapter->FramesReceived, sizeof adapter->FramesReceived);
        default: return NDIS_STATUS_NOT_SUPPORTED;
        }
    }
    if (OidRequest->RequestType == NdisRequestSetInformation) {
        struct _SET *set = &OidRequest->DATA.SET_INFORMATION;
        switch (set->Oid) {
        case OID_GEN_CURRENT_PACKET_FILTER:
            if (set->InformationBufferLength < sizeof(ULONG)) {
                set->BytesNeeded = sizeof(ULONG);
                return NDIS_STATUS_INVALID_LENGTH;
            }
            adapter->PacketFilter = *(PULONG)set->InformationBuffer;
            set->BytesRead = sizeof(ULONG);
            return NDIS_STATUS_SUCCESS;
        case OID_GEN_LINK_PARAMETERS:
            /* Applying link parameters takes PASSIVE_LEVEL work: pend, and complete from a work item. */
            adapter->PendingLinkRequest = OidRequest;
            NdisQueueIoWorkItem(adapter->WorkItem, LinkParametersWorkItem, adapter);
            return NDIS_STATUS_PENDING;
        default:
            return NDIS_STATUS_NOT_SUPPORTED;
        }
    }
    return NDIS_STATUS_NOT_SUPPORTED;
}

/* ---- initialize, halt, unload ---- */
static ULONG ReadInteger(NDIS_HANDLE config, PCWSTR name, ULONG fallback)
{
    NDIS_STRING keyword;
    keyword.Buffer = (PWSTR)name;
    keyword.Length = 0;
    while (name[keyword.Length / sizeof(WCHAR)] != 0) keyword.Length += sizeof(WCHAR);
    keyword.MaximumLength = keyword.Length + sizeof(WCHAR);
    NDIS_STATUS status;
    PNDIS_CONFIGURATION_PARAMETER parameter;
    NdisReadConfiguration(&status, &parameter, config, &keyword, NdisParameterInteger);
    return status == NDIS_STATUS_SUCCESS && parameter->ParameterType == NdisParameterInteger ? parameter->ParameterData.IntegerData : fallback;
}

static VOID ReadConfiguration(PADAPTER adapter)
{
    NDIS_CONFIGURATION_OBJECT object = { { NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT, NDIS_CONFIGURATION_OBJECT_REVISION_1, NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1 }, adapter->AdapterHandle, 0 };
    NDIS_HANDLE config;
    adapter->BusyCheckMilliseconds = 100;
    if (NdisOpenConfigurationEx(&object, &config) != NDIS_STATUS_SUCCESS) {
        return;
    }
    adapter->BusyCheckMilliseconds = ReadInteger(config, L"BusyCheckMs", 100);
    NDIS_STRING instanceKeyword = NDIS_STRING_CONST("Instance");
    NDIS_CONFIGURATION_PARAMETER value = { .ParameterType = NdisParameterInteger, .ParameterData.IntegerData = adapter->Instance };
    NDIS_STATUS status;
    NdisWriteConfiguration(&status, config, &instanceKeyword, &value);
    ULONG readBack = ReadInteger(config, L"INSTANCE", 0); /* keywords are case-insensitive */
    PVOID address;
    UINT addressLength;
    NdisReadNetworkAddress(&status, &address, &addressLength, config);
    if (status == NDIS_STATUS_SUCCESS && addressLength == ETH_LENGTH_OF_ADDRESS) {
        NdisMoveMemory(adapter->CurrentAddress, address, ETH_LENGTH_OF_ADDRESS);
    }
    DbgPrint("Configuration: busy check %u ms, instance %u read back %u, network address %s\n", adapter->BusyCheckMilliseconds, adapter->Instance, readBack, status == NDIS_STATUS_SUCCESS ? "set" : "absent");
    NdisCloseConfiguration(config);
}

static NDIS_STATUS AllocateTimer(PADAPTER adapter, PNDIS_TIMER_FUNCTION function, PNDIS_HANDLE timer)
{
    NDIS_TIMER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof c);
    c.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    c.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    c.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
    c.AllocationTag = TAG;
    c.TimerFunction = function;
    c.FunctionContext = adapter;
    return NdisAllocateTimerObject(g_driverHandle, &c, timer);
}

static NDIS_STATUS AllocateReceives(PADAPTER adapter)
{
    NET_BUFFER_LIST_POOL_PARAMETERS pool;
    NdisZeroMemory(&pool, sizeof pool);
    pool.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pool.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pool.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pool.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    pool.fAllocateNetBuffer = TRUE;
    pool.PoolTag = TAG;
    adapter->NblPool = NdisAllocateNetBufferListPool(adapter->AdapterHandle, &pool);
    if (adapter->NblPool == NULL) {
        return NDIS_STATUS_RESOURCES;
    }
    for (int i = 0; i < RECEIVE_NBLS; i++) {
        PRECEIVE receive = &adapter->Receives[i];
        receive->Mdl = NdisAllocateMdl(adapter->AdapterHandle, receive->Buffer, FRAME_BYTES);
        receive->Nbl = receive->Mdl == NULL ? NULL : NdisAllocateNetBufferAndNetBufferList(adapter->NblPool, 0, 0, receive->Mdl, 0, FRAME_BYTES);
        if (receive->Nbl == NULL) {
            return NDIS_STATUS_RESOURCES;
        }
        receive->Nbl->MiniportReserved[0] = receive;
        InsertTailList(&adapter->FreeReceives, &receive->Link);
    }
    return NDIS_STATUS_SUCCESS;
}

static VOID FreeAdapter(PADAPTER adapter)
{
    if (adapter->SendCompleteTimer != NULL) NdisFreeTimerObject(adapter->SendCompleteTimer);
    if (adapter->BusyCheckTimer != NULL) NdisFreeTimerObject(adapter->BusyCheckTimer);
    if (adapter->WorkItem != NULL) NdisFreeIoWorkItem(adapter->WorkItem);
    for (int i = 0; i < RECEIVE_NBLS; i++) {
        if (adapter->Receives[i].Nbl != NULL) NdisFreeNetBufferList(adapter->Receives[i].Nbl);
        if (adapter->Receives[i].Mdl != NULL) NdisFreeMdl(adapter->Receives[i].Mdl);
    }
    if (adapter->NblPool != NULL) NdisFreeNetBufferListPool(adapter->NblPool);
    NdisFreeSpinLock(&adapter->SendLock);
    NdisFreeSpinLock(&adapter->FreeLock);
    NdisFreeMemory(adapter, sizeof *adapter, 0);
}

static NDIS_STATUS Initialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportDriverContext, PNDIS_MINIPORT_INIT_PARAMETERS InitParameters)
{
    UNREFERENCED_PARAMETER(MiniportDriverContext);
    UNREFERENCED_PARAMETER(InitParameters);
    PADAPTER adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(ADAPTER), TAG, NormalPoolPriority);
    if (adapter == NULL) {
        return NDIS_STATUS_RESOURCES;
    }
    NdisZeroMemory(adapter, sizeof *adapter);
    adapter->AdapterHandle = MiniportAdapterHandle;
    adapter->Instance = (ULONG)InterlockedIncrement(&g_instances);
    UCHAR permanent[ETH_LENGTH_OF_ADDRESS] = { 0x02, 0, 0, 0, 0, (UCHAR)adapter->Instance };
    ETH_COPY_NETWORK_ADDRESS(adapter->CurrentAddress, permanent);
    NdisInitializeListHead(&adapter->Sends);
    NdisInitializeListHead(&adapter->FreeReceives);
    NdisInitializeListHead(&adapter->PendingReceives);
    NdisAllocateSpinLock(&adapter->SendLock);
    NdisAllocateSpinLock(&adapter->FreeLock);
    KeInitializeSpinLock(&adapter->ReceiveLock);
    KeInitializeDpc(&adapter->ReceiveDpc, ReceiveDpc, adapter);
    KeSetImportanceDpc(&adapter->ReceiveDpc, MediumHighImportance);
    KeSetTargetProcessorDpc(&adapter->ReceiveDpc, (CCHAR)KeGetCurrentProcessorNumber());
    ReadConfiguration(adapter);

    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES registration;
    NdisZeroMemory(&registration, sizeof registration);
    registration.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    registration.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.MiniportAdapterContext = adapter;
    registration.InterfaceType = NdisInterfaceInternal;
    NDIS_STATUS status = NdisMSetMiniportAttributes(MiniportAdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&registration);
    if (status == NDIS_STATUS_SUCCESS) status = AllocateReceives(adapter);
    if (status == NDIS_STATUS_SUCCESS) status = AllocateTimer(adapter, SendComplete, &adapter->SendCompleteTimer);
    if (status == NDIS_STATUS_SUCCESS) status = AllocateTimer(adapter, BusyCheck, &adapter->BusyCheckTimer);
    if (status == NDIS_STATUS_SUCCESS && (adapter->WorkItem = NdisAllocateIoWorkItem(MiniportAdapterHandle)) == NULL) status = NDIS_STATUS_RESOURCES;
    if (status != NDIS_STATUS_SUCCESS) {
        FreeAdapter(adapter);
        return status;
    }
    LOCK_STATE lock;
    NdisAcquireReadWriteLock(&g_adaptersLock, TRUE, &lock);
    InsertTailList(&g_adapters, &adapter->Link);
    NdisReleaseReadWriteLock(&g_adaptersLock, &lock);
    DbgPrint("Initialize %u at %I64u\n", adapter->Instance, KeQueryInterruptTime());
    return NDIS_STATUS_SUCCESS;
}

static VOID Halt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    UNREFERENCED_PARAMETER(HaltAction);
    LOCK_STATE lock;
    NdisAcquireReadWriteLock(&g_adaptersLock, TRUE, &lock);
    RemoveEntryList(&adapter->Link);
    NdisReleaseReadWriteLock(&g_adaptersLock, &lock);
    ULONG waits = 0;
    while (IsBusy(adapter)) {
        NdisMSleep(1000);
        waits++;
    }
    NdisCancelTimerObject(adapter->BusyCheckTimer);
    NdisCancelTimerObject(adapter->SendCompleteTimer);
    KeFlushQueuedDpcs();
    DbgPrint("Halt %u at %I64u after %u waits\n", adapter->Instance, KeQueryInterruptTime(), waits);
    FreeAdapter(adapter);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    NdisDeleteNPagedLookasideList(&g_frames);
    NdisMDeregisterMiniportDriver(g_driverHandle);
    DbgPrint("Unload\n");
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof c);
    c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    c.MajorNdisVersion = 6;
    c.InitializeHandlerEx = Initialize;
    c.HaltHandlerEx = Halt;
    c.UnloadHandler = Unload;
    c.PauseHandler = Pause;
    c.RestartHandler = Restart;
    c.OidRequestHandler = OidRequest;
    c.SendNetBufferListsHandler = SendNetBufferLists;
    c.ReturnNetBufferListsHandler = ReturnNetBufferLists;
    c.ResetHandlerEx = Reset;
    InitializeListHead(&g_adapters);
    NdisInitializeReadWriteLock(&g_adaptersLock);
    NdisInitializeNPagedLookasideList(&g_frames, NULL, NULL, 0, sizeof(FRAME), TAG, 0);
    g_instances = 0;
    NDIS_STATUS status = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c, &g_driverHandle);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisDeleteNPagedLookasideList(&g_frames);
    }
    return status;
}
