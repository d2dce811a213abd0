/*
 * MiniportTimers: the SRB helper routines (srbhelper.h reference pages): inline accessors that read or write a
 * request through either kind of request block, so a miniport that accepts both (SRB_TYPE_FLAG_SCSI_REQUEST_BLOCK |
 * SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK) has one code path. A block whose Function is SRB_FUNCTION_STORAGE_REQUEST_BLOCK
 * is a STORAGE_REQUEST_BLOCK: its SCSI fields are in the extended-data block of type SrbExDataTypeScsiCdb16, Cdb32 or
 * CdbVar, found through SrbExDataOffset[], and its bus/target/LUN in its STOR_ADDR_BTL8 at AddressOffset. Anything
 * else is a SCSI_REQUEST_BLOCK. Where the extended block has no such field, the getters return 0 or NULL and the
 * setters do nothing. All run at any IRQL and take no lock.
 */
#pragma once

#include "storport.h"
#include "scsi.h"     /* PCDB */

/* ---- the extended block's parts ---- */

/* TRUE when Srb is a STORAGE_REQUEST_BLOCK. */
FORCEINLINE BOOLEAN SrbIsStorageRequestBlock(PVOID Srb)
{
    return ((PSTORAGE_REQUEST_BLOCK_HEADER)Srb)->Function == SRB_FUNCTION_STORAGE_REQUEST_BLOCK;
}

/* The extended-data block at SrbExDataOffset[SrbExDataIndex], or NULL when the index is past NumSrbExData or the
   offset does not lie after the fixed part and inside SrbLength. */
FORCEINLINE PSRBEX_DATA SrbGetSrbExDataByIndex(PSTORAGE_REQUEST_BLOCK Srb, ULONG SrbExDataIndex)
{
    ULONG offset;
    if (Srb == NULL || SrbExDataIndex >= Srb->NumSrbExData) {
        return NULL;
    }
    offset = Srb->SrbExDataOffset[SrbExDataIndex];
    if (offset < sizeof(STORAGE_REQUEST_BLOCK) || offset >= Srb->SrbLength) {
        return NULL;
    }
    return (PSRBEX_DATA)((PUCHAR)Srb + offset);
}

/* The first extended-data block of the given type, or NULL. */
FORCEINLINE PSRBEX_DATA SrbGetSrbExDataByType(PSTORAGE_REQUEST_BLOCK Srb, SRBEXDATATYPE Type)
{
    ULONG i;
    if (Srb == NULL) {
        return NULL;
    }
    for (i = 0; i < Srb->NumSrbExData; i++) {
        PSRBEX_DATA data = SrbGetSrbExDataByIndex(Srb, i);
        if (data != NULL && data->Type == Type) {
            return data;
        }
    }
    return NULL;
}

/* The block that carries the request's own parameters: the CDB block (16, 32 or variable) of an
   SRB_FUNCTION_EXECUTE_SCSI request, the WMI, power or PnP block of those functions; NULL for other functions. */
FORCEINLINE PSRBEX_DATA SrbGetPrimarySrbExData(PSTORAGE_REQUEST_BLOCK Srb)
{
    PSRBEX_DATA data;
    if (Srb == NULL) {
        return NULL;
    }
    switch (Srb->SrbFunction) {
    case SRB_FUNCTION_EXECUTE_SCSI:
        data = SrbGetSrbExDataByType(Srb, SrbExDataTypeScsiCdb16);
        if (data == NULL) {
            data = SrbGetSrbExDataByType(Srb, SrbExDataTypeScsiCdb32);
        }
        if (data == NULL) {
            data = SrbGetSrbExDataByType(Srb, SrbExDataTypeScsiCdbVar);
        }
        return data;
    case SRB_FUNCTION_WMI:
        return SrbGetSrbExDataByType(Srb, SrbExDataTypeWmi);
    case SRB_FUNCTION_POWER:
        return SrbGetSrbExDataByType(Srb, SrbExDataTypePower);
    case SRB_FUNCTION_PNP:
        return SrbGetSrbExDataByType(Srb, SrbExDataTypePnP);
    default:
        return NULL;
    }
}

