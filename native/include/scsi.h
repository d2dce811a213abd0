/*
 * MiniportTimers: scsi.h, the SCSI definitions a Storport miniport names: the CDB union, SENSE_DATA, INQUIRYDATA, the
 * VPD and mode pages, READ CAPACITY's answers, SCSIOP_* and the sense codes. Written for this project from the scsi.h
 * reference pages on MS Learn (https://learn.microsoft.com/en-us/windows-hardware/drivers/ddi/scsi/) and from the T10
 * command sets (SPC-4, SBC-3/4, SAT-3, ZBC, and MMC/SSC/SMC for the optical, tape and changer commands). Names,
 * values, sizes and offsets are Windows x64's, since real drivers are compiled against them; `make -C native
 * abi-check` compares every size, member offset and constant here with mingw-w64's headers, an independent reference,
 * and native/abi/exceptions.txt lists where that reference differs from Windows.
 * Bit fields are declared UCHAR, lowest bit first, as MSVC lays them out (-mms-bitfields); a byte's fields share a line.
 */
#pragma once

#include "ntdef.h"
/* MODE SENSE's CDBs have two layouts, chosen by the Windows version a driver targets (NTDDI_VERSION); a build that
   sets none gets the newer one, as sdkddkver.h gives it Windows 10's version by default. */
#include "sdkddkver.h"

/* ---- CDB lengths and small CDB constants ---- */
#define CDB6GENERIC_LENGTH 6
#define CDB10GENERIC_LENGTH 10
#define CDB12GENERIC_LENGTH 12
#define SETBITON 1
#define SETBITOFF 0
#define CDB_RETURN_ON_COMPLETION 0
#define CDB_RETURN_IMMEDIATE 1
#define CDB_FORCE_MEDIA_ACCESS 0x08    /* the FUA bit of byte 1 of a 10-byte CDB */
#define CDB_INQUIRY_EVPD 0x01
#define LUN0_FORMAT_SAVING_DEFECT_LIST 0
#define USE_DEFAULTMSB 0
#define USE_DEFAULTLSB 0
#define START_UNIT_CODE 0x01
#define STOP_UNIT_CODE 0x00
#define CDB_AUDIO_PAUSE 0x00
#define CDB_AUDIO_RESUME 0x01
#define CDB_DEVICE_START 0x11
#define CDB_DEVICE_STOP 0x10
#define CDB_EJECT_MEDIA 0x10
#define CDB_LOAD_MEDIA 0x01
#define CDB_SUBCHANNEL_HEADER 0x00
#define CDB_SUBCHANNEL_BLOCK 0x01
#define CDB_USE_MSF 0x01
#define MODE_SELECT_IMMEDIATE 0x04
#define MODE_SELECT_PFBIT 0x10
#define GET_LAST_SESSION 0x01
#define GET_SESSION_DATA 0x02

/* ---- Operation codes (SPC-4, SBC-3, SSC, SMC, MMC; one code has a name per command set that uses it) ---- */
/* 6-byte commands */
#define SCSIOP_TEST_UNIT_READY 0x00
#define SCSIOP_REZERO_UNIT 0x01
#define SCSIOP_REWIND 0x01
#define SCSIOP_REQUEST_BLOCK_ADDR 0x02
#define SCSIOP_REQUEST_SENSE 0x03
#define SCSIOP_FORMAT_UNIT 0x04
#define SCSIOP_READ_BLOCK_LIMITS 0x05
#define SCSIOP_REASSIGN_BLOCKS 0x07
#define SCSIOP_INIT_ELEMENT_STATUS 0x07
#define SCSIOP_READ6 0x08
#define SCSIOP_RECEIVE 0x08
#define SCSIOP_WRITE6 0x0A
#define SCSIOP_PRINT 0x0A
#define SCSIOP_SEND 0x0A
#define SCSIOP_SEEK6 0x0B
#define SCSIOP_TRACK_SELECT 0x0B
#define SCSIOP_SLEW_PRINT 0x0B
#define SCSIOP_SET_CAPACITY 0x0B
#define SCSIOP_SEEK_BLOCK 0x0C
#define SCSIOP_PARTITION 0x0D
#define SCSIOP_READ_REVERSE 0x0F
#define SCSIOP_WRITE_FILEMARKS 0x10
#define SCSIOP_FLUSH_BUFFER 0x10
#define SCSIOP_SPACE 0x11
#define SCSIOP_INQUIRY 0x12
#define SCSIOP_VERIFY6 0x13
#define SCSIOP_RECOVER_BUF_DATA 0x14
#define SCSIOP_MODE_SELECT 0x15
#define SCSIOP_RESERVE_UNIT 0x16
#define SCSIOP_RELEASE_UNIT 0x17
#define SCSIOP_COPY 0x18
#define SCSIOP_ERASE 0x19
#define SCSIOP_MODE_SENSE 0x1A
#define SCSIOP_START_STOP_UNIT 0x1B
#define SCSIOP_STOP_PRINT 0x1B
#define SCSIOP_LOAD_UNLOAD 0x1B
#define SCSIOP_RECEIVE_DIAGNOSTIC 0x1C
#define SCSIOP_SEND_DIAGNOSTIC 0x1D
#define SCSIOP_MEDIUM_REMOVAL 0x1E
/* 10-byte commands */
#define SCSIOP_READ_FORMATTED_CAPACITY 0x23
#define SCSIOP_READ_CAPACITY 0x25
#define SCSIOP_READ 0x28
#define SCSIOP_WRITE 0x2A
#define SCSIOP_SEEK 0x2B
#define SCSIOP_LOCATE 0x2B
#define SCSIOP_POSITION_TO_ELEMENT 0x2B
#define SCSIOP_WRITE_VERIFY 0x2E
#define SCSIOP_VERIFY 0x2F
#define SCSIOP_SEARCH_DATA_HIGH 0x30
#define SCSIOP_SEARCH_DATA_EQUAL 0x31
#define SCSIOP_SEARCH_DATA_LOW 0x32
#define SCSIOP_SET_LIMITS 0x33
#define SCSIOP_READ_POSITION 0x34
#define SCSIOP_SYNCHRONIZE_CACHE 0x35
#define SCSIOP_COMPARE 0x39
#define SCSIOP_COPY_COMPARE 0x3A
#define SCSIOP_WRITE_DATA_BUFF 0x3B
#define SCSIOP_READ_DATA_BUFF 0x3C
#define SCSIOP_WRITE_LONG 0x3F
#define SCSIOP_CHANGE_DEFINITION 0x40
#define SCSIOP_WRITE_SAME 0x41
#define SCSIOP_READ_SUB_CHANNEL 0x42
#define SCSIOP_UNMAP 0x42
#define SCSIOP_READ_TOC 0x43
#define SCSIOP_READ_HEADER 0x44
#define SCSIOP_REPORT_DENSITY_SUPPORT 0x44
#define SCSIOP_PLAY_AUDIO 0x45
#define SCSIOP_GET_CONFIGURATION 0x46
#define SCSIOP_PLAY_AUDIO_MSF 0x47
#define SCSIOP_PLAY_TRACK_INDEX 0x48
#define SCSIOP_SANITIZE 0x48
#define SCSIOP_PLAY_TRACK_RELATIVE 0x49
#define SCSIOP_GET_EVENT_STATUS 0x4A
#define SCSIOP_PAUSE_RESUME 0x4B
#define SCSIOP_LOG_SELECT 0x4C
#define SCSIOP_LOG_SENSE 0x4D
#define SCSIOP_STOP_PLAY_SCAN 0x4E
#define SCSIOP_XDWRITE 0x50
#define SCSIOP_XPWRITE 0x51
#define SCSIOP_READ_DISK_INFORMATION 0x51
#define SCSIOP_READ_DISC_INFORMATION 0x51
#define SCSIOP_READ_TRACK_INFORMATION 0x52
#define SCSIOP_XDWRITE_READ 0x53
#define SCSIOP_RESERVE_TRACK_RZONE 0x53
#define SCSIOP_SEND_OPC_INFORMATION 0x54
#define SCSIOP_MODE_SELECT10 0x55
#define SCSIOP_RESERVE_UNIT10 0x56
#define SCSIOP_RESERVE_ELEMENT 0x56
#define SCSIOP_RELEASE_UNIT10 0x57
#define SCSIOP_RELEASE_ELEMENT 0x57
#define SCSIOP_REPAIR_TRACK 0x58
#define SCSIOP_MODE_SENSE10 0x5A
#define SCSIOP_CLOSE_TRACK_SESSION 0x5B
#define SCSIOP_READ_BUFFER_CAPACITY 0x5C
#define SCSIOP_SEND_CUE_SHEET 0x5D
#define SCSIOP_PERSISTENT_RESERVE_IN 0x5E
#define SCSIOP_PERSISTENT_RESERVE_OUT 0x5F
/* 12-byte commands */
#define SCSIOP_REPORT_LUNS 0xA0
#define SCSIOP_BLANK 0xA1
#define SCSIOP_ATA_PASSTHROUGH12 0xA1
#define SCSIOP_SEND_EVENT 0xA2
#define SCSIOP_SECURITY_PROTOCOL_IN 0xA2
#define SCSIOP_SEND_KEY 0xA3
#define SCSIOP_MAINTENANCE_IN 0xA3
#define SCSIOP_REPORT_KEY 0xA4
#define SCSIOP_MAINTENANCE_OUT 0xA4
#define SCSIOP_MOVE_MEDIUM 0xA5
#define SCSIOP_LOAD_UNLOAD_SLOT 0xA6
#define SCSIOP_EXCHANGE_MEDIUM 0xA6
#define SCSIOP_SET_READ_AHEAD 0xA7
#define SCSIOP_MOVE_MEDIUM_ATTACHED 0xA7
#define SCSIOP_READ12 0xA8
#define SCSIOP_GET_MESSAGE 0xA8
#define SCSIOP_SERVICE_ACTION_OUT12 0xA9
#define SCSIOP_WRITE12 0xAA
#define SCSIOP_SEND_MESSAGE 0xAB
#define SCSIOP_SERVICE_ACTION_IN12 0xAB
#define SCSIOP_GET_PERFORMANCE 0xAC
#define SCSIOP_READ_DVD_STRUCTURE 0xAD
#define SCSIOP_WRITE_VERIFY12 0xAE
#define SCSIOP_VERIFY12 0xAF
#define SCSIOP_SEARCH_DATA_HIGH12 0xB0
#define SCSIOP_SEARCH_DATA_EQUAL12 0xB1
#define SCSIOP_SEARCH_DATA_LOW12 0xB2
#define SCSIOP_SET_LIMITS12 0xB3
#define SCSIOP_READ_ELEMENT_STATUS_ATTACHED 0xB4
#define SCSIOP_REQUEST_VOL_ELEMENT 0xB5
#define SCSIOP_SECURITY_PROTOCOL_OUT 0xB5
#define SCSIOP_SEND_VOLUME_TAG 0xB6
#define SCSIOP_SET_STREAMING 0xB6
#define SCSIOP_READ_DEFECT_DATA 0xB7
#define SCSIOP_READ_ELEMENT_STATUS 0xB8
#define SCSIOP_READ_CD_MSF 0xB9
#define SCSIOP_SCAN_CD 0xBA
#define SCSIOP_REDUNDANCY_GROUP_IN 0xBA
#define SCSIOP_SET_CD_SPEED 0xBB
#define SCSIOP_REDUNDANCY_GROUP_OUT 0xBB
#define SCSIOP_PLAY_CD 0xBC
#define SCSIOP_SPARE_IN 0xBC
#define SCSIOP_MECHANISM_STATUS 0xBD
#define SCSIOP_SPARE_OUT 0xBD
#define SCSIOP_READ_CD 0xBE
#define SCSIOP_VOLUME_SET_IN 0xBE
#define SCSIOP_SEND_DVD_STRUCTURE 0xBF
#define SCSIOP_VOLUME_SET_OUT 0xBF
#define SCSIOP_INIT_ELEMENT_RANGE 0xE7
/* 16-byte commands */
#define SCSIOP_XDWRITE_EXTENDED16 0x80
#define SCSIOP_WRITE_FILEMARKS16 0x80
#define SCSIOP_REBUILD16 0x81
#define SCSIOP_READ_REVERSE16 0x81
#define SCSIOP_REGENERATE16 0x82
#define SCSIOP_EXTENDED_COPY 0x83
#define SCSIOP_POPULATE_TOKEN 0x83
#define SCSIOP_WRITE_USING_TOKEN 0x83
#define SCSIOP_RECEIVE_COPY_RESULTS 0x84
#define SCSIOP_RECEIVE_ROD_TOKEN_INFORMATION 0x84
#define SCSIOP_ATA_PASSTHROUGH16 0x85
#define SCSIOP_ACCESS_CONTROL_IN 0x86
#define SCSIOP_ACCESS_CONTROL_OUT 0x87
#define SCSIOP_READ16 0x88
#define SCSIOP_COMPARE_AND_WRITE 0x89
#define SCSIOP_WRITE16 0x8A
#define SCSIOP_READ_ATTRIBUTES 0x8C
#define SCSIOP_WRITE_ATTRIBUTES 0x8D
#define SCSIOP_WRITE_VERIFY16 0x8E
#define SCSIOP_VERIFY16 0x8F
#define SCSIOP_PREFETCH16 0x90
#define SCSIOP_SYNCHRONIZE_CACHE16 0x91
#define SCSIOP_SPACE16 0x91
#define SCSIOP_LOCK_UNLOCK_CACHE16 0x92
#define SCSIOP_LOCATE16 0x92
#define SCSIOP_WRITE_SAME16 0x93
#define SCSIOP_ERASE16 0x93
#define SCSIOP_ZBC_OUT 0x94
#define SCSIOP_ZBC_IN 0x95
#define SCSIOP_READ_DATA_BUFF16 0x9B
#define SCSIOP_READ_CAPACITY16 0x9E
#define SCSIOP_GET_LBA_STATUS 0x9E
#define SCSIOP_GET_PHYSICAL_ELEMENT_STATUS 0x9E
#define SCSIOP_REMOVE_ELEMENT_AND_TRUNCATE 0x9E
#define SCSIOP_SERVICE_ACTION_IN16 0x9E
#define SCSIOP_SERVICE_ACTION_OUT16 0x9F
/* variable-length (32-byte) commands */
#define SCSIOP_OPERATION32 0x7F
/* vendor-unique (Denon CD-ROM) */
#define SCSIOP_DENON_EJECT_DISC 0xE6
#define SCSIOP_DENON_STOP_AUDIO 0xE7
#define SCSIOP_DENON_PLAY_AUDIO 0xE8
#define SCSIOP_DENON_READ_TOC 0xE9
#define SCSIOP_DENON_READ_SUBCODE 0xEB

/* ---- Service actions ---- */
/* SANITIZE (SBC-3) */
#define SERVICE_ACTION_OVERWRITE 0x01
#define SERVICE_ACTION_BLOCK_ERASE 0x02
#define SERVICE_ACTION_CRYPTO_ERASE 0x03
#define SERVICE_ACTION_EXIT_FAILURE 0x1f
/* the 32-byte commands (SCSIOP_OPERATION32) */
#define SERVICE_ACTION_XDWRITE 0x0004
#define SERVICE_ACTION_XPWRITE 0x0006
#define SERVICE_ACTION_XDWRITEREAD 0x0007
#define SERVICE_ACTION_WRITE 0x000B
#define SERVICE_ACTION_WRITE_VERIFY 0x000C
#define SERVICE_ACTION_WRITE_SAME 0x000D
#define SERVICE_ACTION_ORWRITE 0x000E
/* the token commands (SCSIOP_POPULATE_TOKEN, SCSIOP_RECEIVE_ROD_TOKEN_INFORMATION) */
#define SERVICE_ACTION_POPULATE_TOKEN 0x10
#define SERVICE_ACTION_WRITE_USING_TOKEN 0x11
#define SERVICE_ACTION_RECEIVE_TOKEN_INFORMATION 0x07
/* ZBC OUT and ZBC IN */
#define SERVICE_ACTION_CLOSE_ZONE 0x01
#define SERVICE_ACTION_FINISH_ZONE 0x02
#define SERVICE_ACTION_OPEN_ZONE 0x03
#define SERVICE_ACTION_RESET_WRITE_POINTER 0x04
#define SERVICE_ACTION_REPORT_ZONES 0x00
#define REPORT_ZONES_OPTION_LIST_ALL_ZONES 0x00
#define REPORT_ZONES_OPTION_LIST_EMPTY_ZONES 0x01
#define REPORT_ZONES_OPTION_LIST_IMPLICITLY_OPENED_ZONES 0x02
#define REPORT_ZONES_OPTION_LIST_EXPLICITLY_OPENED_ZONES 0x03
#define REPORT_ZONES_OPTION_LIST_CLOSED_ZONES 0x04
#define REPORT_ZONES_OPTION_LIST_FULL_ZONES 0x05
#define REPORT_ZONES_OPTION_LIST_READ_ONLY_ZONES 0x06
#define REPORT_ZONES_OPTION_LIST_OFFLINE_ZONES 0x07
#define REPORT_ZONES_OPTION_LIST_RWP_ZONES 0x10
#define REPORT_ZONES_OPTION_LIST_NON_SEQUENTIAL_WRITE_RESOURCES_ACTIVE_ZONES 0x11
#define REPORT_ZONES_OPTION_LIST_NOT_WRITE_POINTER_ZONES 0x3F
/* SERVICE ACTION IN (16) and MAINTENANCE IN/OUT */
#define SERVICE_ACTION_READ_CAPACITY16 0x10
#define SERVICE_ACTION_GET_LBA_STATUS 0x12
#define SERVICE_ACTION_GET_PHYSICAL_ELEMENT_STATUS 0x17
#define SERVICE_ACTION_REMOVE_ELEMENT_AND_TRUNCATE 0x18
#define SERVICE_ACTION_REPORT_TIMESTAMP 0x0F
#define SERVICE_ACTION_SET_TIMESTAMP 0x0F

/* ---- SECURITY PROTOCOL IN/OUT, READ TOC, BLANK, READ CD (SPC-4, MMC) ---- */
#define SECURITY_PROTOCOL_IEEE1667 0xEE
#define READ_TOC_FORMAT_TOC 0x00
#define READ_TOC_FORMAT_SESSION 0x01
#define READ_TOC_FORMAT_FULL_TOC 0x02
#define READ_TOC_FORMAT_PMA 0x03
#define READ_TOC_FORMAT_ATIP 0x04
#define BLANK_FULL 0x0
#define BLANK_MINIMAL 0x1
#define BLANK_TRACK 0x2
#define BLANK_UNRESERVE_TRACK 0x3
#define BLANK_TAIL 0x4
#define BLANK_UNCLOSE_SESSION 0x5
#define BLANK_SESSION 0x6
#define CD_EXPECTED_SECTOR_ANY 0x0
#define CD_EXPECTED_SECTOR_CDDA 0x1
#define CD_EXPECTED_SECTOR_MODE1 0x2
#define CD_EXPECTED_SECTOR_MODE2 0x3
#define CD_EXPECTED_SECTOR_MODE2_FORM1 0x4
#define CD_EXPECTED_SECTOR_MODE2_FORM2 0x5

