/*
 * MiniportTimers: the NDIS 5 view of ndis.h (a miniport built with NDIS50_MINIPORT or NDIS51_MINIPORT, or
 * NDIS_LEGACY_MINIPORT), written from the public NDIS 5.1 DDI reference: NdisMRegisterMiniport with
 * NDIS_MINIPORT_CHARACTERISTICS, NdisMSetAttributesEx, I/O ports and PCI configuration, NdisMRegisterInterrupt with
 * NDIS_MINIPORT_INTERRUPT, shared memory and map registers, NDIS_PACKET/NDIS_BUFFER, and the indications and
 * completions of a connectionless NDIS 5 miniport. Layouts are Windows x64's (C_ASSERTed; the ABI check compares them
 * with mingw-w64's NDIS 5 view). Included by ndis.h; where each routine is implemented: docs/native.md.
 */
#pragma once

/* ---- handler types of an NDIS 5 miniport (NDIS_MINIPORT_CHARACTERISTICS) ---- */
typedef MDL NDIS_BUFFER, *PNDIS_BUFFER;
typedef struct _NDIS_PACKET_POOL *PNDIS_PACKET_POOL;
typedef struct _NDIS_PACKET *PNDIS_PACKET, **PPNDIS_PACKET;
typedef LARGE_INTEGER NDIS_PHYSICAL_ADDRESS, *PNDIS_PHYSICAL_ADDRESS;
typedef struct _NDIS_REQUEST *PNDIS_REQUEST;                  /* connection-oriented requests: not emulated */
typedef struct _CO_CALL_PARAMETERS *PCO_CALL_PARAMETERS;       /* connection-oriented calls: not emulated */
typedef enum _NDIS_INTERRUPT_MODE { NdisInterruptLevelSensitive, NdisInterruptLatched } NDIS_INTERRUPT_MODE, *PNDIS_INTERRUPT_MODE;
/* NDIS_INTERFACE_TYPE: ndis/miniport.h. */
typedef UCHAR NDIS_DMA_SIZE;
#define NDIS_DMA_24BITS ((NDIS_DMA_SIZE)0)
#define NDIS_DMA_32BITS ((NDIS_DMA_SIZE)1)
#define NDIS_DMA_64BITS ((NDIS_DMA_SIZE)2)

