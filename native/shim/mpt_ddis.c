/*
 * MiniportTimers: the DDIs the shim implements or forwards, by stack. A forwarder calls the host's slot in the DDI
 * table and then MPT_CHECK(), which unwinds to the innermost trampoline if the host recorded a bug check.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mpt_internal.h"
/* ---------------------------------------------------------------------------------------------------------------
 * Storport
 * ------------------------------------------------------------------------------------------------------------- */

ULONG StorPortInitialize(PVOID Argument1, PVOID Argument2, PHW_INITIALIZATION_DATA HwInitializationData, PVOID HwContext)
{
    ULONG status = g_mpt->StorPortInitialize(Argument1, Argument2, HwInitializationData, HwContext);
    MPT_CHECK();
    return status;
}

VOID StorPortNotification(SCSI_NOTIFICATION_TYPE NotificationType, PVOID HwDeviceExtension, ...)
{
    va_list args;
    va_start(args, HwDeviceExtension);
    switch (NotificationType) {
    case RequestTimerCall: {
        PHW_TIMER routine = va_arg(args, PHW_TIMER);
        ULONG microseconds = va_arg(args, ULONG);
        va_end(args);
        g_mpt->NotifyRequestTimerCall(HwDeviceExtension, routine, microseconds);
        break;
    }
    case RequestComplete: {
        PSCSI_REQUEST_BLOCK srb = va_arg(args, PSCSI_REQUEST_BLOCK);
        va_end(args);
        g_mpt->NotifyRequestComplete(HwDeviceExtension, srb);
        break;
    }
    case NextRequest:
        va_end(args);
        g_mpt->NotifyNextRequest(HwDeviceExtension);
        break;
    default: {
        va_end(args);
        char name[64];
        snprintf(name, sizeof name, "StorPortNotification(%d)", (int)NotificationType);
        mpt_unsupported(name);
    }
    }
    MPT_CHECK();
}

ULONG StorPortInitializeTimer(PVOID HwDeviceExtension, PVOID *TimerHandle)
{
    ULONG status = g_mpt->InitializeTimer(HwDeviceExtension, TimerHandle);
    MPT_CHECK();
    return status;
}

ULONG StorPortRequestTimer(PVOID HwDeviceExtension, PVOID TimerHandle, PHW_TIMER_EX TimerCallback, PVOID CallbackContext, ULONGLONG TimerValue, ULONGLONG TolerableDelay)
{
    ULONG status = g_mpt->RequestTimer(HwDeviceExtension, TimerHandle, TimerCallback, CallbackContext, TimerValue, TolerableDelay);
    MPT_CHECK();
    return status;
}

ULONG StorPortFreeTimer(PVOID HwDeviceExtension, PVOID TimerHandle)
{
    ULONG status = g_mpt->FreeTimer(HwDeviceExtension, TimerHandle);
    MPT_CHECK();
    return status;
}

ULONG StorPortExtendedFunction(STORPORT_FUNCTION_CODE FunctionCode, PVOID HwDeviceExtension, ...)
{
    va_list args;
    va_start(args, HwDeviceExtension);
    ULONG status;
    switch (FunctionCode) {
    case ExtFunctionInitializeTimer: {
        PVOID *handle = va_arg(args, PVOID *);
        status = StorPortInitializeTimer(HwDeviceExtension, handle);
        break;
    }
    case ExtFunctionRequestTimer: {
        PVOID handle = va_arg(args, PVOID);
        PHW_TIMER_EX callback = va_arg(args, PHW_TIMER_EX);
        PVOID context = va_arg(args, PVOID);
        ULONGLONG value = va_arg(args, ULONGLONG);
        ULONGLONG tolerance = va_arg(args, ULONGLONG);
        status = StorPortRequestTimer(HwDeviceExtension, handle, callback, context, value, tolerance);
        break;
    }
    case ExtFunctionFreeTimer: {
        PVOID handle = va_arg(args, PVOID);
        status = StorPortFreeTimer(HwDeviceExtension, handle);
        break;
    }
    default: {
        va_end(args);
        char name[64];
        snprintf(name, sizeof name, "StorPortExtendedFunction(%d)", (int)FunctionCode);
        mpt_unsupported(name);
    }
    }
    va_end(args);
    return status;
}

