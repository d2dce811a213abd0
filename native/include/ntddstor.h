/*
 * MiniportTimers: the storage class I/O controls a Storport miniport meets (ntddstor.h): IOCTL_STORAGE_QUERY_PROPERTY,
 * the device descriptor, the bus types and form factors, and data set management (DSM) requests. Written from the
 * public pages of each name; only what miniports name is declared.
 */
#pragma once

#include "devioctl.h"

#define IOCTL_STORAGE_BASE FILE_DEVICE_MASS_STORAGE
#define IOCTL_STORAGE_QUERY_PROPERTY CTL_CODE(IOCTL_STORAGE_BASE, 0x0500, METHOD_BUFFERED, FILE_ANY_ACCESS)

typedef enum _STORAGE_BUS_TYPE {
    BusTypeUnknown = 0x00, BusTypeScsi, BusTypeAtapi, BusTypeAta, BusType1394, BusTypeSsa, BusTypeFibre, BusTypeUsb,
    BusTypeRAID, BusTypeiScsi, BusTypeSas, BusTypeSata, BusTypeSd, BusTypeMmc, BusTypeVirtual, BusTypeFileBackedVirtual,
    BusTypeSpaces, BusTypeNvme, BusTypeSCM, BusTypeUfs, BusTypeMax, BusTypeMaxReserved = 0x7F
} STORAGE_BUS_TYPE, *PSTORAGE_BUS_TYPE;

typedef enum _STORAGE_DEVICE_FORM_FACTOR {
    FormFactorUnknown = 0, FormFactor3_5, FormFactor2_5, FormFactor1_8, FormFactor1_8Less, FormFactorEmbedded,
    FormFactorMemoryCard, FormFactormSata, FormFactorM_2, FormFactorPCIeBoard, FormFactorDimm
} STORAGE_DEVICE_FORM_FACTOR, *PSTORAGE_DEVICE_FORM_FACTOR;

/* StorageDeviceProperty's answer; the strings follow it, at the offsets given (0: none). */
typedef struct _STORAGE_DEVICE_DESCRIPTOR {
    ULONG Version;
    ULONG Size;
    UCHAR DeviceType;
    UCHAR DeviceTypeModifier;
    BOOLEAN RemovableMedia;
    BOOLEAN CommandQueueing;
    ULONG VendorIdOffset;
    ULONG ProductIdOffset;
    ULONG ProductRevisionOffset;
    ULONG SerialNumberOffset;
    STORAGE_BUS_TYPE BusType;
    ULONG RawPropertiesLength;
    UCHAR RawDeviceProperties[ANYSIZE_ARRAY];
} STORAGE_DEVICE_DESCRIPTOR, *PSTORAGE_DEVICE_DESCRIPTOR;
C_ASSERT(FIELD_OFFSET(STORAGE_DEVICE_DESCRIPTOR, BusType) == 28 && sizeof(STORAGE_DEVICE_DESCRIPTOR) == 40);

/* ---- data set management (IOCTL_STORAGE_MANAGE_DATA_SET_ATTRIBUTES, and the miniport DSM IOCTLs) ---- */
typedef ULONG DEVICE_DATA_MANAGEMENT_SET_ACTION, DEVICE_DSM_ACTION;
#define DeviceDsmActionFlag_NonDestructive 0x80000000
#define DeviceDsmAction_None 0
#define DeviceDsmAction_Trim 1
#define DeviceDsmAction_NvCache_Change_Priority (14 | DeviceDsmActionFlag_NonDestructive)
#define DeviceDsmAction_NvCache_Evict (15 | DeviceDsmActionFlag_NonDestructive)
#define DEVICE_DSM_FLAG_ENTIRE_DATA_SET_RANGE 0x00000001

typedef struct _DEVICE_DATA_SET_RANGE { LONGLONG StartingOffset; ULONGLONG LengthInBytes; } DEVICE_DATA_SET_RANGE, *PDEVICE_DATA_SET_RANGE;
C_ASSERT(sizeof(DEVICE_DATA_SET_RANGE) == 16);

