/*
 * MiniportTimers: the DDIs the shim implements in C, or wraps around their slot (native/ddi/ddis.json: side "shim"
 * and "wrapped"). The plain forwarders are generated (mpt_forwarders.g.c). Each call into the host is followed by
 * MPT_CHECK(), which unwinds to the innermost trampoline if the host recorded a bug check.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mpt_internal.h"

/* ---------------------------------------------------------------------------------------------------------------
 * Storport: the variadic routines C# cannot export
 * ------------------------------------------------------------------------------------------------------------- */

VOID StorPortNotification(SCSI_NOTIFICATION_TYPE NotificationType, PVOID HwDeviceExtension, ...)
{
    va_list args;
    va_start(args, HwDeviceExtension);
    switch (NotificationType) {
    case RequestTimerCall: {
        PHW_TIMER routine = va_arg(args, PHW_TIMER);
        ULONG microseconds = va_arg(args, ULONG);
        va_end(args);
        g_mpt->MptStorPortNotifyRequestTimerCall(HwDeviceExtension, routine, microseconds);
        break;
    }
    case RequestComplete: {
        PSCSI_REQUEST_BLOCK srb = va_arg(args, PSCSI_REQUEST_BLOCK);
        va_end(args);
        g_mpt->MptStorPortNotifyRequestComplete(HwDeviceExtension, srb);
        break;
    }
    case NextRequest:
        va_end(args);
        g_mpt->MptStorPortNotifyNextRequest(HwDeviceExtension);
        break;
    case IoTargetRequestServiceTime: {
        /* (ULONGLONG Duration in 100 ns, PSCSI_REQUEST_BLOCK Srb): a statistic for Storport's I/O accounting; accepted. */
        (void)va_arg(args, ULONGLONG);
        (void)va_arg(args, PSCSI_REQUEST_BLOCK);
        va_end(args);
        return;
    }
    default: {
        va_end(args);
        char name[64];
        snprintf(name, sizeof name, "StorPortNotification(%d)", (int)NotificationType);
        mpt_unsupported(name);
    }
    }
    MPT_CHECK();
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

/* ---------------------------------------------------------------------------------------------------------------
 * NDIS
 * ------------------------------------------------------------------------------------------------------------- */

/* Wrapped: the driver may read the fields NdisMInitializeTimer sets, so the shim fills them once the host has bound it. */
VOID NdisMInitializeTimer(PNDIS_MINIPORT_TIMER Timer, NDIS_HANDLE MiniportAdapterHandle, PNDIS_TIMER_FUNCTION TimerFunction, PVOID FunctionContext)
{
    g_mpt->NdisMInitializeTimer(Timer, MiniportAdapterHandle, TimerFunction, FunctionContext);
    MPT_CHECK(); /* a rejected call (0xC7 on a queued timer) leaves the fields naming the timer the host still fires */
    if (Timer != NULL) {
        Timer->MiniportTimerFunction = TimerFunction;
        Timer->MiniportTimerContext = FunctionContext;
        Timer->Miniport = MiniportAdapterHandle;
    }
}

/* NDIS spin locks: data-structure work over the executive spin locks, whose semantics are the host's. */
VOID NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock) { KeInitializeSpinLock(&SpinLock->SpinLock); SpinLock->OldIrql = PASSIVE_LEVEL; }
VOID NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock) { (void)SpinLock; }
VOID NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock) { KIRQL old = KeAcquireSpinLockRaiseToDpc(&SpinLock->SpinLock); SpinLock->OldIrql = old; }
VOID NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock) { KeReleaseSpinLock(&SpinLock->SpinLock, SpinLock->OldIrql); }
VOID NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock) { KeAcquireSpinLockAtDpcLevel(&SpinLock->SpinLock); }
VOID NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock) { KeReleaseSpinLockFromDpcLevel(&SpinLock->SpinLock); }
VOID NdisGetCurrentSystemTime(PLARGE_INTEGER pSystemTime) { KeQuerySystemTime(pSystemTime); }

/* ---------------------------------------------------------------------------------------------------------------
 * Kernel
 * ------------------------------------------------------------------------------------------------------------- */

KIRQL KeRaiseIrqlToDpcLevel(void) { KIRQL old; KeRaiseIrql(DISPATCH_LEVEL, &old); return old; }

/* Wrapped: KeBugCheckEx never returns; the host records it and the shim unwinds. */
void KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1, ULONG_PTR BugCheckParameter2, ULONG_PTR BugCheckParameter3, ULONG_PTR BugCheckParameter4)
{
    g_mpt->KeBugCheckEx(BugCheckCode, BugCheckParameter1, BugCheckParameter2, BugCheckParameter3, BugCheckParameter4);
    MPT_CHECK();
    abort(); /* the host always records it; reaching here means the bridge is broken */
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

/* Not emulated: only a crash-dump driver (no Storport services) translates addresses itself. */
PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress)
{
    (void)BaseAddress;
    mpt_unsupported("MmGetPhysicalAddress");
}
