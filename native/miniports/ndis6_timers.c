/*
 * An NDIS 6 miniport written by the MiniportTimers project that uses timer objects the way netvmini does: a pause
 * pends and completes from a 100 ms busy-check timer (re-armed from its own callback until the third check), a
 * coalescable 1 s heartbeat with a 100 ms tolerance, cancelled at PASSIVE_LEVEL on halt, and both timers freed on halt;
 * a line interrupt whose MiniportInterrupt queues its DPC, which synchronizes with the interrupt.
 * Reports with DbgPrint.
 */
#include <ndis.h>

#define MAX_ADAPTERS 4
#define BUSY_CHECKS_BEFORE_IDLE 3

typedef struct _ADAPTER {
    BOOLEAN InUse;                 /* from MiniportInitializeEx until MiniportHaltEx: a halted adapter's slot is reused */
    NDIS_HANDLE AdapterHandle;
    NDIS_HANDLE BusyCheckTimer;
    NDIS_HANDLE HeartbeatTimer;
    ULONG BusyChecks;
    ULONG Heartbeats;
    NDIS_HANDLE Interrupt;
    ULONG Interrupts;
} ADAPTER, *PADAPTER;

static BOOLEAN Isr(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors)
{
    PADAPTER adapter = (PADAPTER)MiniportInterruptContext;
    adapter->Interrupts++;
    DbgPrint("Isr %lu at %I64u irql %u\n", adapter->Interrupts, KeQueryInterruptTime(), (ULONG)KeGetCurrentIrql());
    *QueueDefaultInterruptDpc = TRUE;
    *TargetProcessors = 0;
    return TRUE;
}

static BOOLEAN SynchronizedRead(NDIS_HANDLE SynchronizeContext)
{
    return KeGetCurrentIrql() > DISPATCH_LEVEL && SynchronizeContext != NULL;
}

static VOID InterruptDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext, PVOID ReceiveThrottleParameters, PVOID NdisReserved2)
{
    PADAPTER adapter = (PADAPTER)MiniportInterruptContext;
    UNREFERENCED_PARAMETER(MiniportDpcContext);
    UNREFERENCED_PARAMETER(ReceiveThrottleParameters);
    UNREFERENCED_PARAMETER(NdisReserved2);
    BOOLEAN synchronized = NdisMSynchronizeWithInterruptEx(adapter->Interrupt, 0, (PVOID)SynchronizedRead, adapter);
    DbgPrint("InterruptDpc 1 at %I64u irql %u synchronized above dispatch %u\n", KeQueryInterruptTime(), (ULONG)KeGetCurrentIrql(), (ULONG)synchronized);
}

static ADAPTER g_adapters[MAX_ADAPTERS];
static NDIS_HANDLE g_driverHandle;

static PADAPTER AllocateAdapter(void)
{
    for (ULONG i = 0; i < MAX_ADAPTERS; i++) {
        if (!g_adapters[i].InUse) {
            RtlZeroMemory(&g_adapters[i], sizeof g_adapters[i]);
            g_adapters[i].InUse = TRUE;
            return &g_adapters[i];
        }
    }
    return NULL;
}

static VOID BusyCheck(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PADAPTER adapter = (PADAPTER)FunctionContext;
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    adapter->BusyChecks++;
    DbgPrint("BusyCheck %lu at %I64u\n", adapter->BusyChecks, KeQueryInterruptTime());
    if (adapter->BusyChecks < BUSY_CHECKS_BEFORE_IDLE) {
        LARGE_INTEGER due;
        due.QuadPart = -1000000; /* 100 ms, relative */
        NdisSetTimerObject(adapter->BusyCheckTimer, due, 0, adapter);
        return;
    }
    NdisMPauseComplete(adapter->AdapterHandle);
}

static VOID Heartbeat(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PADAPTER adapter = (PADAPTER)FunctionContext;
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    adapter->Heartbeats++;
    DbgPrint("Heartbeat %lu at %I64u\n", adapter->Heartbeats, KeQueryInterruptTime());
}

static NDIS_STATUS AllocateTimer(PADAPTER adapter, PNDIS_TIMER_FUNCTION function, PNDIS_HANDLE timer)
{
    NDIS_TIMER_CHARACTERISTICS characteristics;
    RtlZeroMemory(&characteristics, sizeof characteristics);
    characteristics.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    characteristics.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    characteristics.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
    characteristics.AllocationTag = 'TMPM';
    characteristics.TimerFunction = function;
    characteristics.FunctionContext = adapter;
    return NdisAllocateTimerObject(adapter->AdapterHandle, &characteristics, timer);
}

