namespace MiniportTimers.Engine;

// =====================================================================================================================
// TimerEngine: design notes
//
// Workload assumptions
//   Miniport timers are armed and cancelled far more often than they fire: a port-start poll re-arms every 10 ms, a
//   watchdog is cancelled and re-armed on every I/O, a send-complete timer is set to "now" over and over. Most armings
//   are short (µs to seconds), many carry a tolerance (Windows' tolerable delay, Linux's slack), callbacks re-enter the
//   engine to re-arm or free the timer that is firing, and millions of timers may be pending at once.
//
// Time
//   One unit everywhere inside the engine: nanoseconds on the engine's own monotonic clock (NowNanoseconds). DDI units
//   (µs, ms, 100 ns) are converted at the edges, in TimeUnits, with checked arithmetic. MaxTimeNanoseconds bounds every
//   due time, tolerance and period so that due + tolerance + period can never overflow.
//
// Arm and cancel: no lock, O(1)
//   A timer's state is one 64-bit word: (arm sequence << 2) | Writing | Armed. Arm takes the Writing bit with one CAS,
//   writes due, deadline and period, and publishes a new sequence with Armed set (one interlocked exchange). Cancel is
//   one CAS from Armed to not armed (sequence + 1). Neither touches a shared structure: an arming reaches the dispatcher
//   through a lock-free submission stack, onto which a timer is pushed at most once until the dispatcher drains it, so
//   arm+cancel pairs on the same timer cost two or three interlocked operations and allocate nothing. Counters are
//   striped per thread. An arming whose deadline is earlier than the one the dispatcher sleeps on moves the OS wake-up
//   itself (one CAS on the programmed deadline, one syscall), the only cross-thread signal.
//
// Data structure (owned by the dispatcher alone)
//   Two indexed binary min-heaps over the filed timers:
//     _byDue      ordered by (due, insertion order)       → who fires next, in due order
//     _byDeadline ordered by (due + tolerance, insertion) → when the dispatcher must be awake at the latest
//   Ties: on a virtual engine equal due times fire in the order of the Arm calls (each Arm takes an engine-wide ticket,
//   which a single-threaded test can rely on); on the real engine in the order the dispatcher files them (Arms on
//   different threads have no order, and a shared ticket counter on the arm path would cost the two-thread scaling).
//   The dispatcher drains the submission stack before it looks at the heaps and files each drained timer: inserts it,
//   re-keys it (new sequence) or removes it (cancelled). Keys are the dispatcher's own copies, so an Arm on another
//   thread never disturbs the heap order. A timer whose entry is stale when it reaches the top (re-armed or cancelled
//   after the drain) is re-filed, never fired early. Dispatcher work is O(log n) per filing; the arming thread's is O(1).
//
// Firing rule (the Linux hrtimer range rule)
//   The dispatcher sleeps until the earliest latest-allowed deadline, then fires, one by one and in due order, every
//   timer whose due time has passed at that moment. A tolerant timer therefore rides along with an earlier wake-up
//   instead of causing its own, and no timer ever fires before its due time. A one-shot expiry claims the timer with a
//   CAS from Armed(sequence s) to not armed (sequence s), so it races a concurrent cancel or re-arm cleanly: exactly one
//   of them wins. Periodic timers stay armed and are re-keyed at previous due + period (decision A13: no drift); after a
//   stall the missed periods are skipped and counted as overruns, not replayed.
//
// Lock rule
//   No engine lock exists on the arm, cancel or fire paths; callbacks run on the dispatcher with nothing held. The real
//   engine's dispatcher is one thread; the virtual engine's is whichever thread advances it (one at a time). Hosts may
//   call Arm and Cancel while holding their own locks: the engine never calls out from Arm or Cancel.
//
// Lost wake-ups (the one subtle interleaving)
//   dispatcher                                  arming thread
//   drain stack; D = earliest deadline          publish state (interlocked, full fence)
//   programmed := D (interlocked exchange)      push the timer unless already on the stack (CAS)
//   OS timer := D                               if deadline < programmed: CAS programmed, OS timer := deadline
//   stack empty? else loop  ────────────────    (the push happened before this check, or the CAS read D)
//   sleep
//   Either the dispatcher sees the push on its re-check and loops, or the arming thread read programmed = D and, if it
//   is earlier, set the OS timer after the dispatcher did. No interleaving leaves an earlier arming asleep.
//
// Complexity
//   Arm, Cancel: O(1), lock-free. Dispatcher: O(log n) per filing and per expiry. Earliest deadline: O(1).
// =====================================================================================================================

