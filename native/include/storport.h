/*
 * MiniportTimers: the Storport routines and types a miniport needs around its timers, written from the public
 * Storport DDI reference (storport.h pages). Values (status codes, function codes, enumerations) are Windows'.
 * HW_INITIALIZATION_DATA keeps Windows' member order up to HwUnitControl (a member past it is a compile error, not a
 * wrong offset); PORT_CONFIGURATION_INFORMATION is complete, at its Windows x64 layout (224 bytes). Only what the
 * emulation implements is declared, and the types drivers name in it.
 */
#pragma once

#include "wdm.h"
/* The request blocks (SCSI_REQUEST_BLOCK, STORAGE_REQUEST_BLOCK) and the SRB_* values. */
#include "srb.h"
/* The SCSI definitions a Storport miniport names (CDB, SENSE_DATA, SCSIOP_*): mingw-w64's, when installed (scsi.h). */
#ifdef MPT_DDK
#include "scsi.h"
#endif

/* Marks a driver built against this header, so a host can tell which stack a .so targets (run --driver). */
#ifndef MPT_SHIM
__attribute__((weak, used)) const char mpt_targets_storport[] = "storport";
#endif

/* ---- status values (STOR_STATUS_*, returned by the extended functions) ---- */
#define STOR_STATUS_SUCCESS 0x00000000u
#define STOR_STATUS_UNSUCCESSFUL 0xC1000001u
#define STOR_STATUS_NOT_IMPLEMENTED 0xC1000002u
#define STOR_STATUS_INSUFFICIENT_RESOURCES 0xC1000003u
#define STOR_STATUS_BUFFER_TOO_SMALL 0xC1000004u
#define STOR_STATUS_ACCESS_DENIED 0xC1000005u
#define STOR_STATUS_INVALID_PARAMETER 0xC1000006u
#define STOR_STATUS_INVALID_DEVICE_REQUEST 0xC1000007u
#define STOR_STATUS_INVALID_IRQL 0xC1000008u
#define STOR_STATUS_INVALID_DEVICE_STATE 0xC1000009u
#define STOR_STATUS_INVALID_BUFFER_SIZE 0xC100000Au
#define STOR_STATUS_UNSUPPORTED_VERSION 0xC100000Bu
#define STOR_STATUS_BUSY 0xC100000Cu

/* HwStorFindAdapter results */
#define SP_RETURN_NOT_FOUND 0
#define SP_RETURN_FOUND 1
#define SP_RETURN_ERROR 2
#define SP_RETURN_BAD_CONFIG 3

/* PORT_CONFIGURATION_INFORMATION.Dma64BitAddresses */
#define SCSI_DMA64_MINIPORT_SUPPORTED 0x01

typedef enum _SCSI_NOTIFICATION_TYPE {
    RequestComplete = 0,
    NextRequest = 1,
    NextLuRequest = 2,
    ResetDetected = 3,
    RequestTimerCall = 6,
    BusChangeDetected = 7,
} SCSI_NOTIFICATION_TYPE;

typedef enum _SCSI_ADAPTER_CONTROL_TYPE {
    ScsiQuerySupportedControlTypes = 0,
    ScsiStopAdapter = 1,
    ScsiRestartAdapter = 2,
    ScsiSetBootConfig = 3,
    ScsiSetRunningConfig = 4,
    ScsiAdapterControlMax = 5,
} SCSI_ADAPTER_CONTROL_TYPE;

typedef enum _SCSI_ADAPTER_CONTROL_STATUS {
    ScsiAdapterControlSuccess = 0,
    ScsiAdapterControlUnsuccessful = 1,
} SCSI_ADAPTER_CONTROL_STATUS;

typedef enum _STOR_SPINLOCK { DpcLock = 1, StartIoLock = 2, InterruptLock = 3 } STOR_SPINLOCK;

typedef enum _STOR_SYNCHRONIZATION_MODEL {
    StorSynchronizeHalfDuplex = 0,
    StorSynchronizeFullDuplex = 1,
} STOR_SYNCHRONIZATION_MODEL;

typedef enum _INTERFACE_TYPE { InterfaceTypeUndefined = -1, Internal = 0, PCIBus = 5 } INTERFACE_TYPE;

