/*
 * MiniportTimers: the ATA definitions a storage miniport compiles against (Windows' ata.h): the IDENTIFY DEVICE and
 * IDENTIFY PACKET DEVICE data, the general-purpose log pages a SATA driver reads (IDENTIFY DEVICE data, device
 * statistics, NCQ, hybrid information, device internal status), the zoned (ZAC) and GET PHYSICAL ELEMENT STATUS data,
 * and the IDE_COMMAND_*, IDE_STATUS_*, IDE_ERROR_*, IDE_FEATURE_*, IDE_GP_LOG_* values.
 *
 * Written for this project from public documentation: the ata.h reference pages on MS Learn
 * (https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/ata/, e.g. ns-ata-_identify_device_data) for the
 * structures they describe and their member names, and the ATA/ATAPI Command Set (ACS-3, ACS-4), ZAC and Serial ATA
 * specifications for opcodes, log addresses and each field's place and meaning. Layouts are Windows x64's: byte-packed,
 * each bit field on the underlying type Windows declares it with (with -mms-bitfields that type decides where the
 * field goes). Multi-byte fields are little-endian, as ATA sends them. Sizes and key offsets are asserted below;
 * `make -C native abi-check` compares every size, offset and value with mingw-w64's headers, an independent reference.
 */
#pragma once

#include "ntdef.h"

/* ---- device signatures: the task file after reset as AHCI PxSIG shows it (LBA high, LBA mid, LBA low, count) ---- */
#define ATA_DEVICE_SIGNATURE_ATA 0x00000101
#define ATA_DEVICE_SIGNATURE_ATAPI 0xEB140101
#define ATA_DEVICE_SIGNATURE_HOST_ZONED 0xABCD0101          /* ZAC host-managed zoned device */
#define ATA_DEVICE_SIGNATURE_ENCLOSURE 0xC33C0101           /* SATA enclosure management bridge (SEMB) */
#define ATA_DEVICE_SIGNATURE_PORT_MULTIPLIER 0x96690101

/* ---- task-file registers (ATA8-ACS / ACS-4) ---- */
/* Device register: address in LBA form. */
#define IDE_LBA_MODE (1 << 6)
/* Device Control register. */
#define IDE_DC_DISABLE_INTERRUPTS 0x02                      /* nIEN */
#define IDE_DC_RESET_CONTROLLER 0x04                        /* SRST */
#define IDE_DC_REENABLE_CONTROLLER 0x00
/* Status register. */
#define IDE_STATUS_ERROR 0x01
#define IDE_STATUS_INDEX 0x02
#define IDE_STATUS_CORRECTED_ERROR 0x04
#define IDE_STATUS_DRQ 0x08
#define IDE_STATUS_DSC 0x10
#define IDE_STATUS_DEVICE_FAULT 0x20
#define IDE_STATUS_DRDY 0x40
#define IDE_STATUS_IDLE 0x50                                /* DRDY | DSC */
#define IDE_STATUS_BUSY 0x80
/* Error register; bit 7 is the interface CRC error on Ultra DMA transfers, bit 0 the ATAPI illegal length. */
#define IDE_ERROR_BAD_BLOCK 0x80
#define IDE_ERROR_CRC_ERROR IDE_ERROR_BAD_BLOCK
#define IDE_ERROR_DATA_ERROR 0x40                           /* uncorrectable */
#define IDE_ERROR_MEDIA_CHANGE 0x20
#define IDE_ERROR_ID_NOT_FOUND 0x10
#define IDE_ERROR_MEDIA_CHANGE_REQ 0x08
#define IDE_ERROR_COMMAND_ABORTED 0x04
#define IDE_ERROR_END_OF_MEDIA 0x02
#define IDE_ERROR_ILLEGAL_LENGTH 0x01
#define IDE_ERROR_ADDRESS_NOT_FOUND IDE_ERROR_ILLEGAL_LENGTH

/* ---- command opcodes (ACS-4; the PACKET-device and retired ones from ATA8-ACS) ---- */
#define IDE_COMMAND_NOP 0x00
#define IDE_COMMAND_DATA_SET_MANAGEMENT 0x06
#define IDE_COMMAND_ATAPI_RESET 0x08                        /* DEVICE RESET */
#define IDE_COMMAND_GET_PHYSICAL_ELEMENT_STATUS 0x12
#define IDE_COMMAND_READ 0x20                               /* READ SECTOR(S) */
#define IDE_COMMAND_READ_EXT 0x24
#define IDE_COMMAND_READ_DMA_EXT 0x25
#define IDE_COMMAND_READ_DMA_QUEUED_EXT 0x26
#define IDE_COMMAND_READ_MULTIPLE_EXT 0x29
#define IDE_COMMAND_READ_LOG_EXT 0x2F
#define IDE_COMMAND_WRITE 0x30                              /* WRITE SECTOR(S) */
#define IDE_COMMAND_WRITE_EXT 0x34
#define IDE_COMMAND_WRITE_DMA_EXT 0x35
#define IDE_COMMAND_WRITE_DMA_QUEUED_EXT 0x36
#define IDE_COMMAND_WRITE_MULTIPLE_EXT 0x39
#define IDE_COMMAND_WRITE_DMA_FUA_EXT 0x3D
#define IDE_COMMAND_WRITE_DMA_QUEUED_FUA_EXT 0x3E
#define IDE_COMMAND_WRITE_LOG_EXT 0x3F
#define IDE_COMMAND_VERIFY 0x40                             /* READ VERIFY SECTOR(S) */
#define IDE_COMMAND_VERIFY_EXT 0x42
#define IDE_COMMAND_ZAC_MANAGEMENT_IN 0x4A
#define IDE_COMMAND_WRITE_LOG_DMA_EXT 0x57
#define IDE_COMMAND_TRUSTED_NON_DATA 0x5B
#define IDE_COMMAND_TRUSTED_RECEIVE 0x5C
#define IDE_COMMAND_TRUSTED_RECEIVE_DMA 0x5D
#define IDE_COMMAND_TRUSTED_SEND 0x5E
#define IDE_COMMAND_TRUSTED_SEND_DMA 0x5F
#define IDE_COMMAND_READ_FPDMA_QUEUED 0x60                  /* NCQ */
#define IDE_COMMAND_WRITE_FPDMA_QUEUED 0x61                 /* NCQ */
#define IDE_COMMAND_NCQ_NON_DATA 0x63                       /* NCQ; subcommand in FEATURE 3:0 */
#define IDE_COMMAND_SEND_FPDMA_QUEUED 0x64                  /* NCQ; subcommand in COUNT 12:8 */
#define IDE_COMMAND_RECEIVE_FPDMA_QUEUED 0x65               /* NCQ; subcommand in COUNT 12:8 */
#define IDE_COMMAND_SET_DATE_AND_TIME 0x77
#define IDE_COMMAND_REMOVE_ELEMENT_AND_TRUNCATE 0x7C
#define IDE_COMMAND_EXECUTE_DEVICE_DIAGNOSTIC 0x90
#define IDE_COMMAND_SET_DRIVE_PARAMETERS 0x91               /* INITIALIZE DEVICE PARAMETERS */
#define IDE_COMMAND_DOWNLOAD_MICROCODE 0x92
#define IDE_COMMAND_DOWNLOAD_MICROCODE_DMA 0x93
#define IDE_COMMAND_ZAC_MANAGEMENT_OUT 0x9F
#define IDE_COMMAND_ATAPI_PACKET 0xA0
#define IDE_COMMAND_ATAPI_IDENTIFY 0xA1                     /* IDENTIFY PACKET DEVICE */
#define IDE_COMMAND_SMART 0xB0                              /* subcommand (IDE_SMART_*) in FEATURE */
/* Windows' value, which a driver built for Windows sends; ACS-4's READ LOG DMA EXT is 47h (B1h is DEVICE
   CONFIGURATION OVERLAY), which our SATA disk model aborts (ABRT), as a device without it does. */
#define IDE_COMMAND_READ_LOG_DMA_EXT 0xB1
#define IDE_COMMAND_SANITIZE_DEVICE 0xB4
#define IDE_COMMAND_READ_MULTIPLE 0xC4
#define IDE_COMMAND_WRITE_MULTIPLE 0xC5
#define IDE_COMMAND_SET_MULTIPLE 0xC6
#define IDE_COMMAND_READ_DMA 0xC8
#define IDE_COMMAND_WRITE_DMA 0xCA
#define IDE_COMMAND_WRITE_DMA_QUEUED 0xCC
#define IDE_COMMAND_WRITE_MULTIPLE_FUA_EXT 0xCE
#define IDE_COMMAND_GET_MEDIA_STATUS 0xDA
#define IDE_COMMAND_DOOR_LOCK 0xDE
#define IDE_COMMAND_DOOR_UNLOCK 0xDF
#define IDE_COMMAND_STANDBY_IMMEDIATE 0xE0
#define IDE_COMMAND_IDLE_IMMEDIATE 0xE1
#define IDE_COMMAND_CHECK_POWER 0xE5
#define IDE_COMMAND_SLEEP 0xE6
#define IDE_COMMAND_FLUSH_CACHE 0xE7
#define IDE_COMMAND_FLUSH_CACHE_EXT 0xEA
#define IDE_COMMAND_IDENTIFY 0xEC
#define IDE_COMMAND_MEDIA_EJECT 0xED
#define IDE_COMMAND_SET_FEATURE 0xEF                        /* subcommand (IDE_FEATURE_*) in FEATURE */
#define IDE_COMMAND_SECURITY_SET_PASSWORD 0xF1
#define IDE_COMMAND_SECURITY_UNLOCK 0xF2
#define IDE_COMMAND_SECURITY_ERASE_PREPARE 0xF3
#define IDE_COMMAND_SECURITY_ERASE_UNIT 0xF4
#define IDE_COMMAND_SECURITY_FREEZE_LOCK 0xF5
#define IDE_COMMAND_SECURITY_DISABLE_PASSWORD 0xF6
/* Not an ATA opcode: Windows' marker for "no command". */
#define IDE_COMMAND_NOT_VALID 0xFF

/* ATAPI (MMC/SFF) command packet opcodes that ATA port drivers name here. */
#define ATAPI_MODE_SENSE 0x5A                               /* MODE SENSE (10) */
#define ATAPI_MODE_SELECT 0x55                              /* MODE SELECT (10) */
#define ATAPI_LS120_FORMAT_UNIT 0x24

/* ---- SET FEATURES (EFh): the FEATURE field (ACS-4) ---- */
#define IDE_FEATURE_ENABLE_WRITE_CACHE 0x2
#define IDE_FEATURE_SET_TRANSFER_MODE 0x3                   /* mode in COUNT: IDE_SET_*_MODE */
#define IDE_FEATURE_ENABLE_PUIS 0x6
#define IDE_FEATURE_PUIS_SPIN_UP 0x7
#define IDE_FEATURE_ENABLE_SATA_FEATURE 0x10                /* feature in COUNT: IDE_SATA_FEATURE_* */
#define IDE_FEATURE_DISABLE_MSN 0x31
#define IDE_FEATURE_DISABLE_REVERT_TO_POWER_ON 0x66
#define IDE_FEATURE_DISABLE_WRITE_CACHE 0x82
#define IDE_FEATURE_DISABLE_PUIS 0x86
#define IDE_FEATURE_DISABLE_SATA_FEATURE 0x90
#define IDE_FEATURE_ENABLE_MSN 0x95
/* The transfer mode for IDE_FEATURE_SET_TRANSFER_MODE (ACS-4): the mode class in bits 7:3, the mode number
   in 2:0. The default PIO mode is sent with IORDY disabled (1). */
