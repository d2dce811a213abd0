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
/* The SCSI definitions a Storport miniport names (CDB, SENSE_DATA, SCSIOP_*). */
#include "scsi.h"

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

/* PORT_CONFIGURATION_INFORMATION.Dma64BitAddresses: set by the miniport (MINIPORT_*), or by Storport when the system
   supports 64-bit DMA (SYSTEM_SUPPORTED, which the host always sets). */
#define SCSI_DMA64_MINIPORT_SUPPORTED 0x01
#define SCSI_DMA64_SYSTEM_SUPPORTED 0x80

/* StorPortLogError's ErrorCode: what went wrong, for the system event log. */
#define SP_BUS_PARITY_ERROR 0x0001
#define SP_UNEXPECTED_DISCONNECT 0x0002
#define SP_INVALID_RESELECTION 0x0003
#define SP_BUS_TIME_OUT 0x0004
#define SP_PROTOCOL_ERROR 0x0005
#define SP_INTERNAL_ADAPTER_ERROR 0x0006
#define SP_REQUEST_TIMEOUT 0x0007
#define SP_IRQ_NOT_RESPONDING 0x0008
#define SP_BAD_FW_WARNING 0x0009
#define SP_BAD_FW_ERROR 0x000a
#define SP_LOST_WMI_MINIPORT_REQUEST 0x000b

typedef enum _SCSI_NOTIFICATION_TYPE {
    RequestComplete = 0,
    NextRequest = 1,
    NextLuRequest = 2,
    ResetDetected = 3,
    _obsolete1 = 4,
    _obsolete2 = 5,
    RequestTimerCall = 6,
    BusChangeDetected = 7,
    WMIEvent = 8,
    WMIReregister = 9,
    LinkUp = 10,
    LinkDown = 11,
    QueryTickCount = 12,
    BufferOverrunDetected = 13,
    TraceNotification = 14,
    GetExtendedFunctionTable = 15,
    EnablePassiveInitialization = 0x1000,
    InitializeDpc,
    IssueDpc,
    AcquireSpinLock,
    ReleaseSpinLock,
    StateChangeDetectedCall,
    IoTargetRequestServiceTime,     /* (ext, ULONGLONG Duration in 100 ns, PSCSI_REQUEST_BLOCK Srb) */
    AsyncNotificationDetected,
} SCSI_NOTIFICATION_TYPE;

/* Storport's list (the SCSI port's srb.h ends at ScsiSetRunningConfig, with ScsiAdapterControlMax 5). */
typedef enum _SCSI_ADAPTER_CONTROL_TYPE {
    ScsiQuerySupportedControlTypes = 0,
    ScsiStopAdapter = 1,
    ScsiRestartAdapter = 2,
    ScsiSetBootConfig = 3,
    ScsiSetRunningConfig = 4,
    ScsiPowerSettingNotification = 5,   /* Parameters: PSTOR_POWER_SETTING_INFO */
    ScsiAdapterPower = 6,               /* PSTOR_ADAPTER_CONTROL_POWER */
    ScsiAdapterPoFxPowerRequired = 7,   /* PBOOLEAN */
    ScsiAdapterPoFxPowerActive = 8,     /* PSTOR_POFX_ACTIVE_CONTEXT */
    ScsiAdapterPoFxPowerSetFState = 9,  /* PSTOR_POFX_FSTATE_CONTEXT */
    ScsiAdapterPoFxPowerControl = 10,
    ScsiAdapterPrepareForBusReScan = 11,
    ScsiAdapterSystemPowerHints = 12,   /* PSTOR_SYSTEM_POWER_HINTS */
    ScsiAdapterFilterResourceRequirements = 13,
    ScsiAdapterPoFxMaxOperationalPower = 14,
    ScsiAdapterPoFxSetPerfState = 15,
    ScsiAdapterSurpriseRemoval = 16,
    ScsiAdapterSerialNumber = 17,
    ScsiAdapterCryptoOperation = 18,
    ScsiAdapterQueryFruId = 19,
    ScsiAdapterSetEventLogging = 20,
    ScsiAdapterReportInternalData = 21,
    ScsiAdapterResetBusSynchronous = 22,
    ScsiAdapterPostHwInitialize = 23,
    ScsiAdapterPrepareEarlyDumpData = 24,
    ScsiAdapterRestoreEarlyDumpData = 25,
    ScsiAdapterControlMax = 26,
    MakeAdapterControlTypeSizeOfUlong = 0xffffffff
} SCSI_ADAPTER_CONTROL_TYPE, *PSCSI_ADAPTER_CONTROL_TYPE;

typedef enum _SCSI_ADAPTER_CONTROL_STATUS {
    ScsiAdapterControlSuccess = 0,
    ScsiAdapterControlUnsuccessful = 1,
    ScsiAdapterControlRetryNeeded = 2,
    ScsiAdapterControlBufferTooSmall = 3,
} SCSI_ADAPTER_CONTROL_STATUS, *PSCSI_ADAPTER_CONTROL_STATUS;

/* ScsiQuerySupportedControlTypes' Parameters: the miniport sets SupportedTypeList[type] for each type it handles,
   for types below MaxControlType. */
typedef struct _SCSI_SUPPORTED_CONTROL_TYPE_LIST {
    ULONG MaxControlType;
    BOOLEAN SupportedTypeList[0];
} SCSI_SUPPORTED_CONTROL_TYPE_LIST, *PSCSI_SUPPORTED_CONTROL_TYPE_LIST;

/* HwStorUnitControl's control types (storport.h), and what it returns. */
typedef enum _SCSI_UNIT_CONTROL_TYPE {
    ScsiQuerySupportedUnitControlTypes = 0,
    ScsiUnitUsage,
    ScsiUnitStart,
    ScsiUnitPower,                      /* Parameters: PSTOR_UNIT_CONTROL_POWER */
    ScsiUnitPoFxPowerInfo,              /* PSTOR_POFX_UNIT_POWER_INFO */
    ScsiUnitPoFxPowerRequired,
    ScsiUnitPoFxPowerActive,            /* PSTOR_POFX_ACTIVE_CONTEXT */
    ScsiUnitPoFxPowerSetFState,         /* PSTOR_POFX_FSTATE_CONTEXT */
    ScsiUnitPoFxPowerControl,
    ScsiUnitRemove,
    ScsiUnitSurpriseRemoval,
    ScsiUnitRichDescription,
    ScsiUnitQueryBusType,
    ScsiUnitQueryFruId,
    ScsiUnitReportInternalData,
    ScsiUnitKsrPowerDown,
    ScsiUnitNvmeIceInformation,
    ScsiUnitControlMax,
    MakeUnitControlTypeSizeOfUlong = 0xffffffff
} SCSI_UNIT_CONTROL_TYPE, *PSCSI_UNIT_CONTROL_TYPE;

typedef enum _SCSI_UNIT_CONTROL_STATUS {
    ScsiUnitControlSuccess = 0,
    ScsiUnitControlUnsuccessful
} SCSI_UNIT_CONTROL_STATUS, *PSCSI_UNIT_CONTROL_STATUS;

typedef enum _STOR_SPINLOCK { DpcLock = 1, StartIoLock = 2, InterruptLock = 3 } STOR_SPINLOCK;

typedef enum _STOR_SYNCHRONIZATION_MODEL {
    StorSynchronizeHalfDuplex = 0,
    StorSynchronizeFullDuplex = 1,
} STOR_SYNCHRONIZATION_MODEL;

typedef enum _INTERFACE_TYPE {
    InterfaceTypeUndefined = -1, Internal = 0, Isa, Eisa, MicroChannel, TurboChannel, PCIBus, VMEBus, NuBus, PCMCIABus,
    CBus, MPIBus, MPSABus, ProcessorInternal, InternalPowerBus, PNPISABus, PNPBus, Vmcs, ACPIBus, MaximumInterfaceType
} INTERFACE_TYPE, *PINTERFACE_TYPE;

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
typedef SCSI_UNIT_CONTROL_STATUS HW_UNIT_CONTROL(PVOID DeviceExtension, SCSI_UNIT_CONTROL_TYPE ControlType, PVOID Parameters);
typedef SCSI_UNIT_CONTROL_STATUS (*PHW_UNIT_CONTROL)(PVOID DeviceExtension, SCSI_UNIT_CONTROL_TYPE ControlType, PVOID Parameters);
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

