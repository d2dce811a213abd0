namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// Running-callback tracking and the free-wait, the one copy under every timer kind (Storport, NDIS, EX_TIMER): which
/// threads run a timer's callbacks, and the frees waiting for them to return. The count of running callbacks itself is
/// in the owner's state word (<see cref="TimerState.Running"/>), so that a Storport timer's commit raises it in the same
/// compare-exchange that ends the request (issue 27). A free (or delete) at PASSIVE_LEVEL waits on the owner's gate,
/// except on a thread that runs one of the timer's callbacks (a callback may free its own timer), where waiting would
/// deadlock.
/// </summary>
/// <remarks>
/// <para>
/// A mutable struct kept in a field of its owner. <see cref="Entered"/> is called after the commit raised the count;
/// <see cref="Exit"/> is called without the gate (it takes the gate only to wake a waiting free);
/// <see cref="WaitForReturn"/> is called with the owner's gate held (a <see cref="Monitor"/> object, never held while
/// user code runs). The count and the number of waiting frees change only by interlocked operations; invariant: neither
/// is ever negative. <see cref="Exit"/> lowers the count with a compare-exchange that waits while a writer owns the
/// word (<see cref="TimerState.Owned"/>: the owner lets go with a plain store, so nobody else may change the word
/// meanwhile; an owner holds it for a few engine calls and never waits for a callback).
/// </para>
/// <para>
/// Why no callback runs after its free returned. The commit checks "freed" in the same word it raises the count in (or,
/// for a gated kind, under the gate the free sets "freed" under), so a callback either committed (count raised) before
/// the free set "freed", or sees it and drops. The free then waits until the count is 0, and a callback lowers the
/// count only after it returned. The one race is the wake-up: the free must not sleep on a count the exiting callback
/// has already lowered without a pulse. Both sides write their word with an interlocked operation (a full fence) before
/// they read the other's, so at least one sees the other:
/// </para>
/// <code>
///   callback thread (Exit, no gate)               freeing thread (gate held)
///                                                 waiters++            (interlocked)
///   count--               (compare-exchange)      count > 0 ?  ── no ──► return: every committed callback returned
///   waiters > 0 ?  ── no ──► done                   yes: Monitor.Wait(gate)   (releases the gate atomically)
///     yes: lock gate ◄── can only get it once the free waits (or has not yet looked: then it sees count 0)
///          PulseAll; unlock ─────────────────────► wakes, re-reads count == 0 ──► waiters--; return
/// </code>
/// <para>
/// Either the free reads the lowered count (and returns), or the callback reads the raised waiter count (and pulses
/// under the gate, which it gets only when the free is in Monitor.Wait or re-checking under it). Both reading stale
/// values would need each read to pass the other side's earlier interlocked write, which the fences forbid.
/// </para>
/// <para>
/// Which threads run the callbacks is kept by each thread for itself, in its <see cref="ThreadFrame.RunningTimers"/>
/// (pushed by <see cref="Entered"/>, popped by <see cref="Exit"/>, read by the free on its own thread): no other thread
/// ever reads or writes it, so it needs no atomic operation (issue 27: the shared "latest callback thread" field took a
/// compare-exchange and two thread lookups per fire), and a thread asks exactly "am I inside one of this timer's
/// callbacks", however callbacks of several threads interleave. The free reads it only on its own thread, so it races
/// nothing: a callback of this timer on the freeing thread is either on the thread's stack below the free (then the
/// free does not wait for it, or for any other callback of the timer: waiting could deadlock, as before) or not there.
/// </para>
/// </remarks>
internal struct RunningCallbacks
{
    private int _waiters;

    /// <summary>True when a callback of <paramref name="owner"/> (the timer core: its identity) is running on the calling thread (<paramref name="state"/>: the owner's state word).</summary>
    public static bool OnCurrentThread(object owner, long state) => TimerState.Running(state) > 0 && IsRunning(ThreadFrame.Current, owner);

    /// <summary>A callback of <paramref name="owner"/> committed to run on the thread of <paramref name="frame"/>: the caller has raised the count in its state word.</summary>
    public static void Entered(ThreadFrame frame, object owner) => frame.RunningTimers.Add(owner);

    /// <summary>
    /// The callback of <paramref name="owner"/> that <see cref="Entered"/> recorded on the thread of
    /// <paramref name="frame"/> returned: lowers the count in <paramref name="state"/> (once no writer owns it) and wakes
    /// the frees waiting on <paramref name="gate"/>, if any. With or without the gate.
    /// </summary>
    public void Exit(ThreadFrame frame, object owner, ref long state, object gate)
    {
        var running = frame.RunningTimers;
        System.Diagnostics.Debug.Assert(running.Count > 0 && ReferenceEquals(running[^1], owner), "callbacks return in reverse order of entry");
        running.RemoveAt(running.Count - 1);
        var spin = default(SpinWait);
        while (true)
        {
            var s = Volatile.Read(ref state);
            System.Diagnostics.Debug.Assert(TimerState.Running(s) > 0, "a callback returned that never entered");
            if ((s & TimerState.Owned) == 0 && Interlocked.CompareExchange(ref state, s - TimerState.RunningOne, s) == s)
            {
                break;
            }

            spin.SpinOnce(); // a writer owns the word (a few engine calls), or another change came first
        }

        if (Volatile.Read(ref _waiters) > 0)
        {
            lock (gate)
            {
                Monitor.PulseAll(gate);
            }
        }
    }

    /// <summary>
    /// Waits, releasing <paramref name="gate"/> meanwhile, until no callback of <paramref name="owner"/> counted in
    /// <paramref name="state"/> runs, unless the calling thread runs one itself (then returns at once). Under the gate.
    /// </summary>
    public void WaitForReturn(object owner, ref long state, object gate)
    {
        var frame = ThreadFrame.Current;
        Interlocked.Increment(ref _waiters);
        try
        {
            while (TimerState.Running(Volatile.Read(ref state)) > 0 && !IsRunning(frame, owner))
            {
                Monitor.Wait(gate);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    private static bool IsRunning(ThreadFrame frame, object owner)
    {
        var running = frame.RunningTimers;
        for (var i = running.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(running[i], owner))
            {
                return true;
            }
        }

        return false;
    }
}
