using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Tests.Kernel.Timers;

/// <summary>
/// Issue 27: the running count is lock-free on a callback's exit, and a free waiting for the callback is still woken
/// (RunningCallbacks' interleaving diagram). Deterministic: the steps are ordered by events, not by sleeps. A callback
/// enters and exits on one thread, as the core runs it (session ten: each thread records the callbacks it runs in its
/// own frame).
/// </summary>
public class RunningCallbacksTests
{
    private sealed class Owner
    {
        public readonly object Gate = new();
        public RunningCallbacks Running;
        public long State; // the owner's state word: the running count lives there (TimerState)

        public bool OnCurrentThread => RunningCallbacks.OnCurrentThread(this, Volatile.Read(ref State));

        /// <summary>A commit as the core does it: the count raised in the word, then the callback recorded in the thread's frame.</summary>
        public void Enter()
        {
            Interlocked.Add(ref State, TimerState.RunningOne);
            RunningCallbacks.Entered(ThreadFrame.Current, this);
        }

        public void Exit() => Running.Exit(ThreadFrame.Current, this, ref State, Gate);

        public void WaitForReturn() => Running.WaitForReturn(this, ref State, Gate);
    }

    [Fact]
    public void AnExitWithNoFreeWaitingDoesNotTakeTheGate()
    {
        var owner = new Owner();
        lock (owner.Gate)
        {
            owner.Enter();
        }

        using var gateHeld = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = new Thread(() =>
        {
            lock (owner.Gate)
            {
                gateHeld.Set();
                release.Wait();
            }
        });
        holder.Start();
        gateHeld.Wait();

        owner.Exit(); // would block until release if it took the gate
        Assert.False(owner.OnCurrentThread);

        release.Set();
        holder.Join();
    }

    [Fact]
    public void AFreeWaitingForACallbackOfAnotherThreadReturnsOnlyAfterItsExit()
    {
        var owner = new Owner();
        using var entered = new ManualResetEventSlim();
        using var exit = new ManualResetEventSlim();
        var callback = new Thread(() =>
        {
            lock (owner.Gate)
            {
                owner.Enter();
            }

            entered.Set();
            exit.Wait();
            owner.Exit();
        });
        callback.Start();
        entered.Wait();

        var freeReturned = false;
        using var freeWaiting = new ManualResetEventSlim();
        var free = new Thread(() =>
        {
            lock (owner.Gate)
            {
                freeWaiting.Set();
                owner.WaitForReturn();
                Volatile.Write(ref freeReturned, true);
            }
        });
        free.Start();
        freeWaiting.Wait();
        Assert.False(free.Join(50)); // the callback still runs: the free waits
        Assert.False(Volatile.Read(ref freeReturned));

        exit.Set();
        Assert.True(free.Join(TimeSpan.FromSeconds(30)), "the exit woke the waiting free");
        Assert.True(Volatile.Read(ref freeReturned));
        callback.Join();
    }

    [Fact]
    public void AFreeOnTheCallbacksOwnThreadDoesNotWait()
    {
        var owner = new Owner();
        lock (owner.Gate)
        {
            owner.Enter();
            Assert.True(owner.OnCurrentThread);
            owner.WaitForReturn(); // would deadlock if it waited for itself
        }

        owner.Exit();
        Assert.False(owner.OnCurrentThread);
    }

    [Fact]
    public void AnExitWaitsWhileAWriterOwnsTheWord_ThenLowersTheCountWithoutLosingTheOwnersStore()
    {
        var owner = new Owner();
        using var entered = new ManualResetEventSlim();
        using var claimed = new ManualResetEventSlim();
        var exit = new Thread(() =>
        {
            owner.Enter();
            entered.Set();
            claimed.Wait();
            owner.Exit();
        });
        exit.Start();
        entered.Wait();
        Volatile.Write(ref owner.State, owner.State | TimerState.Owned); // a writer claims (TimerCore.ClaimUnless)
        claimed.Set();
        Assert.False(exit.Join(50)); // the owner lets go with a plain store: nobody may change the word meanwhile
        Assert.Equal(1, TimerState.Running(Volatile.Read(ref owner.State)));

        Volatile.Write(ref owner.State, (owner.State & ~TimerState.Owned) | TimerState.Freed); // the owner's release store
        Assert.True(exit.Join(TimeSpan.FromSeconds(30)), "the exit went on after the release");
        Assert.Equal(TimerState.Freed, Volatile.Read(ref owner.State));
    }

    [Fact]
    public void ManyExitsRacingAFreeNeverLoseTheWakeUp()
    {
        for (var round = 0; round < 200; round++)
        {
            var owner = new Owner();
            using var entered = new ManualResetEventSlim();
            using var go = new ManualResetEventSlim();
            var callback = new Thread(() =>
            {
                lock (owner.Gate)
                {
                    owner.Enter();
                }

                entered.Set();
                go.Wait();
                owner.Exit();
            });
            callback.Start();
            entered.Wait();
            var free = new Thread(() =>
            {
                lock (owner.Gate)
                {
                    owner.WaitForReturn();
                }
            });
            free.Start();
            go.Set();
            Assert.True(free.Join(TimeSpan.FromSeconds(30)), $"round {round}: the free was never woken");
            callback.Join();
        }
    }

    [Fact]
    public void AFreeInsideAnotherTimersCallback_StillWaitsForThisTimersCallbackOnAnotherThread()
    {
        var owner = new Owner();
        var other = new Owner();
        using var entered = new ManualResetEventSlim();
        using var exit = new ManualResetEventSlim();
        var callback = new Thread(() =>
        {
            owner.Enter();
            entered.Set();
            exit.Wait();
            owner.Exit();
        });
        callback.Start();
        entered.Wait();

        var free = new Thread(() =>
        {
            other.Enter(); // this thread runs another timer's callback, not the owner's
            lock (owner.Gate)
            {
                Assert.False(owner.OnCurrentThread);
                owner.WaitForReturn();
            }

            other.Exit();
        });
        free.Start();
        Assert.False(free.Join(50)); // waits for the owner's callback on the other thread
        exit.Set();
        Assert.True(free.Join(TimeSpan.FromSeconds(30)), "the exit woke the waiting free");
        callback.Join();
    }

    [Fact]
    public void ACallbackNestedInItsOwnCallback_IsOnItsThreadUntilTheOuterOneReturns()
    {
        var owner = new Owner();
        var other = new Owner();
        owner.Enter();
        other.Enter(); // a virtual-clock advance inside the callback runs another timer's callback
        owner.Enter(); // ... and this timer's again (a periodic expiry)
        Assert.True(owner.OnCurrentThread);
        owner.Exit();
        other.Exit();
        Assert.True(owner.OnCurrentThread); // the outer callback still runs
        lock (owner.Gate)
        {
            owner.WaitForReturn(); // would deadlock if it waited for its own thread's callback
        }

        owner.Exit();
        Assert.False(owner.OnCurrentThread);
        Assert.Equal(0, TimerState.Running(owner.State));
    }
}