#define IDE_SET_DEFAULT_PIO_MODE(mode) ((UCHAR)1)
#define IDE_SET_ADVANCE_PIO_MODE(mode) ((UCHAR)((1 << 3) | (mode)))
#define IDE_SET_SWDMA_MODE(mode) ((UCHAR)((1 << 4) | (mode)))
#define IDE_SET_MWDMA_MODE(mode) ((UCHAR)((1 << 5) | (mode)))
#define IDE_SET_UDMA_MODE(mode) ((UCHAR)((1 << 6) | (mode)))
/* Serial ATA features, in COUNT of IDE_FEATURE_ENABLE/DISABLE_SATA_FEATURE (SATA 3.x, ACS-4). */
#define IDE_SATA_FEATURE_NON_ZERO_DMA_BUFFER_OFFSET 0x1
#define IDE_SATA_FEATURE_DMA_SETUP_FIS_AUTO_ACTIVATE 0x2
#define IDE_SATA_FEATURE_DEVICE_INITIATED_POWER_MANAGEMENT 0x3
#define IDE_SATA_FEATURE_GUARANTEED_IN_ORDER_DELIVERY 0x4
#define IDE_SATA_FEATURE_ASYNCHRONOUS_NOTIFICATION 0x5
#define IDE_SATA_FEATURE_SOFTWARE_SETTINGS_PRESERVATION 0x6
#define IDE_SATA_FEATURE_DEVICE_AUTO_PARTIAL_TO_SLUMBER 0x7
#define IDE_SATA_FEATURE_ENABLE_HARDWARE_FEATURE_CONTROL 0x8
#define IDE_SATA_FEATURE_DEVSLP 0x9
#define IDE_SATA_FEATURE_HYBRID_INFORMATION 0xA

/* ---- SMART (B0h) subcommands, in FEATURE (ACS-4; the retired ones from ATA8-ACS) ---- */
#define IDE_SMART_READ_ATTRIBUTES 0xD0
#define IDE_SMART_READ_THRESHOLDS 0xD1
#define IDE_SMART_ENABLE_DISABLE_AUTOSAVE 0xD2
#define IDE_SMART_SAVE_ATTRIBUTE_VALUES 0xD3
#define IDE_SMART_EXECUTE_OFFLINE_DIAGS 0xD4
#define IDE_SMART_READ_LOG 0xD5
#define IDE_SMART_WRITE_LOG 0xD6
#define IDE_SMART_ENABLE 0xD8
#define IDE_SMART_DISABLE 0xD9
#define IDE_SMART_RETURN_STATUS 0xDA
#define IDE_SMART_ENABLE_DISABLE_AUTO_OFFLINE 0xDB

/* ---- DATA SET MANAGEMENT (06h): FEATURE bit 0 asks for TRIM (ACS-4) ---- */
#define IDE_DSM_FEATURE_TRIM 0x0001

/* ---- NCQ subcommands (ACS-4; SATA 3.x) ---- */
/* NCQ NON-DATA (63h), FEATURE 3:0. Subcommand 2 was named HYBRID CHANGE BY SIZE before it was renamed. */
#define IDE_NCQ_NON_DATA_ABORT_NCQ_QUEUE 0x00
#define IDE_NCQ_NON_DATA_DEADLINE_HANDLING 0x01
#define IDE_NCQ_NON_DATA_HYBRID_CHANGE_BY_SIZE 0x02
#define IDE_NCQ_NON_DATA_HYBRID_DEMOTE_BY_SIZE 0x02
#define IDE_NCQ_NON_DATA_HYBRID_CHANGE_BY_LBA_RANGE 0x03
#define IDE_NCQ_NON_DATA_HYBRID_CONTROL 0x04
/* SEND FPDMA QUEUED (64h), COUNT 12:8. */
#define IDE_NCQ_SEND_DATA_SET_MANAGEMENT 0x00
#define IDE_NCQ_SEND_HYBRID_EVICT 0x01

/* ---- general-purpose log addresses for READ LOG EXT (2Fh) and WRITE LOG EXT (3Fh) (ACS-4) ---- */
#define IDE_GP_LOG_DIRECTORY_ADDRESS 0x00
#define IDE_GP_SUMMARY_SMART_ERROR 0x01                     /* SMART logging only */
#define IDE_GP_COMPREHENSIVE_SMART_ERROR 0x02               /* SMART logging only */
#define IDE_GP_EXTENDED_COMPREHENSIVE_SMART_ERROR 0x03
#define IDE_GP_LOG_DEVICE_STATISTICS_ADDRESS 0x04
#define IDE_GP_SMART_SELF_TEST 0x06                         /* SMART logging only */
#define IDE_GP_EXTENDED_SMART_SELF_TEST 0x07
#define IDE_GP_LOG_POWER_CONDITIONS 0x08
#define IDE_GP_SELECTIVE_SELF_TEST 0x09                     /* SMART logging only */
#define IDE_GP_DEVICE_STATISTICS_NOTIFICATION 0x0A
#define IDE_GP_PENDING_DEFECTS 0x0C
#define IDE_GP_LPS_MISALIGNMENT 0x0D
#define IDE_GP_LOG_NCQ_COMMAND_ERROR_ADDRESS 0x10
#define IDE_GP_LOG_PHY_EVENT_COUNTER_ADDRESS 0x11
#define IDE_GP_LOG_NCQ_NON_DATA_ADDRESS 0x12
#define IDE_GP_LOG_NCQ_SEND_RECEIVE_ADDRESS 0x13
#define IDE_GP_LOG_HYBRID_INFO_ADDRESS 0x14
#define IDE_GP_LOG_REBUILD_ASSIST 0x15
#define IDE_GP_LOG_LBA_STATUS 0x19
#define IDE_GP_LOG_WRITE_STREAM_ERROR 0x21
#define IDE_GP_LOG_READ_STREAM_ERROR 0x22
#define IDE_GP_LOG_CURRENT_DEVICE_INTERNAL_STATUS 0x24
#define IDE_GP_LOG_SAVED_DEVICE_INTERNAL_STATUS 0x25
#define IDE_GP_LOG_IDENTIFY_DEVICE_DATA_ADDRESS 0x30
#define IDE_GP_LOG_SCT_COMMAND_STATUS 0xE0
#define IDE_GP_LOG_SCT_DATA_TRANSFER 0xE1
/* A log page is 512 bytes whatever the device's sector size; the version a log page header carries; page 0 of a
   multi-page log lists the pages supported. */
#define IDE_GP_LOG_SECTOR_SIZE 0x200
#define IDE_GP_LOG_VERSION 0x0001
#define IDE_GP_LOG_SUPPORTED_PAGES 0x00
/* Pages of the IDENTIFY DEVICE data log (30h; ACS-4). */
#define IDE_GP_LOG_IDENTIFY_DEVICE_DATA_SUPPORTED_CAPABILITIES_PAGE 0x03
#define IDE_GP_LOG_IDENTIFY_DEVICE_DATA_SATA_PAGE 0x08
#define IDE_GP_LOG_IDENTIFY_DEVICE_DATA_ZONED_DEVICE_INFORMATION_PAGE 0x09
/* Pages of the Device Statistics log (04h; ACS-4). */
#define IDE_GP_LOG_DEVICE_STATISTICS_GENERAL_PAGE 0x01
#define IDE_GP_LOG_DEVICE_STATISTICS_FREE_FALL_PAGE 0x02
#define IDE_GP_LOG_DEVICE_STATISTICS_ROTATING_MEDIA_PAGE 0x03
#define IDE_GP_LOG_DEVICE_STATISTICS_GENERAL_ERROR_PAGE 0x04
#define IDE_GP_LOG_DEVICE_STATISTICS_TEMPERATURE_PAGE 0x05
#define IDE_GP_LOG_DEVICE_STATISTICS_TRANSPORT_PAGE 0x06
#define IDE_GP_LOG_DEVICE_STATISTICS_SSD_PAGE 0x07
/* The device internal status logs' address, as their page 0 repeats it in LogAddress. */
#define CURRENT_DEVICE_INTERNAL_STATUS_DATA_LOG_ADDRESS 0x24
#define SAVED_DEVICE_INTERNAL_STATUS_DATA_LOG_ADDRESS 0x25

/* ---- Hybrid Information log header (ACS-4): Enabled, and the HybridHealth bits ---- */
#define HYBRID_INFORMATION_DISABLED 0x00
#define HYBRID_INFORMATION_DISABLE_IN_PROCESS 0x80
#define HYBRID_INFORMATION_ENABLED 0xFF
#define HYBRID_HEALTH_UNUSEABLE 0x01
#define HYBRID_HEALTH_NVM_SIZE_CHANGED 0x02
#define HYBRID_HEALTH_READ_ONLY 0x04
#define HYBRID_HEALTH_DATA_LOSS 0x08

/* ---- zoned devices (ZAC; IDENTIFY DEVICE word 69 bits 1:0) ---- */
#define ATA_ZONED_CAPABILITIES_NOT_REPORTED 0x0
#define ATA_ZONED_CAPABILITIES_HOST_AWARE 0x1
#define ATA_ZONED_CAPABILITIES_DEVICE_MANAGED 0x2
/* ZAC MANAGEMENT IN (4Ah) / OUT (9Fh) actions, in FEATURE 3:0; FEATURE bit 8 applies the action to every zone. */
#define ZM_ACTION_REPORT_ZONES 0x00
#define ZM_ACTION_CLOSE_ZONE 0x01
#define ZM_ACTION_FINISH_ZONE 0x02
#define ZM_ACTION_OPEN_ZONE 0x03
#define ZM_ACTION_RESET_WRITE_POINTER 0x04
#define ZM_ALL_ZONES_BIT (1 << 8)
/* REPORT ZONES EXT reporting options (ZAC). */
#define ATA_REPORT_ZONES_OPTION_LIST_ALL_ZONES 0x00
#define ATA_REPORT_ZONES_OPTION_LIST_EMPTY_ZONES 0x01
#define ATA_REPORT_ZONES_OPTION_LIST_IMPLICITLY_OPENED_ZONES 0x02
#define ATA_REPORT_ZONES_OPTION_LIST_EXPLICITLY_OPENED_ZONES 0x03
#define ATA_REPORT_ZONES_OPTION_LIST_CLOSED_ZONES 0x04
#define ATA_REPORT_ZONES_OPTION_LIST_FULL_ZONES 0x05
#define ATA_REPORT_ZONES_OPTION_LIST_READ_ONLY_ZONES 0x06
#define ATA_REPORT_ZONES_OPTION_LIST_OFFLINE_ZONES 0x07
#define ATA_REPORT_ZONES_OPTION_LIST_RWP_ZONES 0x10
#define ATA_REPORT_ZONES_OPTION_LIST_NON_SEQUENTIAL_WRITE_RESOURCES_ACTIVE_ZONES 0x11
#define ATA_REPORT_ZONES_OPTION_LIST_NOT_WRITE_POINTER_ZONES 0x3F
/* REPORT_ZONES_EXT_DATA.SAME: how the zones listed compare. */
#define ATA_ZONES_TYPE_AND_LENGTH_MAY_DIFFERENT 0x0
#define ATA_ZONES_TYPE_SAME_LENGTH_SAME 0x1
#define ATA_ZONES_TYPE_SAME_LAST_ZONE_LENGTH_DIFFERENT 0x2
#define ATA_ZONES_TYPE_MAY_DIFFERENT_LENGTH_SAME 0x3
/* ATA_ZONE_DESCRIPTOR.ZoneType and .ZoneCondition. */
#define ATA_ZONE_TYPE_CONVENTIONAL 0x1
#define ATA_ZONE_TYPE_SEQUENTIAL_WRITE_REQUIRED 0x2
#define ATA_ZONE_TYPE_SEQUENTIAL_WRITE_PREFERRED 0x3
#define ATA_ZONE_CONDITION_NOT_WRITE_POINTER 0x0
#define ATA_ZONE_CONDITION_EMPTY 0x1
#define ATA_ZONE_CONDITION_IMPLICITLY_OPENED 0x2
#define ATA_ZONE_CONDITION_EXPLICITLY_OPENED 0x3
#define ATA_ZONE_CONDITION_CLOSED 0x4
#define ATA_ZONE_CONDITION_READ_ONLY 0xD
#define ATA_ZONE_CONDITION_FULL 0xE
#define ATA_ZONE_CONDITION_OFFLINE 0xF

