/*
 * An NDIS 6 miniport written by the MiniportTimers project to test how the shim survives a bug check (issue 21 §3).
 * Every adapter runs a work round each millisecond (an NDIS 5 miniport timer, NdisMSetPeriodicTimer): it takes every
 * driver-global piece of shim state in turn and checks that the locks still exclude:
 *  - the NDIS 5 read-write lock g_rw: a recursive read, then a write (NdisAcquireReadWriteLock);
 *  - the NDIS 6.20 read-write lock g_rwEx: a read, then a write (NdisAcquireRWLockRead/Write);
 *  - both read hand over hand (released out of the order they were taken);
 *  - the NDIS spin lock g_spin (NdisAcquireSpinLock);
 *  - the lookaside lists g_frames (the system's allocator) and g_custom (the driver's own Allocate routine);
 *  - an NBL from the NET_BUFFER_LIST pool g_pool.
 * On command (OID_UNWIND_INJECT) one adapter takes some of that state and raises a bug check while it holds it: now,
 * in the OID request (PASSIVE_LEVEL); in its next work round (a timer callback, DISPATCH_LEVEL); or in
 * MiniportDriverUnload. The test then checks that the other adapters keep working, exactly.
 *
 * OIDs (vendor-specific):
 *   OID_UNWIND_INJECT (set)   UNWIND_COMMAND: what to hold and where.
 *   OID_UNWIND_WORK (set)     one work round now, in the request (PASSIVE_LEVEL).
 *   OID_UNWIND_STATS (query)  UNWIND_STATS: this adapter's rounds; the driver's lock violations.
 * Ndis6UnwindRescue (exported): frees the driver's locks by hand, for a test that found a dispatcher spinning on a
 * lock the shim failed to give back (the failure this driver exists to catch): the test then ends instead of hanging.
 */
#include <ndis.h>

#define TAG 'WUTM'
#define MAX_ADAPTERS 8
#define OID_UNWIND_INJECT 0xFF554E01u
#define OID_UNWIND_WORK 0xFF554E02u
#define OID_UNWIND_STATS 0xFF554E03u
#define MANUALLY_INITIATED_CRASH 0xE2
#define LOOKASIDE_DRAIN_LIMIT 1024

/* What an injection holds when it raises its bug check. */
typedef enum _UNWIND_PATH {
    PathNone,
    PathRwRead,            /* g_rw read, then KeBugCheckEx */
    PathRwReadRecursive,   /* g_rw read twice, then KeBugCheckEx */
    PathRwWrite,           /* g_rw write, then KeBugCheckEx */
    PathRwExRead,          /* g_rwEx read, then KeBugCheckEx */
    PathRwExWrite,         /* g_rwEx write, then KeBugCheckEx */
    PathRwWriteReentered,  /* g_rw write, then write again: the shim's own 0x0F */
    PathRwReadUpgraded,    /* g_rw read, then write: the shim's own 0x0F */
    PathRwReadThenSleep,   /* g_rw read (DISPATCH_LEVEL), then NdisMSleep: the host's 0x0A */
    PathSpinLock,          /* g_spin, then KeBugCheckEx */
    PathEverything,        /* g_rw read, g_rwEx write, g_spin (Dpr), g_rw read again, then KeBugCheckEx */
    PathLookasideAllocate, /* g_custom's Allocate routine raises the bug check */
    PathLookasideDelete,   /* an entry of g_frames out, then NdisDeleteNPagedLookasideList: 0xC4 */
    PathNblPoolFree,       /* an NBL of g_pool out, then NdisFreeNetBufferListPool: 0xC4 */
    PathTimerReinitialize, /* NdisMInitializeTimer on another adapter's queued work timer: 0xC7 (0x0A at DISPATCH) */
    PathPrint,             /* DbgPrint as the routine's last DDI (the test's DebugPrinted handler throws) */
    PathNestedSynchronize, /* g_rw read, then NdisMSynchronizeWithInterruptEx whose routine takes g_rwEx write and
                              raises the bug check: two trampolines unwind, each gives back its own */
    PathCount
} UNWIND_PATH;