/* The extended function codes of the timer routines (StorPortExtendedFunction). */
typedef enum _STORPORT_FUNCTION_CODE {
    ExtFunctionInitializeTimer = 32,
    ExtFunctionRequestTimer = 33,
    ExtFunctionFreeTimer = 34,
} STORPORT_FUNCTION_CODE;

/* ---- configuration: what HwStorFindAdapter receives ---- */
typedef enum _KINTERRUPT_MODE { LevelSensitive, Latched } KINTERRUPT_MODE;
typedef enum _DMA_WIDTH { Width8Bits, Width16Bits, Width32Bits, Width64Bits, WidthNoWrap, MaximumDmaWidth } DMA_WIDTH, *PDMA_WIDTH;
typedef enum _DMA_SPEED { Compatible, TypeA, TypeB, TypeC, TypeF, MaximumDmaSpeed } DMA_SPEED, *PDMA_SPEED;
typedef PHYSICAL_ADDRESS STOR_PHYSICAL_ADDRESS, SCSI_PHYSICAL_ADDRESS, *PSTOR_PHYSICAL_ADDRESS, *PSCSI_PHYSICAL_ADDRESS;
typedef struct _ACCESS_RANGE { STOR_PHYSICAL_ADDRESS RangeStart; ULONG RangeLength; BOOLEAN RangeInMemory; } ACCESS_RANGE, *PACCESS_RANGE;
typedef enum _INTERRUPT_SYNCHRONIZATION_MODE { InterruptSupportNone, InterruptSynchronizeAll, InterruptSynchronizePerMessage } INTERRUPT_SYNCHRONIZATION_MODE;
typedef BOOLEAN HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE(PVOID HwDeviceExtension, ULONG MessageId);
typedef BOOLEAN (*PHW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE)(PVOID HwDeviceExtension, ULONG MessageId);
/* A memory region: its virtual base, physical base and length (PORT_CONFIGURATION_INFORMATION.DumpRegion). */
typedef struct _MEMORY_REGION { PUCHAR VirtualBase; PHYSICAL_ADDRESS PhysicalBase; ULONG Length; } MEMORY_REGION, *PMEMORY_REGION;
C_ASSERT(sizeof(MEMORY_REGION) == 24);
/* DumpMode: why HwStorFindAdapter is called in the dump stack. */
#define DUMP_MODE_CRASH 0x01
#define DUMP_MODE_HIBER 0x02
#define DUMP_MODE_MARK_MEMORY 0x03
#define DUMP_MODE_RESUME 0x04
/* PORT_CONFIGURATION_INFORMATION.FeatureSupport: what the adapter supports (STOR_ADAPTER_FEATURE_*). */
#define STOR_ADAPTER_FEATURE_DEVICE_TELEMETRY 0x00000001
#define STOR_ADAPTER_FEATURE_STOP_UNIT_DURING_POWER_DOWN 0x00000002
#define STOR_ADAPTER_DMA_V3_PREFERRED 0x00000008
#define STOR_ADAPTER_FEATURE_RICH_TEMPERATURE_THRESHOLD 0x00000020

/* Windows' members in Windows' order, all of them. The host fills Length, NumberOfBuses and SynchronizationModel and
   reads back NumberOfBuses and SynchronizationModel after HwStorFindAdapter; message-signalled interrupts and the
   dump stack are not emulated (DumpMode stays 0). */