/* A Storport miniport's DriverEntry: the driver object and the registry path, as PVOIDs; returns StorPortInitialize's
   status. */
typedef ULONG sp_DRIVER_INITIALIZE(PVOID Argument1, PVOID Argument2);
typedef sp_DRIVER_INITIALIZE *Psp_DRIVER_INITIALIZE;

/* DriverEntry's registration. Returns STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for a missing required routine. */
/* StorPortCompleteRequest and StorPortNotification(NextLuRequest): any path, target or LUN (and an untagged request). */
#define SP_UNTAGGED ((UCHAR)~0)

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
/* DebugPrint((level, format, ...)): StorPortDebugPrint in a checked build (DBG set), nothing otherwise, as in Windows. */
#if defined(DBG) && DBG
#define DebugPrint(x) StorPortDebugPrint x
#else
#define DebugPrint(x)
#endif

/* ======================================================================================================================
 * What a full miniport (storahci) uses beyond the timers: each routine as its storport.h page declares it, with its
 * units and IRQL. The host implements them (native/ddi/ddis.json); the types and values here are Windows x64's.
 * ==================================================================================================================== */

/* ---- bus data (StorPortGetBusData, StorPortSetBusDataByOffset) ---- */
typedef enum _BUS_DATA_TYPE {
    ConfigurationSpaceUndefined = -1, Cmos, EisaConfiguration, Pos, CbusConfiguration, PCIConfiguration,
    VMEConfiguration, NuBusConfiguration, PCMCIAConfiguration, MPIConfiguration, MPSAConfiguration,
    PNPISAConfiguration, SgiInternalConfiguration, MaximumBusDataType
} BUS_DATA_TYPE, *PBUS_DATA_TYPE;

/* The first 64 bytes of a PCI function's configuration space, then the device-specific rest (256 bytes in all). */
#define PCI_TYPE0_ADDRESSES 6
#define PCI_TYPE1_ADDRESSES 2
#define PCI_TYPE2_ADDRESSES 5
typedef struct _PCI_COMMON_HEADER {
    USHORT VendorID;
    USHORT DeviceID;
    USHORT Command;
    USHORT Status;
    UCHAR RevisionID;
    UCHAR ProgIf;
    UCHAR SubClass;
    UCHAR BaseClass;
    UCHAR CacheLineSize;
    UCHAR LatencyTimer;
    UCHAR HeaderType;
    UCHAR BIST;
    union {
        struct {
            ULONG BaseAddresses[PCI_TYPE0_ADDRESSES];
            ULONG CIS;
            USHORT SubVendorID;
            USHORT SubSystemID;
            ULONG ROMBaseAddress;
            UCHAR CapabilitiesPtr;
            UCHAR Reserved1[3];
            ULONG Reserved2;
            UCHAR InterruptLine;
            UCHAR InterruptPin;
            UCHAR MinimumGrant;
            UCHAR MaximumLatency;
        } type0;
        struct {
            ULONG BaseAddresses[PCI_TYPE1_ADDRESSES];
            UCHAR PrimaryBus;
            UCHAR SecondaryBus;
            UCHAR SubordinateBus;
            UCHAR SecondaryLatency;
            UCHAR IOBase;
            UCHAR IOLimit;
            USHORT SecondaryStatus;
            USHORT MemoryBase;
            USHORT MemoryLimit;
            USHORT PrefetchBase;
            USHORT PrefetchLimit;
            ULONG PrefetchBaseUpper32;
            ULONG PrefetchLimitUpper32;
            USHORT IOBaseUpper16;
            USHORT IOLimitUpper16;
            UCHAR CapabilitiesPtr;
            UCHAR Reserved1[3];
            ULONG ROMBaseAddress;
            UCHAR InterruptLine;
            UCHAR InterruptPin;
            USHORT BridgeControl;
        } type1;
        struct {
            ULONG SocketRegistersBaseAddress;
            UCHAR CapabilitiesPtr;
            UCHAR Reserved;
            USHORT SecondaryStatus;
            UCHAR PrimaryBus;
            UCHAR SecondaryBus;
            UCHAR SubordinateBus;
            UCHAR SecondaryLatency;
            struct { ULONG Base; ULONG Limit; } Range[PCI_TYPE2_ADDRESSES - 1];
            UCHAR InterruptLine;
            UCHAR InterruptPin;
            USHORT BridgeControl;
        } type2;
    } u;
} PCI_COMMON_HEADER, *PPCI_COMMON_HEADER;
typedef struct _PCI_COMMON_CONFIG {
    PCI_COMMON_HEADER;                 /* anonymous (-fms-extensions): its members are this structure's */
    UCHAR DeviceSpecific[192];
} PCI_COMMON_CONFIG, *PPCI_COMMON_CONFIG;
#define PCI_COMMON_HDR_LENGTH (FIELD_OFFSET(PCI_COMMON_CONFIG, DeviceSpecific))
C_ASSERT(sizeof(PCI_COMMON_HEADER) == 64 && sizeof(PCI_COMMON_CONFIG) == 256);
C_ASSERT(FIELD_OFFSET(PCI_COMMON_CONFIG, u.type0.SubVendorID) == 44 && FIELD_OFFSET(PCI_COMMON_CONFIG, u.type0.CapabilitiesPtr) == 52);

/* ---- message-signalled interrupts (StorPortGetMSIInfo) ---- */
typedef struct _MESSAGE_INTERRUPT_INFORMATION {
    ULONG MessageId;
    ULONG MessageData;
    STOR_PHYSICAL_ADDRESS MessageAddress;
    ULONG InterruptVector;
    ULONG InterruptLevel;
    KINTERRUPT_MODE InterruptMode;
} MESSAGE_INTERRUPT_INFORMATION, *PMESSAGE_INTERRUPT_INFORMATION;
C_ASSERT(FIELD_OFFSET(MESSAGE_INTERRUPT_INFORMATION, MessageAddress) == 8 && sizeof(MESSAGE_INTERRUPT_INFORMATION) == 32);

/* ---- the crash-dump stack (SRB_FUNCTION_DUMP_POINTERS) ---- */
#define DUMP_MINIPORT_VERSION_1 0x100
#define DUMP_MINIPORT_VERSION 0x200
#define DUMP_MINIPORT_NAME_LENGTH 15
typedef struct _MINIPORT_DUMP_POINTERS {
    USHORT Version;                    /* DUMP_MINIPORT_VERSION_1 */
    USHORT Size;                       /* sizeof(MINIPORT_DUMP_POINTERS) */
    WCHAR DriverName[DUMP_MINIPORT_NAME_LENGTH];
    struct _ADAPTER_OBJECT *AdapterObject;
    PVOID MappedRegisterBase;
    ULONG CommonBufferSize;            /* bytes, at most 64 KB */
    PVOID MiniportPrivateDumpData;     /* given back as PORT_CONFIGURATION_INFORMATION.MiniportDumpData */
    ULONG SystemIoBusNumber;
    INTERFACE_TYPE AdapterInterfaceType;
    ULONG MaximumTransferLength;
    ULONG NumberOfPhysicalBreaks;
    ULONG AlignmentMask;
    ULONG NumberOfAccessRanges;
    ACCESS_RANGE (*AccessRanges)[];
    UCHAR NumberOfBuses;
    BOOLEAN Master;
    BOOLEAN MapBuffers;
    UCHAR MaximumNumberOfTargets;
} MINIPORT_DUMP_POINTERS, *PMINIPORT_DUMP_POINTERS;
C_ASSERT(FIELD_OFFSET(MINIPORT_DUMP_POINTERS, AdapterObject) == 40 && FIELD_OFFSET(MINIPORT_DUMP_POINTERS, AccessRanges) == 96);
C_ASSERT(sizeof(MINIPORT_DUMP_POINTERS) == 112);
/* More HW_INITIALIZATION_DATA.FeatureSupport bits: a 16-byte aligned device extension in dump mode, Storport sets the
   adapter interface type, the miniport handles SRB_FUNCTION_GET_DUMP_INFO / FREE_DUMP_INFO. */