/* The address at AddressOffset, or NULL when there is none inside SrbLength. */
FORCEINLINE PSTOR_ADDRESS SrbGetAddress(PSTORAGE_REQUEST_BLOCK Srb)
{
    if (Srb == NULL || Srb->AddressOffset == 0 || Srb->AddressOffset >= Srb->SrbLength) {
        return NULL;
    }
    return (PSTOR_ADDRESS)((PUCHAR)Srb + Srb->AddressOffset);
}

/* The SCSI fields of an extended SRB_FUNCTION_EXECUTE_SCSI block, from its CDB block: returns the CDB (NULL when the
   block has no CDB block) and stores, through each pointer that is not NULL, the CDB length (as a UCHAR and as a
   ULONG), the SCSI status, the sense buffer and its length. */
FORCEINLINE PCDB SrbGetScsiData(PSTORAGE_REQUEST_BLOCK SrbEx, PUCHAR CdbLength8, PULONG CdbLength32, PUCHAR ScsiStatus,
                                PVOID *SenseInfoBuffer, PUCHAR SenseInfoBufferLength)
{
    PSRBEX_DATA data = SrbGetPrimarySrbExData(SrbEx);
    PCDB cdb = NULL;
    ULONG length = 0;
    UCHAR status = 0, senseLength = 0;
    PVOID sense = NULL;
    if (data != NULL && SrbEx->SrbFunction == SRB_FUNCTION_EXECUTE_SCSI) {
        switch (data->Type) {
        case SrbExDataTypeScsiCdb16: {
            PSRBEX_DATA_SCSI_CDB16 c = (PSRBEX_DATA_SCSI_CDB16)data;
            cdb = (PCDB)c->Cdb; length = c->CdbLength; status = c->ScsiStatus;
            sense = c->SenseInfoBuffer; senseLength = c->SenseInfoBufferLength;
            break;
        }
        case SrbExDataTypeScsiCdb32: {
            PSRBEX_DATA_SCSI_CDB32 c = (PSRBEX_DATA_SCSI_CDB32)data;
            cdb = (PCDB)c->Cdb; length = c->CdbLength; status = c->ScsiStatus;
            sense = c->SenseInfoBuffer; senseLength = c->SenseInfoBufferLength;
            break;
        }
        case SrbExDataTypeScsiCdbVar: {
            PSRBEX_DATA_SCSI_CDB_VAR c = (PSRBEX_DATA_SCSI_CDB_VAR)data;
            cdb = (PCDB)c->Cdb; length = c->CdbLength; status = c->ScsiStatus;
            sense = c->SenseInfoBuffer; senseLength = c->SenseInfoBufferLength;
            break;
        }
        default:
            break;
        }
    }
    /* Written 32-bit first: a caller may pass the same storage for both lengths, and the UCHAR then wins, as the
       only part a UCHAR caller reads. */
    if (CdbLength32 != NULL) *CdbLength32 = length;
    if (CdbLength8 != NULL) *CdbLength8 = (UCHAR)length;
    if (ScsiStatus != NULL) *ScsiStatus = status;
    if (SenseInfoBuffer != NULL) *SenseInfoBuffer = sense;
    if (SenseInfoBufferLength != NULL) *SenseInfoBufferLength = senseLength;
    return cdb;
}

/* Writes the SCSI fields of an extended SRB_FUNCTION_EXECUTE_SCSI block into its CDB block; each pointer that is NULL
   leaves its field as it is. The CDB length is taken from CdbLength8 for 16- and 32-byte blocks and from CdbLength32
   for a variable one. */