VOID StorPortAcquireSpinLock(PVOID HwDeviceExtension, STOR_SPINLOCK SpinLock, PVOID LockContext, PSTOR_LOCK_HANDLE LockHandle)
{
    (void)LockContext;
    g_mpt->AcquireSpinLock(HwDeviceExtension, (ULONG)SpinLock, LockHandle);
    MPT_CHECK();
}

VOID StorPortReleaseSpinLock(PVOID HwDeviceExtension, PSTOR_LOCK_HANDLE LockHandle)
{
    g_mpt->ReleaseSpinLock(HwDeviceExtension, LockHandle);
    MPT_CHECK();
}

BOOLEAN StorPortSynchronizeAccess(PVOID HwDeviceExtension, PSTOR_SYNCHRONIZED_ACCESS SynchronizedAccessRoutine, PVOID Context)
{
    BOOLEAN result = g_mpt->SynchronizeAccess(HwDeviceExtension, SynchronizedAccessRoutine, Context);
    MPT_CHECK();
    return result;
}

VOID StorPortInitializeDpc(PVOID HwDeviceExtension, PSTOR_DPC Dpc, PHW_DPC_ROUTINE HwDpcRoutine)
{
    g_mpt->InitializeDpc(HwDeviceExtension, Dpc, HwDpcRoutine);
    MPT_CHECK();
}

BOOLEAN StorPortIssueDpc(PVOID HwDeviceExtension, PSTOR_DPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2)
{
    BOOLEAN queued = g_mpt->IssueDpc(HwDeviceExtension, Dpc, SystemArgument1, SystemArgument2);
    MPT_CHECK();
    return queued;
}

BOOLEAN StorPortEnablePassiveInitialization(PVOID HwDeviceExtension, PHW_PASSIVE_INITIALIZE_ROUTINE HwPassiveInitializeRoutine)
{
    BOOLEAN ok = g_mpt->EnablePassiveInitialization(HwDeviceExtension, HwPassiveInitializeRoutine);
    MPT_CHECK();
    return ok;
}

BOOLEAN StorPortPause(PVOID HwDeviceExtension, ULONG TimeOut)
{
    BOOLEAN ok = g_mpt->Pause(HwDeviceExtension, TimeOut);
    MPT_CHECK();
    return ok;
}

BOOLEAN StorPortResume(PVOID HwDeviceExtension)
{
    BOOLEAN ok = g_mpt->Resume(HwDeviceExtension);
    MPT_CHECK();
    return ok;
}

VOID StorPortStallExecution(ULONG Delay)
{
    g_mpt->StallExecution(Delay);
    MPT_CHECK();
}

ULONG StorPortQuerySystemTime(PVOID HwDeviceExtension, PLARGE_INTEGER CurrentTime)
{
    ULONG status = g_mpt->QuerySystemTime(HwDeviceExtension, CurrentTime);
    MPT_CHECK();
    return status;
}

/* ---------------------------------------------------------------------------------------------------------------
 * NDIS
 * ------------------------------------------------------------------------------------------------------------- */

NDIS_STATUS NdisMRegisterMiniportDriver(PDRIVER_OBJECT DriverObject, PVOID RegistryPath, NDIS_HANDLE MiniportDriverContext, PNDIS_MINIPORT_DRIVER_CHARACTERISTICS MiniportDriverCharacteristics, PNDIS_HANDLE NdisMiniportDriverHandle)
{
    (void)RegistryPath;
    NDIS_STATUS status = g_mpt->NdisMRegisterMiniportDriver(DriverObject, MiniportDriverContext, MiniportDriverCharacteristics, NdisMiniportDriverHandle);
    MPT_CHECK();
    return status;
}

NDIS_STATUS NdisMSetMiniportAttributes(NDIS_HANDLE NdisMiniportAdapterHandle, PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes)
{
    NDIS_STATUS status = g_mpt->NdisMSetMiniportAttributes(NdisMiniportAdapterHandle, MiniportAttributes);
    MPT_CHECK();
    return status;
}

