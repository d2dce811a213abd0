/*
 * The ATA and SCSI structures of ata.h and scsi.h against their specifications, at run time: each check writes a field
 * through the structure and finds the bytes where the specification puts it (ACS-4 7.13.6 for IDENTIFY DEVICE's words
 * and bits; SPC-4 and SBC-3 for the CDBs, sense data and parameter data), and the REVERSE_* macros move bytes as the
 * scsi.h pages say. The ABI check compares the same headers with mingw-w64's; this is a second, independent reference:
 * the specifications' own word and byte numbers. Built and run by HeaderSpecTests (tests/.../Native/Interop); prints
 * each failed check and exits 1, or prints "spec_layouts: N checks passed" and exits 0.
 */
#include <stdio.h>
#include "storport.h"
#include "ata.h"

static int checks, failures;

#define CHECK(cond)                                                                                  \
    do {                                                                                             \
        checks++;                                                                                    \
        if (!(cond)) {                                                                               \
            failures++;                                                                              \
            printf("spec_layouts.c:%d: failed: %s\n", __LINE__, #cond);                              \
        }                                                                                            \
    } while (0)

/* Byte `offset` of `object` after it was zeroed and one field was written. */
#define BYTE_AT(object, offset) (((const UCHAR *)&(object))[(offset)])

/* An IDENTIFY DEVICE word (little-endian, as the device sends it). */
static USHORT Word(const IDENTIFY_DEVICE_DATA *data, int word)
{
    const UCHAR *bytes = (const UCHAR *)data;
    return (USHORT)(bytes[2 * word] | (bytes[2 * word + 1] << 8));
}

/* Sets one IDENTIFY field on a zeroed block, then checks that exactly `word`'s `mask` bits are set. */
#define IDENTIFY_BIT(assign, word, mask)                                                             \
    do {                                                                                             \
        IDENTIFY_DEVICE_DATA id_;                                                                    \
        memset(&id_, 0, sizeof id_);                                                                 \
        id_.assign;                                                                                  \
        int others_ = 0;                                                                             \
        for (int w_ = 0; w_ < 256; w_++) {                                                           \
            others_ |= w_ != (word) && Word(&id_, w_) != 0;                                          \
        }                                                                                            \
        CHECK(Word(&id_, (word)) == (mask) && !others_);                                             \
    } while (0)

static void Identify(void)
{
    CHECK(sizeof(IDENTIFY_DEVICE_DATA) == 512);
    IDENTIFY_BIT(GeneralConfiguration.DeviceType = 1, 0, 0x8000);             /* word 0 bit 15: ATAPI when set */
    CHECK(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, SerialNumber) == 2 * 10);        /* words 10-19 */
    CHECK(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, FirmwareRevision) == 2 * 23);    /* words 23-26 */
    CHECK(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, ModelNumber) == 2 * 27);         /* words 27-46 */
    CHECK(sizeof(((IDENTIFY_DEVICE_DATA *)0)->ModelNumber) == 40);
    IDENTIFY_BIT(Capabilities.DmaSupported = 1, 49, 0x0100);                  /* word 49 bit 8 */
    IDENTIFY_BIT(Capabilities.LbaSupported = 1, 49, 0x0200);                  /* word 49 bit 9 */
    CHECK(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, UserAddressableSectors) == 2 * 60); /* words 60-61 */
    IDENTIFY_BIT(QueueDepth = 31, 75, 0x001F);                                /* word 75 bits 4:0 */
    IDENTIFY_BIT(SerialAtaCapabilities.SataGen1 = 1, 76, 0x0002);             /* word 76 bit 1 */
    IDENTIFY_BIT(SerialAtaCapabilities.NCQ = 1, 76, 0x0100);                  /* word 76 bit 8 */
    IDENTIFY_BIT(SerialAtaCapabilities.HIPM = 1, 76, 0x0200);                 /* word 76 bit 9 */
    IDENTIFY_BIT(SerialAtaFeaturesSupported.DIPM = 1, 78, 0x0008);            /* word 78 bit 3 */
    IDENTIFY_BIT(MajorRevision = 0x07F0, 80, 0x07F0);                         /* word 80: ATA8-ACS through ACS-4 */
    IDENTIFY_BIT(CommandSetSupport.WriteCache = 1, 82, 0x0020);               /* word 82 bit 5 */
    IDENTIFY_BIT(CommandSetSupport.BigLba = 1, 83, 0x0400);                   /* word 83 bit 10: 48-bit address */
    IDENTIFY_BIT(CommandSetSupport.FlushCacheExt = 1, 83, 0x2000);            /* word 83 bit 13 */
    IDENTIFY_BIT(CommandSetSupport.WriteFua = 1, 84, 0x0040);                 /* word 84 bit 6 */
    IDENTIFY_BIT(CommandSetActive.WriteCache = 1, 85, 0x0020);                /* word 85 bit 5 */
    IDENTIFY_BIT(CommandSetActive.BigLba = 1, 86, 0x0400);                    /* word 86 bit 10 */
    CHECK(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, Max48BitLBA) == 2 * 100);        /* words 100-103 */
    IDENTIFY_BIT(PhysicalLogicalSectorSize.LogicalSectorsPerPhysicalSector = 3, 106, 0x0003); /* word 106 bits 3:0 */
    IDENTIFY_BIT(PhysicalLogicalSectorSize.LogicalSectorLongerThan256Words = 1, 106, 0x1000); /* bit 12 */
    IDENTIFY_BIT(PhysicalLogicalSectorSize.MultipleLogicalSectorsPerPhysicalSector = 1, 106, 0x2000); /* bit 13 */
    CHECK(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, WordsPerLogicalSector) == 2 * 117); /* words 117-118 */
    IDENTIFY_BIT(DataSetManagementFeature.SupportsTrim = 1, 169, 0x0001);     /* word 169 bit 0 */
    IDENTIFY_BIT(NominalMediaRotationRate = 1, 217, 0x0001);                  /* word 217: 1 = not rotating */
    IDENTIFY_BIT(Signature = 0xA5, 255, 0x00A5);                              /* word 255 bits 7:0 */
    IDENTIFY_BIT(CheckSum = 0x5A, 255, 0x5A00);                               /* word 255 bits 15:8 */
}

