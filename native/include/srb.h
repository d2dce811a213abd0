/*
 * MiniportTimers: the request blocks a Storport miniport receives (srb.h reference pages): the SCSI request block
 * (SCSI_REQUEST_BLOCK) and the extended one (STORAGE_REQUEST_BLOCK, "SRB_EX") with its extended-data blocks
 * (SRBEX_DATA_*) and its address (STOR_ADDRESS, STOR_ADDR_BTL8), and the SRB_FUNCTION_*, SRB_STATUS_* and SRB_FLAGS_*
 * values. storport.h includes it; layouts are Windows x64's and asserted below. srbhelper.h reads both kinds of block.
 */
#pragma once

#include "ntdef.h"

/* ---- SRB functions (SCSI_REQUEST_BLOCK.Function; STORAGE_REQUEST_BLOCK.SrbFunction) ---- */
#define SRB_FUNCTION_EXECUTE_SCSI 0x00
#define SRB_FUNCTION_CLAIM_DEVICE 0x01
#define SRB_FUNCTION_IO_CONTROL 0x02
#define SRB_FUNCTION_RECEIVE_EVENT 0x03
#define SRB_FUNCTION_RELEASE_QUEUE 0x04
#define SRB_FUNCTION_ATTACH_DEVICE 0x05
#define SRB_FUNCTION_RELEASE_DEVICE 0x06
#define SRB_FUNCTION_SHUTDOWN 0x07
#define SRB_FUNCTION_FLUSH 0x08
#define SRB_FUNCTION_PROTOCOL_COMMAND 0x09
#define SRB_FUNCTION_ABORT_COMMAND 0x10
#define SRB_FUNCTION_RELEASE_RECOVERY 0x11
#define SRB_FUNCTION_RESET_BUS 0x12
#define SRB_FUNCTION_RESET_DEVICE 0x13
#define SRB_FUNCTION_TERMINATE_IO 0x14
#define SRB_FUNCTION_FLUSH_QUEUE 0x15
#define SRB_FUNCTION_REMOVE_DEVICE 0x16
#define SRB_FUNCTION_WMI 0x17
#define SRB_FUNCTION_LOCK_QUEUE 0x18
#define SRB_FUNCTION_UNLOCK_QUEUE 0x19
#define SRB_FUNCTION_QUIESCE_DEVICE 0x1A
#define SRB_FUNCTION_RESET_LOGICAL_UNIT 0x20
#define SRB_FUNCTION_SET_LINK_TIMEOUT 0x21
#define SRB_FUNCTION_LINK_TIMEOUT_OCCURRED 0x22
#define SRB_FUNCTION_LINK_TIMEOUT_COMPLETE 0x23
#define SRB_FUNCTION_POWER 0x24
#define SRB_FUNCTION_PNP 0x25
#define SRB_FUNCTION_DUMP_POINTERS 0x26
#define SRB_FUNCTION_FREE_DUMP_POINTERS 0x27
/* Function of an extended block: the real function is in its SrbFunction. */
#define SRB_FUNCTION_STORAGE_REQUEST_BLOCK 0x28
#define SRB_FUNCTION_CRYPTO_OPERATION 0x29
#define SRB_FUNCTION_GET_DUMP_INFO 0x2A
#define SRB_FUNCTION_FREE_DUMP_INFO 0x2B

