/*
 * MiniportTimers: the SCSI definitions (CDB, SENSE_DATA, INQUIRYDATA, READ_CAPACITY_DATA, SCSIOP_*, ...) from
 * mingw-w64's installed ddk/scsi.h, not a copy of it (see mpt/ddk.h); storport.h includes it when it is available.
 */
#pragma once

#include "ntdef.h"
#include "mpt/ddk.h"

/* INQUIRYDATA as Windows declares it (96 bytes): mingw-w64's ends in Reserved3[40] where Windows has the version
   descriptors (SPC: bytes 58-73), so ours is defined here and its _INQUIRYDATA_DEFINED keeps mingw-w64's out. */
#ifndef _INQUIRYDATA_DEFINED
#define _INQUIRYDATA_DEFINED
#define INQUIRYDATABUFFERSIZE 36
typedef struct _INQUIRYDATA {
    UCHAR DeviceType : 5;
    UCHAR DeviceTypeQualifier : 3;
    UCHAR DeviceTypeModifier : 7;
    UCHAR RemovableMedia : 1;
    union {
        UCHAR Versions;
        struct { UCHAR ANSIVersion : 3; UCHAR ECMAVersion : 3; UCHAR ISOVersion : 2; };
    };
    UCHAR ResponseDataFormat : 4;
    UCHAR HiSupport : 1;
    UCHAR NormACA : 1;
    UCHAR TerminateTask : 1;
    UCHAR AERC : 1;
    UCHAR AdditionalLength;
    union {
        UCHAR Reserved;
        struct { UCHAR PROTECT : 1; UCHAR Reserved1 : 2; UCHAR ThirdPartyCoppy : 1; UCHAR TPGS : 2; UCHAR ACC : 1; UCHAR SCCS : 1; };
    };
    UCHAR Addr16 : 1;
    UCHAR Addr32 : 1;
    UCHAR AckReqQ : 1;
    UCHAR MediumChanger : 1;
    UCHAR MultiPort : 1;
    UCHAR ReservedBit2 : 1;
    UCHAR EnclosureServices : 1;
    UCHAR ReservedBit3 : 1;
    UCHAR SoftReset : 1;
    UCHAR CommandQueue : 1;
    UCHAR TransferDisable : 1;
    UCHAR LinkedCommands : 1;
    UCHAR Synchronous : 1;
    UCHAR Wide16Bit : 1;
    UCHAR Wide32Bit : 1;
    UCHAR RelativeAddressing : 1;
    UCHAR VendorId[8];
    UCHAR ProductId[16];
    UCHAR ProductRevisionLevel[4];
    UCHAR VendorSpecific[20];
    UCHAR Reserved3[2];
    USHORT VersionDescriptors[8];      /* big-endian, as the device sends them */
    UCHAR Reserved4[22];
} INQUIRYDATA, *PINQUIRYDATA;
#endif
#include MPT_DDK_HEADER(scsi.h)

C_ASSERT(sizeof(CDB) == 16 && sizeof(SENSE_DATA) == 18 && sizeof(INQUIRYDATA) == 96 && sizeof(READ_CAPACITY_DATA) == 8);
C_ASSERT(FIELD_OFFSET(INQUIRYDATA, VersionDescriptors) == 58);

/* ======================================================================================================================
 * What mingw-w64's scsi.h lacks and storahci names, written here from SPC/SBC/SAT and the scsi.h reference pages. Each
 * structure is the on-the-wire layout, byte-packed; multi-byte fields are big-endian byte arrays.
 * ==================================================================================================================== */
#include "pshpack1.h"

/* Additional sense code, sense data formats and the ATA status return descriptor (SAT). */
#define SCSI_ADSENSE_INTERNAL_TARGET_FAILURE 0x44
/* ASC 20h with ASCQ 02h: access denied, no access rights (SPC; NVMe's SCSI translation answers a reservation
   conflict's access with it). */
