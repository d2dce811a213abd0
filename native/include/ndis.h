/*
 * MiniportTimers: the NDIS routines and types a miniport needs around its timers, written from the public NDIS DDI
 * reference: NDIS 5 miniport timers, NDIS 6 timer objects, and the NDIS 6 lifecycle they live in (register,
 * initialize, pause, restart, reset, halt). Values are Windows'. NDIS_MINIPORT_DRIVER_CHARACTERISTICS keeps Windows'
 * member order through CancelOidRequestHandler. Only what the emulation implements is declared (docs/native.md).
 */
#pragma once

#include "wdm.h"

/* Marks a driver built against this header, so a host can tell which stack a .so targets (run --driver). */
#ifndef MPT_SHIM
__attribute__((weak, used)) const char mpt_targets_ndis[] = "ndis";
#endif

typedef PVOID NDIS_HANDLE, *PNDIS_HANDLE;
typedef int NDIS_STATUS, *PNDIS_STATUS;
typedef ULONG NDIS_OID;

#define NDIS_STATUS_SUCCESS ((NDIS_STATUS)0x00000000)
#define NDIS_STATUS_PENDING ((NDIS_STATUS)0x00000103)
#define NDIS_STATUS_FAILURE ((NDIS_STATUS)0xC0000001)
#define NDIS_STATUS_RESOURCES ((NDIS_STATUS)0xC000009A)
#define NDIS_STATUS_INVALID_PARAMETER ((NDIS_STATUS)0xC000000D)
#define NDIS_STATUS_NOT_SUPPORTED ((NDIS_STATUS)0xC00000BB)
#define NDIS_STATUS_BAD_VERSION ((NDIS_STATUS)0xC0010004)
#define NDIS_STATUS_BAD_CHARACTERISTICS ((NDIS_STATUS)0xC0010005)
#define NDIS_STATUS_ADAPTER_NOT_READY ((NDIS_STATUS)0xC0010011)
#define NDIS_STATUS_MEDIA_CONNECT ((NDIS_STATUS)0x4001000B)
#define NDIS_STATUS_MEDIA_DISCONNECT ((NDIS_STATUS)0x4001000C)
#define NDIS_STATUS_LINK_STATE ((NDIS_STATUS)0x40010017)

typedef struct _NDIS_OBJECT_HEADER { UCHAR Type; UCHAR Revision; USHORT Size; } NDIS_OBJECT_HEADER, *PNDIS_OBJECT_HEADER;
C_ASSERT(sizeof(NDIS_OBJECT_HEADER) == 4);

#define NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS 0x8A
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES 0x9E
#define NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS 0x97
#define NDIS_TIMER_CHARACTERISTICS_REVISION_1 1
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 1
#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 1

/* The routine of an NDIS 5 miniport timer and of an NDIS 6 timer object: DISPATCH_LEVEL, no NDIS lock held.
   SystemSpecific1 is the timer; SystemSpecific2/3 carry the low and high 32 bits of the system time (reserved). */
typedef VOID NDIS_TIMER_FUNCTION(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3);
typedef NDIS_TIMER_FUNCTION *PNDIS_TIMER_FUNCTION;

/* ---- NDIS 5 miniport timers: caller storage, a KTIMER and a KDPC and the routine (160 bytes on x64) ---- */
typedef struct _NDIS_MINIPORT_TIMER {
    ULONG_PTR Timer[8];   /* KTIMER */
    ULONG_PTR Dpc[8];     /* KDPC */
    PNDIS_TIMER_FUNCTION MiniportTimerFunction;
    PVOID MiniportTimerContext;
    NDIS_HANDLE Miniport;
    struct _NDIS_MINIPORT_TIMER *NextDeferredTimer;
} NDIS_MINIPORT_TIMER, *PNDIS_MINIPORT_TIMER;
C_ASSERT(sizeof(NDIS_MINIPORT_TIMER) == 160);

/* Binds the timer to the routine and context for the adapter. IRQL: PASSIVE_LEVEL. */
VOID NdisMInitializeTimer(PNDIS_MINIPORT_TIMER Timer, NDIS_HANDLE MiniportAdapterHandle, PNDIS_TIMER_FUNCTION TimerFunction, PVOID FunctionContext);
/* One-shot after MillisecondsToDelay ms; a set replaces a pending one. IRQL: <= DISPATCH_LEVEL. */
VOID NdisMSetTimer(PNDIS_MINIPORT_TIMER Timer, UINT MillisecondsToDelay);
/* Periodic every MillisecondsPeriod ms (phase kept). IRQL: <= DISPATCH_LEVEL. */
VOID NdisMSetPeriodicTimer(PNDIS_MINIPORT_TIMER Timer, UINT MillisecondsPeriod);
/* Dequeues; TimerCancelled is TRUE if it was queued. Does not wait for a callback already taken. IRQL: <= DISPATCH_LEVEL. */
VOID NdisMCancelTimer(PNDIS_MINIPORT_TIMER Timer, PBOOLEAN TimerCancelled);