/* ---- SECURITY SET PASSWORD: DEVICE_SET_PASSWORD.ControlWord.PasswordIdentifier ---- */
#define ATA_DEVICE_SET_PASSWORD_MASTER 0x01
#define ATA_DEVICE_SET_PASSWORD_USER 0x00

#include "pshpack1.h"

/* ======================================================================================================================
 * IDENTIFY DEVICE (ECh): 256 words (ACS-4). MS Learn: ns-ata-_identify_device_data. The comment on each
 * line gives the word it starts.
 * ==================================================================================================================== */
typedef struct _IDENTIFY_DEVICE_DATA {
    struct {                                    /* 0 */
        USHORT Reserved1 : 1;
        USHORT Retired3 : 1;
        USHORT ResponseIncomplete : 1;
        USHORT Retired2 : 3;
        USHORT FixedDevice : 1;
        USHORT RemovableMedia : 1;
        USHORT Retired1 : 7;
        USHORT DeviceType : 1;                  /* 0: ATA device */
    } GeneralConfiguration;
    USHORT NumCylinders;                        /* 1 */
    USHORT SpecificConfiguration;               /* 2 */
    USHORT NumHeads;                            /* 3 */
    USHORT Retired1[2];                         /* 4 */
    USHORT NumSectorsPerTrack;                  /* 6 */
    USHORT VendorUnique1[3];                    /* 7 */
    UCHAR SerialNumber[20];                     /* 10: ATA string (byte-swapped pairs) */
    USHORT Retired2[2];                         /* 20 */
    USHORT Obsolete1;                           /* 22 */
    UCHAR FirmwareRevision[8];                  /* 23 */
    UCHAR ModelNumber[40];                      /* 27 */
    UCHAR MaximumBlockTransfer;                 /* 47 */
    UCHAR VendorUnique2;
    struct {                                    /* 48: Trusted Computing feature set */
        USHORT FeatureSupported : 1;
        USHORT Reserved : 15;
    } TrustedComputing;
    struct {                                    /* 49 */
        UCHAR CurrentLongPhysicalSectorAlignment : 2;
        UCHAR ReservedByte49 : 6;
        UCHAR DmaSupported : 1;
        UCHAR LbaSupported : 1;
        UCHAR IordyDisable : 1;
        UCHAR IordySupported : 1;
        UCHAR Reserved1 : 1;
        UCHAR StandybyTimerSupport : 1;
        UCHAR Reserved2 : 2;
        USHORT ReservedWord50;                  /* 50 */
    } Capabilities;
    USHORT ObsoleteWords51[2];                  /* 51 */
    USHORT TranslationFieldsValid : 3;          /* 53 */
    USHORT Reserved3 : 5;
    USHORT FreeFallControlSensitivity : 8;
    USHORT NumberOfCurrentCylinders;            /* 54 */
    USHORT NumberOfCurrentHeads;                /* 55 */
    USHORT CurrentSectorsPerTrack;              /* 56 */
    ULONG CurrentSectorCapacity;                /* 57 */
    UCHAR CurrentMultiSectorSetting;            /* 59 */
    UCHAR MultiSectorSettingValid : 1;
    UCHAR ReservedByte59 : 3;
    UCHAR SanitizeFeatureSupported : 1;
    UCHAR CryptoScrambleExtCommandSupported : 1;
    UCHAR OverwriteExtCommandSupported : 1;
    UCHAR BlockEraseExtCommandSupported : 1;
    ULONG UserAddressableSectors;               /* 60: 28-bit capacity */
    USHORT ObsoleteWord62;                      /* 62 */
    USHORT MultiWordDMASupport : 8;             /* 63 */
    USHORT MultiWordDMAActive : 8;
    USHORT AdvancedPIOModes : 8;                /* 64 */
    USHORT ReservedByte64 : 8;
    USHORT MinimumMWXferCycleTime;              /* 65 */
    USHORT RecommendedMWXferCycleTime;          /* 66 */
    USHORT MinimumPIOCycleTime;                 /* 67 */
    USHORT MinimumPIOCycleTimeIORDY;            /* 68 */
    struct {                                    /* 69: additional supported */
        USHORT ZonedCapabilities : 2;
        USHORT NonVolatileWriteCache : 1;
        USHORT ExtendedUserAddressableSectorsSupported : 1;
        USHORT DeviceEncryptsAllUserData : 1;
        USHORT ReadZeroAfterTrimSupported : 1;
        USHORT Optional28BitCommandsSupported : 1;
        USHORT IEEE1667 : 1;
        USHORT DownloadMicrocodeDmaSupported : 1;
        USHORT SetMaxSetPasswordUnlockDmaSupported : 1;
        USHORT WriteBufferDmaSupported : 1;
        USHORT ReadBufferDmaSupported : 1;
        USHORT DeviceConfigIdentifySetDmaSupported : 1;
        USHORT LPSAERCSupported : 1;
        USHORT DeterministicReadAfterTrimSupported : 1;
        USHORT CFastSpecSupported : 1;
    } AdditionalSupported;
    USHORT ReservedWords70[5];                  /* 70 */
    USHORT QueueDepth : 5;                      /* 75: maximum queue depth - 1 */
    USHORT ReservedWord75 : 11;
    struct {                                    /* 76: Serial ATA capabilities (77: additional) */
        USHORT Reserved0 : 1;
        USHORT SataGen1 : 1;
        USHORT SataGen2 : 1;
        USHORT SataGen3 : 1;
        USHORT Reserved1 : 4;
        USHORT NCQ : 1;
        USHORT HIPM : 1;
        USHORT PhyEvents : 1;
        USHORT NcqUnload : 1;
        USHORT NcqPriority : 1;
        USHORT HostAutoPS : 1;
        USHORT DeviceAutoPS : 1;
        USHORT ReadLogDMA : 1;
        USHORT Reserved2 : 1;                   /* 77 */
        USHORT CurrentSpeed : 3;
        USHORT NcqStreaming : 1;
        USHORT NcqQueueMgmt : 1;
        USHORT NcqReceiveSend : 1;
        USHORT DEVSLPtoReducedPwrState : 1;
        USHORT Reserved3 : 8;
    } SerialAtaCapabilities;
    struct {                                    /* 78: Serial ATA features supported */
        USHORT Reserved0 : 1;
        USHORT NonZeroOffsets : 1;
        USHORT DmaSetupAutoActivate : 1;
        USHORT DIPM : 1;
        USHORT InOrderData : 1;
        USHORT HardwareFeatureControl : 1;
        USHORT SoftwareSettingsPreservation : 1;
        USHORT NCQAutosense : 1;
        USHORT DEVSLP : 1;
        USHORT HybridInformation : 1;
        USHORT Reserved1 : 6;
    } SerialAtaFeaturesSupported;
    struct {                                    /* 79: Serial ATA features enabled */
        USHORT Reserved0 : 1;
        USHORT NonZeroOffsets : 1;
        USHORT DmaSetupAutoActivate : 1;
        USHORT DIPM : 1;
        USHORT InOrderData : 1;
        USHORT HardwareFeatureControl : 1;
        USHORT SoftwareSettingsPreservation : 1;
        USHORT DeviceAutoPS : 1;
        USHORT DEVSLP : 1;
        USHORT HybridInformation : 1;
        USHORT Reserved1 : 6;
    } SerialAtaFeaturesEnabled;
    USHORT MajorRevision;                       /* 80 */
    USHORT MinorRevision;                       /* 81 */
    struct {                                    /* 82-84: commands and feature sets supported */
        USHORT SmartCommands : 1;
        USHORT SecurityMode : 1;
        USHORT RemovableMediaFeature : 1;
        USHORT PowerManagement : 1;
        USHORT Reserved1 : 1;
        USHORT WriteCache : 1;
        USHORT LookAhead : 1;
        USHORT ReleaseInterrupt : 1;
        USHORT ServiceInterrupt : 1;
        USHORT DeviceReset : 1;
        USHORT HostProtectedArea : 1;
        USHORT Obsolete1 : 1;
        USHORT WriteBuffer : 1;
        USHORT ReadBuffer : 1;
        USHORT Nop : 1;
        USHORT Obsolete2 : 1;
        USHORT DownloadMicrocode : 1;           /* 83 */
        USHORT DmaQueued : 1;
        USHORT Cfa : 1;
        USHORT AdvancedPm : 1;
        USHORT Msn : 1;
        USHORT PowerUpInStandby : 1;
        USHORT ManualPowerUp : 1;
        USHORT Reserved2 : 1;
        USHORT SetMax : 1;
        USHORT Acoustics : 1;
        USHORT BigLba : 1;
        USHORT DeviceConfigOverlay : 1;
        USHORT FlushCache : 1;
        USHORT FlushCacheExt : 1;
        USHORT WordValid83 : 2;                 /* 01b: word 83 valid */
        USHORT SmartErrorLog : 1;               /* 84 */
        USHORT SmartSelfTest : 1;
        USHORT MediaSerialNumber : 1;
        USHORT MediaCardPassThrough : 1;
        USHORT StreamingFeature : 1;
        USHORT GpLogging : 1;
        USHORT WriteFua : 1;
        USHORT WriteQueuedFua : 1;
        USHORT WWN64Bit : 1;
        USHORT URGReadStream : 1;
        USHORT URGWriteStream : 1;
        USHORT ReservedForTechReport : 2;
        USHORT IdleWithUnloadFeature : 1;
        USHORT WordValid : 2;                   /* 01b: word 84 valid */
    } CommandSetSupport;
    struct {                                    /* 85-87: commands and feature sets enabled */
        USHORT SmartCommands : 1;
        USHORT SecurityMode : 1;
        USHORT RemovableMediaFeature : 1;
        USHORT PowerManagement : 1;
        USHORT Reserved1 : 1;
        USHORT WriteCache : 1;
        USHORT LookAhead : 1;
        USHORT ReleaseInterrupt : 1;
        USHORT ServiceInterrupt : 1;
        USHORT DeviceReset : 1;
        USHORT HostProtectedArea : 1;
        USHORT Obsolete1 : 1;
        USHORT WriteBuffer : 1;
        USHORT ReadBuffer : 1;
        USHORT Nop : 1;
        USHORT Obsolete2 : 1;
        USHORT DownloadMicrocode : 1;           /* 86 */
        USHORT DmaQueued : 1;
        USHORT Cfa : 1;
        USHORT AdvancedPm : 1;
        USHORT Msn : 1;
        USHORT PowerUpInStandby : 1;
        USHORT ManualPowerUp : 1;
        USHORT Reserved2 : 1;
        USHORT SetMax : 1;
        USHORT Acoustics : 1;
        USHORT BigLba : 1;
        USHORT DeviceConfigOverlay : 1;
        USHORT FlushCache : 1;
        USHORT FlushCacheExt : 1;
        USHORT Resrved3 : 1;
        USHORT Words119_120Valid : 1;
        USHORT SmartErrorLog : 1;               /* 87 */
        USHORT SmartSelfTest : 1;
        USHORT MediaSerialNumber : 1;
        USHORT MediaCardPassThrough : 1;
        USHORT StreamingFeature : 1;
        USHORT GpLogging : 1;
        USHORT WriteFua : 1;
        USHORT WriteQueuedFua : 1;
        USHORT WWN64Bit : 1;
        USHORT URGReadStream : 1;
        USHORT URGWriteStream : 1;
        USHORT ReservedForTechReport : 2;
        USHORT IdleWithUnloadFeature : 1;
        USHORT Reserved4 : 2;
    } CommandSetActive;
    USHORT UltraDMASupport : 8;                 /* 88 */
    USHORT UltraDMAActive : 8;
    struct {                                    /* 89: normal SECURITY ERASE UNIT time */
        USHORT TimeRequired : 15;
        USHORT ExtendedTimeReported : 1;
    } NormalSecurityEraseUnit;
    struct {                                    /* 90: enhanced SECURITY ERASE UNIT time */
        USHORT TimeRequired : 15;
        USHORT ExtendedTimeReported : 1;
    } EnhancedSecurityEraseUnit;
    USHORT CurrentAPMLevel : 8;                 /* 91 */
    USHORT ReservedWord91 : 8;
    USHORT MasterPasswordID;                    /* 92 */
    USHORT HardwareResetResult;                 /* 93 */
    USHORT CurrentAcousticValue : 8;            /* 94 */
    USHORT RecommendedAcousticValue : 8;
    USHORT StreamMinRequestSize;                /* 95 */
    USHORT StreamingTransferTimeDMA;            /* 96 */
    USHORT StreamingAccessLatencyDMAPIO;        /* 97 */
    ULONG StreamingPerfGranularity;             /* 98 */
    ULONG Max48BitLBA[2];                       /* 100: 48-bit capacity */
    USHORT StreamingTransferTime;               /* 104 */
    USHORT DsmCap;                              /* 105: maximum 512-byte blocks of DSM ranges */
    struct {                                    /* 106: physical and logical sector size */
        USHORT LogicalSectorsPerPhysicalSector : 4;
        USHORT Reserved0 : 8;
        USHORT LogicalSectorLongerThan256Words : 1;
        USHORT MultipleLogicalSectorsPerPhysicalSector : 1;
        USHORT Reserved1 : 2;                   /* 01b: word 106 valid */
    } PhysicalLogicalSectorSize;
    USHORT InterSeekDelay;                      /* 107 */
    USHORT WorldWideName[4];                    /* 108 */
    USHORT ReservedForWorldWideName128[4];      /* 112 */
    USHORT ReservedForTlcTechnicalReport;       /* 116 */
    USHORT WordsPerLogicalSector[2];            /* 117 */
    struct {                                    /* 119: more commands and feature sets supported */
        USHORT ReservedForDrqTechnicalReport : 1;
        USHORT WriteReadVerify : 1;
        USHORT WriteUncorrectableExt : 1;
        USHORT ReadWriteLogDmaExt : 1;
        USHORT DownloadMicrocodeMode3 : 1;
        USHORT FreefallControl : 1;
        USHORT SenseDataReporting : 1;
        USHORT ExtendedPowerConditions : 1;
        USHORT Reserved0 : 6;
        USHORT WordValid : 2;
    } CommandSetSupportExt;
    struct {                                    /* 120: ... and enabled */
        USHORT ReservedForDrqTechnicalReport : 1;
        USHORT WriteReadVerify : 1;
        USHORT WriteUncorrectableExt : 1;
        USHORT ReadWriteLogDmaExt : 1;
        USHORT DownloadMicrocodeMode3 : 1;
        USHORT FreefallControl : 1;
        USHORT SenseDataReporting : 1;
        USHORT ExtendedPowerConditions : 1;
        USHORT Reserved0 : 6;
        USHORT Reserved1 : 2;
    } CommandSetActiveExt;
    USHORT ReservedForExpandedSupportandActive[6]; /* 121 */
    USHORT MsnSupport : 2;                      /* 127 */
    USHORT ReservedWord127 : 14;
    struct {                                    /* 128: security status */
        USHORT SecuritySupported : 1;
        USHORT SecurityEnabled : 1;
        USHORT SecurityLocked : 1;
        USHORT SecurityFrozen : 1;
        USHORT SecurityCountExpired : 1;
        USHORT EnhancedSecurityEraseSupported : 1;
        USHORT Reserved0 : 2;
        USHORT SecurityLevel : 1;
        USHORT Reserved1 : 7;
    } SecurityStatus;
    USHORT ReservedWord129[31];                 /* 129: vendor specific */
    struct {                                    /* 160: CFA power mode */
        USHORT MaximumCurrentInMA : 12;
        USHORT CfaPowerMode1Disabled : 1;
        USHORT CfaPowerMode1Required : 1;
        USHORT Reserved0 : 1;
        USHORT Word160Supported : 1;
    } CfaPowerMode1;
    USHORT ReservedForCfaWord161[7];            /* 161 */
    USHORT NominalFormFactor : 4;               /* 168 */
    USHORT ReservedWord168 : 12;
    struct {                                    /* 169: DATA SET MANAGEMENT */
        USHORT SupportsTrim : 1;
        USHORT Reserved0 : 15;
    } DataSetManagementFeature;
    USHORT AdditionalProductID[4];              /* 170 */
    USHORT ReservedForCfaWord174[2];            /* 174 */
    USHORT CurrentMediaSerialNumber[30];        /* 176 */
    struct {                                    /* 206: SCT Command Transport */
        USHORT Supported : 1;
        USHORT Reserved0 : 1;
        USHORT WriteSameSuported : 1;
        USHORT ErrorRecoveryControlSupported : 1;
        USHORT FeatureControlSuported : 1;
        USHORT DataTablesSuported : 1;
        USHORT Reserved1 : 6;
        USHORT VendorSpecific : 4;
    } SCTCommandTransport;
    USHORT ReservedWord207[2];                  /* 207 */
    struct {                                    /* 209: alignment of logical blocks within a physical block */
        USHORT AlignmentOfLogicalWithinPhysical : 14;
        USHORT Word209Supported : 1;
        USHORT Reserved0 : 1;
    } BlockAlignment;
    USHORT WriteReadVerifySectorCountMode3Only[2]; /* 210 */
    USHORT WriteReadVerifySectorCountMode2Only[2]; /* 212 */
    struct {                                    /* 214: NV Cache capabilities */
        USHORT NVCachePowerModeEnabled : 1;
        USHORT Reserved0 : 3;
        USHORT NVCacheFeatureSetEnabled : 1;
        USHORT Reserved1 : 3;
        USHORT NVCachePowerModeVersion : 4;
        USHORT NVCacheFeatureSetVersion : 4;
    } NVCacheCapabilities;
    USHORT NVCacheSizeLSW;                      /* 215 */
    USHORT NVCacheSizeMSW;                      /* 216 */
    USHORT NominalMediaRotationRate;            /* 217: 1 = non-rotating (solid state) */
    USHORT ReservedWord218;                     /* 218 */
    struct {                                    /* 219 */
        UCHAR NVCacheEstimatedTimeToSpinUpInSeconds;
        UCHAR Reserved;
    } NVCacheOptions;
    USHORT WriteReadVerifySectorCountMode : 8;  /* 220 */
    USHORT ReservedWord220 : 8;
    USHORT ReservedWord221;                     /* 221 */
    struct {                                    /* 222: transport major version */
        USHORT MajorVersion : 12;
        USHORT TransportType : 4;
    } TransportMajorVersion;
    USHORT TransportMinorVersion;               /* 223 */
    USHORT ReservedWord224[6];                  /* 224 */
    ULONG ExtendedNumberOfUserAddressableSectors[2]; /* 230 */
    USHORT MinBlocksPerDownloadMicrocodeMode03; /* 234 */
    USHORT MaxBlocksPerDownloadMicrocodeMode03; /* 235 */
    USHORT ReservedWord236[19];                 /* 236 */
    USHORT Signature : 8;                       /* 255: A5h, then the checksum */
    USHORT CheckSum : 8;
} IDENTIFY_DEVICE_DATA, *PIDENTIFY_DEVICE_DATA;
C_ASSERT(sizeof(IDENTIFY_DEVICE_DATA) == 512);
C_ASSERT(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, SerialAtaCapabilities) == 2 * 76);
C_ASSERT(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, CommandSetSupport) == 2 * 82);
C_ASSERT(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, Max48BitLBA) == 2 * 100);
C_ASSERT(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, DataSetManagementFeature) == 2 * 169);
C_ASSERT(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, NominalMediaRotationRate) == 2 * 217);
C_ASSERT(FIELD_OFFSET(IDENTIFY_DEVICE_DATA, ExtendedNumberOfUserAddressableSectors) == 2 * 230);