#define SCSI_ADSENSE_ACCESS_DENIED 0x20
#define SCSI_SENSEQ_NO_ACCESS_RIGHTS 0x02
#define SCSI_SENSE_ERRORCODE_FIXED_CURRENT 0x70
#define SCSI_SENSE_ERRORCODE_FIXED_DEFERRED 0x71
#define SCSI_SENSE_ERRORCODE_DESCRIPTOR_CURRENT 0x72
#define SCSI_SENSE_ERRORCODE_DESCRIPTOR_DEFERRED 0x73
#define SCSI_SENSE_DESCRIPTOR_TYPE_ATA_STATUS_RETURN 0x09
typedef struct _DESCRIPTOR_SENSE_DATA {
    UCHAR ErrorCode : 7;               /* SCSI_SENSE_ERRORCODE_DESCRIPTOR_* */
    UCHAR Reserved1 : 1;
    UCHAR SenseKey : 4;
    UCHAR Reserved2 : 4;
    UCHAR AdditionalSenseCode;
    UCHAR AdditionalSenseCodeQualifier;
    UCHAR Reserved3[3];
    UCHAR AdditionalSenseLength;       /* bytes of descriptors that follow */
    UCHAR DescriptorBuffer[ANYSIZE_ARRAY];
} DESCRIPTOR_SENSE_DATA, *PDESCRIPTOR_SENSE_DATA;
C_ASSERT(FIELD_OFFSET(DESCRIPTOR_SENSE_DATA, DescriptorBuffer) == 8);
typedef struct _SCSI_SENSE_DESCRIPTOR_HEADER {
    UCHAR DescriptorType;
    UCHAR AdditionalLength;
} SCSI_SENSE_DESCRIPTOR_HEADER, *PSCSI_SENSE_DESCRIPTOR_HEADER;
typedef struct _SCSI_SENSE_DESCRIPTOR_ATA_STATUS_RETURN {
    SCSI_SENSE_DESCRIPTOR_HEADER Header;
    UCHAR Extend : 1;
    UCHAR Reserved1 : 7;
    UCHAR Error;
    UCHAR SectorCount15_8;
    UCHAR SectorCount7_0;
    UCHAR LbaLow15_8;
    UCHAR LbaLow7_0;
    UCHAR LbaMid15_8;
    UCHAR LbaMid7_0;
    UCHAR LbaHigh15_8;
    UCHAR LbaHigh7_0;
    UCHAR Device;
    UCHAR Status;
} SCSI_SENSE_DESCRIPTOR_ATA_STATUS_RETURN, *PSCSI_SENSE_DESCRIPTOR_ATA_STATUS_RETURN;
C_ASSERT(sizeof(SCSI_SENSE_DESCRIPTOR_ATA_STATUS_RETURN) == 14);

/* READ CAPACITY (16)'s answer. */
typedef struct _READ_CAPACITY16_DATA {
    LARGE_INTEGER LogicalBlockAddress;
    ULONG BytesPerBlock;
    UCHAR ProtectionEnable : 1;
    UCHAR ProtectionType : 3;
    UCHAR RcBasis : 2;
    UCHAR Reserved : 2;
    UCHAR LogicalPerPhysicalExponent : 4;
    UCHAR ProtectionInfoExponent : 4;
    UCHAR LowestAlignedBlock_MSB : 6;
    UCHAR LBPRZ : 1;
    UCHAR LBPME : 1;
    UCHAR LowestAlignedBlock_LSB;
    UCHAR Reserved3[16];
} READ_CAPACITY16_DATA, *PREAD_CAPACITY16_DATA;
C_ASSERT(sizeof(READ_CAPACITY16_DATA) == 32);

/* UNMAP's parameter list: a header, then BlockDescrDataLength bytes of block descriptors. */
typedef struct _UNMAP_BLOCK_DESCRIPTOR {
    UCHAR StartingLba[8];
    UCHAR LbaCount[4];
    UCHAR Reserved[4];
} UNMAP_BLOCK_DESCRIPTOR, *PUNMAP_BLOCK_DESCRIPTOR;
C_ASSERT(sizeof(UNMAP_BLOCK_DESCRIPTOR) == 16);
typedef struct _UNMAP_LIST_HEADER {
    UCHAR DataLength[2];
    UCHAR BlockDescrDataLength[2];
    UCHAR Reserved[4];
    UNMAP_BLOCK_DESCRIPTOR Descriptors[0];
} UNMAP_LIST_HEADER, *PUNMAP_LIST_HEADER;
C_ASSERT(sizeof(UNMAP_LIST_HEADER) == 8);

