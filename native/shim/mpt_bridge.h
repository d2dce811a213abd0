/*
 * MiniportTimers: the table of DDI entry points the .NET host hands to a driver's shim (way (b) of docs/native.md:
 * `dotnet test` loads the driver's .so and calls MptSetDdiTable). The .NET side mirrors this struct field for field
 * (src/MiniportTimers.Native/Interop/MptDdiTable.cs); Size and Version guard the match.
 */
#pragma once

#ifndef MPT_SHIM
#define MPT_SHIM 1 /* the shim serves both stacks: it marks neither */
#endif
#include <storport.h>
#include <ndis.h>

#define MPT_BRIDGE_VERSION 6

typedef struct _MPT_DDI_TABLE {
    ULONG Size;
    ULONG Version;
    /* Storport */
    ULONG (*StorPortInitialize)(PVOID Argument1, PVOID Argument2, PHW_INITIALIZATION_DATA Data, PVOID HwContext);
    VOID (*NotifyRequestTimerCall)(PVOID HwDeviceExtension, PHW_TIMER Routine, ULONG Microseconds);
    VOID (*NotifyRequestComplete)(PVOID HwDeviceExtension, PSCSI_REQUEST_BLOCK Srb);
    VOID (*NotifyNextRequest)(PVOID HwDeviceExtension);
    ULONG (*InitializeTimer)(PVOID HwDeviceExtension, PVOID *TimerHandle);
    ULONG (*RequestTimer)(PVOID HwDeviceExtension, PVOID TimerHandle, PHW_TIMER_EX Callback, PVOID Context, ULONGLONG Microseconds, ULONGLONG TolerableDelayMicroseconds);
    ULONG (*FreeTimer)(PVOID HwDeviceExtension, PVOID TimerHandle);
    VOID (*AcquireSpinLock)(PVOID HwDeviceExtension, ULONG SpinLock, PSTOR_LOCK_HANDLE LockHandle);
    VOID (*ReleaseSpinLock)(PVOID HwDeviceExtension, PSTOR_LOCK_HANDLE LockHandle);
    BOOLEAN (*SynchronizeAccess)(PVOID HwDeviceExtension, PSTOR_SYNCHRONIZED_ACCESS Routine, PVOID Context);
    VOID (*InitializeDpc)(PVOID HwDeviceExtension, PSTOR_DPC Dpc, PHW_DPC_ROUTINE Routine);
    BOOLEAN (*IssueDpc)(PVOID HwDeviceExtension, PSTOR_DPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2);
    BOOLEAN (*EnablePassiveInitialization)(PVOID HwDeviceExtension, PHW_PASSIVE_INITIALIZE_ROUTINE Routine);
    BOOLEAN (*Pause)(PVOID HwDeviceExtension, ULONG Seconds);
    BOOLEAN (*Resume)(PVOID HwDeviceExtension);
    VOID (*StallExecution)(ULONG Microseconds);
    ULONG (*QuerySystemTime)(PVOID HwDeviceExtension, PLARGE_INTEGER CurrentTime);
    /* Kernel */
    KIRQL (*GetCurrentIrql)(void);
    VOID (*InitializeSpinLock)(PKSPIN_LOCK SpinLock);
    KIRQL (*AcquireSpinLockRaiseToDpc)(PKSPIN_LOCK SpinLock);
    VOID (*ReleaseSpinLockKe)(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
    VOID (*AcquireSpinLockAtDpcLevel)(PKSPIN_LOCK SpinLock);
    VOID (*ReleaseSpinLockFromDpcLevel)(PKSPIN_LOCK SpinLock);
    ULONGLONG (*QueryInterruptTime)(void);
    VOID (*KeQuerySystemTime)(PLARGE_INTEGER CurrentTime);
    VOID (*StallExecutionProcessor)(ULONG Microseconds);
    VOID (*DebugPrint)(ULONG Level, PCSTR Text);
    VOID (*BugCheck)(ULONG Code, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4, PCSTR Routine);
    /* NDIS */
    NDIS_STATUS (*NdisMRegisterMiniportDriver)(PVOID DriverObject, NDIS_HANDLE MiniportDriverContext, PNDIS_MINIPORT_DRIVER_CHARACTERISTICS Characteristics, PNDIS_HANDLE DriverHandle);
    NDIS_STATUS (*NdisMSetMiniportAttributes)(NDIS_HANDLE AdapterHandle, PNDIS_MINIPORT_ADAPTER_ATTRIBUTES Attributes);
    VOID (*NdisMPauseComplete)(NDIS_HANDLE AdapterHandle);
    VOID (*NdisMResetComplete)(NDIS_HANDLE AdapterHandle, NDIS_STATUS Status, BOOLEAN AddressingReset);
    VOID (*NdisMInitializeTimer)(PNDIS_MINIPORT_TIMER Timer, NDIS_HANDLE AdapterHandle, PNDIS_TIMER_FUNCTION Function, PVOID Context);
    VOID (*NdisMSetTimer)(PNDIS_MINIPORT_TIMER Timer, UINT Milliseconds, BOOLEAN Periodic);
    BOOLEAN (*NdisMCancelTimer)(PNDIS_MINIPORT_TIMER Timer);
    NDIS_STATUS (*NdisAllocateTimerObject)(NDIS_HANDLE NdisHandle, PNDIS_TIMER_CHARACTERISTICS Characteristics, PNDIS_HANDLE TimerObject);
    BOOLEAN (*NdisSetTimerObject)(NDIS_HANDLE TimerObject, LONGLONG DueTime100ns, LONG MillisecondsPeriod, PVOID Context, ULONG ToleranceMilliseconds, BOOLEAN Coalescable);
    BOOLEAN (*NdisCancelTimerObject)(NDIS_HANDLE TimerObject);
    VOID (*NdisFreeTimerObject)(NDIS_HANDLE TimerObject);
    /* Ke/Ex timers and DPCs. Which: 0 KeSetTimer(Ex), 1 KeSetCoalescableTimer (names the DDI in bug checks). */
    VOID (*KeRaiseIrql)(KIRQL NewIrql, PKIRQL OldIrql);
    VOID (*KeLowerIrql)(KIRQL NewIrql);
    VOID (*KeInitializeDpc)(PRKDPC Dpc, PKDEFERRED_ROUTINE Routine, PVOID Context);
    BOOLEAN (*KeInsertQueueDpc)(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2);
    BOOLEAN (*KeRemoveQueueDpc)(PRKDPC Dpc);
    VOID (*KeFlushQueuedDpcs)(void);
    VOID (*KeInitializeTimerEx)(PKTIMER Timer, ULONG Type);
    BOOLEAN (*KeSetTimer)(PKTIMER Timer, LONGLONG DueTime, ULONG PeriodMilliseconds, ULONG TolerableDelayMilliseconds, PKDPC Dpc, ULONG Which);
    BOOLEAN (*KeCancelTimer)(PKTIMER Timer);
    BOOLEAN (*KeReadStateTimer)(PKTIMER Timer);
    PEX_TIMER (*ExAllocateTimer)(PEXT_CALLBACK Callback, PVOID Context, ULONG Attributes);
    BOOLEAN (*ExSetTimer)(PEX_TIMER Timer, LONGLONG DueTime, LONGLONG Period, PEXT_SET_PARAMETERS Parameters);
    BOOLEAN (*ExCancelTimer)(PEX_TIMER Timer);
    BOOLEAN (*ExDeleteTimer)(PEX_TIMER Timer, BOOLEAN Cancel, BOOLEAN Wait, PEXT_DELETE_PARAMETERS Parameters);
    /* More clock reads */
    LONGLONG (*KeQueryPerformanceCounter)(PLONGLONG Frequency);
    ULONG (*KeQueryTimeIncrement)(void);
    LONGLONG (*KeQueryTickCount)(void);
    ULONG (*ExSetTimerResolution)(ULONG DesiredTime, BOOLEAN SetResolution);
    /* NDIS interrupts */
    NDIS_STATUS (*NdisMRegisterInterruptEx)(NDIS_HANDLE AdapterHandle, NDIS_HANDLE Context, PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS Characteristics, PNDIS_HANDLE InterruptHandle);
    VOID (*NdisMDeregisterInterruptEx)(NDIS_HANDLE InterruptHandle);
    BOOLEAN (*NdisMSynchronizeWithInterruptEx)(NDIS_HANDLE InterruptHandle, ULONG MessageId, PVOID Function, PVOID Context);
    /* NDIS 6 requests, sends, receives, work items, sleep (version 6) */
    VOID (*NdisMDeregisterMiniportDriver)(NDIS_HANDLE DriverHandle);
    VOID (*NdisMOidRequestComplete)(NDIS_HANDLE AdapterHandle, PNDIS_OID_REQUEST Request, NDIS_STATUS Status);
    VOID (*NdisMSendNetBufferListsComplete)(NDIS_HANDLE AdapterHandle, PNET_BUFFER_LIST NetBufferLists, ULONG Flags);
    VOID (*NdisMIndicateReceiveNetBufferLists)(NDIS_HANDLE AdapterHandle, PNET_BUFFER_LIST NetBufferLists, ULONG PortNumber, ULONG Count, ULONG Flags);
    VOID (*NdisMIndicateStatusEx)(NDIS_HANDLE AdapterHandle, NDIS_STATUS StatusCode);
    NDIS_HANDLE (*NdisAllocateIoWorkItem)(NDIS_HANDLE NdisObjectHandle);
    VOID (*NdisQueueIoWorkItem)(NDIS_HANDLE WorkItem, NDIS_IO_WORKITEM_ROUTINE Routine, PVOID Context);
    VOID (*NdisFreeIoWorkItem)(NDIS_HANDLE WorkItem);
    VOID (*NdisMSleep)(ULONG Microseconds);
    /* More of the DPC object and spin locks. Which: 0 importance, 1 target processor (returns an NTSTATUS). */
    BOOLEAN (*KeTryToAcquireSpinLockAtDpcLevel)(PKSPIN_LOCK SpinLock);
    NTSTATUS (*KeSetDpcProperty)(PRKDPC Dpc, ULONG Which, ULONG Value);
    VOID (*KeQueryDpcWatchdogInformation)(PKDPC_WATCHDOG_INFORMATION Information);
} MPT_DDI_TABLE;

/* Exported by the shim (default visibility), called by the .NET host. */
#define MPT_EXPORT __attribute__((visibility("default")))
MPT_EXPORT ULONG MptSetDdiTable(const MPT_DDI_TABLE *Table);
MPT_EXPORT VOID MptRaiseBugCheck(void);
MPT_EXPORT ULONG MptCallDriverEntry(PVOID Argument1, PVOID Argument2, int *Faulted);
MPT_EXPORT ULONG MptCallFindAdapter(PHW_FIND_ADAPTER Routine, PVOID DeviceExtension, PVOID HwContext, PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo, int *Faulted);
MPT_EXPORT BOOLEAN MptCallBoolean(BOOLEAN (*Routine)(PVOID), PVOID DeviceExtension, int *Faulted);
MPT_EXPORT BOOLEAN MptCallStartIo(PHW_STARTIO Routine, PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb, int *Faulted);
MPT_EXPORT ULONG MptCallAdapterControl(PHW_ADAPTER_CONTROL Routine, PVOID DeviceExtension, ULONG ControlType, PVOID Parameters, int *Faulted);
MPT_EXPORT VOID MptCallTimer(PHW_TIMER Routine, PVOID DeviceExtension, int *Faulted);
MPT_EXPORT VOID MptCallTimerEx(PHW_TIMER_EX Routine, PVOID DeviceExtension, PVOID Context, int *Faulted);
MPT_EXPORT VOID MptCallDpc(PHW_DPC_ROUTINE Routine, PSTOR_DPC Dpc, PVOID DeviceExtension, PVOID SystemArgument1, PVOID SystemArgument2, int *Faulted);
MPT_EXPORT NDIS_STATUS MptCallStatus2(NDIS_STATUS (*Routine)(PVOID, PVOID), PVOID A, PVOID B, int *Faulted);
MPT_EXPORT NDIS_STATUS MptCallStatus3(NDIS_STATUS (*Routine)(PVOID, PVOID, PVOID), PVOID A, PVOID B, PVOID C, int *Faulted);
MPT_EXPORT VOID MptCallHalt(MINIPORT_HALT_HANDLER Routine, NDIS_HANDLE Context, ULONG HaltAction, int *Faulted);
/* Any routine taking four pointers and returning nothing: NDIS_TIMER_FUNCTION, KDEFERRED_ROUTINE. */
MPT_EXPORT VOID MptCallVoid4(VOID (*Routine)(PVOID, PVOID, PVOID, PVOID), PVOID SystemSpecific1, PVOID Context, PVOID SystemSpecific2, PVOID SystemSpecific3, int *Faulted);
/* MiniportInterrupt: BOOLEAN (context, PBOOLEAN queue DPC, PULONG target processors). */
MPT_EXPORT BOOLEAN MptCallIsr(MINIPORT_ISR_HANDLER Routine, PVOID Context, PBOOLEAN QueueDpc, PULONG TargetProcessors, int *Faulted);
/* MiniportSendNetBufferLists and MiniportReturnNetBufferLists; VOID (PVOID, PVOID) routines (NDIS I/O work items,
   MiniportDriverUnload). */
MPT_EXPORT VOID MptCallSendNetBufferLists(MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER Routine, NDIS_HANDLE Context, PNET_BUFFER_LIST NetBufferLists, ULONG PortNumber, ULONG Flags, int *Faulted);
MPT_EXPORT VOID MptCallReturnNetBufferLists(MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER Routine, NDIS_HANDLE Context, PNET_BUFFER_LIST NetBufferLists, ULONG Flags, int *Faulted);
MPT_EXPORT VOID MptCallVoid2(VOID (*Routine)(PVOID, PVOID), PVOID A, PVOID B, int *Faulted);
/* The NBLs the host sends: one NET_BUFFER over one MDL over a copy of Frame; SourceHandle carries Tag (ndis_nbl.c). */
MPT_EXPORT PNET_BUFFER_LIST MptAllocateSendNetBufferList(const UCHAR *Frame, ULONG Length, PVOID Tag);
MPT_EXPORT VOID MptFreeSendNetBufferList(PNET_BUFFER_LIST NetBufferList);
MPT_EXPORT BOOLEAN MptCallSynchronized(PSTOR_SYNCHRONIZED_ACCESS Routine, PVOID DeviceExtension, PVOID Context, int *Faulted);
