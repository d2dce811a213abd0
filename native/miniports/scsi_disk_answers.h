/*
 * scsi_disk_answers.h: what our disk miniports (storport_ahci.c, storport_nvme.c) answer themselves when Storport
 * sends a SCSI command that does not reach the device: TEST UNIT READY, INQUIRY (standard data, SPC), READ CAPACITY
 * (10) and (16) (SBC), REPORT LUNS (one LUN, LUN 0), and the SRB functions other than EXECUTE_SCSI. Also the CDB's
 * big-endian fields. One place for both miniports; static functions, included by each .c file.
 */
#ifndef MPT_SCSI_DISK_ANSWERS_H
#define MPT_SCSI_DISK_ANSWERS_H

#include <storport.h>
#include <srbhelper.h>
#include <scsi.h>

static inline ULONG Be32(const UCHAR *p) { return ((ULONG)p[0] << 24) | ((ULONG)p[1] << 16) | ((ULONG)p[2] << 8) | p[3]; }
static inline ULONGLONG Be64(const UCHAR *p) { return ((ULONGLONG)Be32(p) << 32) | Be32(p + 4); }
static inline VOID PutBe32(PUCHAR p, ULONG v) { p[0] = (UCHAR)(v >> 24); p[1] = (UCHAR)(v >> 16); p[2] = (UCHAR)(v >> 8); p[3] = (UCHAR)v; }
static inline VOID PutBe64(PUCHAR p, ULONGLONG v) { PutBe32(p, (ULONG)(v >> 32)); PutBe32(p + 4, (ULONG)v); }

/* The unit as INQUIRY and READ CAPACITY describe it. Strings are NUL-terminated; longer ones are cut to the field. */
typedef struct _SCSI_DISK_IDENTITY {
    const char *Vendor;                  /* INQUIRY T10 vendor identification, 8 characters at most ("ATA", "NVMe") */
    const char *Product;                 /* product identification, 16 characters at most (the model) */
    const char *Revision;                /* product revision level, 4 characters at most (the firmware) */
    UCHAR Versions;                      /* INQUIRY VERSION: 5 = SPC-3, 6 = SPC-4 */
    ULONGLONG Blocks;                    /* the capacity in logical blocks, 1 or more */
    ULONG BlockBytes;                    /* the logical block length in bytes */
} SCSI_DISK_IDENTITY, *PSCSI_DISK_IDENTITY;

/* Copies a reply into the request's buffer: as much as both allow; the transfer length says how much. */
static inline UCHAR ScsiDiskReply(PVOID Srb, const VOID *Data, ULONG Length)
{
    PVOID buffer = SrbGetDataBuffer(Srb);
    ULONG bytes = min(SrbGetDataTransferLength(Srb), Length);
    if (buffer == NULL && bytes != 0) {
        return SRB_STATUS_INVALID_REQUEST;
    }
    if (bytes != 0) {
        StorPortCopyMemory(buffer, (PVOID)Data, bytes);
    }
    SrbSetDataTransferLength(Srb, bytes);
    return SRB_STATUS_SUCCESS;
}

static inline VOID ScsiDiskCopyField(PUCHAR Field, ULONG Size, const char *Text)
{
    RtlFillMemory(Field, Size, ' ');
    for (ULONG i = 0; i < Size && Text != NULL && Text[i] != '\0'; i++) {
        Field[i] = (UCHAR)Text[i];
    }
}

static inline UCHAR ScsiDiskInquiry(const SCSI_DISK_IDENTITY *Unit, PVOID Srb, const UCHAR *Cdb)
{
    INQUIRYDATA inquiry;
    if (Cdb[1] & 0x01) {
        return SRB_STATUS_INVALID_REQUEST; /* no vital product data pages */
    }
    RtlZeroMemory(&inquiry, sizeof inquiry);
    inquiry.DeviceType = DIRECT_ACCESS_DEVICE;
    inquiry.Versions = Unit->Versions;
    inquiry.ResponseDataFormat = 2;
    inquiry.AdditionalLength = (UCHAR)(sizeof inquiry - 5);
    ScsiDiskCopyField(inquiry.VendorId, sizeof inquiry.VendorId, Unit->Vendor);
    ScsiDiskCopyField(inquiry.ProductId, sizeof inquiry.ProductId, Unit->Product);
    ScsiDiskCopyField(inquiry.ProductRevisionLevel, sizeof inquiry.ProductRevisionLevel, Unit->Revision);
    return ScsiDiskReply(Srb, &inquiry, min((ULONG)sizeof inquiry, (ULONG)((Cdb[3] << 8) | Cdb[4])));
}

/* READ CAPACITY (10) (a last LBA past 32 bits reads FFFFFFFFh: use (16)) and READ CAPACITY (16). */
static inline UCHAR ScsiDiskReadCapacity(const SCSI_DISK_IDENTITY *Unit, PVOID Srb, BOOLEAN Sixteen)
{
    UCHAR data[32];
    RtlZeroMemory(data, sizeof data);
    ULONGLONG last = Unit->Blocks - 1;
    if (Sixteen) {
        PutBe64(data, last);
        PutBe32(data + 8, Unit->BlockBytes);
        return ScsiDiskReply(Srb, data, 32);
    }
    PutBe32(data, last > 0xFFFFFFFFull ? 0xFFFFFFFFu : (ULONG)last);
    PutBe32(data + 4, Unit->BlockBytes);
    return ScsiDiskReply(Srb, data, 8);
}

/* The commands the miniport answers from what it knows of the unit; SRB_STATUS_INVALID_REQUEST for any other. */
static inline UCHAR ScsiDiskAnswer(const SCSI_DISK_IDENTITY *Unit, PVOID Srb, const UCHAR *Cdb)
{
    switch (Cdb[0]) {
    case SCSIOP_TEST_UNIT_READY:
        return SRB_STATUS_SUCCESS;
    case SCSIOP_INQUIRY:
        return ScsiDiskInquiry(Unit, Srb, Cdb);
    case SCSIOP_READ_CAPACITY:
        return ScsiDiskReadCapacity(Unit, Srb, FALSE);
    case SCSIOP_SERVICE_ACTION_IN16:
        return (Cdb[1] & 0x1F) == SERVICE_ACTION_READ_CAPACITY16 ? ScsiDiskReadCapacity(Unit, Srb, TRUE) : SRB_STATUS_INVALID_REQUEST;
    case SCSIOP_REPORT_LUNS: {
        UCHAR data[16];
        RtlZeroMemory(data, sizeof data);
        PutBe32(data, 8); /* one LUN: LUN 0 */
        return ScsiDiskReply(Srb, data, sizeof data);
    }
    default:
        return SRB_STATUS_INVALID_REQUEST;
    }
}

/* An SRB function other than EXECUTE_SCSI: those a disk miniport has nothing to do for succeed, the others are invalid. */
static inline UCHAR ScsiDiskOtherFunction(ULONG Function)
{
    switch (Function) {
    case SRB_FUNCTION_PNP:
    case SRB_FUNCTION_POWER:
    case SRB_FUNCTION_RESET_BUS:
    case SRB_FUNCTION_RESET_DEVICE:
    case SRB_FUNCTION_RESET_LOGICAL_UNIT:
    case SRB_FUNCTION_FLUSH:
    case SRB_FUNCTION_SHUTDOWN:
        return SRB_STATUS_SUCCESS;
    default:
        return SRB_STATUS_INVALID_REQUEST;
    }
}

#endif