#define STOR_FEATURE_DUMP_16_BYTE_ALIGNMENT 0x00000400
#define STOR_FEATURE_SET_ADAPTER_INTERFACE_TYPE 0x00000800
#define STOR_FEATURE_DUMP_INFO 0x00001000
/* PORT_CONFIGURATION_INFORMATION.MapBuffers values */
#define STOR_MAP_NO_BUFFERS 0
#define STOR_MAP_ALL_BUFFERS 1
#define STOR_MAP_NON_READ_WRITE_BUFFERS 2
#define STOR_MAP_ALL_BUFFERS_INCLUDING_READ_WRITE 3
/* PORT_CONFIGURATION_INFORMATION.Dma64BitAddresses: 64-bit addresses with no boundary restriction */
#define SCSI_DMA64_MINIPORT_FULL64BIT_SUPPORTED 0x02
#define SCSI_DMA64_MINIPORT_FULL64BIT_NO_BOUNDARY_REQ_SUPPORTED 0x03

/* ---- request information (StorPortGetRequestInfo) ---- */
typedef enum _STOR_IO_PRIORITY_HINT {
    StorIoPriorityVeryLow = 0, StorIoPriorityLow, StorIoPriorityNormal, StorIoPriorityHigh, StorIoPriorityCritical,
    StorIoMaxPriorityTypes
} STOR_IO_PRIORITY_HINT, *PSTOR_IO_PRIORITY_HINT;
#define STOR_REQUEST_INFO_VER_1 1
/* Flags: REQUEST_INFO_*_FLAG (srb.h). */
typedef struct _STOR_REQUEST_INFO_V1 {
    USHORT Version;                    /* STOR_REQUEST_INFO_VER_1 */
    USHORT Size;                       /* sizeof(STOR_REQUEST_INFO) */
    STOR_IO_PRIORITY_HINT PriorityHint;
    ULONG Flags;
    ULONG Key;
    ULONG Length;
    BOOLEAN IsWriteRequest;
    UCHAR Reserved[3];
} STOR_REQUEST_INFO_V1, *PSTOR_REQUEST_INFO_V1;
typedef STOR_REQUEST_INFO_V1 STOR_REQUEST_INFO, *PSTOR_REQUEST_INFO;
C_ASSERT(sizeof(STOR_REQUEST_INFO) == 24 && FIELD_OFFSET(STOR_REQUEST_INFO, IsWriteRequest) == 20);

/* ---- performance options (StorPortInitializePerfOpts) ---- */
#define STOR_PERF_DPC_REDIRECTION 0x00000001
#define STOR_PERF_CONCURRENT_CHANNELS 0x00000002
#define STOR_PERF_INTERRUPT_MESSAGE_RANGES 0x00000004
#define STOR_PERF_ADV_CONFIG_LOCALITY 0x00000008
#define STOR_PERF_OPTIMIZE_FOR_COMPLETION_DURING_STARTIO 0x00000010
#define STOR_PERF_DPC_REDIRECTION_CURRENT_CPU 0x00000020
#define STOR_PERF_NO_SGL 0x00000040
#define STOR_PERF_VERSION 0x00000005
typedef struct _PERF_CONFIGURATION_DATA {
    ULONG Version;                     /* STOR_PERF_VERSION (selects which Flags are understood) */
    ULONG Size;                        /* sizeof(PERF_CONFIGURATION_DATA) */
    ULONG Flags;                       /* STOR_PERF_* */
    ULONG ConcurrentChannels;
    ULONG FirstRedirectionMessageNumber;
    ULONG LastRedirectionMessageNumber;
    ULONG DeviceNode;
    ULONG Reserved;
    PGROUP_AFFINITY MessageTargets;
} PERF_CONFIGURATION_DATA, *PPERF_CONFIGURATION_DATA;
C_ASSERT(FIELD_OFFSET(PERF_CONFIGURATION_DATA, MessageTargets) == 32 && sizeof(PERF_CONFIGURATION_DATA) == 40);

/* ---- runtime power management (PoFx) ---- */
#define STOR_POFX_UNKNOWN_POWER 0xFFFFFFFF
#define STOR_POFX_UNKNOWN_TIME 0xFFFFFFFFFFFFFFFFULL
/* One F-state of a component: its latency and residency in 100 ns, its power in microwatts. */
typedef struct _STOR_POFX_COMPONENT_IDLE_STATE {
    ULONG Version;                     /* STOR_POFX_COMPONENT_IDLE_STATE_VERSION_V1 */
    ULONG Size;                        /* STOR_POFX_COMPONENT_IDLE_STATE_SIZE */
    ULONGLONG TransitionLatency;
    ULONGLONG ResidencyRequirement;
    ULONG NominalPower;                /* STOR_POFX_UNKNOWN_POWER when not known */
} STOR_POFX_COMPONENT_IDLE_STATE, *PSTOR_POFX_COMPONENT_IDLE_STATE;
#define STOR_POFX_COMPONENT_IDLE_STATE_VERSION_V1 1
#define STOR_POFX_COMPONENT_IDLE_STATE_SIZE sizeof(STOR_POFX_COMPONENT_IDLE_STATE)
C_ASSERT(sizeof(STOR_POFX_COMPONENT_IDLE_STATE) == 32);

/* A component (the adapter's or a unit's) and its FStateCount F-states. Size is the offset of FStates. */
typedef struct _STOR_POFX_COMPONENT {
    ULONG Version;                     /* STOR_POFX_COMPONENT_VERSION_V1 */
    ULONG Size;                        /* STOR_POFX_COMPONENT_SIZE */
    ULONG FStateCount;
    ULONG DeepestWakeableFState;
    GUID Id;                           /* STORPORT_POFX_ADAPTER_GUID or STORPORT_POFX_LUN_GUID */
    STOR_POFX_COMPONENT_IDLE_STATE FStates[ANYSIZE_ARRAY];
} STOR_POFX_COMPONENT, *PSTOR_POFX_COMPONENT;
#define STOR_POFX_COMPONENT_VERSION_V1 1
#define STOR_POFX_COMPONENT_SIZE ((ULONG)FIELD_OFFSET(STOR_POFX_COMPONENT, FStates))
C_ASSERT(FIELD_OFFSET(STOR_POFX_COMPONENT, FStates) == 32 && sizeof(STOR_POFX_COMPONENT) == 64);

typedef struct _STOR_POFX_COMPONENT_V2 {
    ULONG Version;                     /* STOR_POFX_COMPONENT_VERSION_V2 */
    ULONG Size;                        /* STOR_POFX_COMPONENT_V2_SIZE */
    ULONG FStateCount;
    ULONG DeepestWakeableFState;
    GUID Id;
    ULONG DeepestAdapterPowerRequiredFState;
    ULONG DeepestCrashDumpReadyFState;
    STOR_POFX_COMPONENT_IDLE_STATE FStates[ANYSIZE_ARRAY];
} STOR_POFX_COMPONENT_V2, *PSTOR_POFX_COMPONENT_V2;
#define STOR_POFX_COMPONENT_VERSION_V2 2
#define STOR_POFX_COMPONENT_V2_SIZE ((ULONG)FIELD_OFFSET(STOR_POFX_COMPONENT_V2, FStates))
C_ASSERT(FIELD_OFFSET(STOR_POFX_COMPONENT_V2, FStates) == 40 && sizeof(STOR_POFX_COMPONENT_V2) == 72);

