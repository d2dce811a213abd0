/*
 * MiniportTimers: the SCSI port's I/O controls a Storport miniport sees (ntddscsi.h): IOCTL_SCSI_MINIPORT and the
 * SRB_IO_CONTROL header in front of its buffer, the ATA pass-through flags, and the miniport IOCTL codes storahci
 * handles. Values from the public IOCTL and structure pages.
 */
#pragma once

#include "devioctl.h"

#define IOCTL_SCSI_BASE FILE_DEVICE_CONTROLLER
#define IOCTL_SCSI_MINIPORT CTL_CODE(IOCTL_SCSI_BASE, 0x0402, METHOD_BUFFERED, FILE_READ_ACCESS | FILE_WRITE_ACCESS)

/* The header of an IOCTL_SCSI_MINIPORT buffer (SRB_FUNCTION_IO_CONTROL); the data follows it. 28 bytes. */
typedef struct _SRB_IO_CONTROL {
    ULONG HeaderLength;
    UCHAR Signature[8];
    ULONG Timeout;
    ULONG ControlCode;
    ULONG ReturnCode;
    ULONG Length;
} SRB_IO_CONTROL, *PSRB_IO_CONTROL;
C_ASSERT(sizeof(SRB_IO_CONTROL) == 28 && FIELD_OFFSET(SRB_IO_CONTROL, ControlCode) == 16);

/* ATA_PASS_THROUGH_EX.AtaFlags */
#define ATA_FLAGS_DRDY_REQUIRED 0x01
#define ATA_FLAGS_DATA_IN 0x02
#define ATA_FLAGS_DATA_OUT 0x04
#define ATA_FLAGS_48BIT_COMMAND 0x08
#define ATA_FLAGS_USE_DMA 0x10
#define ATA_FLAGS_NO_MULTIPLE 0x20

/* SRB_IO_CONTROL.ControlCode values of the miniport IOCTLs */
#define IOCTL_SCSI_MINIPORT_NVCACHE ((FILE_DEVICE_SCSI << 16) + 0x0600)
#define IOCTL_SCSI_MINIPORT_HYBRID ((FILE_DEVICE_SCSI << 16) + 0x0620)
#define IOCTL_SCSI_MINIPORT_DSM ((FILE_DEVICE_SCSI << 16) + 0x0720)
#define IOCTL_SCSI_MINIPORT_DSM_GENERAL ((FILE_DEVICE_SCSI << 16) + 0x0721)
#define IOCTL_SCSI_MINIPORT_FIRMWARE ((FILE_DEVICE_SCSI << 16) + 0x0780)

/* SRB_IO_CONTROL.Signature of the miniport queries storahci answers (eight characters, not terminated; string
   literals, so the ABI check, which reads numbers, leaves them out). */
#define IOCTL_MINIPORT_SIGNATURE_QUERY_PROTOCOL "PROTOCOL"
#define IOCTL_MINIPORT_SIGNATURE_QUERY_TEMPERATURE "TEMPERAT"
#define IOCTL_MINIPORT_SIGNATURE_QUERY_PHYSICAL_TOPOLOGY "TOPOLOGY"

/* ---- IOCTL_SCSI_MINIPORT_NVCACHE: the request after the SRB_IO_CONTROL header ---- */
typedef struct _NVCACHE_REQUEST_BLOCK {
    ULONG NRBSize;                     /* sizeof(NVCACHE_REQUEST_BLOCK) */
    USHORT Function;                   /* NRB_FUNCTION_* */
    ULONG NRBFlags;
    ULONG NRBStatus;                   /* NRB_* */
    ULONG Count;
    ULONGLONG LBA;
    ULONG DataBufSize;
    ULONG NVCacheStatus;
    ULONG NVCacheSubStatus;
} NVCACHE_REQUEST_BLOCK, *PNVCACHE_REQUEST_BLOCK;
C_ASSERT(FIELD_OFFSET(NVCACHE_REQUEST_BLOCK, LBA) == 24 && sizeof(NVCACHE_REQUEST_BLOCK) == 48);
#define NRB_FUNCTION_NVCACHE_INFO 0xEC
#define NRB_FUNCTION_SPINDLE_STATUS 0xE5
#define NRB_FUNCTION_NVCACHE_POWER_MODE_SET 0x00
#define NRB_FUNCTION_NVCACHE_POWER_MODE_RETURN 0x01
#define NRB_FUNCTION_FLUSH_NVCACHE 0x14
#define NRB_FUNCTION_QUERY_PINNED_SET 0x12
#define NRB_FUNCTION_QUERY_CACHE_MISS 0x13
#define NRB_FUNCTION_ADD_LBAS_PINNED_SET 0x10
#define NRB_FUNCTION_REMOVE_LBAS_PINNED_SET 0x11
#define NRB_FUNCTION_QUERY_ASCENDER_STATUS 0xD0
#define NRB_FUNCTION_QUERY_HYBRID_DISK_STATUS 0xD1
#define NRB_SUCCESS 0
#define NRB_ILLEGAL_REQUEST 1
#define NRB_INVALID_PARAMETER 2
#define NRB_INPUT_DATA_OVERRUN 3
#define NRB_INPUT_DATA_UNDERRUN 4
#define NRB_OUTPUT_DATA_OVERRUN 5
#define NRB_OUTPUT_DATA_UNDERRUN 6