typedef struct _PORT_CONFIGURATION_INFORMATION {
    ULONG Length;
    ULONG SystemIoBusNumber;
    INTERFACE_TYPE AdapterInterfaceType;
    ULONG BusInterruptLevel;
    ULONG BusInterruptVector;
    KINTERRUPT_MODE InterruptMode;
    ULONG MaximumTransferLength;
    ULONG NumberOfPhysicalBreaks;
    ULONG DmaChannel;
    ULONG DmaPort;
    DMA_WIDTH DmaWidth;
    DMA_SPEED DmaSpeed;
    ULONG AlignmentMask;
    ULONG NumberOfAccessRanges;
    ACCESS_RANGE (*AccessRanges)[];
    PVOID MiniportDumpData;          /* Reserved before Windows 8 */
    UCHAR NumberOfBuses;
    UCHAR InitiatorBusId[8];
    BOOLEAN ScatterGather;
    BOOLEAN Master;
    BOOLEAN CachesData;
    BOOLEAN AdapterScansDown;
    BOOLEAN AtdiskPrimaryClaimed;
    BOOLEAN AtdiskSecondaryClaimed;
    BOOLEAN Dma32BitAddresses;
    BOOLEAN DemandMode;
    BOOLEAN MapBuffers;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    BOOLEAN ReceiveEvent;
    BOOLEAN RealModeInitialized;
    BOOLEAN BufferAccessScsiPortControlled;
    UCHAR MaximumNumberOfTargets;
    UCHAR SrbType;                   /* with AddressType: ReservedUchars[2] before Windows 8 */
    UCHAR AddressType;
    ULONG SlotNumber;
    ULONG BusInterruptLevel2;
    ULONG BusInterruptVector2;
    KINTERRUPT_MODE InterruptMode2;
    ULONG DmaChannel2;
    ULONG DmaPort2;
    DMA_WIDTH DmaWidth2;
    DMA_SPEED DmaSpeed2;
    ULONG DeviceExtensionSize;
    ULONG SpecificLuExtensionSize;
    ULONG SrbExtensionSize;
    UCHAR Dma64BitAddresses;
    BOOLEAN ResetTargetSupported;
    UCHAR MaximumNumberOfLogicalUnits;
    BOOLEAN WmiDataProvider;
    /* Storport's members after the SCSI port's */
    ULONG SynchronizationModel;      /* STOR_SYNCHRONIZATION_MODEL */
    PHW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE HwMSInterruptRoutine;
    INTERRUPT_SYNCHRONIZATION_MODE InterruptSynchronizationMode;
    MEMORY_REGION DumpRegion;
    ULONG RequestedDumpBufferSize;
    BOOLEAN VirtualDevice;
    UCHAR DumpMode;                  /* DUMP_MODE_*, 0 outside the dump stack */
    UCHAR DmaAddressWidth;
    ULONG ExtendedFlags1;
    ULONG MaxNumberOfIO;
    ULONG MaxIOsPerLun;
    ULONG InitialLunQueueDepth;
    ULONG BusResetHoldTime;          /* microseconds */
    ULONG FeatureSupport;            /* STOR_ADAPTER_FEATURE_* */
} PORT_CONFIGURATION_INFORMATION, *PPORT_CONFIGURATION_INFORMATION;
/* The host's bridge reads and writes these offsets (src/MiniportTimers.Native/Interop/NativeLayouts.cs). */
C_ASSERT(FIELD_OFFSET(PORT_CONFIGURATION_INFORMATION, AccessRanges) == 56 && FIELD_OFFSET(PORT_CONFIGURATION_INFORMATION, NumberOfBuses) == 72);
C_ASSERT(FIELD_OFFSET(PORT_CONFIGURATION_INFORMATION, SlotNumber) == 100 && FIELD_OFFSET(PORT_CONFIGURATION_INFORMATION, WmiDataProvider) == 147);
C_ASSERT(FIELD_OFFSET(PORT_CONFIGURATION_INFORMATION, SynchronizationModel) == 148 && FIELD_OFFSET(PORT_CONFIGURATION_INFORMATION, InterruptSynchronizationMode) == 160);
C_ASSERT(FIELD_OFFSET(PORT_CONFIGURATION_INFORMATION, DumpRegion) == 168 && FIELD_OFFSET(PORT_CONFIGURATION_INFORMATION, DumpMode) == 197);
C_ASSERT(FIELD_OFFSET(PORT_CONFIGURATION_INFORMATION, MaxNumberOfIO) == 204 && FIELD_OFFSET(PORT_CONFIGURATION_INFORMATION, FeatureSupport) == 220);
C_ASSERT(sizeof(PORT_CONFIGURATION_INFORMATION) == 224);