/* ---- NDIS 6 timer objects ---- */
typedef struct _NDIS_TIMER_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header;        /* NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, revision 1, size 24 */
    ULONG AllocationTag;
    PNDIS_TIMER_FUNCTION TimerFunction;
    PVOID FunctionContext;
} NDIS_TIMER_CHARACTERISTICS, *PNDIS_TIMER_CHARACTERISTICS;
#define NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 ((USHORT)RTL_SIZEOF_THROUGH_FIELD(NDIS_TIMER_CHARACTERISTICS, FunctionContext))
#define RTL_SIZEOF_THROUGH_FIELD(type, field) (offsetof(type, field) + RTL_FIELD_SIZE(type, field))
C_ASSERT(sizeof(NDIS_TIMER_CHARACTERISTICS) == 24 && FIELD_OFFSET(NDIS_TIMER_CHARACTERISTICS, TimerFunction) == 8);

/* IRQL: <= DISPATCH_LEVEL. NDIS_STATUS_SUCCESS, NDIS_STATUS_BAD_CHARACTERISTICS, NDIS_STATUS_FAILURE (unknown handle). */
NDIS_STATUS NdisAllocateTimerObject(NDIS_HANDLE NdisHandle, PNDIS_TIMER_CHARACTERISTICS TimerCharacteristics, PNDIS_HANDLE pTimerObject);
/* DueTime in 100 ns units: negative relative, otherwise absolute system time. TRUE if it was queued. */
BOOLEAN NdisSetTimerObject(NDIS_HANDLE TimerObject, LARGE_INTEGER DueTime, LONG MillisecondsPeriod, PVOID FunctionContext);
BOOLEAN NdisSetCoalescableTimerObject(NDIS_HANDLE TimerObject, LARGE_INTEGER DueTime, LONG MillisecondsPeriod, PVOID FunctionContext, ULONG Tolerance);
/* TRUE if it was queued. A periodic timer must be cancelled at PASSIVE_LEVEL. */
BOOLEAN NdisCancelTimerObject(NDIS_HANDLE TimerObject);
VOID NdisFreeTimerObject(NDIS_HANDLE TimerObject);

/* ---- the miniport's lifecycle (NDIS 6) ---- */
typedef enum _NDIS_HALT_ACTION { NdisHaltDeviceDisabled, NdisHaltDeviceInstanceDeInitialized, NdisHaltDevicePoweredDown, NdisHaltDeviceSurpriseRemoved, NdisHaltDeviceFailed, NdisHaltDeviceInitializationFailed, NdisHaltDeviceStopped } NDIS_HALT_ACTION;

typedef NDIS_STATUS (*MINIPORT_INITIALIZE_HANDLER)(NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext, PVOID MiniportInitParameters);
typedef VOID (*MINIPORT_HALT_HANDLER)(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction);
typedef NDIS_STATUS (*MINIPORT_PAUSE_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PVOID PauseParameters);
typedef NDIS_STATUS (*MINIPORT_RESTART_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PVOID RestartParameters);
typedef NDIS_STATUS (*MINIPORT_RESET_HANDLER)(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset);

typedef struct _NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header;
    UCHAR MajorNdisVersion;
    UCHAR MinorNdisVersion;
    UCHAR MajorDriverVersion;
    UCHAR MinorDriverVersion;
    ULONG Flags;
    PVOID SetOptionsHandler;
    MINIPORT_INITIALIZE_HANDLER InitializeHandlerEx;
    MINIPORT_HALT_HANDLER HaltHandlerEx;
    PVOID UnloadHandler;
    MINIPORT_PAUSE_HANDLER PauseHandler;
    MINIPORT_RESTART_HANDLER RestartHandler;
    PVOID OidRequestHandler;          /* not emulated for native drivers yet: docs/native.md */
    PVOID SendNetBufferListsHandler;  /* not emulated for native drivers yet */
    PVOID ReturnNetBufferListsHandler;
    PVOID CancelSendHandler;
    PVOID CheckForHangHandlerEx;
    MINIPORT_RESET_HANDLER ResetHandlerEx;
    PVOID DevicePnPEventNotifyHandler;
    PVOID ShutdownHandlerEx;
    PVOID CancelOidRequestHandler;
} NDIS_MINIPORT_DRIVER_CHARACTERISTICS, *PNDIS_MINIPORT_DRIVER_CHARACTERISTICS;
C_ASSERT(FIELD_OFFSET(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, InitializeHandlerEx) == 24 && FIELD_OFFSET(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, ResetHandlerEx) == 104);