FORCEINLINE VOID SrbSetScsiData(PSTORAGE_REQUEST_BLOCK SrbEx, PUCHAR CdbLength8, PULONG CdbLength32, PUCHAR ScsiStatus,
                                PVOID *SenseInfoBuffer, PUCHAR SenseInfoBufferLength)
{
    PSRBEX_DATA data = SrbGetPrimarySrbExData(SrbEx);
    if (data == NULL || SrbEx->SrbFunction != SRB_FUNCTION_EXECUTE_SCSI) {
        return;
    }
    switch (data->Type) {
    case SrbExDataTypeScsiCdb16: {
        PSRBEX_DATA_SCSI_CDB16 c = (PSRBEX_DATA_SCSI_CDB16)data;
        if (CdbLength8 != NULL) c->CdbLength = *CdbLength8;
        if (ScsiStatus != NULL) c->ScsiStatus = *ScsiStatus;
        if (SenseInfoBuffer != NULL) c->SenseInfoBuffer = *SenseInfoBuffer;
        if (SenseInfoBufferLength != NULL) c->SenseInfoBufferLength = *SenseInfoBufferLength;
        break;
    }
    case SrbExDataTypeScsiCdb32: {
        PSRBEX_DATA_SCSI_CDB32 c = (PSRBEX_DATA_SCSI_CDB32)data;
        if (CdbLength8 != NULL) c->CdbLength = *CdbLength8;
        if (ScsiStatus != NULL) c->ScsiStatus = *ScsiStatus;
        if (SenseInfoBuffer != NULL) c->SenseInfoBuffer = *SenseInfoBuffer;
        if (SenseInfoBufferLength != NULL) c->SenseInfoBufferLength = *SenseInfoBufferLength;
        break;
    }
    case SrbExDataTypeScsiCdbVar: {
        PSRBEX_DATA_SCSI_CDB_VAR c = (PSRBEX_DATA_SCSI_CDB_VAR)data;
        if (CdbLength32 != NULL) c->CdbLength = *CdbLength32;
        if (ScsiStatus != NULL) c->ScsiStatus = *ScsiStatus;
        if (SenseInfoBuffer != NULL) c->SenseInfoBuffer = *SenseInfoBuffer;
        if (SenseInfoBufferLength != NULL) c->SenseInfoBufferLength = *SenseInfoBufferLength;
        break;
    }
    default:
        break;
    }
}

/* ---- the SCSI fields ---- */

/* The CDB: the SRB's Cdb, or the extended block's CDB block's (NULL when it has none). */
FORCEINLINE PCDB SrbGetCdb(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return SrbGetScsiData((PSTORAGE_REQUEST_BLOCK)Srb, NULL, NULL, NULL, NULL, NULL);
    }
    return (PCDB)((PSCSI_REQUEST_BLOCK)Srb)->Cdb;
}

/* The CDB's length in bytes (a variable CDB's truncated to a UCHAR). */
FORCEINLINE UCHAR SrbGetCdbLength(PVOID Srb)
{
    UCHAR length = 0;
    if (SrbIsStorageRequestBlock(Srb)) {
        SrbGetScsiData((PSTORAGE_REQUEST_BLOCK)Srb, &length, NULL, NULL, NULL, NULL);
        return length;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->CdbLength;
}

FORCEINLINE VOID SrbSetCdbLength(PVOID Srb, UCHAR CdbLength)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        ULONG length32 = CdbLength;
        SrbSetScsiData((PSTORAGE_REQUEST_BLOCK)Srb, &CdbLength, &length32, NULL, NULL, NULL);
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->CdbLength = CdbLength;
    }
}

/* The SCSI status byte the target returned (SCSISTAT_*). */
FORCEINLINE UCHAR SrbGetScsiStatus(PVOID Srb)
{
    UCHAR status = 0;
    if (SrbIsStorageRequestBlock(Srb)) {
        SrbGetScsiData((PSTORAGE_REQUEST_BLOCK)Srb, NULL, NULL, &status, NULL, NULL);
        return status;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->ScsiStatus;
}

FORCEINLINE VOID SrbSetScsiStatus(PVOID Srb, UCHAR ScsiStatus)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        SrbSetScsiData((PSTORAGE_REQUEST_BLOCK)Srb, NULL, NULL, &ScsiStatus, NULL, NULL);
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->ScsiStatus = ScsiStatus;
    }
}

/* The request-sense buffer and its length in bytes. */
FORCEINLINE PVOID SrbGetSenseInfoBuffer(PVOID Srb)
{
    PVOID sense = NULL;
    if (SrbIsStorageRequestBlock(Srb)) {
        SrbGetScsiData((PSTORAGE_REQUEST_BLOCK)Srb, NULL, NULL, NULL, &sense, NULL);
        return sense;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->SenseInfoBuffer;
}

FORCEINLINE VOID SrbSetSenseInfoBuffer(PVOID Srb, PVOID SenseInfoBuffer)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        SrbSetScsiData((PSTORAGE_REQUEST_BLOCK)Srb, NULL, NULL, NULL, &SenseInfoBuffer, NULL);
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->SenseInfoBuffer = SenseInfoBuffer;
    }
}

