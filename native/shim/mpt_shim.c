/*
 * MiniportTimers: the C side of the bridge, linked into every driver .so (native/toolchain.mk). It
 *  - defines each DDI the headers declare as a call through the table the .NET host hands over (MptSetDdiTable);
 *  - implements the variadic DDIs C# cannot export (StorPortNotification, StorPortExtendedFunction, DbgPrint(Ex),
 *    StorPortDebugPrint) and formats debug output with Windows semantics (%lx is 32 bits, %I64x 64, %ws, %wZ);
 *  - wraps every call from the host into driver code in a trampoline (MptCall*) that sets a jump point.
 *
 * Bug checks: a DDI that finds a bug check (a verifier violation, an exception in the host) records it on the .NET
 * side and calls MptRaiseBugCheck before returning; the DDI's C wrapper here then longjmps to the innermost
 * trampoline, which tells the host (*Faulted = 1). Only C frames are crossed (the host's frame has returned), and the
 * host raises the recorded bug check in managed code, where the adapter is stopped as for a C# miniport.
 *
 * Synchronization: the frame stack and the fault flag are thread-local; the table is written once before DriverEntry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mpt_bridge.h"

static const MPT_DDI_TABLE *g_mpt;

typedef struct mpt_frame {
    jmp_buf buf;
    struct mpt_frame *outer;
} mpt_frame;

static __thread mpt_frame *t_frame;
static __thread int t_fault;

MPT_EXPORT ULONG MptSetDdiTable(const MPT_DDI_TABLE *Table)
{
    if (Table == NULL || Table->Size != sizeof(MPT_DDI_TABLE) || Table->Version != MPT_BRIDGE_VERSION) {
        return (ULONG)sizeof(MPT_DDI_TABLE); /* the host compares: a mismatch is a clear error there */
    }
    g_mpt = Table;
    return 0;
}

MPT_EXPORT VOID MptRaiseBugCheck(void)
{
    t_fault = 1;
}

static __attribute__((noreturn)) void mpt_unwind(void)
{
    t_fault = 0;
    if (t_frame == NULL) {
        fputs("MiniportTimers: a bug check was raised outside any driver routine the host called\n", stderr);
        abort();
    }
    longjmp(t_frame->buf, 1);
}

#define MPT_CHECK() do { if (t_fault) mpt_unwind(); } while (0)

/* Runs one call into driver code under a jump point; *Faulted is 1 if a bug check unwound it. */
#define MPT_TRAMPOLINE(result_type, zero, call)                                                            \
    mpt_frame frame;                                                                                        \
    volatile result_type result = zero;                                                                     \
    frame.outer = t_frame;                                                                                  \
    *Faulted = 0;                                                                                           \
    if (setjmp(frame.buf) == 0) {                                                                           \
        t_frame = &frame;                                                                                   \
        result = call;                                                                                      \
    } else {                                                                                                \
        *Faulted = 1;                                                                                       \
    }                                                                                                       \
    t_frame = frame.outer;                                                                                  \
    return result;

#define MPT_TRAMPOLINE_VOID(call)                                                                           \
    mpt_frame frame;                                                                                        \
    frame.outer = t_frame;                                                                                  \
    *Faulted = 0;                                                                                           \
    if (setjmp(frame.buf) == 0) {                                                                           \
        t_frame = &frame;                                                                                   \
        call;                                                                                               \
    } else {                                                                                                \
        *Faulted = 1;                                                                                       \
    }                                                                                                       \
    t_frame = frame.outer;

/* The driver's entry point, by its documented name. */
extern ULONG DriverEntry(PVOID DriverObject, PVOID RegistryPath);