/* ---- SRB statuses (SrbStatus); the two high bits are flags that SRB_STATUS() masks off ---- */
#define SRB_STATUS_PENDING 0x00
#define SRB_STATUS_SUCCESS 0x01
#define SRB_STATUS_ABORTED 0x02
#define SRB_STATUS_ABORT_FAILED 0x03
#define SRB_STATUS_ERROR 0x04
#define SRB_STATUS_BUSY 0x05
#define SRB_STATUS_INVALID_REQUEST 0x06
#define SRB_STATUS_INVALID_PATH_ID 0x07
#define SRB_STATUS_NO_DEVICE 0x08
#define SRB_STATUS_TIMEOUT 0x09
#define SRB_STATUS_SELECTION_TIMEOUT 0x0A
#define SRB_STATUS_COMMAND_TIMEOUT 0x0B
#define SRB_STATUS_MESSAGE_REJECTED 0x0D
#define SRB_STATUS_BUS_RESET 0x0E
#define SRB_STATUS_PARITY_ERROR 0x0F
#define SRB_STATUS_REQUEST_SENSE_FAILED 0x10
#define SRB_STATUS_NO_HBA 0x11
#define SRB_STATUS_DATA_OVERRUN 0x12
#define SRB_STATUS_UNEXPECTED_BUS_FREE 0x13
#define SRB_STATUS_PHASE_SEQUENCE_FAILURE 0x14
#define SRB_STATUS_BAD_SRB_BLOCK_LENGTH 0x15
#define SRB_STATUS_REQUEST_FLUSHED 0x16
#define SRB_STATUS_INVALID_LUN 0x20
#define SRB_STATUS_INVALID_TARGET_ID 0x21
#define SRB_STATUS_BAD_FUNCTION 0x22
#define SRB_STATUS_ERROR_RECOVERY 0x23
#define SRB_STATUS_NOT_POWERED 0x24
#define SRB_STATUS_LINK_DOWN 0x25
#define SRB_STATUS_INSUFFICIENT_RESOURCES 0x26
#define SRB_STATUS_THROTTLED_REQUEST 0x27
#define SRB_STATUS_INTERNAL_ERROR 0x30
#define SRB_STATUS_QUEUE_FROZEN 0x40
#define SRB_STATUS_AUTOSENSE_VALID 0x80
/* The status without the QUEUE_FROZEN and AUTOSENSE_VALID flags. */
#define SRB_STATUS(Status) ((Status) & ~(SRB_STATUS_AUTOSENSE_VALID | SRB_STATUS_QUEUE_FROZEN))

/* ---- SRB flags (SrbFlags) ---- */
#define SRB_FLAGS_QUEUE_ACTION_ENABLE 0x00000002
#define SRB_FLAGS_DISABLE_DISCONNECT 0x00000004
#define SRB_FLAGS_DISABLE_SYNCH_TRANSFER 0x00000008
#define SRB_FLAGS_BYPASS_FROZEN_QUEUE 0x00000010
#define SRB_FLAGS_DISABLE_AUTOSENSE 0x00000020
#define SRB_FLAGS_DATA_IN 0x00000040
#define SRB_FLAGS_DATA_OUT 0x00000080
#define SRB_FLAGS_NO_DATA_TRANSFER 0x00000000
#define SRB_FLAGS_UNSPECIFIED_DIRECTION (SRB_FLAGS_DATA_IN | SRB_FLAGS_DATA_OUT)
#define SRB_FLAGS_NO_QUEUE_FREEZE 0x00000100
#define SRB_FLAGS_ADAPTER_CACHE_ENABLE 0x00000200
#define SRB_FLAGS_FREE_SENSE_BUFFER 0x00000400
#define SRB_FLAGS_D3_PROCESSING 0x00000800
#define SRB_FLAGS_SEQUENTIAL_REQUIRED 0x00001000
#define SRB_FLAGS_IS_ACTIVE 0x00010000
#define SRB_FLAGS_ALLOCATED_FROM_ZONE 0x00020000
#define SRB_FLAGS_SGLIST_FROM_POOL 0x00040000
#define SRB_FLAGS_BYPASS_LOCKED_QUEUE 0x00080000
#define SRB_FLAGS_NO_KEEP_AWAKE 0x00100000
#define SRB_FLAGS_PORT_DRIVER_ALLOCSENSE 0x00200000
#define SRB_FLAGS_PORT_DRIVER_SENSEHASPORT 0x00400000
#define SRB_FLAGS_DONT_START_NEXT_PACKET 0x00800000
#define SRB_FLAGS_PORT_DRIVER_RESERVED 0x0F000000
#define SRB_FLAGS_CLASS_DRIVER_RESERVED 0xF0000000

/* Queue tags (QueueAction) */
#define SRB_SIMPLE_TAG_REQUEST 0x20
#define SRB_HEAD_OF_QUEUE_TAG_REQUEST 0x21
#define SRB_ORDERED_QUEUE_TAG_REQUEST 0x22

