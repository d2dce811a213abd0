/*
 * MiniportTimers: the bridge between a driver's shim and the .NET host (docs/native.md). The table of DDI entry points
 * the host hands over (MptSetDdiTable) is generated, with its C# mirror, from native/ddi/ddis.json; the shim checks it
 * slot by slot by name. The exports below are the shim's side: the table setter and the trampolines.
 */
#pragma once

#ifndef MPT_SHIM
#define MPT_SHIM 1 /* the shim serves both stacks: it marks neither */
#endif
#include <storport.h>
#include <ndis.h>

/* MPT_DDI_TABLE, MPT_BRIDGE_VERSION and MPT_DDI_SLOT_COUNT: generated from native/ddi/ddis.json. */
#include "mpt_ddi_table.g.h"

/* MptSetDdiTable's answer for a table whose size, version or slot count differ. */
#define MPT_DDI_TABLE_MISMATCH 0xFFFFFFFFu

/* Exported by the shim (default visibility), called by the .NET host. */
#define MPT_EXPORT __attribute__((visibility("default")))
MPT_EXPORT ULONG MptSetDdiTable(const MPT_DDI_TABLE *Table);
MPT_EXPORT const char *MptDdiSlotName(ULONG Index);
MPT_EXPORT ULONG MptDdiBridgeVersion(void);
MPT_EXPORT VOID MptRaiseBugCheck(void);
MPT_EXPORT ULONG MptCallDriverEntry(PVOID Argument1, PVOID Argument2, int *Faulted);
MPT_EXPORT ULONG MptCallFindAdapter(PHW_FIND_ADAPTER Routine, PVOID DeviceExtension, PVOID HwContext, PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo, int *Faulted);
MPT_EXPORT BOOLEAN MptCallBoolean(BOOLEAN (*Routine)(PVOID), PVOID DeviceExtension, int *Faulted);
/* HwMSInterruptRoutine (PHW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE): the extension and the 0-based message. */
MPT_EXPORT BOOLEAN MptCallMessageInterrupt(PHW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE Routine, PVOID DeviceExtension, ULONG MessageId, int *Faulted);
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
MPT_EXPORT VOID MptCallVoid5(VOID (*Routine)(PVOID, PVOID, PVOID, PVOID, PVOID), PVOID A, PVOID B, PVOID C, PVOID D, PVOID E, int *Faulted);
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
