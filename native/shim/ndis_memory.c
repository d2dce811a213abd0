/*
 * MiniportTimers: NDIS and executive memory, lookaside lists and interlocked lists, in C (plain data-structure work;
 * ndis/services.h). Memory comes from the process heap and is not zeroed, as pool memory is not. The interlocked
 * lists take the caller's NDIS spin lock, whose IRQL and ownership rules are the host's.
 *
 * Synchronization: the lookaside list guards its free list with its own atomic flag (never held while calling the
 * driver's Allocate or Free routine); everything else is the caller's memory.
 */
#include <stdlib.h>
#include <string.h>
#define MPT_SHIM 1
#include <ndis.h>

#define MPT_BAD_POOL_CALLER 0xC2
#define MPT_DRIVER_VERIFIER_DETECTED_VIOLATION 0xC4

PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag)
{
    if (PoolType == PagedPool && KeGetCurrentIrql() >= DISPATCH_LEVEL) {
        /* Paged pool above APC_LEVEL: Driver Verifier's 0xC4 sub-code 0x1 (IRQL too high for the pool type). */
        KeBugCheckEx(MPT_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x1, KeGetCurrentIrql(), PoolType, NumberOfBytes);
    }
    (void)Tag;
    return NumberOfBytes == 0 ? NULL : malloc(NumberOfBytes);
}

VOID ExFreePoolWithTag(PVOID P, ULONG Tag)
{
    (void)Tag;
    if (P == NULL) {
        KeBugCheckEx(MPT_BAD_POOL_CALLER, 0x46, 0, 0, 0); /* freeing NULL */
    }
    free(P);
}

VOID ExFreePool(PVOID P) { ExFreePoolWithTag(P, 0); }

PVOID NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length, ULONG Tag, EX_POOL_PRIORITY Priority)
{
    (void)NdisHandle;
    (void)Priority;
    return ExAllocatePoolWithTag(NonPagedPoolNx, Length, Tag);
}

NDIS_STATUS NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT Length, ULONG Tag)
{
    *VirtualAddress = ExAllocatePoolWithTag(NonPagedPoolNx, Length, Tag);
    return *VirtualAddress == NULL ? NDIS_STATUS_FAILURE : NDIS_STATUS_SUCCESS;
}

VOID NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags)
{
    (void)Length;
    (void)MemoryFlags;
    ExFreePoolWithTag(VirtualAddress, 0);
}

VOID NdisFreeMemoryWithTagPriority(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, ULONG Tag)
{
    (void)NdisHandle;
    ExFreePoolWithTag(VirtualAddress, Tag);
}

ULONG NdisGetSharedDataAlignment(void) { return SYSTEM_CACHE_ALIGNMENT_SIZE; }

/* ---- lookaside lists ---- */
#define MPT_LOOKASIDE_DEFAULT_DEPTH 256

static PVOID mpt_default_allocate(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag) { return ExAllocatePoolWithTag(PoolType, NumberOfBytes, Tag); }
static VOID mpt_default_free(PVOID Buffer) { ExFreePool(Buffer); }

static void mpt_lookaside_lock(PNPAGED_LOOKASIDE_LIST l)
{
    while (__atomic_exchange_n(&l->Lock, 1, __ATOMIC_ACQUIRE) != 0) {
        __builtin_ia32_pause();
    }
}

static void mpt_lookaside_unlock(PNPAGED_LOOKASIDE_LIST l) { __atomic_store_n(&l->Lock, 0, __ATOMIC_RELEASE); }