/* ---- SCSI-2 messages (SCSI_EXTENDED_MESSAGE) ---- */
#define SCSIMESS_ABORT 0x06
#define SCSIMESS_ABORT_WITH_TAG 0x0D
#define SCSIMESS_BUS_DEVICE_RESET 0x0C
#define SCSIMESS_CLEAR_QUEUE 0x0E
#define SCSIMESS_COMMAND_COMPLETE 0x00
#define SCSIMESS_DISCONNECT 0x04
#define SCSIMESS_EXTENDED_MESSAGE 0x01
#define SCSIMESS_IDENTIFY 0x80
#define SCSIMESS_IDENTIFY_WITH_DISCON 0xC0
#define SCSIMESS_IGNORE_WIDE_RESIDUE 0x23
#define SCSIMESS_INITIATE_RECOVERY 0x0F
#define SCSIMESS_INIT_DETECTED_ERROR 0x05
#define SCSIMESS_LINK_CMD_COMP 0x0A
#define SCSIMESS_LINK_CMD_COMP_W_FLAG 0x0B
#define SCSIMESS_MESS_PARITY_ERROR 0x09
#define SCSIMESS_MESSAGE_REJECT 0x07
#define SCSIMESS_NO_OPERATION 0x08
#define SCSIMESS_HEAD_OF_QUEUE_TAG 0x21
#define SCSIMESS_ORDERED_QUEUE_TAG 0x22
#define SCSIMESS_SIMPLE_QUEUE_TAG 0x20
#define SCSIMESS_RELEASE_RECOVERY 0x10
#define SCSIMESS_RESTORE_POINTERS 0x03
#define SCSIMESS_SAVE_DATA_POINTER 0x02
#define SCSIMESS_TERMINATE_IO_PROCESS 0x11
/* extended message codes, and each one's length */
#define SCSIMESS_MODIFY_DATA_POINTER 0x00
#define SCSIMESS_SYNCHRONOUS_DATA_REQ 0x01
#define SCSIMESS_WIDE_DATA_REQUEST 0x03
#define SCSIMESS_MODIFY_DATA_LENGTH 5
#define SCSIMESS_SYNCH_DATA_LENGTH 3
#define SCSIMESS_WIDE_DATA_LENGTH 2

/* ---- Peripheral device types and qualifiers (INQUIRY byte 0, SPC-4) ---- */
#define DIRECT_ACCESS_DEVICE 0x00
#define SEQUENTIAL_ACCESS_DEVICE 0x01
#define PRINTER_DEVICE 0x02
#define PROCESSOR_DEVICE 0x03
#define WRITE_ONCE_READ_MULTIPLE_DEVICE 0x04
#define READ_ONLY_DIRECT_ACCESS_DEVICE 0x05
#define SCANNER_DEVICE 0x06
#define OPTICAL_DEVICE 0x07
#define MEDIUM_CHANGER 0x08
#define COMMUNICATION_DEVICE 0x09
#define ARRAY_CONTROLLER_DEVICE 0x0C
#define SCSI_ENCLOSURE_DEVICE 0x0D
#define REDUCED_BLOCK_DEVICE 0x0E
#define OPTICAL_CARD_READER_WRITER_DEVICE 0x0F
#define BRIDGE_CONTROLLER_DEVICE 0x10
#define OBJECT_BASED_STORAGE_DEVICE 0x11
#define HOST_MANAGED_ZONED_BLOCK_DEVICE 0x14
#define UNKNOWN_OR_NO_DEVICE 0x1F
#define LOGICAL_UNIT_NOT_PRESENT_DEVICE 0x7F
#define DEVICE_QUALIFIER_ACTIVE 0x00
#define DEVICE_QUALIFIER_NOT_ACTIVE 0x01
#define DEVICE_QUALIFIER_NOT_SUPPORTED 0x03
#define DEVICE_CONNECTED 0x00

/* ---- Status codes (SAM) ---- */
#define SCSISTAT_GOOD 0x00
#define SCSISTAT_CHECK_CONDITION 0x02
#define SCSISTAT_CONDITION_MET 0x04
#define SCSISTAT_BUSY 0x08
#define SCSISTAT_INTERMEDIATE 0x10
#define SCSISTAT_INTERMEDIATE_COND_MET 0x14
#define SCSISTAT_RESERVATION_CONFLICT 0x18
#define SCSISTAT_COMMAND_TERMINATED 0x22
#define SCSISTAT_QUEUE_FULL 0x28

/* ---- Vital product data page codes (SPC-4; the SBC, SAT and ZBC pages are further down) ---- */
#define VPD_MAX_BUFFER_SIZE 0xff
#define VPD_SUPPORTED_PAGES 0x00
#define VPD_SERIAL_NUMBER 0x80
#define VPD_DEVICE_IDENTIFIERS 0x83
#define VPD_MEDIA_SERIAL_NUMBER 0x84
#define VPD_SOFTWARE_INTERFACE_IDENTIFIERS 0x84
#define VPD_NETWORK_MANAGEMENT_ADDRESSES 0x85
#define VPD_MODE_PAGE_POLICY 0x87
#define VPD_SCSI_PORTS 0x88

/* ---- PERSISTENT RESERVE IN/OUT: service actions, scopes, types (SPC-4) ---- */
#define RESERVATION_ACTION_READ_KEYS 0x00
#define RESERVATION_ACTION_READ_RESERVATIONS 0x01
#define RESERVATION_ACTION_REGISTER 0x00
#define RESERVATION_ACTION_RESERVE 0x01
#define RESERVATION_ACTION_RELEASE 0x02
#define RESERVATION_ACTION_CLEAR 0x03
#define RESERVATION_ACTION_PREEMPT 0x04
#define RESERVATION_ACTION_PREEMPT_ABORT 0x05
#define RESERVATION_ACTION_REGISTER_IGNORE_EXISTING 0x06
#define RESERVATION_SCOPE_LU 0x00
#define RESERVATION_SCOPE_ELEMENT 0x02
#define RESERVATION_TYPE_WRITE_EXCLUSIVE 0x01
#define RESERVATION_TYPE_EXCLUSIVE 0x03
#define RESERVATION_TYPE_WRITE_EXCLUSIVE_REGISTRANTS 0x05
#define RESERVATION_TYPE_EXCLUSIVE_REGISTRANTS 0x06

/* ---- Sense data: sizes, keys, flag bits of byte 2 (SPC-4 fixed format) ---- */
#define SENSE_BUFFER_SIZE 18
#define MAX_SENSE_BUFFER_SIZE 255
#define MAX_ADDITIONAL_SENSE_BYTES (MAX_SENSE_BUFFER_SIZE - SENSE_BUFFER_SIZE)
#define SCSI_SENSE_NO_SENSE 0x00
#define SCSI_SENSE_RECOVERED_ERROR 0x01
#define SCSI_SENSE_NOT_READY 0x02
#define SCSI_SENSE_MEDIUM_ERROR 0x03
#define SCSI_SENSE_HARDWARE_ERROR 0x04
#define SCSI_SENSE_ILLEGAL_REQUEST 0x05
#define SCSI_SENSE_UNIT_ATTENTION 0x06
#define SCSI_SENSE_DATA_PROTECT 0x07
#define SCSI_SENSE_BLANK_CHECK 0x08
#define SCSI_SENSE_UNIQUE 0x09             /* vendor specific */
#define SCSI_SENSE_COPY_ABORTED 0x0A
#define SCSI_SENSE_ABORTED_COMMAND 0x0B
#define SCSI_SENSE_EQUAL 0x0C
#define SCSI_SENSE_VOL_OVERFLOW 0x0D
#define SCSI_SENSE_MISCOMPARE 0x0E
#define SCSI_SENSE_RESERVED 0x0F
#define SCSI_ILLEGAL_LENGTH 0x20
#define SCSI_EOM 0x40
#define SCSI_FILE_MARK 0x80

/* ---- Additional sense codes (SPC-4's ASC table; MMC's for the optical ones, 0xA0 and up vendor specific) ---- */
#define SCSI_ADSENSE_NO_SENSE 0x00
#define SCSI_ADSENSE_NO_SEEK_COMPLETE 0x02
#define SCSI_ADSENSE_LUN_NOT_READY 0x04
#define SCSI_ADSENSE_LUN_COMMUNICATION 0x08
#define SCSI_ADSENSE_WRITE_ERROR 0x0C
#define SCSI_ADSENSE_UNRECOVERED_ERROR 0x11
#define SCSI_ADSENSE_TRACK_ERROR 0x14
#define SCSI_ADSENSE_SEEK_ERROR 0x15
#define SCSI_ADSENSE_REC_DATA_NOECC 0x17
#define SCSI_ADSENSE_REC_DATA_ECC 0x18
#define SCSI_ADSENSE_PARAMETER_LIST_LENGTH 0x1A
#define SCSI_ADSENSE_ILLEGAL_COMMAND 0x20
#define SCSI_ADSENSE_ILLEGAL_BLOCK 0x21
#define SCSI_ADSENSE_INVALID_CDB 0x24
#define SCSI_ADSENSE_INVALID_LUN 0x25
#define SCSI_ADSENSE_INVALID_FIELD_PARAMETER_LIST 0x26
#define SCSI_ADSENSE_WRITE_PROTECT 0x27
#define SCSI_ADSENSE_MEDIUM_CHANGED 0x28
#define SCSI_ADSENSE_BUS_RESET 0x29
#define SCSI_ADSENSE_PARAMETERS_CHANGED 0x2A
#define SCSI_ADSENSE_INSUFFICIENT_TIME_FOR_OPERATION 0x2E
#define SCSI_ADSENSE_INVALID_MEDIA 0x30
#define SCSI_ADSENSE_NO_MEDIA_IN_DEVICE 0x3a
#define SCSI_ADSENSE_POSITION_ERROR 0x3b
#define SCSI_ADSENSE_OPERATING_CONDITIONS_CHANGED 0x3f
#define SCSI_ADSENSE_OPERATOR_REQUEST 0x5a
#define SCSI_ADSENSE_FAILURE_PREDICTION_THRESHOLD_EXCEEDED 0x5d
#define SCSI_ADSENSE_ILLEGAL_MODE_FOR_THIS_TRACK 0x64
#define SCSI_ADSENSE_COPY_PROTECTION_FAILURE 0x6f
#define SCSI_ADSENSE_POWER_CALIBRATION_ERROR 0x73
#define SCSI_ADSENSE_VENDOR_UNIQUE 0x80
#define SCSI_ADSENSE_MUSIC_AREA 0xA0
#define SCSI_ADSENSE_DATA_AREA 0xA1
#define SCSI_ADSENSE_VOLUME_OVERFLOW 0xA7
/* older spellings */
#define SCSI_ADWRITE_PROTECT SCSI_ADSENSE_WRITE_PROTECT
#define SCSI_FAILURE_PREDICTION_THRESHOLD_EXCEEDED SCSI_ADSENSE_FAILURE_PREDICTION_THRESHOLD_EXCEEDED

/* ---- Additional sense code qualifiers, grouped by the code they qualify ---- */
/* 04h, logical unit not ready */
#define SCSI_SENSEQ_CAUSE_NOT_REPORTABLE 0x00
#define SCSI_SENSEQ_BECOMING_READY 0x01
#define SCSI_SENSEQ_INIT_COMMAND_REQUIRED 0x02
#define SCSI_SENSEQ_MANUAL_INTERVENTION_REQUIRED 0x03
#define SCSI_SENSEQ_FORMAT_IN_PROGRESS 0x04
#define SCSI_SENSEQ_REBUILD_IN_PROGRESS 0x05
#define SCSI_SENSEQ_RECALCULATION_IN_PROGRESS 0x06
#define SCSI_SENSEQ_OPERATION_IN_PROGRESS 0x07
#define SCSI_SENSEQ_LONG_WRITE_IN_PROGRESS 0x08
/* 0Ch, write error (MMC) */
#define SCSI_SENSEQ_LOSS_OF_STREAMING 0x09
#define SCSI_SENSEQ_PADDING_BLOCKS_ADDED 0x0A
/* 08h, logical unit communication; Windows spells the CRC one SESNEQ */
#define SCSI_SENSEQ_COMM_FAILURE 0x00
#define SCSI_SENSEQ_COMM_TIMEOUT 0x01
#define SCSI_SENSEQ_COMM_PARITY_ERROR 0x02
#define SCSI_SESNEQ_COMM_CRC_ERROR 0x03
#define SCSI_SENSEQ_UNREACHABLE_TARGET 0x04
/* 00h, no additional sense (sequential-access positions) */
#define SCSI_SENSEQ_FILEMARK_DETECTED 0x01
#define SCSI_SENSEQ_END_OF_MEDIA_DETECTED 0x02
#define SCSI_SENSEQ_SETMARK_DETECTED 0x03
#define SCSI_SENSEQ_BEGINNING_OF_MEDIA_DETECTED 0x04
/* 21h, logical block address out of range: invalid element address */
#define SCSI_SENSEQ_ILLEGAL_ELEMENT_ADDR 0x01
/* 3Bh, positioning error: the changer's destination full, source empty */
#define SCSI_SENSEQ_DESTINATION_FULL 0x0d
#define SCSI_SENSEQ_SOURCE_EMPTY 0x0e
/* 30h, incompatible medium */
#define SCSI_SENSEQ_INCOMPATIBLE_MEDIA_INSTALLED 0x00
#define SCSI_SENSEQ_UNKNOWN_FORMAT 0x01
#define SCSI_SENSEQ_INCOMPATIBLE_FORMAT 0x02
#define SCSI_SENSEQ_CLEANING_CARTRIDGE_INSTALLED 0x03
/* 3Fh, target operating conditions have changed */
#define SCSI_SENSEQ_TARGET_OPERATING_CONDITIONS_CHANGED 0x00
#define SCSI_SENSEQ_MICROCODE_CHANGED 0x01
#define SCSI_SENSEQ_OPERATING_DEFINITION_CHANGED 0x02
#define SCSI_SENSEQ_INQUIRY_DATA_CHANGED 0x03
#define SCSI_SENSEQ_COMPONENT_DEVICE_ATTACHED 0x04
#define SCSI_SENSEQ_DEVICE_IDENTIFIER_CHANGED 0x05
#define SCSI_SENSEQ_REDUNDANCY_GROUP_MODIFIED 0x06
#define SCSI_SENSEQ_REDUNDANCY_GROUP_DELETED 0x07
#define SCSI_SENSEQ_SPARE_MODIFIED 0x08
#define SCSI_SENSEQ_SPARE_DELETED 0x09
#define SCSI_SENSEQ_VOLUME_SET_MODIFIED 0x0A
#define SCSI_SENSEQ_VOLUME_SET_DELETED 0x0B
#define SCSI_SENSEQ_VOLUME_SET_DEASSIGNED 0x0C
#define SCSI_SENSEQ_VOLUME_SET_REASSIGNED 0x0D
#define SCSI_SENSEQ_REPORTED_LUNS_DATA_CHANGED 0x0E
#define SCSI_SENSEQ_ECHO_BUFFER_OVERWRITTEN 0x0F
#define SCSI_SENSEQ_MEDIUM_LOADABLE 0x10
#define SCSI_SENSEQ_MEDIUM_AUXILIARY_MEMORY_ACCESSIBLE 0x11
/* 5Ah, operator request or state change input */
#define SCSI_SENSEQ_STATE_CHANGE_INPUT 0x00
#define SCSI_SENSEQ_MEDIUM_REMOVAL 0x01
#define SCSI_SENSEQ_WRITE_PROTECT_ENABLE 0x02
#define SCSI_SENSEQ_WRITE_PROTECT_DISABLE 0x03
/* 6Fh, copy protection key exchange failure (MMC) */
#define SCSI_SENSEQ_AUTHENTICATION_FAILURE 0x00
#define SCSI_SENSEQ_KEY_NOT_PRESENT 0x01
#define SCSI_SENSEQ_KEY_NOT_ESTABLISHED 0x02
#define SCSI_SENSEQ_READ_OF_SCRAMBLED_SECTOR_WITHOUT_AUTHENTICATION 0x03
#define SCSI_SENSEQ_MEDIA_CODE_MISMATCHED_TO_LOGICAL_UNIT 0x04
#define SCSI_SENSEQ_LOGICAL_UNIT_RESET_COUNT_ERROR 0x05
/* 73h, CD control error (MMC) */
#define SCSI_SENSEQ_POWER_CALIBRATION_AREA_ALMOST_FULL 0x01
#define SCSI_SENSEQ_POWER_CALIBRATION_AREA_FULL 0x02
#define SCSI_SENSEQ_POWER_CALIBRATION_AREA_ERROR 0x03
#define SCSI_SENSEQ_PMA_RMA_UPDATE_FAILURE 0x04
#define SCSI_SENSEQ_PMA_RMA_IS_FULL 0x05
#define SCSI_SENSEQ_PMA_RMA_ALMOST_FULL 0x06

/* ---- Device I/O controls of the SCSI device type: pass-through and the SMART requests a miniport receives in an
 * SRB_IO_CONTROL (the IOCTL_SCSI_MINIPORT_* pages on MS Learn) ---- */
#ifndef FILE_DEVICE_SCSI
#define FILE_DEVICE_SCSI 0x0000001b
#endif
#define IOCTL_SCSI_EXECUTE_IN ((FILE_DEVICE_SCSI << 16) + 0x0011)
#define IOCTL_SCSI_EXECUTE_OUT ((FILE_DEVICE_SCSI << 16) + 0x0012)
#define IOCTL_SCSI_EXECUTE_NONE ((FILE_DEVICE_SCSI << 16) + 0x0013)
#define IOCTL_SCSI_MINIPORT_SMART_VERSION ((FILE_DEVICE_SCSI << 16) + 0x0500)
#define IOCTL_SCSI_MINIPORT_IDENTIFY ((FILE_DEVICE_SCSI << 16) + 0x0501)
#define IOCTL_SCSI_MINIPORT_READ_SMART_ATTRIBS ((FILE_DEVICE_SCSI << 16) + 0x0502)
#define IOCTL_SCSI_MINIPORT_READ_SMART_THRESHOLDS ((FILE_DEVICE_SCSI << 16) + 0x0503)
#define IOCTL_SCSI_MINIPORT_ENABLE_SMART ((FILE_DEVICE_SCSI << 16) + 0x0504)
#define IOCTL_SCSI_MINIPORT_DISABLE_SMART ((FILE_DEVICE_SCSI << 16) + 0x0505)
#define IOCTL_SCSI_MINIPORT_RETURN_STATUS ((FILE_DEVICE_SCSI << 16) + 0x0506)
#define IOCTL_SCSI_MINIPORT_ENABLE_DISABLE_AUTOSAVE ((FILE_DEVICE_SCSI << 16) + 0x0507)
#define IOCTL_SCSI_MINIPORT_SAVE_ATTRIBUTE_VALUES ((FILE_DEVICE_SCSI << 16) + 0x0508)
#define IOCTL_SCSI_MINIPORT_EXECUTE_OFFLINE_DIAGS ((FILE_DEVICE_SCSI << 16) + 0x0509)
#define IOCTL_SCSI_MINIPORT_ENABLE_DISABLE_AUTO_OFFLINE ((FILE_DEVICE_SCSI << 16) + 0x050a)
#define IOCTL_SCSI_MINIPORT_READ_SMART_LOG ((FILE_DEVICE_SCSI << 16) + 0x050b)
#define IOCTL_SCSI_MINIPORT_WRITE_SMART_LOG ((FILE_DEVICE_SCSI << 16) + 0x050c)
#define IOCTL_SCSI_MINIPORT_NOT_QUORUM_CAPABLE ((FILE_DEVICE_SCSI << 16) + 0x0520)
#define IOCTL_SCSI_MINIPORT_NOT_CLUSTER_CAPABLE ((FILE_DEVICE_SCSI << 16) + 0x0521)