typedef BOOLEAN (*W_CHECK_FOR_HANG_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_DISABLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_ENABLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_HALT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef VOID (*W_HANDLE_INTERRUPT_HANDLER)(NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_INITIALIZE_HANDLER)(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex, PNDIS_MEDIUM MediumArray, UINT MediumArraySize, NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE WrapperConfigurationContext);
typedef VOID (*W_ISR_HANDLER)(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt, NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_QUERY_INFORMATION_HANDLER)(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid, PVOID InformationBuffer, ULONG InformationBufferLength, PULONG BytesWritten, PULONG BytesNeeded);
typedef NDIS_STATUS (*W_RECONFIGURE_HANDLER)(PNDIS_STATUS OpenErrorStatus, NDIS_HANDLE MiniportAdapterContext, NDIS_HANDLE WrapperConfigurationContext);
typedef NDIS_STATUS (*W_RESET_HANDLER)(PBOOLEAN AddressingReset, NDIS_HANDLE MiniportAdapterContext);
typedef NDIS_STATUS (*W_SEND_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet, UINT Flags);
typedef NDIS_STATUS (*W_SET_INFORMATION_HANDLER)(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid, PVOID InformationBuffer, ULONG InformationBufferLength, PULONG BytesRead, PULONG BytesNeeded);
typedef NDIS_STATUS (*W_TRANSFER_DATA_HANDLER)(PNDIS_PACKET Packet, PUINT BytesTransferred, NDIS_HANDLE MiniportAdapterContext, NDIS_HANDLE MiniportReceiveContext, UINT ByteOffset, UINT BytesToTransfer);
typedef VOID (*W_RETURN_PACKET_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet);
typedef VOID (*W_SEND_PACKETS_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PPNDIS_PACKET PacketArray, UINT NumberOfPackets);
typedef VOID (*W_ALLOCATE_COMPLETE_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PVOID VirtualAddress, PNDIS_PHYSICAL_ADDRESS PhysicalAddress, ULONG Length, PVOID Context);
typedef NDIS_STATUS (*W_CO_CREATE_VC_HANDLER)(NDIS_HANDLE MiniportAdapterContext, NDIS_HANDLE NdisVcHandle, PNDIS_HANDLE MiniportVcContext);
typedef NDIS_STATUS (*W_CO_DELETE_VC_HANDLER)(NDIS_HANDLE MiniportVcContext);
typedef NDIS_STATUS (*W_CO_ACTIVATE_VC_HANDLER)(NDIS_HANDLE MiniportVcContext, PCO_CALL_PARAMETERS CallParameters);
typedef NDIS_STATUS (*W_CO_DEACTIVATE_VC_HANDLER)(NDIS_HANDLE MiniportVcContext);
typedef VOID (*W_CO_SEND_PACKETS_HANDLER)(NDIS_HANDLE MiniportVcContext, PPNDIS_PACKET PacketArray, UINT NumberOfPackets);
typedef NDIS_STATUS (*W_CO_REQUEST_HANDLER)(NDIS_HANDLE MiniportAdapterContext, NDIS_HANDLE MiniportVcContext, PNDIS_REQUEST NdisRequest);
typedef VOID (*W_CANCEL_SEND_PACKETS_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PVOID CancelId);
typedef VOID (*W_PNP_EVENT_NOTIFY_HANDLER)(NDIS_HANDLE MiniportAdapterContext, NDIS_DEVICE_PNP_EVENT PnPEvent, PVOID InformationBuffer, ULONG InformationBufferLength);
typedef VOID (*W_MINIPORT_SHUTDOWN_HANDLER)(PVOID ShutdownContext);
typedef VOID (*ADAPTER_SHUTDOWN_HANDLER)(PVOID ShutdownContext);

/* The characteristics, flattened as C sees them: NDIS 3.0's members, then 4.0's, 5.0's (connection-oriented: not
   emulated, must be NULL), 5.1's. NDIS_MINIPORT_CHARACTERISTICS is the 5.1 form with NDIS51_MINIPORT, else 5.0's. */
#define MPT_NDIS30_MINIPORT_MEMBERS \
    UCHAR MajorNdisVersion; UCHAR MinorNdisVersion; UINT Reserved; \
    W_CHECK_FOR_HANG_HANDLER CheckForHangHandler; W_DISABLE_INTERRUPT_HANDLER DisableInterruptHandler; \
    W_ENABLE_INTERRUPT_HANDLER EnableInterruptHandler; W_HALT_HANDLER HaltHandler; \
    W_HANDLE_INTERRUPT_HANDLER HandleInterruptHandler; W_INITIALIZE_HANDLER InitializeHandler; W_ISR_HANDLER ISRHandler; \
    W_QUERY_INFORMATION_HANDLER QueryInformationHandler; W_RECONFIGURE_HANDLER ReconfigureHandler; \
    W_RESET_HANDLER ResetHandler; W_SEND_HANDLER SendHandler; W_SET_INFORMATION_HANDLER SetInformationHandler; \
    W_TRANSFER_DATA_HANDLER TransferDataHandler;
#define MPT_NDIS40_MINIPORT_MEMBERS MPT_NDIS30_MINIPORT_MEMBERS \
    W_RETURN_PACKET_HANDLER ReturnPacketHandler; W_SEND_PACKETS_HANDLER SendPacketsHandler; \
    W_ALLOCATE_COMPLETE_HANDLER AllocateCompleteHandler;
#define MPT_NDIS50_MINIPORT_MEMBERS MPT_NDIS40_MINIPORT_MEMBERS \
    W_CO_CREATE_VC_HANDLER CoCreateVcHandler; W_CO_DELETE_VC_HANDLER CoDeleteVcHandler; \
    W_CO_ACTIVATE_VC_HANDLER CoActivateVcHandler; W_CO_DEACTIVATE_VC_HANDLER CoDeactivateVcHandler; \
    W_CO_SEND_PACKETS_HANDLER CoSendPacketsHandler; W_CO_REQUEST_HANDLER CoRequestHandler;
#define MPT_NDIS51_MINIPORT_MEMBERS MPT_NDIS50_MINIPORT_MEMBERS \
    W_CANCEL_SEND_PACKETS_HANDLER CancelSendPacketsHandler; W_PNP_EVENT_NOTIFY_HANDLER PnPEventNotifyHandler; \
    W_MINIPORT_SHUTDOWN_HANDLER AdapterShutdownHandler; PVOID Reserved1; PVOID Reserved2; PVOID Reserved3; PVOID Reserved4;

typedef struct _NDIS50_MINIPORT_CHARACTERISTICS { MPT_NDIS50_MINIPORT_MEMBERS } NDIS50_MINIPORT_CHARACTERISTICS, *PSNDIS50_MINIPORT_CHARACTERISTICS;
typedef struct _NDIS51_MINIPORT_CHARACTERISTICS { MPT_NDIS51_MINIPORT_MEMBERS } NDIS51_MINIPORT_CHARACTERISTICS, *PSNDIS51_MINIPORT_CHARACTERISTICS;
C_ASSERT(sizeof(NDIS50_MINIPORT_CHARACTERISTICS) == 0xB8 && FIELD_OFFSET(NDIS50_MINIPORT_CHARACTERISTICS, InitializeHandler) == 0x30);
C_ASSERT(sizeof(NDIS51_MINIPORT_CHARACTERISTICS) == 0xF0 && FIELD_OFFSET(NDIS51_MINIPORT_CHARACTERISTICS, SendHandler) == 0x58);
#if defined(NDIS51_MINIPORT)
typedef struct _NDIS_MINIPORT_CHARACTERISTICS { MPT_NDIS51_MINIPORT_MEMBERS } NDIS_MINIPORT_CHARACTERISTICS, *PNDIS_MINIPORT_CHARACTERISTICS;
#define NDIS_MINIPORT_MAJOR_VERSION 5
#define NDIS_MINIPORT_MINOR_VERSION 1
#elif defined(NDIS50_MINIPORT)
typedef struct _NDIS_MINIPORT_CHARACTERISTICS { MPT_NDIS50_MINIPORT_MEMBERS } NDIS_MINIPORT_CHARACTERISTICS, *PNDIS_MINIPORT_CHARACTERISTICS;
#define NDIS_MINIPORT_MAJOR_VERSION 5
#define NDIS_MINIPORT_MINOR_VERSION 0
#else /* neither (the shim, an NDIS 6 build that also sees the legacy view): NDIS 3.0's members, as the WDK has it */
typedef struct _NDIS_MINIPORT_CHARACTERISTICS { MPT_NDIS30_MINIPORT_MEMBERS } NDIS_MINIPORT_CHARACTERISTICS, *PNDIS_MINIPORT_CHARACTERISTICS;
#endif

/* NdisMSetAttributesEx's AttributeFlags (NDIS 5.1). */
#define NDIS_ATTRIBUTE_IGNORE_PACKET_TIMEOUT 0x00000001
#define NDIS_ATTRIBUTE_IGNORE_REQUEST_TIMEOUT 0x00000002
#define NDIS_ATTRIBUTE_IGNORE_TOKEN_RING_ERRORS 0x00000004
#define NDIS_ATTRIBUTE_BUS_MASTER 0x00000008
#define NDIS_ATTRIBUTE_INTERMEDIATE_DRIVER 0x00000010
#define NDIS_ATTRIBUTE_DESERIALIZE 0x00000020
#define NDIS_ATTRIBUTE_NO_HALT_ON_SUSPEND 0x00000040
#define NDIS_ATTRIBUTE_SURPRISE_REMOVE_OK 0x00000080
#define NDIS_ATTRIBUTE_NOT_CO_NDIS 0x00000100
#define NDIS_ATTRIBUTE_USES_SAFE_BUFFER_APIS 0x00000200

/* ---- registration (DriverEntry, PASSIVE_LEVEL) ---- */
/* NdisWrapperHandle receives the wrapper handle (NULL on failure). */
VOID NdisInitializeWrapper(PNDIS_HANDLE NdisWrapperHandle, PVOID SystemSpecific1, PVOID SystemSpecific2, PVOID SystemSpecific3);
#define NdisMInitializeWrapper(NdisWrapperHandle, SystemSpecific1, SystemSpecific2, SystemSpecific3) \
    NdisInitializeWrapper((NdisWrapperHandle), (SystemSpecific1), (SystemSpecific2), (SystemSpecific3))
/* NDIS_STATUS_SUCCESS; NDIS_STATUS_BAD_VERSION (not 5.0 or 5.1, or a length that does not match the version);
   NDIS_STATUS_BAD_CHARACTERISTICS (Initialize, Halt, Reset, Query/SetInformation or a send handler missing, or a
   connection-oriented handler, which is not emulated). */
NDIS_STATUS NdisMRegisterMiniport(NDIS_HANDLE NdisWrapperHandle, PNDIS_MINIPORT_CHARACTERISTICS MiniportCharacteristics, UINT CharacteristicsLength);
VOID NdisTerminateWrapper(NDIS_HANDLE NdisWrapperHandle, PVOID SystemSpecific);
/* From MiniportInitialize: the context NDIS passes every handler; CheckForHangTimeInSeconds (0: 2 s) is recorded. */
VOID NdisMSetAttributesEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportAdapterContext, UINT CheckForHangTimeInSeconds, ULONG AttributeFlags, NDIS_INTERFACE_TYPE AdapterType);
#define NdisMSetAttributes(MiniportAdapterHandle, MiniportAdapterContext, BusMaster, AdapterType) \
    NdisMSetAttributesEx((MiniportAdapterHandle), (MiniportAdapterContext), 0, (BusMaster) ? NDIS_ATTRIBUTE_BUS_MASTER : 0, (AdapterType))
