/*
 * MiniportTimers: the NDIS routines and types a miniport needs around its timers, written from the public NDIS DDI
 * reference: NDIS 5 miniport timers, NDIS 6 timer objects, and the NDIS 6 miniport they live in (ndis/miniport.h:
 * register, initialize, OID requests, sends and receives, pause, restart, reset, halt; ndis/nbl.h: NET_BUFFER_LISTs;
 * ndis/services.h: memory, lookaside lists, configuration, work items, read-write locks). Values and layouts are
 * Windows x64's. Only what the emulation implements is declared (docs/native.md has the table).
 */
#pragma once

#include "wdm.h"

/* Which NDIS version the driver is built for (NDIS60_MINIPORT, NDIS61_MINIPORT, NDIS620_MINIPORT, ... as its project
   defines): NDIS_SUPPORT_NDISxy is 1 for every version up to it. These headers declare NDIS 6.0's surface; a driver
   built for a later version meets what they lack as compile errors. */
#if defined(NDIS686_MINIPORT) || defined(NDIS685_MINIPORT) || defined(NDIS684_MINIPORT) || defined(NDIS683_MINIPORT) || defined(NDIS682_MINIPORT) || defined(NDIS681_MINIPORT) || defined(NDIS680_MINIPORT)
#define MPT_NDIS_MINOR 80
#elif defined(NDIS660_MINIPORT) || defined(NDIS650_MINIPORT) || defined(NDIS640_MINIPORT)
#define MPT_NDIS_MINOR 40
#elif defined(NDIS630_MINIPORT)
#define MPT_NDIS_MINOR 30
#elif defined(NDIS620_MINIPORT)
#define MPT_NDIS_MINOR 20
#elif defined(NDIS61_MINIPORT)
#define MPT_NDIS_MINOR 10
#else
#define MPT_NDIS_MINOR 0
#endif
/* An NDIS 5 miniport (NDIS50_MINIPORT or NDIS51_MINIPORT without an NDIS 6 version) sees NDIS_SUPPORT_NDIS6 as 0, as
   in the WDK; the NDIS 6 declarations stay visible (nothing of them collides with the NDIS 5 view). */
#if (defined(NDIS50_MINIPORT) || defined(NDIS51_MINIPORT)) && !defined(NDIS60_MINIPORT) && !defined(NDIS61_MINIPORT) && !defined(NDIS620_MINIPORT) && !defined(NDIS630_MINIPORT)
#define NDIS_SUPPORT_NDIS6 0
#else
#define NDIS_SUPPORT_NDIS6 1
#endif
#define NDIS_SUPPORT_NDIS61 (MPT_NDIS_MINOR >= 10)
#define NDIS_SUPPORT_NDIS620 (MPT_NDIS_MINOR >= 20)
#define NDIS_SUPPORT_NDIS630 (MPT_NDIS_MINOR >= 30)
#define NDIS_SUPPORT_NDIS640 (MPT_NDIS_MINOR >= 40)
#define NDIS_SUPPORT_NDIS650 (MPT_NDIS_MINOR >= 40)
#define NDIS_SUPPORT_NDIS660 (MPT_NDIS_MINOR >= 40)
#define NDIS_SUPPORT_NDIS680 (MPT_NDIS_MINOR >= 80)

/* Marks a driver built against this header, so a host can tell which stack a .so targets (run --driver). */
#ifndef MPT_SHIM
__attribute__((weak, used)) const char mpt_targets_ndis[] = "ndis";
#endif

typedef PVOID NDIS_HANDLE, *PNDIS_HANDLE;
typedef int NDIS_STATUS, *PNDIS_STATUS;
typedef ULONG NDIS_OID, *PNDIS_OID;
#include "ndis/status.h"


typedef struct _NDIS_OBJECT_HEADER { UCHAR Type; UCHAR Revision; USHORT Size; } NDIS_OBJECT_HEADER, *PNDIS_OBJECT_HEADER;
C_ASSERT(sizeof(NDIS_OBJECT_HEADER) == 4);

#include "ndis/nbl.h"
#include "ndis/miniport.h"
#include "ndis/oids.h"