/* ---- Mode pages (SPC-4, SBC-3, MMC, SSC, SMC) and MODE SENSE's page control ---- */
#define MODE_PAGE_VENDOR_SPECIFIC 0x00
#define MODE_PAGE_ERROR_RECOVERY 0x01
#define MODE_PAGE_DISCONNECT 0x02
#define MODE_PAGE_FORMAT_DEVICE 0x03
#define MODE_PAGE_MRW 0x03
#define MODE_PAGE_RIGID_GEOMETRY 0x04
#define MODE_PAGE_FLEXIBILE 0x05           /* sic */
#define MODE_PAGE_WRITE_PARAMETERS 0x05
#define MODE_PAGE_VERIFY_ERROR 0x07
#define MODE_PAGE_CACHING 0x08
#define MODE_PAGE_PERIPHERAL 0x09
#define MODE_PAGE_CONTROL 0x0A
#define MODE_PAGE_MEDIUM_TYPES 0x0B
#define MODE_PAGE_NOTCH_PARTITION 0x0C
#define MODE_PAGE_CD_AUDIO_CONTROL 0x0E
#define MODE_PAGE_DATA_COMPRESS 0x0F
#define MODE_PAGE_DEVICE_CONFIG 0x10
#define MODE_PAGE_XOR_CONTROL 0x10
#define MODE_PAGE_MEDIUM_PARTITION 0x11
#define MODE_PAGE_ENCLOSURE_SERVICES_MANAGEMENT 0x14
#define MODE_PAGE_EXTENDED 0x15
#define MODE_PAGE_EXTENDED_DEVICE_SPECIFIC 0x16
#define MODE_PAGE_CDVD_FEATURE_SET 0x18
#define MODE_PAGE_PROTOCOL_SPECIFIC_LUN 0x18
#define MODE_PAGE_PROTOCOL_SPECIFIC_PORT 0x19
#define MODE_PAGE_POWER_CONDITION 0x1A
#define MODE_PAGE_LUN_MAPPING 0x1B
#define MODE_PAGE_FAULT_REPORTING 0x1C     /* informational exceptions control */
#define MODE_PAGE_CDVD_INACTIVITY 0x1D
#define MODE_PAGE_ELEMENT_ADDRESS 0x1D
#define MODE_PAGE_TRANSPORT_GEOMETRY 0x1E
#define MODE_PAGE_DEVICE_CAPABILITIES 0x1F
#define MODE_PAGE_CAPABILITIES 0x2A
#define MODE_SENSE_RETURN_ALL 0x3f
#define MODE_SENSE_CURRENT_VALUES 0x00     /* PC, bits 7-6 of byte 2 */
#define MODE_SENSE_CHANGEABLE_VALUES 0x40
#define MODE_SENSE_DEFAULT_VAULES 0x80     /* sic */
#define MODE_SENSE_SAVED_VALUES 0xc0
/* the mode parameter header's device-specific parameter, block descriptor and header lengths */
#define MODE_FD_SINGLE_SIDE 0x01
#define MODE_FD_DOUBLE_SIDE 0x02
#define MODE_FD_MAXIMUM_TYPE 0x1E
#define MODE_DSP_FUA_SUPPORTED 0x10
#define MODE_DSP_WRITE_PROTECT 0x80
#define MODE_BLOCK_DESC_LENGTH 8
#define MODE_HEADER_LENGTH 4
#define MODE_HEADER_LENGTH10 8
#define CDROM_AUDIO_CONTROL_PAGE 0x0E
#define CDDA_CHANNEL_MUTED 0x0
#define CDDA_CHANNEL_ZERO 0x1
#define CDDA_CHANNEL_ONE 0x2
#define CDDA_CHANNEL_TWO 0x4
#define CDDA_CHANNEL_THREE 0x8
#define LOADING_MECHANISM_CADDY 0x00
#define LOADING_MECHANISM_TRAY 0x01
#define LOADING_MECHANISM_POPUP 0x02
#define LOADING_MECHANISM_INDIVIDUAL_CHANGER 0x04
#define LOADING_MECHANISM_CARTRIDGE_CHANGER 0x05

/* ======================================================================================================================
 * CDB: the command descriptor block as a union of one view per command (the CDB page on MS Learn, ns-scsi-_cdb). 16
 * bytes, byte-packed; the comments name the command set. Multi-byte fields are big-endian byte arrays, or named bytes
 * (Byte0 the most significant).
 * ==================================================================================================================== */
#include "pshpack1.h"
typedef union _CDB {
    /* ---- generic layouts ---- */
    struct _CDB6GENERIC {
        UCHAR OperationCode;
        UCHAR Immediate : 1, CommandUniqueBits : 4, LogicalUnitNumber : 3;
        UCHAR CommandUniqueBytes[3];
        UCHAR Link : 1, Flag : 1, Reserved : 4, VendorUnique : 2;
    } CDB6GENERIC, *PCDB6GENERIC;
    struct _CDB6READWRITE {                  /* READ(6), WRITE(6): a 21-bit LBA */
        UCHAR OperationCode;
        UCHAR LogicalBlockMsb1 : 5, LogicalUnitNumber : 3;
        UCHAR LogicalBlockMsb0;
        UCHAR LogicalBlockLsb;
        UCHAR TransferBlocks;
        UCHAR Control;
    } CDB6READWRITE;
    struct _CDB10 {                          /* READ(10), WRITE(10), VERIFY(10), ... */
        UCHAR OperationCode;
        UCHAR RelativeAddress : 1, Reserved1 : 2, ForceUnitAccess : 1, DisablePageOut : 1, LogicalUnitNumber : 3;
        UCHAR LogicalBlockByte0;
        UCHAR LogicalBlockByte1;
        UCHAR LogicalBlockByte2;
        UCHAR LogicalBlockByte3;
        UCHAR Reserved2;
        UCHAR TransferBlocksMsb;
        UCHAR TransferBlocksLsb;
        UCHAR Control;
    } CDB10;
    struct _CDB12 {
        UCHAR OperationCode;
        UCHAR RelativeAddress : 1, Reserved1 : 2, ForceUnitAccess : 1, DisablePageOut : 1, LogicalUnitNumber : 3;
        UCHAR LogicalBlock[4];
        UCHAR TransferLength[4];
        UCHAR Reserved2;
        UCHAR Control;
    } CDB12;
    struct _CDB16 {
        UCHAR OperationCode;
        UCHAR Reserved1 : 3, ForceUnitAccess : 1, DisablePageOut : 1, Protection : 3;
        UCHAR LogicalBlock[8];
        UCHAR TransferLength[4];
        UCHAR Reserved2;
        UCHAR Control;
    } CDB16;

    /* ---- SPC-4: INQUIRY, diagnostics, buffers, security protocols, modes, logs, reservations, LUNs ---- */
    struct _CDB6INQUIRY {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, LogicalUnitNumber : 3;
        UCHAR PageCode;
        UCHAR IReserved;
        UCHAR AllocationLength;
        UCHAR Control;
    } CDB6INQUIRY;
    struct _CDB6INQUIRY3 {                   /* INQUIRY with its EVPD and CmdDt bits named */
        UCHAR OperationCode;
        UCHAR EnableVitalProductData : 1, CommandSupportData : 1, Reserved1 : 6;
        UCHAR PageCode;
        UCHAR Reserved2;
        UCHAR AllocationLength;
        UCHAR Control;
    } CDB6INQUIRY3;
    struct _RECEIVE_DIAGNOSTIC {
        UCHAR OperationCode;
        UCHAR PageCodeValid : 1, Reserved : 7;
        UCHAR PageCode;
        UCHAR AllocationLength[2];
        UCHAR Control;
    } RECEIVE_DIAGNOSTIC;
    struct _SEND_DIAGNOSTIC {
        UCHAR OperationCode;
        UCHAR UnitOffline : 1, DeviceOffline : 1, SelfTest : 1, Reserved1 : 1, PageFormat : 1, SelfTestCode : 3;
        UCHAR Reserved2;
        UCHAR ParameterListLength[2];
        UCHAR Control;
    } SEND_DIAGNOSTIC;
    struct _READ_BUFFER_10 {
        UCHAR OperationCode;
        UCHAR Mode : 5, ModeSpecific : 3;
        UCHAR BufferId;
        UCHAR BufferOffset[3];
        UCHAR AllocationLength[3];
        UCHAR Control;
    } READ_BUFFER_10;
    struct _READ_BUFFER_16 {
        UCHAR OperationCode;
        UCHAR Mode : 5, ModeSpecific : 3;
        UCHAR BufferOffset[8];
        UCHAR AllocationLength[4];
        UCHAR BufferId;
        UCHAR Control;
    } READ_BUFFER_16;
    struct _WRITE_BUFFER {
        UCHAR OperationCode;
        UCHAR Mode : 5, ModeSpecific : 3;
        UCHAR BufferID;
        UCHAR BufferOffset[3];
        UCHAR ParameterListLength[3];
        UCHAR Control;
    } WRITE_BUFFER;
    struct _SECURITY_PROTOCOL_IN {
        UCHAR OperationCode;
        UCHAR SecurityProtocol;
        UCHAR SecurityProtocolSpecific[2];
        UCHAR Reserved1 : 7, INC_512 : 1;
        UCHAR Reserved2;
        UCHAR AllocationLength[4];
        UCHAR Reserved3;
        UCHAR Control;
    } SECURITY_PROTOCOL_IN;
    struct _SECURITY_PROTOCOL_OUT {          /* Windows names its transfer length AllocationLength too */
        UCHAR OperationCode;
        UCHAR SecurityProtocol;
        UCHAR SecurityProtocolSpecific[2];
        UCHAR Reserved1 : 7, INC_512 : 1;
        UCHAR Reserved2;
        UCHAR AllocationLength[4];
        UCHAR Reserved3;
        UCHAR Control;
    } SECURITY_PROTOCOL_OUT;
#if NTDDI_VERSION >= NTDDI_WIN8
    struct _MODE_SENSE {                     /* from Windows 8: the subpage code */
        UCHAR OperationCode;
        UCHAR Reserved1 : 3, Dbd : 1, Reserved2 : 4;
        UCHAR PageCode : 6, Pc : 2;
        UCHAR SubPageCode;
        UCHAR AllocationLength;
        UCHAR Control;
    } MODE_SENSE;
    struct _MODE_SENSE10 {
        UCHAR OperationCode;
        UCHAR Reserved1 : 3, Dbd : 1, LongLBAAccepted : 1, Reserved2 : 3;
        UCHAR PageCode : 6, Pc : 2;
        UCHAR SubPageCode;
        UCHAR Reserved3[3];
        UCHAR AllocationLength[2];
        UCHAR Control;
    } MODE_SENSE10;
#else
    struct _MODE_SENSE {                     /* before Windows 8: the SCSI-2 LUN field */
        UCHAR OperationCode;
        UCHAR Reserved1 : 3, Dbd : 1, Reserved2 : 1, LogicalUnitNumber : 3;
        UCHAR PageCode : 6, Pc : 2;
        UCHAR Reserved3;
        UCHAR AllocationLength;
        UCHAR Control;
    } MODE_SENSE;
    struct _MODE_SENSE10 {
        UCHAR OperationCode;
        UCHAR Reserved1 : 3, Dbd : 1, Reserved2 : 1, LogicalUnitNumber : 3;
        UCHAR PageCode : 6, Pc : 2;
        UCHAR Reserved3[4];
        UCHAR AllocationLength[2];
        UCHAR Control;
    } MODE_SENSE10;
#endif
    struct _MODE_SELECT {
        UCHAR OperationCode;
        UCHAR SPBit : 1, Reserved1 : 3, PFBit : 1, LogicalUnitNumber : 3;
        UCHAR Reserved2[2];
        UCHAR ParameterListLength;
        UCHAR Control;
    } MODE_SELECT;
    struct _MODE_SELECT10 {
        UCHAR OperationCode;
        UCHAR SPBit : 1, Reserved1 : 3, PFBit : 1, LogicalUnitNumber : 3;
        UCHAR Reserved2[5];
        UCHAR ParameterListLength[2];
        UCHAR Control;
    } MODE_SELECT10;
    struct _LOGSENSE {
        UCHAR OperationCode;
        UCHAR SPBit : 1, PPCBit : 1, Reserved1 : 3, LogicalUnitNumber : 3;
        UCHAR PageCode : 6, PCBit : 2;
        union {
            UCHAR SubPageCode;
            UCHAR Reserved2;
        };
        UCHAR Reserved3;
        UCHAR ParameterPointer[2];
        UCHAR AllocationLength[2];
        UCHAR Control;
    } LOGSENSE;
    struct _LOGSELECT {
        UCHAR OperationCode;
        UCHAR SPBit : 1, PCRBit : 1, Reserved1 : 3, LogicalUnitNumber : 3;
        UCHAR Reserved : 6, PCBit : 2;
        UCHAR Reserved2[4];
        UCHAR ParameterListLength[2];
        UCHAR Control;
    } LOGSELECT;
    struct _PERSISTENT_RESERVE_IN {
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, Reserved1 : 3;
        UCHAR Reserved2[5];
        UCHAR AllocationLength[2];
        UCHAR Control;
    } PERSISTENT_RESERVE_IN;
    struct _PERSISTENT_RESERVE_OUT {
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, Reserved1 : 3;
        UCHAR Type : 4, Scope : 4;
        UCHAR Reserved2[4];
        UCHAR ParameterListLength[2];
        UCHAR Control;
    } PERSISTENT_RESERVE_OUT;
    struct _REPORT_LUNS {
        UCHAR OperationCode;
        UCHAR Reserved1[5];
        UCHAR AllocationLength[4];
        UCHAR Reserved2[1];
        UCHAR Control;
    } REPORT_LUNS;
    struct _REPORT_TIMESTAMP {               /* MAINTENANCE IN */
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, Reserved1 : 3;
        UCHAR Reserved2[4];
        UCHAR AllocationLength[4];
        UCHAR Reserved3;
        UCHAR Control;
    } REPORT_TIMESTAMP;
    struct _SET_TIMESTAMP {                  /* MAINTENANCE OUT */
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, Reserved1 : 3;
        UCHAR Reserved2[4];
        UCHAR ParameterListLength[4];
        UCHAR Reserved3;
        UCHAR Control;
    } SET_TIMESTAMP;

    /* ---- SBC-3/4: block commands ---- */
    struct _CDB6VERIFY {
        UCHAR OperationCode;
        UCHAR Fixed : 1, ByteCompare : 1, Immediate : 1, Reserved : 2, LogicalUnitNumber : 3;
        UCHAR VerificationLength[3];
        UCHAR Control;
    } CDB6VERIFY;
    struct _CDB6FORMAT {
        UCHAR OperationCode;
        UCHAR FormatControl : 5, LogicalUnitNumber : 3;
        UCHAR FReserved1;
        UCHAR InterleaveMsb;
        UCHAR InterleaveLsb;
        UCHAR FReserved2;
    } CDB6FORMAT;
    struct _START_STOP {
        UCHAR OperationCode;
        UCHAR Immediate : 1, Reserved1 : 4, LogicalUnitNumber : 3;
        UCHAR Reserved2[2];
        UCHAR Start : 1, LoadEject : 1, Reserved3 : 6;
        UCHAR Control;
    } START_STOP;
    struct _MEDIA_REMOVAL {                  /* PREVENT ALLOW MEDIUM REMOVAL; Windows spells Persistant so */
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, LogicalUnitNumber : 3;
        UCHAR Reserved2[2];
        UCHAR Prevent : 1, Persistant : 1, Reserved3 : 6;
        UCHAR Control;
    } MEDIA_REMOVAL;
    struct _SEEK {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, LogicalUnitNumber : 3;
        UCHAR LogicalBlockAddress[4];
        UCHAR Reserved2[3];
        UCHAR Control;
    } SEEK;
    struct _SYNCHRONIZE_CACHE10 {
        UCHAR OperationCode;
        UCHAR RelAddr : 1, Immediate : 1, Reserved : 3, Lun : 3;
        UCHAR LogicalBlockAddress[4];
        UCHAR Reserved2;
        UCHAR BlockCount[2];
        UCHAR Control;
    } SYNCHRONIZE_CACHE10;
    struct _READ12 {
        UCHAR OperationCode;
        UCHAR RelativeAddress : 1, Reserved1 : 2, ForceUnitAccess : 1, DisablePageOut : 1, LogicalUnitNumber : 3;
        UCHAR LogicalBlock[4];
        UCHAR TransferLength[4];
        UCHAR Reserved2 : 7, Streaming : 1;
        UCHAR Control;
    } READ12;
    struct _WRITE12 {
        UCHAR OperationCode;
        UCHAR RelativeAddress : 1, Reserved1 : 1, EBP : 1, ForceUnitAccess : 1, DisablePageOut : 1, LogicalUnitNumber : 3;
        UCHAR LogicalBlock[4];
        UCHAR TransferLength[4];
        UCHAR Reserved2 : 7, Streaming : 1;
        UCHAR Control;
    } WRITE12;
    struct _READ16 {
        UCHAR OperationCode;
        UCHAR Reserved1 : 3, ForceUnitAccess : 1, DisablePageOut : 1, ReadProtect : 3;
        UCHAR LogicalBlock[8];
        UCHAR TransferLength[4];
        UCHAR Reserved2 : 7, Streaming : 1;
        UCHAR Control;
    } READ16;
    struct _WRITE16 {
        UCHAR OperationCode;
        UCHAR Reserved1 : 3, ForceUnitAccess : 1, DisablePageOut : 1, WriteProtect : 3;
        UCHAR LogicalBlock[8];
        UCHAR TransferLength[4];
        UCHAR Reserved2 : 7, Streaming : 1;
        UCHAR Control;
    } WRITE16;
    struct _VERIFY16 {
        UCHAR OperationCode;
        UCHAR Reserved1 : 1, ByteCheck : 1, BlockVerify : 1, Reserved2 : 1, DisablePageOut : 1, VerifyProtect : 3;
        UCHAR LogicalBlock[8];
        UCHAR VerificationLength[4];
        UCHAR Reserved3 : 7, Streaming : 1;
        UCHAR Control;
    } VERIFY16;
    struct _SYNCHRONIZE_CACHE16 {
        UCHAR OperationCode;
        UCHAR Reserved1 : 1, Immediate : 1, Reserved2 : 6;
        UCHAR LogicalBlock[8];
        UCHAR BlockCount[4];
        UCHAR Reserved3;
        UCHAR Control;
    } SYNCHRONIZE_CACHE16;
    struct _READ_CAPACITY16 {                /* SERVICE ACTION IN (16), READ CAPACITY (16) */
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, Reserved1 : 3;
        UCHAR LogicalBlock[8];
        UCHAR BlockCount[4];
        UCHAR PMI : 1, Reserved2 : 7;
        UCHAR Control;
    } READ_CAPACITY16;
    struct _GET_LBA_STATUS {
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, Reserved1 : 3;
        UCHAR StartingLBA[8];
        UCHAR AllocationLength[4];
        UCHAR Reserved2;
        UCHAR Control;
    } GET_LBA_STATUS;
    struct _GET_PHYSICAL_ELEMENT_STATUS {    /* SBC-4 */
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, Reserved1 : 3;
        UCHAR Reserved2[4];
        UCHAR StartingElement[4];
        UCHAR AllocationLength[4];
        UCHAR ReportType : 4, Reserved3 : 2, Filter : 2;
        UCHAR Control;
    } GET_PHYSICAL_ELEMENT_STATUS;
    struct _REMOVE_ELEMENT_AND_TRUNCATE {    /* SBC-4 */
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, Reserved1 : 3;
        UCHAR RequestedCapacity[8];
        UCHAR ElementIdentifier[4];
        UCHAR Reserved2;
        UCHAR Control;
    } REMOVE_ELEMENT_AND_TRUNCATE;
    struct _UNMAP {
        UCHAR OperationCode;
        UCHAR Anchor : 1, Reserved1 : 7;
        UCHAR Reserved2[4];
        UCHAR GroupNumber : 5, Reserved3 : 3;
        UCHAR AllocationLength[2];           /* the parameter list's length */
        UCHAR Control;
    } UNMAP;
    struct _SANITIZE {
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, AUSE : 1, Reserved1 : 1, Immediate : 1;
        UCHAR Reserved2[5];
        UCHAR ParameterListLength[2];
        UCHAR Control;
    } SANITIZE;
    struct _TOKEN_OPERATION {                /* POPULATE TOKEN, WRITE USING TOKEN */
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, Reserved1 : 3;
        UCHAR Reserved2[4];
        UCHAR ListIdentifier[4];
        UCHAR ParameterListLength[4];
        UCHAR GroupNumber : 5, Reserved3 : 3;
        UCHAR Control;
    } TOKEN_OPERATION;
    struct _RECEIVE_TOKEN_INFORMATION {
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, Reserved1 : 3;
        UCHAR ListIdentifier[4];
        UCHAR Reserved2[4];
        UCHAR AllocationLength[4];
        UCHAR Reserved3;
        UCHAR Control;
    } RECEIVE_TOKEN_INFORMATION;

    /* ---- SAT: ATA PASS-THROUGH ---- */
    struct _ATA_PASSTHROUGH12 {
        UCHAR OperationCode;
        UCHAR Reserved1 : 1, Protocol : 4, MultipleCount : 3;
        UCHAR TLength : 2, ByteBlock : 1, TDir : 1, Reserved2 : 1, CkCond : 1, Offline : 2;
        UCHAR Features;
        UCHAR SectorCount;
        UCHAR LbaLow;
        UCHAR LbaMid;
        UCHAR LbaHigh;
        UCHAR Device;
        UCHAR Command;
        UCHAR Reserved3;
        UCHAR Control;
    } ATA_PASSTHROUGH12;
    struct _ATA_PASSTHROUGH16 {
        UCHAR OperationCode;
        UCHAR Extend : 1, Protocol : 4, MultipleCount : 3;
        UCHAR TLength : 2, ByteBlock : 1, TDir : 1, Reserved1 : 1, CkCond : 1, Offline : 2;
        UCHAR Features15_8;
        UCHAR Features7_0;
        UCHAR SectorCount15_8;
        UCHAR SectorCount7_0;
        UCHAR LbaLow15_8;
        UCHAR LbaLow7_0;
        UCHAR LbaMid15_8;
        UCHAR LbaMid7_0;
        UCHAR LbaHigh15_8;
        UCHAR LbaHigh7_0;
        UCHAR Device;
        UCHAR Command;
        UCHAR Control;
    } ATA_PASSTHROUGH16;

    /* ---- ZBC: zone commands ---- */
    /* CLOSE ZONE, FINISH ZONE, OPEN ZONE and RESET WRITE POINTER share one layout (ZBC 5.2-5.5, ZONE OUT's service
       actions): the zone by its first LBA, or All. */
#define MPT_ZONE_OUT_CDB(name) \
    struct _##name { \
        UCHAR OperationCode; \
        UCHAR ServiceAction : 5, Reserved1 : 3; \
        UCHAR ZoneId[8]; \
        UCHAR Reserved2[4]; \
        UCHAR All : 1, Reserved3 : 7; \
        UCHAR Control; \
    } name
    MPT_ZONE_OUT_CDB(CLOSE_ZONE);
    MPT_ZONE_OUT_CDB(FINISH_ZONE);
    MPT_ZONE_OUT_CDB(OPEN_ZONE);
    MPT_ZONE_OUT_CDB(RESET_WRITE_POINTER);
