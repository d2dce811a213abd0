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