/* Set in the WMI, power, PnP or I/O control request's flags when it is for the adapter, not a unit. */
#define SRB_WMI_FLAGS_ADAPTER_REQUEST 0x01
#define SRB_POWER_FLAGS_ADAPTER_REQUEST 0x01
#define SRB_PNP_FLAGS_ADAPTER_REQUEST 0x01
#define SRB_IOCTL_FLAGS_ADAPTER_REQUEST 0x01

/* ---- the SCSI request block (88 bytes on x64) ---- */
typedef struct _SCSI_REQUEST_BLOCK {
    USHORT Length;
    UCHAR Function;
    UCHAR SrbStatus;
    UCHAR ScsiStatus;
    UCHAR PathId;
    UCHAR TargetId;
    UCHAR Lun;
    UCHAR QueueTag;
    UCHAR QueueAction;
    UCHAR CdbLength;
    UCHAR SenseInfoBufferLength;
    ULONG SrbFlags;
    ULONG DataTransferLength;
    ULONG TimeOutValue;
    PVOID DataBuffer;
    PVOID SenseInfoBuffer;
    struct _SCSI_REQUEST_BLOCK *NextSrb;
    PVOID OriginalRequest;
    PVOID SrbExtension;
    union { ULONG InternalStatus; ULONG QueueSortKey; ULONG LinkTimeoutValue; };
    ULONG Reserved;
    UCHAR Cdb[16];
} SCSI_REQUEST_BLOCK, *PSCSI_REQUEST_BLOCK;
C_ASSERT(sizeof(SCSI_REQUEST_BLOCK) == 88);
C_ASSERT(FIELD_OFFSET(SCSI_REQUEST_BLOCK, DataBuffer) == 24 && FIELD_OFFSET(SCSI_REQUEST_BLOCK, Cdb) == 72);
#define SCSI_REQUEST_BLOCK_SIZE sizeof(SCSI_REQUEST_BLOCK)

/* The PnP actions of an SRB_FUNCTION_PNP request (IRP_MN_* minor function numbers). */
typedef enum _STOR_PNP_ACTION {
    StorStartDevice = 0x0,
    StorRemoveDevice = 0x2,
    StorStopDevice = 0x4,
    StorQueryCapabilities = 0x9,
    StorQueryResourceRequirements = 0xB,
    StorFilterResourceRequirements = 0xD,
    StorSurpriseRemoval = 0x17
} STOR_PNP_ACTION, *PSTOR_PNP_ACTION;

/* An SRB_FUNCTION_PNP request: the same 88 bytes as an SRB, read through other member names. */
typedef struct _SCSI_PNP_REQUEST_BLOCK {
    USHORT Length;
    UCHAR Function;
    UCHAR SrbStatus;
    UCHAR PnPSubFunction;
    UCHAR PathId;
    UCHAR TargetId;
    UCHAR Lun;
    ULONG PnPAction; /* STOR_PNP_ACTION */
    ULONG SrbFlags;
    ULONG DataTransferLength;
    ULONG TimeOutValue;
    PVOID DataBuffer;
    PVOID SenseInfoBuffer;
    struct _SCSI_REQUEST_BLOCK *NextSrb;
    PVOID OriginalRequest;
    PVOID SrbExtension;
    ULONG SrbPnPFlags;
    ULONG Reserved;     /* x64 only: keeps Reserved4 where an SRB's Cdb is */
    UCHAR Reserved4[16];
} SCSI_PNP_REQUEST_BLOCK, *PSCSI_PNP_REQUEST_BLOCK;
C_ASSERT(FIELD_OFFSET(SCSI_PNP_REQUEST_BLOCK, PnPAction) == 8 && FIELD_OFFSET(SCSI_PNP_REQUEST_BLOCK, DataBuffer) == 24);
C_ASSERT(sizeof(SCSI_PNP_REQUEST_BLOCK) == sizeof(SCSI_REQUEST_BLOCK));