/* The request: Action, then where the parameter block and the ranges are, as offsets from the start of this. */
typedef struct _DEVICE_MANAGE_DATA_SET_ATTRIBUTES {
    ULONG Size;
    DEVICE_DATA_MANAGEMENT_SET_ACTION Action;
    ULONG Flags;
    ULONG ParameterBlockOffset;
    ULONG ParameterBlockLength;
    ULONG DataSetRangesOffset;
    ULONG DataSetRangesLength;
} DEVICE_MANAGE_DATA_SET_ATTRIBUTES, *PDEVICE_MANAGE_DATA_SET_ATTRIBUTES;
C_ASSERT(sizeof(DEVICE_MANAGE_DATA_SET_ATTRIBUTES) == 28);

typedef struct _DEVICE_DSM_NVCACHE_CHANGE_PRIORITY_PARAMETERS {
    ULONG Size;
    UCHAR TargetPriority;
    UCHAR Reserved[3];
} DEVICE_DSM_NVCACHE_CHANGE_PRIORITY_PARAMETERS, *PDEVICE_DSM_NVCACHE_CHANGE_PRIORITY_PARAMETERS;
C_ASSERT(sizeof(DEVICE_DSM_NVCACHE_CHANGE_PRIORITY_PARAMETERS) == 8);

/* ---- device dump (public GP log content) ---- */
#define TC_PUBLIC_DEVICEDUMP_CONTENT_SMART 1
#define TC_PUBLIC_DEVICEDUMP_CONTENT_GPLOG 2
#define TC_PUBLIC_DEVICEDUMP_CONTENT_GPLOG_MAX 16
#define TC_DEVICEDUMP_SUBSECTION_DESC_LENGTH 16

/* ---- protocol-specific data (StorageAdapterProtocolSpecificProperty, StorageDeviceProtocolSpecificProperty) ---- */
typedef enum _STORAGE_PROTOCOL_TYPE {
    ProtocolTypeUnknown = 0x00, ProtocolTypeScsi, ProtocolTypeAta, ProtocolTypeNvme, ProtocolTypeSd, ProtocolTypeUfs,
    ProtocolTypeProprietary = 0x7E, ProtocolTypeMaxReserved = 0x7F
} STORAGE_PROTOCOL_TYPE, *PSTORAGE_PROTOCOL_TYPE;
typedef enum _STORAGE_PROTOCOL_ATA_DATA_TYPE {
    AtaDataTypeUnknown = 0, AtaDataTypeIdentify, AtaDataTypeLogPage
} STORAGE_PROTOCOL_ATA_DATA_TYPE, *PSTORAGE_PROTOCOL_ATA_DATA_TYPE;
typedef enum _STORAGE_PROTOCOL_NVME_DATA_TYPE {
    NVMeDataTypeUnknown = 0, NVMeDataTypeIdentify, NVMeDataTypeLogPage, NVMeDataTypeFeature
} STORAGE_PROTOCOL_NVME_DATA_TYPE, *PSTORAGE_PROTOCOL_NVME_DATA_TYPE;
/* What is asked (DataType, request values) and where the answer is: ProtocolDataLength bytes at ProtocolDataOffset
   from the start of this structure. */
typedef struct _STORAGE_PROTOCOL_SPECIFIC_DATA {
    STORAGE_PROTOCOL_TYPE ProtocolType;
    ULONG DataType;                    /* STORAGE_PROTOCOL_ATA_DATA_TYPE, ... */
    ULONG ProtocolDataRequestValue;
    ULONG ProtocolDataRequestSubValue;
    ULONG ProtocolDataOffset;
    ULONG ProtocolDataLength;
    ULONG FixedProtocolReturnData;
    ULONG ProtocolDataRequestSubValue2;
    ULONG ProtocolDataRequestSubValue3;
    ULONG ProtocolDataRequestSubValue4;
} STORAGE_PROTOCOL_SPECIFIC_DATA, *PSTORAGE_PROTOCOL_SPECIFIC_DATA;
C_ASSERT(sizeof(STORAGE_PROTOCOL_SPECIFIC_DATA) == 40);
typedef struct _STORAGE_PROTOCOL_DATA_DESCRIPTOR {
    ULONG Version;
    ULONG Size;
    STORAGE_PROTOCOL_SPECIFIC_DATA ProtocolSpecificData;
} STORAGE_PROTOCOL_DATA_DESCRIPTOR, *PSTORAGE_PROTOCOL_DATA_DESCRIPTOR;
C_ASSERT(sizeof(STORAGE_PROTOCOL_DATA_DESCRIPTOR) == 48);

