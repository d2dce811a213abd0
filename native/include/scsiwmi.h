/*
 * MiniportTimers: the SCSI WMI library a Storport or SCSI miniport links (scsiwmi.lib; scsiwmi.h reference:
 * SCSIWMI_REQUEST_CONTEXT, SCSIWMIGUIDREGINFO, SCSI_WMILIB_CONTEXT, ScsiPortWmiDispatchFunction). The miniport keeps a
 * SCSI_WMILIB_CONTEXT (its GUIDs and callbacks) and passes each SRB_FUNCTION_WMI request to
 * ScsiPortWmiDispatchFunction, which calls the callback for the request's WMI minor function; the callback finishes
 * with ScsiPortWmiPostProcess, and the miniport completes the SRB with ScsiPortWmiGetReturnStatus/Size.
 *
 * Not emulated: the host never sends SRB_FUNCTION_WMI, and ScsiPortWmiDispatchFunction, ScsiPortWmiPostProcess and
 * ScsiPortWmiFireLogicalUnitEvent raise a bug check naming themselves (native/shim/mpt_scsiwmi.c), never a silent
 * success. The layouts are those of Windows x64 (4-byte packing, as the library is built), checked against
 * mingw-w64's scsiwmi.h by the ABI check.
 */
#pragma once

#include "srb.h"

#include "pshpack4.h"

/* One WMI request as the library and the miniport's callbacks see it. */
typedef struct _SCSIWMI_REQUEST_CONTEXT {
    PVOID UserContext;    /* the miniport's (nvmewin: the SRB) */
    ULONG BufferSize;     /* bytes of Buffer */
    PUCHAR Buffer;
    UCHAR MinorFunction;  /* the WMI minor function (IRP_MN_QUERY_ALL_DATA ...) */
    UCHAR ReturnStatus;   /* SRB_STATUS_*, set by ScsiPortWmiPostProcess */
    ULONG ReturnSize;     /* bytes of the answer, set by ScsiPortWmiPostProcess */
} SCSIWMI_REQUEST_CONTEXT, *PSCSIWMI_REQUEST_CONTEXT;

/* A data block the miniport provides: its GUID, how many instances, WMIREG_FLAG_* flags. */
typedef struct _SCSIWMIGUIDREGINFO {
    LPCGUID Guid;
    ULONG InstanceCount;
    ULONG Flags;
} SCSIWMIGUIDREGINFO, *PSCSIWMIGUIDREGINFO;

/* The miniport's callbacks; each returns the SRB status (or TRUE/FALSE: pending) as its page says. */
typedef UCHAR (*PSCSIWMI_QUERY_REGINFO)(PVOID DeviceContext, PSCSIWMI_REQUEST_CONTEXT RequestContext, PWCHAR *MofResourceName);
typedef BOOLEAN (*PSCSIWMI_QUERY_DATABLOCK)(PVOID Context, PSCSIWMI_REQUEST_CONTEXT DispatchContext, ULONG GuidIndex,
    ULONG InstanceIndex, ULONG InstanceCount, PULONG InstanceLengthArray, ULONG BufferAvail, PUCHAR Buffer);
typedef BOOLEAN (*PSCSIWMI_SET_DATABLOCK)(PVOID DeviceContext, PSCSIWMI_REQUEST_CONTEXT RequestContext, ULONG GuidIndex,
    ULONG InstanceIndex, ULONG BufferSize, PUCHAR Buffer);
typedef BOOLEAN (*PSCSIWMI_SET_DATAITEM)(PVOID DeviceContext, PSCSIWMI_REQUEST_CONTEXT RequestContext, ULONG GuidIndex,
    ULONG InstanceIndex, ULONG DataItemId, ULONG BufferSize, PUCHAR Buffer);
