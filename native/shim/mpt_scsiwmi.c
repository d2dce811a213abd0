/*
 * MiniportTimers: the SCSI WMI library (scsiwmi.lib, which a miniport links on Windows; native/ddi/ddis.json, side
 * "shim"). Not emulated: the host never sends SRB_FUNCTION_WMI, so a driver reaches these only on a path the emulation
 * does not drive, and each raises a bug check naming itself (never a silent success).
 */
#include <scsiwmi.h>
#include "mpt_internal.h"

BOOLEAN ScsiPortWmiDispatchFunction(PSCSI_WMILIB_CONTEXT WmiLibInfo, UCHAR MinorFunction, PVOID DeviceContext,
    PSCSIWMI_REQUEST_CONTEXT RequestContext, PVOID DataPath, ULONG BufferSize, PVOID Buffer)
{
    (void)WmiLibInfo; (void)MinorFunction; (void)DeviceContext; (void)RequestContext; (void)DataPath; (void)BufferSize; (void)Buffer;
    mpt_unsupported("ScsiPortWmiDispatchFunction");
}

VOID ScsiPortWmiPostProcess(PSCSIWMI_REQUEST_CONTEXT RequestContext, UCHAR SrbStatus, ULONG BufferUsed)
{
    (void)RequestContext; (void)SrbStatus; (void)BufferUsed;
    mpt_unsupported("ScsiPortWmiPostProcess");
}

VOID ScsiPortWmiFireLogicalUnitEvent(PVOID HwDeviceExtension, UCHAR PathId, UCHAR TargetId, UCHAR Lun, LPGUID Guid,
    ULONG InstanceIndex, ULONG EventDataSize, PVOID EventData)
{
    (void)HwDeviceExtension; (void)PathId; (void)TargetId; (void)Lun; (void)Guid; (void)InstanceIndex; (void)EventDataSize; (void)EventData;
    mpt_unsupported("ScsiPortWmiFireLogicalUnitEvent");
}