#define NDIS_TIMER_CHARACTERISTICS_REVISION_1 1

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
C_ASSERT(sizeof(NDIS_TIMER_CHARACTERISTICS) == 24 && FIELD_OFFSET(NDIS_TIMER_CHARACTERISTICS, TimerFunction) == 8);

/* IRQL: <= DISPATCH_LEVEL. NDIS_STATUS_SUCCESS, NDIS_STATUS_BAD_CHARACTERISTICS, NDIS_STATUS_FAILURE (unknown handle). */
NDIS_STATUS NdisAllocateTimerObject(NDIS_HANDLE NdisHandle, PNDIS_TIMER_CHARACTERISTICS TimerCharacteristics, PNDIS_HANDLE pTimerObject);
/* DueTime in 100 ns units: negative relative, otherwise absolute system time. TRUE if it was queued. */
BOOLEAN NdisSetTimerObject(NDIS_HANDLE TimerObject, LARGE_INTEGER DueTime, LONG MillisecondsPeriod, PVOID FunctionContext);
BOOLEAN NdisSetCoalescableTimerObject(NDIS_HANDLE TimerObject, LARGE_INTEGER DueTime, LONG MillisecondsPeriod, PVOID FunctionContext, ULONG Tolerance);
/* TRUE if it was queued. A periodic timer must be cancelled at PASSIVE_LEVEL. */
BOOLEAN NdisCancelTimerObject(NDIS_HANDLE TimerObject);
VOID NdisFreeTimerObject(NDIS_HANDLE TimerObject);

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
/* What NDIS connected (it writes InterruptType and MessageInfoTable back on success): line-based here. */
typedef enum _NDIS_MINIPORT_INTERRUPT_TYPE { NDIS_CONNECT_LINE_BASED = 1, NDIS_CONNECT_MESSAGE_BASED } NDIS_MINIPORT_INTERRUPT_TYPE, *PNDIS_MINIPORT_INTERRUPT_TYPE;
typedef struct _IO_INTERRUPT_MESSAGE_INFO *PIO_INTERRUPT_MESSAGE_INFO; /* message-signalled interrupts: not emulated */
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
    NDIS_MINIPORT_INTERRUPT_TYPE InterruptType;        /* out */
    PIO_INTERRUPT_MESSAGE_INFO MessageInfoTable;       /* out */
} NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, *PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS;
#define NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1 ((USHORT)RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MessageInfoTable))
C_ASSERT(FIELD_OFFSET(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, InterruptHandler) == 8 && FIELD_OFFSET(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, InterruptDpcHandler) == 16);
C_ASSERT(FIELD_OFFSET(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, InterruptType) == 0x50 && FIELD_OFFSET(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MessageInfoTable) == 0x58);
C_ASSERT(sizeof(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS) == 96);
/* PASSIVE_LEVEL, in MiniportInitializeEx. NDIS_STATUS_SUCCESS, NDIS_STATUS_INVALID_PARAMETER (a handler missing), NDIS_STATUS_RESOURCES (one already). */
NDIS_STATUS NdisMRegisterInterruptEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportInterruptContext, PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MiniportInterruptCharacteristics, PNDIS_HANDLE NdisInterruptHandle);
VOID NdisMDeregisterInterruptEx(NDIS_HANDLE NdisInterruptHandle);
/* Runs SynchronizeFunction at the device IRQL holding the interrupt lock; returns what it returned. */
BOOLEAN NdisMSynchronizeWithInterruptEx(NDIS_HANDLE NdisInterruptHandle, ULONG MessageId, PVOID SynchronizeFunction, PVOID SynchronizeContext);

#include "ndis/services.h"

/* The NDIS 5 view (ndis/legacy.h): NDIS50_MINIPORT, NDIS51_MINIPORT or NDIS_LEGACY_MINIPORT, as the WDK selects it;
   NDIS_LEGACY_DRIVER too (the ABI check builds both views at once); the shim always sees it. */
#if defined(NDIS50_MINIPORT) || defined(NDIS51_MINIPORT) || defined(NDIS_LEGACY_MINIPORT) || defined(NDIS_LEGACY_DRIVER) || defined(MPT_SHIM)
#include "ndis/legacy.h"
#endif