/* NRB_FUNCTION_NVCACHE_INFO's answer. */
typedef struct _NV_FEATURE_PARAMETER {
    USHORT NVPowerModeEnabled;
    USHORT NVParameterReserv1;
    USHORT NVCmdEnabled;
    USHORT NVParameterReserv2;
    USHORT NVPowerModeVer;
    USHORT NVCmdVer;
    ULONG NVSize;
    USHORT NVReadSpeed;
    USHORT NVWrtSpeed;
    ULONG DeviceSpinUpTime;
} NV_FEATURE_PARAMETER, *PNV_FEATURE_PARAMETER;
C_ASSERT(sizeof(NV_FEATURE_PARAMETER) == 24);

/* ---- IOCTL_SCSI_MINIPORT_HYBRID: a hybrid (cached) disk's requests and answers ---- */
#define HYBRID_FUNCTION_GET_INFO 0x01
#define HYBRID_FUNCTION_DISABLE_CACHING_MEDIUM 0x10
#define HYBRID_FUNCTION_ENABLE_CACHING_MEDIUM 0x11
#define HYBRID_FUNCTION_SET_DIRTY_THRESHOLD 0x12
#define HYBRID_FUNCTION_DEMOTE_BY_SIZE 0x13
#define HYBRID_STATUS_SUCCESS 0x0
#define HYBRID_STATUS_ILLEGAL_REQUEST 0x1
#define HYBRID_STATUS_INVALID_PARAMETER 0x2
#define HYBRID_STATUS_OUTPUT_BUFFER_TOO_SMALL 0x3
#define HYBRID_STATUS_ENABLE_REFCOUNT_HOLD 0x10
#define HYBRID_REQUEST_BLOCK_STRUCTURE_VERSION 0x1
#define HYBRID_REQUEST_INFO_STRUCTURE_VERSION 0x1
/* The request after the SRB_IO_CONTROL header; its data at DataBufferOffset from the header's start. */
typedef struct _HYBRID_REQUEST_BLOCK {
    ULONG Version;
    ULONG Size;
    ULONG Function;                    /* HYBRID_FUNCTION_* */
    ULONG Flags;
    ULONG DataBufferOffset;
    ULONG DataBufferLength;
} HYBRID_REQUEST_BLOCK, *PHYBRID_REQUEST_BLOCK;
C_ASSERT(sizeof(HYBRID_REQUEST_BLOCK) == 24);

typedef enum _NVCACHE_TYPE {
    NvCacheTypeUnknown = 0, NvCacheTypeNone = 1, NvCacheTypeWriteBack = 2, NvCacheTypeWriteThrough = 3
} NVCACHE_TYPE;
typedef enum _NVCACHE_STATUS {
    NvCacheStatusUnknown = 0, NvCacheStatusDisabling = 1, NvCacheStatusDisabled = 2, NvCacheStatusEnabled = 3
} NVCACHE_STATUS;
/* How much of the cache one priority level uses, as fractions of HYBRID_INFORMATION.FractionBase. */
typedef struct _NVCACHE_PRIORITY_LEVEL_DESCRIPTOR {
    UCHAR PriorityLevel;
    UCHAR Reserved0[3];
    ULONG ConsumedNVMSizeFraction;
    ULONG ConsumedMappingResourcesFraction;
    ULONG ConsumedNVMSizeForDirtyDataFraction;
    ULONG ConsumedMappingResourcesForDirtyDataFraction;
    ULONG Reserved1;
} NVCACHE_PRIORITY_LEVEL_DESCRIPTOR, *PNVCACHE_PRIORITY_LEVEL_DESCRIPTOR;
C_ASSERT(sizeof(NVCACHE_PRIORITY_LEVEL_DESCRIPTOR) == 24);