/* ---- vital product data pages ---- */
#define VPD_EXTENDED_INQUIRY_DATA 0x86
#define VPD_ATA_INFORMATION 0x89
#define VPD_BLOCK_LIMITS 0xB0
#define VPD_BLOCK_DEVICE_CHARACTERISTICS 0xB1
#define VPD_LOGICAL_BLOCK_PROVISIONING 0xB2
/* 0x86, Extended INQUIRY Data: 64 bytes; the comments give the byte each bit field starts. */
typedef struct _VPD_EXTENDED_INQUIRY_DATA_PAGE {
    UCHAR DeviceType : 5;
    UCHAR DeviceTypeQualifier : 3;
    UCHAR PageCode;
    UCHAR PageLength[2];
    UCHAR RefChk : 1;                  /* 4 */
    UCHAR AppChk : 1;
    UCHAR GrdChk : 1;
    UCHAR Spt : 3;
    UCHAR ActivateMicrocode : 2;
    UCHAR SimpSup : 1;                 /* 5 */
    UCHAR OrdSup : 1;
    UCHAR HeadSup : 1;
    UCHAR PriorSup : 1;
    UCHAR GroupSup : 1;
    UCHAR UaskSup : 1;
    UCHAR Reserved0 : 2;
    UCHAR VSup : 1;                    /* 6 */
    UCHAR NvSup : 1;
    UCHAR Obsolete0 : 1;
    UCHAR WuSup : 1;
    UCHAR Reserved1 : 4;
    UCHAR LuiClr : 1;                  /* 7 */
    UCHAR Reserved2 : 3;
    UCHAR PiiSup : 1;
    UCHAR NoPiChk : 1;
    UCHAR Reserved3 : 2;
    UCHAR Obsolete1 : 1;               /* 8 */
    UCHAR HssRelef : 1;
    UCHAR Reserved4 : 1;
    UCHAR RtdSup : 1;
    UCHAR RSup : 1;
    UCHAR LuCollectionType : 3;
    UCHAR Multi_i_t_Nexus_Microcode_Download : 4;   /* 9 */
    UCHAR Reserved5 : 4;
    UCHAR ExtendedSelfTestCompletionMinutes[2];
    UCHAR Reserved6 : 5;               /* 12 */
    UCHAR VsaSup : 1;
    UCHAR HraSup : 1;
    UCHAR PoaSup : 1;
    UCHAR MaxSupportedSenseDataLength;
    UCHAR Nrd0 : 1;                    /* 14 */
    UCHAR Nrd1 : 1;
    UCHAR Sac : 1;
    UCHAR Reserved7 : 3;
    UCHAR Ias : 1;
    UCHAR Ibs : 1;
    UCHAR MaxInquiryChangeLogs[2];
    UCHAR MaxModePageChangeLogs[2];
    UCHAR Reserved8[45];
} VPD_EXTENDED_INQUIRY_DATA_PAGE, *PVPD_EXTENDED_INQUIRY_DATA_PAGE;
C_ASSERT(FIELD_OFFSET(VPD_EXTENDED_INQUIRY_DATA_PAGE, MaxSupportedSenseDataLength) == 13 && sizeof(VPD_EXTENDED_INQUIRY_DATA_PAGE) == 64);
/* 0x89, ATA Information (SAT): the device's signature and its IDENTIFY data. */
typedef struct _VPD_ATA_INFORMATION_PAGE {
    UCHAR DeviceType : 5;
    UCHAR DeviceTypeQualifier : 3;
    UCHAR PageCode;
    UCHAR PageLength[2];               /* 0x238 */
    UCHAR Reserved0[4];
    UCHAR VendorId[8];
    UCHAR ProductId[16];
    UCHAR ProductRevisionLevel[4];
    UCHAR DeviceSignature[20];
    UCHAR CommandCode;
    UCHAR Reserved1[3];
    UCHAR IdentifyDeviceData[512];
} VPD_ATA_INFORMATION_PAGE, *PVPD_ATA_INFORMATION_PAGE;
C_ASSERT(FIELD_OFFSET(VPD_ATA_INFORMATION_PAGE, IdentifyDeviceData) == 60 && sizeof(VPD_ATA_INFORMATION_PAGE) == 572);
/* 0xB0, Block Limits. */
typedef struct _VPD_BLOCK_LIMITS_PAGE {
    UCHAR DeviceType : 5;
    UCHAR DeviceTypeQualifier : 3;
    UCHAR PageCode;
    UCHAR PageLength[2];               /* 0x3C */
    union {
        struct {
            UCHAR Reserved0;
            UCHAR MaximumCompareAndWriteLength;
            UCHAR OptimalTransferLengthGranularity[2];
            UCHAR MaximumTransferLength[4];
            UCHAR OptimalTransferLength[4];
            UCHAR MaxPrefetchXDReadXDWriteTransferLength[4];
            UCHAR MaximumUnmapLBACount[4];
            UCHAR MaximumUnmapBlockDescriptorCount[4];
            UCHAR OptimalUnmapGranularity[4];
            union {
                struct {
                    UCHAR UnmapGranularityAlignmentByte3 : 7;
                    UCHAR UGAValid : 1;
                    UCHAR UnmapGranularityAlignmentByte2;
                    UCHAR UnmapGranularityAlignmentByte1;
                    UCHAR UnmapGranularityAlignmentByte0;
                };
                UCHAR UnmapGranularityAlignment[4];
            };
            UCHAR Reserved1[28];
        };
        UCHAR Descriptors[0];
    };
} VPD_BLOCK_LIMITS_PAGE, *PVPD_BLOCK_LIMITS_PAGE;
C_ASSERT(FIELD_OFFSET(VPD_BLOCK_LIMITS_PAGE, MaximumUnmapLBACount) == 20 && sizeof(VPD_BLOCK_LIMITS_PAGE) == 64);
/* 0xB1, Block Device Characteristics. */
typedef struct _VPD_BLOCK_DEVICE_CHARACTERISTICS_PAGE {
    UCHAR DeviceType : 5;
    UCHAR DeviceTypeQualifier : 3;
    UCHAR PageCode;
    UCHAR Reserved0;
    UCHAR PageLength;                  /* 0x3C */
    UCHAR MediumRotationRateMsb;
    UCHAR MediumRotationRateLsb;
    UCHAR MediumProductType;
    UCHAR NominalFormFactor : 4;
    UCHAR WACEREQ : 2;
    UCHAR WABEREQ : 2;
    UCHAR VBULS : 1;
    UCHAR FUAB : 1;
    UCHAR BOCS : 1;
    UCHAR Reserved1 : 1;
    UCHAR ZONED : 2;
    UCHAR Reserved2 : 2;
    UCHAR Reserved3[3];
    UCHAR DepopulationTime[4];
    UCHAR Reserved4[48];
} VPD_BLOCK_DEVICE_CHARACTERISTICS_PAGE, *PVPD_BLOCK_DEVICE_CHARACTERISTICS_PAGE;
C_ASSERT(sizeof(VPD_BLOCK_DEVICE_CHARACTERISTICS_PAGE) == 64);
/* 0xB2, Logical Block Provisioning. */
#define PROVISIONING_TYPE_UNKNOWN 0x0
#define PROVISIONING_TYPE_RESOURCE 0x1
#define PROVISIONING_TYPE_THIN 0x2
typedef struct _VPD_LOGICAL_BLOCK_PROVISIONING_PAGE {
    UCHAR DeviceType : 5;
    UCHAR DeviceTypeQualifier : 3;
    UCHAR PageCode;
    UCHAR PageLength[2];
    UCHAR ThresholdExponent;
    UCHAR DP : 1;
    UCHAR ANC_SUP : 1;
    UCHAR LBPRZ : 1;
    UCHAR Reserved0 : 2;
    UCHAR LBPWS10 : 1;
    UCHAR LBPWS : 1;
    UCHAR LBPU : 1;
    UCHAR ProvisioningType : 3;
    UCHAR Reserved1 : 5;
    UCHAR Reserved2;
    UCHAR ProvisioningGroupDescr[0];
} VPD_LOGICAL_BLOCK_PROVISIONING_PAGE, *PVPD_LOGICAL_BLOCK_PROVISIONING_PAGE;
C_ASSERT(sizeof(VPD_LOGICAL_BLOCK_PROVISIONING_PAGE) == 8);

