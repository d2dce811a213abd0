namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// Running-callback tracking and the free-wait, the one copy under every timer kind (Storport, NDIS, EX_TIMER): on which
/// thread the latest callback of a timer runs, and the frees waiting for its callbacks to return. The count of running
/// callbacks itself is in the owner's state word (<see cref="TimerState.Running"/>), so that a Storport timer's commit
/// raises it in the same compare-exchange that ends the request (issue 27). A free (or delete) at PASSIVE_LEVEL waits
/// on the owner's gate, except on the callback's own thread (a callback may free its own timer), where waiting would
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
/// values would need each read to pass the other side's earlier interlocked write, which the fences forbid. The thread
/// of the latest callback is cleared by its own exit only (compare-exchange), so a callback of another thread that
/// entered meanwhile stays recorded and its own free still does not wait for itself.
/// </para>
/// </remarks>
internal struct RunningCallbacks
{
    private int _waiters;
    private Thread? _thread;

    /// <summary>True when a callback is running on the calling thread, given the owner's state word.</summary>
    public readonly bool OnCurrentThread(long state) => TimerState.Running(state) > 0 && ReferenceEquals(Volatile.Read(in _thread), Thread.CurrentThread);

    /// <summary>A callback committed to run on the calling thread: the caller has raised the count in its state word.</summary>
    public void Entered() => Volatile.Write(ref _thread, Thread.CurrentThread);

    /// <summary>
    /// The callback returned: lowers the count in <paramref name="state"/> (once no writer owns it) and wakes the frees
    /// waiting on <paramref name="gate"/>, if any. With or without the gate.
    /// </summary>
    public void Exit(ref long state, object gate)
    {
        Interlocked.CompareExchange(ref _thread, null, Thread.CurrentThread);
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
    /// Waits, releasing <paramref name="gate"/> meanwhile, until no callback counted in <paramref name="state"/> runs on
    /// another thread. Under the gate.
    /// </summary>
    public void WaitForReturn(ref long state, object gate)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            while (TimerState.Running(Volatile.Read(ref state)) > 0 && !ReferenceEquals(Volatile.Read(ref _thread), Thread.CurrentThread))
            {
                Monitor.Wait(gate);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }
}