typedef struct _NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header;
    NDIS_HANDLE MiniportAdapterContext;
    ULONG AttributeFlags;
    UINT CheckForHangTimeInSeconds;
    ULONG InterfaceType;
} NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
typedef union _NDIS_MINIPORT_ADAPTER_ATTRIBUTES {
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES RegistrationAttributes;
} NDIS_MINIPORT_ADAPTER_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_ATTRIBUTES;
C_ASSERT(FIELD_OFFSET(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, MiniportAdapterContext) == 8);

/* ---- NDIS spin locks and helpers: NDIS_SPIN_LOCK over an executive spin lock (the lock's semantics are the host's) ---- */
typedef struct _NDIS_SPIN_LOCK { KSPIN_LOCK SpinLock; KIRQL OldIrql; } NDIS_SPIN_LOCK, *PNDIS_SPIN_LOCK;
C_ASSERT(sizeof(NDIS_SPIN_LOCK) == 16);
VOID NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock);
VOID NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock);
VOID NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock);      /* raises to DISPATCH_LEVEL; the old IRQL goes into the lock */
VOID NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock);
VOID NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock);   /* at DISPATCH_LEVEL */
VOID NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock);
VOID NdisGetCurrentSystemTime(PLARGE_INTEGER pSystemTime); /* 100 ns since 1601, on the host's epoch */
#define NdisInitializeListHead(ListHead) InitializeListHead(ListHead)
#define NdisZeroMemory(Destination, Length) RtlZeroMemory((Destination), (Length))
#define NdisMoveMemory(Destination, Source, Length) RtlCopyMemory((Destination), (Source), (Length))
#define NdisEqualMemory(Source1, Source2, Length) RtlEqualMemory((Source1), (Source2), (Length))
#define NdisInterlockedIncrement(Addend) InterlockedIncrement(Addend)
#define NdisInterlockedDecrement(Addend) InterlockedDecrement(Addend)
#define ETH_LENGTH_OF_ADDRESS 6

/* ---- NDIS 6 line interrupts: MiniportInterrupt at the device IRQL under the interrupt lock, its DPC at DISPATCH_LEVEL ---- */
typedef BOOLEAN (*MINIPORT_ISR_HANDLER)(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors);
typedef VOID (*MINIPORT_INTERRUPT_DPC_HANDLER)(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext, PVOID ReceiveThrottleParameters, PVOID NdisReserved2);
typedef BOOLEAN (*MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER)(NDIS_HANDLE SynchronizeContext);
#define NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT 0x84
#define NDIS_MINIPORT_INTERRUPT_REVISION_1 1
typedef struct _NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header;
    MINIPORT_ISR_HANDLER InterruptHandler;
    MINIPORT_INTERRUPT_DPC_HANDLER InterruptDpcHandler;
    PVOID DisableInterruptHandler;
    PVOID EnableInterruptHandler;
    BOOLEAN MsiSupported;             /* message-signalled interrupts: not emulated (line interrupts only) */
    BOOLEAN MsiSyncWithAllMessages;
    PVOID MessageInterruptHandler;
    PVOID MessageInterruptDpcHandler;
    PVOID DisableMessageInterruptHandler;
    PVOID EnableMessageInterruptHandler;
} NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, *PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS;
C_ASSERT(FIELD_OFFSET(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, InterruptHandler) == 8 && FIELD_OFFSET(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, InterruptDpcHandler) == 16);
/* PASSIVE_LEVEL, in MiniportInitializeEx. NDIS_STATUS_SUCCESS, NDIS_STATUS_INVALID_PARAMETER (a handler missing), NDIS_STATUS_RESOURCES (one already). */
NDIS_STATUS NdisMRegisterInterruptEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportInterruptContext, PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MiniportInterruptCharacteristics, PNDIS_HANDLE NdisInterruptHandle);
VOID NdisMDeregisterInterruptEx(NDIS_HANDLE NdisInterruptHandle);
/* Runs SynchronizeFunction at the device IRQL holding the interrupt lock; returns what it returned. */
BOOLEAN NdisMSynchronizeWithInterruptEx(NDIS_HANDLE NdisInterruptHandle, ULONG MessageId, PVOID SynchronizeFunction, PVOID SynchronizeContext);

/* DriverEntry's registration: NDIS_STATUS_SUCCESS or NDIS_STATUS_BAD_CHARACTERISTICS (no initialize or halt handler). */
NDIS_STATUS NdisMRegisterMiniportDriver(PVOID DriverObject, PVOID RegistryPath, NDIS_HANDLE MiniportDriverContext, PNDIS_MINIPORT_DRIVER_CHARACTERISTICS MiniportDriverCharacteristics, PNDIS_HANDLE NdisMiniportDriverHandle);
/* From MiniportInitializeEx: registers the MiniportAdapterContext the handlers receive. */
NDIS_STATUS NdisMSetMiniportAttributes(NDIS_HANDLE NdisMiniportAdapterHandle, PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes);
VOID NdisMPauseComplete(NDIS_HANDLE MiniportAdapterHandle);
VOID NdisMResetComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status, BOOLEAN AddressingReset);
