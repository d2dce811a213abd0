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
 * Shim state across an unwind: what the unwound C frames held through the shim (read-write lock holds, logged per
 * thread as mpt_hold entries, mpt_internal.h) is given back by the trampoline before it returns, newest first, with the IRQL
 * the shim raised for it; what outer frames hold stays held. The faulted adapter's state is gone, everyone else's is
 * exact: Windows would stop the machine here, this process lives on.
 *
 *   host -> MptCall* (frame F, mark = holds logged so far)
 *     driver: NdisAcquireReadWriteLock   log: [... | read L, raised from PASSIVE_LEVEL]
 *     driver: KeBugCheckEx -> mpt_unwind -> longjmp(F)
 *   F's unwind branch: L's readers - 1, log cut back to the mark, KeLowerIrql(PASSIVE_LEVEL); *Faulted = 1
 *   host: raises the recorded bug check, sets the routine's entry IRQL again (a plain set: nothing lowers twice)
 *
 * Synchronization: the frame stack, the hold log and the fault flag are thread-local; the table is written once before
 * DriverEntry. Giving a lock back races the other threads that wait for it: ndis_rwlock.c draws that interleaving.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "mpt_internal.h"

const MPT_DDI_TABLE *g_mpt;

typedef struct mpt_frame {
    jmp_buf buf;
    struct mpt_frame *outer;
    int holds; /* t_held when the host called in: an unwind gives back the holds logged above it */
} mpt_frame;

static __thread mpt_frame *t_frame;
__thread int mpt_t_fault;

/* The thread's holds, oldest first: t_holds[0, t_held). A released hold below the innermost frame's mark is left as
   a free slot (Undo NULL) until that frame compacts its part of the log or unwinds. */
static __thread mpt_hold t_holds[MPT_MAX_HOLDS];
static __thread int t_held;

/* Where the innermost frame's part of the log begins. */
static int mpt_mark(void) { return t_frame != NULL ? t_frame->holds : 0; }

/*
 * Accepts the host's table only if it is the table this shim was built for: the same size, version (a hash of every
 * slot's prototype) and slot count, and every slot named as this shim names it, so a host whose mirror has two slots
 * swapped or one missing is refused before DriverEntry runs. Returns 0, MPT_DDI_TABLE_MISMATCH for a size, version or
 * count that differ, or the 1-based index of the first slot whose name differs (MptDdiSlotName tells the host what
 * this shim expected there).
 */
MPT_EXPORT ULONG MptSetDdiTable(const MPT_DDI_TABLE *Table)
{
    if (Table == NULL || Table->Size != sizeof(MPT_DDI_TABLE) || Table->Version != MPT_BRIDGE_VERSION || Table->SlotCount != MPT_DDI_SLOT_COUNT || Table->SlotNames == NULL) {
        return MPT_DDI_TABLE_MISMATCH;
    }
    for (ULONG i = 0; i < MPT_DDI_SLOT_COUNT; i++) {
        if (Table->SlotNames[i] == NULL || strcmp(Table->SlotNames[i], mpt_ddi_slot_names[i]) != 0) {
            return i + 1;
        }
    }
    g_mpt = Table;
    return 0;
}

MPT_EXPORT const char *MptDdiSlotName(ULONG Index) { return Index < MPT_DDI_SLOT_COUNT ? mpt_ddi_slot_names[Index] : NULL; }

MPT_EXPORT ULONG MptDdiBridgeVersion(void) { return MPT_BRIDGE_VERSION; }

MPT_EXPORT VOID MptRaiseBugCheck(void)
{
    mpt_t_fault = 1;
}

__attribute__((noreturn)) void mpt_unwind(void)
{
    mpt_t_fault = 0;
    if (t_frame == NULL) {
        fputs("MiniportTimers: a bug check was raised outside any driver routine the host called\n", stderr);
        abort();
    }
    longjmp(t_frame->buf, 1);
}

mpt_hold *mpt_hold_push(void *object, void (*undo)(mpt_hold *hold))
{
    if (t_held == MPT_MAX_HOLDS) {
        KeBugCheckEx(0x0F /* SPIN_LOCK_ALREADY_OWNED */, (ULONG_PTR)object, MPT_MAX_HOLDS, 0, 0); /* more holds than the shim tracks */
    }
    mpt_hold *hold = &t_holds[t_held++];
    *hold = (mpt_hold){ .Undo = undo, .Object = object };
    return hold;
}