/* HW_INITIALIZATION_DATA.FeatureSupport: what the miniport supports (STOR_FEATURE_*). */
#define STOR_FEATURE_VIRTUAL_MINIPORT 0x00000001
#define STOR_FEATURE_ATA_PASS_THROUGH 0x00000002
#define STOR_FEATURE_FULL_PNP_DEVICE_CAPABILITIES 0x00000004
#define STOR_FEATURE_DUMP_POINTERS 0x00000008
#define STOR_FEATURE_DEVICE_NAME_NO_SUFFIX 0x00000010
#define STOR_FEATURE_DUMP_RESUME_CAPABLE 0x00000020
#define STOR_FEATURE_DEVICE_DESCRIPTOR_FROM_ATA_INFO_VPD 0x00000040
#define STOR_FEATURE_EXTRA_IO_INFORMATION 0x00000080
#define STOR_FEATURE_ADAPTER_CONTROL_PRE_FINDADAPTER 0x00000100
#define STOR_FEATURE_ADAPTER_NOT_REQUIRE_IO_PORT 0x00000200
/* HW_INITIALIZATION_DATA.SrbTypeFlags: the request blocks the miniport takes. */
#define SRB_TYPE_FLAG_SCSI_REQUEST_BLOCK 0x1
#define SRB_TYPE_FLAG_STORAGE_REQUEST_BLOCK 0x2
/* StorPortAsyncNotificationDetected's Flags */
#define RAID_ASYNC_NOTIFY_FLAG_MEDIA_STATUS 0x1
#define RAID_ASYNC_NOTIFY_FLAG_DEVICE_STATUS 0x2
#define RAID_ASYNC_NOTIFY_FLAG_DEVICE_OPERATION 0x4

/* ---- scatter-gather lists ---- */
typedef struct _STOR_SCATTER_GATHER_ELEMENT {
    STOR_PHYSICAL_ADDRESS PhysicalAddress;
    ULONG Length;
    ULONG_PTR Reserved;
} STOR_SCATTER_GATHER_ELEMENT, *PSTOR_SCATTER_GATHER_ELEMENT;
typedef struct _STOR_SCATTER_GATHER_LIST {
    ULONG NumberOfElements;
    ULONG_PTR Reserved;
    STOR_SCATTER_GATHER_ELEMENT List[0];             /* as many as NumberOfElements */
} STOR_SCATTER_GATHER_LIST, *PSTOR_SCATTER_GATHER_LIST;
C_ASSERT(sizeof(STOR_SCATTER_GATHER_ELEMENT) == 24 && FIELD_OFFSET(STOR_SCATTER_GATHER_LIST, List) == 16);

/* ---- DPCs and locks: caller storage ---- */
typedef struct _STOR_DPC { KDPC Dpc; KSPIN_LOCK Lock; } STOR_DPC, *PSTOR_DPC;
C_ASSERT(sizeof(STOR_DPC) == 72);

/* Windows' layout (32 bytes on x64): the lock kind, then the queued lock's handle or, for the other kinds, the IRQL to
   restore. The emulation keeps its own record by the handle's address and writes only Lock. */
typedef struct _STOR_LOCK_HANDLE {
    STOR_SPINLOCK Lock;
    union { KLOCK_QUEUE_HANDLE LockHandle; KIRQL OldIrql; } Context;
} STOR_LOCK_HANDLE, *PSTOR_LOCK_HANDLE;
C_ASSERT(FIELD_OFFSET(STOR_LOCK_HANDLE, Context) == 8 && FIELD_OFFSET(STOR_LOCK_HANDLE, Context.OldIrql) == 8);
C_ASSERT(sizeof(STOR_LOCK_HANDLE) == 32);