VOID NdisMRegisterAdapterShutdownHandler(NDIS_HANDLE MiniportHandle, PVOID ShutdownContext, ADAPTER_SHUTDOWN_HANDLER ShutdownHandler);
VOID NdisMDeregisterAdapterShutdownHandler(NDIS_HANDLE MiniportHandle);

/* ---- configuration and resources (PASSIVE_LEVEL) ---- */
/* WrapperConfigurationContext is what MiniportInitialize received. */
VOID NdisOpenConfiguration(PNDIS_STATUS Status, PNDIS_HANDLE ConfigurationHandle, NDIS_HANDLE WrapperConfigurationContext);
/* Bytes read or written of the adapter's PCI configuration space (SlotNumber is ignored, as on NDIS 5.1). */
ULONG NdisReadPciSlotInformation(NDIS_HANDLE NdisAdapterHandle, ULONG SlotNumber, ULONG Offset, PVOID Buffer, ULONG Length);
ULONG NdisWritePciSlotInformation(NDIS_HANDLE NdisAdapterHandle, ULONG SlotNumber, ULONG Offset, PVOID Buffer, ULONG Length);
/* PortOffset receives the address to give NdisRawRead/WritePort* (the port number itself, as on x64).
   NDIS_STATUS_SUCCESS; NDIS_STATUS_RESOURCE_CONFLICT when the range is not in the adapter's I/O BAR. */