mpt_hold *mpt_hold_find(const void *object, UCHAR kind)
{
    for (int i = t_held - 1; i >= 0; i--) {
        if (t_holds[i].Undo != NULL && t_holds[i].Object == object && t_holds[i].Kind == kind) {
            return &t_holds[i];
        }
    }
    return NULL;
}

void mpt_hold_remove(mpt_hold *hold)
{
    hold->Undo = NULL;
    int mark = mpt_mark();
    if (hold - t_holds < mark) {
        return; /* an outer routine's hold, released from a routine it called: a free slot until the outer compacts */
    }
    int to = mark;
    for (int from = mark; from < t_held; from++) {
        if (t_holds[from].Undo != NULL) {
            t_holds[to++] = t_holds[from];
        }
    }
    t_held = to;
}

/*
 * The trampoline's unwind branch: gives back, newest first, what the unwound C frames held, then lowers the IRQL to
 * where the shim's first raise among them started. The host sets the routine's entry IRQL only after the trampoline
 * returns (KernelContext: a plain set, no check), and not at all for DriverEntry and MiniportDriverUnload, which run
 * outside an adapter routine; lowering here only from above that level, and through the table without MPT_CHECK (a
 * KeLowerIrql downward cannot fail), never lowers twice and never unwinds again.
 */
static void mpt_unwound(const mpt_frame *frame)
{
    BOOLEAN raised = FALSE;
    KIRQL lowest = HIGH_LEVEL;
    for (int i = t_held - 1; i >= frame->holds; i--) {
        mpt_hold *hold = &t_holds[i];
        if (hold->Undo == NULL) {
            continue;
        }
        hold->Undo(hold);
        if (hold->Raised && (!raised || hold->OldIrql < lowest)) {
            lowest = hold->OldIrql;
            raised = TRUE;
        }
        hold->Undo = NULL;
    }
    if (t_held > frame->holds) {
        t_held = frame->holds;
    }
    if (raised && g_mpt->KeGetCurrentIrql() > lowest) {
        g_mpt->KeLowerIrql(lowest);
        mpt_t_fault = 0; /* the unwind is under way: nothing left to unwind to */
    }
}

/* Runs one call into driver code under a jump point; *Faulted is 1 if a bug check unwound it (what the unwound frames
   held through the shim is given back first: mpt_unwound). */
#define MPT_TRAMPOLINE(result_type, zero, call)                                                            \
    mpt_frame frame;                                                                                        \
    volatile result_type result = zero;                                                                     \
    frame.outer = t_frame;                                                                                  \
    frame.holds = t_held;                                                                                   \
    *Faulted = 0;                                                                                           \
    mpt_t_fault = 0;                                                                                        \
    if (setjmp(frame.buf) == 0) {                                                                           \
        t_frame = &frame;                                                                                   \
        result = call;                                                                                      \
    } else {                                                                                                \
        mpt_unwound(&frame);                                                                                \
        *Faulted = 1;                                                                                       \
    }                                                                                                       \
    t_frame = frame.outer;                                                                                  \
    return result;

#define MPT_TRAMPOLINE_VOID(call)                                                                           \
    mpt_frame frame;                                                                                        \
    frame.outer = t_frame;                                                                                  \
    frame.holds = t_held;                                                                                   \
    *Faulted = 0;                                                                                           \
    mpt_t_fault = 0;                                                                                        \
    if (setjmp(frame.buf) == 0) {                                                                           \
        t_frame = &frame;                                                                                   \
        call;                                                                                               \
    } else {                                                                                                \
        mpt_unwound(&frame);                                                                                \
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
MPT_EXPORT BOOLEAN MptCallMessageInterrupt(PHW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE Routine, PVOID DeviceExtension, ULONG MessageId, int *Faulted) { MPT_TRAMPOLINE(BOOLEAN, FALSE, Routine(DeviceExtension, MessageId)) }
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
/* Five pointer-sized arguments: HW_STATE_CHANGE (HwDeviceExtension, Context, AddressType, Address, Status), HW_WORKITEM. */
MPT_EXPORT VOID MptCallVoid5(VOID (*Routine)(PVOID, PVOID, PVOID, PVOID, PVOID), PVOID A, PVOID B, PVOID C, PVOID D, PVOID E, int *Faulted)
{
    MPT_TRAMPOLINE_VOID(Routine(A, B, C, D, E))
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
__attribute__((noreturn)) void mpt_unsupported(const char *routine)
{
    g_mpt->MptBugCheck(0x1E /* KMODE_EXCEPTION_NOT_HANDLED */, (ULONG_PTR)STATUS_NOT_IMPLEMENTED, 0, 0, 0, routine);
    MPT_CHECK();
    abort();
}