typedef BOOLEAN (*PSCSIWMI_EXECUTE_METHOD)(PVOID DeviceContext, PSCSIWMI_REQUEST_CONTEXT RequestContext, ULONG GuidIndex,
    ULONG InstanceIndex, ULONG MethodId, ULONG InBufferSize, ULONG OutBufferSize, PUCHAR Buffer);
typedef enum _SCSIWMI_ENABLE_DISABLE_CONTROL {
    ScsiWmiEventControl,     /* enable or disable an event */
    ScsiWmiDataBlockControl  /* enable or disable collection of a data block */
} SCSIWMI_ENABLE_DISABLE_CONTROL;
typedef BOOLEAN (*PSCSIWMI_FUNCTION_CONTROL)(PVOID DeviceContext, PSCSIWMI_REQUEST_CONTEXT RequestContext, ULONG GuidIndex,
    SCSIWMI_ENABLE_DISABLE_CONTROL Function, BOOLEAN Enable);

/* What the miniport registers: its GUID list and callbacks (a NULL callback: the request is not supported). */
typedef struct _SCSIWMILIB_CONTEXT {
    ULONG GuidCount;
    PSCSIWMIGUIDREGINFO GuidList;
    PSCSIWMI_QUERY_REGINFO QueryWmiRegInfo;
    PSCSIWMI_QUERY_DATABLOCK QueryWmiDataBlock;
    PSCSIWMI_SET_DATABLOCK SetWmiDataBlock;
    PSCSIWMI_SET_DATAITEM SetWmiDataItem;
    PSCSIWMI_EXECUTE_METHOD ExecuteWmiMethod;
    PSCSIWMI_FUNCTION_CONTROL WmiFunctionControl;
} SCSI_WMILIB_CONTEXT, *PSCSI_WMILIB_CONTEXT;

#include "poppack.h"

C_ASSERT(FIELD_OFFSET(SCSIWMI_REQUEST_CONTEXT, Buffer) == 12 && sizeof(SCSIWMI_REQUEST_CONTEXT) == 28);
C_ASSERT(sizeof(SCSIWMIGUIDREGINFO) == 16 && sizeof(SCSI_WMILIB_CONTEXT) == 60);

/* Dispatches one WMI request (the SRB's WMISubFunction, DataPath, buffer) to the callback for MinorFunction; TRUE
   when the request is pending. Not emulated: a bug check naming it. IRQL: as the miniport's HwStorStartIo. */
BOOLEAN ScsiPortWmiDispatchFunction(PSCSI_WMILIB_CONTEXT WmiLibInfo, UCHAR MinorFunction, PVOID DeviceContext,
    PSCSIWMI_REQUEST_CONTEXT RequestContext, PVOID DataPath, ULONG BufferSize, PVOID Buffer);
/* Ends a callback: the request's status and the bytes used (or needed). Not emulated: a bug check naming it. */
VOID ScsiPortWmiPostProcess(PSCSIWMI_REQUEST_CONTEXT RequestContext, UCHAR SrbStatus, ULONG BufferUsed);
/* Fires a WMI event for a unit (PathId 0xFF: the adapter). Not emulated: a bug check naming it. */
VOID ScsiPortWmiFireLogicalUnitEvent(PVOID HwDeviceExtension, UCHAR PathId, UCHAR TargetId, UCHAR Lun, LPGUID Guid,
    ULONG InstanceIndex, ULONG EventDataSize, PVOID EventData);
#define ScsiPortWmiFireAdapterEvent(HwDeviceExtension, Guid, InstanceIndex, EventDataSize, EventData) \
    ScsiPortWmiFireLogicalUnitEvent((HwDeviceExtension), 0xFF, 0, 0, (Guid), (InstanceIndex), (EventDataSize), (EventData))
/* The answer ScsiPortWmiPostProcess recorded: its size in bytes and its SRB status. */
#define ScsiPortWmiGetReturnSize(RequestContext) ((RequestContext)->ReturnSize)
#define ScsiPortWmiGetReturnStatus(RequestContext) ((RequestContext)->ReturnStatus)