#undef MPT_ZONE_OUT_CDB
    struct _REPORT_ZONES {
        UCHAR OperationCode;
        UCHAR ServiceAction : 5, Reserved1 : 3;
        UCHAR ZoneStartLBA[8];
        UCHAR AllocationLength[4];
        UCHAR ReportingOptions : 6, Reserved3 : 1, Partial : 1;
        UCHAR Control;
    } REPORT_ZONES;

    /* ---- MMC: optical drives ---- */
    struct _PAUSE_RESUME {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, LogicalUnitNumber : 3;
        UCHAR Reserved2[6];
        UCHAR Action;
        UCHAR Control;
    } PAUSE_RESUME;
    struct _READ_TOC {
        UCHAR OperationCode;
        UCHAR Reserved0 : 1, Msf : 1, Reserved1 : 3, LogicalUnitNumber : 3;
        UCHAR Format2 : 4, Reserved2 : 4;
        UCHAR Reserved3[3];
        UCHAR StartingTrack;
        UCHAR AllocationLength[2];
        UCHAR Control : 6, Format : 2;
    } READ_TOC;
    struct _READ_DISK_INFORMATION {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, Lun : 3;
        UCHAR Reserved2[5];
        UCHAR AllocationLength[2];
        UCHAR Control;
    } READ_DISK_INFORMATION;
    struct _READ_TRACK_INFORMATION {
        UCHAR OperationCode;
        UCHAR Track : 2, Reserved4 : 3, Lun : 3;
        UCHAR BlockAddress[4];
        UCHAR Reserved3;
        UCHAR AllocationLength[2];
        UCHAR Control;
    } READ_TRACK_INFORMATION;
    struct _RESERVE_TRACK_RZONE {
        UCHAR OperationCode;
        UCHAR Reserved1[4];
        UCHAR ReservationSize[4];
        UCHAR Control;
    } RESERVE_TRACK_RZONE;
    struct _SEND_OPC_INFORMATION {
        UCHAR OperationCode;
        UCHAR DoOpc : 1, Reserved1 : 7;
        UCHAR Exclude0 : 1, Exclude1 : 1, Reserved2 : 6;
        UCHAR Reserved3[4];
        UCHAR ParameterListLength[2];
        UCHAR Reserved4;
    } SEND_OPC_INFORMATION;
    struct _REPAIR_TRACK {
        UCHAR OperationCode;
        UCHAR Immediate : 1, Reserved1 : 7;
        UCHAR Reserved2[2];
        UCHAR TrackNumber[2];
        UCHAR Reserved3[3];
        UCHAR Control;
    } REPAIR_TRACK;
    struct _CLOSE_TRACK {
        UCHAR OperationCode;
        UCHAR Immediate : 1, Reserved1 : 7;
        UCHAR Track : 1, Session : 1, Reserved2 : 6;
        UCHAR Reserved3;
        UCHAR TrackNumber[2];
        UCHAR Reserved4[3];
        UCHAR Control;
    } CLOSE_TRACK;
    struct _READ_BUFFER_CAPACITY {
        UCHAR OperationCode;
        UCHAR BlockInfo : 1, Reserved1 : 7;
        UCHAR Reserved2[5];
        UCHAR AllocationLength[2];
        UCHAR Control;
    } READ_BUFFER_CAPACITY;
    struct _SEND_CUE_SHEET {
        UCHAR OperationCode;
        UCHAR Reserved[5];
        UCHAR CueSheetSize[3];
        UCHAR Control;
    } SEND_CUE_SHEET;
    struct _READ_HEADER {
        UCHAR OperationCode;
        UCHAR Reserved1 : 1, Msf : 1, Reserved2 : 3, Lun : 3;
        UCHAR LogicalBlockAddress[4];
        UCHAR Reserved3;
        UCHAR AllocationLength[2];
        UCHAR Control;
    } READ_HEADER;
    struct _PLAY_AUDIO {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, LogicalUnitNumber : 3;
        UCHAR StartingBlockAddress[4];
        UCHAR Reserved2;
        UCHAR PlayLength[2];
        UCHAR Control;
    } PLAY_AUDIO;
    struct _PLAY_AUDIO_MSF {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, LogicalUnitNumber : 3;
        UCHAR Reserved2;
        UCHAR StartingM;
        UCHAR StartingS;
        UCHAR StartingF;
        UCHAR EndingM;
        UCHAR EndingS;
        UCHAR EndingF;
        UCHAR Control;
    } PLAY_AUDIO_MSF;
    struct _BLANK_MEDIA {
        UCHAR OperationCode;
        UCHAR BlankType : 3, Reserved1 : 1, Immediate : 1, Reserved2 : 3;
        UCHAR AddressOrTrack[4];
        UCHAR Reserved3[5];
        UCHAR Control;
    } BLANK_MEDIA;
    struct _PLAY_CD {
        UCHAR OperationCode;
        UCHAR Reserved1 : 1, CMSF : 1, ExpectedSectorType : 3, Lun : 3;
        union {
            struct {                         /* CMSF 0: a logical block address and a length */
                UCHAR StartingBlockAddress[4];
                UCHAR PlayLength[4];
            } LBA;
            struct {                         /* CMSF 1: minute, second, frame */
                UCHAR Reserved1;
                UCHAR StartingM;
                UCHAR StartingS;
                UCHAR StartingF;
                UCHAR EndingM;
                UCHAR EndingS;
                UCHAR EndingF;
                UCHAR Reserved2;
            } MSF;
        };
        UCHAR Audio : 1, Composite : 1, Port1 : 1, Port2 : 1, Reserved2 : 3, Speed : 1;
        UCHAR Control;
    } PLAY_CD;
    struct _SCAN_CD {
        UCHAR OperationCode;
        UCHAR RelativeAddress : 1, Reserved1 : 3, Direct : 1, Lun : 3;
        UCHAR StartingAddress[4];
        UCHAR Reserved2[3];
        UCHAR Reserved3 : 6, Type : 2;
        UCHAR Reserved4;
        UCHAR Control;
    } SCAN_CD;
    struct _STOP_PLAY_SCAN {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, Lun : 3;
        UCHAR Reserved2[7];
        UCHAR Control;
    } STOP_PLAY_SCAN;
    struct _SUBCHANNEL {                     /* READ SUB-CHANNEL */
        UCHAR OperationCode;
        UCHAR Reserved0 : 1, Msf : 1, Reserved1 : 3, LogicalUnitNumber : 3;
        UCHAR Reserved2 : 6, SubQ : 1, Reserved3 : 1;
        UCHAR Format;
        UCHAR Reserved4[2];
        UCHAR TrackNumber;
        UCHAR AllocationLength[2];
        UCHAR Control;
    } SUBCHANNEL;
    struct _READ_CD {
        UCHAR OperationCode;
        UCHAR RelativeAddress : 1, Reserved0 : 1, ExpectedSectorType : 3, Lun : 3;
        UCHAR StartingLBA[4];
        UCHAR TransferBlocks[3];
        UCHAR Reserved2 : 1, ErrorFlags : 2, IncludeEDC : 1, IncludeUserData : 1, HeaderCode : 2, IncludeSyncData : 1;
        UCHAR SubChannelSelection : 3, Reserved3 : 5;
        UCHAR Control;
    } READ_CD;
    struct _READ_CD_MSF {                    /* Windows has a reserved byte before the flags (13 bytes in all) */
        UCHAR OperationCode;
        UCHAR RelativeAddress : 1, Reserved1 : 1, ExpectedSectorType : 3, Lun : 3;
        UCHAR Reserved2;
        UCHAR StartingM;
        UCHAR StartingS;
        UCHAR StartingF;
        UCHAR EndingM;
        UCHAR EndingS;
        UCHAR EndingF;
        UCHAR Reserved3;
        UCHAR Reserved4 : 1, ErrorFlags : 2, IncludeEDC : 1, IncludeUserData : 1, HeaderCode : 2, IncludeSyncData : 1;
        UCHAR SubChannelSelection : 3, Reserved5 : 5;
        UCHAR Control;
    } READ_CD_MSF;
    struct _PLXTR_READ_CDDA {                /* vendor-unique (Plextor) */
        UCHAR OperationCode;
        UCHAR Reserved0 : 5, LogicalUnitNumber : 3;
        UCHAR LogicalBlockByte0;
        UCHAR LogicalBlockByte1;
        UCHAR LogicalBlockByte2;
        UCHAR LogicalBlockByte3;
        UCHAR TransferBlockByte0;
        UCHAR TransferBlockByte1;
        UCHAR TransferBlockByte2;
        UCHAR TransferBlockByte3;
        UCHAR SubCode;
        UCHAR Control;
    } PLXTR_READ_CDDA;
    struct _NEC_READ_CDDA {                  /* vendor-unique (NEC) */
        UCHAR OperationCode;
        UCHAR Reserved0;
        UCHAR LogicalBlockByte0;
        UCHAR LogicalBlockByte1;
        UCHAR LogicalBlockByte2;
        UCHAR LogicalBlockByte3;
        UCHAR Reserved1;
        UCHAR TransferBlockByte0;
        UCHAR TransferBlockByte1;
        UCHAR Control;
    } NEC_READ_CDDA;
    struct _LOAD_UNLOAD {                    /* LOAD/UNLOAD MEDIUM */
        UCHAR OperationCode;
        UCHAR Immediate : 1, Reserved1 : 4, Lun : 3;
        UCHAR Reserved2[2];
        UCHAR Start : 1, LoadEject : 1, Reserved3 : 6;
        UCHAR Reserved4[3];
        UCHAR Slot;
        UCHAR Reserved5[3];
    } LOAD_UNLOAD;
    struct _MECH_STATUS {                    /* MECHANISM STATUS */
        UCHAR OperationCode;
        UCHAR Reserved : 5, Lun : 3;
        UCHAR Reserved1[6];
        UCHAR AllocationLength[2];
        UCHAR Reserved2[1];
        UCHAR Control;
    } MECH_STATUS;
    struct _GET_EVENT_STATUS_NOTIFICATION {
        UCHAR OperationCode;
        UCHAR Immediate : 1, Reserved : 4, Lun : 3;
        UCHAR Reserved2[2];
        UCHAR NotificationClassRequest;
        UCHAR Reserved3[2];
        UCHAR EventListLength[2];
        UCHAR Control;
    } GET_EVENT_STATUS_NOTIFICATION;
    struct _GET_PERFORMANCE {
        UCHAR OperationCode;
        UCHAR Except : 2, Write : 1, Tolerance : 2, Reserved0 : 3;
        UCHAR StartingLBA[4];
        UCHAR Reserved1[2];
        UCHAR MaximumNumberOfDescriptors[2];
        UCHAR Type;
        UCHAR Control;
    } GET_PERFORMANCE;
    struct _READ_DVD_STRUCTURE {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, Lun : 3;
        UCHAR RMDBlockNumber[4];
        UCHAR LayerNumber;
        UCHAR Format;
        UCHAR AllocationLength[2];
        UCHAR Reserved3 : 6, AGID : 2;
        UCHAR Control;
    } READ_DVD_STRUCTURE;
    struct _SET_STREAMING {
        UCHAR OperationCode;
        UCHAR Reserved[8];
        UCHAR ParameterListLength[2];
        UCHAR Control;
    } SET_STREAMING;
    struct _SEND_DVD_STRUCTURE {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, Lun : 3;
        UCHAR Reserved2[5];
        UCHAR Format;
        UCHAR ParameterListLength[2];
        UCHAR Reserved3;
        UCHAR Control;
    } SEND_DVD_STRUCTURE;
    struct _SEND_KEY {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, Lun : 3;
        UCHAR Reserved2[6];
        UCHAR ParameterListLength[2];
        UCHAR KeyFormat : 6, AGID : 2;
        UCHAR Control;
    } SEND_KEY;
    struct _REPORT_KEY {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, Lun : 3;
        UCHAR LogicalBlockAddress[4];
        UCHAR Reserved2[2];
        UCHAR AllocationLength[2];
        UCHAR KeyFormat : 6, AGID : 2;
        UCHAR Control;
    } REPORT_KEY;
    struct _SET_READ_AHEAD {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, Lun : 3;
        UCHAR TriggerLBA[4];
        UCHAR ReadAheadLBA[4];
        UCHAR Reserved2;
        UCHAR Control;
    } SET_READ_AHEAD;
    struct _READ_FORMATTED_CAPACITIES {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, Lun : 3;
        UCHAR Reserved2[5];
        UCHAR AllocationLength[2];
        UCHAR Control;
    } READ_FORMATTED_CAPACITIES;
    struct _GET_CONFIGURATION {
        UCHAR OperationCode;
        UCHAR RequestType : 2, Reserved1 : 6;
        UCHAR StartingFeature[2];
        UCHAR Reserved2[3];
        UCHAR AllocationLength[2];
        UCHAR Control;
    } GET_CONFIGURATION;
    struct _SET_CD_SPEED {
        UCHAR OperationCode;
        union {
            UCHAR Reserved1;
            struct {
                UCHAR RotationControl : 2, Reserved3 : 6;
            };
        };
        UCHAR ReadSpeed[2];                  /* kilobytes per second */
        UCHAR WriteSpeed[2];
        UCHAR Reserved2[5];
        UCHAR Control;
    } SET_CD_SPEED;

    /* ---- SSC: tape ---- */
    struct _ERASE {
        UCHAR OperationCode;
        UCHAR Long : 1, Immediate : 1, Reserved1 : 3, LogicalUnitNumber : 3;
        UCHAR Reserved2[3];
        UCHAR Control;
    } ERASE;
    struct _LOCATE {
        UCHAR OperationCode;
        UCHAR Immediate : 1, CPBit : 1, BTBit : 1, Reserved1 : 2, LogicalUnitNumber : 3;
        UCHAR Reserved3;
        UCHAR LogicalBlockAddress[4];
        UCHAR Reserved4;
        UCHAR Partition;
        UCHAR Control;
    } LOCATE;
    struct _SEEK_BLOCK {
        UCHAR OperationCode;
        UCHAR Immediate : 1, Reserved1 : 7;
        UCHAR BlockAddress[3];
        UCHAR Link : 1, Flag : 1, Reserved2 : 4, VendorUnique : 2;
    } SEEK_BLOCK;
    struct _REQUEST_BLOCK_ADDRESS {
        UCHAR OperationCode;
        UCHAR Reserved1[3];
        UCHAR AllocationLength;
        UCHAR Link : 1, Flag : 1, Reserved2 : 4, VendorUnique : 2;
    } REQUEST_BLOCK_ADDRESS;
    struct _PARTITION {
        UCHAR OperationCode;
        UCHAR Immediate : 1, Sel : 1, PartitionSelect : 6;
        UCHAR Reserved1[3];
        UCHAR Control;
    } PARTITION;
    struct _WRITE_TAPE_MARKS {
        UCHAR OperationCode;
        UCHAR Immediate : 1, WriteSetMarks : 1, Reserved : 3, LogicalUnitNumber : 3;
        UCHAR TransferLength[3];
        UCHAR Control;
    } WRITE_TAPE_MARKS;
    struct _SPACE_TAPE_MARKS {
        UCHAR OperationCode;
        UCHAR Code : 3, Reserved : 2, LogicalUnitNumber : 3;
        UCHAR NumMarksMSB;
        UCHAR NumMarks;
        UCHAR NumMarksLSB;
        union {
            UCHAR value;
            struct {
                UCHAR Link : 1, Flag : 1, Reserved : 4, VendorUnique : 2;
            } Fields;
        } Byte6;
    } SPACE_TAPE_MARKS;
    struct _READ_POSITION {
        UCHAR Operation;
        UCHAR BlockType : 1, Reserved1 : 4, Lun : 3;
        UCHAR Reserved2[7];
        UCHAR Control;
    } READ_POSITION;
    struct _CDB6READWRITETAPE {
        UCHAR OperationCode;
        UCHAR VendorSpecific : 5, Reserved : 3;
        UCHAR TransferLenMSB;
        UCHAR TransferLen;
        UCHAR TransferLenLSB;
        UCHAR Link : 1, Flag : 1, Reserved1 : 4, VendorUnique : 2;
    } CDB6READWRITETAPE;
    struct _PRINT {                          /* printers (SSC's PRINT) */
        UCHAR OperationCode;
        UCHAR Reserved : 5, LogicalUnitNumber : 3;
        UCHAR TransferLength[3];
        UCHAR Control;
    } PRINT;

    /* ---- SMC: medium changers (Windows spells LogicalUnitNubmer so in two of them) ---- */
    struct _INIT_ELEMENT_STATUS {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, LogicalUnitNubmer : 3;
        UCHAR Reserved2[3];
        UCHAR Reserved3 : 7, NoBarCode : 1;
    } INIT_ELEMENT_STATUS;
    struct _INITIALIZE_ELEMENT_RANGE {
        UCHAR OperationCode;
        UCHAR Range : 1, Reserved1 : 4, LogicalUnitNubmer : 3;
        UCHAR FirstElementAddress[2];
        UCHAR Reserved2[2];
        UCHAR NumberOfElements[2];
        UCHAR Reserved3;
        UCHAR Reserved4 : 7, NoBarCode : 1;
    } INITIALIZE_ELEMENT_RANGE;
    struct _POSITION_TO_ELEMENT {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, LogicalUnitNumber : 3;
        UCHAR TransportElementAddress[2];
        UCHAR DestinationElementAddress[2];
        UCHAR Reserved2[2];
        UCHAR Flip : 1, Reserved3 : 7;
        UCHAR Control;
    } POSITION_TO_ELEMENT;
    struct _MOVE_MEDIUM {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, LogicalUnitNumber : 3;
        UCHAR TransportElementAddress[2];
        UCHAR SourceElementAddress[2];
        UCHAR DestinationElementAddress[2];
        UCHAR Reserved2[2];
        UCHAR Flip : 1, Reserved3 : 7;
        UCHAR Control;
    } MOVE_MEDIUM;
    struct _EXCHANGE_MEDIUM {
        UCHAR OperationCode;
        UCHAR Reserved1 : 5, LogicalUnitNumber : 3;
        UCHAR TransportElementAddress[2];
        UCHAR SourceElementAddress[2];
        UCHAR Destination1ElementAddress[2];
        UCHAR Destination2ElementAddress[2];
        UCHAR Flip1 : 1, Flip2 : 1, Reserved3 : 6;
        UCHAR Control;
    } EXCHANGE_MEDIUM;
    struct _READ_ELEMENT_STATUS {
        UCHAR OperationCode;
        UCHAR ElementType : 4, VolTag : 1, LogicalUnitNumber : 3;
        UCHAR StartingElementAddress[2];
        UCHAR NumberOfElements[2];
        UCHAR Reserved1;
        UCHAR AllocationLength[3];
        UCHAR Reserved2;
        UCHAR Control;
    } READ_ELEMENT_STATUS;
    struct _SEND_VOLUME_TAG {
        UCHAR OperationCode;
        UCHAR ElementType : 4, Reserved1 : 1, LogicalUnitNumber : 3;
        UCHAR StartingElementAddress[2];
        UCHAR Reserved2;
        UCHAR ActionCode : 5, Reserved3 : 3;
        UCHAR Reserved4[2];
        UCHAR ParameterListLength[2];
        UCHAR Reserved5;
        UCHAR Control;
    } SEND_VOLUME_TAG;
    struct _REQUEST_VOLUME_ELEMENT_ADDRESS {
        UCHAR OperationCode;
        UCHAR ElementType : 4, VolTag : 1, LogicalUnitNumber : 3;
        UCHAR StartingElementAddress[2];
        UCHAR NumberElements[2];
        UCHAR Reserved1;
        UCHAR AllocationLength[3];
        UCHAR Reserved2;
        UCHAR Control;
    } REQUEST_VOLUME_ELEMENT_ADDRESS;

    ULONG AsUlong[4];
    UCHAR AsByte[16];
} CDB, *PCDB;
#include "poppack.h"
C_ASSERT(sizeof(CDB) == 16);
C_ASSERT(FIELD_OFFSET(CDB, CDB10.LogicalBlockByte0) == 2 && FIELD_OFFSET(CDB, CDB10.TransferBlocksMsb) == 7);
C_ASSERT(FIELD_OFFSET(CDB, CDB16.LogicalBlock) == 2 && FIELD_OFFSET(CDB, CDB16.TransferLength) == 10);
C_ASSERT(FIELD_OFFSET(CDB, ATA_PASSTHROUGH16.Command) == 14 && FIELD_OFFSET(CDB, READ_BUFFER_16.BufferId) == 14);
C_ASSERT(FIELD_OFFSET(CDB, GET_PHYSICAL_ELEMENT_STATUS.AllocationLength) == 10);
C_ASSERT(FIELD_OFFSET(CDB, READ_CD_MSF.Control) == 12 && FIELD_OFFSET(CDB, PLAY_CD.Control) == 11);