/* The adapter's or a unit's power description (StorPortInitializePoFxPower): Flags are STOR_POFX_DEVICE_FLAG_*;
   the V2 and V3 forms add idle time-outs in milliseconds. Each Size is the offset of Components. */
#define STOR_POFX_DEVICE_FLAG_NO_D0 0x01
#define STOR_POFX_DEVICE_FLAG_NO_D3 0x02
#define STOR_POFX_DEVICE_FLAG_ENABLE_D3_COLD 0x04
#define STOR_POFX_DEVICE_FLAG_NO_DUMP_ACTIVE 0x08
#define STOR_POFX_DEVICE_FLAG_IDLE_TIMEOUT 0x10
#define STOR_POFX_DEVICE_FLAG_ADAPTIVE_D3_IDLE_TIMEOUT 0x20
#define STOR_POFX_DEVICE_FLAG_NO_UNIT_REGISTRATION 0x40
#define STOR_POFX_DEVICE_FLAG_PERF_STATE_PEP_OPTIONAL 0x80
#define STOR_POFX_DEVICE_FLAG_NO_IDLE_DEBOUNCE 0x100
#define STOR_POFX_DEVICE_FLAG_DUMP_ALWAYS_POWER_ON 0x200
#define STOR_POFX_DEVICE_FLAG_DISABLE_INTERRUPTS_ON_D3 0x400
#define STOR_POFX_DEVICE_FLAG_ADAPTER_D3_WAKE 0x800
#define STOR_POFX_DEVICE_FLAG_GET_PERF_STATE_FROM_PEP 0x1000
typedef struct _STOR_POFX_DEVICE {
    ULONG Version;                     /* STOR_POFX_DEVICE_VERSION_V1 */
    ULONG Size;                        /* STOR_POFX_DEVICE_SIZE */
    ULONG ComponentCount;              /* 1 */
    ULONG Flags;
    STOR_POFX_COMPONENT Components[ANYSIZE_ARRAY];
} STOR_POFX_DEVICE, *PSTOR_POFX_DEVICE;
#define STOR_POFX_DEVICE_VERSION_V1 1
#define STOR_POFX_DEVICE_SIZE ((ULONG)FIELD_OFFSET(STOR_POFX_DEVICE, Components))
C_ASSERT(FIELD_OFFSET(STOR_POFX_DEVICE, Components) == 16 && sizeof(STOR_POFX_DEVICE) == 80);

typedef struct _STOR_POFX_DEVICE_V2 {
    ULONG Version;                     /* STOR_POFX_DEVICE_VERSION_V2 */
    ULONG Size;                        /* STOR_POFX_DEVICE_V2_SIZE */
    ULONG ComponentCount;
    ULONG Flags;
    union {
        ULONG UnitMinIdleTimeoutInMS;
        ULONG AdapterIdleTimeoutInMS;
    };
    STOR_POFX_COMPONENT Components[ANYSIZE_ARRAY];
} STOR_POFX_DEVICE_V2, *PSTOR_POFX_DEVICE_V2;
#define STOR_POFX_DEVICE_VERSION_V2 2
#define STOR_POFX_DEVICE_V2_SIZE ((ULONG)FIELD_OFFSET(STOR_POFX_DEVICE_V2, Components))
C_ASSERT(FIELD_OFFSET(STOR_POFX_DEVICE_V2, Components) == 24 && sizeof(STOR_POFX_DEVICE_V2) == 88);

typedef struct _STOR_POFX_DEVICE_V3 {
    ULONG Version;                     /* STOR_POFX_DEVICE_VERSION_V3 */
    ULONG Size;                        /* STOR_POFX_DEVICE_V3_SIZE */
    ULONG ComponentCount;
    ULONG Flags;
    union {
        ULONG UnitMinIdleTimeoutInMS;
        ULONG AdapterIdleTimeoutInMS;
    };
    ULONG MinimumPowerCyclePeriodInMS;
    STOR_POFX_COMPONENT Components[ANYSIZE_ARRAY];
} STOR_POFX_DEVICE_V3, *PSTOR_POFX_DEVICE_V3;
#define STOR_POFX_DEVICE_VERSION_V3 3
#define STOR_POFX_DEVICE_V3_SIZE ((ULONG)FIELD_OFFSET(STOR_POFX_DEVICE_V3, Components))
C_ASSERT(FIELD_OFFSET(STOR_POFX_DEVICE_V3, Components) == 24 && sizeof(STOR_POFX_DEVICE_V3) == 88);

/* The component IDs Storport knows: the adapter's and a unit's. */
static const GUID STORPORT_POFX_ADAPTER_GUID = { 0xdcaf9c10, 0x895f, 0x481f, { 0xa4, 0x92, 0xd4, 0xce, 0xd2, 0xf5, 0x56, 0x33 } };
static const GUID STORPORT_POFX_LUN_GUID = { 0x585d326b, 0x0b3a, 0x4088, { 0x89, 0x39, 0x88, 0xb0, 0x0f, 0x69, 0x58, 0xbe } };
/* StorPortIsDeviceOperationAllowed: may the miniport initialise from settings it cached? */
static const GUID STORPORT_DEVICEOPERATION_CACHED_SETTINGS_INIT_GUID = { 0x2b9443ac, 0xf89b, 0x48e8, { 0xb2, 0x92, 0x2c, 0xb6, 0xc9, 0x6e, 0xfd, 0x5a } };

/* What the adapter- and unit-control parameters below start with: their version and size, and the unit's address
   (NULL for the adapter). */
typedef struct _STOR_POWER_CONTROL_HEADER {
    ULONG Version;
    ULONG Size;
    PSTOR_ADDRESS Address;
} STOR_POWER_CONTROL_HEADER, *PSTOR_POWER_CONTROL_HEADER;
C_ASSERT(sizeof(STOR_POWER_CONTROL_HEADER) == 16);
/* ScsiAdapterPoFxPowerActive / ScsiUnitPoFxPowerActive: the component became active (TRUE) or idle. */
typedef struct _STOR_POFX_ACTIVE_CONTEXT {
    STOR_POWER_CONTROL_HEADER Header;
    ULONG ComponentIndex;
    BOOLEAN Active;
} STOR_POFX_ACTIVE_CONTEXT, *PSTOR_POFX_ACTIVE_CONTEXT;
C_ASSERT(FIELD_OFFSET(STOR_POFX_ACTIVE_CONTEXT, Active) == 20 && sizeof(STOR_POFX_ACTIVE_CONTEXT) == 24);
/* ScsiAdapterPoFxPowerSetFState / ScsiUnitPoFxPowerSetFState: put the component in F-state FState. */
typedef struct _STOR_POFX_FSTATE_CONTEXT {
    STOR_POWER_CONTROL_HEADER Header;
    ULONG ComponentIndex;
    ULONG FState;
} STOR_POFX_FSTATE_CONTEXT, *PSTOR_POFX_FSTATE_CONTEXT;
C_ASSERT(sizeof(STOR_POFX_FSTATE_CONTEXT) == 24);
/* ScsiUnitPoFxPowerInfo: whether idle power management is enabled for the unit. */
typedef struct _STOR_POFX_UNIT_POWER_INFO {
    STOR_POWER_CONTROL_HEADER Header;
    BOOLEAN IdlePowerEnabled;
} STOR_POFX_UNIT_POWER_INFO, *PSTOR_POFX_UNIT_POWER_INFO;
C_ASSERT(sizeof(STOR_POFX_UNIT_POWER_INFO) == 24);