VOID NdisMPauseComplete(NDIS_HANDLE MiniportAdapterHandle) { g_mpt->NdisMPauseComplete(MiniportAdapterHandle); MPT_CHECK(); }
VOID NdisMResetComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status, BOOLEAN AddressingReset) { g_mpt->NdisMResetComplete(MiniportAdapterHandle, Status, AddressingReset); MPT_CHECK(); }

VOID NdisMInitializeTimer(PNDIS_MINIPORT_TIMER Timer, NDIS_HANDLE MiniportAdapterHandle, PNDIS_TIMER_FUNCTION TimerFunction, PVOID FunctionContext)
{
    if (Timer != NULL) {
        Timer->MiniportTimerFunction = TimerFunction;
        Timer->MiniportTimerContext = FunctionContext;
        Timer->Miniport = MiniportAdapterHandle;
    }
    g_mpt->NdisMInitializeTimer(Timer, MiniportAdapterHandle, TimerFunction, FunctionContext);
    MPT_CHECK();
}

VOID NdisMSetTimer(PNDIS_MINIPORT_TIMER Timer, UINT MillisecondsToDelay) { g_mpt->NdisMSetTimer(Timer, MillisecondsToDelay, FALSE); MPT_CHECK(); }
VOID NdisMSetPeriodicTimer(PNDIS_MINIPORT_TIMER Timer, UINT MillisecondsPeriod) { g_mpt->NdisMSetTimer(Timer, MillisecondsPeriod, TRUE); MPT_CHECK(); }

VOID NdisMCancelTimer(PNDIS_MINIPORT_TIMER Timer, PBOOLEAN TimerCancelled)
{
    BOOLEAN cancelled = g_mpt->NdisMCancelTimer(Timer);
    MPT_CHECK();
    if (TimerCancelled != NULL) {
        *TimerCancelled = cancelled;
    }
}

NDIS_STATUS NdisAllocateTimerObject(NDIS_HANDLE NdisHandle, PNDIS_TIMER_CHARACTERISTICS TimerCharacteristics, PNDIS_HANDLE pTimerObject)
{
    NDIS_STATUS status = g_mpt->NdisAllocateTimerObject(NdisHandle, TimerCharacteristics, pTimerObject);
    MPT_CHECK();
    return status;
}

BOOLEAN NdisSetTimerObject(NDIS_HANDLE TimerObject, LARGE_INTEGER DueTime, LONG MillisecondsPeriod, PVOID FunctionContext)
{
    BOOLEAN queued = g_mpt->NdisSetTimerObject(TimerObject, DueTime.QuadPart, MillisecondsPeriod, FunctionContext, 0, FALSE);
    MPT_CHECK();
    return queued;
}

BOOLEAN NdisSetCoalescableTimerObject(NDIS_HANDLE TimerObject, LARGE_INTEGER DueTime, LONG MillisecondsPeriod, PVOID FunctionContext, ULONG Tolerance)
{
    BOOLEAN queued = g_mpt->NdisSetTimerObject(TimerObject, DueTime.QuadPart, MillisecondsPeriod, FunctionContext, Tolerance, TRUE);
    MPT_CHECK();
    return queued;
}

BOOLEAN NdisCancelTimerObject(NDIS_HANDLE TimerObject)
{
    BOOLEAN cancelled = g_mpt->NdisCancelTimerObject(TimerObject);
    MPT_CHECK();
    return cancelled;
}

VOID NdisFreeTimerObject(NDIS_HANDLE TimerObject) { g_mpt->NdisFreeTimerObject(TimerObject); MPT_CHECK(); }

NDIS_STATUS NdisMRegisterInterruptEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportInterruptContext, PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MiniportInterruptCharacteristics, PNDIS_HANDLE NdisInterruptHandle)
{
    NDIS_STATUS status = g_mpt->NdisMRegisterInterruptEx(MiniportAdapterHandle, MiniportInterruptContext, MiniportInterruptCharacteristics, NdisInterruptHandle);
    MPT_CHECK();
    return status;
}
VOID NdisMDeregisterInterruptEx(NDIS_HANDLE NdisInterruptHandle) { g_mpt->NdisMDeregisterInterruptEx(NdisInterruptHandle); MPT_CHECK(); }
BOOLEAN NdisMSynchronizeWithInterruptEx(NDIS_HANDLE NdisInterruptHandle, ULONG MessageId, PVOID SynchronizeFunction, PVOID SynchronizeContext)
{
    BOOLEAN result = g_mpt->NdisMSynchronizeWithInterruptEx(NdisInterruptHandle, MessageId, SynchronizeFunction, SynchronizeContext);
    MPT_CHECK();
    return result;
}