/* ======================================================================================================================
 * IDENTIFY PACKET DEVICE (A1h): the ATAPI device's 256 words (ACS-4; the older words from ATA8-ACS).
 * ==================================================================================================================== */
typedef struct _IDENTIFY_PACKET_DATA {
    struct {                                    /* 0 */
        USHORT PacketType : 2;                  /* 00b: 12-byte command packet */
        USHORT IncompleteResponse : 1;
        USHORT Reserved1 : 2;
        USHORT DrqDelay : 2;
        USHORT RemovableMedia : 1;
        USHORT CommandPacketType : 5;           /* the SCSI peripheral device type */
        USHORT Reserved2 : 1;
        USHORT DeviceType : 2;                  /* 10b: ATAPI device */
    } GeneralConfiguration;
    USHORT ResevedWord1;                        /* 1 */
    USHORT UniqueConfiguration;                 /* 2 */
    USHORT ReservedWords3[7];                   /* 3 */
    UCHAR SerialNumber[20];                     /* 10 */
    USHORT ReservedWords20[3];                  /* 20 */
    UCHAR FirmwareRevision[8];                  /* 23 */
    UCHAR ModelNumber[40];                      /* 27 */
    USHORT ReservedWords47[2];                  /* 47 */
    struct {                                    /* 49 */
        USHORT VendorSpecific : 8;
        USHORT DmaSupported : 1;
        USHORT LbaSupported : 1;
        USHORT IordyDisabled : 1;
        USHORT IordySupported : 1;
        USHORT Obsolete : 1;
        USHORT OverlapSupported : 1;
        USHORT QueuedCommandsSupported : 1;
        USHORT InterleavedDmaSupported : 1;
        USHORT DeviceSpecificStandbyTimerValueMin : 1; /* 50 */
        USHORT Obsolete1 : 1;
        USHORT ReservedWord50 : 12;
        USHORT WordValid : 2;
    } Capabilities;
    USHORT ObsoleteWords51[2];                  /* 51 */
    USHORT TranslationFieldsValid : 3;          /* 53 */
    USHORT Reserved3 : 13;
    USHORT ReservedWords54[8];                  /* 54 */
    struct {                                    /* 62: DMA modes, and whether PACKET needs the DMADIR bit */
        USHORT UDMA0Supported : 1;
        USHORT UDMA1Supported : 1;
        USHORT UDMA2Supported : 1;
        USHORT UDMA3Supported : 1;
        USHORT UDMA4Supported : 1;
        USHORT UDMA5Supported : 1;
        USHORT UDMA6Supported : 1;
        USHORT MDMA0Supported : 1;
        USHORT MDMA1Supported : 1;
        USHORT MDMA2Supported : 1;
        USHORT DMASupported : 1;
        USHORT ReservedWord62 : 4;
        USHORT DMADIRBitRequired : 1;
    } DMADIR;
    USHORT MultiWordDMASupport : 8;             /* 63 */
    USHORT MultiWordDMAActive : 8;
    USHORT AdvancedPIOModes : 8;                /* 64 */
    USHORT ReservedByte64 : 8;
    USHORT MinimumMWXferCycleTime;              /* 65 */
    USHORT RecommendedMWXferCycleTime;          /* 66 */
    USHORT MinimumPIOCycleTime;                 /* 67 */
    USHORT MinimumPIOCycleTimeIORDY;            /* 68 */
    USHORT ReservedWords69[2];                  /* 69 */
    USHORT BusReleaseDelay;                     /* 71 */
    USHORT ServiceCommandDelay;                 /* 72 */
    USHORT ReservedWords73[2];                  /* 73 */
    USHORT QueueDepth : 5;                      /* 75 */
    USHORT ReservedWord75 : 11;
    struct {                                    /* 76 */
        USHORT Reserved0 : 1;
        USHORT SataGen1 : 1;
        USHORT SataGen2 : 1;
        USHORT SataGen3 : 1;
        USHORT Reserved1 : 5;
        USHORT HIPM : 1;
        USHORT PhyEvents : 1;
        USHORT Reserved3 : 2;
        USHORT HostAutoPS : 1;
        USHORT DeviceAutoPS : 1;
        USHORT Reserved4 : 1;
        USHORT Reserved5 : 1;                   /* 77 */
        USHORT CurrentSpeed : 3;
        USHORT SlimlineDeviceAttention : 1;
        USHORT HostEnvironmentDetect : 1;
        USHORT Reserved : 10;
    } SerialAtaCapabilities;
    struct {                                    /* 78 */
        USHORT Reserved0 : 1;
        USHORT Reserved1 : 2;
        USHORT DIPM : 1;
        USHORT Reserved2 : 1;
        USHORT AsynchronousNotification : 1;
        USHORT SoftwareSettingsPreservation : 1;
        USHORT Reserved3 : 9;
    } SerialAtaFeaturesSupported;
    struct {                                    /* 79 */
        USHORT Reserved0 : 1;
        USHORT Reserved1 : 2;
        USHORT DIPM : 1;
        USHORT Reserved2 : 1;
        USHORT AsynchronousNotification : 1;
        USHORT SoftwareSettingsPreservation : 1;
        USHORT DeviceAutoPS : 1;
        USHORT Reserved3 : 8;
    } SerialAtaFeaturesEnabled;
    USHORT MajorRevision;                       /* 80 */
    USHORT MinorRevision;                       /* 81 */
    struct {                                    /* 82-84 */
        USHORT SmartCommands : 1;
        USHORT SecurityMode : 1;
        USHORT RemovableMedia : 1;
        USHORT PowerManagement : 1;
        USHORT PacketCommands : 1;
        USHORT WriteCache : 1;
        USHORT LookAhead : 1;
        USHORT ReleaseInterrupt : 1;
        USHORT ServiceInterrupt : 1;
        USHORT DeviceReset : 1;
        USHORT HostProtectedArea : 1;
        USHORT Obsolete1 : 1;
        USHORT WriteBuffer : 1;
        USHORT ReadBuffer : 1;
        USHORT Nop : 1;
        USHORT Obsolete2 : 1;
        USHORT DownloadMicrocode : 1;           /* 83 */
        USHORT Reserved1 : 2;
        USHORT AdvancedPm : 1;
        USHORT Msn : 1;
        USHORT PowerUpInStandby : 1;
        USHORT ManualPowerUp : 1;
        USHORT Reserved2 : 1;
        USHORT SetMax : 1;
        USHORT Reserved3 : 3;
        USHORT FlushCache : 1;
        USHORT Reserved4 : 1;
        USHORT WordValid : 2;
    } CommandSetSupport;
    struct {
        USHORT Reserved0 : 5;                   /* 84 */
        USHORT GpLogging : 1;
        USHORT Reserved1 : 2;
        USHORT WWN64Bit : 1;
        USHORT Reserved2 : 5;
        USHORT WordValid : 2;
    } CommandSetSupportExt;
    struct {                                    /* 85-87 */
        USHORT SmartCommands : 1;
        USHORT SecurityMode : 1;
        USHORT RemovableMedia : 1;
        USHORT PowerManagement : 1;
        USHORT PacketCommands : 1;
        USHORT WriteCache : 1;
        USHORT LookAhead : 1;
        USHORT ReleaseInterrupt : 1;
        USHORT ServiceInterrupt : 1;
        USHORT DeviceReset : 1;
        USHORT HostProtectedArea : 1;
        USHORT Obsolete1 : 1;
        USHORT WriteBuffer : 1;
        USHORT ReadBuffer : 1;
        USHORT Nop : 1;
        USHORT Obsolete2 : 1;
        USHORT DownloadMicrocode : 1;           /* 86 */
        USHORT Reserved1 : 2;
        USHORT AdvancedPm : 1;
        USHORT Msn : 1;
        USHORT PowerUpInStandby : 1;
        USHORT ManualPowerUp : 1;
        USHORT Reserved2 : 1;
        USHORT SetMax : 1;
        USHORT Reserved3 : 3;
        USHORT FlushCache : 1;
        USHORT Reserved : 3;
    } CommandSetActive;
    struct {
        USHORT Reserved0 : 5;                   /* 87 */
        USHORT GpLogging : 1;
        USHORT Reserved1 : 2;
        USHORT WWN64Bit : 1;
        USHORT Reserved2 : 5;
        USHORT WordValid : 2;
    } CommandSetActiveExt;
    USHORT UltraDMASupport : 8;                 /* 88 */
    USHORT UltraDMAActive : 8;
    USHORT TimeRequiredForNormalEraseModeSecurityEraseUnit; /* 89 */
    USHORT TimeRequiredForEnhancedEraseModeSecurityEraseUnit; /* 90 */
    USHORT CurrentAPMLevel;                     /* 91 */
    USHORT MasterPasswordID;                    /* 92 */
    USHORT HardwareResetResult;                 /* 93 */
    USHORT ReservedWords94[14];                 /* 94 */
    USHORT WorldWideName[4];                    /* 108 */
    USHORT ReservedWords112[13];                /* 112 */
    USHORT AtapiZeroByteCount;                  /* 125 */
    USHORT ReservedWord126;                     /* 126 */
    USHORT MsnSupport : 2;                      /* 127 */
    USHORT ReservedWord127 : 14;
    USHORT SecurityStatus;                      /* 128 */
    USHORT VendorSpecific[31];                  /* 129 */
    USHORT ReservedWord160[16];                 /* 160 */
    USHORT ReservedWord176[46];                 /* 176 */
    struct {                                    /* 222 */
        USHORT MajorVersion : 12;
        USHORT TransportType : 4;
    } TransportMajorVersion;
    USHORT TransportMinorVersion;               /* 223 */
    USHORT ReservedWord224[31];                 /* 224 */
    USHORT Signature : 8;                       /* 255 */
    USHORT CheckSum : 8;
} IDENTIFY_PACKET_DATA, *PIDENTIFY_PACKET_DATA;
C_ASSERT(sizeof(IDENTIFY_PACKET_DATA) == 512);
C_ASSERT(FIELD_OFFSET(IDENTIFY_PACKET_DATA, DMADIR) == 2 * 62);
C_ASSERT(FIELD_OFFSET(IDENTIFY_PACKET_DATA, SerialAtaCapabilities) == 2 * 76);
C_ASSERT(FIELD_OFFSET(IDENTIFY_PACKET_DATA, TransportMajorVersion) == 2 * 222);