MPT_EXPORT ULONG MptCallDriverEntry(PVOID Argument1, PVOID Argument2, int *Faulted) { MPT_TRAMPOLINE(ULONG, 0, DriverEntry(Argument1, Argument2)) }
MPT_EXPORT ULONG MptCallFindAdapter(PHW_FIND_ADAPTER Routine, PVOID DeviceExtension, PVOID HwContext, PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo, int *Faulted)
{
    BOOLEAN reserved = FALSE;
    MPT_TRAMPOLINE(ULONG, SP_RETURN_ERROR, Routine(DeviceExtension, HwContext, NULL, ArgumentString, ConfigInfo, &reserved))
}
MPT_EXPORT BOOLEAN MptCallBoolean(BOOLEAN (*Routine)(PVOID), PVOID DeviceExtension, int *Faulted) { MPT_TRAMPOLINE(BOOLEAN, FALSE, Routine(DeviceExtension)) }
MPT_EXPORT BOOLEAN MptCallStartIo(PHW_STARTIO Routine, PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb, int *Faulted) { MPT_TRAMPOLINE(BOOLEAN, FALSE, Routine(DeviceExtension, Srb)) }
MPT_EXPORT ULONG MptCallAdapterControl(PHW_ADAPTER_CONTROL Routine, PVOID DeviceExtension, ULONG ControlType, PVOID Parameters, int *Faulted)
{
    MPT_TRAMPOLINE(ULONG, ScsiAdapterControlUnsuccessful, (ULONG)Routine(DeviceExtension, (SCSI_ADAPTER_CONTROL_TYPE)ControlType, Parameters))
}
MPT_EXPORT VOID MptCallTimer(PHW_TIMER Routine, PVOID DeviceExtension, int *Faulted) { MPT_TRAMPOLINE_VOID(Routine(DeviceExtension)) }
MPT_EXPORT VOID MptCallTimerEx(PHW_TIMER_EX Routine, PVOID DeviceExtension, PVOID Context, int *Faulted) { MPT_TRAMPOLINE_VOID(Routine(DeviceExtension, Context)) }
MPT_EXPORT VOID MptCallDpc(PHW_DPC_ROUTINE Routine, PSTOR_DPC Dpc, PVOID DeviceExtension, PVOID SystemArgument1, PVOID SystemArgument2, int *Faulted)
{
    MPT_TRAMPOLINE_VOID(Routine(Dpc, DeviceExtension, SystemArgument1, SystemArgument2))
}
MPT_EXPORT NDIS_STATUS MptCallStatus2(NDIS_STATUS (*Routine)(PVOID, PVOID), PVOID A, PVOID B, int *Faulted) { MPT_TRAMPOLINE(NDIS_STATUS, NDIS_STATUS_FAILURE, Routine(A, B)) }
MPT_EXPORT NDIS_STATUS MptCallStatus3(NDIS_STATUS (*Routine)(PVOID, PVOID, PVOID), PVOID A, PVOID B, PVOID C, int *Faulted) { MPT_TRAMPOLINE(NDIS_STATUS, NDIS_STATUS_FAILURE, Routine(A, B, C)) }
MPT_EXPORT VOID MptCallHalt(MINIPORT_HALT_HANDLER Routine, NDIS_HANDLE Context, ULONG HaltAction, int *Faulted) { MPT_TRAMPOLINE_VOID(Routine(Context, (NDIS_HALT_ACTION)HaltAction)) }
MPT_EXPORT VOID MptCallVoid4(VOID (*Routine)(PVOID, PVOID, PVOID, PVOID), PVOID A, PVOID B, PVOID C, PVOID D, int *Faulted)
{
    MPT_TRAMPOLINE_VOID(Routine(A, B, C, D))
}
MPT_EXPORT BOOLEAN MptCallIsr(MINIPORT_ISR_HANDLER Routine, PVOID Context, PBOOLEAN QueueDpc, PULONG TargetProcessors, int *Faulted)
{
    MPT_TRAMPOLINE(BOOLEAN, FALSE, Routine(Context, QueueDpc, TargetProcessors))
}
MPT_EXPORT VOID MptCallSendNetBufferLists(MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER Routine, NDIS_HANDLE Context, PNET_BUFFER_LIST NetBufferLists, ULONG PortNumber, ULONG Flags, int *Faulted)
{ MPT_TRAMPOLINE_VOID(Routine(Context, NetBufferLists, PortNumber, Flags)) }
MPT_EXPORT VOID MptCallReturnNetBufferLists(MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER Routine, NDIS_HANDLE Context, PNET_BUFFER_LIST NetBufferLists, ULONG Flags, int *Faulted)
{ MPT_TRAMPOLINE_VOID(Routine(Context, NetBufferLists, Flags)) }
MPT_EXPORT VOID MptCallVoid2(VOID (*Routine)(PVOID, PVOID), PVOID A, PVOID B, int *Faulted) { MPT_TRAMPOLINE_VOID(Routine(A, B)) }
MPT_EXPORT BOOLEAN MptCallSynchronized(PSTOR_SYNCHRONIZED_ACCESS Routine, PVOID DeviceExtension, PVOID Context, int *Faulted) { MPT_TRAMPOLINE(BOOLEAN, FALSE, Routine(DeviceExtension, Context)) }