/// <summary>
/// A timer queue on a monotonic nanosecond clock: one-shot and periodic timers with a tolerance window, fired in due
/// order, never early, never under a lock. <see cref="RealTimeTimerEngine"/> runs it on the machine's clock;
/// <see cref="VirtualTimerEngine"/> on a clock that only moves when told to.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="CreateTimer"/>, <see cref="Arm"/>, <see cref="Cancel"/> and every property are safe from any
/// thread, including from inside a timer callback; arm and cancel are lock-free. The engine knows nothing of IRQL or
/// drivers.
/// </remarks>
public abstract class TimerEngine : IDisposable
{
    /// <summary>
    /// The largest due time, tolerance or period the engine accepts, in nanoseconds (about 73 years). The bound keeps
    /// due + tolerance + period inside <see cref="long"/>.
    /// </summary>
    public const long MaxTimeNanoseconds = long.MaxValue / 4;

    // Dispatcher-owned.
    private readonly TimerHeap _byDue = new(byDeadline: false);
    private readonly TimerHeap _byDeadline = new(byDeadline: true);
    private long _insertionCounter;

    /// <summary>Virtual engines: arm-call tickets, shared with periodic re-keys (see "Ties").</summary>
    private long _armTickets;
    private long _fires;
    private long _wakeUps;
    private long _coalescedFires;
    private long _longestCallbackNanoseconds;

    /// <summary>True from a wake-up until its first expiry fires: that expiry is the wake-up's own; later ones are coalesced.</summary>
    private bool _wakeUpUnused;

    // Shared.
    private readonly StripedCounter _arms = new();
    private readonly StripedCounter _cancels = new();
    private readonly StripedCounter _pending = new();
    private long _callbackFaults;

    /// <summary>Head of the lock-free submission stack (Treiber stack through EngineTimer.NextSubmitted).</summary>
    private EngineTimer? _submitted;

    /// <summary>Pushes so far; every <see cref="DrainBatch"/> pushes the dispatcher is woken to drain (bounds the stack).</summary>
    private long _pushes;

    /// <summary>How many pushes may accumulate before the dispatcher is woken just to drain them.</summary>
    private const int DrainBatch = 4096;

    /// <summary>The deadline the dispatcher sleeps until, ns; long.MaxValue = none. Lowered by arming threads (CAS).</summary>
    private long _programmedDeadline = long.MaxValue;

    /// <summary>Creates the engine and registers it with the process-wide counters.</summary>
    protected TimerEngine() => EngineRegistry.Add(this);

    /// <summary>The engine's clock: nanoseconds since an arbitrary fixed origin, monotonic, never negative.</summary>
    public abstract long NowNanoseconds { get; }

    /// <summary>True for a clock that moves only when told to (<see cref="VirtualTimerEngine"/>).</summary>
    public abstract bool IsVirtual { get; }

    /// <summary>Raised, on the dispatcher, when a timer callback throws. The exception is not rethrown.</summary>
    public event Action<EngineTimer, Exception>? CallbackFaulted;

    /// <summary>The number of pending timers (a snapshot; exact while no arm or cancel runs).</summary>
    public int PendingCount => (int)_pending.Read();

    /// <summary>A snapshot of the engine's counters.</summary>
    public EngineStatistics Statistics => new(
        _arms.Read(),
        _cancels.Read(),
        Volatile.Read(ref _fires),
        Volatile.Read(ref _wakeUps),
        Interlocked.Read(ref _callbackFaults),
        PendingCount,
        Volatile.Read(ref _coalescedFires),
        Volatile.Read(ref _longestCallbackNanoseconds));

    private volatile bool _disposed;

    /// <summary>True once <see cref="Dispose()"/> has begun (a volatile read: the dispatcher re-checks it before it sleeps).</summary>
    protected internal bool IsDisposed => _disposed;

