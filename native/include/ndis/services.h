/*
 * MiniportTimers: the NDIS services around the timers that a miniport needs to start at all. Where each lives
 * (docs/native.md has the table):
 *  - C (native/shim/ndis_*.c), plain data-structure work: memory, lookaside lists, configuration (an in-memory
 *    registry per adapter, empty unless a test writes it), strings, Ethernet address helpers;
 *  - C# (through the bridge), semantics that are the product's: IRQL, NDIS I/O work items, NdisMSleep on the virtual
 *    clock, and the read-write locks' IRQL (they raise to DISPATCH_LEVEL like spin locks).
 */
#pragma once

typedef UNICODE_STRING NDIS_STRING, *PNDIS_STRING;
#define NDIS_STRING_CONST(x) RTL_CONSTANT_STRING(L##x)

/* ---- memory (C) ---- */
/* NULL when short or Length is 0. IRQL <= DISPATCH_LEVEL. Not zeroed. */
PVOID NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length, ULONG Tag, EX_POOL_PRIORITY Priority);
NDIS_STATUS NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT Length, ULONG Tag);
/* Length and MemoryFlags must match the allocation (0 for tag-priority memory). */
VOID NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags);
VOID NdisFreeMemoryWithTagPriority(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, ULONG Tag);
/* The cache-line size data shared between processors should be aligned to: 64 here. */
ULONG NdisGetSharedDataAlignment(void);

/* ---- lookaside lists (C): a free list in front of Allocate/Free, at most Depth entries kept ---- */
typedef PVOID ALLOCATE_FUNCTION(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag);
typedef ALLOCATE_FUNCTION *PALLOCATE_FUNCTION;
typedef VOID FREE_FUNCTION(PVOID Buffer);
typedef FREE_FUNCTION *PFREE_FUNCTION;
typedef struct DECLSPEC_ALIGN(64) _NPAGED_LOOKASIDE_LIST {
    SINGLE_LIST_ENTRY ListHead;
    KSPIN_LOCK Lock;                   /* a plain mutex word of the shim, not a host spin lock */
    USHORT Depth;
    USHORT MaximumDepth;
    ULONG TotalAllocates;
    ULONG AllocateMisses;
    ULONG TotalFrees;
    ULONG FreeMisses;
    POOL_TYPE Type;
    ULONG Tag;
    ULONG Size;
    PALLOCATE_FUNCTION Allocate;
    PFREE_FUNCTION Free;
    ULONG Outstanding;                 /* allocated and not freed: must be 0 at NdisDeleteNPagedLookasideList */
} NPAGED_LOOKASIDE_LIST, *PNPAGED_LOOKASIDE_LIST;
C_ASSERT(sizeof(NPAGED_LOOKASIDE_LIST) <= 128);
VOID NdisInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate, PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth);
/* Entries still allocated are a bug check (0xC4, as Driver Verifier reports a leak). */
VOID NdisDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside);
PVOID NdisAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside);
VOID NdisFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry);

/* ---- interlocked lists (C, over an NDIS spin lock, whose semantics are the host's) ---- */
PLIST_ENTRY NdisInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PNDIS_SPIN_LOCK SpinLock);
PLIST_ENTRY NdisInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PNDIS_SPIN_LOCK SpinLock);
PLIST_ENTRY NdisInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PNDIS_SPIN_LOCK SpinLock);

/* ---- configuration (C): an in-memory registry per miniport handle, empty until written ---- */
typedef enum _NDIS_PARAMETER_TYPE { NdisParameterInteger, NdisParameterHexInteger, NdisParameterString, NdisParameterMultiString, NdisParameterBinary } NDIS_PARAMETER_TYPE, *PNDIS_PARAMETER_TYPE;
typedef struct { USHORT Length; PVOID Buffer; } BINARY_DATA;
typedef struct _NDIS_CONFIGURATION_PARAMETER {
    NDIS_PARAMETER_TYPE ParameterType;
    union { ULONG IntegerData; NDIS_STRING StringData; BINARY_DATA BinaryData; } ParameterData;
} NDIS_CONFIGURATION_PARAMETER, *PNDIS_CONFIGURATION_PARAMETER;
#define NDIS_CONFIG_FLAG_FILTER_INSTANCE_CONFIGURATION 0x00000001
#define NDIS_CONFIGURATION_OBJECT_REVISION_1 1
typedef struct _NDIS_CONFIGURATION_OBJECT { NDIS_OBJECT_HEADER Header; NDIS_HANDLE NdisHandle; ULONG Flags; } NDIS_CONFIGURATION_OBJECT, *PNDIS_CONFIGURATION_OBJECT;
#define NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1 ((USHORT)RTL_SIZEOF_THROUGH_FIELD(NDIS_CONFIGURATION_OBJECT, Flags))
/* NDIS_STATUS_SUCCESS, NDIS_STATUS_INVALID_PARAMETER (bad object), NDIS_STATUS_RESOURCES. IRQL: PASSIVE_LEVEL. */
NDIS_STATUS NdisOpenConfigurationEx(PNDIS_CONFIGURATION_OBJECT ConfigObject, PNDIS_HANDLE ConfigurationHandle);
/* *Status NDIS_STATUS_FAILURE when the keyword is absent (the miniport uses its default). The parameter stays valid
   until NdisCloseConfiguration. */