/* An SRB_FUNCTION_WMI request (before Windows 8, or without extended SRBs): the same 88 bytes as an SRB. */
typedef struct _SCSI_WMI_REQUEST_BLOCK {
    USHORT Length;
    UCHAR Function;          /* SRB_FUNCTION_WMI */
    UCHAR SrbStatus;
    UCHAR WMISubFunction;    /* the WMI minor function */
    UCHAR PathId;
    UCHAR TargetId;
    UCHAR Lun;
    UCHAR Reserved1;
    UCHAR WMIFlags;          /* SRB_WMI_FLAGS_ADAPTER_REQUEST */
    UCHAR Reserved2[2];
    ULONG SrbFlags;
    ULONG DataTransferLength;
    ULONG TimeOutValue;
    PVOID DataBuffer;
    PVOID DataPath;          /* the WMI data path (the WNODE) */
    PVOID Reserved3;
    PVOID OriginalRequest;
    PVOID SrbExtension;
    ULONG Reserved4;
    ULONG Reserved6;         /* x64 only: keeps Reserved5 where an SRB's Cdb is */
    UCHAR Reserved5[16];
} SCSI_WMI_REQUEST_BLOCK, *PSCSI_WMI_REQUEST_BLOCK;
C_ASSERT(FIELD_OFFSET(SCSI_WMI_REQUEST_BLOCK, DataPath) == 32 && sizeof(SCSI_WMI_REQUEST_BLOCK) == sizeof(SCSI_REQUEST_BLOCK));

/* The capabilities a miniport reports for a unit (SRB_FUNCTION_PNP, StorQueryCapabilities) with SCSI_REQUEST_BLOCKs;
   the extended form is STOR_DEVICE_CAPABILITIES_EX (storport.h). */
typedef struct _STOR_DEVICE_CAPABILITIES {
    USHORT Version;
    ULONG DeviceD1 : 1;
    ULONG DeviceD2 : 1;
    ULONG LockSupported : 1;
    ULONG EjectSupported : 1;
    ULONG Removable : 1;
    ULONG DockDevice : 1;
    ULONG UniqueID : 1;
    ULONG SilentInstall : 1;
    ULONG SurpriseRemovalOK : 1;
    ULONG NoDisplayInUI : 1;
} STOR_DEVICE_CAPABILITIES, *PSTOR_DEVICE_CAPABILITIES;

/* ---- the extended request block (Windows 8+): a fixed part, an address, and extended-data blocks ---- */
/* Extended blocks and their parts are 8-byte aligned on x64, and so are the pointers in them. */
#define SRB_ALIGN DECLSPEC_ALIGN(8)
#define POINTER_ALIGN DECLSPEC_ALIGN(8)
#define SRB_SIGNATURE 0x53524258            /* 'SRBX' */
#define STORAGE_REQUEST_BLOCK_VERSION_1 0x1

/* The device an extended block is addressed to: a typed address, AddressLength bytes of it after the header. */
#define STOR_ADDRESS_TYPE_UNKNOWN 0x0
#define STOR_ADDRESS_TYPE_BTL8 0x1
#define STOR_ADDRESS_TYPE_NVME 0x2
#define STOR_ADDRESS_TYPE_MAX 0xffff
#define STOR_ADDRESS_ALIGN DECLSPEC_ALIGN(8)
typedef struct STOR_ADDRESS_ALIGN _STOR_ADDRESS {
    USHORT Type;                             /* STOR_ADDRESS_TYPE_* */
    USHORT Port;
    ULONG AddressLength;                     /* bytes from AddressData on */
    UCHAR AddressData[ANYSIZE_ARRAY];
} STOR_ADDRESS, *PSTOR_ADDRESS;
C_ASSERT(sizeof(STOR_ADDRESS) == 16 && FIELD_OFFSET(STOR_ADDRESS, AddressData) == 8);

/* A bus/target/LUN address, one byte each. */
#define STOR_ADDR_BTL8_ADDRESS_LENGTH 4
typedef struct STOR_ADDRESS_ALIGN _STOR_ADDR_BTL8 {
    USHORT Type;                             /* STOR_ADDRESS_TYPE_BTL8 */
    USHORT Port;
    ULONG AddressLength;                     /* STOR_ADDR_BTL8_ADDRESS_LENGTH */
    UCHAR Path;
    UCHAR Target;
    UCHAR Lun;
    UCHAR Reserved;
} STOR_ADDR_BTL8, *PSTOR_ADDR_BTL8;
C_ASSERT(sizeof(STOR_ADDR_BTL8) == 16 && FIELD_OFFSET(STOR_ADDR_BTL8, Path) == 8);