NDIS_STATUS NdisMRegisterIoPortRange(PVOID *PortOffset, NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort, UINT NumberOfPorts);
VOID NdisMDeregisterIoPortRange(NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort, UINT NumberOfPorts, PVOID PortOffset);
/* Port access at any IRQL, over the HAL's READ_PORT_* / WRITE_PORT_* as the WDK defines them. */
#define NdisRawReadPortUchar(Port, Data) (*(Data) = READ_PORT_UCHAR((PUCHAR)(ULONG_PTR)(Port)))
#define NdisRawReadPortUshort(Port, Data) (*(Data) = READ_PORT_USHORT((PUSHORT)(ULONG_PTR)(Port)))
#define NdisRawReadPortUlong(Port, Data) (*(Data) = READ_PORT_ULONG((PULONG)(ULONG_PTR)(Port)))
#define NdisRawWritePortUchar(Port, Data) WRITE_PORT_UCHAR((PUCHAR)(ULONG_PTR)(Port), (UCHAR)(Data))
#define NdisRawWritePortUshort(Port, Data) WRITE_PORT_USHORT((PUSHORT)(ULONG_PTR)(Port), (USHORT)(Data))
#define NdisRawWritePortUlong(Port, Data) WRITE_PORT_ULONG((PULONG)(ULONG_PTR)(Port), (ULONG)(Data))
#define NdisStallExecution(MicrosecondsToStall) KeStallExecutionProcessor(MicrosecondsToStall)