FORCEINLINE UCHAR SrbGetSenseInfoBufferLength(PVOID Srb)
{
    UCHAR length = 0;
    if (SrbIsStorageRequestBlock(Srb)) {
        SrbGetScsiData((PSTORAGE_REQUEST_BLOCK)Srb, NULL, NULL, NULL, NULL, &length);
        return length;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->SenseInfoBufferLength;
}

FORCEINLINE VOID SrbSetSenseInfoBufferLength(PVOID Srb, UCHAR SenseInfoBufferLength)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        SrbSetScsiData((PSTORAGE_REQUEST_BLOCK)Srb, NULL, NULL, NULL, NULL, &SenseInfoBufferLength);
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->SenseInfoBufferLength = SenseInfoBufferLength;
    }
}

/* ---- the fields both blocks have, at their own offsets ---- */

/* The SRB_FUNCTION_* of the request: an extended block's SrbFunction, an SRB's Function. */
FORCEINLINE ULONG SrbGetSrbFunction(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return ((PSTORAGE_REQUEST_BLOCK)Srb)->SrbFunction;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->Function;
}

/* The SRB_STATUS_* byte: at the same offset in both blocks. */
FORCEINLINE UCHAR SrbGetSrbStatus(PVOID Srb)
{
    return ((PSTORAGE_REQUEST_BLOCK_HEADER)Srb)->SrbStatus;
}

/* Sets the status, keeping SRB_STATUS_AUTOSENSE_VALID when it is already set. */
FORCEINLINE VOID SrbSetSrbStatus(PVOID Srb, UCHAR status)
{
    PSTORAGE_REQUEST_BLOCK_HEADER header = (PSTORAGE_REQUEST_BLOCK_HEADER)Srb;
    if (header->SrbStatus & SRB_STATUS_AUTOSENSE_VALID) {
        header->SrbStatus = (UCHAR)(status | SRB_STATUS_AUTOSENSE_VALID);
    } else {
        header->SrbStatus = status;
    }
}

/* The total size of the block in bytes: an extended block's SrbLength, an SRB's Length. */
FORCEINLINE ULONG SrbGetSrbLength(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return ((PSTORAGE_REQUEST_BLOCK)Srb)->SrbLength;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->Length;
}

/* SrbFlags (SRB_FLAGS_*): get, replace, set bits, clear bits. */
FORCEINLINE ULONG SrbGetSrbFlags(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return ((PSTORAGE_REQUEST_BLOCK)Srb)->SrbFlags;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->SrbFlags;
}

FORCEINLINE VOID SrbAssignSrbFlags(PVOID Srb, ULONG Flags)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        ((PSTORAGE_REQUEST_BLOCK)Srb)->SrbFlags = Flags;
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->SrbFlags = Flags;
    }
}

FORCEINLINE VOID SrbSetSrbFlags(PVOID Srb, ULONG Flags)
{
    SrbAssignSrbFlags(Srb, SrbGetSrbFlags(Srb) | Flags);
}

FORCEINLINE VOID SrbClearSrbFlags(PVOID Srb, ULONG Flags)
{
    SrbAssignSrbFlags(Srb, SrbGetSrbFlags(Srb) & ~Flags);
}

/* The data buffer (virtual address) and its length in bytes. */
FORCEINLINE PVOID SrbGetDataBuffer(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return ((PSTORAGE_REQUEST_BLOCK)Srb)->DataBuffer;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->DataBuffer;
}

FORCEINLINE VOID SrbSetDataBuffer(PVOID Srb, PVOID DataBuffer)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        ((PSTORAGE_REQUEST_BLOCK)Srb)->DataBuffer = DataBuffer;
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->DataBuffer = DataBuffer;
    }
}

FORCEINLINE ULONG SrbGetDataTransferLength(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return ((PSTORAGE_REQUEST_BLOCK)Srb)->DataTransferLength;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->DataTransferLength;
}

FORCEINLINE VOID SrbSetDataTransferLength(PVOID Srb, ULONG DataTransferLength)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        ((PSTORAGE_REQUEST_BLOCK)Srb)->DataTransferLength = DataTransferLength;
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->DataTransferLength = DataTransferLength;
    }
}