/* ---- temperatures (StorageAdapterTemperatureProperty, StorageDeviceTemperatureProperty): degrees Celsius ---- */
#define STORAGE_TEMPERATURE_VALUE_NOT_REPORTED 0x8000
typedef struct _STORAGE_TEMPERATURE_INFO {
    USHORT Index;
    SHORT Temperature;
    SHORT OverThreshold;
    SHORT UnderThreshold;
    BOOLEAN OverThresholdChangable;
    BOOLEAN UnderThresholdChangable;
    BOOLEAN EventGenerated;
    UCHAR Reserved0;
    ULONG Reserved1;
} STORAGE_TEMPERATURE_INFO, *PSTORAGE_TEMPERATURE_INFO;
C_ASSERT(sizeof(STORAGE_TEMPERATURE_INFO) == 16);
typedef struct _STORAGE_TEMPERATURE_DATA_DESCRIPTOR {
    ULONG Version;
    ULONG Size;
    SHORT CriticalTemperature;
    SHORT WarningTemperature;
    USHORT InfoCount;                  /* entries in TemperatureInfo */
    UCHAR Reserved0[2];
    ULONG Reserved1[2];
    STORAGE_TEMPERATURE_INFO TemperatureInfo[ANYSIZE_ARRAY];
} STORAGE_TEMPERATURE_DATA_DESCRIPTOR, *PSTORAGE_TEMPERATURE_DATA_DESCRIPTOR;
C_ASSERT(FIELD_OFFSET(STORAGE_TEMPERATURE_DATA_DESCRIPTOR, TemperatureInfo) == 24 && sizeof(STORAGE_TEMPERATURE_DATA_DESCRIPTOR) == 40);

/* ---- physical topology (StorageAdapterPhysicalTopologyProperty, StorageDevicePhysicalTopologyProperty) ---- */
typedef enum _STORAGE_COMPONENT_HEALTH_STATUS {
    HealthStatusUnknown = 0, HealthStatusNormal, HealthStatusThrottled, HealthStatusWarning, HealthStatusDisabled,
    HealthStatusFailed
} STORAGE_COMPONENT_HEALTH_STATUS, *PSTORAGE_COMPONENT_HEALTH_STATUS;
/* A specification's version: major in the high half, minor and sub-minor in the low half. */
typedef union _STORAGE_SPEC_VERSION {
    struct {
        union {
            struct {
                UCHAR SubMinor;
                UCHAR Minor;
            };
            USHORT AsUshort;
        } MinorVersion;
        USHORT MajorVersion;
    };
    ULONG AsUlong;
} STORAGE_SPEC_VERSION, *PSTORAGE_SPEC_VERSION;
C_ASSERT(sizeof(STORAGE_SPEC_VERSION) == 4);
/* STORAGE_PHYSICAL_DEVICE_DATA.Role bits */
#define STORAGE_COMPONENT_ROLE_CACHE 0x00000001
#define STORAGE_COMPONENT_ROLE_TIERING 0x00000002
#define STORAGE_COMPONENT_ROLE_DATA 0x00000004
typedef struct _STORAGE_PHYSICAL_DEVICE_DATA {
    ULONG DeviceId;
    ULONG Role;                        /* STORAGE_COMPONENT_ROLE_* */
    STORAGE_COMPONENT_HEALTH_STATUS HealthStatus;
    STORAGE_PROTOCOL_TYPE CommandProtocol;
    STORAGE_SPEC_VERSION SpecVersion;
    STORAGE_DEVICE_FORM_FACTOR FormFactor;
    UCHAR Vendor[8];
    UCHAR Model[40];
    UCHAR FirmwareRevision[16];
    ULONGLONG Capacity;                /* KB (1024 bytes) */
    UCHAR PhysicalLocation[32];
    ULONG Reserved[2];
} STORAGE_PHYSICAL_DEVICE_DATA, *PSTORAGE_PHYSICAL_DEVICE_DATA;
C_ASSERT(FIELD_OFFSET(STORAGE_PHYSICAL_DEVICE_DATA, Capacity) == 88 && sizeof(STORAGE_PHYSICAL_DEVICE_DATA) == 136);
typedef struct _STORAGE_PHYSICAL_ADAPTER_DATA {
    ULONG AdapterId;
    STORAGE_COMPONENT_HEALTH_STATUS HealthStatus;
    STORAGE_PROTOCOL_TYPE CommandProtocol;
    STORAGE_SPEC_VERSION SpecVersion;
    UCHAR Vendor[8];
    UCHAR Model[40];
    UCHAR FirmwareRevision[16];
    UCHAR PhysicalLocation[32];
    BOOLEAN ExpanderConnected;
    UCHAR Reserved0[3];
    ULONG Reserved1[3];
} STORAGE_PHYSICAL_ADAPTER_DATA, *PSTORAGE_PHYSICAL_ADAPTER_DATA;
C_ASSERT(FIELD_OFFSET(STORAGE_PHYSICAL_ADAPTER_DATA, ExpanderConnected) == 112 && sizeof(STORAGE_PHYSICAL_ADAPTER_DATA) == 128);
/* One node: its adapters' and devices' data, at the offsets given from the start of the descriptor. */
typedef struct _STORAGE_PHYSICAL_NODE_DATA {
    ULONG NodeId;
    ULONG AdapterCount;
    ULONG AdapterDataLength;
    ULONG AdapterDataOffset;
    ULONG DeviceCount;
    ULONG DeviceDataLength;
    ULONG DeviceDataOffset;
    ULONG Reserved[3];
} STORAGE_PHYSICAL_NODE_DATA, *PSTORAGE_PHYSICAL_NODE_DATA;
C_ASSERT(sizeof(STORAGE_PHYSICAL_NODE_DATA) == 40);
typedef struct _STORAGE_PHYSICAL_TOPOLOGY_DESCRIPTOR {
    ULONG Version;
    ULONG Size;
    ULONG NodeCount;
    ULONG Reserved;
    STORAGE_PHYSICAL_NODE_DATA Node[ANYSIZE_ARRAY];
} STORAGE_PHYSICAL_TOPOLOGY_DESCRIPTOR, *PSTORAGE_PHYSICAL_TOPOLOGY_DESCRIPTOR;
C_ASSERT(FIELD_OFFSET(STORAGE_PHYSICAL_TOPOLOGY_DESCRIPTOR, Node) == 16 && sizeof(STORAGE_PHYSICAL_TOPOLOGY_DESCRIPTOR) == 56);

