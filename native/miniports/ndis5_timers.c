/*
 * An NDIS miniport written by the MiniportTimers project that uses NDIS 5 miniport timers the way pcnet/nvnet and
 * e100bex do: a 100 ms periodic media poll (NdisMSetPeriodicTimer) cancelled on pause and set again on restart, and a
 * one-shot link timer (NdisMSetTimer) that completes a pended reset from its callback. Reports with DbgPrint.
 */
#include <ndis.h>

#define MAX_ADAPTERS 4

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    NDIS_MINIPORT_TIMER MediaTimer;
    NDIS_MINIPORT_TIMER LinkTimer;
    ULONG MediaPolls;
    NDIS_SPIN_LOCK Lock;
} ADAPTER, *PADAPTER;

static ADAPTER g_adapters[MAX_ADAPTERS];
static LONG g_adapterCount;
static NDIS_HANDLE g_driverHandle;

static VOID MediaPoll(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PADAPTER adapter = (PADAPTER)FunctionContext;
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    NdisDprAcquireSpinLock(&adapter->Lock); /* the timer callback runs at DISPATCH_LEVEL */
    adapter->MediaPolls++;
    NdisDprReleaseSpinLock(&adapter->Lock);
    LARGE_INTEGER frequency, ticks;
    LARGE_INTEGER counter = KeQueryPerformanceCounter(&frequency);
    KeQueryTickCount(&ticks);
    DbgPrint("MediaPoll %lu at %I64u timer %s irql %u qpc %I64d/%I64d ticks %I64d of %lu\n", adapter->MediaPolls, KeQueryInterruptTime(), SystemSpecific1 == &adapter->MediaTimer ? "own" : "other", (ULONG)KeGetCurrentIrql(), counter.QuadPart, frequency.QuadPart, ticks.QuadPart, KeQueryTimeIncrement());
}

static VOID LinkTimer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PADAPTER adapter = (PADAPTER)FunctionContext;
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    DbgPrint("LinkTimer completes the reset at %I64u\n", KeQueryInterruptTime());
    NdisMResetComplete(adapter->AdapterHandle, NDIS_STATUS_SUCCESS, FALSE);
}

static NDIS_STATUS Initialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportDriverContext, PNDIS_MINIPORT_INIT_PARAMETERS InitParameters)
{
    UNREFERENCED_PARAMETER(MiniportDriverContext);
    UNREFERENCED_PARAMETER(InitParameters);
    if (g_adapterCount >= MAX_ADAPTERS) {
        return NDIS_STATUS_RESOURCES;
    }
    PADAPTER adapter = &g_adapters[g_adapterCount++];
    RtlZeroMemory(adapter, sizeof *adapter);
    adapter->AdapterHandle = MiniportAdapterHandle;
    NdisAllocateSpinLock(&adapter->Lock);

    NDIS_MINIPORT_ADAPTER_ATTRIBUTES attributes;
    RtlZeroMemory(&attributes, sizeof attributes);
    attributes.RegistrationAttributes.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    attributes.RegistrationAttributes.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    attributes.RegistrationAttributes.Header.Size = sizeof(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES);
    attributes.RegistrationAttributes.MiniportAdapterContext = adapter;
    NDIS_STATUS status = NdisMSetMiniportAttributes(MiniportAdapterHandle, &attributes);
    if (status != NDIS_STATUS_SUCCESS) {
        return status;
    }

    NdisMInitializeTimer(&adapter->MediaTimer, MiniportAdapterHandle, MediaPoll, adapter);
    NdisMInitializeTimer(&adapter->LinkTimer, MiniportAdapterHandle, LinkTimer, adapter);
    NdisMSetPeriodicTimer(&adapter->MediaTimer, 100);
    DbgPrint("Initialize adapter %ld\n", g_adapterCount - 1);
    return NDIS_STATUS_SUCCESS;
}

static VOID Halt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    BOOLEAN cancelled;
    UNREFERENCED_PARAMETER(HaltAction);
    NdisMCancelTimer(&adapter->MediaTimer, &cancelled);
    DbgPrint("Halt: media timer cancelled %u\n", (ULONG)cancelled);
    NdisMCancelTimer(&adapter->LinkTimer, &cancelled);
}

static NDIS_STATUS Pause(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    BOOLEAN cancelled;
    UNREFERENCED_PARAMETER(PauseParameters);
    NdisAcquireSpinLock(&adapter->Lock); /* PASSIVE_LEVEL here: raises to DISPATCH_LEVEL and back */
    ASSERT(KeGetCurrentIrql() == DISPATCH_LEVEL);
    NdisReleaseSpinLock(&adapter->Lock);
    NdisMCancelTimer(&adapter->MediaTimer, &cancelled);
    DbgPrint("Pause at %I64u: media timer cancelled %u\n", KeQueryInterruptTime(), (ULONG)cancelled);
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS Restart(NDIS_HANDLE MiniportAdapterContext, PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    UNREFERENCED_PARAMETER(RestartParameters);
    NdisMSetPeriodicTimer(&adapter->MediaTimer, 100);
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS Reset(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    *AddressingReset = FALSE;
    NdisMSetTimer(&adapter->LinkTimer, 50); /* the reset completes from the link timer's callback */
    return NDIS_STATUS_PENDING;
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
    characteristics.ResetHandlerEx = Reset;
    g_adapterCount = 0;
    return (ULONG)NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &characteristics, &g_driverHandle);
}