VOID NdisReadConfiguration(PNDIS_STATUS Status, PNDIS_CONFIGURATION_PARAMETER *ParameterValue, NDIS_HANDLE ConfigurationHandle, PNDIS_STRING Keyword, NDIS_PARAMETER_TYPE ParameterType);
VOID NdisWriteConfiguration(PNDIS_STATUS Status, NDIS_HANDLE ConfigurationHandle, PNDIS_STRING Keyword, PNDIS_CONFIGURATION_PARAMETER ParameterValue);
/* The NetworkAddress keyword, as a MAC address: NDIS_STATUS_FAILURE when it is absent or malformed. */
VOID NdisReadNetworkAddress(PNDIS_STATUS Status, PVOID *NetworkAddress, PUINT NetworkAddressLength, NDIS_HANDLE ConfigurationHandle);
VOID NdisCloseConfiguration(NDIS_HANDLE ConfigurationHandle);

/* ---- NDIS I/O work items (C#): the routine runs at PASSIVE_LEVEL on the host's dispatcher, soon ---- */
typedef VOID NDIS_IO_WORKITEM_FUNCTION(PVOID WorkItemContext, NDIS_HANDLE NdisIoWorkItemHandle);
typedef NDIS_IO_WORKITEM_FUNCTION *NDIS_IO_WORKITEM_ROUTINE;
/* NULL for an unknown handle. IRQL <= DISPATCH_LEVEL. */
NDIS_HANDLE NdisAllocateIoWorkItem(NDIS_HANDLE NdisObjectHandle);
/* Queuing one already queued is a bug check (0xE4, WORKER_INVALID). IRQL <= DISPATCH_LEVEL. */
VOID NdisQueueIoWorkItem(NDIS_HANDLE NdisIoWorkItemHandle, NDIS_IO_WORKITEM_ROUTINE Routine, PVOID WorkItemContext);
/* Freeing one still queued is a bug check (0xE4). */
VOID NdisFreeIoWorkItem(NDIS_HANDLE NdisIoWorkItemHandle);

/* ---- waits (C#) ---- */
/* Sleeps at least MicrosecondsToSleep µs. IRQL: PASSIVE_LEVEL (else 0x0A). On a virtual clock the clock moves forward
   and what falls due runs, as NdisWaitEvent does. */
VOID NdisMSleep(ULONG MicrosecondsToSleep);

/* ---- read-write locks: raise to DISPATCH_LEVEL (C over the host's IRQL); readers share, a writer excludes ---- */
#ifndef MAXIMUM_PROCESSORS
#define MAXIMUM_PROCESSORS 64 /* x64 */
#endif
/* One processor's share of an NDIS_RW_LOCK: a count in a 16-byte slot. */
typedef union _NDIS_RW_LOCK_REFCOUNT { ULONG RefCount; UCHAR cacheLine[16]; } NDIS_RW_LOCK_REFCOUNT;
/* Reserved for NDIS (drivers only pass its address), the Windows x64 size: 16 bytes of a spin lock and a context
   pointer, then 16 bytes of reference count per processor, overlaid by a reference-count lock, a shared count and a
   writer-waiting flag. The emulation (ndis_rwlock.c) keeps its state in two of them: SpinLock is the writer (0, or the
   thread that holds or waits for write access) and SharedRefCount the number of read acquisitions held. */