/* ---------------------------------------------------------------------------------------------------------------
 * Kernel
 * ------------------------------------------------------------------------------------------------------------- */

KIRQL KeGetCurrentIrql(void) { return g_mpt->GetCurrentIrql(); }

VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql) { g_mpt->KeRaiseIrql(NewIrql, OldIrql); MPT_CHECK(); }
KIRQL KeRaiseIrqlToDpcLevel(void) { KIRQL old; KeRaiseIrql(DISPATCH_LEVEL, &old); return old; }
VOID KeLowerIrql(KIRQL NewIrql) { g_mpt->KeLowerIrql(NewIrql); MPT_CHECK(); }

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext) { g_mpt->KeInitializeDpc(Dpc, DeferredRoutine, DeferredContext); MPT_CHECK(); }
BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2) { BOOLEAN r = g_mpt->KeInsertQueueDpc(Dpc, SystemArgument1, SystemArgument2); MPT_CHECK(); return r; }
BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc) { BOOLEAN r = g_mpt->KeRemoveQueueDpc(Dpc); MPT_CHECK(); return r; }
VOID KeFlushQueuedDpcs(void) { g_mpt->KeFlushQueuedDpcs(); MPT_CHECK(); }
VOID KeInitializeTimer(PKTIMER Timer) { g_mpt->KeInitializeTimerEx(Timer, NotificationTimer); MPT_CHECK(); }
VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type) { g_mpt->KeInitializeTimerEx(Timer, (ULONG)Type); MPT_CHECK(); }
BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc) { BOOLEAN r = g_mpt->KeSetTimer(Timer, DueTime.QuadPart, 0, 0, Dpc, 0); MPT_CHECK(); return r; }
BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc)
{
    if (Period < 0) {
        g_mpt->BugCheck(0x1E, (ULONG_PTR)STATUS_INVALID_PARAMETER, (ULONG_PTR)(LONG_PTR)Period, 0, 0, "KeSetTimerEx: a negative period");
        MPT_CHECK();
    }
    BOOLEAN r = g_mpt->KeSetTimer(Timer, DueTime.QuadPart, (ULONG)Period, 0, Dpc, 0);
    MPT_CHECK();
    return r;
}
BOOLEAN KeSetCoalescableTimer(PKTIMER Timer, LARGE_INTEGER DueTime, ULONG Period, ULONG TolerableDelay, PKDPC Dpc) { BOOLEAN r = g_mpt->KeSetTimer(Timer, DueTime.QuadPart, Period, TolerableDelay, Dpc, 1); MPT_CHECK(); return r; }
BOOLEAN KeCancelTimer(PKTIMER Timer) { BOOLEAN r = g_mpt->KeCancelTimer(Timer); MPT_CHECK(); return r; }
BOOLEAN KeReadStateTimer(PKTIMER Timer) { BOOLEAN r = g_mpt->KeReadStateTimer(Timer); MPT_CHECK(); return r; }

PEX_TIMER ExAllocateTimer(PEXT_CALLBACK Callback, PVOID CallbackContext, ULONG Attributes) { PEX_TIMER t = g_mpt->ExAllocateTimer(Callback, CallbackContext, Attributes); MPT_CHECK(); return t; }
BOOLEAN ExSetTimer(PEX_TIMER Timer, LONGLONG DueTime, LONGLONG Period, PEXT_SET_PARAMETERS Parameters) { BOOLEAN r = g_mpt->ExSetTimer(Timer, DueTime, Period, Parameters); MPT_CHECK(); return r; }
BOOLEAN ExCancelTimer(PEX_TIMER Timer, PVOID Parameters) { (void)Parameters; BOOLEAN r = g_mpt->ExCancelTimer(Timer); MPT_CHECK(); return r; }
BOOLEAN ExDeleteTimer(PEX_TIMER Timer, BOOLEAN Cancel, BOOLEAN Wait, PEXT_DELETE_PARAMETERS Parameters) { BOOLEAN r = g_mpt->ExDeleteTimer(Timer, Cancel, Wait, Parameters); MPT_CHECK(); return r; }

