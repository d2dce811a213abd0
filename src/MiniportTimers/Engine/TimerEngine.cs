namespace MiniportTimers.Engine;

// =====================================================================================================================
// TimerEngine: design notes
//
// Workload assumptions
//   Miniport timers are armed and cancelled far more often than they fire: a port-start poll re-arms every 10 ms, a
//   watchdog is cancelled and re-armed on every I/O, a send-complete timer is set to "now" over and over. Most armings
//   are short (µs to seconds), many carry a tolerance (Windows' tolerable delay, Linux's slack), and callbacks re-enter
//   the engine to re-arm or free the timer that is firing.
//
// Time
//   One unit everywhere inside the engine: nanoseconds on the engine's own monotonic clock (NowNanoseconds). DDI units
//   (µs, ms, 100 ns) are converted at the edges, in TimeUnits, with checked arithmetic. MaxTimeNanoseconds bounds every
//   due time, tolerance and period so that due + tolerance + period can never overflow.
//
// Data structure (first version; a later issue replaces it for millions of timers)
//   Two indexed binary min-heaps over the same pending timers:
//     _byDue      ordered by (due, insertion order)       → who fires next, in due order
//     _byDeadline ordered by (due + tolerance, insertion) → when the dispatcher must be awake at the latest
//   Each timer stores its index in both heaps, so arm, cancel and re-arm are O(log n) with no search and no
//   allocation beyond heap growth. A timer is pending exactly when it is in both heaps.
//
// Firing rule (the Linux hrtimer range rule)
//   The dispatcher sleeps until the earliest latest-allowed deadline, then fires, one by one and in due order, every
//   timer whose due time has passed at that moment. A tolerant timer therefore rides along with an earlier wake-up
//   instead of causing its own, and no timer ever fires before its due time. Periodic timers are re-queued at
//   previous due + period (decision A13: no drift); after a stall the missed periods are skipped and counted as
//   overruns, not replayed.
//
// Lock rule
//   One lock (SyncRoot) guards both heaps and every queue field of every EngineTimer. Callbacks are invoked with the
//   lock released ("fire outside the lock"): TakeNextDue pops one expiry under the lock, the caller drops the lock and
//   runs the callback, which may re-enter Arm, Cancel or CreateTimer. Hosts may call Arm and Cancel while holding their
//   own locks (host lock → engine lock); the engine never calls out while holding its lock, so that order cannot invert.
//
// Complexity
//   Arm, Cancel: O(log n). Taking the next expiry: O(log n). Earliest deadline: O(1).
// =====================================================================================================================

/// <summary>
/// A timer queue on a monotonic nanosecond clock: one-shot and periodic timers with a tolerance window, fired in due
/// order, never early, never under an engine lock. <see cref="RealTimeTimerEngine"/> runs it on the machine's clock;
/// <see cref="VirtualTimerEngine"/> on a clock that only moves when told to.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="CreateTimer"/>, <see cref="Arm"/>, <see cref="Cancel"/> and every property are safe from any
/// thread, including from inside a timer callback. The engine knows nothing of IRQL or drivers.
/// </remarks>
public abstract class TimerEngine : IDisposable
{
    /// <summary>
    /// The largest due time, tolerance or period the engine accepts, in nanoseconds (about 73 years). The bound keeps
    /// due + tolerance + period inside <see cref="long"/>.
    /// </summary>
    public const long MaxTimeNanoseconds = long.MaxValue / 4;

    private readonly TimerHeap _byDue = new(byDeadline: false);
    private readonly TimerHeap _byDeadline = new(byDeadline: true);

    // Counters; written under SyncRoot, read as snapshots.
    private long _insertionCounter;
    private long _arms;
    private long _cancels;
    private long _fires;
    private long _wakeUps;
    private long _callbackFaults;
    private long _coalescedFires;

    /// <summary>True from a wake-up until its first expiry fires: that expiry is the wake-up's own; later ones are coalesced.</summary>
    private bool _wakeUpUnused;

    /// <summary>Creates the engine and registers it with the process-wide counters.</summary>
    protected TimerEngine() => EngineRegistry.Add(this);

    /// <summary>The engine lock. Guards both heaps and the queue fields of every timer. Never held while user code runs.</summary>
    private protected object SyncRoot { get; } = new();

    /// <summary>The engine's clock: nanoseconds since an arbitrary fixed origin, monotonic, never negative.</summary>
    public abstract long NowNanoseconds { get; }

    /// <summary>True for a clock that moves only when told to (<see cref="VirtualTimerEngine"/>).</summary>
    public abstract bool IsVirtual { get; }

    /// <summary>Raised, outside every engine lock, when a timer callback throws. The exception is not rethrown.</summary>
    public event Action<EngineTimer, Exception>? CallbackFaulted;

