namespace MiniportTimers.Engine;

/// <summary>
/// A <see cref="TimerEngine"/> on a virtual clock that moves only when told to. <see cref="AdvanceBy(long)"/> and
/// <see cref="AdvanceTo"/> fire every timer that comes due, synchronously on the calling thread, in due order, with
/// the clock set to each expiry's fire time while its callback runs. A 60-second port-start timeout is tested in
/// milliseconds, and the same calls always give the same result.
/// </summary>
/// <remarks>
/// The virtual clock follows the same firing rule as the real dispatcher: it "wakes" at the earliest latest-allowed
/// deadline and fires every timer due by then, so coalescing of tolerant timers is modelled exactly (their lateness is
/// the coalescing delay). The clock starts at 0 ns.
/// Thread safety: Arm and Cancel are safe from any thread. One thread at a time holds the dispatcher's role (the queue
/// is single-threaded), and it lets go of it while a callback runs: a callback may itself advance the clock (the nested
/// advance fires what comes due on the way, and the outer one goes on from there), and another thread may advance it
/// while a callback blocks (a callback that waits for a test thread to move the clock does not deadlock). An advance
/// that finds the role held by another thread's queue work waits for it.
/// <code>
///   thread A: AdvanceTo(10)                  thread B: AdvanceTo(20)
///   take role; pop timer due 5; let go  ──►  take role (A's callback runs meanwhile); fire due 12, 15; let go
///   callback returns; take role; go on: nothing left ≤ 10; clock stays at 20 (it never goes back); let go
/// </code>
/// </remarks>
public sealed class VirtualTimerEngine : TimerEngine
{
    private long _nowNanoseconds;
    private int _dispatching;

    /// <summary>A virtual engine at 0 ns, counted in the process-wide counters.</summary>
    public VirtualTimerEngine()
    {
    }

    /// <summary>A virtual engine at 0 ns; <paramref name="joinRegistry"/> false keeps it out of the process-wide counters
    /// (the library's own private engines: the dispatch warm-up's).</summary>
    internal VirtualTimerEngine(bool joinRegistry)
        : base(joinRegistry: joinRegistry)
    {
    }

    /// <inheritdoc />
    public override long NowNanoseconds => Volatile.Read(ref _nowNanoseconds);

    /// <inheritdoc />
    public override bool IsVirtual => true;

    /// <summary>
    /// True to let an exception thrown by a timer callback end the advance and reach its caller (after
    /// <see cref="TimerEngine.CallbackFaulted"/> has seen it); the clock stays at that expiry's time and the other timers
    /// due meanwhile fire at the next advance. False (the default): the exception is counted and reported only, and the
    /// advance goes on. <see cref="TimeProviders.VirtualTimeProvider"/> sets it, as a test double must surface a
    /// failing assertion in a callback.
    /// </summary>
    public bool RethrowCallbackExceptions { get; set; }

    /// <summary>
    /// The due time of the timer that fires next, engine ns, or null when nothing is pending: lets a test advance exactly
    /// to the next event (<c>AdvanceTo(engine.NextDueNanoseconds!.Value)</c>) instead of guessing step sizes.
    /// </summary>
    public long? NextDueNanoseconds
    {
        get
        {
            EnterDispatcher();
            try
            {
                return Queue.EarliestDue();
            }
            finally
            {
                LeaveDispatcher();
            }
        }
    }

    /// <summary>
    /// The latest due time of any pending timer, engine ns, or null when nothing is pending: how far the clock must move
    /// for every pending timer to fire (VirtualTimeProvider, moving its wall clock beyond the engine's range). O(pending).
    /// </summary>
    internal long? LatestDueNanoseconds
    {
        get
        {
            EnterDispatcher();
            try
            {
                return Queue.LatestDue();
            }
            finally
            {
                LeaveDispatcher();
            }
        }
    }

    /// <summary>Moves the clock forward by <paramref name="deltaNanoseconds"/>, firing every timer that comes due on the way.</summary>
    /// <param name="deltaNanoseconds">How far to move, in ns, 0 or more. 0 fires the timers already due.</param>
    /// <returns>The number of expiries fired.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="deltaNanoseconds"/> is negative or the target passes <see cref="TimerEngine.MaxTimeNanoseconds"/>.</exception>
    public int AdvanceBy(long deltaNanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deltaNanoseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(deltaNanoseconds, MaxTimeNanoseconds - NowNanoseconds);
        return AdvanceTo(NowNanoseconds + deltaNanoseconds);
    }