VOID NdisInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PALLOCATE_FUNCTION Allocate, PFREE_FUNCTION Free, ULONG Flags, SIZE_T Size, ULONG Tag, USHORT Depth)
{
    (void)Flags;
    (void)Depth; /* reserved for the system: the system picks the depth */
    memset(Lookaside, 0, sizeof *Lookaside);
    Lookaside->MaximumDepth = MPT_LOOKASIDE_DEFAULT_DEPTH;
    Lookaside->Type = NonPagedPoolNx;
    Lookaside->Tag = Tag;
    Lookaside->Size = (ULONG)Size;
    Lookaside->Allocate = Allocate != NULL ? Allocate : mpt_default_allocate;
    Lookaside->Free = Free != NULL ? Free : mpt_default_free;
}

PVOID NdisAllocateFromNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    mpt_lookaside_lock(Lookaside);
    PSINGLE_LIST_ENTRY entry = Lookaside->ListHead.Next;
    Lookaside->TotalAllocates++;
    if (entry != NULL) {
        Lookaside->ListHead.Next = entry->Next;
        Lookaside->Depth--;
    } else {
        Lookaside->AllocateMisses++;
    }
    mpt_lookaside_unlock(Lookaside);
    if (entry == NULL) {
        entry = Lookaside->Allocate(Lookaside->Type, Lookaside->Size, Lookaside->Tag);
    }
    if (entry != NULL) {
        __atomic_add_fetch(&Lookaside->Outstanding, 1, __ATOMIC_RELAXED);
    }
    return entry;
}

VOID NdisFreeToNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry)
{
    __atomic_sub_fetch(&Lookaside->Outstanding, 1, __ATOMIC_RELAXED);
    mpt_lookaside_lock(Lookaside);
    Lookaside->TotalFrees++;
    BOOLEAN keep = Lookaside->Depth < Lookaside->MaximumDepth;
    if (keep) {
        ((PSINGLE_LIST_ENTRY)Entry)->Next = Lookaside->ListHead.Next;
        Lookaside->ListHead.Next = (PSINGLE_LIST_ENTRY)Entry;
        Lookaside->Depth++;
    } else {
        Lookaside->FreeMisses++;
    }
    mpt_lookaside_unlock(Lookaside);
    if (!keep) {
        Lookaside->Free(Entry);
    }
}

VOID NdisDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside)
{
    if (Lookaside->Outstanding != 0) {
        /* Entries still out: Driver Verifier's pool-leak family (0xC4), P2 the list, P3 how many. */
        KeBugCheckEx(MPT_DRIVER_VERIFIER_DETECTED_VIOLATION, 0x62, (ULONG_PTR)Lookaside, Lookaside->Outstanding, 0);
    }
    PSINGLE_LIST_ENTRY entry = Lookaside->ListHead.Next;
    while (entry != NULL) {
        PSINGLE_LIST_ENTRY next = entry->Next;
        Lookaside->Free(entry);
        entry = next;
    }
    Lookaside->ListHead.Next = NULL;
    Lookaside->Depth = 0;
}

/* ---- interlocked lists over an NDIS spin lock ---- */
PLIST_ENTRY NdisInterlockedInsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PNDIS_SPIN_LOCK SpinLock)
{
    NdisAcquireSpinLock(SpinLock);
    PLIST_ENTRY first = IsListEmpty(ListHead) ? NULL : ListHead->Flink;
    InsertHeadList(ListHead, ListEntry);
    NdisReleaseSpinLock(SpinLock);
    return first;
}

PLIST_ENTRY NdisInterlockedInsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY ListEntry, PNDIS_SPIN_LOCK SpinLock)
{
    NdisAcquireSpinLock(SpinLock);
    PLIST_ENTRY last = IsListEmpty(ListHead) ? NULL : ListHead->Blink;
    InsertTailList(ListHead, ListEntry);
    NdisReleaseSpinLock(SpinLock);
    return last;
}

PLIST_ENTRY NdisInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PNDIS_SPIN_LOCK SpinLock)
{
    NdisAcquireSpinLock(SpinLock);
    PLIST_ENTRY first = IsListEmpty(ListHead) ? NULL : RemoveHeadList(ListHead);
    NdisReleaseSpinLock(SpinLock);
    return first;
}
