using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Tests.Kernel.Timers;

/// <summary>
/// Issue 27: the running count is lock-free on a callback's exit, and a free waiting for the callback is still woken
/// (RunningCallbacks' interleaving diagram). Deterministic: the steps are ordered by events, not by sleeps.
/// </summary>
public class RunningCallbacksTests
{
    private sealed class Owner
    {
        public readonly object Gate = new();
        public RunningCallbacks Running;
        public long State; // the owner's state word: the running count lives there (TimerState)

        public bool OnCurrentThread => Running.OnCurrentThread(Volatile.Read(ref State));

        /// <summary>A commit as the core does it: the count raised in the word, then the thread recorded.</summary>
        public void Enter()
        {
            Interlocked.Add(ref State, TimerState.RunningOne);
            Running.Entered();
        }

        public void Exit() => Running.Exit(ref State, Gate);

        public void WaitForReturn() => Running.WaitForReturn(ref State, Gate);
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
        owner.Enter();
        Volatile.Write(ref owner.State, owner.State | TimerState.Owned); // a writer claims (TimerCore.ClaimUnless)
        var exit = new Thread(owner.Exit);
        exit.Start();
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
            lock (owner.Gate)
            {
                owner.Enter();
            }

            var callback = new Thread(() => owner.Exit());
            var free = new Thread(() =>
            {
                lock (owner.Gate)
                {
                    owner.WaitForReturn();
                }
            });
            free.Start();
            callback.Start();
            Assert.True(free.Join(TimeSpan.FromSeconds(30)), $"round {round}: the free was never woken");
            callback.Join();
        }
    }
}
