/*
 * MiniportTimers: the kernel routines a miniport meets around its timers (IRQL, DPC objects, spin locks, clock reads,
 * debug print), as Windows x64 declares them (wdm.h reference pages). Only what the emulation implements is declared:
 * a routine missing here is a compile or link error, never a silent stub. See docs/native.md for the table.
 */
#pragma once

#include "ntdef.h"

#define _Analysis_mode_(mode)
#define _Analysis_code_type_kernel_driver_

/* IRQL (x64 values) */
typedef UCHAR KIRQL, *PKIRQL;
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL 5
#define CLOCK_LEVEL 13
#define IPI_LEVEL 14
#define POWER_LEVEL 14
#define PROFILE_LEVEL 15
#define HIGH_LEVEL 15

/* The current IRQL of the calling thread (KeGetCurrentIrql). IRQL: any. */
KIRQL KeGetCurrentIrql(void);

/* Spin locks: a KSPIN_LOCK is pointer-sized caller storage (KeInitializeSpinLock). KeAcquireSpinLock raises to
   DISPATCH_LEVEL and returns the old IRQL through OldIrql; the AtDpcLevel forms require DISPATCH_LEVEL already. */
typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;
void KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
KIRQL KeAcquireSpinLockRaiseToDpc(PKSPIN_LOCK SpinLock);
#define KeAcquireSpinLock(SpinLock, OldIrql) (*(OldIrql) = KeAcquireSpinLockRaiseToDpc(SpinLock))
void KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
void KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
void KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
/* In-stack queued spin locks: the caller's handle (24 bytes on x64), the queue entry and the IRQL to restore. */
typedef struct _KSPIN_LOCK_QUEUE { struct _KSPIN_LOCK_QUEUE *volatile Next; PKSPIN_LOCK volatile Lock; } KSPIN_LOCK_QUEUE, *PKSPIN_LOCK_QUEUE;
typedef struct _KLOCK_QUEUE_HANDLE { KSPIN_LOCK_QUEUE LockQueue; KIRQL OldIrql; } KLOCK_QUEUE_HANDLE, *PKLOCK_QUEUE_HANDLE;
C_ASSERT(sizeof(KLOCK_QUEUE_HANDLE) == 24 && FIELD_OFFSET(KLOCK_QUEUE_HANDLE, OldIrql) == 16);

/* How memory is mapped for the processor (MmAllocateContiguousMemorySpecifyCache, StorPortAllocateDmaMemory), and the
   NUMA node "any node will do". */
typedef enum _MEMORY_CACHING_TYPE {
    MmNonCached = 0, MmCached = 1, MmWriteCombined = 2, MmHardwareCoherentCached, MmNonCachedUnordered, MmUSWCCached,
    MmMaximumCacheType, MmNotMapped = -1
} MEMORY_CACHING_TYPE;
#define MM_ANY_NODE_OK 0x80000000
/* The processor's page: 4 KiB on x64. */
#define PAGE_SIZE 0x1000
#define PAGE_SHIFT 12
/* The physical address of a nonpaged virtual address. Not emulated (a bug check naming it): only a crash-dump driver,
   which has no Storport services, calls it; a miniport asks StorPortGetPhysicalAddress. Any IRQL. */
PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress);

/* IRQL changes (KeRaiseIrql, KeLowerIrql): raising above the current level only, lowering to a level at or below it. */
VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql);
KIRQL KeRaiseIrqlToDpcLevel(void);
VOID KeLowerIrql(KIRQL NewIrql);

/* ---- DPC objects and kernel timers: caller storage (64 bytes each on x64), bound to the host whose routine
   initialized them. A timer's expiry queues its DPC with the system time's low and high parts as its arguments. ---- */
typedef struct _KDPC { ULONG_PTR Opaque[8]; } KDPC, *PKDPC, *PRKDPC;
typedef struct _KTIMER { ULONG_PTR Opaque[8]; } KTIMER, *PKTIMER;
C_ASSERT(sizeof(KDPC) == 64 && sizeof(KTIMER) == 64);
typedef VOID KDEFERRED_ROUTINE(PKDPC Dpc, PVOID DeferredContext, PVOID SystemArgument1, PVOID SystemArgument2);
typedef KDEFERRED_ROUTINE *PKDEFERRED_ROUTINE;
typedef enum _TIMER_TYPE { NotificationTimer = 0, SynchronizationTimer = 1 } TIMER_TYPE;

VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine, PVOID DeferredContext);
BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1, PVOID SystemArgument2); /* FALSE when already queued */
BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc);                                               /* TRUE when it was queued */
VOID KeFlushQueuedDpcs(void);                                                        /* PASSIVE_LEVEL */
VOID KeInitializeTimer(PKTIMER Timer);
VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type);
/* DueTime in 100 ns: negative relative, otherwise absolute system time. TRUE when the timer was queued. */
BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc);
BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period, PKDPC Dpc);   /* Period: ms, 0 = one-shot */
BOOLEAN KeSetCoalescableTimer(PKTIMER Timer, LARGE_INTEGER DueTime, ULONG Period, ULONG TolerableDelay, PKDPC Dpc); /* ms */
BOOLEAN KeCancelTimer(PKTIMER Timer);
BOOLEAN KeReadStateTimer(PKTIMER Timer);

/* ---- executive timers (ExAllocateTimer): the callback runs at DISPATCH_LEVEL ---- */
typedef struct _EX_TIMER *PEX_TIMER;
typedef VOID EXT_CALLBACK(PEX_TIMER Timer, PVOID Context);
typedef EXT_CALLBACK *PEXT_CALLBACK;
typedef VOID EXT_DELETE_CALLBACK(PVOID Context);
typedef EXT_DELETE_CALLBACK *PEXT_DELETE_CALLBACK;
#define EX_TIMER_HIGH_RESOLUTION 0x4
#define EX_TIMER_NO_WAKE 0x8
#define EX_TIMER_NOTIFICATION 0x80000000u
#define EX_TIMER_UNLIMITED_TOLERANCE ((LONGLONG)-1)
typedef struct _EXT_SET_PARAMETERS_V0 { ULONG Version; ULONG Reserved; LONGLONG NoWakeTolerance; } EXT_SET_PARAMETERS, *PEXT_SET_PARAMETERS;
typedef struct _EXT_DELETE_PARAMETERS { ULONG Version; ULONG Reserved; PEXT_DELETE_CALLBACK DeleteCallback; PVOID DeleteContext; } EXT_DELETE_PARAMETERS, *PEXT_DELETE_PARAMETERS;
C_ASSERT(sizeof(EXT_SET_PARAMETERS) == 16 && sizeof(EXT_DELETE_PARAMETERS) == 24);
FORCEINLINE VOID ExInitializeSetTimerParameters(PEXT_SET_PARAMETERS Parameters) { RtlZeroMemory(Parameters, sizeof *Parameters); Parameters->NoWakeTolerance = EX_TIMER_UNLIMITED_TOLERANCE; }
FORCEINLINE VOID ExInitializeDeleteTimerParameters(PEXT_DELETE_PARAMETERS Parameters) { RtlZeroMemory(Parameters, sizeof *Parameters); }

PEX_TIMER ExAllocateTimer(PEXT_CALLBACK Callback, PVOID CallbackContext, ULONG Attributes);   /* NULL on bad attributes */
BOOLEAN ExSetTimer(PEX_TIMER Timer, LONGLONG DueTime, LONGLONG Period, PEXT_SET_PARAMETERS Parameters); /* 100 ns */
/* Reserved by Windows: callers pass NULL, so the structure stays opaque here. */
typedef struct _EXT_CANCEL_PARAMETERS *PEXT_CANCEL_PARAMETERS;
BOOLEAN ExCancelTimer(PEX_TIMER Timer, PEXT_CANCEL_PARAMETERS Parameters);
BOOLEAN ExDeleteTimer(PEX_TIMER Timer, BOOLEAN Cancel, BOOLEAN Wait, PEXT_DELETE_PARAMETERS Parameters);

/* Clock reads, on the host's engine clock (virtual or real) and its epoch. Units: 100 ns. */
ULONGLONG KeQueryInterruptTime(void);                 /* since boot (engine time 0) */
void KeQuerySystemTime(PLARGE_INTEGER CurrentTime);    /* since 1601-01-01, on the host's epoch */
void KeQuerySystemTimePrecise(PLARGE_INTEGER CurrentTime);
void KeStallExecutionProcessor(ULONG MicroSeconds);    /* busy-wait; on a virtual clock it moves the clock */

/* Debug output: DbgPrint formats with Windows semantics (%lx is 32 bits, %I64x 64, %ws/%wZ wide) and goes to the
   host's debug log. Returns STATUS_SUCCESS. */
ULONG DbgPrint(PCSTR Format, ...);
ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...);
#define DPFLTR_IHVDRIVER_ID 77
#define DPFLTR_ERROR_LEVEL 0
#define DPFLTR_WARNING_LEVEL 1
#define DPFLTR_TRACE_LEVEL 2
#define DPFLTR_INFO_LEVEL 3
#define KdPrint(args) DbgPrint args
#define KdPrintEx(args) DbgPrintEx args