/* ---- REGISTER_FIS: the Serial ATA Register Host to Device FIS (type 27h; SATA 3.x), its fields named by the
   parallel-ATA registers they carry ---- */
typedef struct _REGISTER_FIS {
    UCHAR FisType;                              /* 27h */
    UCHAR Reserved0 : 7;                        /* PM port */
    UCHAR CmdReg : 1;                           /* 1: the Command register is updated */
    UCHAR Command;
    UCHAR Features;
    UCHAR SectorNumber;                         /* LBA 7:0 */
    UCHAR CylinderLow;                          /* LBA 15:8 */
    UCHAR CylinderHigh;                         /* LBA 23:16 */
    UCHAR DeviceHead;
    UCHAR SectorNumberExp;                      /* LBA 31:24 */
    UCHAR CylinderLowExp;                       /* LBA 39:32 */
    UCHAR CylinderHighExp;                      /* LBA 47:40 */
    UCHAR FeaturesExp;
    UCHAR SectorCount;
    UCHAR SectorCountExp;
    UCHAR Reserved2;
    UCHAR Control;
    ULONG Reserved3;
} REGISTER_FIS, *PREGISTER_FIS;
C_ASSERT(sizeof(REGISTER_FIS) == 20);

/* ---- the Hybrid Information field a command carries in AUXILIARY 23:16 (ACS-4, Hybrid Information feature
   set): the priority the data is to get in the caching medium ---- */
typedef union _ATA_HYBRID_INFO_FIELDS {
    struct {
        UCHAR HybridPriority : 4;
        UCHAR Reserved0 : 1;
        UCHAR InfoValid : 1;
        UCHAR Reserved1 : 2;
    };
    UCHAR AsUchar;
} ATA_HYBRID_INFO_FIELDS, *PATA_HYBRID_INFO_FIELDS;
C_ASSERT(sizeof(ATA_HYBRID_INFO_FIELDS) == 1);

