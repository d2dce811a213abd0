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
    }

    [Fact]
    public void AnExitWithNoFreeWaitingDoesNotTakeTheGate()
    {
        var owner = new Owner();
        lock (owner.Gate)
        {
            owner.Running.Enter();
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

        owner.Running.Exit(owner.Gate); // would block until release if it took the gate
        Assert.False(owner.Running.OnCurrentThread);

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
                owner.Running.Enter();
            }

            entered.Set();
            exit.Wait();
            owner.Running.Exit(owner.Gate);
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
                owner.Running.WaitForReturn(owner.Gate);
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
            owner.Running.Enter();
            Assert.True(owner.Running.OnCurrentThread);
            owner.Running.WaitForReturn(owner.Gate); // would deadlock if it waited for itself
        }

        owner.Running.Exit(owner.Gate);
        Assert.False(owner.Running.OnCurrentThread);
    }

    [Fact]
    public void ManyExitsRacingAFreeNeverLoseTheWakeUp()
    {
        for (var round = 0; round < 200; round++)
        {
            var owner = new Owner();
            lock (owner.Gate)
            {
                owner.Running.Enter();
            }

            var callback = new Thread(() => owner.Running.Exit(owner.Gate));
            var free = new Thread(() =>
            {
                lock (owner.Gate)
                {
                    owner.Running.WaitForReturn(owner.Gate);
                }
            });
            free.Start();
            callback.Start();
            Assert.True(free.Join(TimeSpan.FromSeconds(30)), $"round {round}: the free was never woken");
            callback.Join();
        }
    }
}