/* ---- the miniport's routines: each as a routine type (for declarations) and a pointer to one ---- */
typedef ULONG HW_FIND_ADAPTER(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation, PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo, PBOOLEAN Reserved3);
typedef ULONG (*PHW_FIND_ADAPTER)(PVOID DeviceExtension, PVOID HwContext, PVOID BusInformation, PCHAR ArgumentString, PPORT_CONFIGURATION_INFORMATION ConfigInfo, PBOOLEAN Reserved3);
typedef BOOLEAN HW_INITIALIZE(PVOID DeviceExtension);
typedef BOOLEAN (*PHW_INITIALIZE)(PVOID DeviceExtension);
typedef BOOLEAN HW_STARTIO(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb);
typedef BOOLEAN (*PHW_STARTIO)(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb);
typedef BOOLEAN HW_INTERRUPT(PVOID DeviceExtension);
typedef BOOLEAN (*PHW_INTERRUPT)(PVOID DeviceExtension);
typedef BOOLEAN HW_RESET_BUS(PVOID DeviceExtension, ULONG PathId);
typedef BOOLEAN (*PHW_RESET_BUS)(PVOID DeviceExtension, ULONG PathId);
typedef VOID HW_DMA_STARTED(PVOID DeviceExtension);
typedef VOID (*PHW_DMA_STARTED)(PVOID DeviceExtension);
typedef BOOLEAN HW_ADAPTER_STATE(PVOID DeviceExtension, PVOID Context, BOOLEAN SaveState);
typedef BOOLEAN (*PHW_ADAPTER_STATE)(PVOID DeviceExtension, PVOID Context, BOOLEAN SaveState);
typedef SCSI_ADAPTER_CONTROL_STATUS HW_ADAPTER_CONTROL(PVOID DeviceExtension, SCSI_ADAPTER_CONTROL_TYPE ControlType, PVOID Parameters);
typedef SCSI_ADAPTER_CONTROL_STATUS (*PHW_ADAPTER_CONTROL)(PVOID DeviceExtension, SCSI_ADAPTER_CONTROL_TYPE ControlType, PVOID Parameters);
typedef BOOLEAN HW_BUILDIO(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb);
typedef BOOLEAN (*PHW_BUILDIO)(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb);
typedef VOID HW_TIMER(PVOID DeviceExtension);                         /* legacy RequestTimerCall: DISPATCH_LEVEL, StartIo lock */
typedef VOID (*PHW_TIMER)(PVOID DeviceExtension);
typedef VOID HW_TIMER_EX(PVOID DeviceExtension, PVOID Context);       /* StorPortRequestTimer: the same */
typedef VOID (*PHW_TIMER_EX)(PVOID DeviceExtension, PVOID Context);
typedef VOID HW_DPC_ROUTINE(PSTOR_DPC Dpc, PVOID HwDeviceExtension, PVOID SystemArgument1, PVOID SystemArgument2);
typedef VOID (*PHW_DPC_ROUTINE)(PSTOR_DPC Dpc, PVOID HwDeviceExtension, PVOID SystemArgument1, PVOID SystemArgument2);
typedef BOOLEAN HW_PASSIVE_INITIALIZE_ROUTINE(PVOID DeviceExtension);
typedef BOOLEAN (*PHW_PASSIVE_INITIALIZE_ROUTINE)(PVOID DeviceExtension);
typedef ULONG HW_UNIT_CONTROL(PVOID DeviceExtension, ULONG ControlType, PVOID Parameters);
typedef ULONG (*PHW_UNIT_CONTROL)(PVOID DeviceExtension, ULONG ControlType, PVOID Parameters);
typedef VOID HW_TRACING_ENABLED(PVOID HwDeviceExtension, BOOLEAN Enabled);
typedef VOID (*PHW_TRACING_ENABLED)(PVOID HwDeviceExtension, BOOLEAN Enabled);
typedef BOOLEAN (*PSTOR_SYNCHRONIZED_ACCESS)(PVOID HwDeviceExtension, PVOID Context);

typedef struct _HW_INITIALIZATION_DATA {
    ULONG HwInitializationDataSize;
    INTERFACE_TYPE AdapterInterfaceType;
    PHW_INITIALIZE HwInitialize;
    PHW_STARTIO HwStartIo;
    PHW_INTERRUPT HwInterrupt;
    PHW_FIND_ADAPTER HwFindAdapter;
    PHW_RESET_BUS HwResetBus;
    PHW_DMA_STARTED HwDmaStarted;
    PHW_ADAPTER_STATE HwAdapterState;
    ULONG DeviceExtensionSize;      /* bytes of the extension the host allocates, zeroed, per adapter */
    ULONG SpecificLuExtensionSize;
    ULONG SrbExtensionSize;
    ULONG NumberOfAccessRanges;
    PVOID Reserved;
    BOOLEAN MapBuffers;
    BOOLEAN NeedPhysicalAddresses;
    BOOLEAN TaggedQueuing;
    BOOLEAN AutoRequestSense;
    BOOLEAN MultipleRequestPerLu;
    BOOLEAN ReceiveEvent;
    USHORT VendorIdLength;
    PVOID VendorId;
    union { USHORT ReservedUshort; USHORT PortVersionFlags; };
    USHORT DeviceIdLength;
    PVOID DeviceId;
    PHW_ADAPTER_CONTROL HwAdapterControl;
    PHW_BUILDIO HwBuildIo;
    PVOID HwFreeAdapterResources;
    PVOID HwProcessServiceRequest;
    PVOID HwCompleteServiceIrp;
    PVOID HwInitializeTracing;
    PVOID HwCleanupTracing;
    PVOID HwTracingEnabled;
    ULONG FeatureSupport;
    ULONG SrbTypeFlags;
    ULONG AddressTypeFlags;
    ULONG Reserved1;
    PHW_UNIT_CONTROL HwUnitControl;
} HW_INITIALIZATION_DATA, *PHW_INITIALIZATION_DATA;
C_ASSERT(FIELD_OFFSET(HW_INITIALIZATION_DATA, HwInitialize) == 8 && FIELD_OFFSET(HW_INITIALIZATION_DATA, HwFindAdapter) == 32);
C_ASSERT(FIELD_OFFSET(HW_INITIALIZATION_DATA, DeviceExtensionSize) == 64 && FIELD_OFFSET(HW_INITIALIZATION_DATA, HwAdapterControl) == 120);
C_ASSERT(FIELD_OFFSET(HW_INITIALIZATION_DATA, HwUnitControl) == 200 && sizeof(HW_INITIALIZATION_DATA) == 208);