/* WPP software tracing without the WPP preprocessor: starting and stopping it do nothing (see mpt/wpp_tmh.h).
   WPP_INIT_TRACING(DriverObject, RegistryPath) and WPP_CLEANUP(DriverObject); a Storport miniport's template adds a
   STORAGE_TRACE_INIT_INFO (stortrce.h) and a context: nothing of it is read, its TraceContext stays as the driver set
   it (NULL), as when tracing could not be set up, and the driver's cleanup routine is never called. */
#define WPP_INIT_TRACING(...) ((void)0)
#define WPP_CLEANUP(...) ((void)0)

/* Stops the adapter whose routine runs with the given bug check (KeBugCheckEx); does not return. */
__attribute__((noreturn)) void KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR P1, ULONG_PTR P2, ULONG_PTR P3, ULONG_PTR P4);
/* ASSERT and ASSERTMSG are checked-build assertions, as in Windows (and as NT_ASSERT, ntdef.h): with DBG set a failed
   one is a bug check (0x1E with STATUS_ASSERTION_FAILURE's value, P2 the line); in a free build (no DBG, as a driver's
   Release configuration) the expression is not evaluated at all. */
#if defined(DBG) && DBG
#define ASSERT(e) ((e) ? (void)0 : KeBugCheckEx(0x1E, 0xC0000420, __LINE__, 0, 0))
#define ASSERTMSG(Message, e) ((void)(Message), ASSERT(e))
#else
#define ASSERT(e) ((void)0)
#define ASSERTMSG(Message, e) ((void)0)
#endif

/* More clock reads: the performance counter (10 MHz here), the clock-interrupt period and count (100 ns; the host's
   Windows clock tick, 15.625 ms by default), and the timer resolution (100 ns; the engine is always precise). */
LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency);
ULONG KeQueryTimeIncrement(void);
VOID KeQueryTickCount(PLARGE_INTEGER CurrentCount);
ULONG ExSetTimerResolution(ULONG DesiredTime, BOOLEAN SetResolution);

/* ---- more of the DPC object: importance, target processor, and the DPC watchdog's counters ---- */
typedef enum _KDPC_IMPORTANCE { LowImportance, MediumImportance, HighImportance, MediumHighImportance } KDPC_IMPORTANCE;
/* Importance decides where KeInsertQueueDpc puts the DPC: HighImportance at the head of the host's DPC queue, the
   others at the tail (one dispatcher here, so there is no other processor to interrupt). IRQL: any. */
VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance);
/* The processor the DPC is to run on; recorded (the host has one dispatcher). Number < the processor count. */
VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number);
typedef struct _PROCESSOR_NUMBER { USHORT Group; UCHAR Number; UCHAR Reserved; } PROCESSOR_NUMBER, *PPROCESSOR_NUMBER;
typedef struct _GROUP_AFFINITY { KAFFINITY Mask; USHORT Group; USHORT Reserved[3]; } GROUP_AFFINITY, *PGROUP_AFFINITY;
C_ASSERT(sizeof(PROCESSOR_NUMBER) == 4 && sizeof(GROUP_AFFINITY) == 16);
/* STATUS_SUCCESS, or STATUS_INVALID_PARAMETER for a group or number the host does not have. */
NTSTATUS KeSetTargetProcessorDpcEx(PKDPC Dpc, PPROCESSOR_NUMBER ProcNumber);
/* The DPC watchdog's limits and what the running DPC has used, in clock ticks (KeQueryTimeIncrement). IRQL: any. */
typedef struct _KDPC_WATCHDOG_INFORMATION { ULONG DpcTimeLimit; ULONG DpcTimeCount; ULONG DpcWatchdogLimit; ULONG DpcWatchdogCount; ULONG Reserved; } KDPC_WATCHDOG_INFORMATION, *PKDPC_WATCHDOG_INFORMATION;
NTSTATUS KeQueryDpcWatchdogInformation(PKDPC_WATCHDOG_INFORMATION WatchdogInformation);
/* Takes the lock if it is free, without waiting; TRUE when taken. IRQL: DISPATCH_LEVEL. */
BOOLEAN KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
/* The processor a routine runs on: 0 (the host dispatches on one). */
ULONG KeGetCurrentProcessorNumberEx(PPROCESSOR_NUMBER ProcNumber);
#define KeGetCurrentProcessorNumber() KeGetCurrentProcessorNumberEx(NULL)
/* How many processors the host models: 1. */
ULONG KeQueryActiveProcessorCountEx(USHORT GroupNumber);
#define ALL_PROCESSOR_GROUPS 0xffff