/* The version descriptor of IEEE 1667 with no version (INQUIRYDATA.VersionDescriptors). */
#define VER_DESCRIPTOR_1667_NOVERSION 0xFFC0

/* WRITE BUFFER mode 0Dh's mode-specific field: activate the new microcode at the next power-on or hard reset. */
#define SCSI_WRITE_BUFFER_MODE_0D_MODE_SPECIFIC_PO_ACT 0x4
#define SCSI_WRITE_BUFFER_MODE_0D_MODE_SPECIFIC_HR_ACT 0x2

/* ---- READ BUFFER mode 1Ch: the error history, and the current internal status data ---- */
#define READ_BUFFER_MODE_ERROR_HISTORY 0x1C
#define BUFFER_ID_RETURN_ERROR_HISTORY_DIRECTORY 0x0
#define BUFFER_ID_RETURN_ERROR_HISTORY_MINIMUM_THRESHOLD 0x10
#define BUFFER_ID_RETURN_ERROR_HISTORY_MAXIMUM_THRESHOLD 0xEF
#define BUFFER_FORMAT_CURRENT_INTERNAL_STATUS_DATA 0x1
#define BUFFER_SOURCE_CREATED_DUE_TO_CURRENT_COMMAND 0x3
typedef struct _ERROR_HISTORY_DIRECTORY_ENTRY {
    UCHAR SupportedBufferId;
    UCHAR BufferFormat;
    UCHAR BufferSource : 4;
    UCHAR Reserved0 : 4;
    UCHAR Reserved1;
    UCHAR MaxAvailableLength[4];
} ERROR_HISTORY_DIRECTORY_ENTRY, *PERROR_HISTORY_DIRECTORY_ENTRY;
C_ASSERT(sizeof(ERROR_HISTORY_DIRECTORY_ENTRY) == 8);
typedef struct _ERROR_HISTORY_DIRECTORY {
    UCHAR T10VendorId[8];
    UCHAR ErrorHistoryVersion;
    UCHAR ClearSupport : 1;
    UCHAR ErrorHistorySource : 2;
    UCHAR ErrorHistoryRetrieved : 2;
    UCHAR Reserved0 : 3;
    UCHAR Reserved1[20];
    UCHAR DirectoryLength[2];
    ERROR_HISTORY_DIRECTORY_ENTRY ErrorHistoryDirectoryList[ANYSIZE_ARRAY];
} ERROR_HISTORY_DIRECTORY, *PERROR_HISTORY_DIRECTORY;
C_ASSERT(FIELD_OFFSET(ERROR_HISTORY_DIRECTORY, ErrorHistoryDirectoryList) == 32);
typedef struct _CURRENT_INTERNAL_STATUS_PARAMETER_DATA {
    UCHAR Reserved0[4];
    UCHAR IEEECompanyId[4];
    UCHAR CurrentInternalStatusDataSetOneLength[2];
    UCHAR CurrentInternalStatusDataSetTwoLength[2];
    UCHAR CurrentInternalStatusDataSetThreeLength[2];
    UCHAR CurrentInternalStatusDataSetFourLength[4];
    UCHAR Reserved1[364];
    UCHAR NewSavedDataAvailable;
    UCHAR SavedDataGenerationNumber;
    UCHAR CurrentReasonIdentifier[128];
    UCHAR CurrentInternalStatusData[ANYSIZE_ARRAY];
} CURRENT_INTERNAL_STATUS_PARAMETER_DATA, *PCURRENT_INTERNAL_STATUS_PARAMETER_DATA;
C_ASSERT(FIELD_OFFSET(CURRENT_INTERNAL_STATUS_PARAMETER_DATA, CurrentInternalStatusData) == 512);