/* ---- SECURITY SET PASSWORD (F1h) data (ACS-4) ---- */
typedef struct _DEVICE_SET_PASSWORD {
    struct {
        USHORT PasswordIdentifier : 1;          /* ATA_DEVICE_SET_PASSWORD_USER or _MASTER */
        USHORT Reserved1 : 7;
        USHORT MasterPasswordCapability : 1;    /* 0: high, 1: maximum */
        USHORT Reserved2 : 7;
    } ControlWord;
    USHORT Password[16];                        /* byte 2 */
    USHORT MasterPasswordIdentifier;            /* byte 34 */
    USHORT Reserved[238];
} DEVICE_SET_PASSWORD, *PDEVICE_SET_PASSWORD;
C_ASSERT(sizeof(DEVICE_SET_PASSWORD) == 512);

/* ======================================================================================================================
 * General-purpose log pages, 512 bytes each, read with READ LOG EXT (2Fh) or READ LOG DMA EXT (47h) (ACS-4).
 * ==================================================================================================================== */

/* ---- IDENTIFY DEVICE data log (30h; ACS-4): every page starts with this header; its fields are qwords whose
   bit 63 says the field is valid ---- */
typedef struct _IDENTIFY_DEVICE_DATA_LOG_PAGE_HEADER {
    ULONGLONG RevisionNumber : 16;              /* IDE_GP_LOG_VERSION */
    ULONGLONG PageNumber : 8;
    ULONGLONG Reserved : 39;
    ULONGLONG Valid : 1;
} IDENTIFY_DEVICE_DATA_LOG_PAGE_HEADER, *PIDENTIFY_DEVICE_DATA_LOG_PAGE_HEADER;
C_ASSERT(sizeof(IDENTIFY_DEVICE_DATA_LOG_PAGE_HEADER) == 8);

/* Page 03h, Supported Capabilities (ACS-4). The capability bits run from bit 0 (WRV) up; a ReservedN member is
   bit N. */
typedef struct _IDENTIFY_DEVICE_DATA_LOG_PAGE_SUPPORTED_CAPABILITIES {
    IDENTIFY_DEVICE_DATA_LOG_PAGE_HEADER Header;
    struct {                                    /* byte 8 */
        ULONGLONG WRV : 1;
        ULONGLONG WriteUncorrectable : 1;
        ULONGLONG GplDma : 1;
        ULONGLONG DmMode3 : 1;
        ULONGLONG FreeFall : 1;
        ULONGLONG SenseData : 1;
        ULONGLONG EPC : 1;
        ULONGLONG SmartErrorLogging : 1;
        ULONGLONG SmartSelfTest : 1;
        ULONGLONG Reserved9 : 1;
        ULONGLONG Streaming : 1;
        ULONGLONG GPL : 1;
        ULONGLONG WriteFuaExt : 1;
        ULONGLONG Unload : 1;
        ULONGLONG DownloadMicrocode : 1;
        ULONGLONG Reserved15ForCFA : 1;
        ULONGLONG APM : 1;
        ULONGLONG PUIS : 1;
        ULONGLONG SpinUp : 1;
        ULONGLONG Reserved19 : 1;
        ULONGLONG Cmd48Bit : 1;
        ULONGLONG Reserved21 : 1;
        ULONGLONG FlushCacheExt : 1;
        ULONGLONG Smart : 1;
        ULONGLONG VolatileWriteCache : 1;
        ULONGLONG ReadLookahead : 1;
        ULONGLONG Reserved26 : 1;
        ULONGLONG WriteBuffer : 1;
        ULONGLONG ReadBuffer : 1;
        ULONGLONG NOP : 1;
        ULONGLONG Reserved30 : 1;
        ULONGLONG RZAT : 1;
        ULONGLONG Cmd28bit : 1;
        ULONGLONG DownloadMicrocodeDma : 1;
        ULONGLONG Reserved34 : 1;
        ULONGLONG WriteBufferDma : 1;
        ULONGLONG ReadBufferDma : 1;
        ULONGLONG Reserved37 : 1;
        ULONGLONG LpsMisalignmentReporting : 1;
        ULONGLONG DRAT : 1;
        ULONGLONG Reserved40ForCFA : 1;
        ULONGLONG AmaxAddr : 1;
        ULONGLONG SetEpcPowerSource : 1;
        ULONGLONG LowPowerStandby : 1;
        ULONGLONG DSN : 1;
        ULONGLONG RequestSenseDeviceFault : 1;
        ULONGLONG Reserved : 17;
        ULONGLONG Valid : 1;
    } SupportedCapabilities;
    struct {                                    /* byte 16: DOWNLOAD MICROCODE, in 512-byte blocks */
        ULONGLONG DmMinTransferSize : 16;
        ULONGLONG DmMaxTransferSize : 16;
        ULONGLONG DmOffsetsImmediateSupported : 1;
        ULONGLONG DmImmediateSupported : 1;
        ULONGLONG DmOffsetsDeferredSupported : 1;
        ULONGLONG Reserved : 28;
        ULONGLONG Valid : 1;
    } DownloadMicrocodeCapabilities;
    struct {                                    /* byte 24: as IDENTIFY DEVICE word 217 */
        ULONGLONG Rate : 16;
        ULONGLONG Reserved : 47;
        ULONGLONG Valid : 1;
    } NominalMediaRotationRate;
    struct {                                    /* byte 32: as IDENTIFY DEVICE word 168 */
        ULONGLONG Factor : 4;
        ULONGLONG Reserved : 59;
        ULONGLONG Valid : 1;
    } NominalFormFactor;
    struct {                                    /* byte 40 */
        ULONGLONG Count : 32;
        ULONGLONG Reserved : 31;
        ULONGLONG Valid : 1;
    } WRVSectorCountMode3;
    struct {                                    /* byte 48 */
        ULONGLONG Count : 32;
        ULONGLONG Reserved : 31;
        ULONGLONG Valid : 1;
    } WRVSectorCountMode2;
    struct {                                    /* byte 56: 128 bits, the name in the low 64 */
        ULONGLONG Name;
        ULONGLONG Reserved : 63;
        ULONGLONG Valid : 1;
    } WorldWideName;
    struct {                                    /* byte 72 */
        ULONGLONG TrimSupported : 1;
        ULONGLONG Reserved : 62;
        ULONGLONG Valid : 1;
    } DataSetManagement;
    struct {                                    /* byte 80: 128 bits */
        ULONGLONG UtilizationA : 32;
        ULONGLONG UtilizationB : 32;
        ULONGLONG Reserved0 : 32;
        ULONGLONG UtilizationInterval : 8;
        ULONGLONG UtilizationUnit : 8;
        ULONGLONG UtilizationType : 8;
        ULONGLONG Reserved1 : 7;
        ULONGLONG Valid : 1;
    } UtilizationPerUnitTime;
    struct {                                    /* byte 96 */
        ULONGLONG DateTimeRateBasisSupported : 1;
        ULONGLONG Reserved0 : 3;
        ULONGLONG PowerOnHoursRateBasisSupported : 1;
        ULONGLONG Reserved1 : 3;
        ULONGLONG SincePowerOnRateBasisSupported : 1;
        ULONGLONG Reserved2 : 14;
        ULONGLONG SettingRateBasisSupported : 1;
        ULONGLONG Reserved3 : 39;
        ULONGLONG Valid : 1;
    } UtilizationUsageRateSupport;
    struct {                                    /* byte 104: as IDENTIFY DEVICE word 69 bits 1:0 */
        ULONGLONG Zoned : 2;
        ULONGLONG Reserved : 61;
        ULONGLONG Valid : 1;
    } ZonedCapabilities;
    struct {                                    /* byte 112 */
        ULONGLONG ReportZonesExtSupported : 1;
        ULONGLONG NonDataOpenZoneExtSupported : 1;
        ULONGLONG NonDataCloseZoneExtSupported : 1;
        ULONGLONG NonDataFinishZoneExtSupported : 1;
        ULONGLONG NonDataResetWritePointersExtSupported : 1;
        ULONGLONG Reserved : 58;
        ULONGLONG Valid : 1;
    } SupportedZacCapabilities;
    UCHAR Reserved[392];                        /* byte 120 */
} IDENTIFY_DEVICE_DATA_LOG_PAGE_SUPPORTED_CAPABILITIES, *PIDENTIFY_DEVICE_DATA_LOG_PAGE_SUPPORTED_CAPABILITIES;
C_ASSERT(sizeof(IDENTIFY_DEVICE_DATA_LOG_PAGE_SUPPORTED_CAPABILITIES) == 512);
C_ASSERT(FIELD_OFFSET(IDENTIFY_DEVICE_DATA_LOG_PAGE_SUPPORTED_CAPABILITIES, DataSetManagement) == 72);

/* Page 09h, Zoned Device Information (ZAC). MS Learn: ns-ata-_identify_device_data_log_page_zoned_device_info */
typedef struct _IDENTIFY_DEVICE_DATA_LOG_PAGE_ZONED_DEVICE_INFO {
    IDENTIFY_DEVICE_DATA_LOG_PAGE_HEADER Header;
    struct {                                    /* byte 8 */
        ULONGLONG URSWRZ : 1;                   /* unrestricted read in sequential write required zones */
        ULONGLONG Reserved : 62;
        ULONGLONG Valid : 1;
    } ZonedDeviceCapabilities;
    struct {                                    /* byte 16 */
        ULONGLONG Reserved : 63;
        ULONGLONG Valid : 1;
    } ZonedDeviceSettings;
    struct {                                    /* byte 24 */
        ULONGLONG Number : 32;
        ULONGLONG Reserved : 31;
        ULONGLONG Valid : 1;
    } OptimalNumberOfOpenSequentialWritePreferredZones;
    struct {                                    /* byte 32 */
        ULONGLONG Number : 32;
        ULONGLONG Reserved : 31;
        ULONGLONG Valid : 1;
    } OptimalNumberOfNonSequentiallyWrittenSequentialWritePreferredZones;
    struct {                                    /* byte 40 */
        ULONGLONG Number : 32;
        ULONGLONG Reserved : 31;
        ULONGLONG Valid : 1;
    } MaxNumberOfOpenSequentialWriteRequiredZones;
    struct {                                    /* byte 48 */
        ULONGLONG ZacMinorVersion : 16;
        ULONGLONG Reserved0 : 47;
        ULONGLONG Valid : 1;
    } Version;
    UCHAR Reserved[456];                        /* byte 56 */
} IDENTIFY_DEVICE_DATA_LOG_PAGE_ZONED_DEVICE_INFO, *PIDENTIFY_DEVICE_DATA_LOG_PAGE_ZONED_DEVICE_INFO;
C_ASSERT(sizeof(IDENTIFY_DEVICE_DATA_LOG_PAGE_ZONED_DEVICE_INFO) == 512);

/* ---- Current Device Internal Status (24h) and Saved Device Internal Status (25h) logs, page 0 (ACS-4):
   where the three data areas end, in log pages. MS Learn: ns-ata-_current_device_internal_status_log ---- */