/* ---- the port driver's routines (IRQL and status per the DDI pages; docs/conformance.md) ---- */

/* DriverEntry's registration. Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for a missing required routine. */
ULONG StorPortInitialize(PVOID Argument1, PVOID Argument2, PHW_INITIALIZATION_DATA HwInitializationData, PVOID HwContext);

/* StorPortNotification(RequestTimerCall, ext, PHW_TIMER, ULONG µs): the adapter's single legacy timer; 0 µs or a NULL
   routine cancels; a new request replaces a pending one. Any IRQL (above DISPATCH_LEVEL it is applied when the IRQL
   drops). StorPortNotification(RequestComplete, ext, srb) completes a request; (NextRequest, ext) is accepted. */
VOID StorPortNotification(SCSI_NOTIFICATION_TYPE NotificationType, PVOID HwDeviceExtension, ...);

/* Extended timers (Windows 8+). µs units; tolerable delays below 32 µs mean 0. Returns STOR_STATUS_* above:
   BUSY while a request is pending (a re-arm does not replace it); 0 µs cancels. */
ULONG StorPortInitializeTimer(PVOID HwDeviceExtension, PVOID *TimerHandle);
ULONG StorPortRequestTimer(PVOID HwDeviceExtension, PVOID TimerHandle, PHW_TIMER_EX TimerCallback, PVOID CallbackContext, ULONGLONG TimerValue, ULONGLONG TolerableDelay);
ULONG StorPortFreeTimer(PVOID HwDeviceExtension, PVOID TimerHandle);
ULONG StorPortExtendedFunction(STORPORT_FUNCTION_CODE FunctionCode, PVOID HwDeviceExtension, ...);

/* Port locks: DPC and StartIo locks raise to DISPATCH_LEVEL, the Interrupt lock to the device IRQL. */
VOID StorPortAcquireSpinLock(PVOID HwDeviceExtension, STOR_SPINLOCK SpinLock, PVOID LockContext, PSTOR_LOCK_HANDLE LockHandle);
VOID StorPortReleaseSpinLock(PVOID HwDeviceExtension, PSTOR_LOCK_HANDLE LockHandle);
BOOLEAN StorPortSynchronizeAccess(PVOID HwDeviceExtension, PSTOR_SYNCHRONIZED_ACCESS SynchronizedAccessRoutine, PVOID Context);

/* DPCs: the routine runs at DISPATCH_LEVEL with no port lock. StorPortIssueDpc returns FALSE when already queued. */
VOID StorPortInitializeDpc(PVOID HwDeviceExtension, PSTOR_DPC Dpc, PHW_DPC_ROUTINE HwDpcRoutine);
BOOLEAN StorPortIssueDpc(PVOID HwDeviceExtension, PSTOR_DPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2);

BOOLEAN StorPortEnablePassiveInitialization(PVOID HwDeviceExtension, PHW_PASSIVE_INITIALIZE_ROUTINE HwPassiveInitializeRoutine);
BOOLEAN StorPortPause(PVOID HwDeviceExtension, ULONG TimeOut);  /* seconds */
BOOLEAN StorPortResume(PVOID HwDeviceExtension);
VOID StorPortStallExecution(ULONG Delay);                         /* µs */
VOID StorPortQuerySystemTime(PLARGE_INTEGER CurrentTime); /* 100 ns since 1601. IRQL: any. */
VOID StorPortDebugPrint(ULONG DebugPrintLevel, PCCHAR DebugMessage, ...);