/* GET PHYSICAL ELEMENT STATUS's answer: a header, then 32-byte element descriptors. */
typedef struct _PHYSICAL_ELEMENT_STATUS_DATA_DESCRIPTOR {
    UCHAR Reserved1[4];
    UCHAR ElementIdentifier[4];
    UCHAR Reserved2[6];
    UCHAR PhysicalElementType;
    UCHAR PhysicalElementHealth;
    UCHAR AssociatedCapacity[8];
    UCHAR Reserved3[8];
} PHYSICAL_ELEMENT_STATUS_DATA_DESCRIPTOR, *PPHYSICAL_ELEMENT_STATUS_DATA_DESCRIPTOR;
C_ASSERT(sizeof(PHYSICAL_ELEMENT_STATUS_DATA_DESCRIPTOR) == 32);
typedef struct _PHYSICAL_ELEMENT_STATUS_PARAMETER_DATA {
    UCHAR DescriptorCount[4];
    UCHAR ReturnedDescriptorCount[4];
    UCHAR ElementIdentifierBeingDepoped[4];
    UCHAR Reserved[20];
    PHYSICAL_ELEMENT_STATUS_DATA_DESCRIPTOR Descriptors[ANYSIZE_ARRAY];
} PHYSICAL_ELEMENT_STATUS_PARAMETER_DATA, *PPHYSICAL_ELEMENT_STATUS_PARAMETER_DATA;
C_ASSERT(FIELD_OFFSET(PHYSICAL_ELEMENT_STATUS_PARAMETER_DATA, Descriptors) == 32);

#include "poppack.h"