typedef struct _CURRENT_DEVICE_INTERNAL_STATUS_LOG {
    UCHAR LogAddress;                           /* CURRENT_DEVICE_INTERNAL_STATUS_DATA_LOG_ADDRESS */
    UCHAR Reserved0[3];
    ULONG OrganizationID;                       /* IEEE company ID */
    USHORT Area1LastLogPage;
    USHORT Area2LastLogPage;
    USHORT Area3LastLogPage;
    UCHAR Reserved2[368];
    UCHAR SavedDataAvailable;                   /* byte 382 */
    UCHAR SavedDataGenerationNumber;
    UCHAR ReasonIdentifier[128];
} CURRENT_DEVICE_INTERNAL_STATUS_LOG, *PCURRENT_DEVICE_INTERNAL_STATUS_LOG;
C_ASSERT(sizeof(CURRENT_DEVICE_INTERNAL_STATUS_LOG) == 512);
C_ASSERT(FIELD_OFFSET(CURRENT_DEVICE_INTERNAL_STATUS_LOG, SavedDataAvailable) == 382);
typedef struct _SAVED_DEVICE_INTERNAL_STATUS_LOG {
    UCHAR LogAddress;                           /* SAVED_DEVICE_INTERNAL_STATUS_DATA_LOG_ADDRESS */
    UCHAR Reserved0[3];
    ULONG OrganizationID;
    USHORT Area1LastLogPage;
    USHORT Area2LastLogPage;
    USHORT Area3LastLogPage;
    UCHAR Reserved2[368];
    UCHAR SavedDataAvailable;
    UCHAR GenerationNumber;
    UCHAR ReasonIdentifier[128];
} SAVED_DEVICE_INTERNAL_STATUS_LOG, *PSAVED_DEVICE_INTERNAL_STATUS_LOG;
C_ASSERT(sizeof(SAVED_DEVICE_INTERNAL_STATUS_LOG) == 512);

/* ---- Device Statistics log (04h; ACS-4): every page starts with this header ---- */
typedef struct _DEVICE_STATISTICS_LOG_PAGE_HEADER {
    ULONGLONG RevisionNumber : 16;              /* IDE_GP_LOG_VERSION */
    ULONGLONG PageNumber : 8;                   /* IDE_GP_LOG_DEVICE_STATISTICS_*_PAGE */
    ULONGLONG Reserved : 40;
} DEVICE_STATISTICS_LOG_PAGE_HEADER, *PDEVICE_STATISTICS_LOG_PAGE_HEADER;
C_ASSERT(sizeof(DEVICE_STATISTICS_LOG_PAGE_HEADER) == 8);

/* Page 00h: the pages supported. */
typedef struct _GP_LOG_SUPPORTED_DEVICE_STATISTICS {
    DEVICE_STATISTICS_LOG_PAGE_HEADER Header;
    UCHAR NumberOfEntries;
    UCHAR LogPageNumbers[503];
} GP_LOG_SUPPORTED_DEVICE_STATISTICS, *PGP_LOG_SUPPORTED_DEVICE_STATISTICS;
C_ASSERT(sizeof(GP_LOG_SUPPORTED_DEVICE_STATISTICS) == 512);

/* Each statistic is a qword: the value in the low bits, then reserved bits up to bit 55, then the statistic's flags in
   the top byte (ACS-4): bit 59 monitored condition met, 60 supports DSN, 61 normalized, 62 value valid,
   63 supported. MPT_ATA_STATISTIC(name, value member, width) declares one; it is this header's own and undefined
   after the pages. */
#define MPT_ATA_STATISTIC(name, value, width) \
    struct { \
        ULONGLONG value : width; \
        ULONGLONG Reserved : 56 - width; \
        ULONGLONG ReservedFlags : 3; \
        ULONGLONG MonitoredConditionMet : 1; \
        ULONGLONG StatisticsSupportsDsn : 1; \
        ULONGLONG Normalized : 1; \
        ULONGLONG ValidValue : 1; \
        ULONGLONG Supported : 1; \
    } name

/* Page 01h, General Statistics (ACS-4). */
typedef struct _GP_LOG_GENERAL_STATISTICS {
    DEVICE_STATISTICS_LOG_PAGE_HEADER Header;
    MPT_ATA_STATISTIC(LifeTimePoweronResets, Count, 32);
    MPT_ATA_STATISTIC(PoweronHours, Count, 32);
    MPT_ATA_STATISTIC(LogicalSectorsWritten, Count, 48);
    MPT_ATA_STATISTIC(WriteCommandCount, Count, 48);
    MPT_ATA_STATISTIC(LogicalSectorsRead, Count, 48);
    MPT_ATA_STATISTIC(ReadCommandCount, Count, 48);
    MPT_ATA_STATISTIC(DateAndTime, TimeStamp, 48); /* byte 56: milliseconds since 1970-01-01 00:00 UTC */
    MPT_ATA_STATISTIC(PendingErrorCount, Count, 32);
    MPT_ATA_STATISTIC(WorkloadUtilizaton, Value, 16); /* percent of the rated workload */
    struct {                                    /* byte 80: utilization usage rate */
        ULONGLONG Value : 8;
        ULONGLONG Reserved0 : 28;
        ULONGLONG RateBasis : 4;
        ULONGLONG RateValidity : 8;
        ULONGLONG Reserved1 : 8;
        ULONGLONG ReservedFlags : 3;
        ULONGLONG MonitoredConditionMet : 1;
        ULONGLONG StatisticsSupportsDsn : 1;
        ULONGLONG Normalized : 1;
        ULONGLONG ValidValue : 1;
        ULONGLONG Supported : 1;
    } UtilizationUsageRate;
    UCHAR Reserved[424];                        /* byte 88 */
} GP_LOG_GENERAL_STATISTICS, *PGP_LOG_GENERAL_STATISTICS;
C_ASSERT(sizeof(GP_LOG_GENERAL_STATISTICS) == 512);
C_ASSERT(FIELD_OFFSET(GP_LOG_GENERAL_STATISTICS, DateAndTime) == 56);

/* Page 02h, Free-Fall Statistics (ACS-4). */
typedef struct _GP_LOG_FREE_FALL_STATISTICS {
    DEVICE_STATISTICS_LOG_PAGE_HEADER Header;
    MPT_ATA_STATISTIC(NumberofFreeFallEventsDetected, Count, 32);
    MPT_ATA_STATISTIC(OverlimitShockEvents, Count, 32);
    UCHAR Reserved[488];
} GP_LOG_FREE_FALL_STATISTICS, *PGP_LOG_FREE_FALL_STATISTICS;
C_ASSERT(sizeof(GP_LOG_FREE_FALL_STATISTICS) == 512);

/* Page 03h, Rotating Media Statistics (ACS-4). */
typedef struct _GP_LOG_ROTATING_MEDIA_STATISTICS {
    DEVICE_STATISTICS_LOG_PAGE_HEADER Header;
    MPT_ATA_STATISTIC(SpindleMotorPoweronHours, Count, 32);
    MPT_ATA_STATISTIC(HeadFlyingHours, Count, 32);
    MPT_ATA_STATISTIC(HeadLoadEvents, Count, 32);
    MPT_ATA_STATISTIC(NumberOfReallocatedLogicalSectors, Count, 32);
    MPT_ATA_STATISTIC(ReadRecoveryAttempts, Count, 32);
    MPT_ATA_STATISTIC(NumberOfMechanicalStartFailures, Count, 32);
    MPT_ATA_STATISTIC(NumberOfReallocationCandidateLogicalSectors, Count, 32);
    MPT_ATA_STATISTIC(NumberOfHighPriorityUnloadEvents, Count, 32);
    UCHAR Reserved[440];
} GP_LOG_ROTATING_MEDIA_STATISTICS, *PGP_LOG_ROTATING_MEDIA_STATISTICS;
C_ASSERT(sizeof(GP_LOG_ROTATING_MEDIA_STATISTICS) == 512);

/* Page 04h, General Errors Statistics (ACS-4). */
typedef struct _GP_LOG_GENERAL_ERROR_STATISTICS {
    DEVICE_STATISTICS_LOG_PAGE_HEADER Header;
    MPT_ATA_STATISTIC(NumberOfReportedUncorrectableErrors, Count, 32);
    MPT_ATA_STATISTIC(NumberOfResetsBetweenCommandAcceptanceAndCommandCompletion, Count, 32);
    UCHAR Reserved[488];
} GP_LOG_GENERAL_ERROR_STATISTICS, *PGP_LOG_GENERAL_ERROR_STATISTICS;
C_ASSERT(sizeof(GP_LOG_GENERAL_ERROR_STATISTICS) == 512);

/* Page 05h, Temperature Statistics (ACS-4): degrees Celsius as a signed byte. Windows declares every entry,
   the two "time in" minute counts included, with an 8-bit Value. */
typedef struct _GP_LOG_TEMPERATURE_STATISTICS {
    DEVICE_STATISTICS_LOG_PAGE_HEADER Header;
    MPT_ATA_STATISTIC(CurrentTemperature, Value, 8);
    MPT_ATA_STATISTIC(AverageShortTermTemperature, Value, 8);
    MPT_ATA_STATISTIC(AverageLongTermTemperature, Value, 8);
    MPT_ATA_STATISTIC(HighestTemperature, Value, 8);
    MPT_ATA_STATISTIC(LowestTemperature, Value, 8);
    MPT_ATA_STATISTIC(HighestAverageShortTermTemperature, Value, 8);
    MPT_ATA_STATISTIC(LowestAverageShortTermTemperature, Value, 8);
    MPT_ATA_STATISTIC(HighstAverageLongTermTemperature, Value, 8);
    MPT_ATA_STATISTIC(LowestAverageLongTermTemperature, Value, 8);
    MPT_ATA_STATISTIC(TimeInOverTemperature, Value, 8);
    MPT_ATA_STATISTIC(SpecifiedMaximumOperatingTemperature, Value, 8); /* byte 88 */
    MPT_ATA_STATISTIC(TimeInUnderTemperature, Value, 8);
    MPT_ATA_STATISTIC(SpecifiedMinimumOperatingTemperature, Value, 8);
    UCHAR Reserved[400];                        /* byte 112 */
} GP_LOG_TEMPERATURE_STATISTICS, *PGP_LOG_TEMPERATURE_STATISTICS;
C_ASSERT(sizeof(GP_LOG_TEMPERATURE_STATISTICS) == 512);
C_ASSERT(FIELD_OFFSET(GP_LOG_TEMPERATURE_STATISTICS, SpecifiedMaximumOperatingTemperature) == 88);

/* Page 06h, Transport Statistics (ACS-4). */
typedef struct _GP_LOG_TRANSPORT_STATISTICS {
    DEVICE_STATISTICS_LOG_PAGE_HEADER Header;
    MPT_ATA_STATISTIC(NumberOfHardwareResets, Count, 8);
    MPT_ATA_STATISTIC(NumberOfAsrEvents, Count, 32);
    MPT_ATA_STATISTIC(NumberOfInterfaceCrcErrors, Count, 32);
    UCHAR Reserved[480];
} GP_LOG_TRANSPORT_STATISTICS, *PGP_LOG_TRANSPORT_STATISTICS;
C_ASSERT(sizeof(GP_LOG_TRANSPORT_STATISTICS) == 512);

/* Page 07h, Solid State Device Statistics (ACS-4). */
typedef struct _GP_LOG_SOLID_STATE_DEVICE_STATISTICS {
    DEVICE_STATISTICS_LOG_PAGE_HEADER Header;
    MPT_ATA_STATISTIC(PercentageUsedEnduranceIndicator, Value, 8);
    UCHAR Reserved[496];
} GP_LOG_SOLID_STATE_DEVICE_STATISTICS, *PGP_LOG_SOLID_STATE_DEVICE_STATISTICS;
C_ASSERT(sizeof(GP_LOG_SOLID_STATE_DEVICE_STATISTICS) == 512);