/* ScsiAdapterPower: the adapter's new device power state and the system action behind it. */
typedef struct _STOR_ADAPTER_CONTROL_POWER {
    STOR_POWER_CONTROL_HEADER Header;
    STOR_POWER_ACTION PowerAction;
    STOR_DEVICE_POWER_STATE PowerState;
} STOR_ADAPTER_CONTROL_POWER, *PSTOR_ADAPTER_CONTROL_POWER;
C_ASSERT(sizeof(STOR_ADAPTER_CONTROL_POWER) == 24);
/* ScsiUnitPower: the same for the unit at Address. */
typedef struct _STOR_UNIT_CONTROL_POWER {
    PSTOR_ADDRESS Address;
    STOR_POWER_ACTION PowerAction;
    STOR_DEVICE_POWER_STATE PowerState;
} STOR_UNIT_CONTROL_POWER, *PSTOR_UNIT_CONTROL_POWER;
C_ASSERT(sizeof(STOR_UNIT_CONTROL_POWER) == 16);

/* ScsiAdapterSystemPowerHints: how much power the system may use, and how long a resume may take (ms). */
typedef enum _RAID_SYSTEM_POWER {
    RaidSystemPowerUnknown = 0, RaidSystemPowerLowest, RaidSystemPowerLow, RaidSystemPowerMedium, RaidSystemPowerHigh
} RAID_SYSTEM_POWER, *PRAID_SYSTEM_POWER;
typedef struct _STOR_SYSTEM_POWER_HINTS {
    ULONG Version;
    ULONG Size;
    RAID_SYSTEM_POWER SystemPower;
    ULONG ResumeLatencyMSec;
} STOR_SYSTEM_POWER_HINTS, *PSTOR_SYSTEM_POWER_HINTS;
C_ASSERT(sizeof(STOR_SYSTEM_POWER_HINTS) == 16);

/* ScsiPowerSettingNotification: a registered power setting (StorPortSetPowerSettingNotificationGuids) changed. */
typedef struct _STOR_POWER_SETTING_INFO {
    GUID PowerSettingGuid;
    PVOID Value;
    ULONG ValueLength;
} STOR_POWER_SETTING_INFO, *PSTOR_POWER_SETTING_INFO;
C_ASSERT(FIELD_OFFSET(STOR_POWER_SETTING_INFO, Value) == 16 && sizeof(STOR_POWER_SETTING_INFO) == 32);

/* StorQueryCapabilities (SRB_FUNCTION_PNP): what the unit reports, in its DataBuffer. */
#define STOR_DEVICE_CAPABILITIES_EX_VERSION_1 1
typedef struct _STOR_DEVICE_CAPABILITIES_EX {
    USHORT Version;                    /* STOR_DEVICE_CAPABILITIES_EX_VERSION_1 */
    USHORT Size;                       /* sizeof(STOR_DEVICE_CAPABILITIES_EX) */
    ULONG DeviceD1 : 1;
    ULONG DeviceD2 : 1;
    ULONG LockSupported : 1;
    ULONG EjectSupported : 1;
    ULONG Removable : 1;
    ULONG DockDevice : 1;
    ULONG UniqueID : 1;
    ULONG SilentInstall : 1;
    ULONG RawDeviceOK : 1;
    ULONG SurpriseRemovalOK : 1;
    ULONG NoDisplayInUI : 1;
    ULONG DefaultWriteCacheEnabled : 1;
    ULONG Reserved0 : 20;
    ULONG Address;
    ULONG UINumber;
    ULONG Reserved1[2];
} STOR_DEVICE_CAPABILITIES_EX, *PSTOR_DEVICE_CAPABILITIES_EX;
C_ASSERT(FIELD_OFFSET(STOR_DEVICE_CAPABILITIES_EX, Address) == 8 && sizeof(STOR_DEVICE_CAPABILITIES_EX) == 24);

/* StorPortSetUnitAttributes */
typedef struct _STOR_UNIT_ATTRIBUTES {
    ULONG DeviceAttentionSupported : 1;
    ULONG AsyncNotificationSupported : 1;
    ULONG D3ColdNotSupported : 1;
    ULONG Reserved : 29;
} STOR_UNIT_ATTRIBUTES, *PSTOR_UNIT_ATTRIBUTES;
C_ASSERT(sizeof(STOR_UNIT_ATTRIBUTES) == 4);

/* ---- state changes and work items: the miniport's callbacks ---- */
/* StorPortStateChangeDetected's ChangedEntity */
#define STATE_CHANGE_LUN 0x1
#define STATE_CHANGE_TARGET 0x2
#define STATE_CHANGE_BUS 0x4
/* Called when Storport has handled a state change: AddressType is STOR_ADDRESS_TYPE_*, Status a STOR_STATUS_*. */
typedef VOID HW_STATE_CHANGE(PVOID HwDeviceExtension, PVOID Context, SHORT AddressType, PVOID Address, ULONG Status);
typedef HW_STATE_CHANGE *PHW_STATE_CHANGE;
/* A work item's routine: PASSIVE_LEVEL, no port lock; Worker is the handle StorPortInitializeWorker gave. */
typedef VOID HW_WORKITEM(PVOID HwDeviceExtension, PVOID Context, PVOID Worker);
typedef HW_WORKITEM *PHW_WORKITEM;

/* StorPortRegistryRead/Write*'s value types */
#define MINIPORT_REG_SZ 1
#define MINIPORT_REG_BINARY 3
#define MINIPORT_REG_DWORD 4
#define MINIPORT_REG_MULTI_SZ 7

/* ---- ETW events and telemetry ---- */
typedef enum _STORPORT_ETW_LEVEL {
    StorportEtwLevelLogAlways = 0,
    StorportEtwLevelCritical = 1,
    StorportEtwLevelError = 2,
    StorportEtwLevelWarning = 3,
    StorportEtwLevelInformational = 4,
    StorportEtwLevelVerbose = 5,
    StorportEtwLevelMax = StorportEtwLevelVerbose
} STORPORT_ETW_LEVEL, *PSTORPORT_ETW_LEVEL;
/* The keyword bits of an event; OR them. */
#define STORPORT_ETW_EVENT_KEYWORD_IO 0x01
#define STORPORT_ETW_EVENT_KEYWORD_PERFORMANCE 0x02
#define STORPORT_ETW_EVENT_KEYWORD_POWER 0x04
#define STORPORT_ETW_EVENT_KEYWORD_ENUMERATION 0x08
#define STORPORT_ETW_EVENT_KEYWORD_COMMAND_TRACE 0x10
typedef enum _STORPORT_ETW_EVENT_OPCODE {
    StorportEtwEventOpcodeInfo = 0,
    StorportEtwEventOpcodeStart = 1,
    StorportEtwEventOpcodeStop = 2,
    StorportEtwEventOpcodeDC_Start = 3,
    StorportEtwEventOpcodeDC_Stop = 4,
    StorportEtwEventOpcodeExtension = 5,
    StorportEtwEventOpcodeReply = 6,
    StorportEtwEventOpcodeResume = 7,
    StorportEtwEventOpcodeSuspend = 8,
    StorportEtwEventOpcodeSend = 9,
    StorportEtwEventOpcodeReceive = 240
} STORPORT_ETW_EVENT_OPCODE, *PSTORPORT_ETW_EVENT_OPCODE;
typedef enum _STORPORT_ETW_EVENT_CHANNEL {
    StorportEtwEventDiagnostic = 0,
    StorportEtwEventOperational = 1,
    StorportEtwEventHealth = 2
} STORPORT_ETW_EVENT_CHANNEL, *PSTORPORT_ETW_EVENT_CHANNEL;

