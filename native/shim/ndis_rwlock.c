/*
 * MiniportTimers: NDIS read-write locks (NdisAcquireReadWriteLock, NDIS 6.20's NdisAcquireRWLockRead/Write), in C
 * over the host's IRQL: acquiring raises to DISPATCH_LEVEL through KeRaiseIrql (so the host's IRQL rules and
 * verifier apply), releasing lowers back. Readers share; a writer waits for the readers to drain and excludes new
 * ones. A thread that already reads may read again (NDIS allows recursive read access), even while a writer waits.
 *
 * State: in the lock, SpinLock is the writer (0, or the thread that holds or waits for write access) and
 * SharedRefCount the read acquisitions held (NDIS_RW_LOCK, ndis/services.h). On the thread, every acquisition is a
 * hold in the shim's per-thread log (mpt_hold, mpt_internal.h): "does this thread read (or write) the lock already"
 * is a look in the log, and a bug check that unwinds the routine gives back what it held (mpt_undo below, called by
 * the trampoline), with the IRQL the shim raised for it. A hold is logged before anything is taken and marked taken
 * only once it is (Kind): a bug check in between (a writer re-entering, a read upgraded to a write, the log full)
 * gives back the IRQL and nothing else. Nothing in between can bug check once the lock is taken: the spins call no
 * DDI.
 *
 * Synchronization: SpinLock and SharedRefCount are atomics; the log is thread-local. Waiting spins with a pause, as a
 * spin lock does. Interleaving of a recursive reader and a waiting writer:
 *
 *   thread A (reader)                      thread B (writer)
 *   acquire read: SharedRefCount 0 -> 1
 *                                          acquire write: SpinLock 0 -> B, waits for SharedRefCount == 0
 *   acquire read again: A's log holds a
 *     read of the lock, so SharedRefCount
 *     1 -> 2 without looking at SpinLock (no deadlock)
 *   release, release: SharedRefCount -> 0
 *                                          sees SharedRefCount == 0: owns the lock
 *
 * Interleaving of a bug check while holding, against another dispatcher's adapter waiting for the lock:
 *
 *   thread A (adapter 0)                   thread B (adapter 1, another dispatcher)
 *   acquire write: log [write L], SpinLock 0 -> A
 *                                          acquire read: spins while SpinLock != 0
 *   KeBugCheckEx -> longjmp to A's trampoline
 *   unwind: mpt_undo: SpinLock A -> 0 (release),
 *     log cut back, IRQL lowered
 *                                          sees SpinLock == 0: SharedRefCount 0 -> 1, sees SpinLock still 0: reads
 *   host: adapter 0 stopped
 *
 * The same with A holding a read: the unwind's SharedRefCount 1 -> 0 lets B's waiting writer in. On one thread, the
 * next adapter's routine finds the lock free and the log empty, as if adapter 0 had released.
 */
#include <pthread.h>
#include "mpt_internal.h"

#define MPT_SPIN_LOCK_ALREADY_OWNED 0x0F
#define MPT_SPIN_LOCK_NOT_OWNED 0x10
#define MPT_READ 1
#define MPT_WRITE 2

struct _NDIS_RW_LOCK_EX { NDIS_RW_LOCK Lock; };

static KSPIN_LOCK mpt_self(void) { return (KSPIN_LOCK)pthread_self(); }

/* Gives back a hold of a routine that a bug check unwound (the trampoline calls it, newest hold first). */
static void mpt_undo(mpt_hold *hold)
{
    PNDIS_RW_LOCK lock = hold->Object;
    if (hold->Kind == MPT_WRITE) {
        __atomic_store_n(&lock->SpinLock, 0, __ATOMIC_RELEASE);
    } else if (hold->Kind == MPT_READ) {
        __atomic_sub_fetch(&lock->SharedRefCount, 1, __ATOMIC_RELEASE);
    }
}

VOID NdisInitializeReadWriteLock(PNDIS_RW_LOCK Lock) { RtlZeroMemory(Lock, sizeof *Lock); }

static KIRQL mpt_acquire(PNDIS_RW_LOCK lock, BOOLEAN write)
{
    mpt_hold *hold = mpt_hold_push(lock, mpt_undo);
    KIRQL old = KeGetCurrentIrql();
    if (old < DISPATCH_LEVEL) {
        hold->Raised = TRUE;
        hold->OldIrql = old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
    }
    if (mpt_hold_find(lock, MPT_WRITE) != NULL) {
        KeBugCheckEx(MPT_SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)lock, write, 0, 0); /* a writer re-entering */
    }
    if (write) {
        if (mpt_hold_find(lock, MPT_READ) != NULL) {
            KeBugCheckEx(MPT_SPIN_LOCK_ALREADY_OWNED, (ULONG_PTR)lock, write, 1, 0); /* upgrading read to write deadlocks */
        }
        KSPIN_LOCK self = mpt_self(), none = 0;
        while (!__atomic_compare_exchange_n(&lock->SpinLock, &none, self, FALSE, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
            none = 0;
            __builtin_ia32_pause();
        }
        while (__atomic_load_n(&lock->SharedRefCount, __ATOMIC_ACQUIRE) != 0) __builtin_ia32_pause();
    } else if (mpt_hold_find(lock, MPT_READ) != NULL) {
        __atomic_add_fetch(&lock->SharedRefCount, 1, __ATOMIC_ACQUIRE);
    } else {
        for (;;) {
            while (__atomic_load_n(&lock->SpinLock, __ATOMIC_ACQUIRE) != 0) __builtin_ia32_pause();
            __atomic_add_fetch(&lock->SharedRefCount, 1, __ATOMIC_ACQUIRE);
            if (__atomic_load_n(&lock->SpinLock, __ATOMIC_ACQUIRE) == 0) break;
            __atomic_sub_fetch(&lock->SharedRefCount, 1, __ATOMIC_RELEASE);
        }
    }
    hold->Kind = write ? MPT_WRITE : MPT_READ; /* no hold was removed on this thread since the push: it has not moved */
    return old;
}

static void mpt_release(PNDIS_RW_LOCK lock, UCHAR state, KIRQL old)
{
    if (state != MPT_WRITE && state != MPT_READ) {
        KeBugCheckEx(MPT_SPIN_LOCK_NOT_OWNED, (ULONG_PTR)lock, 2, state, 0); /* a LOCK_STATE this lock did not fill */
    }
    mpt_hold *hold = mpt_hold_find(lock, state);
    if (hold == NULL) {
        KeBugCheckEx(MPT_SPIN_LOCK_NOT_OWNED, (ULONG_PTR)lock, state == MPT_WRITE ? 0 : 1, 0, 0); /* not held by this thread */
    }
    if (state == MPT_WRITE) {
        __atomic_store_n(&lock->SpinLock, 0, __ATOMIC_RELEASE);
    } else {
        __atomic_sub_fetch(&lock->SharedRefCount, 1, __ATOMIC_RELEASE);
    }
    mpt_hold_remove(hold);
    if (old < DISPATCH_LEVEL) {
        KeLowerIrql(old); /* after the hold is gone: a bug check here has nothing left to give back */
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