/* HYBRID_FUNCTION_GET_INFO's answer; Priorities.Priority has PriorityLevelCount entries. */
typedef struct _HYBRID_INFORMATION {
    ULONG Version;                     /* HYBRID_REQUEST_INFO_STRUCTURE_VERSION */
    ULONG Size;
    BOOLEAN HybridSupported;
    NVCACHE_STATUS Status;
    NVCACHE_TYPE CacheTypeEffective;
    NVCACHE_TYPE CacheTypeDefault;
    ULONG FractionBase;
    ULONGLONG CacheSize;               /* logical blocks */
    struct {
        ULONG WriteCacheChangeable : 1;
        ULONG WriteThroughIoSupported : 1;
        ULONG FlushCacheSupported : 1;
        ULONG Removable : 1;
        ULONG ReservedBits : 28;
    } Attributes;
    struct {
        UCHAR PriorityLevelCount;
        BOOLEAN MaxPriorityBehavior;
        UCHAR OptimalWriteGranularity;
        UCHAR Reserved;
        ULONG DirtyThresholdLow;
        ULONG DirtyThresholdHigh;
        struct {
            ULONG CacheDisable : 1;
            ULONG SetDirtyThreshold : 1;
            ULONG PriorityDemoteBySize : 1;
            ULONG PriorityChangeByLbaRange : 1;
            ULONG Evict : 1;
            ULONG ReservedBits : 27;
            ULONG MaxEvictCommands;
            ULONG MaxLbaRangeCountForEvict;
            ULONG MaxLbaRangeCountForChangeLba;
        } SupportedCommands;
        NVCACHE_PRIORITY_LEVEL_DESCRIPTOR Priority[0];
    } Priorities;
} HYBRID_INFORMATION, *PHYBRID_INFORMATION;
C_ASSERT(FIELD_OFFSET(HYBRID_INFORMATION, CacheSize) == 32 && FIELD_OFFSET(HYBRID_INFORMATION, Priorities) == 44);
C_ASSERT(FIELD_OFFSET(HYBRID_INFORMATION, Priorities.Priority) == 72 && sizeof(HYBRID_INFORMATION) == 72);

/* HYBRID_FUNCTION_SET_DIRTY_THRESHOLD's and HYBRID_FUNCTION_DEMOTE_BY_SIZE's parameters. */
typedef struct _HYBRID_DIRTY_THRESHOLDS {
    ULONG Version;
    ULONG Size;
    ULONG DirtyLowThreshold;
    ULONG DirtyHighThreshold;
} HYBRID_DIRTY_THRESHOLDS, *PHYBRID_DIRTY_THRESHOLDS;
C_ASSERT(sizeof(HYBRID_DIRTY_THRESHOLDS) == 16);
typedef struct _HYBRID_DEMOTE_BY_SIZE {
    ULONG Version;
    ULONG Size;
    UCHAR SourcePriority;
    UCHAR TargetPriority;
    USHORT Reserved0;
    ULONG Reserved1;
    ULONGLONG LbaCount;
} HYBRID_DEMOTE_BY_SIZE, *PHYBRID_DEMOTE_BY_SIZE;
C_ASSERT(FIELD_OFFSET(HYBRID_DEMOTE_BY_SIZE, LbaCount) == 16 && sizeof(HYBRID_DEMOTE_BY_SIZE) == 24);

/* ---- IOCTL_SCSI_MINIPORT_FIRMWARE: firmware information, download and activation ---- */
#define FIRMWARE_FUNCTION_GET_INFO 0x01
#define FIRMWARE_FUNCTION_DOWNLOAD 0x02
#define FIRMWARE_FUNCTION_ACTIVATE 0x03
#define FIRMWARE_STATUS_SUCCESS 0x0
#define FIRMWARE_STATUS_ERROR 0x1
#define FIRMWARE_STATUS_ILLEGAL_REQUEST 0x2
#define FIRMWARE_STATUS_INVALID_PARAMETER 0x3
#define FIRMWARE_STATUS_INPUT_BUFFER_TOO_BIG 0x4
#define FIRMWARE_STATUS_OUTPUT_BUFFER_TOO_SMALL 0x5
#define FIRMWARE_STATUS_DEVICE_ERROR 0x40
#define FIRMWARE_STATUS_INTERFACE_CRC_ERROR 0x80
#define FIRMWARE_STATUS_UNCORRECTABLE_DATA_ERROR 0x81
#define FIRMWARE_STATUS_MEDIA_CHANGE 0x82
#define FIRMWARE_STATUS_ID_NOT_FOUND 0x83
#define FIRMWARE_STATUS_MEDIA_CHANGE_REQUEST 0x84
#define FIRMWARE_STATUS_COMMAND_ABORT 0x85
#define FIRMWARE_STATUS_END_OF_MEDIA 0x86
#define FIRMWARE_STATUS_ILLEGAL_LENGTH 0x87
#define FIRMWARE_REQUEST_BLOCK_STRUCTURE_VERSION 0x1
/* The request after the SRB_IO_CONTROL header; its data at DataBufferOffset from the header's start. */
typedef struct _FIRMWARE_REQUEST_BLOCK {
    ULONG Version;                     /* FIRMWARE_REQUEST_BLOCK_STRUCTURE_VERSION */
    ULONG Size;
    ULONG Function;                    /* FIRMWARE_FUNCTION_* */
    ULONG Flags;
    ULONG DataBufferOffset;
    ULONG DataBufferLength;
} FIRMWARE_REQUEST_BLOCK, *PFIRMWARE_REQUEST_BLOCK;
C_ASSERT(sizeof(FIRMWARE_REQUEST_BLOCK) == 24);
#define FIRMWARE_REQUEST_FLAG_CONTROLLER 0x00000001
#define FIRMWARE_REQUEST_FLAG_LAST_SEGMENT 0x00000002
#define FIRMWARE_REQUEST_FLAG_FIRST_SEGMENT 0x00000004
#define FIRMWARE_REQUEST_FLAG_SWITCH_TO_EXISTING_FIRMWARE 0x80000000