/* A routine the emulation does not implement: a bug check naming it (never a silent success). */
static __attribute__((noreturn)) void mpt_unsupported(const char *routine)
{
    g_mpt->BugCheck(0x1E /* KMODE_EXCEPTION_NOT_HANDLED */, (ULONG_PTR)STATUS_NOT_IMPLEMENTED, 0, 0, 0, routine);
    MPT_CHECK();
    abort();
}

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

/* ---------------------------------------------------------------------------------------------------------------
 * Debug print with Windows semantics
 * ------------------------------------------------------------------------------------------------------------- */

/* Appends UTF-16 (WCHAR) text as UTF-8. */
static size_t mpt_put_wide(char *out, size_t at, size_t cap, const WCHAR *text, size_t count)
{
    for (size_t i = 0; i < count && text[i] != 0; i++) {
        unsigned int c = text[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < count && text[i + 1] >= 0xDC00 && text[i + 1] < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00);
            i++;
        }
        char utf8[4];
        size_t n;
        if (c < 0x80) { utf8[0] = (char)c; n = 1; }
        else if (c < 0x800) { utf8[0] = (char)(0xC0 | (c >> 6)); utf8[1] = (char)(0x80 | (c & 0x3F)); n = 2; }
        else if (c < 0x10000) { utf8[0] = (char)(0xE0 | (c >> 12)); utf8[1] = (char)(0x80 | ((c >> 6) & 0x3F)); utf8[2] = (char)(0x80 | (c & 0x3F)); n = 3; }
        else { utf8[0] = (char)(0xF0 | (c >> 18)); utf8[1] = (char)(0x80 | ((c >> 12) & 0x3F)); utf8[2] = (char)(0x80 | ((c >> 6) & 0x3F)); utf8[3] = (char)(0x80 | (c & 0x3F)); n = 4; }
        for (size_t k = 0; k < n && at + 1 < cap; k++) out[at++] = utf8[k];
    }
    return at;
}

/*
 * Formats like the Windows kernel's DbgPrint: h/hh are 16/8 bits, l is 32 bits (ULONG), ll and I64 are 64 bits, I is
 * pointer-sized, %ws/%ls/%S take a WCHAR string, %wZ a PUNICODE_STRING, %Z a PANSI_STRING; flags, width and precision
 * as in C. Writes at most cap - 1 bytes and a terminator.
 */