static NDIS_STATUS Initialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportDriverContext, PNDIS_MINIPORT_INIT_PARAMETERS InitParameters)
{
    UNREFERENCED_PARAMETER(MiniportDriverContext);
    UNREFERENCED_PARAMETER(InitParameters);
    PADAPTER adapter = AllocateAdapter();
    if (adapter == NULL) {
        return NDIS_STATUS_RESOURCES; /* MAX_ADAPTERS live at once */
    }
    adapter->AdapterHandle = MiniportAdapterHandle;

    NDIS_MINIPORT_ADAPTER_ATTRIBUTES attributes;
    RtlZeroMemory(&attributes, sizeof attributes);
    attributes.RegistrationAttributes.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    attributes.RegistrationAttributes.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    attributes.RegistrationAttributes.Header.Size = sizeof(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES);
    attributes.RegistrationAttributes.MiniportAdapterContext = adapter;
    NDIS_STATUS status = NdisMSetMiniportAttributes(MiniportAdapterHandle, &attributes);
    if (status == NDIS_STATUS_SUCCESS) {
        status = AllocateTimer(adapter, BusyCheck, &adapter->BusyCheckTimer);
    }
    if (status == NDIS_STATUS_SUCCESS) {
        status = AllocateTimer(adapter, Heartbeat, &adapter->HeartbeatTimer);
    }
    if (status == NDIS_STATUS_SUCCESS) {
        NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS interrupt;
        RtlZeroMemory(&interrupt, sizeof interrupt);
        interrupt.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
        interrupt.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
        interrupt.Header.Size = sizeof interrupt;
        interrupt.InterruptHandler = Isr;
        interrupt.InterruptDpcHandler = InterruptDpc;
        status = NdisMRegisterInterruptEx(MiniportAdapterHandle, adapter, &interrupt, &adapter->Interrupt);
    }
    if (status == NDIS_STATUS_SUCCESS) {
        LARGE_INTEGER due;
        due.QuadPart = -10000000; /* 1 s */
        NdisSetCoalescableTimerObject(adapter->HeartbeatTimer, due, 1000, adapter, 100);
    } else {
        /* Undo what succeeded: NDIS never halts an adapter whose MiniportInitializeEx failed. */
        if (adapter->HeartbeatTimer != NULL) {
            NdisFreeTimerObject(adapter->HeartbeatTimer);
        }
        if (adapter->BusyCheckTimer != NULL) {
            NdisFreeTimerObject(adapter->BusyCheckTimer);
        }
        adapter->InUse = FALSE;
    }
    DbgPrint("Initialize status 0x%08lx\n", (ULONG)status);
    return status;
}

static NDIS_STATUS Pause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    UNREFERENCED_PARAMETER(PauseParameters);
    LARGE_INTEGER due;
    due.QuadPart = -1000000; /* 100 ms */
    adapter->BusyChecks = 0;
    NdisSetTimerObject(adapter->BusyCheckTimer, due, 0, adapter);
    DbgPrint("Pause pends at %I64u\n", KeQueryInterruptTime());
    return NDIS_STATUS_PENDING;
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
    BOOLEAN heartbeatQueued = NdisCancelTimerObject(adapter->HeartbeatTimer); /* periodic: at PASSIVE_LEVEL */
    NdisCancelTimerObject(adapter->BusyCheckTimer);
    NdisFreeTimerObject(adapter->HeartbeatTimer);
    NdisFreeTimerObject(adapter->BusyCheckTimer);
    NdisMDeregisterInterruptEx(adapter->Interrupt);
    DbgPrint("Halt at irql %u: heartbeat was queued %u\n", (ULONG)KeGetCurrentIrql(), (ULONG)heartbeatQueued);
    adapter->InUse = FALSE;
}

ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS characteristics;
    RtlZeroMemory(&characteristics, sizeof characteristics);
    characteristics.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    characteristics.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    characteristics.Header.Size = sizeof characteristics;
    characteristics.MajorNdisVersion = 6;
    characteristics.InitializeHandlerEx = Initialize;
    characteristics.HaltHandlerEx = Halt;
    characteristics.PauseHandler = Pause;
    characteristics.RestartHandler = Restart;
    RtlZeroMemory(g_adapters, sizeof g_adapters); /* a new load's adapters start with every slot free */
    return (ULONG)NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &characteristics, &g_driverHandle);
}