/* StorPortLogTelemetry's event: eight named values and a buffer of at most EVENT_BUFFER_MAX_LENGTH bytes. */
#define EVENT_NAME_MAX_LENGTH 32
#define EVENT_MAX_PARAM_NAME_LEN 32
#define EVENT_BUFFER_MAX_LENGTH 4096
typedef struct _STORPORT_TELEMETRY_EVENT {
    ULONG DriverVersion;
    ULONG EventId;
    UCHAR EventName[EVENT_NAME_MAX_LENGTH];
    ULONG EventVersion;
    ULONG Flags;
    ULONG EventBufferLength;
    PUCHAR EventBuffer;
    UCHAR ParameterName0[EVENT_MAX_PARAM_NAME_LEN];
    ULONGLONG ParameterValue0;
    UCHAR ParameterName1[EVENT_MAX_PARAM_NAME_LEN];
    ULONGLONG ParameterValue1;
    UCHAR ParameterName2[EVENT_MAX_PARAM_NAME_LEN];
    ULONGLONG ParameterValue2;
    UCHAR ParameterName3[EVENT_MAX_PARAM_NAME_LEN];
    ULONGLONG ParameterValue3;
    UCHAR ParameterName4[EVENT_MAX_PARAM_NAME_LEN];
    ULONGLONG ParameterValue4;
    UCHAR ParameterName5[EVENT_MAX_PARAM_NAME_LEN];
    ULONGLONG ParameterValue5;
    UCHAR ParameterName6[EVENT_MAX_PARAM_NAME_LEN];
    ULONGLONG ParameterValue6;
    UCHAR ParameterName7[EVENT_MAX_PARAM_NAME_LEN];
    ULONGLONG ParameterValue7;
} STORPORT_TELEMETRY_EVENT, *PSTORPORT_TELEMETRY_EVENT;
C_ASSERT(FIELD_OFFSET(STORPORT_TELEMETRY_EVENT, EventBuffer) == 56 && FIELD_OFFSET(STORPORT_TELEMETRY_EVENT, ParameterValue0) == 96);
C_ASSERT(sizeof(STORPORT_TELEMETRY_EVENT) == 384);

/* ---- the routines (IRQL and status per each page; STOR_STATUS_* unless said otherwise) ---- */

/* Memory the device and the processor share, from HwStorFindAdapter only: NumberOfBytes, uncached, physically
   contiguous; NULL on failure. PASSIVE_LEVEL. */
PVOID StorPortGetUncachedExtension(PVOID HwDeviceExtension, PPORT_CONFIGURATION_INFORMATION ConfigInfo, ULONG NumberOfBytes);
/* The physical address of VirtualAddress (inside the uncached extension, or Srb's data buffer when Srb is given);
   *Length gets the bytes physically contiguous from there. Any IRQL. */
STOR_PHYSICAL_ADDRESS StorPortGetPhysicalAddress(PVOID HwDeviceExtension, PSCSI_REQUEST_BLOCK Srb, PVOID VirtualAddress, ULONG *Length);
/* Srb's data buffer as a scatter-gather list (physical addresses), or NULL when it has none. DISPATCH_LEVEL or below. */
PSTOR_SCATTER_GATHER_LIST StorPortGetScatterGatherList(PVOID DeviceExtension, PSCSI_REQUEST_BLOCK Srb);
/* Maps NumberOfBytes of a bus-relative address range (one of the adapter's access ranges) into system space; the
   register address to pass to StorPortRead/Write*, or NULL. PASSIVE_LEVEL (HwStorFindAdapter). */
PVOID StorPortGetDeviceBase(PVOID HwDeviceExtension, INTERFACE_TYPE BusType, ULONG SystemIoBusNumber, STOR_PHYSICAL_ADDRESS IoAddress, ULONG NumberOfBytes, BOOLEAN InIoSpace);
/* Reads up to Length bytes of the slot's bus data (BusDataType: PCIConfiguration) into Buffer; returns the bytes read,
   0 when the slot is empty. PASSIVE_LEVEL (HwStorFindAdapter, ScsiSetRunningConfig). */
ULONG StorPortGetBusData(PVOID DeviceExtension, ULONG BusDataType, ULONG SystemIoBusNumber, ULONG SlotNumber, PVOID Buffer, ULONG Length);
/* Writes Length bytes from Buffer at Offset into the slot's bus data; returns the bytes written. PASSIVE_LEVEL. */
ULONG StorPortSetBusDataByOffset(PVOID DeviceExtension, ULONG BusDataType, ULONG SystemIoBusNumber, ULONG SlotNumber, PVOID Buffer, ULONG Offset, ULONG Length);

/* Device registers and ports (addresses from StorPortGetDeviceBase): one access each, in the width named; the Buffer
   forms move Count values between the register and Buffer. Any IRQL. */
UCHAR StorPortReadRegisterUchar(PVOID HwDeviceExtension, PUCHAR Register);
USHORT StorPortReadRegisterUshort(PVOID HwDeviceExtension, PUSHORT Register);
ULONG StorPortReadRegisterUlong(PVOID HwDeviceExtension, PULONG Register);
VOID StorPortWriteRegisterUchar(PVOID HwDeviceExtension, PUCHAR Register, UCHAR Value);
VOID StorPortWriteRegisterUshort(PVOID HwDeviceExtension, PUSHORT Register, USHORT Value);
VOID StorPortWriteRegisterUlong(PVOID HwDeviceExtension, PULONG Register, ULONG Value);
VOID StorPortReadRegisterBufferUchar(PVOID HwDeviceExtension, PUCHAR Register, PUCHAR Buffer, ULONG Count);
VOID StorPortReadRegisterBufferUshort(PVOID HwDeviceExtension, PUSHORT Register, PUSHORT Buffer, ULONG Count);
VOID StorPortReadRegisterBufferUlong(PVOID HwDeviceExtension, PULONG Register, PULONG Buffer, ULONG Count);
VOID StorPortWriteRegisterBufferUchar(PVOID HwDeviceExtension, PUCHAR Register, PUCHAR Buffer, ULONG Count);
VOID StorPortWriteRegisterBufferUshort(PVOID HwDeviceExtension, PUSHORT Register, PUSHORT Buffer, ULONG Count);
VOID StorPortWriteRegisterBufferUlong(PVOID HwDeviceExtension, PULONG Register, PULONG Buffer, ULONG Count);
UCHAR StorPortReadPortUchar(PVOID HwDeviceExtension, PUCHAR Port);
USHORT StorPortReadPortUshort(PVOID HwDeviceExtension, PUSHORT Port);
ULONG StorPortReadPortUlong(PVOID HwDeviceExtension, PULONG Port);
VOID StorPortWritePortUchar(PVOID HwDeviceExtension, PUCHAR Port, UCHAR Value);
VOID StorPortWritePortUshort(PVOID HwDeviceExtension, PUSHORT Port, USHORT Value);
VOID StorPortWritePortUlong(PVOID HwDeviceExtension, PULONG Port, ULONG Value);

/* Copies Length bytes (the regions may overlap for Move, not for Copy). Any IRQL. */
VOID StorPortCopyMemory(PVOID WriteBuffer, PVOID ReadBuffer, ULONG Length);
VOID StorPortMoveMemory(PVOID WriteBuffer, PVOID ReadBuffer, ULONG Length);
/* The physical address with the given value (zero-extended). Any IRQL. */
STOR_PHYSICAL_ADDRESS StorPortConvertUlongToPhysicalAddress(ULONG_PTR UlongAddress);

/* The unit, target or bus at Address (ChangedEntity: STATE_CHANGE_*) changed state; Storport re-enumerates and then
   calls HwStateChangeDetectedCallback (optional). ULONG status. DISPATCH_LEVEL or below. */
ULONG StorPortStateChangeDetected(PVOID HwDeviceExtension, ULONG ChangedEntity, PSTOR_ADDRESS Address, ULONG Attributes, PHW_STATE_CHANGE HwStateChangeDetectedCallback, PVOID HwStateChangeDetectedContext);
/* Asynchronous media or device status (RAID_ASYNC_NOTIFY_FLAG_*) for the unit at Address. DISPATCH_LEVEL or below. */
ULONG StorPortAsyncNotificationDetected(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, ULONGLONG Flags);
ULONG StorPortSetUnitAttributes(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, STOR_UNIT_ATTRIBUTES Attributes);
/* The unit at Address failed (Flags: STOR_DEVICE_FAILURE_REASON_*; FailReason: text for the event log, optional).
   DISPATCH_LEVEL or below. */
