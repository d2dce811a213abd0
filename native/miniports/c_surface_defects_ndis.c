/*
 * An NDIS 6 miniport written by the MiniportTimers project to drive two defects of issue 21 §5 through the C surface:
 *  - callbacks that return at another IRQL than they were called at: a timer object callback and a KDPC routine that
 *    raise to HIGH_LEVEL and return, and an I/O work item routine that returns at DISPATCH_LEVEL;
 *  - a timer object left allocated at halt: the first adapter allocates one with its adapter handle and never frees it;
 *    another adapter arms it later.
 * The tests send set-OIDs of this file's own (OID_MPT_*) to choose what an adapter does. Reports with DbgPrint.
 */
#include <ndis.h>

#define MAX_ADAPTERS 4

#define OID_MPT_RAISING_TIMER     0xFF010001u /* arm this adapter's timer object whose callback returns at HIGH_LEVEL */
#define OID_MPT_RAISING_DPC       0xFF010002u /* queue a KDPC whose routine returns at HIGH_LEVEL */
#define OID_MPT_RAISING_WORK_ITEM 0xFF010003u /* queue an I/O work item whose routine returns at DISPATCH_LEVEL */
#define OID_MPT_ARM_LEAKED_TIMER  0xFF010004u /* arm the timer object the first adapter left allocated, due in 5 ms */
#define OID_MPT_BALANCED_TIMER    0xFF010005u /* arm a timer object whose callback raises and lowers again: legal */

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    ULONG Index;
    NDIS_HANDLE RaisingTimer;
    NDIS_HANDLE BalancedTimer;
    NDIS_HANDLE WorkItem;
    KDPC Dpc;
} ADAPTER, *PADAPTER;

static ADAPTER g_adapters[MAX_ADAPTERS];
static LONG g_adapterCount;
static NDIS_HANDLE g_driverHandle;
static NDIS_HANDLE g_leakedTimer; /* the first adapter's; never freed */

static VOID RaisingTimerCallback(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PADAPTER adapter = (PADAPTER)FunctionContext;
    KIRQL old;
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    KeRaiseIrql(HIGH_LEVEL, &old);
    DbgPrint("RaisingTimer %lu returns at irql %u, called at %u\n", adapter->Index, (ULONG)KeGetCurrentIrql(), (ULONG)old);
}

static VOID BalancedTimerCallback(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PADAPTER adapter = (PADAPTER)FunctionContext;
    KIRQL old;
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    KeRaiseIrql(HIGH_LEVEL, &old);
    KeLowerIrql(old);
    DbgPrint("BalancedTimer %lu returns at irql %u\n", adapter->Index, (ULONG)KeGetCurrentIrql());
}

static VOID RaisingDpc(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2)
{
    PADAPTER adapter = (PADAPTER)DeferredContext;
    KIRQL old;
    UNREFERENCED_PARAMETER(Dpc);
    UNREFERENCED_PARAMETER(SystemArgument1);
    UNREFERENCED_PARAMETER(SystemArgument2);
    KeRaiseIrql(HIGH_LEVEL, &old);
    DbgPrint("RaisingDpc %lu returns at irql %u\n", adapter->Index, (ULONG)KeGetCurrentIrql());
}

static VOID RaisingWorkItem(PVOID WorkItemContext, NDIS_HANDLE NdisIoWorkItemHandle)
{
    PADAPTER adapter = (PADAPTER)WorkItemContext;
    KIRQL old;
    UNREFERENCED_PARAMETER(NdisIoWorkItemHandle);
    NDIS_RAISE_IRQL_TO_DISPATCH(&old);
    DbgPrint("RaisingWorkItem %lu returns at irql %u, called at %u\n", adapter->Index, (ULONG)KeGetCurrentIrql(), (ULONG)old);
}

static VOID LeakedTimerCallback(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    DbgPrint("LeakedTimer fires at %I64u irql %u armed by adapter %lu\n", KeQueryInterruptTime(), (ULONG)KeGetCurrentIrql(), ((PADAPTER)FunctionContext)->Index);
}

static NDIS_STATUS AllocateTimer(NDIS_HANDLE handle, PNDIS_TIMER_FUNCTION function, PVOID context, PNDIS_HANDLE timer)
{
    NDIS_TIMER_CHARACTERISTICS characteristics;
    NdisZeroMemory(&characteristics, sizeof characteristics);
    characteristics.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    characteristics.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    characteristics.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
    characteristics.AllocationTag = 'DSCM';
    characteristics.TimerFunction = function;
    characteristics.FunctionContext = context;
    return NdisAllocateTimerObject(handle, &characteristics, timer);
}