void KeInitializeSpinLock(PKSPIN_LOCK SpinLock) { g_mpt->InitializeSpinLock(SpinLock); MPT_CHECK(); }
KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock) { KIRQL old = g_mpt->AcquireSpinLockRaiseToDpc(SpinLock); MPT_CHECK(); return old; }
void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql) { g_mpt->ReleaseSpinLockKe(SpinLock, NewIrql); MPT_CHECK(); }
void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { g_mpt->AcquireSpinLockAtDpcLevel(SpinLock); MPT_CHECK(); }
void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock) { g_mpt->ReleaseSpinLockFromDpcLevel(SpinLock); MPT_CHECK(); }

ULONGLONG KeQueryInterruptTime(void) { ULONGLONG t = g_mpt->QueryInterruptTime(); MPT_CHECK(); return t; }
LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency)
{
    LONGLONG frequency;
    LARGE_INTEGER counter;
    counter.QuadPart = g_mpt->KeQueryPerformanceCounter(&frequency);
    MPT_CHECK();
    if (PerformanceFrequency != NULL) {
        PerformanceFrequency->QuadPart = frequency;
    }
    return counter;
}
ULONG KeQueryTimeIncrement(void) { return g_mpt->KeQueryTimeIncrement(); }
VOID KeQueryTickCount(PLARGE_INTEGER CurrentCount) { CurrentCount->QuadPart = g_mpt->KeQueryTickCount(); MPT_CHECK(); }
ULONG ExSetTimerResolution(ULONG DesiredTime, BOOLEAN SetResolution) { return g_mpt->ExSetTimerResolution(DesiredTime, SetResolution); }

/* NDIS spin locks: data-structure work over the executive spin locks, whose semantics are the host's. */
VOID NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock) { KeInitializeSpinLock(&SpinLock->SpinLock); SpinLock->OldIrql = PASSIVE_LEVEL; }
VOID NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock) { (void)SpinLock; }
VOID NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock) { KIRQL old = KeAcquireSpinLockRaiseToDpc(&SpinLock->SpinLock); SpinLock->OldIrql = old; }
VOID NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock) { KeReleaseSpinLock(&SpinLock->SpinLock, SpinLock->OldIrql); }
VOID NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock) { KeAcquireSpinLockAtDpcLevel(&SpinLock->SpinLock); }
VOID NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock) { KeReleaseSpinLockFromDpcLevel(&SpinLock->SpinLock); }
VOID NdisGetCurrentSystemTime(PLARGE_INTEGER pSystemTime) { KeQuerySystemTime(pSystemTime); }
void KeQuerySystemTime(PLARGE_INTEGER CurrentTime) { g_mpt->KeQuerySystemTime(CurrentTime); MPT_CHECK(); }
void KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime) { g_mpt->KeQuerySystemTime(CurrentTime); MPT_CHECK(); }
void KeStallExecutionProcessor(ULONG MicroSeconds) { g_mpt->StallExecutionProcessor(MicroSeconds); MPT_CHECK(); }

void KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4)
{
    g_mpt->BugCheck(BugCheckCode, P1, P2, P3, P4, "KeBugCheckEx");
    MPT_CHECK();
    abort(); /* the host always records it; reaching here means the bridge is broken */
}