    /// <summary>Moves the clock forward by <paramref name="delta"/> (see <see cref="AdvanceBy(long)"/>).</summary>
    /// <returns>The number of expiries fired.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative or moves the clock past <see cref="TimerEngine.MaxTimeNanoseconds"/>.</exception>
    public int AdvanceBy(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        if (delta.Ticks > (MaxTimeNanoseconds - NowNanoseconds) / TimeUnits.NanosecondsPer100ns)
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, $"The virtual clock's range ends {MaxTimeNanoseconds / TimeUnits.NanosecondsPerSecond} s after its start (TimerEngine.MaxTimeNanoseconds).");
        }

        return AdvanceBy(delta.Ticks * TimeUnits.NanosecondsPer100ns);
    }

    /// <summary>
    /// Moves the clock to <paramref name="targetNanoseconds"/> (or leaves it where it is if it is already later),
    /// firing due timers on the way.
    /// </summary>
    /// <param name="targetNanoseconds">The absolute virtual time to reach, ns.</param>
    /// <returns>The number of expiries fired.</returns>
    public int AdvanceTo(long targetNanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(targetNanoseconds, MaxTimeNanoseconds);
        EnterDispatcher();
        try
        {
            var fired = 0;
            while (!IsDisposed)
            {
                // "Sleep" until the earliest latest-allowed deadline, as the real dispatcher does; stop at the target.
                var deadline = Queue.EarliestDeadline();
                if (deadline > targetNanoseconds)
                {
                    Queue.TrimExcess();
                    if (targetNanoseconds > NowNanoseconds)
                    {
                        Volatile.Write(ref _nowNanoseconds, targetNanoseconds);
                    }

                    return fired;
                }

                if (deadline > NowNanoseconds)
                {
                    Volatile.Write(ref _nowNanoseconds, deadline);
                }

                var wakeAt = NowNanoseconds;
                Queue.CountWakeUp();

                // Awake at wakeAt: fire, one by one in due order, every timer due by then (including ones the callbacks arm).
                // A callback that disposes the engine stops the rest: pending timers never fire after Dispose. The role is
                // let go while each callback runs (see the remarks): the expiry is already claimed, and the queue is
                // untouched until the role is taken back.
                while (!IsDisposed && Queue.TryTakeNextDue(wakeAt, out var timer, out var firing))
                {
                    LeaveDispatcher();
                    try
                    {
                        Fire(Queue, timer!, firing, RethrowCallbackExceptions);
                    }
                    finally
                    {
                        EnterDispatcher();
                    }

                    fired++;
                }
            }

            return fired;
        }
        finally
        {
            LeaveDispatcher();
        }
    }

    /// <summary>
    /// Moves the clock forward without firing anything, as a CPU busy in a stall loop with DPCs masked would
    /// (StorPortStallExecution at DISPATCH_LEVEL or above): timers that come due meanwhile fire late, at the next
    /// advance. A stall below DISPATCH_LEVEL is an <see cref="AdvanceBy(long)"/> instead (Ke.KeStallExecutionProcessor).
    /// </summary>
    /// <param name="deltaNanoseconds">How far to move, ns, 0 or more.</param>
    public void Stall(long deltaNanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deltaNanoseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(deltaNanoseconds, MaxTimeNanoseconds - NowNanoseconds);
        Interlocked.Add(ref _nowNanoseconds, deltaNanoseconds);
    }

    /// <inheritdoc />
    /// <remarks>A no-op: virtual callbacks run synchronously inside <see cref="AdvanceTo"/>, so none is in flight elsewhere.</remarks>
    public override void FlushDispatched()
    {
    }

    /// <summary>Takes the dispatcher's role, waiting while another thread's advance holds it (never during a callback).</summary>
    private void EnterDispatcher()
    {
        var spin = default(SpinWait);
        while (Interlocked.CompareExchange(ref _dispatching, 1, 0) != 0)
        {
            spin.SpinOnce(); // held only while the queue is worked on, between callbacks: short
        }
    }

    private void LeaveDispatcher() => Volatile.Write(ref _dispatching, 0);

    /// <summary>Entries of the queue's level-0 run not yet handed out (DispatchQueue "The level-0 run"; for tests).</summary>
    internal int NearRunCount => Queue.RunCount;

    /// <summary>The engine's one dispatch queue (tests: its pull hooks and state).</summary>
    internal DispatchQueue QueueForTests => Queue;

    /// <summary>
    /// The queue's earliest deadline as a real dispatcher computes it at <paramref name="nowNanoseconds"/>: a stale
    /// entry's deadline after that is returned as a bound, not resolved (DispatchQueue.EarliestDeadline). For tests.
    /// </summary>
    internal long EarliestDeadlineAsARealDispatcherAt(long nowNanoseconds)
    {
        EnterDispatcher();
        try
        {
            return Queue.EarliestDeadline(nowNanoseconds);
        }
        finally
        {
            LeaveDispatcher();
        }
    }

    /// <summary>The one queue: a virtual engine is a single deterministic sequence.</summary>
    private DispatchQueue Queue => Queues[0];
}