typedef struct _NDIS_RW_LOCK {
    union {
        struct {
            KSPIN_LOCK SpinLock;
            PVOID Context;
        };
        UCHAR Reserved[16];
    };
    union {
        NDIS_RW_LOCK_REFCOUNT RefCount[MAXIMUM_PROCESSORS];
        ULONG RefCountEx[sizeof(NDIS_RW_LOCK_REFCOUNT) / sizeof(ULONG) * MAXIMUM_PROCESSORS];
        struct {
            KSPIN_LOCK RefCountLock;
            volatile ULONG SharedRefCount;
            volatile BOOLEAN WriterWaiting;
        };
    };
} NDIS_RW_LOCK, *PNDIS_RW_LOCK;
C_ASSERT(sizeof(NDIS_RW_LOCK_REFCOUNT) == 16);
C_ASSERT(sizeof(NDIS_RW_LOCK) == 1040);
C_ASSERT(FIELD_OFFSET(NDIS_RW_LOCK, Context) == 8 && FIELD_OFFSET(NDIS_RW_LOCK, RefCount) == 16);
C_ASSERT(FIELD_OFFSET(NDIS_RW_LOCK, SharedRefCount) == 24 && FIELD_OFFSET(NDIS_RW_LOCK, WriterWaiting) == 28);
typedef struct _LOCK_STATE { USHORT LockState; KIRQL OldIrql; } LOCK_STATE, *PLOCK_STATE;
VOID NdisInitializeReadWriteLock(PNDIS_RW_LOCK Lock);
/* fWrite TRUE: exclusive. A thread may take read access it already holds again; a writer re-entering deadlocks on
   Windows and is a bug check here (0x0F, SPIN_LOCK_ALREADY_OWNED). */
VOID NdisAcquireReadWriteLock(PNDIS_RW_LOCK Lock, BOOLEAN fWrite, PLOCK_STATE LockState);
VOID NdisReleaseReadWriteLock(PNDIS_RW_LOCK Lock, PLOCK_STATE LockState);
/* NDIS 6.20 RW locks: opaque, allocated by NdisAllocateRWLock (the same lock inside). */
typedef struct _NDIS_RW_LOCK_EX NDIS_RW_LOCK_EX, *PNDIS_RW_LOCK_EX;
typedef struct _LOCK_STATE_EX { KIRQL OldIrql; UCHAR LockState; UCHAR Flags; } LOCK_STATE_EX, *PLOCK_STATE_EX;
#define NDIS_RWL_AT_DISPATCH_LEVEL 0x1
PNDIS_RW_LOCK_EX NdisAllocateRWLock(NDIS_HANDLE NdisHandle);
VOID NdisFreeRWLock(PNDIS_RW_LOCK_EX Lock);
VOID NdisAcquireRWLockRead(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState, UCHAR Flags);
VOID NdisAcquireRWLockWrite(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState, UCHAR Flags);
VOID NdisReleaseRWLock(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState);

/* ---- IRQL helpers ---- */
#define NDIS_RAISE_IRQL_TO_DISPATCH(pIrql) KeRaiseIrql(DISPATCH_LEVEL, (pIrql))
#define NDIS_LOWER_IRQL(OldIrql, CurrentIrql) do { if ((OldIrql) != (CurrentIrql)) KeLowerIrql(OldIrql); } while (0)
#define NDIS_CURRENT_IRQL() KeGetCurrentIrql()

/* ---- Ethernet address helpers ---- */
#define ETH_IS_BROADCAST(Address) ((((PUCHAR)(Address))[0] & ((PUCHAR)(Address))[1] & ((PUCHAR)(Address))[2] & ((PUCHAR)(Address))[3] & ((PUCHAR)(Address))[4] & ((PUCHAR)(Address))[5]) == 0xFF)
#define ETH_IS_MULTICAST(Address) ((BOOLEAN)(((PUCHAR)(Address))[0] & 0x01))
#define ETH_COPY_NETWORK_ADDRESS(Destination, Source) RtlCopyMemory((Destination), (Source), ETH_LENGTH_OF_ADDRESS)

/* The device objects under the miniport: there is no WDM device stack here, so each one asked for receives NULL and
   the resource lists are not touched. IRQL: PASSIVE_LEVEL. */
VOID NdisMGetDeviceProperty(NDIS_HANDLE MiniportAdapterHandle, PDEVICE_OBJECT *PhysicalDeviceObject, PDEVICE_OBJECT *FunctionalDeviceObject, PDEVICE_OBJECT *NextDeviceObject, PVOID AllocatedResources, PVOID AllocatedResourcesTranslated);