/* The request's time-out, in seconds. */
FORCEINLINE ULONG SrbGetTimeOutValue(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return ((PSTORAGE_REQUEST_BLOCK)Srb)->TimeOutValue;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->TimeOutValue;
}

FORCEINLINE VOID SrbSetTimeOutValue(PVOID Srb, ULONG TimeOutValue)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        ((PSTORAGE_REQUEST_BLOCK)Srb)->TimeOutValue = TimeOutValue;
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->TimeOutValue = TimeOutValue;
    }
}

/* The queue tag: an extended block's RequestTag, an SRB's QueueTag. */
FORCEINLINE ULONG SrbGetQueueTag(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return ((PSTORAGE_REQUEST_BLOCK)Srb)->RequestTag;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->QueueTag;
}

FORCEINLINE VOID SrbSetQueueTag(PVOID Srb, ULONG QueueTag)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        ((PSTORAGE_REQUEST_BLOCK)Srb)->RequestTag = QueueTag;
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->QueueTag = (UCHAR)QueueTag;
    }
}
FORCEINLINE ULONG SrbGetRequestTag(PVOID Srb) { return SrbGetQueueTag(Srb); }
FORCEINLINE VOID SrbSetRequestTag(PVOID Srb, ULONG RequestTag) { SrbSetQueueTag(Srb, RequestTag); }

/* The queue action (SRB_SIMPLE_TAG_REQUEST, ...): an extended block's RequestAttribute, an SRB's QueueAction. */
FORCEINLINE UCHAR SrbGetRequestAttribute(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return (UCHAR)((PSTORAGE_REQUEST_BLOCK)Srb)->RequestAttribute;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->QueueAction;
}
FORCEINLINE UCHAR SrbGetQueueAction(PVOID Srb) { return SrbGetRequestAttribute(Srb); }

FORCEINLINE VOID SrbSetRequestAttribute(PVOID Srb, UCHAR RequestAttribute)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        ((PSTORAGE_REQUEST_BLOCK)Srb)->RequestAttribute = RequestAttribute;
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->QueueAction = RequestAttribute;
    }
}
FORCEINLINE VOID SrbSetQueueAction(PVOID Srb, UCHAR QueueAction) { SrbSetRequestAttribute(Srb, QueueAction); }

/* The IRP (or the original SRB of a request the port built) behind the request. */
FORCEINLINE PVOID SrbGetOriginalRequest(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return ((PSTORAGE_REQUEST_BLOCK)Srb)->OriginalRequest;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->OriginalRequest;
}

FORCEINLINE VOID SrbSetOriginalRequest(PVOID Srb, PVOID OriginalRequest)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        ((PSTORAGE_REQUEST_BLOCK)Srb)->OriginalRequest = OriginalRequest;
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->OriginalRequest = OriginalRequest;
    }
}

/* The next request in a chain the miniport keeps (NextSrb). */
FORCEINLINE PVOID SrbGetNextSrb(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return (PVOID)((PSTORAGE_REQUEST_BLOCK)Srb)->NextSrb;
    }
    return (PVOID)((PSCSI_REQUEST_BLOCK)Srb)->NextSrb;
}

FORCEINLINE VOID SrbSetNextSrb(PVOID Srb, PVOID NextSrb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        ((PSTORAGE_REQUEST_BLOCK)Srb)->NextSrb = (PSTORAGE_REQUEST_BLOCK)NextSrb;
    } else {
        ((PSCSI_REQUEST_BLOCK)Srb)->NextSrb = (PSCSI_REQUEST_BLOCK)NextSrb;
    }
}

/* The SRB's extension (SrbExtension) has no place in an extended block: the port gives it through
   MiniportContext there. */
FORCEINLINE PVOID SrbGetMiniportContext(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return ((PSTORAGE_REQUEST_BLOCK)Srb)->MiniportContext;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->SrbExtension;
}

/* The SRB's QueueSortKey; an extended block has none (0). */
FORCEINLINE ULONG SrbGetQueueSortKey(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        return 0;
    }
    return ((PSCSI_REQUEST_BLOCK)Srb)->QueueSortKey;
}