ULONG StorPortMarkDeviceFailed(PVOID HwDeviceExtension, PSTOR_ADDRESS StorAddress, ULONG Flags, PWSTR FailReason);
/* Queue depth and flow control of one unit (BOOLEAN: TRUE when done). Per the pages: DISPATCH_LEVEL or below. */
BOOLEAN StorPortSetDeviceQueueDepth(PVOID HwDeviceExtension, UCHAR PathId, UCHAR TargetId, UCHAR Lun, ULONG Depth);
BOOLEAN StorPortDeviceBusy(PVOID HwDeviceExtension, UCHAR PathId, UCHAR TargetId, UCHAR Lun, ULONG RequestsToComplete);
BOOLEAN StorPortDeviceReady(PVOID HwDeviceExtension, UCHAR PathId, UCHAR TargetId, UCHAR Lun);
BOOLEAN StorPortPauseDevice(PVOID HwDeviceExtension, UCHAR PathId, UCHAR TargetId, UCHAR Lun, ULONG TimeOut); /* seconds */
BOOLEAN StorPortResumeDevice(PVOID HwDeviceExtension, UCHAR PathId, UCHAR TargetId, UCHAR Lun);
BOOLEAN StorPortBusy(PVOID HwDeviceExtension, ULONG RequestsToComplete);
BOOLEAN StorPortReady(PVOID HwDeviceExtension);
/* Completes every outstanding request of the path/target/LUN (0xFF: all) with SrbStatus. DISPATCH_LEVEL or below. */
VOID StorPortCompleteRequest(PVOID HwDeviceExtension, UCHAR PathId, UCHAR TargetId, UCHAR Lun, UCHAR SrbStatus);

/* Work items: a handle (StorPortInitializeWorker), queued with a routine that runs at PASSIVE_LEVEL
   (StorPortQueueWorkItem), freed when no longer queued (StorPortFreeWorker). DISPATCH_LEVEL or below. */
ULONG StorPortInitializeWorker(PVOID HwDeviceExtension, PVOID *Worker);
ULONG StorPortQueueWorkItem(PVOID HwDeviceExtension, PHW_WORKITEM WorkItemCallback, PVOID Worker, PVOID Context);
ULONG StorPortFreeWorker(PVOID HwDeviceExtension, PVOID Worker);

/* Message-signalled interrupts: the message's information, and its lock (OldIrql: what Release restores). */
ULONG StorPortGetMSIInfo(PVOID HwDeviceExtension, ULONG MessageId, PMESSAGE_INTERRUPT_INFORMATION InterruptInfo);
ULONG StorPortAcquireMSISpinLock(PVOID HwDeviceExtension, ULONG MessageId, PULONG OldIrql);
ULONG StorPortReleaseMSISpinLock(PVOID HwDeviceExtension, ULONG MessageId, ULONG OldIrql);

/* Runtime power: registers the adapter (Address NULL) or a unit with PoFx; *D3ColdEnabled says whether D3cold was
   enabled. PASSIVE_LEVEL. Activate/Idle take and drop a reference on component Component (Srb: the request that needs
   it, optional). DISPATCH_LEVEL or below. */
ULONG StorPortInitializePoFxPower(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, PSTOR_POFX_DEVICE Device, PBOOLEAN D3ColdEnabled);
ULONG StorPortPoFxActivateComponent(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, PSCSI_REQUEST_BLOCK Srb, ULONG Component, ULONG Flags);
ULONG StorPortPoFxIdleComponent(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, PSCSI_REQUEST_BLOCK Srb, ULONG Component, ULONG Flags);
/* Whether the platform supports D3cold for the adapter (Address NULL) or unit. PASSIVE_LEVEL. */
ULONG StorPortGetD3ColdSupport(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, PBOOLEAN Supported);
/* Registers GuidCount power-setting GUIDs for ScsiPowerSettingNotification. PASSIVE_LEVEL (HwStorPassiveInitialize). */
ULONG StorPortSetPowerSettingNotificationGuids(PVOID HwDeviceExtension, ULONG GuidCount, LPGUID Guid);

/* Pool: NumberOfBytes of non-paged memory tagged Tag into *BufferPointer (not zeroed). DISPATCH_LEVEL or below. */
ULONG StorPortAllocatePool(PVOID HwDeviceExtension, ULONG NumberOfBytes, ULONG Tag, PVOID *BufferPointer);
ULONG StorPortFreePool(PVOID HwDeviceExtension, PVOID BufferPointer);
/* DMA memory: NumberOfBytes between the two addresses, not crossing a BoundaryAddressMultiple (0: none), cached as
   CacheType, on node PreferredNode (MM_ANY_NODE_OK); the virtual address into *BufferPointer, the physical one into
   *PhysicalAddress. PASSIVE_LEVEL. */
ULONG StorPortAllocateDmaMemory(PVOID HwDeviceExtension, SIZE_T NumberOfBytes, PHYSICAL_ADDRESS LowestAcceptableAddress, PHYSICAL_ADDRESS HighestAcceptableAddress, PHYSICAL_ADDRESS BoundaryAddressMultiple, MEMORY_CACHING_TYPE CacheType, ULONG PreferredNode, PVOID *BufferPointer, PPHYSICAL_ADDRESS PhysicalAddress);
ULONG StorPortFreeDmaMemory(PVOID HwDeviceExtension, PVOID BaseAddress, SIZE_T NumberOfBytes, MEMORY_CACHING_TYPE CacheType, PHYSICAL_ADDRESS PhysicalAddress);
/* Memory the dump stack must keep: Length bytes at Address (HwStorFindAdapter with DumpMode DUMP_MODE_MARK_MEMORY). */
ULONG StorPortMarkDumpMemory(PVOID HwDeviceExtension, PVOID Address, ULONG_PTR Length, ULONG Flags);

/* The adapter's registry key (Parameters\Device, or its SubKeyName subkey): ValueType MINIPORT_REG_*; Read allocates
   *ValueData when it is NULL (free with StorPortFreeRegistryBuffer) and sets *ValueDataLength. PASSIVE_LEVEL. */
ULONG StorPortRegistryReadAdapterKey(PVOID HwDeviceExtension, PUCHAR SubKeyName, PUCHAR ValueName, ULONG ValueType, PVOID *ValueData, PULONG ValueDataLength);
ULONG StorPortRegistryWriteAdapterKey(PVOID HwDeviceExtension, PUCHAR SubKeyName, PUCHAR ValueName, ULONG ValueType, PVOID ValueData, ULONG ValueDataLength);
/* The driver's Parameters key (Global) or the adapter's Device key: BOOLEAN TRUE when done. PASSIVE_LEVEL. */
BOOLEAN StorPortRegistryRead(PVOID HwDeviceExtension, PUCHAR ValueName, ULONG Global, ULONG Type, PUCHAR Buffer, PULONG BufferLength);
BOOLEAN StorPortRegistryWrite(PVOID HwDeviceExtension, PUCHAR ValueName, ULONG Global, ULONG Type, PUCHAR Buffer, ULONG BufferLength);

/* Evaluates the ACPI method MethodName (four characters) of the adapter (Address NULL) or unit with an
   ACPI_EVAL_INPUT_BUFFER* (acpiioct.h); the ACPI_EVAL_OUTPUT_BUFFER and *BytesReturned come back. PASSIVE_LEVEL. */
ULONG StorPortInvokeAcpiMethod(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, ULONG MethodName, PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer, ULONG OutputBufferLength, PULONG BytesReturned);
/* Query (TRUE): which STOR_PERF_* Storport supports, into PerfConfigData->Flags; else enables the ones asked for.
   HwStorInitialize or HwStorPassiveInitializeRoutine. */