/* The fixed part. Length is the offset of Signature (what an SRB reader sees); Function is
   SRB_FUNCTION_STORAGE_REQUEST_BLOCK; the data blocks are at the offsets in SrbExDataOffset[0..NumSrbExData-1], and
   the address at AddressOffset, all from the start of the block, within SrbLength bytes. */
typedef struct SRB_ALIGN _STORAGE_REQUEST_BLOCK {
    USHORT Length;
    UCHAR Function;
    UCHAR SrbStatus;
    ULONG ReservedUlong1;
    ULONG Signature;                         /* SRB_SIGNATURE */
    ULONG Version;                           /* STORAGE_REQUEST_BLOCK_VERSION_1 */
    ULONG SrbLength;                         /* the whole block, in bytes */
    ULONG SrbFunction;                       /* SRB_FUNCTION_* */
    ULONG SrbFlags;
    ULONG ReservedUlong2;
    ULONG RequestTag;
    USHORT RequestPriority;
    USHORT RequestAttribute;
    ULONG TimeOutValue;                      /* seconds */
    union { ULONG SystemStatus; ULONG RequestTagHigh4Bytes; };
    ULONG ZeroGuard1;
    ULONG AddressOffset;
    ULONG NumSrbExData;
    ULONG DataTransferLength;
    PVOID POINTER_ALIGN DataBuffer;
    PVOID POINTER_ALIGN ZeroGuard2;
    PVOID POINTER_ALIGN OriginalRequest;
    PVOID POINTER_ALIGN ClassContext;
    PVOID POINTER_ALIGN PortContext;
    PVOID POINTER_ALIGN MiniportContext;
    struct _STORAGE_REQUEST_BLOCK POINTER_ALIGN *NextSrb;
    ULONG SrbExDataOffset[ANYSIZE_ARRAY];
} STORAGE_REQUEST_BLOCK, *PSTORAGE_REQUEST_BLOCK;
C_ASSERT(FIELD_OFFSET(STORAGE_REQUEST_BLOCK, Signature) == 8 && FIELD_OFFSET(STORAGE_REQUEST_BLOCK, SrbFunction) == 20);
C_ASSERT(FIELD_OFFSET(STORAGE_REQUEST_BLOCK, TimeOutValue) == 40 && FIELD_OFFSET(STORAGE_REQUEST_BLOCK, AddressOffset) == 52);
C_ASSERT(FIELD_OFFSET(STORAGE_REQUEST_BLOCK, DataTransferLength) == 60 && FIELD_OFFSET(STORAGE_REQUEST_BLOCK, DataBuffer) == 64);
C_ASSERT(FIELD_OFFSET(STORAGE_REQUEST_BLOCK, MiniportContext) == 104 && FIELD_OFFSET(STORAGE_REQUEST_BLOCK, NextSrb) == 112);
C_ASSERT(FIELD_OFFSET(STORAGE_REQUEST_BLOCK, SrbExDataOffset) == 120 && sizeof(STORAGE_REQUEST_BLOCK) == 128);
/* What both kinds of block start with. */
typedef struct _STORAGE_REQUEST_BLOCK_HEADER {
    USHORT Length;
    UCHAR Function;
    UCHAR SrbStatus;
} STORAGE_REQUEST_BLOCK_HEADER, *PSTORAGE_REQUEST_BLOCK_HEADER;
#define STORAGE_REQUEST_BLOCK_HEADER_SIZE sizeof(STORAGE_REQUEST_BLOCK_HEADER)

/* ---- extended data: each block starts with its type and the length of what follows the header ---- */
typedef enum _SRBEXDATATYPE {
    SrbExDataTypeUnknown = 0,
    SrbExDataTypeBidirectional,
    SrbExDataTypeScsiCdb16 = 0x40,
    SrbExDataTypeScsiCdb32,
    SrbExDataTypeScsiCdbVar,
    SrbExDataTypeNvmeCommand,
    SrbExDataTypeWmi = 0x60,
    SrbExDataTypePower,
    SrbExDataTypePnP,
    SrbExDataTypeIoInfo = 0x80,
    SrbExDataTypeMSReservedStart = 0xf0000000,
    SrbExDataTypeReserved = 0xffffffff
} SRBEXDATATYPE, *PSRBEXDATATYPE;