static void Cdbs(void)
{
    CDB cdb;
    CHECK(sizeof(CDB) == 16);

    memset(&cdb, 0, sizeof cdb);                                              /* SBC-3 5.13: READ (10) */
    cdb.CDB10.OperationCode = SCSIOP_READ;
    cdb.CDB10.LogicalBlockByte0 = 0x12;                                       /* the LBA's most significant byte */
    cdb.CDB10.LogicalBlockByte3 = 0x78;
    cdb.CDB10.TransferBlocksMsb = 0x01;
    cdb.CDB10.TransferBlocksLsb = 0x02;
    cdb.CDB10.ForceUnitAccess = 1;
    CHECK(BYTE_AT(cdb, 0) == 0x28 && BYTE_AT(cdb, 1) == 0x08 && BYTE_AT(cdb, 2) == 0x12 && BYTE_AT(cdb, 5) == 0x78);
    CHECK(BYTE_AT(cdb, 7) == 0x01 && BYTE_AT(cdb, 8) == 0x02);

    memset(&cdb, 0, sizeof cdb);                                              /* SBC-3 5.15: READ (16) */
    cdb.CDB16.OperationCode = SCSIOP_READ16;
    cdb.CDB16.LogicalBlock[7] = 0x44;
    cdb.CDB16.TransferLength[0] = 0x55;
    CHECK(BYTE_AT(cdb, 0) == 0x88 && BYTE_AT(cdb, 9) == 0x44 && BYTE_AT(cdb, 10) == 0x55);

    memset(&cdb, 0, sizeof cdb);                                              /* SPC-4 6.6: INQUIRY, EVPD */
    cdb.CDB6INQUIRY3.OperationCode = SCSIOP_INQUIRY;
    cdb.CDB6INQUIRY3.EnableVitalProductData = 1;
    cdb.CDB6INQUIRY3.PageCode = VPD_SERIAL_NUMBER;
    cdb.CDB6INQUIRY3.AllocationLength = 0xFF;
    CHECK(BYTE_AT(cdb, 0) == 0x12 && BYTE_AT(cdb, 1) == 0x01 && BYTE_AT(cdb, 2) == 0x80 && BYTE_AT(cdb, 4) == 0xFF);

    memset(&cdb, 0, sizeof cdb);                                              /* SPC-4 6.11: MODE SENSE (6) */
    cdb.MODE_SENSE.OperationCode = SCSIOP_MODE_SENSE;
    cdb.MODE_SENSE.Dbd = 1;
    cdb.MODE_SENSE.PageCode = MODE_SENSE_RETURN_ALL;
    cdb.MODE_SENSE.Pc = 1;                                                    /* changeable values */
    CHECK(BYTE_AT(cdb, 0) == 0x1A && BYTE_AT(cdb, 1) == 0x08 && BYTE_AT(cdb, 2) == 0x7F);

    memset(&cdb, 0, sizeof cdb);                                              /* SBC-3 5.16.1: READ CAPACITY (16) */
    cdb.READ_CAPACITY16.OperationCode = SCSIOP_SERVICE_ACTION_IN16;
    cdb.READ_CAPACITY16.ServiceAction = SERVICE_ACTION_READ_CAPACITY16;
    CHECK(BYTE_AT(cdb, 0) == 0x9E && BYTE_AT(cdb, 1) == 0x10);

    memset(&cdb, 0, sizeof cdb);                                              /* SAT-3 12.2.2: ATA PASS-THROUGH (16) */
    cdb.ATA_PASSTHROUGH16.OperationCode = SCSIOP_ATA_PASSTHROUGH16;
    cdb.ATA_PASSTHROUGH16.Command = IDE_COMMAND_IDENTIFY;
    CHECK(BYTE_AT(cdb, 0) == 0x85 && BYTE_AT(cdb, 14) == 0xEC);
}