/* ---- DMA: shared memory the device reaches (32-bit physical addresses for an NDIS_DMA_32BITS device) ---- */
/* *VirtualAddress is NULL on failure. IRQL: PASSIVE_LEVEL. */
VOID NdisMAllocateSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length, BOOLEAN Cached, PVOID *VirtualAddress, PNDIS_PHYSICAL_ADDRESS PhysicalAddress);
VOID NdisMFreeSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length, BOOLEAN Cached, PVOID VirtualAddress, NDIS_PHYSICAL_ADDRESS PhysicalAddress);
/* Map registers are granted (NdisMStartBufferPhysicalMapping, which would use them, is not emulated). */
NDIS_STATUS NdisMAllocateMapRegisters(NDIS_HANDLE MiniportAdapterHandle, UINT DmaChannel, NDIS_DMA_SIZE DmaSize, ULONG PhysicalMapRegistersNeeded, ULONG MaximumPhysicalMapping);
VOID NdisMFreeMapRegisters(NDIS_HANDLE MiniportAdapterHandle);
/* NdisGetPhysicalAddressLow/High: ndis/services.h. */
#define NdisSetPhysicalAddressLow(PhysicalAddress, Value) ((PhysicalAddress).LowPart = (Value))
#define NdisSetPhysicalAddressHigh(PhysicalAddress, Value) ((PhysicalAddress).HighPart = (Value))

/* ---- interrupts: MiniportISR at the device IRQL, MiniportHandleInterrupt at DISPATCH_LEVEL ---- */
typedef struct _KINTERRUPT *PKINTERRUPT;
typedef struct _NDIS_MINIPORT_BLOCK *PNDIS_MINIPORT_BLOCK;
typedef struct _NDIS_MINIPORT_INTERRUPT {
    PKINTERRUPT InterruptObject;      /* here: the host's interrupt handle */
    KSPIN_LOCK DpcCountLock;
    PVOID Reserved;
    W_ISR_HANDLER MiniportIsr;
    W_HANDLE_INTERRUPT_HANDLER MiniportDpc;
    KDPC InterruptDpc;
    PNDIS_MINIPORT_BLOCK Miniport;
    UCHAR DpcCount;
    BOOLEAN Filler1;
    ULONG_PTR DpcsCompletedEvent[3];  /* KEVENT */
    BOOLEAN SharedInterrupt;
    BOOLEAN IsrRequested;
} NDIS_MINIPORT_INTERRUPT, *PNDIS_MINIPORT_INTERRUPT;
C_ASSERT(FIELD_OFFSET(NDIS_MINIPORT_INTERRUPT, InterruptDpc) == 40 && FIELD_OFFSET(NDIS_MINIPORT_INTERRUPT, SharedInterrupt) == 144 && sizeof(NDIS_MINIPORT_INTERRUPT) == 152);
/* PASSIVE_LEVEL. NDIS_STATUS_SUCCESS; NDIS_STATUS_RESOURCES (one registered already); NDIS_STATUS_FAILURE (the handlers
   the mode needs are missing). InterruptVector and InterruptLevel are recorded only: the line is the device's. */
NDIS_STATUS NdisMRegisterInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt, NDIS_HANDLE MiniportAdapterHandle, UINT InterruptVector, UINT InterruptLevel, BOOLEAN RequestIsr, BOOLEAN SharedInterrupt, NDIS_INTERRUPT_MODE InterruptMode);
VOID NdisMDeregisterInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt);
/* Runs SynchronizeFunction (BOOLEAN (*)(PVOID)) at the device IRQL holding the interrupt lock; returns what it returned. */
BOOLEAN NdisMSynchronizeWithInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt, PVOID SynchronizeFunction, PVOID SynchronizeContext);

