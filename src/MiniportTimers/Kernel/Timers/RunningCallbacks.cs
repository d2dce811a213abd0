namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// Running-callback tracking and the free-wait, the one copy under every timer kind (Storport, NDIS, EX_TIMER): how many
/// callbacks of a timer have committed to run and not returned, and on which thread the latest runs. A free (or delete)
/// at PASSIVE_LEVEL waits for them on the owner's gate, except on the callback's own thread (a callback may free its own
/// timer), where waiting would deadlock.
/// </summary>
/// <remarks>
/// <para>
/// A mutable struct kept in a field of its owner. <see cref="Enter"/> (the commit) is called with the owner's gate held
/// by a gated kind, and by a <see cref="ExpiryRule.DropAfterCancel"/> kind just before its commit's compare-exchange (the
/// count is raised first, and lowered again by <see cref="Exit"/> if the expiry then drops); <see cref="WaitForReturn"/>
/// (the free) is called with the owner's gate held (a <see cref="Monitor"/> object, never held while user code runs);
/// <see cref="Exit"/> may be called without it (issue 27: the fire path then takes the gate once, not twice). The count
/// is interlocked, and so is the number of frees waiting; invariant: neither is ever negative.
/// </para>
/// <para>
/// Why no callback runs after its free returned. A gated kind's commit is under the gate and checks "freed" there; a
/// DropAfterCancel kind's commit raises the count, then checks "freed" in the compare-exchange that commits, while the
/// free sets "freed" in the state word before it reads the count (TimerCore's diagram (3)). Either way a callback
/// either committed (count raised) before the free set "freed", or sees it and drops. The free then waits until the
/// count is 0, and a callback lowers the count only after it returned. The one race is the wake-up: the free must not
/// sleep on a count the exiting callback has already lowered without a pulse. Both sides write their word with an
/// interlocked operation (a full fence) before they read the other's, so at least one sees the other:
/// </para>
/// <code>
///   callback thread (Exit, no gate)               freeing thread (gate held)
///                                                 waiters++            (interlocked)
///   count--               (interlocked)           count > 0 ?  ── no ──► return: every committed callback returned
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
    private int _count;
    private int _waiters;
    private Thread? _thread;

    /// <summary>True when a callback is running on the calling thread.</summary>
    public bool OnCurrentThread => Volatile.Read(ref _count) > 0 && ReferenceEquals(Volatile.Read(ref _thread), Thread.CurrentThread);

    /// <summary>A callback commits to run on the calling thread: under the gate, or just before a DropAfterCancel commit's compare-exchange.</summary>
    public void Enter()
    {
        Volatile.Write(ref _thread, Thread.CurrentThread);
        Interlocked.Increment(ref _count);
    }

    /// <summary>The callback returned: wakes the frees waiting on <paramref name="gate"/>, if any. With or without the gate.</summary>
    public void Exit(object gate)
    {
        Interlocked.CompareExchange(ref _thread, null, Thread.CurrentThread);
        var left = Interlocked.Decrement(ref _count);
        System.Diagnostics.Debug.Assert(left >= 0, "a callback returned that never entered");
        if (Volatile.Read(ref _waiters) > 0)
        {
            lock (gate)
            {
                Monitor.PulseAll(gate);
            }
        }
    }

    /// <summary>Waits, releasing <paramref name="gate"/> meanwhile, until no callback runs on another thread. Under the gate.</summary>
    public void WaitForReturn(object gate)
    {
        Interlocked.Increment(ref _waiters);
        try
        {
            while (Volatile.Read(ref _count) > 0 && !ReferenceEquals(Volatile.Read(ref _thread), Thread.CurrentThread))
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