    /// <summary>Creates an engine-internal timer (a flush marker), left out of every statistic.</summary>
    private protected EngineTimer CreateInternalTimer(EngineTimerCallback callback, object? state) =>
        new(this, callback, state) { IsInternal = true };

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
    /// not 0. A pending arming of the same timer is replaced (implicit cancel, as KeSetTimerEx does). Lock-free, O(1),
    /// allocation-free.
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

        // Take the timer's writer bit (concurrent Arms of one timer serialize here; nothing else ever waits on it).
        var spin = default(SpinWait);
        long before;
        while (true)
        {
            before = Volatile.Read(ref timer.StateWord);
            if ((before & EngineTimer.WritingBit) == 0
                && Interlocked.CompareExchange(ref timer.StateWord, before | EngineTimer.WritingBit, before) == before)
            {
                break;
            }

            spin.SpinOnce();
        }

        var deadline = dueNanoseconds + toleranceNanoseconds;
        if (IsVirtual)
        {
            timer.ArmTicket = Interlocked.Increment(ref _armTickets);
        }

        timer.DueNanoseconds = dueNanoseconds;
        timer.DeadlineNanoseconds = deadline;
        timer.PeriodNanoseconds = periodNanoseconds;

        // Publish: new sequence, armed, writer bit released. A full fence: see "Lost wake-ups" above.
        var sequence = (before >> EngineTimer.SequenceShift) + 1;
        Interlocked.Exchange(ref timer.StateWord, (sequence << EngineTimer.SequenceShift) | EngineTimer.ArmedBit);

        var wasPending = (before & EngineTimer.ArmedBit) != 0;
        if (!timer.IsInternal)
        {
            _arms.Add(1);
            if (!wasPending)
            {
                _pending.Add(1);
            }
        }

        Submit(timer);
        LowerProgrammedDeadline(deadline);
        return wasPending;
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
    /// Cancels the pending arming of <paramref name="timer"/>, if any. Lock-free, O(1). An expiry already claimed by the
    /// dispatcher (its callback about to run or running) is not affected: this does not wait for it (decision A3).
    /// </summary>
    /// <returns>True if the timer was pending and is now idle; false if it was idle.</returns>
    public bool Cancel(EngineTimer timer)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var spin = default(SpinWait);
        while (true)
        {
            var before = Volatile.Read(ref timer.StateWord);
            if ((before & EngineTimer.ArmedBit) == 0)
            {
                return false;
            }

            if ((before & EngineTimer.WritingBit) != 0)
            {
                spin.SpinOnce(); // an Arm of this timer is mid-write
                continue;
            }

            var after = ((before >> EngineTimer.SequenceShift) + 1) << EngineTimer.SequenceShift;
            if (Interlocked.CompareExchange(ref timer.StateWord, after, before) == before)
            {
                break;
            }
        }

        if (!timer.IsInternal)
        {
            _cancels.Add(1);
            _pending.Add(-1);
        }