/* ---- packets: an NDIS_PACKET is a chain of NDIS_BUFFERs (MDLs) ---- */
typedef struct _NDIS_PACKET_PRIVATE {
    UINT PhysicalCount;
    UINT TotalLength;
    PNDIS_BUFFER Head;
    PNDIS_BUFFER Tail;
    PNDIS_PACKET_POOL Pool;
    UINT Count;
    ULONG Flags;
    BOOLEAN ValidCounts;
    UCHAR NdisPacketFlags;
    USHORT NdisPacketOobOffset;
} NDIS_PACKET_PRIVATE, *PNDIS_PACKET_PRIVATE;
typedef struct _NDIS_PACKET {
    NDIS_PACKET_PRIVATE Private;
    union {
        struct { UCHAR MiniportReserved[2 * sizeof(PVOID)]; UCHAR WrapperReserved[2 * sizeof(PVOID)]; };
        struct { UCHAR MiniportReservedEx[3 * sizeof(PVOID)]; UCHAR WrapperReservedEx[sizeof(PVOID)]; };
        struct { UCHAR MacReserved[4 * sizeof(PVOID)]; };
    };
    ULONG_PTR Reserved[2];
    UCHAR ProtocolReserved[1];
} NDIS_PACKET;
C_ASSERT(sizeof(NDIS_PACKET_PRIVATE) == 48 && FIELD_OFFSET(NDIS_PACKET, MiniportReserved) == 48 && FIELD_OFFSET(NDIS_PACKET, ProtocolReserved) == 96);
/* Any IRQL: the packet's buffer counts, first buffer and total length (each OUT may be NULL). */
static inline VOID NdisQueryPacket(PNDIS_PACKET Packet, PUINT PhysicalBufferCount, PUINT BufferCount, PNDIS_BUFFER *FirstBuffer, PUINT TotalPacketLength)
{
    UINT count = 0, length = 0;
    for (PNDIS_BUFFER b = Packet->Private.Head; b != NULL; b = b->Next) {
        count++;
        length += b->ByteCount;
    }
    if (PhysicalBufferCount) *PhysicalBufferCount = count;
    if (BufferCount) *BufferCount = count;
    if (FirstBuffer) *FirstBuffer = Packet->Private.Head;
    if (TotalPacketLength) *TotalPacketLength = length;
}
#define NdisQueryBuffer(Buffer, VirtualAddress, Length) do { \
        if ((VirtualAddress) != NULL) *(PVOID *)(VirtualAddress) = MmGetSystemAddressForMdlSafe((Buffer), NormalPagePriority); \
        *(Length) = MmGetMdlByteCount(Buffer); \
    } while (0)
#define NdisGetNextBuffer(CurrentBuffer, NextBuffer) do { *(NextBuffer) = (CurrentBuffer)->Next; } while (0)
#define NdisGetFirstBufferFromPacket(Packet, FirstBuffer, FirstBufferVA, FirstBufferLength, TotalBufferLength) do { \
        UINT mpt_total_; \
        NdisQueryPacket((Packet), NULL, NULL, (FirstBuffer), &mpt_total_); \
        *(TotalBufferLength) = mpt_total_; \
        if (*(FirstBuffer) != NULL) { *(FirstBufferVA) = MmGetSystemAddressForMdlSafe(*(FirstBuffer), NormalPagePriority); *(FirstBufferLength) = MmGetMdlByteCount(*(FirstBuffer)); } \
        else { *(FirstBufferVA) = NULL; *(FirstBufferLength) = 0; } \
    } while (0)

/* ---- indications and completions (<= DISPATCH_LEVEL) ---- */
/* The status is recorded by the host as NdisMIndicateStatusEx records it; StatusBuffer is passed along. */
VOID NdisMIndicateStatus(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS GeneralStatus, PVOID StatusBuffer, UINT StatusBufferSize);
VOID NdisMIndicateStatusComplete(NDIS_HANDLE MiniportAdapterHandle);
/* A received Ethernet frame: HeaderBuffer (14 bytes) then LookaheadBuffer; the whole frame must be in them here
   (NDIS 5 MiniportTransferData is not called). */
VOID NdisMEthIndicateReceive(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportReceiveContext, PVOID HeaderBuffer, UINT HeaderBufferSize, PVOID LookaheadBuffer, UINT LookaheadBufferSize, UINT PacketSize);
VOID NdisMEthIndicateReceiveComplete(NDIS_HANDLE MiniportAdapterHandle);
/* Completes a send MiniportSend pended. */
VOID NdisMSendComplete(NDIS_HANDLE MiniportAdapterHandle, PNDIS_PACKET Packet, NDIS_STATUS Status);
/* A serialized miniport that returned NDIS_STATUS_RESOURCES from MiniportSend can take sends again. */
VOID NdisMSendResourcesAvailable(NDIS_HANDLE MiniportAdapterHandle);
/* Complete a Query/SetInformation the miniport pended. */
VOID NdisMQueryInformationComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status);
VOID NdisMSetInformationComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status);