static void Answers(void)
{
    SENSE_DATA sense;                                                         /* SPC-4 4.5.3: fixed format */
    memset(&sense, 0, sizeof sense);
    sense.ErrorCode = SCSI_SENSE_ERRORCODE_FIXED_CURRENT;
    sense.Valid = 1;
    sense.SenseKey = SCSI_SENSE_ILLEGAL_REQUEST;
    sense.AdditionalSenseLength = 10;
    sense.AdditionalSenseCode = SCSI_ADSENSE_INVALID_CDB;
    sense.AdditionalSenseCodeQualifier = 0x01;
    CHECK(sizeof(SENSE_DATA) == 18);
    CHECK(BYTE_AT(sense, 0) == 0xF0 && BYTE_AT(sense, 2) == 0x05 && BYTE_AT(sense, 7) == 10);
    CHECK(BYTE_AT(sense, 12) == 0x24 && BYTE_AT(sense, 13) == 0x01);

    INQUIRYDATA inquiry;                                                      /* SPC-4 6.6.2: standard data */
    memset(&inquiry, 0, sizeof inquiry);
    inquiry.DeviceType = DIRECT_ACCESS_DEVICE;
    inquiry.DeviceTypeQualifier = DEVICE_CONNECTED;
    inquiry.RemovableMedia = 1;
    inquiry.CommandQueue = 1;
    CHECK(BYTE_AT(inquiry, 0) == 0x00 && BYTE_AT(inquiry, 1) == 0x80 && BYTE_AT(inquiry, 7) == 0x02);
    CHECK(FIELD_OFFSET(INQUIRYDATA, VendorId) == 8 && FIELD_OFFSET(INQUIRYDATA, ProductId) == 16);
    CHECK(FIELD_OFFSET(INQUIRYDATA, ProductRevisionLevel) == 32 && FIELD_OFFSET(INQUIRYDATA, VersionDescriptors) == 58);

    CHECK(sizeof(READ_CAPACITY_DATA) == 8 && FIELD_OFFSET(READ_CAPACITY_DATA, BytesPerBlock) == 4); /* SBC-3 5.17.2 */
    CHECK(sizeof(MODE_PARAMETER_HEADER) == 4 && FIELD_OFFSET(MODE_PARAMETER_HEADER, BlockDescriptorLength) == 3);
    CHECK(sizeof(MODE_PARAMETER_HEADER10) == 8);                              /* SPC-4 7.5.5 */
    CHECK(sizeof(MODE_PARAMETER_BLOCK) == 8);                                 /* SPC-4 7.5.6 (short LBA) */

    /* SBC-3 7.5.5: the caching mode page, code 08h, WCE bit 2 of byte 2. */
    MODE_CACHING_PAGE caching;
    memset(&caching, 0, sizeof caching);
    caching.PageCode = MODE_PAGE_CACHING;
    caching.WriteCacheEnable = 1;
    CHECK(BYTE_AT(caching, 0) == 0x08 && BYTE_AT(caching, 2) == 0x04);
}

static void Reverse(void)
{
    /* The scsi.h pages: REVERSE_BYTES* copy Source into Destination in the opposite byte order. */
    ULONG little = 0x11223344, big = 0;
    REVERSE_BYTES(&big, &little);
    CHECK(big == 0x44332211);
    ULONGLONG quad = 0x0102030405060708ull, quadOut = 0;
    REVERSE_BYTES_QUAD(&quadOut, &quad);
    CHECK(quadOut == 0x0807060504030201ull);
    USHORT shortIn = 0xABCD, shortOut = 0;
    REVERSE_BYTES_SHORT(&shortOut, &shortIn);
    CHECK(shortOut == 0xCDAB && shortIn == 0xABCD);

    /* Unaligned pointers, as drivers pass the fields of a packed CDB. */
    UCHAR buffer[9] = { 0xEE, 0x01, 0x02, 0x03, 0x04, 0xEE, 0, 0, 0 };
    UCHAR out[6] = { 0 };
    REVERSE_BYTES(&out[1], &buffer[1]);
    CHECK(out[0] == 0 && out[1] == 0x04 && out[2] == 0x03 && out[3] == 0x02 && out[4] == 0x01 && out[5] == 0);

    /* REVERSE_SHORT / REVERSE_LONG: in place. */
    USHORT inPlaceShort = 0x1234;
    REVERSE_SHORT(&inPlaceShort);
    CHECK(inPlaceShort == 0x3412);
    ULONG inPlaceLong = 0x12345678;
    REVERSE_LONG(&inPlaceLong);
    CHECK(inPlaceLong == 0x78563412);
}

int main(void)
{
    Identify();
    Cdbs();
    Answers();
    Reverse();
    if (failures != 0) {
        printf("spec_layouts: %d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("spec_layouts: %d checks passed\n", checks);
    return 0;
}