/* ---- firmware information (IOCTL_STORAGE_FIRMWARE_GET_INFO; IOCTL_SCSI_MINIPORT_FIRMWARE's GET_INFO answer) ---- */
#define STORAGE_FIRMWARE_INFO_STRUCTURE_VERSION 0x1
#define STORAGE_FIRMWARE_INFO_STRUCTURE_VERSION_V2 0x2
#define STORAGE_FIRMWARE_INFO_INVALID_SLOT 0xFF
#define STORAGE_FIRMWARE_SLOT_INFO_V2_REVISION_LENGTH 16
typedef struct _STORAGE_FIRMWARE_SLOT_INFO_V2 {
    UCHAR SlotNumber;
    BOOLEAN ReadOnly;
    UCHAR Reserved[6];
    UCHAR Revision[STORAGE_FIRMWARE_SLOT_INFO_V2_REVISION_LENGTH];
} STORAGE_FIRMWARE_SLOT_INFO_V2, *PSTORAGE_FIRMWARE_SLOT_INFO_V2;
C_ASSERT(sizeof(STORAGE_FIRMWARE_SLOT_INFO_V2) == 24);
typedef struct _STORAGE_FIRMWARE_INFO_V2 {
    ULONG Version;                     /* STORAGE_FIRMWARE_INFO_STRUCTURE_VERSION_V2 */
    ULONG Size;
    BOOLEAN UpgradeSupport;
    UCHAR SlotCount;                   /* entries in Slot */
    UCHAR ActiveSlot;
    UCHAR PendingActivateSlot;         /* STORAGE_FIRMWARE_INFO_INVALID_SLOT: none */
    BOOLEAN FirmwareShared;
    UCHAR Reserved[3];
    ULONG ImagePayloadAlignment;       /* bytes */
    ULONG ImagePayloadMaxSize;         /* bytes */
    STORAGE_FIRMWARE_SLOT_INFO_V2 Slot[0];
} STORAGE_FIRMWARE_INFO_V2, *PSTORAGE_FIRMWARE_INFO_V2;
C_ASSERT(FIELD_OFFSET(STORAGE_FIRMWARE_INFO_V2, Slot) == 24 && sizeof(STORAGE_FIRMWARE_INFO_V2) == 24);
