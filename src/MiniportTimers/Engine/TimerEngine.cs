using MiniportTimers.Engine.Queue;

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
//   A timer's state is one 64-bit word: (arm sequence << 11) | (queue << 5) | Lazy | Pinned | Submitted | Writing | Armed (the
//   queue is the dispatcher the timer belongs to: see DispatchQueue for who may move it and when). Arm takes the Writing bit
//   with one CAS, writes the due time and the arm code (the tolerance rounded down to a decimal float, and a periodic
//   bit: ArmCode; the period, and a virtual engine's ticket, go to the timer's ArmParameters), and publishes a new
//   sequence with Armed and Submitted set (a release store: every reader spins while the Writing bit is set). Cancel is
//   one CAS from Armed to not armed (sequence + 1, Submitted set). Whoever finds Submitted clear pushes the timer onto a
//   lock-free submission stack (one CAS on its head); the dispatcher clears the bit in the same CAS that takes the
//   timer's snapshot. So a timer is on the stack at most once, an arm+cancel pair on one timer costs two interlocked
//   operations and allocates nothing, and creating, arming and cancelling a new timer costs three. Counters are
//   striped per thread. An arming whose deadline is earlier than the one the dispatcher sleeps on moves the OS wake-up
//   itself (one CAS on the programmed deadline, one syscall), the only cross-thread signal.
//
// Data structure (owned by the dispatcher alone; the timers are their own nodes)
//   Far:  a hierarchical timing wheel (Queue/TimerWheel: 8 levels × 64 buckets of 65.5 µs ticks and up) whose buckets
//         are arrays of timer references; each filed timer holds its bucket and index (EngineTimer.WheelSlot,
//         WheelIndex), and a removal swaps the bucket's last timer into the hole. Filing and removal are O(1); a
//         pending timer there costs its 56-byte object and the 8-byte reference (64 bytes, a KTIMER's size). Every
//         wheel timer is due after the wheel's cursor tick.
//   Near: three 4-ary heaps (Queue/NearHeap: the order keys inline, each entry's timer, due time and sequence in a
//         slot table beside them, so a sift moves no object reference), holding only the timers whose tick the cursor
//         has reached, in exact nanosecond order:
//           _nearExact              tolerance 0, by (due, order)           → its due time is also its deadline
//           _nearTolerantByDue      tolerance > 0, by (due, order)
//           _nearTolerantByDeadline tolerance > 0, by (due + tolerance, order)
//         Who fires next is the earlier top of the two by-due heaps; when the dispatcher must be awake at the latest is
//         the earlier of the exact top's due and the deadline top. A zero-tolerance timer (most of them) costs one push
//         and one pop, not two of each.
//         Beside them, the level-0 run (Queue/SortedRun, issue 27 session ten): the exact timers of a pulled level-0
//         bucket (one 65.5 µs tick), sorted once by (due, order) with a radix sort of their indices instead of pushed
//         one by one. Its front is the third top the dispatcher compares (DispatchQueue "The level-0 run"); the merged
//         order is the heaps' order exactly.
//         Entries carry the keys as filed (sequence, due), so another thread's Arm never disturbs the heap order;
//         removal is lazy: an entry whose timer was cancelled or re-armed is dropped when it reaches the top. The heaps
//         never shrink mid-burst; the dispatcher trims them when it goes idle (before a sleep of 1 ms or more, and at
//         most every 100 ms between shorter ones: DispatchQueue.TrimExcessBeforeSleep). The wheel's bucket arrays are
//         kept as spares across a burst (up to a quarter of the timers it holds), and the arrays of the next level-2
//         cascade are provisioned at that trim, so a burst's own cascades allocate (almost) nothing (TimerWheel "Spare
//         arrays").
//   The cursor moves only when the dispatcher needs a timer beyond the near heaps: PullEarliest jumps it to the
//   earliest occupied bucket and the dispatcher files that bucket's timers again (a lower level, or near). Since every
//   wheel timer is due after every near timer, the near top is the earliest due of all; the earliest deadline is the
//   near deadline top once it is no later than the wheel's earliest possible due time, else the dispatcher pulls more.
//   So with nothing nearer pending the cursor can run ahead of the clock (a pending 60 s timer pulled down leaves it 60
//   s ahead), and an arming due before the cursor cannot enter the wheel: a drain that meets one moves the cursor back
//   to the clock's tick and files the queue's timers again, when they are at most 4,096 and at least as many armings
//   (and sixteen) have gone near since the last rewind (DispatchQueue.RewindIfAhead, issue 27 session seventeen);
//   before, a burst armed after such a timer went into the exact heap, 3.5× the CPU.
//   Several dispatchers (a real engine made with more than one): each queue is all of the above for its own timers.
//   A timer belongs to one queue while it is armed or submitted; an idle timer that is not pinned is dealt, as it is
//   armed, to the next queue in the arming thread's rotation (a per-thread counter: arming threads share nothing), so a
//   burst armed from one thread is spread evenly over the dispatchers and a 2-core machine fires it on both cores
//   (issue 27; before, it went to the queue of the arming thread's CPU, so such a burst all landed on one). The
//   ordering guarantee kept: the timers of one queue fire in due order, never early, one callback at a time; timers of
//   different queues fire concurrently and in no order relative to each other (as DPCs on different processors); a
//   re-arm or periodic expiry keeps a timer on its queue; a pinned timer (TrySetTargetDispatcher, which every hosting
//   layer uses) never moves. Callers that need two timers ordered pin them to one dispatcher, or use one dispatcher.
//   Ties: on a virtual engine equal due times fire in the order of the Arm calls (each Arm takes an engine-wide ticket,
//   which a single-threaded test can rely on); on the real engine in no defined order (Arms on different threads have
//   no order, and a shared ticket counter on the arm path would cost the two-thread scaling).
//   The dispatcher drains the submission stack before it looks at its queue and files each drained timer: unlinks it
//   from the wheel, then files its current arming (wheel or near) unless it is cancelled. A stale near entry is dropped,
//   never fired early: every change of a timer's arming re-submits it, so its current arming is always filed.
//
// Lazy re-arms (idle timeouts pushed back on every I/O)
//   An Arm of a timer that is pending and filed (armed, not submitted) to a due time and a deadline no earlier than its
//   current ones publishes the new arming with the Lazy bit and does not push it: the timer stays filed at its earlier
//   position, which the dispatcher reaches no later than the new deadline requires. When it gets there (a wheel pull,
//   the stale near entry reaching the front of the firing order, or its old deadline becoming the earliest one the
//   dispatcher must wake for: DispatchQueue "Stale deadlines") it clears the bit and files the current arming. So a
//   connection timeout re-armed a million times a second costs the arming threads one CAS each and the dispatcher
//   nothing until the old due time (Kafka's and Netty's idle-timeout trick; Linux's mod_timer skips the same way when
//   the bucket does not change). An earlier due time or deadline, a cancel, or a timer already submitted takes the
//   ordinary path. The old position is the lazy arming's only filing, so nothing may drop it unseen: a near heap's
//   compaction keeps a stale entry whose timer has the Lazy bit (or an Arm mid-write), and a wheel pull files the current
//   arming. Until session thirteen the compaction dropped it, and such a timer stayed armed and never fired
//   (NearHeap.KeptByCompaction; DispatchQueueRunRaceTests).
//
// Firing rule (the Linux hrtimer range rule)
//   The dispatcher sleeps until the earliest latest-allowed deadline (the real one spins a wait of 20 µs or less: a
//   sleep costs more CPU than that, RealTimeTimerEngine.ShortWaitNanoseconds), then fires, one by one and in due order, every
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
//   dispatcher                                    arming thread
//   1 drain; D = earliest deadline                a take the Writing bit (CAS, a full fence), write due, publish
//                                                    state + submitted bit (release store; readers spin on Writing)
//   2 programmed := D (interlocked exchange)      b push the timer unless the bit was already set (CAS on the head,
//                                                    a full fence; a timer already on the stack is read by the
//                                                    drain that takes it, which spins while the Writing bit is set)
//   3 drain again; D' = earliest deadline         c if deadline < programmed: CAS programmed := deadline,
//     if D' < D: D := D', back to 2                  then OS timer := deadline; if programmed < deadline (lowered
//                                                    meanwhile): deadline := programmed, repeat the OS write
//   4 OS timer := D; if programmed < D (lowered
//     meanwhile): D := programmed, repeat 4
//   5 sleep
//   An arming pushed before 2 is filed by the drain in 3. One pushed after 2 reads programmed ≤ D in c and, if its
//   deadline is earlier, lowers it and programs the OS timer itself. If its OS write lands before the dispatcher's in 4,
//   the dispatcher's re-read of programmed in 4 sees the lowered value and programs it again. Two arming threads race
//   the same way: A lowers to 5, B to 3, B's OS write lands first, then A's (5); A's re-read in c sees 3 and writes it.
//   Whoever's OS write lands last re-reads programmed after it, and any later lowering writes after that read, so the
//   OS timer ends at the published deadline. No interleaving leaves an earlier arming asleep, and a stream of far-off
//   armings never keeps the dispatcher awake: it drains them only every 4,096 pushes (so dead timers cannot pile up on
//   the stack).
//
// Complexity
//   Arm, Cancel: O(1), lock-free. Dispatcher: O(1) per filing in the wheel, O(log m) per near filing and per expiry
//   (m = near timers only), O(1) per timer a level-0 pull files into the run (two radix passes over the pulled
//   bucket), each timer cascading at most once per wheel level. Memory: 64 bytes per pending timer
//   (the 56-byte timer object and its bucket's 8-byte reference, plus the arrays' growth slack until the dispatcher
//   trims them when it goes idle; 16 more with a delegate and state, plus a 40-byte ArmParameters once it uses a
//   period, or on a virtual engine; a tolerance costs nothing, it lives in the timer's arm code).
//
// Cost at load (what a million pending timers taught us; docs/benchmarks.md "Expiry at load" has the runs)
//   With a million timers pending, the dispatcher's time goes to cache and TLB misses on cold timer objects, not to
//   instructions: a filing or an expiry of a timer touched long ago costs a miss (some 100-300 ns on the 2-core VM),
//   while the same work on timers in allocation order costs a third of that. So the expiry path touches each timer as
//   few times as it can: a pulled bucket is walked once (PullEarliest is O(1)); a wheel filing reads the due time
//   alone (the arm code, on the timer's own line, only when the timer goes near; a parameter block, a second cold
//   object, only on a virtual engine or for a period); a pulled bucket and a
//   batch of due expiries are read ahead of the work on them (below); an expiry reads the clock once
//   (the clock after a callback is the next take's "now"). That one read stays (issue 27, session ten): without it a
//   burst cost about 37 ns less per expiry (A/B in one process, 218-435 → 181-328 ns), but it is what makes two
//   figures true. It ends the callback's measured time (LongestCallbackNanoseconds, the callback every other timer of
//   the dispatcher waited behind, named in reports), and it is the next expiry's FiredAtNanoseconds. A pass that fires
//   everything due at one reading (Linux's hrtimer_interrupt keeps one "basenow" per pass; its callbacks get no fire
//   time) would report every callback of a batch as fired at the pass's start, short of the real lateness by the
//   callbacks before it, and could not tell a long callback inside a batch from its neighbours. A host that wants the
//   trade reads the clock itself; the engine reports no figure it did not measure.
//   Tried and dropped: handing 4.2 ms level-1 buckets to the near heaps whole (no level-0 pass): the bigger heap cost
//   more than the pass it saved (virtual 1,330 against 950 ns per expiry); a sorted run per pulled bucket, read front to back beside the heaps: 10-20 % slower (a sort per 650-timer
//   bucket costs more than the heap's pushes, which are O(1) on average for random due times), and it did not help a
//   million timers set at once for one tick, which are drained into the near queue one batch at a time, not pulled.
//   (Session ten came back to it in another form and kept it: the run takes the exact heap's share of a level-0 pull,
//   so a timer costs an append and two radix passes over 4-byte indices instead of a push and a pop of a 650-entry
//   heap; burst median 227 → 159 ns per expiry in one process, A/B. The drain's filings, the tolerant timers and a
//   periodic re-key still go to the heaps.)
//   Kept: a 4-ary heap (half the depth; that burst went from about 2,200 to 1,600 ns per expiry).
//   Issue 27: the limit was memory-level parallelism, not memory latency. On the 2-core VM a walk that chases a linked
//   list through a million cold 64-byte nodes costs about 200 ns a node (each step waits for the previous miss); the
//   same nodes through an array of pointers cost about 10 (the core overlaps the misses): `bench --only
//   memory-latency`. A burst armed a second ahead is pulled three times on its way down the wheel (level 2, 1, 0), and
//   each pull walked intrusive lists: the chased cost, three times. The buckets are now arrays (TimerWheel "Why
//   arrays"): the array-walk cost instead, on one condition the first version missed. A prefetch 16 ahead inside the
//   filing loop (a few hundred instructions a timer) still paid 80-170 ns a timer: the core overlaps only the misses
//   that fit in its instruction window, and a prefetch that also misses the TLB does not cover the demand access. So
//   each pull is filed in chunks of 32, every chunk read first in a tight loop of loads (DispatchQueue.PullFromWheel,
//   TimerWheel.TouchPulled), which has all 32 misses in flight at once; and due expiries are taken off the near heaps
//   64 at a time into a batch whose timers and callback objects are asked for before the first callback runs
//   (DispatchQueue "Gathering"): in due order they are at random addresses, and the per-timer delegate of a
//   CreateTimer timer is one more cold object. Session eight (2026-12-06), docs/benchmarks.md: the level-0 pull went
//   from 146 to 79 ns a timer, the level-1 pull from 60 to 38, and the burst from 490 to 412 ns per expiry (316 with
//   one delegate for all timers). docs/benchmarks.md "Expiry at memory speed" has the runs, the elimination variants
//   and what did not help. Session nine: a lone due expiry is taken without a gather, and the take, the filing and the
//   fire are compiled with tiered PGO's profile (not at their first call), which a background warm-up task brings in
//   before a first burst (DispatchQueue "A lone expiry" and "Which methods are compiled at their first call",
//   DispatchWarmUp.TierUpAsync; docs/benchmarks.md "Issue 27, session nine").
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

    /// <summary>The dispatchers' queues: one on a virtual engine, one per dispatch thread on a real one.</summary>
    private readonly DispatchQueue[] _queues;

    /// <summary>_queues[0]: the only one on most engines, so Arm and Cancel skip the index there.</summary>
    private readonly DispatchQueue _firstQueue;

    /// <summary><see cref="IsVirtual"/>, read once: Arm tests it on every call, and a virtual call there costs.</summary>
    private readonly bool _isVirtual;

    /// <summary>Virtual engines: arm-call tickets, shared with periodic re-keys (see "Ties").</summary>
    private long _armTickets;

    // Shared.
    private readonly StripedCounter _arms = new();
    private readonly StripedCounter _cancels = new();
    private readonly StripedCounter _pending = new();
    private long _callbackFaults;

    private int _disposed; // 1 once disposed: written with a full fence (Interlocked), read with Volatile

    /// <summary>Creates the engine with <paramref name="dispatchers"/> queues and registers it with the process-wide counters.</summary>
    /// <param name="dispatchers">How many dispatcher queues, 1 to <see cref="EngineTimer.MaxQueues"/>.</param>
    /// <param name="joinRegistry">False for an engine of the library's own that nobody should see: it stays out of the
    /// process-wide counters (Meter, EventSource) and of KeFlushQueuedDpcs outside a host (the dispatch warm-up's).</param>
    private protected TimerEngine(int dispatchers = 1, bool joinRegistry = true)
    {
        System.Diagnostics.Debug.Assert(dispatchers is >= 1 and <= EngineTimer.MaxQueues, "the queue index fits its bits of the state word");
        _isVirtual = IsVirtual; // the derived engines answer with a constant, so this is safe from the base constructor
        _queues = new DispatchQueue[dispatchers];
        for (var i = 0; i < dispatchers; i++)
        {
            _queues[i] = new DispatchQueue(this, i);
        }

        _firstQueue = _queues[0];
        if (joinRegistry)
        {
            EngineRegistry.Add(this);
        }
    }

    /// <summary>The dispatchers' queues (for the derived engines' dispatch loops).</summary>
    /// <summary>
    /// True when the calling thread is one of this engine's dispatch threads (running a callback, or the engine's own
    /// work); always false on a virtual engine, which has none. A few volatile reads; for choosing where slow setup work
    /// goes (the host's timer rows, issue 27).
    /// </summary>
    internal bool IsDispatcherThread
    {
        get
        {
            if (_isVirtual)
            {
                return false;
            }

            var thread = Environment.CurrentManagedThreadId;
            foreach (var queue in _queues)
            {
                if (queue.DispatcherThreadId == thread)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private protected ReadOnlySpan<DispatchQueue> Queues => _queues;

    /// <summary>
    /// How many dispatchers fire this engine's timers: 1 on a virtual engine (one deterministic sequence), as many as
    /// the real engine was created with. A timer belongs to one dispatcher at a time (see <see cref="TrySetTargetDispatcher"/>).
    /// </summary>
    public int DispatcherCount => _queues.Length;

    /// <summary>The engine's clock: nanoseconds since an arbitrary fixed origin, monotonic, never negative.</summary>
    public abstract long NowNanoseconds { get; }

    /// <summary>True for a clock that moves only when told to (<see cref="VirtualTimerEngine"/>).</summary>
    public abstract bool IsVirtual { get; }

    /// <summary>
    /// Raised, on the dispatcher, when a timer callback throws. The exception is not rethrown. A handler that throws in
    /// turn is not allowed to end the dispatcher (on a real engine that ended the process): its exception is swallowed
    /// and counted in <see cref="EngineStatistics.CallbackFaults"/> with the callback's, and the other handlers still run.
    /// </summary>
    public event Action<EngineTimer, Exception>? CallbackFaulted;

    /// <summary>
    /// The number of pending timers: a snapshot, exact while no arm or cancel runs and no dispatcher is firing. A real
    /// engine's dispatcher takes its one-shot expiries off this count in groups (up to 63 late, never early) and always
    /// before it waits; a virtual engine's at each expiry. Thread-safe.
    /// </summary>
    public int PendingCount => (int)_pending.Read();

    /// <summary>A snapshot of the engine's counters.</summary>
    public EngineStatistics Statistics
    {
        get
        {
            long fires = 0, wakeUps = 0, coalesced = 0, longest = 0;
            foreach (var queue in _queues)
            {
                fires += queue.Fires;
                wakeUps += queue.WakeUps;
                coalesced += queue.CoalescedFires;
                longest = Math.Max(longest, queue.LongestCallbackNanoseconds);
            }

            return new(_arms.Read(), _cancels.Read(), fires, wakeUps, Interlocked.Read(ref _callbackFaults), PendingCount, coalesced, longest);
        }
    }

    /// <summary>
    /// What ran the engine's longest callback (<see cref="EngineStatistics.LongestCallbackNanoseconds"/>), for reports: the
    /// callback's method as "Type.Method" (a lambda as "Type (a lambda in Method)"), the delegate in the timer's state when
    /// that is one (a scheduled action), else the timer's own callback, with the state's type when the callback is a
    /// shared one. Null before any callback ran. A snapshot; safe from any thread. Uses reflection: for reports, not for
    /// a hot path.
    /// </summary>
    public string? LongestCallbackName
    {
        get
        {
            EngineTimer? longest = null;
            long longestNanoseconds = -1;
            foreach (var queue in _queues)
            {
                if (queue.LongestCallbackTimer is { } timer && queue.LongestCallbackNanoseconds > longestNanoseconds)
                {
                    longest = timer;
                    longestNanoseconds = queue.LongestCallbackNanoseconds;
                }
            }

            return longest is null ? null : CallbackNames.Of(longest);
        }
    }

    /// <summary>True once <see cref="Dispose()"/> has begun (a volatile read: the dispatcher re-checks it before it sleeps).</summary>
    protected internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Creates an engine-internal timer (a flush marker), left out of every statistic.</summary>
    private protected EngineTimer CreateInternalTimer(EngineTimerCallback callback, object? state) =>
        new InternalTimer(this, callback, state);

    /// <summary>Creates an idle timer that runs <paramref name="callback"/> with <paramref name="state"/> when it fires.</summary>
    /// <param name="callback">What to run at each expiry; see <see cref="EngineTimerCallback"/>.</param>
    /// <param name="state">Any object, handed back as <see cref="EngineTimer.State"/>.</param>
    /// <returns>An idle timer of this engine (72 bytes; derive from <see cref="EngineTimer"/> for a 56-byte one).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    public EngineTimer CreateTimer(EngineTimerCallback callback, object? state = null)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new DelegateEngineTimer(this, callback, state);
    }

    /// <summary>Throws unless <paramref name="timer"/> was created by this engine (a reference compare or two).</summary>
    private void ThrowIfNotOwn(EngineTimer timer)
    {
        ArgumentNullException.ThrowIfNull(timer);
        if (!ReferenceEquals(timer.Owner, this) && !(timer.Owner is ArmParameters owned && ReferenceEquals(owned.Engine, this)))
        {
            throw new ArgumentException("The timer belongs to another engine.", nameof(timer));
        }
    }

    /// <summary>
    /// Arms <paramref name="timer"/> to fire at <paramref name="dueNanoseconds"/> on this engine's clock, at the latest
    /// <paramref name="toleranceNanoseconds"/> after it, and then every <paramref name="periodNanoseconds"/> if that is
    /// not 0. A pending arming of the same timer is replaced (implicit cancel, as KeSetTimerEx does). Lock-free, O(1);
    /// allocation-free, except that the first arming of a timer with a period (or on a virtual engine) allocates the
    /// timer's 40-byte parameter block, which later armings reuse.
    /// </summary>
    /// <param name="timer">A timer created by this engine.</param>
    /// <param name="dueNanoseconds">Absolute due time in engine ns, 0 to <see cref="MaxTimeNanoseconds"/>. A due time in the past fires at the next dispatch (decision A15).</param>
    /// <param name="toleranceNanoseconds">How late the timer may fire so that wake-ups coalesce, 0 to <see cref="MaxTimeNanoseconds"/>.
    /// The engine keeps it rounded down to m × 10^e ns (m at most 2,047): exact up to 2,047 ns and for every whole µs up
    /// to 2.047 ms, ms up to 2.047 s and so on, at most 0.5 % less otherwise, and at most 2,047 × 10^15 ns. So a deadline
    /// is never later than asked; a timer may fire that much earlier within its window.</param>
    /// <param name="periodNanoseconds">0 for a one-shot timer; otherwise the period, 1 to <see cref="MaxTimeNanoseconds"/>. A
    /// periodic timer whose next due time would pass <see cref="MaxTimeNanoseconds"/> fires that expiry as its last and goes idle.</param>
    /// <returns>True if the timer was pending (and its earlier arming is replaced), false if it was idle.</returns>
    /// <exception cref="ArgumentException"><paramref name="timer"/> belongs to another engine.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A time argument is negative or above <see cref="MaxTimeNanoseconds"/>.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public bool Arm(EngineTimer timer, long dueNanoseconds, long toleranceNanoseconds = 0, long periodNanoseconds = 0)
    {
        ThrowIfNotOwn(timer);

        ArgumentOutOfRangeException.ThrowIfNegative(dueNanoseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dueNanoseconds, MaxTimeNanoseconds);
        ArgumentOutOfRangeException.ThrowIfNegative(toleranceNanoseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(toleranceNanoseconds, MaxTimeNanoseconds);
        ArgumentOutOfRangeException.ThrowIfNegative(periodNanoseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(periodNanoseconds, MaxTimeNanoseconds);
        ObjectDisposedException.ThrowIf(IsDisposed, this);

        // Take the timer's writer bit (concurrent Arms of one timer serialize here; nothing else ever waits on it).
        var before = Volatile.Read(ref timer.StateWord);
        if ((before & EngineTimer.WritingBit) != 0
            || Interlocked.CompareExchange(ref timer.StateWord, before | EngineTimer.WritingBit, before) != before)
        {
            before = TakeWriterBitContended(timer);
        }

        // The tolerance as the timer keeps it, rounded down (ArmCode): every deadline below is made of this one.
        ushort code = 0;
        if (toleranceNanoseconds != 0 || periodNanoseconds != 0)
        {
            code = ArmCode.Encode(toleranceNanoseconds, periodNanoseconds != 0);
            toleranceNanoseconds = ArmCode.ToleranceNanoseconds(code);
        }

        // A lazy re-arm (see "Lazy re-arms"): pending, filed, and moved no earlier in due time or deadline. Read before
        // the arming is overwritten; only a pending, filed timer pays for the check.
        var lazy = (before & (EngineTimer.ArmedBit | EngineTimer.SubmittedBit)) == EngineTimer.ArmedBit
            && MovesNoEarlier(timer, dueNanoseconds, toleranceNanoseconds);

        if (periodNanoseconds != 0 || _isVirtual)
        {
            WriteParameters(timer, periodNanoseconds);
        }

        timer.ArmCode = code;
        timer.DueNanoseconds = dueNanoseconds;

        // The queue: the timer's own while it is armed or submitted (it is filed there); otherwise, unless pinned to a
        // target, the arming thread's CPU's (see "Moving a timer between queues" in DispatchQueue).
        var routing = before & EngineTimer.RoutingMask;
        var queue = _queues.Length == 1 ? _firstQueue : Route(before, ref routing);

        // Publish: new sequence, armed, submitted, writer bit released. A release store is enough: every reader of the
        // word spins while the writer bit is set, and when this Arm pushes, the push's CAS orders the store before the
        // read of the programmed deadline (see "Lost wake-ups" above).
        var sequence = (before >> EngineTimer.SequenceShift) + 1;
        Volatile.Write(ref timer.StateWord, (sequence << EngineTimer.SequenceShift) | routing | EngineTimer.ArmedBit | (lazy ? EngineTimer.LazyBit : EngineTimer.SubmittedBit));

        var wasPending = (before & EngineTimer.ArmedBit) != 0;
        if (timer is not InternalTimer)
        {
            _arms.Add(1);
            if (!wasPending)
            {
                _pending.Add(1);
            }
        }

        if (lazy)
        {
            return wasPending; // still filed at its earlier position: the dispatcher files this arming when it gets there
        }

        if ((before & EngineTimer.SubmittedBit) == 0)
        {
            queue.Push(timer); // else it is on the stack already: the dispatcher reads this state when it takes it off
        }

        queue.LowerProgrammedDeadline(dueNanoseconds + toleranceNanoseconds);
        return wasPending;
    }

    /// <summary>Arm, when the first attempt lost a race: spins until it holds the timer's writer bit; the state before it.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static long TakeWriterBitContended(EngineTimer timer)
    {
        var spin = default(SpinWait);
        while (true)
        {
            var before = Volatile.Read(ref timer.StateWord);
            if ((before & EngineTimer.WritingBit) == 0
                && Interlocked.CompareExchange(ref timer.StateWord, before | EngineTimer.WritingBit, before) == before)
            {
                return before;
            }

            spin.SpinOnce();
        }
    }

    /// <summary>Arm, under the writer bit: the period and (virtual engines) ticket of the new arming, in the timer's parameter block (made on first use).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void WriteParameters(EngineTimer timer, long periodNanoseconds)
    {
        if (timer.Owner is not ArmParameters parameters)
        {
            parameters = new ArmParameters(this);
            timer.Owner = parameters;
        }

        parameters.PeriodNanoseconds = periodNanoseconds;
        if (_isVirtual)
        {
            parameters.ArmTicket = Interlocked.Increment(ref _armTickets);
        }
    }

    /// <summary>Arm, on a pending and filed timer: true if the new arming is due no earlier and its deadline (with the tolerance as kept) is no earlier (a lazy re-arm).</summary>
    private static bool MovesNoEarlier(EngineTimer timer, long dueNanoseconds, long toleranceNanoseconds)
    {
        var filedDue = timer.DueNanoseconds;
        return dueNanoseconds >= filedDue
            && dueNanoseconds + toleranceNanoseconds >= filedDue + ArmCode.ToleranceNanoseconds(timer.ArmCode);
    }

    /// <summary>The state a cancel of <paramref name="before"/> publishes: next sequence, not armed, submitted, same queue.</summary>
    private static long CancelledState(long before) =>
        (((before >> EngineTimer.SequenceShift) + 1) << EngineTimer.SequenceShift) | (before & EngineTimer.RoutingMask) | EngineTimer.SubmittedBit;

    /// <summary>Cancel, when the first attempt lost a race: retries until it cancels an arming or finds none; the state it replaced (not armed: nothing to cancel).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static long CancelContended(EngineTimer timer)
    {
        var spin = default(SpinWait);
        while (true)
        {
            var before = Volatile.Read(ref timer.StateWord);
            if ((before & EngineTimer.ArmedBit) == 0)
            {
                return before;
            }

            if ((before & EngineTimer.WritingBit) == 0
                && Interlocked.CompareExchange(ref timer.StateWord, CancelledState(before), before) == before)
            {
                return before;
            }

            spin.SpinOnce();
        }
    }

    /// <summary>Cancel: submits the cancelled timer to its queue (out of line: Cancel stays small enough to inline).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void PushCancelled(EngineTimer timer, long before) =>
        (_queues.Length == 1 ? _firstQueue : _queues[EngineTimer.QueueOf(before)]).Push(timer);

    /// <summary>
    /// Arm, on an engine with several queues: the timer's queue (see "Moving a timer between queues" in DispatchQueue
    /// and "Several dispatchers" above). An idle, unpinned timer is dealt to the next queue in this thread's rotation.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private DispatchQueue Route(long before, ref long routing)
    {
        if ((before & (EngineTimer.ArmedBit | EngineTimer.SubmittedBit | EngineTimer.PinnedBit)) == 0)
        {
            // This thread's turn (EngineThreadCache): per thread, so arming threads share no counter (a shared one would
            // cost the two-thread arm+cancel scaling).
            var turn = EngineThreadCache.Current.RoutingTurn++;
            routing = (long)(turn % (uint)_queues.Length) << EngineTimer.QueueShift;
        }

        return _queues[EngineTimer.QueueOf(routing)];
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
    /// <exception cref="ArgumentNullException"><paramref name="timer"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="timer"/> belongs to another engine (its queue is that engine's
    /// alone: before this check another engine's timer was unlinked from the wrong wheel).</exception>
    /// <remarks>Safe after <see cref="Dispose()"/>: the timer becomes idle and nothing else happens.</remarks>
    public bool Cancel(EngineTimer timer)
    {
        ThrowIfNotOwn(timer);
        var before = Volatile.Read(ref timer.StateWord);
        if ((before & EngineTimer.ArmedBit) == 0)
        {
            return false;
        }

        if ((before & EngineTimer.WritingBit) != 0
            || Interlocked.CompareExchange(ref timer.StateWord, CancelledState(before), before) != before)
        {
            before = CancelContended(timer); // an Arm of this timer (or the dispatcher re-keying a periodic expiry) is mid-write
            if ((before & EngineTimer.ArmedBit) == 0)
            {
                return false;
            }
        }

        if ((before & EngineTimer.SubmittedBit) == 0)
        {
            PushCancelled(timer, before); // so its dispatcher unlinks it from the wheel at its next look, not at its old due time
        }

        if (timer is not InternalTimer)
        {
            _cancels.Add(1);
            _pending.Add(-1);
        }

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

    /// <summary>
    /// Stops the engine. Pending timers never fire afterwards (an expiry whose callback is already running finishes).
    /// Arm then throws <see cref="ObjectDisposedException"/>; Cancel still works (the timer goes idle), so that disposing
    /// a timer, a provider's ITimer or a driver's timer after its engine is safe.
    /// </summary>
    /// <remarks>
    /// There is no finalizer: an engine that is never disposed keeps its resources (a real engine: its dispatch thread and
    /// its OS timer) until the process exits. Dispose engines you create.
    /// </remarks>
    protected virtual void Dispose(bool disposing) => _ = TryMarkDisposed();

    /// <summary>Sets the disposed flag with a full fence (and cancels <see cref="DisposedToken"/>); true for the one caller that set it.</summary>
    private protected bool TryMarkDisposed()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return false;
        }

        Volatile.Read(ref _disposedSource)?.Cancel();
        return true;
    }

    /// <summary>
    /// Cancelled when the engine is disposed: lets a host's helper thread (the stuck-callback watchdog) end at once
    /// instead of noticing at its next poll. Created on first use.
    /// </summary>
    internal CancellationToken DisposedToken
    {
        get
        {
            var source = Volatile.Read(ref _disposedSource);
            if (source is null)
            {
                var created = new CancellationTokenSource();
                source = Interlocked.CompareExchange(ref _disposedSource, created, null) ?? created;
                if (!ReferenceEquals(source, created))
                {
                    created.Dispose();
                }

                if (IsDisposed)
                {
                    source.Cancel(); // Dispose may have looked before the source was published
                }
            }

            return source.Token;
        }
    }

    private CancellationTokenSource? _disposedSource;

    /// <summary>
    /// Called on an arming thread when an arming's deadline is earlier than the programmed wake-up of
    /// <paramref name="queue"/>; the real engine moves that dispatcher's OS timer.
    /// </summary>
    internal virtual void OnEarliestDeadlineLowered(DispatchQueue queue, long deadlineNanoseconds)
    {
    }

    /// <summary>
    /// Called on an arming thread when many submissions have piled up on <paramref name="queue"/> while its dispatcher
    /// sleeps (create/arm/cancel churn with far deadlines): the real engine wakes that dispatcher to drain them, so dead
    /// timers do not accumulate.
    /// </summary>
    internal virtual void OnDrainNeeded(DispatchQueue queue)
    {
    }

    /// <summary>Virtual engines: the next arm-call ticket (see "Ties").</summary>
    internal long NextArmTicket() => Interlocked.Increment(ref _armTickets);

    /// <summary>A dispatcher: <paramref name="count"/> one-shot expiries claimed their timers, which are no longer pending (a real dispatcher adds them up to 64 at a time: DispatchQueue "Counters per expiry").</summary>
    internal void CountExpiredOneShots(int count) => _pending.Add(-count);

    /// <summary>
    /// Pins <paramref name="timer"/> to dispatcher <paramref name="dispatcher"/>: its expiries run there whichever thread
    /// arms it (as KeSetTargetProcessorDpc names the processor a DPC runs on). Takes effect only while the timer is idle
    /// and no change of it waits to be filed; the caller sets the target before arming, as Windows expects of a DPC.
    /// </summary>
    /// <param name="timer">A timer created by this engine.</param>
    /// <param name="dispatcher">0 to <see cref="DispatcherCount"/> - 1; on an engine with one dispatcher, 0 (anything else is reduced modulo the count, as a processor number beyond the machine's is).</param>
    /// <returns>True if the timer is pinned there now (already, or by this call); false if it was pending (or its last change is not yet filed) on another, and nothing changed.</returns>
    /// <exception cref="ArgumentException"><paramref name="timer"/> belongs to another engine.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dispatcher"/> is negative.</exception>
    /// <remarks>Thread safety: safe from any thread; lock-free. It races an Arm of the same timer cleanly: one of them
    /// goes first.</remarks>
    public bool TrySetTargetDispatcher(EngineTimer timer, int dispatcher)
    {
        ThrowIfNotOwn(timer);
        ArgumentOutOfRangeException.ThrowIfNegative(dispatcher);
        var routing = ((long)(dispatcher % _queues.Length) << EngineTimer.QueueShift) | EngineTimer.PinnedBit;
        while (true)
        {
            var before = Volatile.Read(ref timer.StateWord);
            if ((before & EngineTimer.RoutingMask) == routing)
            {
                return true; // pinned there already: the hosts call this before every arm, so this is the common case
            }

            if ((before & (EngineTimer.ArmedBit | EngineTimer.SubmittedBit | EngineTimer.WritingBit)) != 0)
            {
                return false;
            }

            var after = (before & ~EngineTimer.RoutingMask) | routing;
            if (Interlocked.CompareExchange(ref timer.StateWord, after, before) == before)
            {
                return true;
            }
        }
    }

    /// <summary>The dispatcher a timer belongs to now: its queue index (for tests and reports).</summary>
    internal static int DispatcherOf(EngineTimer timer) => EngineTimer.QueueOf(Volatile.Read(ref timer.StateWord));

    /// <summary>
    /// Dispatcher: runs a timer's callback. Exceptions are counted and reported; rethrown only when
    /// <paramref name="rethrow"/> (a virtual engine that surfaces them to the caller of its advance). Returns the clock
    /// after the callback: the real dispatcher takes it as its next "now", so an expiry costs one clock read, not two
    /// (the callback's duration is measured from <see cref="TimerFiring.FiredAtNanoseconds"/>, read just before the take).
    /// </summary>
    private protected long Fire(DispatchQueue queue, EngineTimer timer, in TimerFiring firing, bool rethrow = false)
    {
        // A virtual clock can move between a wake-up and this callback (an earlier callback of the same wake-up stalled
        // it): read it (a plain field). The real dispatcher's "now" was read just before the take: the callback's start.
        var started = _isVirtual ? NowNanoseconds : firing.FiredAtNanoseconds;
        try
        {
            timer.OnFired(firing);
        }
        catch (Exception ex)
        {
            Interlocked.Increment(ref _callbackFaults);
            ReportFault(timer, ex);
            if (rethrow)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex);
            }
        }

        var ended = NowNanoseconds;
        queue.CountCallback(timer, started, ended);
        return ended;
    }

    /// <summary>
    /// From inside the callback of <paramref name="firing"/>, on the dispatcher that runs it: the longest callback that
    /// dispatcher ran since its latest wake-up, i.e. what an expiry of this wake-up waited behind (the run report names it
    /// beside a late fire, issue 27); none when called on another thread or before any callback of the wake-up returned.
    /// Reads dispatcher-only state, so it answers only on that dispatcher's own thread (a virtual engine's advancing thread).
    /// </summary>
    /// <param name="firing">The timer whose callback is running on the calling thread.</param>
    internal CallbackSpan LongestCallbackSinceWakeUp(EngineTimer firing)
    {
        var queue = _queues.Length == 1 ? _firstQueue : _queues[EngineTimer.QueueOf(Volatile.Read(ref firing.StateWord))];
        return _isVirtual || queue.DispatcherThreadId == Environment.CurrentManagedThreadId ? queue.LongestSinceWakeUp : default;
    }

    /// <summary>Runs every CallbackFaulted handler; one that throws is counted as a fault and does not stop the others.</summary>
    private void ReportFault(EngineTimer timer, Exception ex)
    {
        if (CallbackFaulted is not { } handlers)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<EngineTimer, Exception>)handler)(timer, ex);
            }
#pragma warning disable CA1031 // a handler's own failure must not end the dispatcher: it is counted, like the callback's
            catch (Exception)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _callbackFaults);
            }
        }
    }


}