/* ---- pool memory (C, plain data-structure work): nonpaged memory from the process heap, not zeroed ---- */
typedef enum _POOL_TYPE { NonPagedPool = 0, NonPagedPoolExecute = 0, PagedPool = 1, NonPagedPoolMustSucceed = 2, NonPagedPoolNx = 512 } POOL_TYPE;
typedef enum _EX_POOL_PRIORITY { LowPoolPriority = 0, NormalPoolPriority = 16, HighPoolPriority = 32 } EX_POOL_PRIORITY;
/* NULL when out of memory or NumberOfBytes is 0. Paged pool requires IRQL < DISPATCH_LEVEL (else bug check 0xC4). */
PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
VOID ExFreePoolWithTag(PVOID P, ULONG Tag);
VOID ExFreePool(PVOID P);

/* ---- memory descriptor lists: here an MDL always describes mapped, resident memory (MappedSystemVa) ---- */
typedef struct _MDL {
    struct _MDL *Next;
    CSHORT Size;
    CSHORT MdlFlags;
    PVOID Process;
    PVOID MappedSystemVa;
    PVOID StartVa;
    ULONG ByteCount;
    ULONG ByteOffset;
} MDL, *PMDL;
C_ASSERT(sizeof(MDL) == 48 && FIELD_OFFSET(MDL, MappedSystemVa) == 24 && FIELD_OFFSET(MDL, ByteCount) == 40);
#define MDL_MAPPED_TO_SYSTEM_VA 0x0001
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MdlMappingNoWrite 0x80000000
#define MdlMappingNoExecute 0x40000000
typedef enum _MM_PAGE_PRIORITY { LowPagePriority = 0, NormalPagePriority = 16, HighPagePriority = 32 } MM_PAGE_PRIORITY;
#define MmGetMdlByteCount(Mdl) ((Mdl)->ByteCount)
#define MmGetMdlByteOffset(Mdl) ((Mdl)->ByteOffset)
#define MmGetMdlVirtualAddress(Mdl) ((PVOID)((PCHAR)(Mdl)->StartVa + (Mdl)->ByteOffset))
#define MmGetSystemAddressForMdlSafe(Mdl, Priority) ((Mdl)->MappedSystemVa)
#define NDIS_MDL_LINKAGE(Mdl) ((Mdl)->Next)

/* Opaque objects a miniport only passes along. */
typedef struct _DEVICE_OBJECT *PDEVICE_OBJECT;
typedef struct _DRIVER_OBJECT *PDRIVER_OBJECT;
/* The driver object DriverEntry receives: the documented leading members; the host zero-fills it and keeps it for
   the driver's lifetime (DeviceObject stays NULL: there is no WDM device stack here). */
typedef struct _DRIVER_OBJECT {
    CSHORT Type;
    CSHORT Size;
    PDEVICE_OBJECT DeviceObject;
    ULONG Flags;
    PVOID DriverStart;
    ULONG DriverSize;
    PVOID DriverSection;
    PVOID DriverExtension;
    UNICODE_STRING DriverName;
    PUNICODE_STRING HardwareDatabase;
    PVOID FastIoDispatch;
    PVOID DriverInit;
    PVOID DriverStartIo;
    PVOID DriverUnload;
    PVOID MajorFunction[28];
} DRIVER_OBJECT;
C_ASSERT(FIELD_OFFSET(DRIVER_OBJECT, DeviceObject) == 8 && FIELD_OFFSET(DRIVER_OBJECT, DriverName) == 56 && sizeof(DRIVER_OBJECT) == 336);

/* ---- HAL port I/O (issue 23, the NDIS 5 view's NdisRawRead/WritePort* are macros over these, as in the WDK) ----
   Port is a port number inside an I/O BAR the adapter of the calling routine registered (NdisMRegisterIoPortRange);
   the device model answers. Any IRQL. A port no registered range covers is PAGE_FAULT_IN_NONPAGED_AREA (0x50). */
UCHAR READ_PORT_UCHAR(PUCHAR Port);
USHORT READ_PORT_USHORT(PUSHORT Port);
ULONG READ_PORT_ULONG(PULONG Port);
VOID WRITE_PORT_UCHAR(PUCHAR Port, UCHAR Value);
VOID WRITE_PORT_USHORT(PUSHORT Port, USHORT Value);
VOID WRITE_PORT_ULONG(PULONG Port, ULONG Value);