typedef enum _UNWIND_WHERE { WhereNow, WhereNextRound, WhereUnload } UNWIND_WHERE;

typedef struct _UNWIND_COMMAND { ULONG Path; ULONG Where; } UNWIND_COMMAND;
typedef struct _UNWIND_STATS { ULONG64 Rounds; ULONG Violations; ULONG Instance; } UNWIND_STATS;

typedef struct _ADAPTER {
    NDIS_HANDLE AdapterHandle;
    ULONG Instance;
    NDIS_MINIPORT_TIMER WorkTimer;
    NDIS_HANDLE Interrupt;
    volatile LONG64 Rounds;
    volatile LONG Inject;             /* an UNWIND_PATH for the next work round, or PathNone */
} ADAPTER, *PADAPTER;

static NDIS_HANDLE g_driverHandle;
static PADAPTER g_adapters[MAX_ADAPTERS];
static LONG g_instances;
static NDIS_RW_LOCK g_rw;
static PNDIS_RW_LOCK_EX g_rwEx;
static NDIS_SPIN_LOCK g_spin;
static NPAGED_LOOKASIDE_LIST g_frames;
static NPAGED_LOOKASIDE_LIST g_custom;
static NDIS_HANDLE g_pool;
static volatile LONG g_unloadInject;  /* an UNWIND_PATH for MiniportDriverUnload */
static volatile LONG g_violations;

/* Who is inside each lock now: the work round's exclusion check. */
static volatile LONG g_rwReaders, g_rwWriters, g_rwExReaders, g_rwExWriters, g_spinInside;

/* The test hook of PathLookasideAllocate: set on the injecting thread just before its allocation, cleared by the
   Allocate routine before it raises the bug check (so nothing of it survives the unwind). */
static __thread BOOLEAN t_faultNextAllocate;

static VOID Violation(void) { InterlockedIncrement(&g_violations); }

/* Lets another thread inside the lock meanwhile, if the lock were broken. */
static VOID Linger(void)
{
    for (volatile int i = 0; i < 200; i++) {
    }
}

static VOID Reading(volatile LONG *readers, volatile LONG *writers)
{
    InterlockedIncrement(readers);
    if (*writers != 0) Violation();
    Linger();
    if (*writers != 0) Violation();
    InterlockedDecrement(readers);
}

static VOID Writing(volatile LONG *readers, volatile LONG *writers)
{
    if (InterlockedIncrement(writers) != 1) Violation();
    if (*readers != 0) Violation();
    Linger();
    if (*readers != 0 || *writers != 1) Violation();
    InterlockedDecrement(writers);
}

static PVOID AllocateCustom(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    if (t_faultNextAllocate) {
        t_faultNextAllocate = FALSE;
        KeBugCheckEx(MANUALLY_INITIATED_CRASH, PathLookasideAllocate, 0, 0, 0);
    }
    return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag);
}

static VOID FreeCustom(PVOID Buffer) { ExFreePool(Buffer); }