    /// <summary>The number of pending timers (a snapshot).</summary>
    public int PendingCount
    {
        get
        {
            lock (SyncRoot)
            {
                return _byDue.Count;
            }
        }
    }

    /// <summary>A snapshot of the engine's counters.</summary>
    public EngineStatistics Statistics
    {
        get
        {
            lock (SyncRoot)
            {
                return new EngineStatistics(_arms, _cancels, _fires, _wakeUps, Interlocked.Read(ref _callbackFaults), _byDue.Count, _coalescedFires);
            }
        }
    }

    /// <summary>Creates an idle timer that runs <paramref name="callback"/> with <paramref name="state"/> when it fires.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    public EngineTimer CreateTimer(EngineTimerCallback callback, object? state = null)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new EngineTimer(this, callback, state);
    }

    /// <summary>
    /// Arms <paramref name="timer"/> to fire at <paramref name="dueNanoseconds"/> on this engine's clock, at the latest
    /// <paramref name="toleranceNanoseconds"/> after it, and then every <paramref name="periodNanoseconds"/> if that is
    /// not 0. A pending arming of the same timer is replaced (implicit cancel, as KeSetTimerEx does).
    /// </summary>
    /// <param name="timer">A timer created by this engine.</param>
    /// <param name="dueNanoseconds">Absolute due time in engine ns, 0 to <see cref="MaxTimeNanoseconds"/>. A due time in the past fires at the next dispatch (decision A15).</param>
    /// <param name="toleranceNanoseconds">How late the timer may fire so that wake-ups coalesce, 0 to <see cref="MaxTimeNanoseconds"/>.</param>
    /// <param name="periodNanoseconds">0 for a one-shot timer; otherwise the period, 1 to <see cref="MaxTimeNanoseconds"/>.</param>
    /// <returns>True if the timer was pending (and its earlier arming is replaced), false if it was idle.</returns>
    /// <exception cref="ArgumentException"><paramref name="timer"/> belongs to another engine.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A time argument is negative or above <see cref="MaxTimeNanoseconds"/>.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public bool Arm(EngineTimer timer, long dueNanoseconds, long toleranceNanoseconds = 0, long periodNanoseconds = 0)
    {
        ArgumentNullException.ThrowIfNull(timer);
        if (!ReferenceEquals(timer.Engine, this))
        {
            throw new ArgumentException("The timer belongs to another engine.", nameof(timer));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(dueNanoseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dueNanoseconds, MaxTimeNanoseconds);
        ArgumentOutOfRangeException.ThrowIfNegative(toleranceNanoseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(toleranceNanoseconds, MaxTimeNanoseconds);
        ArgumentOutOfRangeException.ThrowIfNegative(periodNanoseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(periodNanoseconds, MaxTimeNanoseconds);
        ObjectDisposedException.ThrowIf(IsDisposed, this);

        lock (SyncRoot)
        {
            var wasPending = timer.DueHeapIndex >= 0;
            if (wasPending)
            {
                Dequeue(timer);
            }

            timer.DueNanoseconds = dueNanoseconds;
            timer.ToleranceNanoseconds = toleranceNanoseconds;
            timer.DeadlineNanoseconds = dueNanoseconds + toleranceNanoseconds;
            timer.PeriodNanoseconds = periodNanoseconds;
            timer.IncrementArmSequence();
            Enqueue(timer);
            _arms++;
            if (ReferenceEquals(_byDeadline.Min, timer))
            {
                OnEarliestDeadlineLowered(timer.DeadlineNanoseconds);
            }

            return wasPending;
        }
    }

    /// <summary>Arms <paramref name="timer"/> relative to now: due at <see cref="NowNanoseconds"/> + <paramref name="delayNanoseconds"/>.</summary>
    /// <param name="timer">A timer created by this engine.</param>
    /// <param name="delayNanoseconds">Delay from now in ns, 0 to <see cref="MaxTimeNanoseconds"/>.</param>
    /// <param name="toleranceNanoseconds">See <see cref="Arm"/>.</param>
    /// <param name="periodNanoseconds">See <see cref="Arm"/>.</param>
    /// <returns>True if the timer was pending.</returns>
    public bool ArmAfter(EngineTimer timer, long delayNanoseconds, long toleranceNanoseconds = 0, long periodNanoseconds = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(delayNanoseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(delayNanoseconds, MaxTimeNanoseconds);
        return Arm(timer, Math.Min(MaxTimeNanoseconds, NowNanoseconds + delayNanoseconds), toleranceNanoseconds, periodNanoseconds);
    }

    /// <summary>
    /// Cancels the pending arming of <paramref name="timer"/>, if any. An expiry already taken from the queue (its
    /// callback about to run or running) is not affected: this does not wait for it (decision A3).
    /// </summary>
    /// <returns>True if the timer was pending and is now idle; false if it was idle.</returns>
    public bool Cancel(EngineTimer timer)
    {
        ArgumentNullException.ThrowIfNull(timer);
        lock (SyncRoot)
        {
            if (timer.DueHeapIndex < 0)
            {
                return false;
            }

            Dequeue(timer);
            _cancels++;
            if (_byDue.Count == 0)
            {
                OnQueueEmptied();
            }

            return true;
        }
    }

    /// <summary>
    /// Waits until every expiry that was due when this was called has finished its callback, as KeFlushQueuedDpcs waits
    /// for the DPCs queued on every processor. Returns at once on the dispatching thread itself (a callback cannot wait
    /// for the callbacks queued behind it) and on a virtual engine (its callbacks run synchronously inside an advance).
    /// </summary>
    /// <remarks>Blocks the caller: call it where the caller may wait (PASSIVE_LEVEL in the kernel model).</remarks>
    public abstract void FlushDispatched();

    /// <summary>True once <see cref="Dispose()"/> has begun.</summary>
    protected bool IsDisposed { get; private set; }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the engine. Pending timers never fire afterwards.</summary>
    protected virtual void Dispose(bool disposing) => IsDisposed = true;

    /// <summary>Called under the engine lock when an arming becomes the earliest deadline; the real engine reprograms its wait.</summary>
    private protected virtual void OnEarliestDeadlineLowered(long deadlineNanoseconds)
    {
    }

    /// <summary>Called under the engine lock when the last pending timer is cancelled; the real engine disarms its wait.</summary>
    private protected virtual void OnQueueEmptied()
    {
    }

    /// <summary>The smallest latest-allowed deadline of any pending timer, or <see cref="long.MaxValue"/> when none. Call under <see cref="SyncRoot"/>.</summary>
    private protected long EarliestDeadlineLocked() => _byDeadline.Count == 0 ? long.MaxValue : _byDeadline.Min.DeadlineNanoseconds;

    /// <summary>The smallest due time of any pending timer, or null when none. Call under <see cref="SyncRoot"/>.</summary>
    private protected long? EarliestDueLocked() => _byDue.Count == 0 ? null : _byDue.Min.DueNanoseconds;

    /// <summary>Counts one wake-up. Call under <see cref="SyncRoot"/>.</summary>
    private protected void CountWakeUpLocked()
    {
        _wakeUps++;
        _wakeUpUnused = true;
    }

    /// <summary>
    /// Takes the earliest-due timer if its due time is at or before <paramref name="nowNanoseconds"/>. A one-shot timer
    /// leaves the queue; a periodic one is re-queued at its next due time (previous due + period, skipping whole
    /// periods that already passed). Call under <see cref="SyncRoot"/>; invoke the result with <see cref="Fire"/> after
    /// releasing it.
    /// </summary>
    private protected bool TryTakeNextDueLocked(long nowNanoseconds, out EngineTimer? timer, out TimerFiring firing)
    {
        if (_byDue.Count == 0 || _byDue.Min.DueNanoseconds > nowNanoseconds)
        {
            timer = null;
            firing = default;
            return false;
        }

        var t = _byDue.Min;
        var due = t.DueNanoseconds;
        Dequeue(t);
        long overruns = 0;
        if (t.PeriodNanoseconds > 0)
        {
            // A13: next = due + period. If the dispatcher was late by whole periods, skip them (counted, not replayed).
            var next = due + t.PeriodNanoseconds;
            if (next <= nowNanoseconds)
            {
                overruns = (nowNanoseconds - due) / t.PeriodNanoseconds;
                next = due + ((overruns + 1) * t.PeriodNanoseconds);
            }

            if (next <= MaxTimeNanoseconds)
            {
                t.DueNanoseconds = next;
                t.DeadlineNanoseconds = next + t.ToleranceNanoseconds;
                Enqueue(t);
            }
        }

        _fires++;
        if (_wakeUpUnused)
        {
            _wakeUpUnused = false;
        }
        else
        {
            _coalescedFires++;
        }

        timer = t;
        firing = new TimerFiring(due, nowNanoseconds, t.ArmSequence, overruns);
        return true;
    }

    /// <summary>Runs a timer's callback. Call with no engine lock held. Exceptions are counted and reported, never rethrown.</summary>
    private protected void Fire(EngineTimer timer, in TimerFiring firing)
    {
        try
        {
            timer.Callback(timer, firing);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _callbackFaults);
            CallbackFaulted?.Invoke(timer, ex);
        }
    }

    private void Enqueue(EngineTimer timer)
    {
        timer.InsertionOrder = _insertionCounter++;
        _byDue.Insert(timer);
        _byDeadline.Insert(timer);
    }

    private void Dequeue(EngineTimer timer)
    {
        _byDue.Remove(timer);
        _byDeadline.Remove(timer);
    }
}