static NDIS_STATUS Initialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportDriverContext, PNDIS_MINIPORT_INIT_PARAMETERS InitParameters)
{
    UNREFERENCED_PARAMETER(MiniportDriverContext);
    UNREFERENCED_PARAMETER(InitParameters);
    if (g_adapterCount >= MAX_ADAPTERS) {
        return NDIS_STATUS_RESOURCES;
    }
    PADAPTER adapter = &g_adapters[g_adapterCount];
    NdisZeroMemory(adapter, sizeof *adapter);
    adapter->AdapterHandle = MiniportAdapterHandle;
    adapter->Index = (ULONG)g_adapterCount++;

    NDIS_MINIPORT_ADAPTER_ATTRIBUTES attributes;
    NdisZeroMemory(&attributes, sizeof attributes);
    attributes.RegistrationAttributes.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    attributes.RegistrationAttributes.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    attributes.RegistrationAttributes.Header.Size = sizeof(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES);
    attributes.RegistrationAttributes.MiniportAdapterContext = adapter;
    NDIS_STATUS status = NdisMSetMiniportAttributes(MiniportAdapterHandle, &attributes);
    if (status == NDIS_STATUS_SUCCESS) {
        status = AllocateTimer(MiniportAdapterHandle, RaisingTimerCallback, adapter, &adapter->RaisingTimer);
    }
    if (status == NDIS_STATUS_SUCCESS) {
        status = AllocateTimer(MiniportAdapterHandle, BalancedTimerCallback, adapter, &adapter->BalancedTimer);
    }
    if (status == NDIS_STATUS_SUCCESS && adapter->Index == 0) {
        /* The defect: allocated with the adapter handle, and Halt below never frees it. */
        status = AllocateTimer(MiniportAdapterHandle, LeakedTimerCallback, adapter, &g_leakedTimer);
    }
    if (status == NDIS_STATUS_SUCCESS) {
        adapter->WorkItem = NdisAllocateIoWorkItem(MiniportAdapterHandle);
        KeInitializeDpc(&adapter->Dpc, RaisingDpc, adapter);
    }
    DbgPrint("Initialize %lu status 0x%08lx\n", adapter->Index, (ULONG)status);
    return status;
}

static NDIS_STATUS OidRequest(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    LARGE_INTEGER due;
    if (OidRequest->RequestType != NdisRequestSetInformation) {
        return NDIS_STATUS_NOT_SUPPORTED;
    }
    due.QuadPart = -10000; /* 1 ms, relative */
    switch (OidRequest->DATA.SET_INFORMATION.Oid) {
    case OID_MPT_RAISING_TIMER:
        NdisSetTimerObject(adapter->RaisingTimer, due, 0, NULL);
        return NDIS_STATUS_SUCCESS;
    case OID_MPT_BALANCED_TIMER:
        NdisSetTimerObject(adapter->BalancedTimer, due, 0, NULL);
        return NDIS_STATUS_SUCCESS;
    case OID_MPT_RAISING_DPC:
        KeInsertQueueDpc(&adapter->Dpc, NULL, NULL);
        return NDIS_STATUS_SUCCESS;
    case OID_MPT_RAISING_WORK_ITEM:
        NdisQueueIoWorkItem(adapter->WorkItem, RaisingWorkItem, adapter);
        return NDIS_STATUS_SUCCESS;
    case OID_MPT_ARM_LEAKED_TIMER: {
        due.QuadPart = -50000; /* 5 ms */
        BOOLEAN queued = NdisSetTimerObject(g_leakedTimer, due, 0, adapter);
        DbgPrint("ArmLeaked by adapter %lu returned %u\n", adapter->Index, (ULONG)queued);
        return NDIS_STATUS_SUCCESS;
    }
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

static NDIS_STATUS Pause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(PauseParameters);
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS Restart(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(RestartParameters);
    return NDIS_STATUS_SUCCESS;
}

static VOID Halt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    UNREFERENCED_PARAMETER(HaltAction);
    NdisCancelTimerObject(adapter->RaisingTimer);
    NdisCancelTimerObject(adapter->BalancedTimer);
    NdisFreeTimerObject(adapter->RaisingTimer);
    NdisFreeTimerObject(adapter->BalancedTimer);
    KeRemoveQueueDpc(&adapter->Dpc);
    NdisFreeIoWorkItem(adapter->WorkItem);
    /* g_leakedTimer is not freed: the defect this driver exists to show. */
    DbgPrint("Halt %lu\n", adapter->Index);
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
    c.PauseHandler = Pause;
    c.RestartHandler = Restart;
    c.OidRequestHandler = OidRequest;
    g_adapterCount = 0;
    g_leakedTimer = NULL;
    return NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c, &g_driverHandle);
}