/* One round over every piece of shared state. Any IRQL up to DISPATCH_LEVEL. */
static VOID WorkRound(PADAPTER adapter)
{
    LOCK_STATE outer, inner;
    NdisAcquireReadWriteLock(&g_rw, FALSE, &outer);
    NdisAcquireReadWriteLock(&g_rw, FALSE, &inner); /* NDIS allows a reader to read again */
    Reading(&g_rwReaders, &g_rwWriters);
    NdisReleaseReadWriteLock(&g_rw, &inner);
    NdisReleaseReadWriteLock(&g_rw, &outer);
    NdisAcquireReadWriteLock(&g_rw, TRUE, &outer);
    Writing(&g_rwReaders, &g_rwWriters);
    NdisReleaseReadWriteLock(&g_rw, &outer);

    LOCK_STATE_EX ex;
    NdisAcquireRWLockRead(g_rwEx, &ex, 0);
    Reading(&g_rwExReaders, &g_rwExWriters);
    NdisReleaseRWLock(g_rwEx, &ex);
    NdisAcquireRWLockWrite(g_rwEx, &ex, 0);
    Writing(&g_rwExReaders, &g_rwExWriters);
    NdisReleaseRWLock(g_rwEx, &ex);

    /* Hand over hand, at DISPATCH_LEVEL: each read released before the one taken after it. */
    KIRQL irql;
    KeRaiseIrql(DISPATCH_LEVEL, &irql);
    NdisAcquireReadWriteLock(&g_rw, FALSE, &outer);
    NdisAcquireRWLockRead(g_rwEx, &ex, NDIS_RWL_AT_DISPATCH_LEVEL);
    NdisReleaseReadWriteLock(&g_rw, &outer);
    NdisAcquireReadWriteLock(&g_rw, FALSE, &outer);
    NdisReleaseRWLock(g_rwEx, &ex);
    NdisReleaseReadWriteLock(&g_rw, &outer);
    KeLowerIrql(irql);

    NdisAcquireSpinLock(&g_spin);
    if (InterlockedIncrement(&g_spinInside) != 1) Violation();
    Linger();
    InterlockedDecrement(&g_spinInside);
    NdisReleaseSpinLock(&g_spin);

    PVOID frame = NdisAllocateFromNPagedLookasideList(&g_frames);
    PVOID custom = NdisAllocateFromNPagedLookasideList(&g_custom);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(g_pool, 0, 0);
    if (frame == NULL || custom == NULL || nbl == NULL) Violation();
    if (nbl != NULL) NdisFreeNetBufferList(nbl);
    if (custom != NULL) NdisFreeToNPagedLookasideList(&g_custom, custom);
    if (frame != NULL) NdisFreeToNPagedLookasideList(&g_frames, frame);
    InterlockedIncrement(&adapter->Rounds) /* the gcc builtin is 64 bits on a LONG64 */;
}

static VOID WorkTimer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3);

/* The interrupt exists for NdisMSynchronizeWithInterruptEx: it never claims one. */
static BOOLEAN Isr(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors)
{
    UNREFERENCED_PARAMETER(MiniportInterruptContext);
    UNREFERENCED_PARAMETER(TargetProcessors);
    *QueueDefaultInterruptDpc = FALSE;
    return FALSE;
}

static VOID InterruptDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext, PVOID ReceiveThrottleParameters, PVOID NdisReserved2)
{
    UNREFERENCED_PARAMETER(MiniportInterruptContext);
    UNREFERENCED_PARAMETER(MiniportDpcContext);
    UNREFERENCED_PARAMETER(ReceiveThrottleParameters);
    UNREFERENCED_PARAMETER(NdisReserved2);
}

/* PathNestedSynchronize's inner routine, at the device IRQL (the shim does not check a read-write lock's IRQL). */
static BOOLEAN SynchronizedFault(NDIS_HANDLE SynchronizeContext)
{
    LOCK_STATE_EX x;
    UNREFERENCED_PARAMETER(SynchronizeContext);
    NdisAcquireRWLockWrite(g_rwEx, &x, NDIS_RWL_AT_DISPATCH_LEVEL);
    KeBugCheckEx(MANUALLY_INITIATED_CRASH, PathNestedSynchronize, 3, 0, 0);
}