#undef MPT_ATA_STATISTIC

/* ---- NCQ Command Error log (10h; ACS-4): the failed command's tag and task file, and its sense data ---- */
typedef struct _GP_LOG_NCQ_COMMAND_ERROR {
    UCHAR NcqTag : 5;
    UCHAR Reserved0 : 1;
    UCHAR UNL : 1;
    UCHAR NonQueuedCmd : 1;
    UCHAR Reserved1;
    UCHAR Status;
    UCHAR Error;
    UCHAR LBA7_0;
    UCHAR LBA15_8;
    UCHAR LBA23_16;
    UCHAR Device;
    UCHAR LBA31_24;
    UCHAR LBA39_32;
    UCHAR LBA47_40;
    UCHAR Reserved2;
    UCHAR Count7_0;
    UCHAR Count15_8;
    UCHAR SenseKey;
    UCHAR ASC;
    UCHAR ASCQ;
    UCHAR Reserved3[239];
    UCHAR Vendor[255];
    UCHAR Checksum;
} GP_LOG_NCQ_COMMAND_ERROR, *PGP_LOG_NCQ_COMMAND_ERROR;
C_ASSERT(sizeof(GP_LOG_NCQ_COMMAND_ERROR) == 512);

/* ---- NCQ Non-Data log (12h; ACS-4): which NCQ NON-DATA subcommands the device supports ---- */
typedef struct _GP_LOG_NCQ_NON_DATA {
    struct {                                    /* 0: ABORT NCQ QUEUE */
        ULONG AbortNcq : 1;
        ULONG AbortAll : 1;
        ULONG AbortStreaming : 1;
        ULONG AbortNonStreaming : 1;
        ULONG AbortSelectedTTag : 1;
        ULONG Reserved : 27;
    } SubCmd0;
    struct {                                    /* 1: DEADLINE HANDLING */
        ULONG DeadlineHandling : 1;
        ULONG WriteDataNotContinue : 1;
        ULONG ReadDataNotContinue : 1;
        ULONG Reserved : 29;
    } SubCmd1;
    struct {                                    /* 2: HYBRID DEMOTE BY SIZE */
        ULONG HybridDemoteBySize : 1;
        ULONG Reserved : 31;
    } SubCmd2;
    struct {                                    /* 3: HYBRID CHANGE BY LBA RANGE */
        ULONG HybridChangeByLbaRange : 1;
        ULONG Reserved : 31;
    } SubCmd3;
    struct {                                    /* 4: HYBRID CONTROL */
        ULONG HybridControl : 1;
        ULONG Reserved : 31;
    } SubCmd4;
    /* 5-Fh: no capability bits */
    struct { ULONG Reserved : 32; } SubCmd5;
    struct { ULONG Reserved : 32; } SubCmd6;
    struct { ULONG Reserved : 32; } SubCmd7;
    struct { ULONG Reserved : 32; } SubCmd8;
    struct { ULONG Reserved : 32; } SubCmd9;
    struct { ULONG Reserved : 32; } SubCmdA;
    struct { ULONG Reserved : 32; } SubCmdB;
    struct { ULONG Reserved : 32; } SubCmdC;
    struct { ULONG Reserved : 32; } SubCmdD;
    struct { ULONG Reserved : 32; } SubCmdE;
    struct { ULONG Reserved : 32; } SubCmdF;
    ULONG Reserved[112];                        /* byte 64 */
} GP_LOG_NCQ_NON_DATA, *PGP_LOG_NCQ_NON_DATA;
C_ASSERT(sizeof(GP_LOG_NCQ_NON_DATA) == 512);

/* ---- NCQ Send and Receive log (13h; ACS-4) ---- */
typedef struct _GP_LOG_NCQ_SEND_RECEIVE {
    struct {
        ULONG DataSetManagement : 1;
        ULONG HybridEvict : 1;
        ULONG Reserved : 30;
    } SubCmd;
    struct {
        ULONG Trim : 1;
        ULONG Reserved : 31;
    } DataSetManagement;
    ULONG Reserved[126];
} GP_LOG_NCQ_SEND_RECEIVE, *PGP_LOG_NCQ_SEND_RECEIVE;
C_ASSERT(sizeof(GP_LOG_NCQ_SEND_RECEIVE) == 512);

/* ---- Hybrid Information log (14h; ACS-4): a 64-byte header, then HybridInfoDescrCount descriptors of
   16 bytes ---- */
typedef struct _GP_LOG_HYBRID_INFORMATION_HEADER {
    USHORT HybridInfoDescrCount : 4;
    USHORT Reserved0 : 12;
    UCHAR Enabled;                              /* byte 2: HYBRID_INFORMATION_* */
    UCHAR HybridHealth;                         /* HYBRID_HEALTH_* */
    UCHAR DirtyLowThreshold;
    UCHAR DirtyHighThreshold;
    UCHAR OptimalWriteGranularity;
    UCHAR MaximumHybridPriorityLevel : 4;       /* byte 7 */
    UCHAR Reserved1 : 4;
    UCHAR PowerCondidtion;
    UCHAR CachingMediumEnabled;
    struct {                                    /* byte 10 */
        UCHAR MaximumPriorityBehavior : 1;
        UCHAR SupportCacheBehavior : 1;
        UCHAR Reserved : 6;
    } SupportedOptions;
    UCHAR Reserved2;
    ULONG TimeSinceEnabled;                     /* byte 12 */
    ULONGLONG NVMSize;                          /* byte 16: logical sectors */
    ULONGLONG EnableCount;                      /* byte 24 */
    USHORT MaximumEvictionCommands : 5;         /* byte 32 */
    USHORT Reserved3 : 11;
    USHORT MaximumEvictionDataBlocks;
    UCHAR Reserved[28];                         /* byte 36 */
} GP_LOG_HYBRID_INFORMATION_HEADER, *PGP_LOG_HYBRID_INFORMATION_HEADER;
C_ASSERT(sizeof(GP_LOG_HYBRID_INFORMATION_HEADER) == 64);
C_ASSERT(FIELD_OFFSET(GP_LOG_HYBRID_INFORMATION_HEADER, NVMSize) == 16);
typedef struct _GP_LOG_HYBRID_INFORMATION_DESCRIPTOR {
    UCHAR HybridPriority;
    UCHAR ConsumedNVMSizeFraction;
    UCHAR ConsumedMappingResourcesFraction;
    UCHAR ConsumedNVMSizeForDirtyDataFraction;
    UCHAR ConsumedMappingResourcesForDirtyDataFraction;
    UCHAR Reserved[11];
} GP_LOG_HYBRID_INFORMATION_DESCRIPTOR, *PGP_LOG_HYBRID_INFORMATION_DESCRIPTOR;
C_ASSERT(sizeof(GP_LOG_HYBRID_INFORMATION_DESCRIPTOR) == 16);
typedef struct _GP_LOG_HYBRID_INFORMATION {
    GP_LOG_HYBRID_INFORMATION_HEADER Header;
    GP_LOG_HYBRID_INFORMATION_DESCRIPTOR Descriptor[0];
} GP_LOG_HYBRID_INFORMATION, *PGP_LOG_HYBRID_INFORMATION;
C_ASSERT(sizeof(GP_LOG_HYBRID_INFORMATION) == 64);

/* ======================================================================================================================
 * Zoned devices: REPORT ZONES EXT data (ZAC): a 64-byte header, then 64-byte zone descriptors.
 * MS Learn: ns-ata-_report_zones_ext_data, ns-ata-_ata_zone_descriptor
 * ==================================================================================================================== */
typedef struct _REPORT_ZONES_EXT_DATA {
    ULONG ZoneListLength;                       /* bytes of descriptors */
    UCHAR SAME : 4;                             /* ATA_ZONES_TYPE_* */
    UCHAR Reserved0 : 4;
    UCHAR Reserved1[3];
    ULONGLONG MaxLBA : 48;                      /* byte 8 */
    ULONGLONG Reserved2 : 16;
    UCHAR Reserved3[48];
} REPORT_ZONES_EXT_DATA, *PREPORT_ZONES_EXT_DATA;
C_ASSERT(sizeof(REPORT_ZONES_EXT_DATA) == 64);
typedef struct _ATA_ZONE_DESCRIPTOR {
    UCHAR ZoneType : 4;                         /* ATA_ZONE_TYPE_* */
    UCHAR Reserved0 : 4;
    UCHAR Reset : 1;                            /* byte 1 */
    UCHAR NonSeq : 1;
    UCHAR Reserved1 : 2;
    UCHAR ZoneCondition : 4;                    /* ATA_ZONE_CONDITION_* */
    UCHAR Reserved2[6];
    ULONGLONG ZoneLength : 48;                  /* byte 8 */
    ULONGLONG Reserved3 : 16;
    ULONGLONG ZoneStartLBA : 48;                /* byte 16 */
    ULONGLONG Reserved4 : 16;
    ULONGLONG WritePointerLBA : 48;             /* byte 24 */
    ULONGLONG Reserved5 : 16;
    UCHAR Reserved6[32];
} ATA_ZONE_DESCRIPTOR, *PATA_ZONE_DESCRIPTOR;
C_ASSERT(sizeof(ATA_ZONE_DESCRIPTOR) == 64);

/* ======================================================================================================================
 * GET PHYSICAL ELEMENT STATUS (12h) data (ACS-4): a 32-byte header, then 32-byte descriptors. The declaration
 * holds one descriptor (ANYSIZE_ARRAY), as Windows'.
 * ==================================================================================================================== */
typedef struct _ATA_PHYSICAL_ELEMENT_STATUS_DESCRIPTOR {
    UCHAR Reserved1[4];
    ULONG ElementIdentifier;                    /* byte 4 */
    UCHAR Reserved2[6];
    UCHAR PhysicalElementType;                  /* byte 14 */
    UCHAR PhysicalElementHealth;
    ULONGLONG AssociatedCapacity;               /* byte 16: logical sectors */
    UCHAR Reserved3[8];
} ATA_PHYSICAL_ELEMENT_STATUS_DESCRIPTOR, *PATA_PHYSICAL_ELEMENT_STATUS_DESCRIPTOR;
C_ASSERT(sizeof(ATA_PHYSICAL_ELEMENT_STATUS_DESCRIPTOR) == 32);
typedef struct _ATA_GET_PHYSICAL_ELEMENT_STATUS_PARAMETER_DATA {
    ULONG NumberOfDescriptors;
    ULONG NumberOfDescriptorsReturned;
    ULONG ElementIdentifierBeingDepoped;
    UCHAR Reserved[20];
    ATA_PHYSICAL_ELEMENT_STATUS_DESCRIPTOR Descriptors[ANYSIZE_ARRAY]; /* byte 32 */
} ATA_GET_PHYSICAL_ELEMENT_STATUS_PARAMETER_DATA, *PATA_GET_PHYSICAL_ELEMENT_STATUS_PARAMETER_DATA;
C_ASSERT(FIELD_OFFSET(ATA_GET_PHYSICAL_ELEMENT_STATUS_PARAMETER_DATA, Descriptors) == 32);

#include "poppack.h"