ULONG StorPortInitializePerfOpts(PVOID HwDeviceExtension, BOOLEAN Query, PPERF_CONFIGURATION_DATA PerfConfigData);
/* The I/O request behind Srb (priority, flags, key, length). Any IRQL. */
ULONG StorPortGetRequestInfo(PVOID HwDeviceExtension, PSCSI_REQUEST_BLOCK Srb, PSTOR_REQUEST_INFO RequestInfo);
/* The ETW activity ID of Srb's request. Any IRQL. */
ULONG StorPortGetActivityIdSrb(PVOID HwDeviceExtension, PSCSI_REQUEST_BLOCK Srb, LPGUID ActivityId);
/* The system port number of the unit at Address (STOR_ADDRESS.Port). */
ULONG StorPortGetSystemPortNumber(PVOID HwDeviceExtension, PSTOR_ADDRESS Address);
/* Whether a device operation (a STORPORT_DEVICEOPERATION_*_GUID) is allowed for the adapter or unit: *AllowedFlag. */
ULONG StorPortIsDeviceOperationAllowed(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, LPCGUID DeviceOperation, ULONG *AllowedFlag);
/* The performance counter (*PerformanceCounter) and its frequency in Hz (*PerformanceFrequency, optional). Any IRQL. */
ULONG StorPortQueryPerformanceCounter(PVOID HwDeviceExtension, PLARGE_INTEGER PerformanceFrequency, PLARGE_INTEGER PerformanceCounter);

/* ETW events of the adapter (Address NULL) or a unit: an event ID, a description, keywords (STORPORT_ETW_EVENT_KEYWORD_*),
   a level and an opcode, an optional request, and two, four or eight named 64-bit values; the Channel forms name the
   channel too. DISPATCH_LEVEL or below. */
ULONG StorPortEtwEvent2(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value);
ULONG StorPortEtwEvent4(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value, PWSTR Parameter3Name, ULONGLONG Parameter3Value, PWSTR Parameter4Name, ULONGLONG Parameter4Value);
ULONG StorPortEtwEvent8(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value, PWSTR Parameter3Name, ULONGLONG Parameter3Value, PWSTR Parameter4Name, ULONGLONG Parameter4Value, PWSTR Parameter5Name, ULONGLONG Parameter5Value, PWSTR Parameter6Name, ULONGLONG Parameter6Value, PWSTR Parameter7Name, ULONGLONG Parameter7Value, PWSTR Parameter8Name, ULONGLONG Parameter8Value);
ULONG StorPortEtwChannelEvent2(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, STORPORT_ETW_EVENT_CHANNEL EventChannel, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value);
ULONG StorPortEtwChannelEvent4(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, STORPORT_ETW_EVENT_CHANNEL EventChannel, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value, PWSTR Parameter3Name, ULONGLONG Parameter3Value, PWSTR Parameter4Name, ULONGLONG Parameter4Value);
ULONG StorPortEtwChannelEvent8(PVOID HwDeviceExtension, PSTOR_ADDRESS Address, STORPORT_ETW_EVENT_CHANNEL EventChannel, ULONG EventId, PWSTR EventDescription, ULONGLONG EventKeywords, STORPORT_ETW_LEVEL EventLevel, STORPORT_ETW_EVENT_OPCODE EventOpcode, PSCSI_REQUEST_BLOCK Srb, PWSTR Parameter1Name, ULONGLONG Parameter1Value, PWSTR Parameter2Name, ULONGLONG Parameter2Value, PWSTR Parameter3Name, ULONGLONG Parameter3Value, PWSTR Parameter4Name, ULONGLONG Parameter4Value, PWSTR Parameter5Name, ULONGLONG Parameter5Value, PWSTR Parameter6Name, ULONGLONG Parameter6Value, PWSTR Parameter7Name, ULONGLONG Parameter7Value, PWSTR Parameter8Name, ULONGLONG Parameter8Value);
/* A telemetry event of the adapter (StorAddress NULL) or a unit. DISPATCH_LEVEL or below. */
ULONG StorPortLogTelemetry(PVOID HwDeviceExtension, PSTOR_ADDRESS StorAddress, PSTORPORT_TELEMETRY_EVENT Event);

/* ---- routines the Windows 7 era's NUMA-aware miniports call (nvmewin): processors, groups and nodes, node-aware
   contiguous memory, registry buffers and the error log. The emulated machine is one processor group and one NUMA
   node (node 0) holding every processor the host runs on. ---- */

/* A NUMA node number: MM_ANY_NODE_OK (wdm.h) or a node. */
typedef ULONG NODE_REQUIREMENT;
/* The processor the caller runs on (group and number) into *ProcNumber. STOR_STATUS_INVALID_PARAMETER for a NULL
   ProcNumber. Any IRQL. */
ULONG StorPortGetCurrentProcessorNumber(PVOID HwDeviceExtension, PPROCESSOR_NUMBER ProcNumber);
/* How many processor groups are active (1 here) into *NumActiveGroups. Any IRQL. */
ULONG StorPortGetActiveGroupCount(PVOID HwDeviceExtension, PUSHORT NumActiveGroups);
/* The active processors of group GroupNumber as a mask into *GroupAffinityMask; STOR_STATUS_INVALID_PARAMETER for a
   group that does not exist. Any IRQL. */
ULONG StorPortGetGroupAffinity(PVOID HwDeviceExtension, USHORT GroupNumber, PKAFFINITY GroupAffinityMask);
/* The highest NUMA node number (0 here) into *HighestNode. Any IRQL. */
ULONG StorPortGetHighestNodeNumber(PVOID HwDeviceExtension, PULONG HighestNode);
/* The processors of node NodeNumber (group and mask) into *NodeAffinity; STOR_STATUS_INVALID_PARAMETER for a node that
   does not exist. Any IRQL. */
ULONG StorPortGetNodeAffinity(PVOID HwDeviceExtension, ULONG NodeNumber, PGROUP_AFFINITY NodeAffinity);
/* NumberOfBytes of physically contiguous memory between the two addresses, not crossing BoundaryAddressMultiple (0:
   none), cached as CacheType, on PreferredNode, into *BufferPointer (NULL on failure); as StorPortAllocateDmaMemory
   without returning the physical address (StorPortGetPhysicalAddress gives it). PASSIVE_LEVEL (HwStorFindAdapter,
   HwStorInitialize, HwStorPassiveInitializeRoutine). */
ULONG StorPortAllocateContiguousMemorySpecifyCacheNode(PVOID HwDeviceExtension, SIZE_T NumberOfBytes, PHYSICAL_ADDRESS LowestAcceptableAddress, PHYSICAL_ADDRESS HighestAcceptableAddress, PHYSICAL_ADDRESS BoundaryAddressMultiple, MEMORY_CACHING_TYPE CacheType, NODE_REQUIREMENT PreferredNode, PVOID *BufferPointer);
/* Frees memory StorPortAllocateContiguousMemorySpecifyCacheNode gave (the same NumberOfBytes and CacheType);
   STOR_STATUS_INVALID_PARAMETER for memory it did not give. PASSIVE_LEVEL. */
ULONG StorPortFreeContiguousMemorySpecifyCache(PVOID HwDeviceExtension, PVOID BaseAddress, SIZE_T NumberOfBytes, MEMORY_CACHING_TYPE CacheType);
/* A zeroed buffer of *Length bytes for StorPortRegistryRead/Write, or NULL; free it with StorPortFreeRegistryBuffer.
   PASSIVE_LEVEL. */
PUCHAR StorPortAllocateRegistryBuffer(PVOID HwDeviceExtension, PULONG Length);
VOID StorPortFreeRegistryBuffer(PVOID HwDeviceExtension, PUCHAR Buffer);
/* An error-log entry (ErrorCode: SP_*; UniqueId: the miniport's) for the unit at PathId/TargetId/Lun, about Srb
   (optional). Here a line in the driver's debug output. DISPATCH_LEVEL or below. */
VOID StorPortLogError(PVOID HwDeviceExtension, PSCSI_REQUEST_BLOCK Srb, UCHAR PathId, UCHAR TargetId, UCHAR Lun, ULONG ErrorCode, ULONG UniqueId);