        Submit(timer); // so the dispatcher drops it from its heaps at its next look, not at its old due time
        return true;
    }

    /// <summary>
    /// Waits until every expiry that was due when this was called has finished its callback, as KeFlushQueuedDpcs waits
    /// for the DPCs queued on every processor. Returns at once on the dispatching thread itself (a callback cannot wait
    /// for the callbacks queued behind it) and on a virtual engine (its callbacks run synchronously inside an advance).
    /// </summary>
    /// <remarks>Blocks the caller: call it where the caller may wait (PASSIVE_LEVEL in the kernel model).</remarks>
    public abstract void FlushDispatched();

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the engine. Pending timers never fire afterwards.</summary>
    protected virtual void Dispose(bool disposing) => _disposed = true;

    /// <summary>Called on an arming thread when an arming's deadline is earlier than the programmed wake-up; the real engine moves its OS timer.</summary>
    private protected virtual void OnEarliestDeadlineLowered(long deadlineNanoseconds)
    {
    }

    /// <summary>
    /// Called on an arming thread when many submissions have piled up while the dispatcher sleeps (create/arm/cancel
    /// churn with far deadlines): the real engine wakes its dispatcher to drain them, so dead timers do not accumulate.
    /// </summary>
    private protected virtual void OnDrainNeeded()
    {
    }

    /// <summary>Dispatcher: publishes the deadline it is about to sleep until (a full fence).</summary>
    private protected void PublishProgrammedDeadline(long deadlineNanoseconds) => Interlocked.Exchange(ref _programmedDeadline, deadlineNanoseconds);

    /// <summary>Dispatcher: true when armings are waiting to be filed.</summary>
    private protected bool HasSubmissions => Volatile.Read(ref _submitted) is not null;

    /// <summary>Dispatcher: the smallest latest-allowed deadline of any filed timer, or <see cref="long.MaxValue"/> when none. Drains first.</summary>
    private protected long EarliestDeadline()
    {
        Drain();
        return _byDeadline.Count == 0 ? long.MaxValue : _byDeadline.Min.HeapDeadline;
    }

    /// <summary>Dispatcher: the smallest due time of any filed timer, or null when none. Drains first.</summary>
    private protected long? EarliestDue()
    {
        Drain();
        return _byDue.Count == 0 ? null : _byDue.Min.HeapDue;
    }

    /// <summary>Dispatcher: counts one wake-up.</summary>
    private protected void CountWakeUp()
    {
        Volatile.Write(ref _wakeUps, _wakeUps + 1);
        _wakeUpUnused = true;
    }

    /// <summary>
    /// Dispatcher: claims the earliest-due timer if its due time is at or before <paramref name="nowNanoseconds"/>. A
    /// one-shot timer becomes idle; a periodic one is re-keyed at its next due time (previous due + period, skipping
    /// whole periods that already passed). Invoke the result with <see cref="Fire"/>.
    /// </summary>
    private protected bool TryTakeNextDue(long nowNanoseconds, out EngineTimer? timer, out TimerFiring firing)
    {
        Drain();
        while (_byDue.Count > 0 && _byDue.Min.HeapDue <= nowNanoseconds)
        {
            var t = _byDue.Min;
            var state = Volatile.Read(ref t.StateWord);
            var sequence = state >> EngineTimer.SequenceShift;
            if ((state & EngineTimer.WritingBit) != 0 || (state & EngineTimer.ArmedBit) == 0 || sequence != t.HeapSequence)
            {
                File(t); // re-armed, being re-armed, or cancelled since it was filed: re-key or drop, never fire early
                continue;
            }

            var due = t.HeapDue;
            var period = t.PeriodNanoseconds;
            var tolerance = t.DeadlineNanoseconds - t.DueNanoseconds;
            if (Volatile.Read(ref t.StateWord) != state)
            {
                continue; // an Arm began while the parameters were read: take the top again (it will be re-filed)
            }

            long overruns = 0;
            if (period > 0)
            {
                // A13: next = due + period. If the dispatcher was late by whole periods, skip them (counted, not replayed).
                var next = due + period;
                if (next <= nowNanoseconds)
                {
                    overruns = (nowNanoseconds - due) / period;
                    next = due + ((overruns + 1) * period);
                }

                Unfile(t);
                if (next <= MaxTimeNanoseconds)
                {
                    Insert(t, next, next + tolerance, sequence, IsVirtual ? Interlocked.Increment(ref _armTickets) : _insertionCounter++);
                }
            }
            else
            {
                // Claim the one-shot: Armed(s) → idle(s). A concurrent cancel or re-arm makes this fail; then re-file.
                if (Interlocked.CompareExchange(ref t.StateWord, sequence << EngineTimer.SequenceShift, state) != state)
                {
                    continue;
                }

                Unfile(t);
                if (!t.IsInternal)
                {
                    _pending.Add(-1);
                }
            }

            if (!t.IsInternal)
            {
                Volatile.Write(ref _fires, _fires + 1);
                if (_wakeUpUnused)
                {
                    _wakeUpUnused = false;
                }
                else
                {
                    Volatile.Write(ref _coalescedFires, _coalescedFires + 1);
                }
            }

            timer = t;
            firing = new TimerFiring(due, nowNanoseconds, sequence, overruns);
            return true;
        }

        timer = null;
        firing = default;
        return false;
    }

    /// <summary>Dispatcher: runs a timer's callback. Exceptions are counted and reported, never rethrown.</summary>
    private protected void Fire(EngineTimer timer, in TimerFiring firing)
    {
        var started = NowNanoseconds;
        try
        {
            timer.Callback(timer, firing);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _callbackFaults);
            CallbackFaulted?.Invoke(timer, ex);
        }

        var took = NowNanoseconds - started;
        if (took > _longestCallbackNanoseconds)
        {
            Volatile.Write(ref _longestCallbackNanoseconds, took);
        }
    }

    /// <summary>Pushes the timer onto the submission stack unless it is already there.</summary>
    private void Submit(EngineTimer timer)
    {
        if (Volatile.Read(ref timer.Submitted) != 0 || Interlocked.Exchange(ref timer.Submitted, 1) != 0)
        {
            return;
        }

        while (true)
        {
            var head = Volatile.Read(ref _submitted);
            timer.NextSubmitted = head;
            if (Interlocked.CompareExchange(ref _submitted, timer, head) == head)
            {
                if ((Interlocked.Increment(ref _pushes) & (DrainBatch - 1)) == 0)
                {
                    OnDrainNeeded();
                }

                return;
            }
        }
    }

    /// <summary>Moves the OS wake-up earlier if this deadline needs it (arming threads).</summary>
    private void LowerProgrammedDeadline(long deadline)
    {
        var programmed = Volatile.Read(ref _programmedDeadline);
        while (deadline < programmed)
        {
            var seen = Interlocked.CompareExchange(ref _programmedDeadline, deadline, programmed);
            if (seen == programmed)
            {
                OnEarliestDeadlineLowered(deadline);
                return;
            }

            programmed = seen;
        }
    }

    /// <summary>Dispatcher: files every submitted timer, in submission order (the stack is reversed first).</summary>
    private void Drain()
    {
        if (Volatile.Read(ref _submitted) is null)
        {
            return;
        }

        var node = Interlocked.Exchange(ref _submitted, null);
        EngineTimer? ordered = null;
        while (node is not null)
        {
            var next = node.NextSubmitted;
            node.NextSubmitted = ordered;
            ordered = node;
            node = next;
        }

        while (ordered is not null)
        {
            var t = ordered;
            ordered = t.NextSubmitted;
            t.NextSubmitted = null;
            Interlocked.Exchange(ref t.Submitted, 0); // full fence before reading its state: see "Lost wake-ups"
            File(t);
        }
    }

    /// <summary>Dispatcher: makes the heaps agree with the timer's published state.</summary>
    private void File(EngineTimer t)
    {
        var spin = default(SpinWait);
        long state;
        long due, deadline, ticket;
        while (true)
        {
            state = Volatile.Read(ref t.StateWord);
            if ((state & EngineTimer.WritingBit) != 0)
            {
                spin.SpinOnce();
                continue;
            }

            due = t.DueNanoseconds;
            deadline = t.DeadlineNanoseconds;
            ticket = t.ArmTicket;
            if (Volatile.Read(ref t.StateWord) == state)
            {
                break; // a consistent snapshot of the parameters of this sequence
            }
        }

        var sequence = state >> EngineTimer.SequenceShift;
        if ((state & EngineTimer.ArmedBit) == 0)
        {
            Unfile(t);
            return;
        }

        if (_byDue.Contains(t) && t.HeapSequence == sequence)
        {
            return; // already filed with these keys (a periodic timer keeps its own advanced keys)
        }

        Unfile(t);
        Insert(t, due, deadline, sequence, IsVirtual ? ticket : _insertionCounter++);
    }

    private void Insert(EngineTimer t, long due, long deadline, long sequence, long order)
    {
        t.HeapDue = due;
        t.HeapDeadline = deadline;
        t.HeapSequence = sequence;
        t.InsertionOrder = order;
        _byDue.Insert(t);
        _byDeadline.Insert(t);
    }

    private void Unfile(EngineTimer t)
    {
        if (_byDue.Contains(t))
        {
            _byDue.Remove(t);
            _byDeadline.Remove(t);
        }
    }
}
