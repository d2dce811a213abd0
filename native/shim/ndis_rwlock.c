/*
 * MiniportTimers: NDIS read-write locks (NdisAcquireReadWriteLock, NDIS 6.20's NdisAcquireRWLockRead/Write), in C
 * over the host's IRQL: acquiring raises to DISPATCH_LEVEL through KeRaiseIrql (so the host's IRQL rules and
 * verifier apply), releasing lowers back. Readers share; a writer waits for the readers to drain and excludes new
 * ones. A thread that already reads may read again (NDIS allows recursive read access), even while a writer waits.
 *
 * Synchronization: Readers and Writer are atomics; a thread's own read depth per lock is thread-local. Waiting spins
 * with a pause, as a spin lock does. Interleaving of a recursive reader and a waiting writer:
 *
 *   thread A (reader)                      thread B (writer)
 *   acquire read: Readers 0 -> 1
 *                                          acquire write: Writer 0 -> 1, waits for Readers == 0
 *   acquire read again: depth(A) > 0, so
 *     Readers 1 -> 2 without looking at Writer (no deadlock)
 *   release, release: Readers -> 0
 *                                          sees Readers == 0: owns the lock
 */
#include <pthread.h>
#define MPT_SHIM 1
#include <ndis.h>

#define MPT_SPIN_LOCK_ALREADY_OWNED 0x0F
#define MPT_SPIN_LOCK_NOT_OWNED 0x10
#define MPT_READ 1
#define MPT_WRITE 2
#define MPT_MAX_HELD 16

struct _NDIS_RW_LOCK_EX { NDIS_RW_LOCK Lock; };

static __thread struct { PNDIS_RW_LOCK Lock; LONG Depth; } t_reads[MPT_MAX_HELD];

static LONG *mpt_depth(PNDIS_RW_LOCK lock, BOOLEAN create)
{
    for (int i = 0; i < MPT_MAX_HELD; i++) {
        if (t_reads[i].Lock == lock && t_reads[i].Depth > 0) return &t_reads[i].Depth;
    }
    if (create) {
        for (int i = 0; i < MPT_MAX_HELD; i++) {
            if (t_reads[i].Depth == 0) { t_reads[i].Lock = lock; return &t_reads[i].Depth; }
        }
        KeBugCheckEx(MPT_SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)lock, MPT_MAX_HELD, 0, 0); /* more read locks held than the shim tracks */
    }
    return NULL;
}

VOID NdisInitializeReadWriteLock(PNDIS_RW_LOCK Lock) { RtlZeroMemory(Lock, sizeof *Lock); }

static KIRQL mpt_acquire(PNDIS_RW_LOCK lock, BOOLEAN write)
{
    KIRQL old;
    KIRQL current = KeGetCurrentIrql();
    if (current < DISPATCH_LEVEL) {
        KeRaiseIrql(DISPATCH_LEVEL, &old);
    } else {
        old = current;
    }
    PVOID self = (PVOID)pthread_self();
    if (__atomic_load_n(&lock->Owner, __ATOMIC_ACQUIRE) == self) {
        KeBugCheckEx(MPT_SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)lock, write, 0, 0); /* a writer re-entering */
    }
    if (write) {
        if (mpt_depth(lock, FALSE) != NULL) {
            KeBugCheckEx(MPT_SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)lock, write, 1, 0); /* upgrading read to write deadlocks */
        }
        while (__atomic_exchange_n(&lock->Writer, 1, __ATOMIC_ACQUIRE) != 0) __builtin_ia32_pause();
        while (__atomic_load_n(&lock->Readers, __ATOMIC_ACQUIRE) != 0) __builtin_ia32_pause();
        __atomic_store_n(&lock->Owner, self, __ATOMIC_RELEASE);
    } else {
        LONG *depth = mpt_depth(lock, TRUE);
        if (*depth > 0) {
            __atomic_add_fetch(&lock->Readers, 1, __ATOMIC_ACQUIRE);
        } else {
            for (;;) {
                while (__atomic_load_n(&lock->Writer, __ATOMIC_ACQUIRE) != 0) __builtin_ia32_pause();
                __atomic_add_fetch(&lock->Readers, 1, __ATOMIC_ACQUIRE);
                if (__atomic_load_n(&lock->Writer, __ATOMIC_ACQUIRE) == 0) break;
                __atomic_sub_fetch(&lock->Readers, 1, __ATOMIC_RELEASE);
            }
        }
        (*depth)++;
    }
    return old;
}

static void mpt_release(PNDIS_RW_LOCK lock, UCHAR state, KIRQL old)
{
    if (state == MPT_WRITE) {
        if (__atomic_load_n(&lock->Owner, __ATOMIC_ACQUIRE) != (PVOID)pthread_self()) {
            KeBugCheckEx(MPT_SPIN_LOCK_NOT_OWNED, (ULONG_PTR)lock, 0, 0, 0);
        }
        __atomic_store_n(&lock->Owner, NULL, __ATOMIC_RELEASE);
        __atomic_store_n(&lock->Writer, 0, __ATOMIC_RELEASE);
    } else if (state == MPT_READ) {
        LONG *depth = mpt_depth(lock, FALSE);
        if (depth == NULL) {
            KeBugCheckEx(MPT_SPIN_LOCK_NOT_OWNED, (ULONG_PTR)lock, 1, 0, 0);
        }
        (*depth)--;
        __atomic_sub_fetch(&lock->Readers, 1, __ATOMIC_RELEASE);
    } else {
        KeBugCheckEx(MPT_SPIN_LOCK_NOT_OWNED, (ULONG_PTR)lock, 2, state, 0); /* a LOCK_STATE this lock did not fill */
    }
    if (old < DISPATCH_LEVEL) {
        KeLowerIrql(old);
    }
}

VOID NdisAcquireReadWriteLock(PNDIS_RW_LOCK Lock, BOOLEAN fWrite, PLOCK_STATE LockState)
{
    LockState->OldIrql = mpt_acquire(Lock, fWrite);
    LockState->LockState = fWrite ? MPT_WRITE : MPT_READ;
}

VOID NdisReleaseReadWriteLock(PNDIS_RW_LOCK Lock, PLOCK_STATE LockState)
{
    UCHAR state = (UCHAR)LockState->LockState;
    LockState->LockState = 0;
    mpt_release(Lock, state, LockState->OldIrql);
}

PNDIS_RW_LOCK_EX NdisAllocateRWLock(NDIS_HANDLE NdisHandle)
{
    (void)NdisHandle;
    PNDIS_RW_LOCK_EX lock = ExAllocatePoolWithTag(NonPagedPoolNx, sizeof *lock, 0);
    if (lock != NULL) NdisInitializeReadWriteLock(&lock->Lock);
    return lock;
}

VOID NdisFreeRWLock(PNDIS_RW_LOCK_EX Lock) { ExFreePool(Lock); }

VOID NdisAcquireRWLockRead(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState, UCHAR Flags)
{
    (void)Flags;
    LockState->OldIrql = mpt_acquire(&Lock->Lock, FALSE);
    LockState->LockState = MPT_READ;
}

VOID NdisAcquireRWLockWrite(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState, UCHAR Flags)
{
    (void)Flags;
    LockState->OldIrql = mpt_acquire(&Lock->Lock, TRUE);
    LockState->LockState = MPT_WRITE;
}

VOID NdisReleaseRWLock(PNDIS_RW_LOCK_EX Lock, PLOCK_STATE_EX LockState)
{
    UCHAR state = LockState->LockState;
    LockState->LockState = 0;
    mpt_release(&Lock->Lock, state, LockState->OldIrql);
}