/* ======================================================================================================================
 * Data that commands carry: inquiry and VPD pages, sense data, capacities, mode parameters, LUN lists, persistent
 * reservations. All fields are bytes (byte-packed where Windows packs them); multi-byte values are big-endian.
 * ==================================================================================================================== */

/* INQUIRY's standard data (SPC-4), as Windows declares it (96 bytes; the _inquirydata page on MS Learn). */
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
C_ASSERT(sizeof(INQUIRYDATA) == 96 && FIELD_OFFSET(INQUIRYDATA, VendorId) == 8);
C_ASSERT(FIELD_OFFSET(INQUIRYDATA, VersionDescriptors) == 58);
/* Where the first and the last version descriptor are. */
#define OFFSET_VER_DESCRIPTOR_ONE (FIELD_OFFSET(INQUIRYDATA, VersionDescriptors[0]))
#define OFFSET_VER_DESCRIPTOR_EIGHT (FIELD_OFFSET(INQUIRYDATA, VersionDescriptors[7]))

/* ---- Vital product data pages 00h, 80h, 83h, 84h (SPC-4). Each starts with the 4-byte page header. ---- */
#include "pshpack1.h"
typedef struct _VPD_SUPPORTED_PAGES_PAGE {
    UCHAR DeviceType : 5, DeviceTypeQualifier : 3;
    UCHAR PageCode;                    /* VPD_SUPPORTED_PAGES */
    UCHAR Reserved;
    UCHAR PageLength;
    UCHAR SupportedPageList[0];
} VPD_SUPPORTED_PAGES_PAGE, *PVPD_SUPPORTED_PAGES_PAGE;
typedef struct _VPD_SERIAL_NUMBER_PAGE {
    UCHAR DeviceType : 5, DeviceTypeQualifier : 3;
    UCHAR PageCode;                    /* VPD_SERIAL_NUMBER */
    UCHAR Reserved;
    UCHAR PageLength;
    UCHAR SerialNumber[0];
} VPD_SERIAL_NUMBER_PAGE, *PVPD_SERIAL_NUMBER_PAGE;
typedef struct _VPD_MEDIA_SERIAL_NUMBER_PAGE {
    UCHAR DeviceType : 5, DeviceTypeQualifier : 3;
    UCHAR PageCode;                    /* VPD_MEDIA_SERIAL_NUMBER */
    UCHAR Reserved;
    UCHAR PageLength;
    UCHAR SerialNumber[0];
} VPD_MEDIA_SERIAL_NUMBER_PAGE, *PVPD_MEDIA_SERIAL_NUMBER_PAGE;
/* 83h, Device Identification: a series of designation descriptors, each a 4-byte header then the identifier. The
   code-set and designator-type values are those the WT_VPDIdentificationDescriptor page on MS Learn lists. */
typedef enum _VPD_CODE_SET {
    VpdCodeSetReserved = 0,
    VpdCodeSetBinary = 1,
    VpdCodeSetAscii = 2,
    VpdCodeSetUTF8 = 3
} VPD_CODE_SET, *PVPD_CODE_SET;
typedef enum _VPD_ASSOCIATION {
    VpdAssocDevice = 0,                /* the logical unit */
    VpdAssocPort = 1,                  /* the target port */
    VpdAssocTarget = 2,                /* the target device */
    VpdAssocReserved1 = 3,
    VpdAssocReserved2 = 4
} VPD_ASSOCIATION, *PVPD_ASSOCIATION;
typedef enum _VPD_IDENTIFIER_TYPE {
    VpdIdentifierTypeVendorSpecific = 0,
    VpdIdentifierTypeVendorId = 1,     /* T10 vendor ID based */
    VpdIdentifierTypeEUI64 = 2,
    VpdIdentifierTypeFCPHName = 3,     /* NAA */
    VpdIdentifierTypePortRelative = 4,
    VpdIdentifierTypeTargetPortGroup = 5,
    VpdIdentifierTypeLogicalUnitGroup = 6,
    VpdIdentifierTypeMD5LogicalUnitId = 7,
    VpdIdentifierTypeSCSINameString = 8
} VPD_IDENTIFIER_TYPE, *PVPD_IDENTIFIER_TYPE;
typedef struct _VPD_IDENTIFICATION_DESCRIPTOR {
    UCHAR CodeSet : 4, Reserved : 4;   /* VPD_CODE_SET; SPC-4's protocol identifier is in Reserved */
    UCHAR IdentifierType : 4, Association : 2, Reserved2 : 2;   /* VPD_IDENTIFIER_TYPE, VPD_ASSOCIATION; PIV in Reserved2 */
    UCHAR Reserved3;
    UCHAR IdentifierLength;
    UCHAR Identifier[0];
} VPD_IDENTIFICATION_DESCRIPTOR, *PVPD_IDENTIFICATION_DESCRIPTOR;
typedef struct _VPD_IDENTIFICATION_PAGE {
    UCHAR DeviceType : 5, DeviceTypeQualifier : 3;
    UCHAR PageCode;                    /* VPD_DEVICE_IDENTIFIERS */
    UCHAR Reserved;
    UCHAR PageLength;
    UCHAR Descriptors[0];              /* VPD_IDENTIFICATION_DESCRIPTORs */
} VPD_IDENTIFICATION_PAGE, *PVPD_IDENTIFICATION_PAGE;
#include "poppack.h"
C_ASSERT(sizeof(VPD_SUPPORTED_PAGES_PAGE) == 4 && sizeof(VPD_SERIAL_NUMBER_PAGE) == 4);
C_ASSERT(sizeof(VPD_IDENTIFICATION_DESCRIPTOR) == 4 && sizeof(VPD_IDENTIFICATION_PAGE) == 4);

/* ---- PERSISTENT RESERVE IN's READ KEYS and READ RESERVATION answers, PERSISTENT RESERVE OUT's parameter list ---- */
#include "pshpack1.h"
typedef struct _PRI_REGISTRATION_LIST {
    UCHAR Generation[4];
    UCHAR AdditionalLength[4];
    UCHAR ReservationKeyList[0][8];
} PRI_REGISTRATION_LIST, *PPRI_REGISTRATION_LIST;
typedef struct _PRI_RESERVATION_DESCRIPTOR {
    UCHAR ReservationKey[8];
    UCHAR ScopeSpecificAddress[4];
    UCHAR Reserved;
    UCHAR Type : 4, Scope : 4;         /* RESERVATION_TYPE_*, RESERVATION_SCOPE_* */
    UCHAR Obsolete[2];
} PRI_RESERVATION_DESCRIPTOR, *PPRI_RESERVATION_DESCRIPTOR;
typedef struct _PRI_RESERVATION_LIST {
    UCHAR Generation[4];
    UCHAR AdditionalLength[4];
    PRI_RESERVATION_DESCRIPTOR Reservations[0];
} PRI_RESERVATION_LIST, *PPRI_RESERVATION_LIST;
typedef struct _PRO_PARAMETER_LIST {
    UCHAR ReservationKey[8];
    UCHAR ServiceActionReservationKey[8];
    UCHAR ScopeSpecificAddress[4];
    UCHAR ActivatePersistThroughPowerLoss : 1, Reserved1 : 7;
    UCHAR Reserved2;
    UCHAR Obsolete[2];
} PRO_PARAMETER_LIST, *PPRO_PARAMETER_LIST;
#include "poppack.h"
C_ASSERT(sizeof(PRI_REGISTRATION_LIST) == 8 && sizeof(PRI_RESERVATION_DESCRIPTOR) == 16);
C_ASSERT(sizeof(PRI_RESERVATION_LIST) == 8 && sizeof(PRO_PARAMETER_LIST) == 24);
/* the all-registrants types (SPC-3) */
#define RESERVATION_TYPE_WRITE_EXCLUSIVE_ALLREG 0x07
#define RESERVATION_TYPE_EXCLUSIVE_ALLREG 0x08

/* ---- SECURITY PROTOCOL IN, protocol 00h, page 0000h: the supported security protocols (SPC-4) ---- */
#include "pshpack1.h"
typedef struct _SUPPORTED_SECURITY_PROTOCOLS_PARAMETER_DATA {
    UCHAR Reserved1[6];
    UCHAR SupportedSecurityListLength[2];
    UCHAR SupportedSecurityProtocol[0];    /* one byte per protocol, e.g. SECURITY_PROTOCOL_IEEE1667 */
} SUPPORTED_SECURITY_PROTOCOLS_PARAMETER_DATA, *PSUPPORTED_SECURITY_PROTOCOLS_PARAMETER_DATA;
#include "poppack.h"
C_ASSERT(sizeof(SUPPORTED_SECURITY_PROTOCOLS_PARAMETER_DATA) == 8);

/* ---- Fixed-format sense data (SPC-4; the SENSE_DATA page on MS Learn): 18 bytes ---- */
#include "pshpack1.h"
typedef struct _SENSE_DATA {
    UCHAR ErrorCode : 7;               /* response code: 70h current, 71h deferred */
    UCHAR Valid : 1;                   /* Information is as the standard defines it */
    UCHAR SegmentNumber;               /* obsolete */
    UCHAR SenseKey : 4;                /* SCSI_SENSE_* */
    UCHAR Reserved : 1;
    UCHAR IncorrectLength : 1;
    UCHAR EndOfMedia : 1;
    UCHAR FileMark : 1;
    UCHAR Information[4];
    UCHAR AdditionalSenseLength;       /* the bytes after this one: 10 for the 18-byte form */
    UCHAR CommandSpecificInformation[4];
    UCHAR AdditionalSenseCode;         /* SCSI_ADSENSE_* */
    UCHAR AdditionalSenseCodeQualifier;    /* SCSI_SENSEQ_* */
    UCHAR FieldReplaceableUnitCode;
    UCHAR SenseKeySpecific[3];
} SENSE_DATA, *PSENSE_DATA;
#include "poppack.h"
C_ASSERT(sizeof(SENSE_DATA) == SENSE_BUFFER_SIZE && FIELD_OFFSET(SENSE_DATA, AdditionalSenseCode) == 12);

/* ---- READ CAPACITY (10) and the first 12 bytes of READ CAPACITY (16)'s answer (SBC-3), byte-packed as Windows
   packs them: READ_CAPACITY_DATA_EX is 12 bytes, not a naturally aligned 16. ---- */
#include "pshpack1.h"
typedef struct _READ_CAPACITY_DATA {
    ULONG LogicalBlockAddress;         /* the last LBA, big-endian */
    ULONG BytesPerBlock;               /* big-endian */
} READ_CAPACITY_DATA, *PREAD_CAPACITY_DATA;
typedef struct _READ_CAPACITY_DATA_EX {
    LARGE_INTEGER LogicalBlockAddress; /* the last LBA, big-endian */
    ULONG BytesPerBlock;
} READ_CAPACITY_DATA_EX, *PREAD_CAPACITY_DATA_EX;
#include "poppack.h"
C_ASSERT(sizeof(READ_CAPACITY_DATA) == 8 && sizeof(READ_CAPACITY_DATA_EX) == 12);

/* READ BLOCK LIMITS' answer (SSC). */
#include "pshpack1.h"
typedef struct _READ_BLOCK_LIMITS {
    UCHAR Reserved;
    UCHAR BlockMaximumSize[3];
    UCHAR BlockMinimumSize[2];
} READ_BLOCK_LIMITS_DATA, *PREAD_BLOCK_LIMITS_DATA;
#include "poppack.h"
C_ASSERT(sizeof(READ_BLOCK_LIMITS_DATA) == 6);