typedef struct SRB_ALIGN _SRBEX_DATA {
    SRBEXDATATYPE Type;
    ULONG Length;                            /* bytes after this header */
    UCHAR Data[ANYSIZE_ARRAY];
} SRBEX_DATA, *PSRBEX_DATA;
C_ASSERT(sizeof(SRBEX_DATA) == 16 && FIELD_OFFSET(SRBEX_DATA, Data) == 8);

/* A second data buffer for data coming in, when the request moves data both ways. */
#define SRBEX_DATA_BIDIRECTIONAL_LENGTH ((2 * sizeof(ULONG)) + sizeof(PVOID))
typedef struct SRB_ALIGN _SRBEX_DATA_BIDIRECTIONAL {
    SRBEXDATATYPE Type;                      /* SrbExDataTypeBidirectional */
    ULONG Length;                            /* SRBEX_DATA_BIDIRECTIONAL_LENGTH */
    ULONG DataInTransferLength;
    ULONG Reserved1;
    PVOID POINTER_ALIGN DataInBuffer;
} SRBEX_DATA_BIDIRECTIONAL, *PSRBEX_DATA_BIDIRECTIONAL;
C_ASSERT(sizeof(SRBEX_DATA_BIDIRECTIONAL) == 24);

/* The CDB of an SRB_FUNCTION_EXECUTE_SCSI request, with its SCSI status and sense buffer: up to 16 bytes, up to 32,
   or of any length (CdbLength bytes from Cdb). */
#define SRBEX_DATA_SCSI_CDB16_LENGTH ((20 * sizeof(UCHAR)) + sizeof(ULONG) + sizeof(PVOID))
typedef struct SRB_ALIGN _SRBEX_DATA_SCSI_CDB16 {
    SRBEXDATATYPE Type;                      /* SrbExDataTypeScsiCdb16 */
    ULONG Length;                            /* SRBEX_DATA_SCSI_CDB16_LENGTH */
    UCHAR ScsiStatus;
    UCHAR SenseInfoBufferLength;
    UCHAR CdbLength;
    UCHAR Reserved;
    ULONG Reserved1;
    PVOID POINTER_ALIGN SenseInfoBuffer;
    UCHAR POINTER_ALIGN Cdb[16];
} SRBEX_DATA_SCSI_CDB16, *PSRBEX_DATA_SCSI_CDB16;
C_ASSERT(FIELD_OFFSET(SRBEX_DATA_SCSI_CDB16, SenseInfoBuffer) == 16 && FIELD_OFFSET(SRBEX_DATA_SCSI_CDB16, Cdb) == 24);
C_ASSERT(sizeof(SRBEX_DATA_SCSI_CDB16) == 40 && SRBEX_DATA_SCSI_CDB16_LENGTH == 32);

#define SRBEX_DATA_SCSI_CDB32_LENGTH ((36 * sizeof(UCHAR)) + sizeof(ULONG) + sizeof(PVOID))
typedef struct SRB_ALIGN _SRBEX_DATA_SCSI_CDB32 {
    SRBEXDATATYPE Type;                      /* SrbExDataTypeScsiCdb32 */
    ULONG Length;                            /* SRBEX_DATA_SCSI_CDB32_LENGTH */
    UCHAR ScsiStatus;
    UCHAR SenseInfoBufferLength;
    UCHAR CdbLength;
    UCHAR Reserved;
    ULONG Reserved1;
    PVOID POINTER_ALIGN SenseInfoBuffer;
    UCHAR POINTER_ALIGN Cdb[32];
} SRBEX_DATA_SCSI_CDB32, *PSRBEX_DATA_SCSI_CDB32;
C_ASSERT(FIELD_OFFSET(SRBEX_DATA_SCSI_CDB32, Cdb) == 24 && sizeof(SRBEX_DATA_SCSI_CDB32) == 56);