/* ---- NDIS 6 requests, sends, receives, work items, sleep: C# ---- */
VOID NdisMDeregisterMiniportDriver(NDIS_HANDLE NdisMiniportDriverHandle) { g_mpt->NdisMDeregisterMiniportDriver(NdisMiniportDriverHandle); MPT_CHECK(); }
VOID NdisMOidRequestComplete(NDIS_HANDLE MiniportAdapterHandle, PNDIS_OID_REQUEST OidRequest, NDIS_STATUS Status) { g_mpt->NdisMOidRequestComplete(MiniportAdapterHandle, OidRequest, Status); MPT_CHECK(); }
VOID NdisMSendNetBufferListsComplete(NDIS_HANDLE MiniportAdapterHandle, PNET_BUFFER_LIST NetBufferLists, ULONG SendCompleteFlags) { g_mpt->NdisMSendNetBufferListsComplete(MiniportAdapterHandle, NetBufferLists, SendCompleteFlags); MPT_CHECK(); }
VOID NdisMIndicateReceiveNetBufferLists(NDIS_HANDLE MiniportAdapterHandle, PNET_BUFFER_LIST NetBufferLists, NDIS_PORT_NUMBER PortNumber, ULONG NumberOfNetBufferLists, ULONG ReceiveFlags)
{
    g_mpt->NdisMIndicateReceiveNetBufferLists(MiniportAdapterHandle, NetBufferLists, PortNumber, NumberOfNetBufferLists, ReceiveFlags);
    MPT_CHECK();
}
VOID NdisMIndicateStatusEx(NDIS_HANDLE MiniportAdapterHandle, PNDIS_STATUS_INDICATION StatusIndication)
{
    g_mpt->NdisMIndicateStatusEx(MiniportAdapterHandle, StatusIndication == NULL ? NDIS_STATUS_INVALID_PARAMETER : StatusIndication->StatusCode);
    MPT_CHECK();
}
NDIS_HANDLE NdisAllocateIoWorkItem(NDIS_HANDLE NdisObjectHandle) { NDIS_HANDLE w = g_mpt->NdisAllocateIoWorkItem(NdisObjectHandle); MPT_CHECK(); return w; }
VOID NdisQueueIoWorkItem(NDIS_HANDLE NdisIoWorkItemHandle, NDIS_IO_WORKITEM_ROUTINE Routine, PVOID WorkItemContext) { g_mpt->NdisQueueIoWorkItem(NdisIoWorkItemHandle, Routine, WorkItemContext); MPT_CHECK(); }
VOID NdisFreeIoWorkItem(NDIS_HANDLE NdisIoWorkItemHandle) { g_mpt->NdisFreeIoWorkItem(NdisIoWorkItemHandle); MPT_CHECK(); }
VOID NdisMSleep(ULONG MicrosecondsToSleep) { g_mpt->NdisMSleep(MicrosecondsToSleep); MPT_CHECK(); }

/* ---- more of the DPC object and spin locks: C# ---- */
BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock) { BOOLEAN r = g_mpt->KeTryToAcquireSpinLockAtDpcLevel(SpinLock); MPT_CHECK(); return r; }
VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance) { g_mpt->KeSetDpcProperty(Dpc, 0, (ULONG)Importance); MPT_CHECK(); }
VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number) { g_mpt->KeSetDpcProperty(Dpc, 1, (ULONG)(UCHAR)Number); MPT_CHECK(); }
NTSTATUS KeSetTargetProcessorDpcEx(PKDPC Dpc, PPROCESSOR_NUMBER ProcNumber)
{
    if (ProcNumber == NULL || ProcNumber->Group != 0) {
        return STATUS_INVALID_PARAMETER;
    }
    NTSTATUS status = g_mpt->KeSetDpcProperty(Dpc, 1, ProcNumber->Number);
    MPT_CHECK();
    return status;
}
NTSTATUS KeQueryDpcWatchdogInformation(PKDPC_WATCHDOG_INFORMATION WatchdogInformation)
{
    RtlZeroMemory(WatchdogInformation, sizeof *WatchdogInformation);
    g_mpt->KeQueryDpcWatchdogInformation(WatchdogInformation);
    MPT_CHECK();
    return STATUS_SUCCESS;
}
/* The host models one processor (its dispatcher; Ke.ProcessorCount on the C# side): processor 0 of group 0. */
ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber)
{
    if (ProcNumber != NULL) {
        ProcNumber->Group = 0;
        ProcNumber->Number = 0;
        ProcNumber->Reserved = 0;
    }
    return 0;
}
ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber) { return GroupNumber == 0 || GroupNumber == ALL_PROCESSOR_GROUPS ? 1 : 0; }