static void mpt_format(char *out, size_t cap, const char *format, va_list args)
{
    size_t at = 0;
    for (const char *p = format; *p && at + 1 < cap; p++) {
        if (*p != '%') { out[at++] = *p; continue; }
        const char *start = p++;
        char spec[32];
        size_t s = 0;
        spec[s++] = '%';
        while (*p && strchr("-+ #0", *p)) { if (s < 20) spec[s++] = *p; p++; }
        if (*p == '*') { int w = va_arg(args, int); s += (size_t)snprintf(spec + s, sizeof spec - s, "%d", w); p++; }
        else while (*p >= '0' && *p <= '9') { if (s < 20) spec[s++] = *p; p++; }
        if (*p == '.') {
            spec[s++] = *p++;
            if (*p == '*') { int prec = va_arg(args, int); s += (size_t)snprintf(spec + s, sizeof spec - s, "%d", prec); p++; }
            else while (*p >= '0' && *p <= '9') { if (s < 24) spec[s++] = *p; p++; }
        }
        int size = 32; /* bits of an integer argument */
        int wide = 0;
        if (p[0] == 'I' && p[1] == '6' && p[2] == '4') { size = 64; p += 3; }
        else if (p[0] == 'I' && p[1] == '3' && p[2] == '2') { size = 32; p += 3; }
        else if (p[0] == 'I') { size = 64; p++; }
        else if (p[0] == 'l' && p[1] == 'l') { size = 64; p += 2; }
        else if (p[0] == 'h' && p[1] == 'h') { size = 8; p += 2; }
        else if (p[0] == 'h') { size = 16; p++; }
        else if (p[0] == 'l' || p[0] == 'w') { wide = 1; p++; }   /* l: 32 bits for integers, wide for c/s */
        else if (p[0] == 'z') { size = 64; p++; }
        char conversion = *p;
        char buffer[512];
        buffer[0] = 0;
        switch (conversion) {
        case 'd': case 'i': {
            spec[s++] = 'l'; spec[s++] = 'l'; spec[s++] = conversion; spec[s] = 0;
            long long v = size == 64 ? va_arg(args, long long) : (long long)va_arg(args, int);
            if (size == 16) v = (short)v; else if (size == 8) v = (signed char)v;
            snprintf(buffer, sizeof buffer, spec, v);
            break;
        }
        case 'u': case 'x': case 'X': case 'o': {
            spec[s++] = 'l'; spec[s++] = 'l'; spec[s++] = conversion; spec[s] = 0;
            unsigned long long v = size == 64 ? va_arg(args, unsigned long long) : (unsigned long long)va_arg(args, unsigned int);
            if (size == 16) v = (unsigned short)v; else if (size == 8) v = (unsigned char)v;
            snprintf(buffer, sizeof buffer, spec, v);
            break;
        }
        case 'p': {
            /* Windows prints a pointer as all its hex digits, upper case, without 0x (x64: 16). */
            snprintf(buffer, sizeof buffer, "%016llX", (unsigned long long)(ULONG_PTR)va_arg(args, void *));
            break;
        }
        case 'c': case 'C': {
            int c = va_arg(args, int);
            if (wide || conversion == 'C') { WCHAR w = (WCHAR)c; at = mpt_put_wide(out, at, cap, &w, 1); }
            else { buffer[0] = (char)c; buffer[1] = 0; }
            break;
        }
        case 's': case 'S': {
            if (wide || conversion == 'S') {
                const WCHAR *w = va_arg(args, const WCHAR *);
                at = w ? mpt_put_wide(out, at, cap, w, (size_t)-1) : mpt_put_wide(out, at, cap, L"(null)", 6);
            } else {
                spec[s++] = 's'; spec[s] = 0;
                const char *text = va_arg(args, const char *);
                snprintf(buffer, sizeof buffer, spec, text ? text : "(null)");
            }
            break;
        }
        case 'Z': {
            if (wide) {
                const UNICODE_STRING *u = va_arg(args, const UNICODE_STRING *);
                if (u && u->Buffer) at = mpt_put_wide(out, at, cap, u->Buffer, u->Length / sizeof(WCHAR));
            } else {
                const ANSI_STRING *a = va_arg(args, const ANSI_STRING *);
                if (a && a->Buffer) snprintf(buffer, sizeof buffer, "%.*s", (int)a->Length, a->Buffer);
            }
            break;
        }
        case '%':
            buffer[0] = '%'; buffer[1] = 0;
            break;
        default:
            /* unknown: copy the directive as written */
            snprintf(buffer, sizeof buffer, "%.*s", (int)(p - start + (*p ? 1 : 0)), start);
            break;
        }
        for (size_t k = 0; buffer[k] && at + 1 < cap; k++) out[at++] = buffer[k];
        if (!*p) break;
    }
    out[at] = 0;
}


static void mpt_debug_print(ULONG level, const char *format, va_list args)
{
    char text[1024];
    mpt_format(text, sizeof text, format, args);
    g_mpt->DebugPrint(level, text);
}

ULONG DbgPrint(PCSTR Format, ...)
{
    va_list args;
    va_start(args, Format);
    mpt_debug_print(DPFLTR_ERROR_LEVEL, Format, args);
    va_end(args);
    return STATUS_SUCCESS;
}

ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...)
{
    (void)ComponentId;
    va_list args;
    va_start(args, Format);
    mpt_debug_print(Level, Format, args);
    va_end(args);
    return STATUS_SUCCESS;
}

VOID StorPortDebugPrint(ULONG DebugPrintLevel, PCCHAR DebugMessage, ...)
{
    va_list args;
    va_start(args, DebugMessage);
    mpt_debug_print(DebugPrintLevel, DebugMessage, args);
    va_end(args);
}