/* ---- MODE SENSE / MODE SELECT parameters (SPC-4): a header, block descriptors, then pages ---- */
#include "pshpack1.h"
typedef struct _MODE_PARAMETER_HEADER {   /* the 6-byte commands' */
    UCHAR ModeDataLength;
    UCHAR MediumType;
    UCHAR DeviceSpecificParameter;     /* MODE_DSP_* for a disk */
    UCHAR BlockDescriptorLength;
} MODE_PARAMETER_HEADER, *PMODE_PARAMETER_HEADER;
typedef struct _MODE_PARAMETER_HEADER10 { /* the 10-byte commands' */
    UCHAR ModeDataLength[2];
    UCHAR MediumType;
    UCHAR DeviceSpecificParameter;
    UCHAR Reserved[2];
    UCHAR BlockDescriptorLength[2];
} MODE_PARAMETER_HEADER10, *PMODE_PARAMETER_HEADER10;
typedef struct _MODE_PARAMETER_BLOCK {    /* the short block descriptor */
    UCHAR DensityCode;
    UCHAR NumberOfBlocks[3];
    UCHAR Reserved;
    UCHAR BlockLength[3];
} MODE_PARAMETER_BLOCK, *PMODE_PARAMETER_BLOCK;
typedef struct _MODE_PARM_READ_WRITE {
    MODE_PARAMETER_HEADER ParameterListHeader;
    MODE_PARAMETER_BLOCK ParameterListBlock;
} MODE_PARM_READ_WRITE_DATA, *PMODE_PARM_READ_WRITE_DATA;
/* Each page starts with its code (bits 0-5), the SPF bit Windows leaves reserved, PS, then its length. */
typedef struct _MODE_READ_WRITE_RECOVERY_PAGE {   /* 01h, read-write error recovery */
    UCHAR PageCode : 6, Reserved1 : 1, PSBit : 1;
    UCHAR PageLength;
    UCHAR DCRBit : 1, DTEBit : 1, PERBit : 1, EERBit : 1, RCBit : 1, TBBit : 1, ARRE : 1, AWRE : 1;
    UCHAR ReadRetryCount;
    UCHAR Reserved4[4];
    UCHAR WriteRetryCount;
    UCHAR Reserved5[3];
} MODE_READ_WRITE_RECOVERY_PAGE, *PMODE_READ_WRITE_RECOVERY_PAGE;
typedef struct _MODE_READ_RECOVERY_PAGE {         /* 01h as a read-only device has it */
    UCHAR PageCode : 6, Reserved1 : 1, PSBit : 1;
    UCHAR PageLength;
    UCHAR DCRBit : 1, DTEBit : 1, PERBit : 1, Reserved2 : 1, RCBit : 1, TBBit : 1, Reserved3 : 2;
    UCHAR ReadRetryCount;
    UCHAR Reserved4[4];
} MODE_READ_RECOVERY_PAGE, *PMODE_READ_RECOVERY_PAGE;
typedef struct _MODE_DISCONNECT_PAGE {            /* 02h, disconnect-reconnect */
    UCHAR PageCode : 6, Reserved : 1, PageSavable : 1;
    UCHAR PageLength;
    UCHAR BufferFullRatio;
    UCHAR BufferEmptyRatio;
    UCHAR BusInactivityLimit[2];
    UCHAR BusDisconnectTime[2];
    UCHAR BusConnectTime[2];
    UCHAR MaximumBurstSize[2];
    UCHAR DataTransferDisconnect : 2;
    UCHAR Reserved2[3];
} MODE_DISCONNECT_PAGE, *PMODE_DISCONNECT_PAGE;
typedef struct _MODE_FORMAT_PAGE {                /* 03h, format device */
    UCHAR PageCode : 6, Reserved : 1, PageSavable : 1;
    UCHAR PageLength;
    UCHAR TracksPerZone[2];
    UCHAR AlternateSectorsPerZone[2];
    UCHAR AlternateTracksPerZone[2];
    UCHAR AlternateTracksPerLogicalUnit[2];
    UCHAR SectorsPerTrack[2];
    UCHAR BytesPerPhysicalSector[2];
    UCHAR Interleave[2];
    UCHAR TrackSkewFactor[2];
    UCHAR CylinderSkewFactor[2];
    UCHAR Reserved2 : 4, SurfaceFirst : 1, RemovableMedia : 1, HardSectorFormating : 1, SoftSectorFormating : 1;
    UCHAR Reserved3[3];
} MODE_FORMAT_PAGE, *PMODE_FORMAT_PAGE;
typedef struct _MODE_RIGID_GEOMETRY_PAGE {        /* 04h, rigid disk geometry (Windows' spellings) */
    UCHAR PageCode : 6, Reserved : 1, PageSavable : 1;
    UCHAR PageLength;
    UCHAR NumberOfCylinders[3];
    UCHAR NumberOfHeads;
    UCHAR StartWritePrecom[3];
    UCHAR StartReducedCurrent[3];
    UCHAR DriveStepRate[2];
    UCHAR LandZoneCyclinder[3];
    UCHAR RotationalPositionLock : 2, Reserved2 : 6;
    UCHAR RotationOffset;
    UCHAR Reserved3;
    UCHAR RoataionRate[2];
    UCHAR Reserved4[2];
} MODE_RIGID_GEOMETRY_PAGE, *PMODE_RIGID_GEOMETRY_PAGE;
typedef struct _MODE_CACHING_PAGE {               /* 08h, caching: Windows declares its first 12 bytes */
    UCHAR PageCode : 6, Reserved : 1, PageSavable : 1;
    UCHAR PageLength;
    UCHAR ReadDisableCache : 1, MultiplicationFactor : 1, WriteCacheEnable : 1, Reserved2 : 5;
    UCHAR WriteRetensionPriority : 4, ReadRetensionPriority : 4;
    UCHAR DisablePrefetchTransfer[2];
    UCHAR MinimumPrefetch[2];
    UCHAR MaximumPrefetch[2];
    UCHAR MaximumPrefetchCeiling[2];
} MODE_CACHING_PAGE, *PMODE_CACHING_PAGE;
typedef struct _POWER_CONDITION_PAGE {            /* 1Ah, power condition */
    UCHAR PageCode : 6, Reserved : 1, PSBit : 1;
    UCHAR PageLength;
    UCHAR Reserved2;
    UCHAR Standby : 1, Idle : 1, Reserved3 : 6;
    UCHAR IdleTimer[4];
    UCHAR StandbyTimer[4];
} POWER_CONDITION_PAGE, *PPOWER_CONDITION_PAGE;
typedef struct _MODE_INFO_EXCEPTIONS {            /* 1Ch, informational exceptions control */
    UCHAR PageCode : 6, Reserved1 : 1, PSBit : 1;
    UCHAR PageLength;
    union {
        UCHAR Flags;
        struct {
            UCHAR LogErr : 1, Reserved2 : 1, Test : 1, Dexcpt : 1, Reserved3 : 3, Perf : 1;
        };
    };
    UCHAR ReportMethod : 4, Reserved4 : 4;
    UCHAR IntervalTimer[4];
    UCHAR ReportCount[4];
} MODE_INFO_EXCEPTIONS, *PMODE_INFO_EXCEPTIONS;
typedef struct _CDVD_CAPABILITIES_PAGE {          /* 2Ah, CD/DVD capabilities and mechanical status (MMC) */
    UCHAR PageCode : 6, Reserved : 1, PSBit : 1;
    UCHAR PageLength;
    UCHAR CDRRead : 1, CDERead : 1, Method2 : 1, DVDROMRead : 1, DVDRRead : 1, DVDRAMRead : 1, Reserved2 : 2;
    UCHAR CDRWrite : 1, CDEWrite : 1, TestWrite : 1, Reserved3 : 1, DVDRWrite : 1, DVDRAMWrite : 1, Reserved4 : 2;
    UCHAR AudioPlay : 1, Composite : 1, DigitalPortOne : 1, DigitalPortTwo : 1, Mode2Form1 : 1, Mode2Form2 : 1,
          MultiSession : 1, BufferUnderrunFree : 1;
    UCHAR CDDA : 1, CDDAAccurate : 1, RWSupported : 1, RWDeinterleaved : 1, C2Pointers : 1, ISRC : 1, UPC : 1,
          ReadBarCodeCapable : 1;
    UCHAR Lock : 1, LockState : 1, PreventJumper : 1, Eject : 1, Reserved6 : 1, LoadingMechanismType : 3;
    UCHAR SeparateVolume : 1, SeperateChannelMute : 1, SupportsDiskPresent : 1, SWSlotSelection : 1,
          SideChangeCapable : 1, RWInLeadInReadable : 1, Reserved7 : 2;   /* Windows' spelling, Seperate */
    union {                                       /* fields MMC has since made obsolete keep a second name */
        UCHAR ReadSpeedMaximum[2];
        UCHAR ObsoleteReserved[2];
    } DUMMYUNIONNAME;
    UCHAR NumberVolumeLevels[2];
    UCHAR BufferSize[2];
    union {
        UCHAR ReadSpeedCurrent[2];
        UCHAR ObsoleteReserved2[2];
    } DUMMYUNIONNAME2;
    UCHAR ObsoleteReserved3;
    UCHAR Reserved8 : 1, BCK : 1, RCK : 1, LSBF : 1, Length : 2, Reserved9 : 2;
    union {
        UCHAR WriteSpeedMaximum[2];
        UCHAR ObsoleteReserved4[2];
    } DUMMYUNIONNAME3;
    union {
        UCHAR WriteSpeedCurrent[2];
        UCHAR ObsoleteReserved11[2];
    } DUMMYUNIONNAME4;
    union {
        UCHAR CopyManagementRevision[2];
        UCHAR Reserved10[2];
    } DUMMYUNIONNAME5;
} CDVD_CAPABILITIES_PAGE, *PCDVD_CAPABILITIES_PAGE;
#include "poppack.h"
C_ASSERT(sizeof(MODE_PARAMETER_HEADER) == MODE_HEADER_LENGTH && sizeof(MODE_PARAMETER_HEADER10) == MODE_HEADER_LENGTH10);
C_ASSERT(sizeof(MODE_PARAMETER_BLOCK) == MODE_BLOCK_DESC_LENGTH && sizeof(MODE_PARM_READ_WRITE_DATA) == 12);
C_ASSERT(sizeof(MODE_READ_WRITE_RECOVERY_PAGE) == 12 && sizeof(MODE_DISCONNECT_PAGE) == 16);
C_ASSERT(sizeof(MODE_FORMAT_PAGE) == 24 && sizeof(MODE_RIGID_GEOMETRY_PAGE) == 24);
C_ASSERT(sizeof(MODE_CACHING_PAGE) == 12 && sizeof(POWER_CONDITION_PAGE) == 12 && sizeof(MODE_INFO_EXCEPTIONS) == 12);
C_ASSERT(sizeof(CDVD_CAPABILITIES_PAGE) == 24 && FIELD_OFFSET(CDVD_CAPABILITIES_PAGE, WriteSpeedMaximum) == 18);

/* ---- REPORT LUNS' answer (SPC-4): an 8-byte header, then 8-byte LUNs ---- */
#include "pshpack1.h"
typedef struct _LUN_LIST {
    UCHAR LunListLength[4];            /* bytes of LUNs that follow */
    UCHAR Reserved[4];
    UCHAR Lun[0][8];
} LUN_LIST, *PLUN_LIST;
#include "poppack.h"
C_ASSERT(sizeof(LUN_LIST) == 8);

/* ---- A SCSI-2 extended message (SPI): modify data pointer, synchronous or wide data transfer request ---- */
typedef struct _SCSI_EXTENDED_MESSAGE {
    UCHAR InitialMessageCode;          /* SCSIMESS_EXTENDED_MESSAGE */
    UCHAR MessageLength;
    UCHAR MessageType;                 /* SCSIMESS_MODIFY_DATA_POINTER, _SYNCHRONOUS_DATA_REQ, _WIDE_DATA_REQUEST */
    union _EXTENDED_ARGUMENTS {
        struct {
            UCHAR Modifier[4];
        } Modify;
        struct {
            UCHAR TransferPeriod;
            UCHAR ReqAckOffset;
        } Synchronous;
        struct {
            UCHAR Width;
        } Wide;
    } ExtendedArguments;
} SCSI_EXTENDED_MESSAGE, *PSCSI_EXTENDED_MESSAGE;
C_ASSERT(sizeof(SCSI_EXTENDED_MESSAGE) == 7);

/* ---- Byte order: SCSI's multi-byte fields are big-endian, x64 little-endian ---- */
/* A value seen as its bytes, Byte0 the lowest-addressed. */
typedef union _EIGHT_BYTE {
    struct { UCHAR Byte0, Byte1, Byte2, Byte3, Byte4, Byte5, Byte6, Byte7; };
    ULONGLONG AsULongLong;
} EIGHT_BYTE, *PEIGHT_BYTE;
typedef union _FOUR_BYTE {
    struct { UCHAR Byte0, Byte1, Byte2, Byte3; };
    ULONG AsULong;
} FOUR_BYTE, *PFOUR_BYTE;
typedef union _TWO_BYTE {
    struct { UCHAR Byte0, Byte1; };
    USHORT AsUShort;
} TWO_BYTE, *PTWO_BYTE;
/* REVERSE_BYTES*(Destination, Source): store the 8, 4 or 2 bytes at Source into Destination in the opposite order
   (both are pointers; they may be unaligned, and should not overlap). REVERSE_SHORT/REVERSE_LONG(Pointer) reverse
   the 2 or 4 bytes at Pointer in place. Statements, as Windows' are: each expands to one braced block. */
#define MPT_SCSI_REVERSE_COPY_(Destination, Source, Count) {                                                       \
    UCHAR *mptRevDst_ = (UCHAR *)(Destination);                                                                    \
    const UCHAR *mptRevSrc_ = (const UCHAR *)(Source);                                                             \
    for (ULONG mptRevI_ = 0; mptRevI_ < (Count); mptRevI_++) mptRevDst_[mptRevI_] = mptRevSrc_[(Count) - 1 - mptRevI_]; \
}
#define REVERSE_BYTES_QUAD(Destination, Source) MPT_SCSI_REVERSE_COPY_(Destination, Source, 8)
#define REVERSE_BYTES(Destination, Source) MPT_SCSI_REVERSE_COPY_(Destination, Source, 4)
#define REVERSE_BYTES_SHORT(Destination, Source) MPT_SCSI_REVERSE_COPY_(Destination, Source, 2)
#define MPT_SCSI_REVERSE_IN_PLACE_(Pointer, Count) {                                                               \
    UCHAR *mptRevP_ = (UCHAR *)(Pointer);                                                                          \
    for (ULONG mptRevI_ = 0; mptRevI_ < (Count) / 2; mptRevI_++) {                                                 \
        UCHAR mptRevT_ = mptRevP_[mptRevI_];                                                                       \
        mptRevP_[mptRevI_] = mptRevP_[(Count) - 1 - mptRevI_];                                                     \
        mptRevP_[(Count) - 1 - mptRevI_] = mptRevT_;                                                               \
    }                                                                                                              \
}
#define REVERSE_SHORT(Short) MPT_SCSI_REVERSE_IN_PLACE_(Short, 2)
#define REVERSE_LONG(Long) MPT_SCSI_REVERSE_IN_PLACE_(Long, 4)

/* ======================================================================================================================
 * Descriptor-format sense data, READ CAPACITY (16)'s answer, UNMAP's parameters, the SBC and SAT VPD pages, READ BUFFER's
 * error history and GET PHYSICAL ELEMENT STATUS's answer, from SPC/SBC/SAT and the scsi.h reference pages. Each
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
#define VPD_THIRD_PARTY_COPY 0x8F
#define VPD_BLOCK_LIMITS 0xB0
#define VPD_BLOCK_DEVICE_CHARACTERISTICS 0xB1
#define VPD_LOGICAL_BLOCK_PROVISIONING 0xB2
#define VPD_ZONED_BLOCK_DEVICE_CHARACTERISTICS 0xB6
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

/* ======================================================================================================================
 * Optical (MMC), tape (SSC) and changer (SMC) data: the constants and parameter-data layouts only CD/DVD, tape and
 * medium-changer drivers name. Taken from the T10 command sets (MMC-6, SSC, SMC, and SCSI-2 where Windows kept an older
 * form) for the wire layouts, with Windows' names, sizes and member order; TRACK_INFORMATION2 also has its scsi.h page
 * on MS Learn. Every multi-byte field is a big-endian byte array unless it says otherwise. The structures of
 * UCHARs are byte-packed as the rest of this file's parameter data; TAPE_POSITION_DATA, which has a USHORT, keeps its
 * natural alignment (its layout is the same either way).
 * ==================================================================================================================== */

/* ---- GET EVENT STATUS NOTIFICATION (MMC-6): the notification classes, as a bit of the CDB's request mask
   (NOTIFICATION_*_CLASS_MASK) and as the class number the header reports (NOTIFICATION_*_CLASS_EVENTS) ---- */