/* ---- the address: bus (path), target and LUN ---- */

/* The extended block's address when it is a bus/target/LUN one, else NULL. */
FORCEINLINE PSTOR_ADDR_BTL8 SrbGetAddressBtl8(PVOID Srb)
{
    PSTOR_ADDRESS address;
    if (!SrbIsStorageRequestBlock(Srb)) {
        return NULL;
    }
    address = SrbGetAddress((PSTORAGE_REQUEST_BLOCK)Srb);
    if (address == NULL || address->Type != STOR_ADDRESS_TYPE_BTL8) {
        return NULL;
    }
    return (PSTOR_ADDR_BTL8)address;
}

/* Each of path, target and LUN, through each pointer that is not NULL: an SRB's, or the extended block's BTL8
   address's (0 when it has none). */
FORCEINLINE VOID SrbGetPathTargetLun(PVOID Srb, PUCHAR PathId, PUCHAR TargetId, PUCHAR Lun)
{
    UCHAR path = 0, target = 0, lun = 0;
    if (SrbIsStorageRequestBlock(Srb)) {
        PSTOR_ADDR_BTL8 btl = SrbGetAddressBtl8(Srb);
        if (btl != NULL) {
            path = btl->Path; target = btl->Target; lun = btl->Lun;
        }
    } else {
        PSCSI_REQUEST_BLOCK srb = (PSCSI_REQUEST_BLOCK)Srb;
        path = srb->PathId; target = srb->TargetId; lun = srb->Lun;
    }
    if (PathId != NULL) *PathId = path;
    if (TargetId != NULL) *TargetId = target;
    if (Lun != NULL) *Lun = lun;
}

FORCEINLINE UCHAR SrbGetPathId(PVOID Srb)
{
    UCHAR path;
    SrbGetPathTargetLun(Srb, &path, NULL, NULL);
    return path;
}

FORCEINLINE UCHAR SrbGetTargetId(PVOID Srb)
{
    UCHAR target;
    SrbGetPathTargetLun(Srb, NULL, &target, NULL);
    return target;
}

FORCEINLINE UCHAR SrbGetLun(PVOID Srb)
{
    UCHAR lun;
    SrbGetPathTargetLun(Srb, NULL, NULL, &lun);
    return lun;
}

/* ---- the PnP and power parameters ---- */

/* The PnP request's flags (SRB_PNP_FLAGS_ADAPTER_REQUEST) and action, from the SRB or the SrbExDataTypePnP block
   (0 when it has none). */
FORCEINLINE ULONG SrbGetPnpFlags(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        PSRBEX_DATA_PNP pnp = (PSRBEX_DATA_PNP)SrbGetSrbExDataByType((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypePnP);
        return pnp != NULL ? pnp->SrbPnPFlags : 0;
    }
    return ((PSCSI_PNP_REQUEST_BLOCK)Srb)->SrbPnPFlags;
}

FORCEINLINE STOR_PNP_ACTION SrbGetPnpAction(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        PSRBEX_DATA_PNP pnp = (PSRBEX_DATA_PNP)SrbGetSrbExDataByType((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypePnP);
        return pnp != NULL ? pnp->PnPAction : StorStartDevice;
    }
    return (STOR_PNP_ACTION)((PSCSI_PNP_REQUEST_BLOCK)Srb)->PnPAction;
}

/* The power request's device power state and action, from the SrbExDataTypePower block (unspecified and none when
   there is none; an SRB_FUNCTION_POWER request in SRB form is not modelled here). */
FORCEINLINE STOR_DEVICE_POWER_STATE SrbGetPowerState(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        PSRBEX_DATA_POWER power = (PSRBEX_DATA_POWER)SrbGetSrbExDataByType((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypePower);
        if (power != NULL) return power->DevicePowerState;
    }
    return StorPowerDeviceUnspecified;
}

FORCEINLINE STOR_POWER_ACTION SrbGetPowerAction(PVOID Srb)
{
    if (SrbIsStorageRequestBlock(Srb)) {
        PSRBEX_DATA_POWER power = (PSRBEX_DATA_POWER)SrbGetSrbExDataByType((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypePower);
        if (power != NULL) return power->PowerAction;
    }
    return StorPowerActionNone;
}