/* Takes the state PATH names and raises a bug check while holding it. Returns only for PathNone. */
static VOID Inject(PADAPTER adapter, ULONG path)
{
    LOCK_STATE s1, s2;
    LOCK_STATE_EX x;
    switch (path) {
    case PathRwRead:
        NdisAcquireReadWriteLock(&g_rw, FALSE, &s1);
        KeBugCheckEx(MANUALLY_INITIATED_CRASH, path, 0, 0, 0);
    case PathRwReadRecursive:
        NdisAcquireReadWriteLock(&g_rw, FALSE, &s1);
        NdisAcquireReadWriteLock(&g_rw, FALSE, &s2);
        KeBugCheckEx(MANUALLY_INITIATED_CRASH, path, 0, 0, 0);
    case PathRwWrite:
        NdisAcquireReadWriteLock(&g_rw, TRUE, &s1);
        KeBugCheckEx(MANUALLY_INITIATED_CRASH, path, 0, 0, 0);
    case PathRwExRead:
        NdisAcquireRWLockRead(g_rwEx, &x, 0);
        KeBugCheckEx(MANUALLY_INITIATED_CRASH, path, 0, 0, 0);
    case PathRwExWrite:
        NdisAcquireRWLockWrite(g_rwEx, &x, 0);
        KeBugCheckEx(MANUALLY_INITIATED_CRASH, path, 0, 0, 0);
    case PathRwWriteReentered:
        NdisAcquireReadWriteLock(&g_rw, TRUE, &s1);
        NdisAcquireReadWriteLock(&g_rw, TRUE, &s2); /* 0x0F: a writer re-entering */
        break;
    case PathRwReadUpgraded:
        NdisAcquireReadWriteLock(&g_rw, FALSE, &s1);
        NdisAcquireReadWriteLock(&g_rw, TRUE, &s2); /* 0x0F: upgrading read to write */
        break;
    case PathRwReadThenSleep:
        NdisAcquireReadWriteLock(&g_rw, FALSE, &s1);
        NdisMSleep(10); /* 0x0A: at DISPATCH_LEVEL */
        break;
    case PathSpinLock:
        NdisAcquireSpinLock(&g_spin);
        KeBugCheckEx(MANUALLY_INITIATED_CRASH, path, 0, 0, 0);
    case PathEverything:
        NdisAcquireReadWriteLock(&g_rw, FALSE, &s1);
        NdisAcquireRWLockWrite(g_rwEx, &x, NDIS_RWL_AT_DISPATCH_LEVEL);
        NdisDprAcquireSpinLock(&g_spin);
        NdisAcquireReadWriteLock(&g_rw, FALSE, &s2);
        KeBugCheckEx(MANUALLY_INITIATED_CRASH, path, 0, 0, 0);
    case PathLookasideAllocate:
        /* Empty the list (what it holds leaks with this adapter), so the next allocation calls the Allocate routine. */
        t_faultNextAllocate = FALSE;
        for (int i = 0; i < LOOKASIDE_DRAIN_LIMIT && g_custom.ListHead.Next != NULL; i++) {
            (void)NdisAllocateFromNPagedLookasideList(&g_custom);
        }
        t_faultNextAllocate = TRUE;
        (void)NdisAllocateFromNPagedLookasideList(&g_custom);
        t_faultNextAllocate = FALSE; /* another thread refilled the list meanwhile: no bug check */
        KeBugCheckEx(MANUALLY_INITIATED_CRASH, path, 1, 0, 0);
    case PathLookasideDelete:
        (void)NdisAllocateFromNPagedLookasideList(&g_frames);
        NdisDeleteNPagedLookasideList(&g_frames); /* 0xC4: an entry is out */
        break;
    case PathNblPoolFree:
        (void)NdisAllocateNetBufferList(g_pool, 0, 0);
        NdisFreeNetBufferListPool(g_pool); /* 0xC4: an NBL is out */
        break;
    case PathTimerReinitialize:
        for (int i = 0; i < MAX_ADAPTERS; i++) {
            PADAPTER other = g_adapters[i];
            if (other != NULL && other != adapter) {
                /* 0xC7 (the timer is queued), or 0x0A from a timer callback: the host keeps the other's timer as it was */
                NdisMInitializeTimer(&other->WorkTimer, other->AdapterHandle, WorkTimer, adapter);
                break;
            }
        }
        break;
    case PathPrint:
        DbgPrint("Inject print by %u\n", adapter->Instance); /* the routine's last DDI */
        return;
    case PathNestedSynchronize:
        NdisAcquireReadWriteLock(&g_rw, FALSE, &s1);
        (void)NdisMSynchronizeWithInterruptEx(adapter->Interrupt, 0, (PVOID)SynchronizedFault, adapter);
        break;
    default:
        return;
    }
    KeBugCheckEx(MANUALLY_INITIATED_CRASH, path, 2, 0, 0); /* the misuse above did not stop the adapter */
}