#define SRBEX_DATA_SCSI_CDB_VAR_LENGTH_MIN ((4 * sizeof(UCHAR)) + (3 * sizeof(ULONG)) + sizeof(PVOID))
typedef struct SRB_ALIGN _SRBEX_DATA_SCSI_CDB_VAR {
    SRBEXDATATYPE Type;                      /* SrbExDataTypeScsiCdbVar */
    ULONG Length;                            /* SRBEX_DATA_SCSI_CDB_VAR_LENGTH_MIN + CdbLength */
    UCHAR ScsiStatus;
    UCHAR SenseInfoBufferLength;
    UCHAR Reserved[2];
    ULONG CdbLength;
    ULONG Reserved1[2];
    PVOID POINTER_ALIGN SenseInfoBuffer;
    UCHAR POINTER_ALIGN Cdb[ANYSIZE_ARRAY];
} SRBEX_DATA_SCSI_CDB_VAR, *PSRBEX_DATA_SCSI_CDB_VAR;
C_ASSERT(FIELD_OFFSET(SRBEX_DATA_SCSI_CDB_VAR, CdbLength) == 12 && FIELD_OFFSET(SRBEX_DATA_SCSI_CDB_VAR, Cdb) == 32);

/* An SRB_FUNCTION_WMI request's parameters. */
#define SRBEX_DATA_WMI_LENGTH ((4 * sizeof(UCHAR)) + sizeof(ULONG) + sizeof(PVOID))
typedef struct SRB_ALIGN _SRBEX_DATA_WMI {
    SRBEXDATATYPE Type;                      /* SrbExDataTypeWmi */
    ULONG Length;                            /* SRBEX_DATA_WMI_LENGTH */
    UCHAR WMISubFunction;
    UCHAR Reserved[3];
    ULONG WMIFlags;                          /* SRB_WMI_FLAGS_ADAPTER_REQUEST */
    PVOID POINTER_ALIGN DataPath;
} SRBEX_DATA_WMI, *PSRBEX_DATA_WMI;
C_ASSERT(sizeof(SRBEX_DATA_WMI) == 24);

/* The system power action behind a device power request. */
typedef enum _STOR_POWER_ACTION {
    StorPowerActionNone = 0,
    StorPowerActionReserved,
    StorPowerActionSleep,
    StorPowerActionHibernate,
    StorPowerActionShutdown,
    StorPowerActionShutdownReset,
    StorPowerActionShutdownOff,
    StorPowerActionWarmEject
} STOR_POWER_ACTION, *PSTOR_POWER_ACTION;

typedef enum _STOR_DEVICE_POWER_STATE {
    StorPowerDeviceUnspecified = 0, StorPowerDeviceD0, StorPowerDeviceD1, StorPowerDeviceD2, StorPowerDeviceD3,
    StorPowerDeviceMaximum
} STOR_DEVICE_POWER_STATE, *PSTOR_DEVICE_POWER_STATE;

/* An SRB_FUNCTION_POWER request (before Windows 8, or without extended SRBs): the same 88 bytes as an SRB. */
typedef struct _SCSI_POWER_REQUEST_BLOCK {
    USHORT Length;
    UCHAR Function;          /* SRB_FUNCTION_POWER */
    UCHAR SrbStatus;
    UCHAR SrbPowerFlags;     /* SRB_POWER_FLAGS_ADAPTER_REQUEST */
    UCHAR PathId;
    UCHAR TargetId;
    UCHAR Lun;
    STOR_DEVICE_POWER_STATE DevicePowerState;
    ULONG SrbFlags;
    ULONG DataTransferLength;
    ULONG TimeOutValue;
    PVOID DataBuffer;
    PVOID SenseInfoBuffer;
    struct _SCSI_REQUEST_BLOCK *NextSrb;
    PVOID OriginalRequest;
    PVOID SrbExtension;
    STOR_POWER_ACTION PowerAction;
    ULONG Reserved;          /* x64 only: keeps Reserved5 where an SRB's Cdb is */
    UCHAR Reserved5[16];
} SCSI_POWER_REQUEST_BLOCK, *PSCSI_POWER_REQUEST_BLOCK;
C_ASSERT(FIELD_OFFSET(SCSI_POWER_REQUEST_BLOCK, PowerAction) == 64 && sizeof(SCSI_POWER_REQUEST_BLOCK) == sizeof(SCSI_REQUEST_BLOCK));