#define NOTIFICATION_OPERATIONAL_CHANGE_CLASS_MASK 0x02
#define NOTIFICATION_POWER_MANAGEMENT_CLASS_MASK 0x04
#define NOTIFICATION_EXTERNAL_REQUEST_CLASS_MASK 0x08
#define NOTIFICATION_MEDIA_STATUS_CLASS_MASK 0x10
#define NOTIFICATION_MULTI_HOST_CLASS_MASK 0x20
#define NOTIFICATION_DEVICE_BUSY_CLASS_MASK 0x40
#define NOTIFICATION_NO_CLASS_EVENTS 0x0
#define NOTIFICATION_OPERATIONAL_CHANGE_CLASS_EVENTS 0x1
#define NOTIFICATION_POWER_MANAGEMENT_CLASS_EVENTS 0x2
#define NOTIFICATION_EXTERNAL_REQUEST_CLASS_EVENTS 0x3
#define NOTIFICATION_MEDIA_STATUS_CLASS_EVENTS 0x4
#define NOTIFICATION_MULTI_HOST_CLASS_EVENTS 0x5
#define NOTIFICATION_DEVICE_BUSY_CLASS_EVENTS 0x6
/* operational change class (1): event codes, status codes, and the operation reported */
#define NOTIFICATION_OPERATIONAL_EVENT_NO_CHANGE 0x0
#define NOTIFICATION_OPERATIONAL_EVENT_CHANGE_REQUESTED 0x1
#define NOTIFICATION_OPERATIONAL_EVENT_CHANGE_OCCURRED 0x2
#define NOTIFICATION_OPERATIONAL_STATUS_AVAILABLE 0x0
#define NOTIFICATION_OPERATIONAL_STATUS_TEMPORARY_BUSY 0x1
#define NOTIFICATION_OPERATIONAL_STATUS_EXTENDED_BUSY 0x2
#define NOTIFICATION_OPERATIONAL_OPCODE_NONE 0x0
#define NOTIFICATION_OPERATIONAL_OPCODE_FEATURE_CHANGE 0x1
#define NOTIFICATION_OPERATIONAL_OPCODE_FEATURE_ADDED 0x2
#define NOTIFICATION_OPERATIONAL_OPCODE_UNIT_RESET 0x3
#define NOTIFICATION_OPERATIONAL_OPCODE_FIRMWARE_CHANGED 0x4
#define NOTIFICATION_OPERATIONAL_OPCODE_INQUIRY_CHANGED 0x5
/* power management class (2) */
#define NOTIFICATION_POWER_EVENT_NO_CHANGE 0x0
#define NOTIFICATION_POWER_EVENT_CHANGE_SUCCEEDED 0x1
#define NOTIFICATION_POWER_EVENT_CHANGE_FAILED 0x2
#define NOTIFICATION_POWER_STATUS_ACTIVE 0x1
#define NOTIFICATION_POWER_STATUS_IDLE 0x2
#define NOTIFICATION_POWER_STATUS_STANDBY 0x3
#define NOTIFICATION_POWER_STATUS_SLEEP 0x4
/* external request class (3): events, status, and the 16-bit request code (00h-02FFh) */
#define NOTIFICATION_EXTERNAL_EVENT_NO_CHANGE 0x0
#define NOTIFICATION_EXTERNAL_EVENT_BUTTON_DOWN 0x1
#define NOTIFICATION_EXTERNAL_EVENT_BUTTON_UP 0x2
#define NOTIFICATION_EXTERNAL_EVENT_EXTERNAL 0x3
#define NOTIFICATION_EXTERNAL_STATUS_READY 0x0
#define NOTIFICATION_EXTERNAL_STATUS_PREVENT 0x1
#define NOTIFICATION_EXTERNAL_REQUEST_NONE 0x0000
#define NOTIFICATION_EXTERNAL_REQUEST_QUEUE_OVERRUN 0x0001
#define NOTIFICATION_EXTERNAL_REQUEST_PLAY 0x0101
#define NOTIFICATION_EXTERNAL_REQUEST_REWIND_BACK 0x0102
#define NOTIFICATION_EXTERNAL_REQUEST_FAST_FORWARD 0x0103
#define NOTIFICATION_EXTERNAL_REQUEST_PAUSE 0x0104
#define NOTIFICATION_EXTERNAL_REQUEST_STOP 0x0106
#define NOTIFICATION_EXTERNAL_REQUEST_ASCII_LOW 0x0200  /* 0200h-02FFh: an ASCII key, in the low byte */
#define NOTIFICATION_EXTERNAL_REQUEST_ASCII_HIGH 0x02ff
/* media class (4) */
#define NOTIFICATION_MEDIA_EVENT_NO_EVENT 0x0
#define NOTIFICATION_MEDIA_EVENT_NO_CHANGE 0x0
#define NOTIFICATION_MEDIA_EVENT_EJECT_REQUEST 0x1
#define NOTIFICATION_MEDIA_EVENT_NEW_MEDIA 0x2
#define NOTIFICATION_MEDIA_EVENT_MEDIA_REMOVAL 0x3
#define NOTIFICATION_MEDIA_EVENT_MEDIA_CHANGE 0x4
/* multi-host class (5) */
#define NOTIFICATION_MULTI_HOST_EVENT_NO_CHANGE 0x0
#define NOTIFICATION_MULTI_HOST_EVENT_CONTROL_REQUEST 0x1
#define NOTIFICATION_MULTI_HOST_EVENT_CONTROL_GRANT 0x2
#define NOTIFICATION_MULTI_HOST_EVENT_CONTROL_RELEASE 0x3
#define NOTIFICATION_MULTI_HOST_STATUS_READY 0x0
#define NOTIFICATION_MULTI_HOST_STATUS_PREVENT 0x1
#define NOTIFICATION_MULTI_HOST_PRIORITY_NO_REQUESTS 0x0
#define NOTIFICATION_MULTI_HOST_PRIORITY_LOW 0x1
#define NOTIFICATION_MULTI_HOST_PRIORITY_MEDIUM 0x2
#define NOTIFICATION_MULTI_HOST_PRIORITY_HIGH 0x3
/* device busy class (6) */
#define NOTIFICATION_BUSY_EVENT_NO_EVENT 0x0
#define NOTIFICATION_BUSY_EVENT_NO_CHANGE 0x0
#define NOTIFICATION_BUSY_EVENT_BUSY 0x1
#define NOTIFICATION_BUSY_EVENT_LO_CHANGE 0x2
#define NOTIFICATION_BUSY_STATUS_NO_EVENT 0x0
#define NOTIFICATION_BUSY_STATUS_POWER 0x1
#define NOTIFICATION_BUSY_STATUS_IMMEDIATE 0x2
#define NOTIFICATION_BUSY_STATUS_DEFERRED 0x3

/* ---- READ DISC STRUCTURE's DVD formats and REPORT KEY / SEND KEY's key formats (MMC-6) ---- */
#define DVD_FORMAT_LEAD_IN 0x00        /* physical format information */
#define DVD_FORMAT_COPYRIGHT 0x01
#define DVD_FORMAT_DISK_KEY 0x02
#define DVD_FORMAT_BCA 0x03
#define DVD_FORMAT_MANUFACTURING 0x04
#define DVD_REPORT_AGID 0x00
#define DVD_CHALLENGE_KEY 0x01
#define DVD_KEY_1 0x02
#define DVD_KEY_2 0x03
#define DVD_TITLE_KEY 0x04
#define DVD_REPORT_ASF 0x05            /* authentication success flag */
#define DVD_INVALIDATE_AGID 0x3F

/* ---- READ DISC INFORMATION (MMC-6): disc and last-session status, disc type, background format status ---- */
#define DISK_STATUS_EMPTY 0x00
#define DISK_STATUS_INCOMPLETE 0x01
#define DISK_STATUS_COMPLETE 0x02
#define DISK_STATUS_OTHERS 0x03
#define LAST_SESSION_EMPTY 0x00
#define LAST_SESSION_INCOMPLETE 0x01
#define LAST_SESSION_RESERVED_DAMAGED 0x02
#define LAST_SESSION_COMPLETE 0x03
#define DISK_TYPE_CDDA 0x00            /* CD-DA or CD-ROM */
#define DISK_TYPE_CDI 0x10
#define DISK_TYPE_XA 0x20
#define DISK_TYPE_UNDEFINED 0xFF
#define DISC_BGFORMAT_STATE_NONE 0x0
#define DISC_BGFORMAT_STATE_INCOMPLETE 0x1
#define DISC_BGFORMAT_STATE_RUNNING 0x2
#define DISC_BGFORMAT_STATE_COMPLETE 0x3

/* ---- READ HEADER's data mode (SCSI-2 CD-ROM) ---- */
#define DATA_BLOCK_MODE0 0x0
#define DATA_BLOCK_MODE1 0x1
#define DATA_BLOCK_MODE2 0x2

/* ---- The loading mechanism type, bits 7-5 of byte 6 of the capabilities page 2Ah (MMC-6) ---- */
#define CDVD_LMT_CADDY 0
#define CDVD_LMT_TRAY 1
#define CDVD_LMT_POPUP 2
#define CDVD_LMT_RESERVED1 3
#define CDVD_LMT_CHANGER_INDIVIDUAL 4
#define CDVD_LMT_CHANGER_CARTRIDGE 5
#define CDVD_LMT_RESERVED2 6
#define CDVD_LMT_RESERVED3 7

#include "pshpack1.h"

/* GET EVENT STATUS NOTIFICATION's answer (MMC-6): a 4-byte header, then one class's 4-byte event descriptor. */
typedef struct _NOTIFICATION_EVENT_STATUS_HEADER {
    UCHAR EventDataLength[2];          /* bytes after this field */
    UCHAR NotificationClass : 3, Reserved : 4, NEA : 1;   /* NEA: no event available */
    UCHAR SupportedEventClasses;       /* a NOTIFICATION_*_CLASS_MASK bit per class the device supports */
    UCHAR ClassEventData[0];
} NOTIFICATION_EVENT_STATUS_HEADER, *PNOTIFICATION_EVENT_STATUS_HEADER;
typedef struct _NOTIFICATION_OPERATIONAL_STATUS {
    UCHAR OperationalEvent : 4, Reserved1 : 4;
    UCHAR OperationalStatus : 4, Reserved2 : 3, PersistentPrevented : 1;
    UCHAR Operation[2];                /* NOTIFICATION_OPERATIONAL_OPCODE_* */
} NOTIFICATION_OPERATIONAL_STATUS, *PNOTIFICATION_OPERATIONAL_STATUS;
typedef struct _NOTIFICATION_POWER_STATUS {
    UCHAR PowerEvent : 4, Reserved : 4;
    UCHAR PowerStatus;                 /* NOTIFICATION_POWER_STATUS_* */
    UCHAR Reserved2[2];
} NOTIFICATION_POWER_STATUS, *PNOTIFICATION_POWER_STATUS;
typedef struct _NOTIFICATION_EXTERNAL_STATUS {
    UCHAR ExternalEvent : 4, Reserved1 : 4;
    UCHAR ExternalStatus : 4, Reserved2 : 3, PersistentPrevented : 1;
    UCHAR Request[2];                  /* NOTIFICATION_EXTERNAL_REQUEST_* */
} NOTIFICATION_EXTERNAL_STATUS, *PNOTIFICATION_EXTERNAL_STATUS;
typedef struct _NOTIFICATION_MEDIA_STATUS {
    UCHAR MediaEvent : 4, Reserved : 4;
    union {                            /* byte 1 by three names: Windows' older PowerStatus, the byte, its bits */
        UCHAR PowerStatus;
        UCHAR MediaStatus;
        struct {
            UCHAR DoorTrayOpen : 1, MediaPresent : 1, ReservedX : 6;
        };
    };
    UCHAR StartSlot;
    UCHAR EndSlot;
} NOTIFICATION_MEDIA_STATUS, *PNOTIFICATION_MEDIA_STATUS;
typedef struct _NOTIFICATION_MULTI_HOST_STATUS {
    UCHAR MultiHostEvent : 4, Reserved1 : 4;
    UCHAR MultiHostStatus : 4, Reserved2 : 3, PersistentPrevented : 1;
    UCHAR Priority[2];                 /* NOTIFICATION_MULTI_HOST_PRIORITY_* */
} NOTIFICATION_MULTI_HOST_STATUS, *PNOTIFICATION_MULTI_HOST_STATUS;
typedef struct _NOTIFICATION_BUSY_STATUS {
    UCHAR DeviceBusyEvent : 4, Reserved : 4;
    UCHAR DeviceBusyStatus;
    UCHAR Time[2];                     /* the expected busy time, in tenths of a second */
} NOTIFICATION_BUSY_STATUS, *PNOTIFICATION_BUSY_STATUS;
C_ASSERT(sizeof(NOTIFICATION_EVENT_STATUS_HEADER) == 4 && sizeof(NOTIFICATION_OPERATIONAL_STATUS) == 4);
C_ASSERT(sizeof(NOTIFICATION_POWER_STATUS) == 4 && sizeof(NOTIFICATION_EXTERNAL_STATUS) == 4);
C_ASSERT(sizeof(NOTIFICATION_MEDIA_STATUS) == 4 && FIELD_OFFSET(NOTIFICATION_MEDIA_STATUS, StartSlot) == 2);
C_ASSERT(sizeof(NOTIFICATION_MULTI_HOST_STATUS) == 4 && sizeof(NOTIFICATION_BUSY_STATUS) == 4);

/* READ DISC STRUCTURE's answer for a DVD (MMC-6): a 4-byte header, then the format's data. */
typedef struct _READ_DVD_STRUCTURES_HEADER {
    UCHAR Length[2];
    UCHAR Reserved[2];
    UCHAR Data[0];
} READ_DVD_STRUCTURES_HEADER, *PREAD_DVD_STRUCTURES_HEADER;
C_ASSERT(sizeof(READ_DVD_STRUCTURES_HEADER) == 4);

/* REPORT KEY's answers and SEND KEY's parameters (MMC-6, CSS): a 4-byte header, then the key format's data. */
typedef struct _CDVD_KEY_HEADER {
    UCHAR DataLength[2];
    UCHAR Reserved[2];
    UCHAR Data[0];
} CDVD_KEY_HEADER, *PCDVD_KEY_HEADER;
typedef struct _CDVD_REPORT_AGID_DATA {        /* DVD_REPORT_AGID */
    UCHAR Reserved1[3];
    UCHAR Reserved2 : 6, AGID : 2;
} CDVD_REPORT_AGID_DATA, *PCDVD_REPORT_AGID_DATA;
typedef struct _CDVD_CHALLENGE_KEY_DATA {      /* DVD_CHALLENGE_KEY */
    UCHAR ChallengeKeyValue[10];
    UCHAR Reserved[2];
} CDVD_CHALLENGE_KEY_DATA, *PCDVD_CHALLENGE_KEY_DATA;
typedef struct _CDVD_KEY_DATA {                /* DVD_KEY_1, DVD_KEY_2 */
    UCHAR Key[5];
    UCHAR Reserved[3];
} CDVD_KEY_DATA, *PCDVD_KEY_DATA;
typedef struct _CDVD_REPORT_ASF_DATA {         /* DVD_REPORT_ASF */
    UCHAR Reserved1[3];
    UCHAR Success : 1, Reserved2 : 7;
} CDVD_REPORT_ASF_DATA, *PCDVD_REPORT_ASF_DATA;
/* DVD_TITLE_KEY: Windows' own form, the copyright-management bits in byte 3, then the key. */
typedef struct _CDVD_TITLE_KEY_HEADER {
    UCHAR DataLength[2];
    UCHAR Reserved1[1];
    UCHAR Reserved2 : 3, CGMS : 2, CP_SEC : 1, CPM : 1, Zero : 1;
    CDVD_KEY_DATA TitleKey;
} CDVD_TITLE_KEY_HEADER, *PCDVD_TITLE_KEY_HEADER;
C_ASSERT(sizeof(CDVD_KEY_HEADER) == 4 && sizeof(CDVD_REPORT_AGID_DATA) == 4 && sizeof(CDVD_REPORT_ASF_DATA) == 4);
C_ASSERT(sizeof(CDVD_CHALLENGE_KEY_DATA) == 12 && sizeof(CDVD_KEY_DATA) == 8);
C_ASSERT(sizeof(CDVD_TITLE_KEY_HEADER) == 12 && FIELD_OFFSET(CDVD_TITLE_KEY_HEADER, TitleKey) == 4);

/* FORMAT UNIT's parameter list (MMC-6): a 4-byte format list header, then 8-byte format descriptors. */
typedef struct _FORMAT_DESCRIPTOR {
    UCHAR NumberOfBlocks[4];
    UCHAR FormatSubType : 2, FormatType : 6;
    UCHAR BlockLength[3];              /* the format type's parameter */
} FORMAT_DESCRIPTOR, *PFORMAT_DESCRIPTOR;
typedef struct _FORMAT_LIST_HEADER {
    UCHAR Reserved;
    UCHAR VendorSpecific : 1, Immediate : 1, TryOut : 1, IP : 1, STPF : 1, DCRT : 1, DPRY : 1, FOV : 1;
    UCHAR FormatDescriptorLength[2];
    FORMAT_DESCRIPTOR Descriptors[0];
} FORMAT_LIST_HEADER, *PFORMAT_LIST_HEADER;
C_ASSERT(sizeof(FORMAT_DESCRIPTOR) == 8 && sizeof(FORMAT_LIST_HEADER) == 4);

/* READ FORMAT CAPACITIES' answer (MMC-6): a capacity list header, then 8-byte capacity descriptors. Byte 4's low
   two bits are the descriptor type, which Windows names as two bits. */
typedef struct _FORMATTED_CAPACITY_DESCRIPTOR {
    UCHAR NumberOfBlocks[4];
    UCHAR Maximum : 1, Valid : 1, FormatType : 6;
    UCHAR BlockLength[3];
} FORMATTED_CAPACITY_DESCRIPTOR, *PFORMATTED_CAPACITY_DESCRIPTOR;
typedef struct _FORMATTED_CAPACITY_LIST {
    UCHAR Reserved[3];
    UCHAR CapacityListLength;          /* bytes of descriptors that follow */
    FORMATTED_CAPACITY_DESCRIPTOR Descriptors[0];
} FORMATTED_CAPACITY_LIST, *PFORMATTED_CAPACITY_LIST;
C_ASSERT(sizeof(FORMATTED_CAPACITY_DESCRIPTOR) == 8 && sizeof(FORMATTED_CAPACITY_LIST) == 4);

/* READ DISC INFORMATION's answer (MMC-6): 34 bytes, then NumberOPCEntries 8-byte OPC table entries. DISC_INFORMATION
   is the current form (16-bit session and track numbers, MRW status); DISK_INFORMATION the older one. */
typedef struct _OPC_TABLE_ENTRY {
    UCHAR Speed[2];                    /* kbytes per second */
    UCHAR OPCValue[6];
} OPC_TABLE_ENTRY, *POPC_TABLE_ENTRY;
typedef struct _DISC_INFORMATION {
    UCHAR Length[2];
    UCHAR DiscStatus : 2, LastSessionStatus : 2, Erasable : 1, Reserved1 : 3;   /* DISK_STATUS_*, LAST_SESSION_* */
    UCHAR FirstTrackNumber;
    UCHAR NumberOfSessionsLsb;
    UCHAR LastSessionFirstTrackLsb;
    UCHAR LastSessionLastTrackLsb;
    UCHAR MrwStatus : 2, MrwDirtyBit : 1, Reserved2 : 2, URU : 1, DBC_V : 1, DID_V : 1;   /* DISC_BGFORMAT_STATE_* */
    UCHAR DiscType;                    /* DISK_TYPE_* */
    UCHAR NumberOfSessionsMsb;
    UCHAR LastSessionFirstTrackMsb;
    UCHAR LastSessionLastTrackMsb;
    UCHAR DiskIdentification[4];
    UCHAR LastSessionLeadIn[4];        /* an MSF address */
    UCHAR LastPossibleLeadOutStartTime[4];
    UCHAR DiskBarCode[8];
    UCHAR Reserved4;
    UCHAR NumberOPCEntries;
    OPC_TABLE_ENTRY OPCTable[1];
} DISC_INFORMATION, *PDISC_INFORMATION;
typedef struct _DISK_INFORMATION {
    UCHAR Length[2];
    UCHAR DiskStatus : 2, LastSessionStatus : 2, Erasable : 1, Reserved1 : 3;
    UCHAR FirstTrackNumber;
    UCHAR NumberOfSessions;
    UCHAR LastSessionFirstTrack;
    UCHAR LastSessionLastTrack;
    UCHAR Reserved2 : 5, GEN : 1, DBC_V : 1, DID_V : 1;
    UCHAR DiskType;
    UCHAR Reserved3[3];
    UCHAR DiskIdentification[4];
    UCHAR LastSessionLeadIn[4];
    UCHAR LastPossibleStartTime[4];
    UCHAR DiskBarCode[8];
    UCHAR Reserved4;
    UCHAR NumberOPCEntries;
    OPC_TABLE_ENTRY OPCTable[0];
} DISK_INFORMATION, *PDISK_INFORMATION;
C_ASSERT(sizeof(OPC_TABLE_ENTRY) == 8 && sizeof(DISK_INFORMATION) == 34);
C_ASSERT(sizeof(DISC_INFORMATION) == 42 && FIELD_OFFSET(DISC_INFORMATION, OPCTable) == 34);