static VOID WorkTimer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2, PVOID SystemSpecific3)
{
    PADAPTER adapter = (PADAPTER)FunctionContext;
    UNREFERENCED_PARAMETER(SystemSpecific1);
    UNREFERENCED_PARAMETER(SystemSpecific2);
    UNREFERENCED_PARAMETER(SystemSpecific3);
    LONG path = InterlockedExchange(&adapter->Inject, PathNone);
    if (path != PathNone) {
        Inject(adapter, (ULONG)path);
        return;
    }
    WorkRound(adapter);
}

static NDIS_STATUS OidRequest(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    if (OidRequest->RequestType == NdisRequestQueryInformation && OidRequest->DATA.QUERY_INFORMATION.Oid == OID_UNWIND_STATS) {
        struct _QUERY *query = &OidRequest->DATA.QUERY_INFORMATION;
        if (query->InformationBufferLength < sizeof(UNWIND_STATS)) {
            query->BytesNeeded = sizeof(UNWIND_STATS);
            return NDIS_STATUS_BUFFER_TOO_SHORT;
        }
        UNWIND_STATS stats = { (ULONG64)adapter->Rounds, (ULONG)g_violations, adapter->Instance };
        NdisMoveMemory(query->InformationBuffer, &stats, sizeof stats);
        query->BytesWritten = sizeof stats;
        return NDIS_STATUS_SUCCESS;
    }
    if (OidRequest->RequestType != NdisRequestSetInformation) {
        return NDIS_STATUS_NOT_SUPPORTED;
    }
    struct _SET *set = &OidRequest->DATA.SET_INFORMATION;
    switch (set->Oid) {
    case OID_UNWIND_WORK:
        WorkRound(adapter);
        return NDIS_STATUS_SUCCESS;
    case OID_UNWIND_INJECT: {
        if (set->InformationBufferLength < sizeof(UNWIND_COMMAND)) {
            set->BytesNeeded = sizeof(UNWIND_COMMAND);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        UNWIND_COMMAND command;
        NdisMoveMemory(&command, set->InformationBuffer, sizeof command);
        set->BytesRead = sizeof command;
        if (command.Path == PathNone || command.Path >= PathCount) {
            return NDIS_STATUS_INVALID_DATA;
        }
        switch (command.Where) {
        case WhereNow:
            Inject(adapter, command.Path);
            return NDIS_STATUS_SUCCESS;
        case WhereNextRound:
            InterlockedExchange(&adapter->Inject, (LONG)command.Path);
            return NDIS_STATUS_SUCCESS;
        case WhereUnload:
            InterlockedExchange(&g_unloadInject, (LONG)command.Path);
            return NDIS_STATUS_SUCCESS;
        default:
            return NDIS_STATUS_INVALID_DATA;
        }
    }
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

static NDIS_STATUS Initialize(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportDriverContext, PNDIS_MINIPORT_INIT_PARAMETERS InitParameters)
{
    UNREFERENCED_PARAMETER(MiniportDriverContext);
    UNREFERENCED_PARAMETER(InitParameters);
    LONG instance = InterlockedIncrement(&g_instances);
    if (instance > MAX_ADAPTERS) {
        return NDIS_STATUS_RESOURCES;
    }
    PADAPTER adapter = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof(ADAPTER), TAG, NormalPoolPriority);
    if (adapter == NULL) {
        return NDIS_STATUS_RESOURCES;
    }
    NdisZeroMemory(adapter, sizeof *adapter);
    adapter->AdapterHandle = MiniportAdapterHandle;
    adapter->Instance = (ULONG)instance;

    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES registration;
    NdisZeroMemory(&registration, sizeof registration);
    registration.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    registration.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    registration.MiniportAdapterContext = adapter;
    registration.InterfaceType = NdisInterfaceInternal;
    NDIS_STATUS status = NdisMSetMiniportAttributes(MiniportAdapterHandle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&registration);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(adapter, sizeof *adapter, 0);
        return status;
    }
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS interrupt;
    NdisZeroMemory(&interrupt, sizeof interrupt);
    interrupt.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
    interrupt.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
    interrupt.Header.Size = sizeof interrupt;
    interrupt.InterruptHandler = Isr;
    interrupt.InterruptDpcHandler = InterruptDpc;
    status = NdisMRegisterInterruptEx(MiniportAdapterHandle, adapter, &interrupt, &adapter->Interrupt);
    if (status != NDIS_STATUS_SUCCESS) {
        NdisFreeMemory(adapter, sizeof *adapter, 0);
        return status;
    }
    NdisMInitializeTimer(&adapter->WorkTimer, MiniportAdapterHandle, WorkTimer, adapter);
    g_adapters[instance - 1] = adapter;
    NdisMSetPeriodicTimer(&adapter->WorkTimer, 1);
    return NDIS_STATUS_SUCCESS;
}

static VOID Halt(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PADAPTER adapter = (PADAPTER)MiniportAdapterContext;
    BOOLEAN cancelled;
    UNREFERENCED_PARAMETER(HaltAction);
    NdisMCancelTimer(&adapter->WorkTimer, &cancelled);
    KeFlushQueuedDpcs();
    NdisMDeregisterInterruptEx(adapter->Interrupt);
    g_adapters[adapter->Instance - 1] = NULL;
    NdisFreeMemory(adapter, sizeof *adapter, 0);
}

static VOID Unload(PDRIVER_OBJECT DriverObject)
{
    UNREFERENCED_PARAMETER(DriverObject);
    LONG path = InterlockedExchange(&g_unloadInject, PathNone);
    if (path != PathNone) {
        Inject(NULL, (ULONG)path);
    }
    NdisFreeNetBufferListPool(g_pool);
    NdisFreeRWLock(g_rwEx);
    NdisFreeSpinLock(&g_spin);
    NdisDeleteNPagedLookasideList(&g_custom);
    NdisDeleteNPagedLookasideList(&g_frames);
    NdisMDeregisterMiniportDriver(g_driverHandle);
}

/* For a test that found a dispatcher spinning on a lock the shim did not give back: frees the locks by hand. */
__attribute__((visibility("default"))) VOID Ndis6UnwindRescue(void)
{
    NdisInitializeReadWriteLock(&g_rw);
    if (g_rwEx != NULL) {
        NdisInitializeReadWriteLock((PNDIS_RW_LOCK)g_rwEx); /* the shim's NDIS_RW_LOCK_EX begins with an NDIS_RW_LOCK */
    }
}

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    NdisZeroMemory(&c, sizeof c);
    c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    c.MajorNdisVersion = 6;
    c.MinorNdisVersion = 20;
    c.InitializeHandlerEx = Initialize;
    c.HaltHandlerEx = Halt;
    c.UnloadHandler = Unload;
    c.OidRequestHandler = OidRequest;
    for (int i = 0; i < MAX_ADAPTERS; i++) g_adapters[i] = NULL;
    g_instances = 0;
    g_unloadInject = PathNone;
    g_violations = 0;
    g_rwReaders = g_rwWriters = g_rwExReaders = g_rwExWriters = g_spinInside = 0;
    NdisInitializeReadWriteLock(&g_rw);
    NdisAllocateSpinLock(&g_spin);
    NdisInitializeNPagedLookasideList(&g_frames, NULL, NULL, 0, 64, TAG, 0);
    NdisInitializeNPagedLookasideList(&g_custom, AllocateCustom, FreeCustom, 0, 64, TAG, 0);
    NDIS_STATUS status = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, NULL, &c, &g_driverHandle);
    if (status != NDIS_STATUS_SUCCESS) {
        return status;
    }
    g_rwEx = NdisAllocateRWLock(g_driverHandle);
    NET_BUFFER_LIST_POOL_PARAMETERS pool;
    NdisZeroMemory(&pool, sizeof pool);
    pool.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pool.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pool.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pool.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    pool.PoolTag = TAG;
    g_pool = NdisAllocateNetBufferListPool(g_driverHandle, &pool);
    return g_rwEx != NULL && g_pool != NULL ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
}