/* An SRB_FUNCTION_POWER request's parameters. */
#define SRBEX_DATA_POWER_LENGTH ((4 * sizeof(UCHAR)) + sizeof(STOR_DEVICE_POWER_STATE) + sizeof(STOR_POWER_ACTION))
typedef struct SRB_ALIGN _SRBEX_DATA_POWER {
    SRBEXDATATYPE Type;                      /* SrbExDataTypePower */
    ULONG Length;                            /* SRBEX_DATA_POWER_LENGTH */
    UCHAR SrbPowerFlags;                     /* SRB_POWER_FLAGS_ADAPTER_REQUEST */
    UCHAR Reserved[3];
    STOR_DEVICE_POWER_STATE DevicePowerState;
    STOR_POWER_ACTION PowerAction;
} SRBEX_DATA_POWER, *PSRBEX_DATA_POWER;
C_ASSERT(FIELD_OFFSET(SRBEX_DATA_POWER, DevicePowerState) == 12 && sizeof(SRBEX_DATA_POWER) == 24);

/* An SRB_FUNCTION_PNP request's parameters. */
#define SRBEX_DATA_PNP_LENGTH ((4 * sizeof(UCHAR)) + sizeof(STOR_PNP_ACTION) + (2 * sizeof(ULONG)))
typedef struct SRB_ALIGN _SRBEX_DATA_PNP {
    SRBEXDATATYPE Type;                      /* SrbExDataTypePnP */
    ULONG Length;                            /* SRBEX_DATA_PNP_LENGTH */
    UCHAR PnPSubFunction;
    UCHAR Reserved[3];
    STOR_PNP_ACTION PnPAction;
    ULONG SrbPnPFlags;                       /* SRB_PNP_FLAGS_ADAPTER_REQUEST */
    ULONG Reserved1;
} SRBEX_DATA_PNP, *PSRBEX_DATA_PNP;
C_ASSERT(FIELD_OFFSET(SRBEX_DATA_PNP, PnPAction) == 12 && sizeof(SRBEX_DATA_PNP) == 24);

/* What the I/O manager knows of a read or write (REQUEST_INFO_*_FLAG in Flags). */
#define SRBEX_DATA_IO_INFO_LENGTH ((5 * sizeof(ULONG)) + (4 * sizeof(UCHAR)))
typedef struct SRB_ALIGN _SRBEX_DATA_IO_INFO {
    SRBEXDATATYPE Type;                      /* SrbExDataTypeIoInfo */
    ULONG Length;                            /* SRBEX_DATA_IO_INFO_LENGTH */
    ULONG Flags;
    ULONG Key;
    ULONG RWLength;
    BOOLEAN IsWriteRequest;
    UCHAR CachePriority;
    UCHAR Reserved[2];
    ULONG Reserved1[2];
} SRBEX_DATA_IO_INFO, *PSRBEX_DATA_IO_INFO;
C_ASSERT(FIELD_OFFSET(SRBEX_DATA_IO_INFO, IsWriteRequest) == 20 && sizeof(SRBEX_DATA_IO_INFO) == 32);

/* SRBEX_DATA_IO_INFO.Flags and STOR_REQUEST_INFO.Flags */
#define REQUEST_INFO_NO_CACHE_FLAG 0x00000001
#define REQUEST_INFO_PAGING_IO_FLAG 0x00000002
#define REQUEST_INFO_SEQUENTIAL_IO_FLAG 0x00000004
#define REQUEST_INFO_TEMPORARY_FLAG 0x00000008
#define REQUEST_INFO_WRITE_THROUGH_FLAG 0x00000010
#define REQUEST_INFO_HYBRID_WRITE_THROUGH_FLAG 0x00000020
#define REQUEST_INFO_NO_FILE_OBJECT_FLAG 0x00000040
#define REQUEST_INFO_VOLSNAP_IO_FLAG 0x00000080
#define REQUEST_INFO_STREAM_FLAG 0x00000100
#define REQUEST_INFO_VALID_CACHEPRIORITY_FLAG 0x80000000