/* READ HEADER's answer (SCSI-2 CD-ROM): the sector's data mode (DATA_BLOCK_MODE*), then its address as an LBA or as
   minute, second, frame. */
typedef struct _DATA_BLOCK_HEADER {
    UCHAR DataMode;
    UCHAR Reserved[4];
    union {
        UCHAR LogicalBlockAddress[4];
        struct {
            UCHAR Reserved;
            UCHAR M;
            UCHAR S;
            UCHAR F;
        } MSF;
    };
} DATA_BLOCK_HEADER, *PDATA_BLOCK_HEADER;
C_ASSERT(sizeof(DATA_BLOCK_HEADER) == 9 && FIELD_OFFSET(DATA_BLOCK_HEADER, LogicalBlockAddress) == 5);

/* READ TRACK INFORMATION's answer (MMC-6; TRACK_INFORMATION2 has its page on MS Learn, ns-scsi-_track_information2).
   TRACK_INFORMATION is the original 24 bytes; TRACK_INFORMATION2 adds the track size, the last recorded address and the
   high bytes of the track and session numbers (36 bytes); TRACK_INFORMATION3 the read compatibility LBA (40). */
typedef struct _TRACK_INFORMATION {
    UCHAR Length[2];
    UCHAR TrackNumber;
    UCHAR SessionNumber;
    UCHAR Reserved1;
    UCHAR TrackMode : 4, Copy : 1, Damage : 1, Reserved2 : 2;
    UCHAR DataMode : 4, FP : 1, Packet : 1, Blank : 1, RT : 1;
    UCHAR NWA_V : 1, Reserved3 : 7;
    UCHAR TrackStartAddress[4];
    UCHAR NextWritableAddress[4];
    UCHAR FreeBlocks[4];
    UCHAR FixedPacketSize[4];
} TRACK_INFORMATION, *PTRACK_INFORMATION;
typedef struct _TRACK_INFORMATION2 {
    UCHAR Length[2];
    UCHAR TrackNumberLsb;
    UCHAR SessionNumberLsb;
    UCHAR Reserved4;
    UCHAR TrackMode : 4, Copy : 1, Damage : 1, Reserved5 : 2;
    UCHAR DataMode : 4, FixedPacket : 1, Packet : 1, Blank : 1, ReservedTrack : 1;
    UCHAR NWA_V : 1, LRA_V : 1, Reserved6 : 6;
    UCHAR TrackStartAddress[4];
    UCHAR NextWritableAddress[4];
    UCHAR FreeBlocks[4];
    UCHAR FixedPacketSize[4];          /* or the blocking factor */
    UCHAR TrackSize[4];
    UCHAR LastRecordedAddress[4];
    UCHAR TrackNumberMsb;
    UCHAR SessionNumberMsb;
    UCHAR Reserved7[2];
} TRACK_INFORMATION2, *PTRACK_INFORMATION2;
typedef struct _TRACK_INFORMATION3 {
    UCHAR Length[2];
    UCHAR TrackNumberLsb;
    UCHAR SessionNumberLsb;
    UCHAR Reserved4;
    UCHAR TrackMode : 4, Copy : 1, Damage : 1, Reserved5 : 2;
    UCHAR DataMode : 4, FixedPacket : 1, Packet : 1, Blank : 1, ReservedTrack : 1;
    UCHAR NWA_V : 1, LRA_V : 1, Reserved6 : 6;
    UCHAR TrackStartAddress[4];
    UCHAR NextWritableAddress[4];
    UCHAR FreeBlocks[4];
    UCHAR FixedPacketSize[4];
    UCHAR TrackSize[4];
    UCHAR LastRecordedAddress[4];
    UCHAR TrackNumberMsb;
    UCHAR SessionNumberMsb;
    UCHAR Reserved7[2];
    UCHAR ReadCompatibilityLba[4];
} TRACK_INFORMATION3, *PTRACK_INFORMATION3;
C_ASSERT(sizeof(TRACK_INFORMATION) == 24 && sizeof(TRACK_INFORMATION2) == 36 && sizeof(TRACK_INFORMATION3) == 40);
C_ASSERT(FIELD_OFFSET(TRACK_INFORMATION2, TrackNumberMsb) == 32);

/* SET STREAMING's performance descriptor (MMC-6): 28 bytes. */
typedef struct _PERFORMANCE_DESCRIPTOR {
    UCHAR RandomAccess : 1, Exact : 1, RestoreDefaults : 1, WriteRotationControl : 2, Reserved1 : 3;
    UCHAR Reserved[3];
    UCHAR StartLba[4];
    UCHAR EndLba[4];
    UCHAR ReadSize[4];                 /* kilobytes ... */
    UCHAR ReadTime[4];                 /* ... per this many milliseconds */
    UCHAR WriteSize[4];
    UCHAR WriteTime[4];
} PERFORMANCE_DESCRIPTOR, *PPERFORMANCE_DESCRIPTOR;
C_ASSERT(sizeof(PERFORMANCE_DESCRIPTOR) == 28);

/* READ BUFFER CAPACITY's answer (MMC-6): with BlockDataReturned set the two sizes count blocks, not bytes. */
typedef struct _READ_BUFFER_CAPACITY_DATA {
    UCHAR DataLength[2];
    UCHAR Reserved1;
    UCHAR BlockDataReturned : 1, Reserved4 : 7;
    UCHAR TotalBufferSize[4];
    UCHAR AvailableBufferSize[4];
} READ_BUFFER_CAPACITY_DATA, *PREAD_BUFFER_CAPACITY_DATA;
C_ASSERT(sizeof(READ_BUFFER_CAPACITY_DATA) == 12);

/* MECHANISM STATUS's answer (MMC-6, for ATAPI changers): an 8-byte header, then a 4-byte entry per slot. */
typedef struct _MECHANICAL_STATUS_INFORMATION_HEADER {
    UCHAR CurrentSlot : 5, ChangerState : 2, Fault : 1;
    UCHAR Reserved : 5, MechanismState : 3;
    UCHAR CurrentLogicalBlockAddress[3];
    UCHAR NumberAvailableSlots;
    UCHAR SlotTableLength[2];
} MECHANICAL_STATUS_INFORMATION_HEADER, *PMECHANICAL_STATUS_INFORMATION_HEADER;
typedef struct _SLOT_TABLE_INFORMATION {
    UCHAR DiscChanged : 1, Reserved : 6, DiscPresent : 1;
    UCHAR Reserved2[3];
} SLOT_TABLE_INFORMATION, *PSLOT_TABLE_INFORMATION;
typedef struct _MECHANICAL_STATUS {
    MECHANICAL_STATUS_INFORMATION_HEADER MechanicalStatusHeader;
    SLOT_TABLE_INFORMATION SlotTableInfo[1];
} MECHANICAL_STATUS, *PMECHANICAL_STATUS;
C_ASSERT(sizeof(MECHANICAL_STATUS_INFORMATION_HEADER) == 8 && sizeof(SLOT_TABLE_INFORMATION) == 4);
C_ASSERT(sizeof(MECHANICAL_STATUS) == 12);

/* The audio control parameters page 0Eh as SCSI-2 laid it out for CD-ROM: four output ports, each a channel selection
   (CDDA_CHANNEL_* bits) and a volume. */
typedef struct _PORT_OUTPUT {
    UCHAR ChannelSelection;
    UCHAR Volume;
} PORT_OUTPUT, *PPORT_OUTPUT;
typedef struct _AUDIO_OUTPUT {
    UCHAR CodePage;
    UCHAR ParameterLength;
    UCHAR Immediate;
    UCHAR Reserved[2];
    UCHAR LbaFormat;
    UCHAR LogicalBlocksPerSecond[2];
    PORT_OUTPUT PortOutput[4];
} AUDIO_OUTPUT, *PAUDIO_OUTPUT;
C_ASSERT(sizeof(PORT_OUTPUT) == 2 && sizeof(AUDIO_OUTPUT) == 16);

/* ---- Mode pages of CD/DVD devices (MMC) and of flexible disks (SBC) ---- */
/* 0Eh, CD audio control (MMC): SOTC and IMMED, then four ports as in AUDIO_OUTPUT, the selection in four bits. */
typedef struct _CDDA_OUTPUT_PORT {
    UCHAR ChannelSelection : 4, Reserved : 4;
    UCHAR Volume;
} CDDA_OUTPUT_PORT, *PCDDA_OUTPUT_PORT;
typedef struct _CDAUDIO_CONTROL_PAGE {
    UCHAR PageCode : 6, Reserved : 1, PSBit : 1;
    UCHAR PageLength;
    UCHAR Reserved2 : 1, StopOnTrackCrossing : 1, Immediate : 1, Reserved3 : 5;
    UCHAR Reserved4[3];
    UCHAR Obsolete[2];
    CDDA_OUTPUT_PORT CDDAOutputPorts[4];
} CDAUDIO_CONTROL_PAGE, *PCDAUDIO_CONTROL_PAGE;
C_ASSERT(sizeof(CDDA_OUTPUT_PORT) == 2 && sizeof(CDAUDIO_CONTROL_PAGE) == 16);
/* 18h, the CD/DVD feature set page (SFF-8090, Mt. Fuji): a 2-byte version per feature. */
typedef struct _CDVD_FEATURE_SET_PAGE {
    UCHAR PageCode : 6, Reserved : 1, PSBit : 1;
    UCHAR PageLength;
    UCHAR CDAudio[2];
    UCHAR EmbeddedChanger[2];
    UCHAR PacketSMART[2];
    UCHAR PersistantPrevent[2];        /* Windows' spelling */
    UCHAR EventStatusNotification[2];
    UCHAR DigitalOutput[2];
    UCHAR CDSequentialRecordable[2];
    UCHAR DVDSequentialRecordable[2];
    UCHAR RandomRecordable[2];
    UCHAR KeyExchange[2];
    UCHAR Reserved2[2];
} CDVD_FEATURE_SET_PAGE, *PCDVD_FEATURE_SET_PAGE;
C_ASSERT(sizeof(CDVD_FEATURE_SET_PAGE) == 24);
/* 1Dh, time-out and protect (MMC): SWPP, DISP, and the group 1 and 2 minimum time-outs in seconds. */
typedef struct _CDVD_INACTIVITY_TIMEOUT_PAGE {
    UCHAR PageCode : 6, Reserved : 1, PSBit : 1;
    UCHAR PageLength;
    UCHAR Reserved2[2];
    UCHAR SWPP : 1, DISP : 1, Reserved3 : 6;
    UCHAR Reserved4;
    UCHAR GroupOneMinimumTimeout[2];
    UCHAR GroupTwoMinimumTimeout[2];
} CDVD_INACTIVITY_TIMEOUT_PAGE, *PCDVD_INACTIVITY_TIMEOUT_PAGE;
C_ASSERT(sizeof(CDVD_INACTIVITY_TIMEOUT_PAGE) == 10);
/* 03h, Mount Rainier rewritable (MMC): LbaSpace picks the general-purpose or the defect-managed space. */
typedef struct _MODE_MRW_PAGE {
    UCHAR PageCode : 6, Reserved : 1, PageSavable : 1;
    UCHAR PageLength;
    UCHAR Reserved1;
    UCHAR LbaSpace : 1, Reserved2 : 7;
    UCHAR Reserved3[4];
} MODE_MRW_PAGE, *PMODE_MRW_PAGE;
C_ASSERT(sizeof(MODE_MRW_PAGE) == 8);
/* 05h, write parameters (MMC): 52 bytes. MODE_CDROM_WRITE_PARAMETERS_PAGE2 is the page as MMC has it;
   MODE_CDROM_WRITE_PARAMETERS_PAGE is Windows' older form, which starts at the length byte (so everything is one byte
   lower) and splits the media catalog number and ISRC into their parts. */
typedef struct _MODE_CDROM_WRITE_PARAMETERS_PAGE2 {
    UCHAR PageCode : 6, Reserved : 1, PageSavable : 1;
    UCHAR PageLength;
    UCHAR WriteType : 4, TestWrite : 1, LinkSizeValid : 1, BufferUnderrunFreeEnabled : 1, Reserved2 : 1;
    UCHAR TrackMode : 4, Copy : 1, FixedPacket : 1, MultiSession : 2;
    UCHAR DataBlockType : 4, Reserved3 : 4;
    UCHAR LinkSize;
    UCHAR Reserved4;
    UCHAR HostApplicationCode : 6, Reserved5 : 2;
    UCHAR SessionFormat;
    UCHAR Reserved6;
    UCHAR PacketSize[4];
    UCHAR AudioPauseLength[2];
    UCHAR MediaCatalogNumber[16];
    UCHAR ISRC[16];
    UCHAR SubHeaderData[4];
} MODE_CDROM_WRITE_PARAMETERS_PAGE2, *PMODE_CDROM_WRITE_PARAMETERS_PAGE2;
typedef struct _MODE_CDROM_WRITE_PARAMETERS_PAGE {
    UCHAR PageLength;
    UCHAR WriteType : 4, TestWrite : 1, LinkSizeValid : 1, BufferUnderrunFreeEnabled : 1, Reserved2 : 1;
    UCHAR TrackMode : 4, Copy : 1, FixedPacket : 1, MultiSession : 2;
    UCHAR DataBlockType : 4, Reserved3 : 4;
    UCHAR LinkSize;
    UCHAR Reserved4;
    UCHAR HostApplicationCode : 6, Reserved5 : 2;
    UCHAR SessionFormat;
    UCHAR Reserved6;
    UCHAR PacketSize[4];
    UCHAR AudioPauseLength[2];
    UCHAR Reserved7 : 7, MediaCatalogNumberValid : 1;
    UCHAR MediaCatalogNumber[13];
    UCHAR MediaCatalogNumberZero;
    UCHAR MediaCatalogNumberAFrame;
    UCHAR Reserved8 : 7, ISRCValid : 1;
    UCHAR ISRCCountry[2];
    UCHAR ISRCOwner[3];
    UCHAR ISRCRecordingYear[2];
    UCHAR ISRCSerialNumber[5];
    UCHAR ISRCZero;
    UCHAR ISRCAFrame;
    UCHAR ISRCReserved;
    UCHAR SubHeaderData[4];
} MODE_CDROM_WRITE_PARAMETERS_PAGE, *PMODE_CDROM_WRITE_PARAMETERS_PAGE;
C_ASSERT(sizeof(MODE_CDROM_WRITE_PARAMETERS_PAGE2) == 52 && FIELD_OFFSET(MODE_CDROM_WRITE_PARAMETERS_PAGE2, ISRC) == 32);
C_ASSERT(sizeof(MODE_CDROM_WRITE_PARAMETERS_PAGE) == 51);
C_ASSERT(FIELD_OFFSET(MODE_CDROM_WRITE_PARAMETERS_PAGE, ISRCCountry) == 32);
/* 05h, flexible disk (SBC): 32 bytes, with Windows' spellings (StepPluseWidth, StepPlusePerCyclynder,
   WriteCompenstation). */
typedef struct _MODE_FLEXIBLE_DISK_PAGE {
    UCHAR PageCode : 6, Reserved : 1, PageSavable : 1;
    UCHAR PageLength;
    UCHAR TransferRate[2];
    UCHAR NumberOfHeads;
    UCHAR SectorsPerTrack;
    UCHAR BytesPerSector[2];
    UCHAR NumberOfCylinders[2];
    UCHAR StartWritePrecom[2];
    UCHAR StartReducedCurrent[2];
    UCHAR StepRate[2];
    UCHAR StepPluseWidth;
    UCHAR HeadSettleDelay[2];
    UCHAR MotorOnDelay;
    UCHAR MotorOffDelay;
    UCHAR Reserved2 : 5, MotorOnAsserted : 1, StartSectorNumber : 1, TrueReadySignal : 1;
    UCHAR StepPlusePerCyclynder : 4, Reserved3 : 4;
    UCHAR WriteCompenstation;
    UCHAR HeadLoadDelay;
    UCHAR HeadUnloadDelay;
    UCHAR Pin2Usage : 4, Pin34Usage : 4;
    UCHAR Pin1Usage : 4, Pin4Usage : 4;
    UCHAR MediumRotationRate[2];
    UCHAR Reserved4[2];
} MODE_FLEXIBLE_DISK_PAGE, *PMODE_FLEXIBLE_DISK_PAGE;
C_ASSERT(sizeof(MODE_FLEXIBLE_DISK_PAGE) == 32 && FIELD_OFFSET(MODE_FLEXIBLE_DISK_PAGE, MediumRotationRate) == 28);

#include "poppack.h"

/* READ POSITION's short-form answer (SSC; SCSI-2's bit layout): 20 bytes. BOP/EOP in byte 0, the partition, then the
   first and last block locations and what the buffer holds. Reserved3 is a USHORT in Windows' declaration; at offset 2
   it needs no packing. */
typedef struct _TAPE_POSITION_DATA {
    UCHAR Reserved1 : 2, BlockPositionUnsupported : 1, Reserved2 : 3, EndOfPartition : 1, BeginningOfPartition : 1;
    UCHAR PartitionNumber;
    USHORT Reserved3;
    UCHAR FirstBlock[4];
    UCHAR LastBlock[4];
    UCHAR Reserved4;
    UCHAR NumberOfBlocks[3];           /* blocks in the buffer */
    UCHAR NumberOfBytes[4];            /* bytes in the buffer */
} TAPE_POSITION_DATA, *PTAPE_POSITION_DATA;
C_ASSERT(sizeof(TAPE_POSITION_DATA) == 20 && FIELD_OFFSET(TAPE_POSITION_DATA, FirstBlock) == 4);

/* WHICH_BIT(Data, Bit): a statement that stores in Bit the number of the bit Data has set (0-31), for a Data with
   one bit set; it counts the shifts until Data >> Bit is 1, and leaves 32 when no shift gives 1. */
#define WHICH_BIT(Data, Bit) {                                                                                     \
    UCHAR mptWhichBit_ = 0;                                                                                        \
    while (mptWhichBit_ < 32 && ((Data) >> mptWhichBit_) != 1) mptWhichBit_++;                                     \
    (Bit) = mptWhichBit_;                                                                                          \
}
