using MiniportTimers.Kernel;
using static MiniportTimers.Kernel.Ke;

namespace MiniportTimers.Tests.Kernel;

public class KSpinLockTests
{
    [Fact]
    public void Acquire_RaisesToLockLevel_ReleaseRestores()
    {
        var ordinary = new KSpinLock("l");
        var old = ordinary.Acquire();
        Assert.Equal(KIRQL.DISPATCH_LEVEL, KeGetCurrentIrql());
        Assert.True(ordinary.IsOwnedByCurrentThread);
        var interrupt = new KSpinLock("i", (KIRQL)6);
        var old2 = interrupt.Acquire();
        Assert.Equal((KIRQL)6, KeGetCurrentIrql());
        interrupt.Release(old2);
        ordinary.Release(old);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void Acquire_AlreadyOwned_BugChecksSpinLockAlreadyOwned()
    {
        var l = new KSpinLock("l");
        var old = l.Acquire();
        try
        {
            Assert.Equal(BugCheckCodes.SPIN_LOCK_ALREADY_OWNED, Assert.Throws<BugCheckException>(() => l.Acquire()).Code);
        }
        finally
        {
            l.Release(old);
        }
    }

    [Fact]
    public void Release_NotOwned_BugChecksSpinLockNotOwned()
    {
        var l = new KSpinLock("l");
        Assert.Equal(BugCheckCodes.SPIN_LOCK_NOT_OWNED, Assert.Throws<BugCheckException>(() => l.Release(KIRQL.PASSIVE_LEVEL)).Code);
    }

    [Fact]
    public void Acquire_AboveLockLevel_BugChecksIrqlNotGreaterOrEqual()
    {
        var l = new KSpinLock("l");
        KeRaiseIrql((KIRQL)5, out var old);
        try
        {
            Assert.Equal(BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, Assert.Throws<BugCheckException>(() => l.Acquire()).Code);
        }
        finally
        {
            KeLowerIrql(old);
        }
    }

    [Fact]
    public void AContendedAcquire_CountsItsWaitOnTheWaitingThread_AndAnUncontendedOneNothing()
    {
        var l = new KSpinLock("l");
        using var release = new ManualResetEventSlim();
        var holder = HoldOnAnotherThread(l, release, TimeSpan.FromMilliseconds(30)); // the waiter is inside Acquire by then (or about to be): it waits at least most of the 30 ms

        long uncontended = -1, contended = -1;
        var waiter = new Thread(() =>
        {
            var frame = ThreadFrame.Current;
            var other = new KSpinLock("other");
            var before = frame.SpinLockWaitNanoseconds;
            other.Release(other.Acquire()); // free: taken at once
            uncontended = frame.SpinLockWaitNanoseconds - before;
            release.Set();
            before = frame.SpinLockWaitNanoseconds;
            l.Release(l.Acquire()); // held for about 30 ms more by the holder
            contended = frame.SpinLockWaitNanoseconds - before;
        });
        waiter.Start();
        waiter.Join();
        holder.Join();

        Assert.Equal(0, uncontended);
        Assert.InRange(contended, 10_000_000, 10_000_000_000); // at least 10 of the holder's 30 ms; generous for a loaded machine
    }

    [Fact]
    public void Acquire_TwoThreads_ReallyExclude()
    {
        var l = new KSpinLock("l");
        var inside = 0;
        var maxInside = 0;
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                var old = l.Acquire();
                var now = Interlocked.Increment(ref inside);
                maxInside = Math.Max(maxInside, now);
                Thread.SpinWait(10);
                Interlocked.Decrement(ref inside);
                l.Release(old);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(1, maxInside);
    }

    [Fact]
    public void KernelContext_ExceptionInBody_BecomesKmodeExceptionAndLeakedLocksAreReleased()
    {
        var l = new KSpinLock("leaky");
        var fault = KernelContext.Run(KIRQL.DISPATCH_LEVEL, l, static (in lk) =>
        {
            lk.Acquire();
            throw new InvalidOperationException("boom");
        });
        Assert.NotNull(fault);
        Assert.Equal(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, fault.Code);
        Assert.False(l.IsOwnedByCurrentThread);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
        var t = new Thread(() => l.Release(l.Acquire()));
        t.Start();
        Assert.True(t.Join(TimeSpan.FromSeconds(5)), "the leaked lock was given back");
    }

    /// <summary>
    /// Issue 27, session ten: the lock is one compare-exchange to take and a plain store to give back; a thread that finds
    /// it taken spins, then sleeps, and every release wakes it (KSpinLock's diagram). Real threads: four of them add to a
    /// plain counter under the lock, each holding it now and then long enough that the others go to sleep on it; every
    /// increment is kept and every thread finishes.
    /// </summary>
    [Fact]
    public void ContendingThreads_ExcludeEachOther_AndSleepingWaitersAreWoken()
    {
        var l = new KSpinLock("contended");
        const int Threads = 4;
        const int Rounds = 20_000;
        long counter = 0;
        var inside = 0;
        var overlaps = 0;
        var workers = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            for (var i = 0; i < Rounds; i++)
            {
                var old = l.Acquire();
                if (Interlocked.Increment(ref inside) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                counter++; // plain: only the lock protects it
                if (i % 2_000 == t)
                {
                    Thread.Sleep(1); // long enough that the others give up spinning and sleep on the lock
                }

                Interlocked.Decrement(ref inside);
                l.Release(old);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        foreach (var w in workers)
        {
            Assert.True(w.Join(TimeSpan.FromSeconds(60)), "a waiter was never woken");
        }

        Assert.Equal(0, overlaps);
        Assert.Equal(Threads * Rounds, counter);
        Assert.False(l.IsOwnedByCurrentThread);
    }

    [Fact]
    public void TryTake_FailsWhileAnotherThreadHoldsTheLock_AndSucceedsOnceItIsGivenBack()
    {
        var l = new KSpinLock("try");
        using var release = new ManualResetEventSlim();
        var holder = HoldOnAnotherThread(l, release, TimeSpan.Zero);
        Assert.False(l.TryTake());
        release.Set();
        holder.Join();
        Assert.True(l.TryTake());
        Assert.True(l.IsOwnedByCurrentThread);
        l.ForceRelease();
        Assert.False(l.IsOwnedByCurrentThread);
    }

    /// <summary>Starts a thread that takes <paramref name="l"/>, and returns once it holds it; the thread gives it back
    /// <paramref name="holdAfterRelease"/> after <paramref name="release"/> is set.</summary>
    private static Thread HoldOnAnotherThread(KSpinLock l, ManualResetEventSlim release, TimeSpan holdAfterRelease)
    {
        using var held = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            var old = l.Acquire();
            held.Set();
            release.Wait();
            Thread.Sleep(holdAfterRelease);
            l.Release(old);
        });
        holder.Start();
        held.Wait();
        return holder;
    }
}
