using MiniportTimers.Engine.Queue;

namespace MiniportTimers.Engine;

// =====================================================================================================================
// DispatchQueue: one dispatcher's share of an engine
//
// Everything the "Data structure", "Firing rule" and "Lost wake-ups" notes of TimerEngine describe, for one dispatcher:
// its submission stack, its programmed deadline, its wheel and near heaps, its counters. A virtual engine has one; a
// real engine has one per dispatch thread (one per CPU when asked for), so a callback that blocks delays only the timers
// of its own queue. Which queue a timer belongs to is written in its state word (EngineTimer.QueueShift): Arm and Cancel
// push the timer onto that queue's stack, and that queue's dispatcher alone files and fires it.
//
// Moving a timer between queues (an idle timer armed again goes to the next queue in the arming thread's rotation,
// or a target was set)
//   A timer may change queue only while it is neither armed nor submitted: then it is on no stack, in no wheel (File
//   unlinks it before it clears the submitted bit), and every near entry that names it is stale (its arming ended). The
//   move is part of the Arm that takes the writer bit, so no other Arm or Cancel races it. Its old queue never touches it
//   again; an old near entry is dropped when it reaches the top.
//
// Gathering (issue 27: the misses of the firing order)
//   The near heaps hand out expiries in due order, which is random in memory: taken one at a time, each timer (and a
//   CreateTimer timer's delegate, another object) was a cache miss that waited for the one before. So TryTakeNextDue
//   takes up to 64 due entries off the heaps at once (Gather: the earlier of the two by-due tops each time, exactly
//   the order single takes had; a pop reads the heap alone, never a timer), asks for all their timers, then all their
//   callback objects, and only then takes them one by one: the misses overlap. The batch is a cache of the heaps'
//   first entries, never a second queue with rules of its own:
//   - every entry is still checked when it is taken (IsCurrentWith): a timer cancelled or re-armed after the gather
//     is dropped (a lazy one filed at its new place), as a stale heap top was;
//   - before each take the drain runs, and if a heap's top now comes before the batch's next entry (a callback armed
//     an earlier expiry, a lazy re-arm was filed, a periodic timer was re-keyed) the rest of the batch goes back into
//     its heaps (ReturnBatch) and is gathered again: due order holds, and equal due times keep their filing order;
//   - everything else that reads the near set (EarliestDeadline, EarliestDue, LatestDue, TrimExcess) returns the batch
//     first: a virtual engine lets a callback ask for the next due time mid-batch;
//   - a gather takes entries due at the "now" of its take only: the firing rule is unchanged, nothing fires early.
//
// The level-0 run (issue 27, sessions ten and twelve)
//   A pull of a level-0 bucket (one 65.5 µs tick: about 650 timers in a burst of a million over 100 ms) files its
//   timers, exact and tolerant, into a run (Queue/SortedRun) instead of the heaps: appended as they are filed, then
//   sorted once by (due, order) with an LSD radix sort of their indices (two 8-bit passes over the due time's offset in
//   the tick; keys and payloads in flat arrays, no timer touched). The run is the near set's third source: the take and
//   the gather hand out the earliest of the exact heap's top, the tolerant by-due heap's top and the run's front, so the
//   merged order is exactly the one the heaps alone had (ties by the same order key: the filing counter, or a virtual
//   engine's arm ticket, which the run puts in order within equal due times; exact and tolerant entries share it).
//   - Deadlines. A tolerant entry carries its deadline (due + tolerance, read from the timer's arm code at the filing, as
//     the heaps' entries were). The run keeps its deadlines in a tournament tree over its positions (each segment's
//     leaves added after its sort; session fourteen, replacing suffix minima whose drop was O(n)), so EarliestDeadline
//     finds the run's in O(log n). That entry
//     may be stale: see "Stale deadlines" for when it leaves the deadline order (SortedRun.DropEarliestDeadline; the
//     entry itself stays, to be dropped at the front). Invariant: every current run entry's deadline is ≥ the run's
//     earliest deadline.
//   - Segments. The near set is pulled into when it is empty (the take), and also when its earliest deadline is beyond
//     the wheel's earliest possible due time (EarliestDeadline): with tolerant timers that is the common case (a 1 ms
//     tolerance reaches 15 ticks beyond the due time), and the run is not empty then. A later level-0 pull's tick is
//     later than every run entry's, so its timers are appended as a sorted segment behind the run (the run's order holds
//     whole); the deadline tree is updated for the new segment's positions only. Positions
//     handed out are reclaimed when a segment starts and they are at least as many as the live ones (a stream never
//     empties the run). Before, only a pull that found the run empty built it, and the tolerant timers of every pull
//     went to the heaps.
//   What stays as it was:
//   - a periodic re-key and everything the drain files go to the heaps; so do a level-1+ pull's near timers; a pulled
//     timer another thread armed again after the drain before the pull is left to the next drain (its current arming
//     may be due before the run's sorted entries: session thirteen, File);
//   - a run entry is a snapshot (due, deadline, sequence) like a heap entry: a cancel or re-arm leaves it stale, dropped
//     when it reaches the front; a lazily re-armed timer's current arming is filed then (heap or wheel), as at a heap top;
//   - a batch holding run entries that must go back (ReturnBatch) puts an exact one into the exact heap and a tolerant
//     one into both tolerant heaps (its deadline kept beside the batch, _batchDeadline), same keys;
//   - EarliestDeadline, EarliestDue and LatestDue read the run's front, its deadline minima or all of it, as they read
//     the heaps; TrimExcess gives the run's arrays back once it is empty.
//   The wheel is pulled only when the near set, run included, is empty or its earliest deadline is beyond the wheel's,
//   and every wheel timer is due after every near one. Before the run, each exact timer cost a heap push (6-7 ns) and a
//   pop of a 650-entry heap (27-34 ns) and the gather's copy; session ten measured the burst's median from 210-227 to
//   159-170 ns per expiry in one process, A/B (docs/benchmarks.md "session ten"). A tolerant timer cost two pushes, a
//   pop of the by-due heap, and a by-deadline entry that outlived the fire: only a wake-up's EarliestDeadline pops stale
//   tops, and a burst that runs behind never sleeps, so the by-deadline heap grew by every tolerant expiry of the burst
//   and its compactions read every entry's timer (NearHeap.Compact in the profile); session twelve measured that path
//   against this one (docs/benchmarks.md "session twelve: tolerant timers in the level-0 run"). Session eight's
//   "sorted run" (TimerEngine "Cost at load", dropped) sorted by comparison beside a heap holding the same timers; this
//   one replaces the heaps' share and sorts by radix.
//
// The parameter block (issue 27, sessions twelve and eighteen)
//   A periodic or virtual timer keeps its period and arm ticket in a second object (ArmParameters, EngineTimer.Owner),
//   as cold as the timer in a burst. Its tolerance and a periodic bit live in the timer itself (EngineTimer.ArmCode,
//   16 bits: the tolerance rounded down to m × 10^e ns), so the filing into the near set (PlaceNear: the deadline, and
//   whether the arming is a one-shot) reads the timer alone on a real engine; a virtual engine's filing also reads
//   the ticket (the tie-breaker), and the pull's touch pass asks for its block a chunk ahead. Until session eighteen
//   the tolerance sat in the block, and a tolerant timer's filing paid that second miss: the 1 ms-tolerance burst
//   cost 189-222 ns an expiry against 132-140 exact, and the spread 300-329 (docs/benchmarks.md "session eighteen").
//   A run entry remembers whether its filing found no period (SortedRun "filed one-shot"): its take reads no arm
//   code. The filing's read belongs to the entry's arming (a newer arming makes the entry stale at once), so a current
//   entry filed as a one-shot is one (Debug-checked at the take); a heap entry, or a run entry returned to the heaps,
//   carries no mark: its take reads the arm code, and the block only for a period (the gather asks for the block of a
//   periodic timer alone).

// A lone expiry (issue 27, session nine)
//   Most wake-ups of a driver's timers fire one expiry. The take pops the first due entry and looks at the next top
//   (a heap read, no timer): only when that one is due too does it gather the rest behind the first (the batch then
//   holds exactly what a whole gather would have, in the same order, asked for at once). A lone due entry is handed
//   out as it is, and the take after it finds the heaps' tops not due (or empty, and the wheel empty) without a gather.
//   Before, a single fire ran two gathers (one that took the timer, one that found nothing), the batch copies and the
//   prefetch passes. The virtual Arm+fire, 107-115 ns at 11ba7f3 and 123-131 on main before this, measured 119-123 ns
//   with the profile back (below) but two gathers, and 103-110 with the lone take as well (docs/benchmarks.md
//   "session nine").
//
// Counters per expiry (issue 27, session eleven)
//   An expiry writes two counters of its queue and none of the engine's: _fires, and once per wake-up
//   _wakeUpsThatFired (the coalesced count is the difference, where it was a second counter written per expiry). A
//   one-shot's claim takes it off the engine's pending count (a striped counter: a thread-static lookup and a write)
//   64 at a time on a real engine (_expiredNotCounted), and always before TryTakeNextDue returns false, i.e. before the
//   dispatcher waits or a virtual advance ends, and before an internal timer fires (FlushDispatched's marker: when it
//   returns, the count is exact). So PendingCount is at most 63 too high for a dispatcher mid-burst, never
//   too low (nothing reads "idle" early: WaitForIdle also requires every dispatcher not busy), and exact once the engine
//   is quiet; a virtual engine counts each at once (a callback may read the count mid-advance).
//   The callback's time costs one compare (session twelve): the longest callback since the wake-up is kept for the
//   report's late fires (TimerEngine.LongestCallbackSinceWakeUp), and only one longer than it can be the longest ever.
//
// Stale deadlines (issue 27, session fourteen)
//   A cancel or a re-arm leaves the timer's entries stale in the deadline orders (the run's deadline tree, the exact
//   heap, the tolerant by-deadline heap). A stale deadline is never later than its timer's current one: a lazy re-arm
//   is one whose due time and deadline are both no earlier (TimerEngine "Lazy re-arms"), and any other re-arm or a
//   cancel was pushed and is filed by the drain that EarliestDeadline runs first. So a stale entry matters only when it
//   is the earliest of all three orders, and EarliestDeadline resolves it only then: reads the three earliest entries
//   stale or not, and drops the earliest (its timer's lazy arming filed in a heap or the wheel) only if it is stale,
//   then reads again.
//   - A virtual engine moves its clock to the answer, so it asks for the exact one: each stale earliest entry is
//     resolved at once. The answer is the one the heaps gave before the run existed: a virtual engine wakes where it
//     woke before.
//   - A real dispatcher passes its "now": a stale earliest deadline later than that is returned as it is, a bound to
//     wake at (no current arming's deadline is earlier), and resolved when the dispatcher wakes there.
//   Why. Until session fourteen EarliestDeadline dropped every stale entry ahead of the first current one, in the run
//   first. A million idle timeouts (30 s, 1 s tolerance) pulled into the run and re-armed lazily at 5 M/s by two threads
//   (`bench --only churn`) then made each sleep resolve most of the run, each timer filed again only to go stale again,
//   and a suffix-minima drop cost O(n): the dispatcher did that work for minutes while the exact one-shots due meanwhile
//   waited (at most 73 % of them fired within ten seconds of their due time). Now a lazy re-arm costs the dispatcher
//   nothing until its old deadline or due time, as the lazy design intends (docs/reliability.md).
//
// A pull that yields (issue 27, session fourteen)
//   A pull files a whole bucket before anything else runs, and a bucket may hold a million timers: a server's idle
//   timeouts armed within one second sit in one level-3 bucket, and the dispatcher, with nothing nearer to do, pulls
//   them ahead (EarliestDeadline), 200 ms of work 30 s before they are due. One-shots armed during it waited for its
//   end: up to 540 ms late in `bench --only churn` before it waited for that pull. So a real dispatcher's pull of a
//   bucket of level 1 or above may stop between two chunks (ShouldYieldPull: it drains, then looks at the earliest near
//   deadline) when a near entry is due now and before the pulled bucket's start, which is before every timer still in
//   the pull (DueBeforePendingPull). The pull is then pending (TimerWheel.PullPending):
//   - EarliestDeadline hands out such entries first (the same rule, so the two never disagree and spin), then resumes
//     the pull; TakeNearDue hands out only what is due before the pulled bucket's start, and a due entry at or after it
//     ends the pull first (mayYield: false), so due order holds across the pull;
//   - a drained cancel or re-arm of a timer still in the pull takes it out of the pull array (TimerWheel.Remove), and the
//     pull skips it; nothing files into the pulled bucket meanwhile, and the cursor does not move;
//   - a level-0 pull never yields (its segment of the run is sorted at its end), nor does a virtual engine's (its clock
//     does not move during a pull; tests turn it on with YieldPulls and arm from inside the pull, PullChunkHook);
//   - EarliestDue ends a pending pull first; TrimExcess waits for its end; LatestDue reads the pull array too.
//   The check costs a drain test, the three near orders' earliest and, only when that is before the bucket, a clock
//   read, once per 32 timers.
//
// Which methods are compiled at their first call (AggressiveOptimization; DispatchWarmUp "First calls")
//   None of this class's. A method compiled at its first call gets no profile, and here the profile is worth more than
//   the early start: its guarded devirtualization (the timer's callback, the engine's clock, PrefetchCallback) and
//   type checks are most of what a take and a fire cost in instructions. With the attribute on the take, the drain and
//   the filing the virtual Arm+fire cost 123-131 ns, without it 103-110 (with DOTNET_TieredPGO=0 both cost the same:
//   the profile is the difference). They are re-compiled with their profile in two background steps of 30 calls
//   each; left to a process's first burst, that cost it 15-19 %, so a warm-up task runs them for 300 ms in small
//   rounds beforehand (DispatchWarmUp.TierUpAsync): the first burst is then 13 % cheaper than with the marks
//   (session nine, docs/benchmarks.md). The heaps' and the wheel's array loops (no virtual call, nothing a profile
//   changes) and the real dispatch loop (called once) keep the attribute.
//
// Thread safety: Push and LowerProgrammedDeadline run on arming threads (lock-free); everything else on this queue's
// dispatcher alone.
// =====================================================================================================================

/// <summary>One dispatcher's queue of an engine: its submission stack, wheel, near heaps and counters (see the notes above).</summary>
internal sealed class DispatchQueue
{
    /// <summary>How many pushes may accumulate before the dispatcher is woken just to drain them.</summary>
    private const int DrainBatch = 4096;

    /// <summary>A pull files its timers in chunks this long, each read in one tight pass first (see "Why arrays" in TimerWheel): 32 timers are 4 KB of cache lines.</summary>
    private const int PullChunk = 32;

    /// <summary>What the touch passes read, summed (only so that the reads are not dropped).</summary>
    private long _touched;

    /// <summary>How many due entries one gather takes off the near heaps (see "Gathering"): 64 timers and their callback objects are about 12 KB, well inside L1.</summary>
    private const int BatchCapacity = 64;

    /// <summary>Ends the submission stack, so that a null <see cref="EngineTimer.NextSubmitted"/> means "not on it".</summary>
    private static readonly EngineTimer SubmissionEnd = new StackEnd();

    private readonly TimerEngine _engine;
    /// <summary>
    /// Whether a pull of level 1 or above may stop between chunks for due work (see "A pull that yields"): a real
    /// engine's dispatcher; a virtual engine's only when a test asks (its clock does not move during a pull, so only an
    /// arming from inside the pull, PullChunkHook, can make something due meanwhile).
    /// </summary>
    private bool _yieldPulls;

    /// <summary>Tests: lets a virtual engine's pulls yield as a real dispatcher's do.</summary>
    internal bool YieldPulls
    {
        get => _yieldPulls;
        set => _yieldPulls = value;
    }

    private readonly bool _isVirtual;

    // Dispatcher-owned.
    private readonly TimerWheel _wheel = new();
    private readonly NearHeap _nearExact = new();              // tolerance 0: by (due, order); its due is its deadline
    private readonly NearHeap _nearTolerantByDue = new();      // tolerance > 0: by (due, order)
    private readonly NearHeap _nearTolerantByDeadline = new(); // tolerance > 0: by (due + tolerance, order)

    /// <summary>
    /// The timers of level-0 pulls, exact and tolerant, sorted by (due, order): the near set's third source (see "The
    /// level-0 run"). Invariant: every entry's tick is at or before the wheel's cursor, as a heap entry's; a pull appends
    /// a segment only when every entry already in it is due before the pulled tick, and sorts it before anything reads it.
    /// </summary>
    private readonly SortedRun _run = new();

    /// <summary>The due entries of the current gather, in firing order: [<see cref="_batchNext"/>, <see cref="_batchCount"/>) are still to be taken (see "Gathering").</summary>
    private readonly NearEntry[] _batch = new NearEntry[BatchCapacity];

    /// <summary>Bit i set: <see cref="_batch"/>[i] came from <see cref="_nearTolerantByDue"/> (else from <see cref="_nearExact"/> or the run), where <see cref="ReturnBatch"/> puts it back.</summary>
    private ulong _batchTolerant;

    /// <summary>
    /// Bit i set: <see cref="_batch"/>[i] is a tolerant entry of the run, with no entry in either tolerant heap:
    /// <see cref="ReturnBatch"/> pushes it into both, its deadline being <see cref="_batchDeadline"/>[i] (long.MaxValue: a
    /// stale entry dropped from the run's deadline order, which needs no deadline entry).
    /// </summary>
    private ulong _batchFromRunTolerant;

    /// <summary>
    /// Bit i set: <see cref="_batch"/>[i] is a run entry filed as a one-shot (see "The parameter block"): its take reads
    /// no parameters.
    /// </summary>
    private ulong _batchOneShot;

    /// <summary>The deadline of each batch entry marked in <see cref="_batchFromRunTolerant"/>, ns.</summary>
    private readonly long[] _batchDeadline = new long[BatchCapacity];

    /// <summary>The next batch entry to take. Invariant: 0 ≤ _batchNext ≤ _batchCount ≤ BatchCapacity; every entry before it is cleared.</summary>
    private int _batchNext;

    /// <summary>How many entries the current gather took.</summary>
    private int _batchCount;

    /// <summary>Real engines: the filing order of near entries (the tie-breaker).</summary>
    private long _insertionCounter;
    private long _fires;
    private long _wakeUps;

    /// <summary>Wake-ups whose own expiry fired (the first expiry after each); every other expiry was coalesced: <see cref="CoalescedFires"/> = fires − this.</summary>
    private long _wakeUpsThatFired;

    /// <summary>
    /// One-shot expiries claimed but not yet taken off the engine's pending count (see "Counters per expiry").
    /// Invariant: less than <see cref="_expiredCountBatch"/> (virtual engines: 1), and 0 whenever <see cref="TryTakeNextDue"/> has returned false.
    /// </summary>
    private int _expiredNotCounted;

    /// <summary>How many one-shot expiries a real dispatcher claims before it takes them off the pending count at once: 64 (1 on a virtual engine, whose callbacks may read the count mid-advance).</summary>
    private readonly int _expiredCountBatch;
    private long _longestCallbackNanoseconds;

    /// <summary>The timer whose callback took <see cref="_longestCallbackNanoseconds"/> (written with it, on the dispatcher; read for reports).</summary>
    private EngineTimer? _longestCallbackTimer;

    /// <summary>True from a wake-up until its first expiry fires: that expiry is the wake-up's own; later ones are coalesced.</summary>
    private bool _wakeUpUnused;
    private long _wokeAtNanoseconds; // the "now" of the first take since the latest wake-up (TimerFiring.WokeAtNanoseconds); dispatcher only
    private long _wakeDeadlineNanoseconds; // the deadline of the latest wake-up's sleep or spin (CountWakeUp); dispatcher only
    private long _sleptUntilNanoseconds; // that deadline, once the wake-up's first take claimed it (TimerFiring.SleptUntilNanoseconds); dispatcher only
    private long _sleptNanoseconds; // the dispatcher's time asleep in OS waits, each up to its deadline (TimerFiring.DispatcherSleptNanoseconds); dispatcher only
    private CallbackSpan _longestSinceWakeUp; // the longest callback since the latest CountWakeUp (LongestSinceWakeUp); dispatcher only

    // Shared with arming threads.

    /// <summary>Head of the lock-free submission stack (Treiber stack through EngineTimer.NextSubmitted, ending at <see cref="SubmissionEnd"/>).</summary>
    private EngineTimer? _submitted;

    /// <summary>Pushes so far; every <see cref="DrainBatch"/> pushes the dispatcher is woken to drain (bounds the stack).</summary>
    private long _pushes;

    /// <summary>The deadline the dispatcher sleeps until, ns; long.MaxValue = none. Lowered by arming threads (CAS).</summary>
    private long _programmedDeadline = long.MaxValue;

    public DispatchQueue(TimerEngine engine, int index)
    {
        _engine = engine;
        _isVirtual = engine.IsVirtual;
        _yieldPulls = !_isVirtual;
        _expiredCountBatch = _isVirtual ? 1 : 64;
        Index = index;
    }

    /// <summary>This queue's place in its engine's queues (the value written in a timer's state word).</summary>
    public int Index { get; }

    /// <summary>Entries of the level-0 run not yet handed out (see "The level-0 run"; for tests).</summary>
    internal int RunCount => _run.Count;

    /// <summary>Expiries fired (internal timers excluded).</summary>
    public long Fires => Volatile.Read(ref _fires);

    /// <summary>Wake-ups of this queue's dispatcher.</summary>
    public long WakeUps => Volatile.Read(ref _wakeUps);

    /// <summary>Expiries that rode along with another's wake-up (a snapshot: exact once the dispatcher is quiet).</summary>
    public long CoalescedFires
    {
        get
        {
            var wakeUpsThatFired = Volatile.Read(ref _wakeUpsThatFired); // first: _fires is written before it, so fires ≥ this
            return Volatile.Read(ref _fires) - wakeUpsThatFired;
        }
    }

    /// <summary>The longest callback this queue's dispatcher has run, ns.</summary>
    public long LongestCallbackNanoseconds => Volatile.Read(ref _longestCallbackNanoseconds);

    /// <summary>Dispatcher: publishes the deadline it is about to sleep until (a full fence).</summary>
    public void PublishProgrammedDeadline(long deadlineNanoseconds) => Interlocked.Exchange(ref _programmedDeadline, deadlineNanoseconds);

    /// <summary>Dispatcher: the programmed deadline as arming threads may have lowered it since the last publish.</summary>
    public long ProgrammedDeadline => Volatile.Read(ref _programmedDeadline);

    /// <summary>Dispatcher: true when armings are waiting to be filed.</summary>
    public bool HasSubmissions => Volatile.Read(ref _submitted) is not null;

    /// <summary>
    /// Dispatcher: the smallest latest-allowed deadline of any pending timer, or <see cref="long.MaxValue"/> when none;
    /// or, where a stale entry later than <paramref name="resolveStaleThroughNanoseconds"/> decides it, that entry's
    /// deadline, a lower bound (see "Stale deadlines"). Drains first. The earliest entry of the three deadline orders (the
    /// run's deadline tree, the exact heap, the tolerant by-deadline heap) is read stale or not; if it is stale and its
    /// deadline is at or before <paramref name="resolveStaleThroughNanoseconds"/>, it is dropped (its timer's lazy arming
    /// filed) and the three are read again. O(log n) per entry dropped.
    /// </summary>
    /// <param name="resolveStaleThroughNanoseconds">
    /// long.MaxValue (the default): the exact answer, every stale entry that would decide it resolved (a virtual engine,
    /// whose clock moves to the answer). A real dispatcher passes its "now": a stale deadline later than that is a bound
    /// it may sleep until (it wakes no later than any current arming's deadline, the lazy rule), resolved once reached.
    /// </param>
    public long EarliestDeadline(long resolveStaleThroughNanoseconds = long.MaxValue)
    {
        ReturnBatch();
        Drain();
        while (true)
        {
            var near = ReadEarliestDeadline(out var source, out var earliest);
            if (_wheel.PullPending)
            {
                // A pull yielded to work due before the pulled bucket (see "A pull that yields"): that first, else the pull.
                if (!DueBeforePendingPull(near))
                {
                    PullFromWheel(_yieldPulls);
                    continue;
                }
            }
            else if (_wheel.Count != 0 && near > _wheel.EarliestPossibleDueNanoseconds)
            {
                PullFromWheel(_yieldPulls); // the wheel may hold an earlier deadline (every wheel timer's deadline ≥ its due ≥ that bound)
                continue;
            }
            else if (source == DeadlineSource.None || near > resolveStaleThroughNanoseconds)
            {
                return near;
            }

            if (earliest.IsCurrent)
            {
                return near;
            }

            DropStaleEarliest(source, earliest.Timer); // then all three are read again: the filing may be the new earliest
        }
    }

    /// <summary>
    /// Dispatcher: takes the stale earliest entry <see cref="ReadEarliestDeadline"/> found out of its deadline order, and
    /// files its timer's current arming if that was published lazily (a heap or the wheel, never the run).
    /// </summary>
    private void DropStaleEarliest(DeadlineSource source, EngineTimer timer)
    {
        switch (source)
        {
            case DeadlineSource.Run:
                _run.DropEarliestDeadline(); // the entry stays in the firing order, dropped when it reaches the front
                break;
            case DeadlineSource.Exact:
                _nearExact.Pop();
                break;
            default:
                _nearTolerantByDeadline.Pop();
                break;
        }

        RefileIfLazy(timer);
    }

    /// <summary>
    /// Dispatcher: the earliest entry of the three deadline orders (the run's deadline tree, the exact heap, the tolerant
    /// by-deadline heap), stale or not, and its deadline (long.MaxValue and <see cref="DeadlineSource.None"/>: none).
    /// </summary>
    private long ReadEarliestDeadline(out DeadlineSource source, out NearEntry earliest)
    {
        var near = long.MaxValue;
        source = DeadlineSource.None;
        earliest = default;
        if (!_run.IsEmpty)
        {
            var entry = _run.EarliestDeadlineEntry(out var deadline);
            if (deadline != long.MaxValue)
            {
                (near, source, earliest) = (deadline, DeadlineSource.Run, entry);
            }
        }

        if (_nearExact.Count > 0 && _nearExact.Top.Key < near)
        {
            earliest = _nearExact.Top;
            (near, source) = (earliest.Key, DeadlineSource.Exact);
        }

        if (_nearTolerantByDeadline.Count > 0 && _nearTolerantByDeadline.Top.Key < near)
        {
            earliest = _nearTolerantByDeadline.Top;
            (near, source) = (earliest.Key, DeadlineSource.TolerantByDeadline);
        }

        return near;
    }

    /// <summary>
    /// Dispatcher, with a pull pending: true when <paramref name="deadlineNanoseconds"/> (a near entry's, stale or not) is
    /// due now and before the pulled bucket's start, so that it comes before every timer still in the pull (the one rule
    /// by which a pull yields, and by which EarliestDeadline then hands the work out: the two agree, so neither spins).
    /// </summary>
    private bool DueBeforePendingPull(long deadlineNanoseconds) =>
        deadlineNanoseconds < (_wheel.Cursor << TimerWheel.TickShift) && deadlineNanoseconds <= _engine.NowNanoseconds;

    /// <summary>Which deadline order holds the earliest entry <see cref="EarliestDeadline"/> read.</summary>
    private enum DeadlineSource
    {
        None,
        Run,
        Exact,
        TolerantByDeadline,
    }

    /// <summary>Dispatcher: the smallest due time of any pending timer, or null when none. Drains first.</summary>
    public long? EarliestDue()
    {
        ReturnBatch();
        Drain();
        if (_wheel.PullPending)
        {
            PullFromWheel(mayYield: false); // the pending timers may be due before every near one
        }

        while (true)
        {
            if (TryPeekNearDue(out var near))
            {
                return near.DueNanoseconds; // every wheel timer is due later
            }

            if (!PullFromWheel())
            {
                return null;
            }
        }
    }

    /// <summary>
    /// Dispatcher: the latest due time of any pending timer, ns, or null when none. Drains first; O(pending timers).
    /// Every pending timer is filed in the wheel or has an entry in a near heap (a lazily re-armed one at an earlier
    /// position, which is why each timer's current due time is read, not the filing's).
    /// </summary>
    public long? LatestDue()
    {
        ReturnBatch();
        Drain();
        var latest = _wheel.LatestArmedDue(long.MinValue);
        latest = _nearExact.LatestArmedDue(latest);
        latest = _nearTolerantByDue.LatestArmedDue(latest);
        latest = _run.LatestArmedDue(latest);
        return latest == long.MinValue ? null : latest;
    }

    /// <summary>
    /// Dispatcher, on a stale filing of <paramref name="t"/>: true (and the Lazy bit cleared) if its current arming was
    /// published lazily and is filed nowhere yet. Waits out an Arm that is mid-write (it may be a lazy one). Only the
    /// queue the timer belongs to may take it: a stale entry can outlive a move to another queue, and the timer is
    /// filed there, where this queue's dispatcher must never touch its links (the lazy arming's old position is
    /// always in its own queue: a timer moves only while neither armed nor submitted).
    /// </summary>
    private bool TakeLazy(EngineTimer t)
    {
        var spin = default(SpinWait);
        while (true)
        {
            var state = Volatile.Read(ref t.StateWord);
            if ((state & EngineTimer.WritingBit) != 0)
            {
                spin.SpinOnce();
                continue;
            }

            if ((state & (EngineTimer.LazyBit | EngineTimer.ArmedBit | EngineTimer.SubmittedBit)) != (EngineTimer.LazyBit | EngineTimer.ArmedBit)
                || EngineTimer.QueueOf(state) != Index)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref t.StateWord, state & ~EngineTimer.LazyBit, state) == state)
            {
                return true;
            }
        }
    }

    /// <summary>Dispatcher: files <paramref name="t"/>'s current arming if it was published lazily (see <see cref="TakeLazy"/>).</summary>
    private void RefileIfLazy(EngineTimer t)
    {
        if (TakeLazy(t))
        {
            File(t, clearSubmitted: false);
        }
    }

    /// <summary>
    /// Dispatcher: the top current entry of a near heap. A stale entry is dropped; if its timer was re-armed lazily
    /// (see "Lazy re-arms" in TimerEngine), this was the earlier position it stayed filed at, so its current arming is
    /// filed now (the CAS that clears the Lazy bit makes that happen once).
    /// </summary>
    private bool TryPeekDue(NearHeap heap, out NearEntry entry)
    {
        while (heap.Count > 0)
        {
            if (heap.TryPeekTop(out entry))
            {
                return true;
            }

            var t = heap.TopTimer!;
            heap.Pop();
            RefileIfLazy(t);
        }

        entry = default;
        return false;
    }

    /// <summary>Dispatcher: the near timer due first (the earliest current front of the exact heap, the tolerant heap and the run); false when all are empty.</summary>
    private bool TryPeekNearDue(out NearEntry entry)
    {
        // The run first (see EarliestDeadline): its stale front may file a lazy timer's current arming in a heap.
        var found = TryPeekRun(out entry);
        if (TryPeekDue(_nearExact, out var exact) && (!found || exact.Precedes(entry)))
        {
            entry = exact;
            found = true;
        }

        if (TryPeekDue(_nearTolerantByDue, out var tolerant) && (!found || tolerant.Precedes(entry)))
        {
            entry = tolerant;
            found = true;
        }

        return found;
    }

    /// <summary>
    /// Dispatcher: the run's front entry if it is current. Stale front entries are dropped, and a lazily re-armed timer's
    /// current arming filed (as <see cref="TryPeekDue"/> does at a heap top).
    /// </summary>
    private bool TryPeekRun(out NearEntry entry)
    {
        while (!_run.IsEmpty)
        {
            entry = _run.Front;
            if (entry.IsCurrent)
            {
                return true;
            }

            _run.Pop();
            RefileIfLazy(entry.Timer);
        }

        entry = default;
        return false;
    }

    /// <summary>Dispatcher: gives the near heaps' and the wheel's excess memory back; called when the dispatcher goes idle (never mid-burst).</summary>
    public void TrimExcess()
    {
        if (_wheel.PullPending)
        {
            return; // mid-pull (it yielded): nothing is trimmed until it is done
        }

        ReturnBatch();
        _wheel.TrimExcess();
        _nearExact.TrimExcess();
        _nearTolerantByDue.TrimExcess();
        _nearTolerantByDeadline.TrimExcess();
        _run.TrimExcess();
    }

    /// <summary>A sleep at least this long (1 ms), or none, lets the dispatcher trim (see <see cref="TrimExcessBeforeSleep"/>).</summary>
    private const long TrimSleepNanoseconds = TimeUnits.NanosecondsPerMillisecond;

    /// <summary>Between shorter sleeps the dispatcher trims at most this often (100 ms).</summary>
    private const long TrimIntervalNanoseconds = 100 * TimeUnits.NanosecondsPerMillisecond;

    /// <summary>When the real dispatcher last trimmed, ns.</summary>
    private long _lastTrimNanoseconds;

    /// <summary>
    /// Real dispatcher, about to sleep until <paramref name="deadlineNanoseconds"/>: trims (<see cref="TrimExcess"/>)
    /// when the sleep is long (1 ms or more, or no deadline) or the last trim is 100 ms old. A dense stream sleeps every
    /// few tens of µs, and a trim before each sleep shrank the arrays a pull had just grown, which the next pull grew
    /// again: an allocation per wake-up, and collections in the middle of the stream (issue 27, session eight).
    /// </summary>
    public void TrimExcessBeforeSleep(long nowNanoseconds, long deadlineNanoseconds)
    {
        if (ShouldTrimBeforeSleep(nowNanoseconds, deadlineNanoseconds, _lastTrimNanoseconds))
        {
            _lastTrimNanoseconds = nowNanoseconds;
            TrimExcess();
        }
    }

    /// <summary>The rule of <see cref="TrimExcessBeforeSleep"/>: a sleep of 1 ms or more (long.MaxValue: none), or 100 ms since the last trim.</summary>
    internal static bool ShouldTrimBeforeSleep(long nowNanoseconds, long deadlineNanoseconds, long lastTrimNanoseconds) =>
        deadlineNanoseconds - nowNanoseconds >= TrimSleepNanoseconds || nowNanoseconds - lastTrimNanoseconds >= TrimIntervalNanoseconds;

    /// <summary>
    /// Dispatcher: counts one wake-up from a sleep or spin to <paramref name="deadlineNanoseconds"/> (0: none known). An
    /// OS wait that began at <paramref name="sleptSinceNanoseconds"/> (0 for a spin: the thread was running) and ended at
    /// <paramref name="wokeAtNanoseconds"/>, at or after its deadline, adds its stretch up to the deadline to
    /// <see cref="TimerFiring.DispatcherSleptNanoseconds"/>: the thread was asleep there, and could not wait for a CPU. A
    /// wait that ended before its deadline (a wake-up to drain armings, or Dispose) adds nothing: the thread was runnable
    /// from an event whose time is not known.
    /// </summary>
    public void CountWakeUp(long deadlineNanoseconds = 0, long sleptSinceNanoseconds = 0, long wokeAtNanoseconds = 0)
    {
        Volatile.Write(ref _wakeUps, _wakeUps + 1);
        _wakeUpUnused = true;
        _wakeDeadlineNanoseconds = deadlineNanoseconds == long.MaxValue ? 0 : deadlineNanoseconds;
        if (sleptSinceNanoseconds != 0 && deadlineNanoseconds != long.MaxValue && deadlineNanoseconds > sleptSinceNanoseconds && wokeAtNanoseconds >= deadlineNanoseconds)
        {
            _sleptNanoseconds += deadlineNanoseconds - sleptSinceNanoseconds;
        }

        _longestSinceWakeUp = default;
    }

    /// <summary>Dispatcher: records a callback that ran from <paramref name="startedNanoseconds"/> to <paramref name="endedNanoseconds"/> (engine ns).</summary>
    public void CountCallback(EngineTimer timer, long startedNanoseconds, long endedNanoseconds)
    {
        var took = endedNanoseconds - startedNanoseconds;
        System.Diagnostics.Debug.Assert(_longestSinceWakeUp.Nanoseconds <= _longestCallbackNanoseconds, "the longest since the wake-up is never longer than the longest ever: one compare per fire suffices");
        if (took > _longestSinceWakeUp.Nanoseconds)
        {
            _longestSinceWakeUp = new CallbackSpan(timer, startedNanoseconds, endedNanoseconds); // rare after a wake-up's first callbacks
            if (took > _longestCallbackNanoseconds)
            {
                Volatile.Write(ref _longestCallbackTimer, timer);
                Volatile.Write(ref _longestCallbackNanoseconds, took);
            }
        }
    }

    /// <summary>
    /// The longest callback this queue's dispatcher ran since its latest wake-up (see <see cref="CallbackSpan"/>); none
    /// before the wake-up's first callback returned. Dispatcher only: read it from a callback this dispatcher runs.
    /// </summary>
    public CallbackSpan LongestSinceWakeUp => _longestSinceWakeUp;

    /// <summary>
    /// The managed thread id of the real dispatcher that owns this queue, set by that thread when its loop starts (0
    /// before, and on a virtual engine, whose callbacks run on the advancing thread). A reader of dispatcher-only state on
    /// a real engine checks that it runs on this thread.
    /// </summary>
    public int DispatcherThreadId { get; set; }

    /// <summary>The timer whose callback was the longest this queue's dispatcher ran (a snapshot; null before any).</summary>
    public EngineTimer? LongestCallbackTimer => Volatile.Read(ref _longestCallbackTimer);

    /// <summary>
    /// Dispatcher: claims the earliest-due timer if its due time is at or before <paramref name="nowNanoseconds"/>. A
    /// one-shot timer becomes idle; a periodic one is re-keyed at its next due time (previous due + period, skipping
    /// whole periods that already passed). Invoke the result with <see cref="TimerEngine.Fire"/>.
    /// </summary>
    public bool TryTakeNextDue(long nowNanoseconds, out EngineTimer? timer, out TimerFiring firing)
    {
        while (true)
        {
            Drain();
            NearEntry entry;
            bool filedOneShot;
            if (_batchNext < _batchCount && !NearPrecedesBatch())
            {
                entry = _batch[_batchNext];
                filedOneShot = ((_batchOneShot >> _batchNext) & 1) != 0;
                _batch[_batchNext++] = default; // the batch holds no timer it has handed out
            }
            else if (!TakeNearDue(nowNanoseconds, out entry, out filedOneShot))
            {
                break;
            }

            var t = entry.Timer;
            var sequence = entry.Sequence;
            if (!entry.IsCurrentWith(out var state))
            {
                RefileIfLazy(t); // re-armed lazily since the peek: this was its filed position; else re-submitted
                continue;
            }

            // The parameters of this arming: known from the filing for a run entry filed as a one-shot (see "The parameter
            // block"), read here otherwise.
            ArmParameters? parameters = null;
            long period = 0, tolerance = 0;
            if (!filedOneShot)
            {
                var code = t.ArmCode;
                tolerance = ArmCode.ToleranceNanoseconds(code);
                if (ArmCode.IsPeriodic(code))
                {
                    // "as", not a cast: the code may be a newer arming's, still being written (its block not yet seen
                    // on a weakly ordered CPU); the state check below then sends the timer round again.
                    parameters = t.Owner as ArmParameters;
                    period = parameters?.PeriodNanoseconds ?? 0;
                }

                if (Volatile.Read(ref t.StateWord) != state)
                {
                    RefileIfLazy(t); // an Arm began while the parameters were read: it re-submits the timer, or re-arms it lazily
                    continue;
                }
            }

            System.Diagnostics.Debug.Assert(
                !filedOneShot || !ArmCode.IsPeriodic(t.ArmCode) || Volatile.Read(ref t.StateWord) != state,
                "an entry filed as a one-shot is the arming of a one-shot while it is current");

            var due = entry.DueNanoseconds;
            long overruns = 0;
            long next = 0;
            if (period > 0)
            {
                // A13: next = due + period. If the dispatcher was late by whole periods, skip them (counted, not replayed).
                // No overflow: due, now and period are each at most MaxTimeNanoseconds = long.MaxValue / 4.
                next = due + period;
                if (next <= nowNanoseconds)
                {
                    overruns = (nowNanoseconds - due) / period;
                    next = due + ((overruns + 1) * period);
                }
            }

            if (period > 0 && next <= TimerEngine.MaxTimeNanoseconds)
            {
                // Re-key under the writer bit, keeping the sequence (the same arming goes on). A concurrent cancel or
                // re-arm makes the CAS fail; it re-submitted the timer.
                if (Interlocked.CompareExchange(ref t.StateWord, state | EngineTimer.WritingBit, state) != state)
                {
                    RefileIfLazy(t);
                    continue;
                }

                long ticket = 0;
                t.DueNanoseconds = next;
                if (_isVirtual)
                {
                    ticket = _engine.NextArmTicket();
                    parameters!.ArmTicket = ticket;
                }

                Interlocked.Exchange(ref t.StateWord, state);
                Place(t, sequence, next, next + tolerance, ticket);
            }
            else
            {
                // A one-shot, or a periodic timer whose next expiry would pass MaxTimeNanoseconds (beyond the engine's
                // horizon: it never comes): this is its last expiry, and the timer goes idle.
                // Claim the one-shot: Armed(s) → idle(s), the submitted bit kept. A concurrent cancel or re-arm makes this fail.
                if (Interlocked.CompareExchange(ref t.StateWord, state & ~EngineTimer.ArmedBit, state) != state)
                {
                    RefileIfLazy(t);
                    continue;
                }

                if (t is not InternalTimer && ++_expiredNotCounted >= _expiredCountBatch)
                {
                    CountExpired();
                }
            }

            if (t is not InternalTimer)
            {
                Volatile.Write(ref _fires, _fires + 1);
                if (_wakeUpUnused)
                {
                    _wakeUpUnused = false;
                    _wokeAtNanoseconds = nowNanoseconds; // the first take since the wake-up: its "now" is the wake-up's
                    _sleptUntilNanoseconds = _wakeDeadlineNanoseconds;
                    Volatile.Write(ref _wakeUpsThatFired, _wakeUpsThatFired + 1);
                }
            }
            else
            {
                CountExpired(); // an internal timer (FlushDispatched's marker) fires after the count is exact
            }

            timer = t;
            firing = new TimerFiring(due, nowNanoseconds, sequence, overruns) { WokeAtNanoseconds = _wokeAtNanoseconds, SleptUntilNanoseconds = _sleptUntilNanoseconds, DispatcherSleptNanoseconds = _sleptNanoseconds };
            return true;
        }

        CountExpired(); // nothing due: the pending count is exact again before the dispatcher waits (see "Counters per expiry")
        timer = null;
        firing = default;
        return false;
    }

    /// <summary>Dispatcher: takes the one-shot expiries counted in <see cref="_expiredNotCounted"/> off the engine's pending count (also when the dispatcher ends).</summary>
    public void CountExpired()
    {
        if (_expiredNotCounted != 0)
        {
            _engine.CountExpiredOneShots(_expiredNotCounted);
            _expiredNotCounted = 0;
        }
    }


    /// <summary>
    /// Dispatcher: true when a near heap's top comes before the batch's next entry (a drain, a lazy re-filing or a
    /// periodic re-key filed an earlier expiry since the gather): the batch must go back so that due order holds.
    /// </summary>
    private bool NearPrecedesBatch()
    {
        ref readonly var next = ref _batch[_batchNext];
        System.Diagnostics.Debug.Assert(_run.IsEmpty || !_run.FrontPrecedes(next), "the run changes only while no batch is out (a pull, a peek), so its front follows the batch");
        return (_nearExact.Count > 0 && _nearExact.TopPrecedes(next))
            || (_nearTolerantByDue.Count > 0 && _nearTolerantByDue.TopPrecedes(next));
    }

    /// <summary>Dispatcher: puts the entries not yet taken back into the heaps they came from (their keys unchanged, so the order is as before the gather).</summary>
    private void ReturnBatch()
    {
        for (var i = _batchNext; i < _batchCount; i++)
        {
            ref var entry = ref _batch[i];
            if (((_batchFromRunTolerant >> i) & 1) != 0)
            {
                // A tolerant run entry: both tolerant heaps, same keys (the by-deadline one unless it was dropped stale).
                _nearTolerantByDue.Push(entry);
                if (_batchDeadline[i] != long.MaxValue)
                {
                    _nearTolerantByDeadline.Push(entry with { Key = _batchDeadline[i] });
                }
            }
            else
            {
                (((_batchTolerant >> i) & 1) != 0 ? _nearTolerantByDue : _nearExact).Push(entry);
            }

            entry = default;
        }

        _batchNext = 0;
        _batchCount = 0;
        _batchTolerant = 0;
        _batchFromRunTolerant = 0;
        _batchOneShot = 0; // the heaps keep no such mark: a returned entry's take reads its parameters
    }

    /// <summary>Where the near set's next expiry in firing order is: none (all empty), the exact heap, the tolerant by-due heap, or the run.</summary>
    private enum NearSource
    {
        None,
        Exact,
        Tolerant,
        Run,
    }

    /// <summary>The source whose front fires first (the earliest of the two by-due heap tops and the run's front, as one merged queue). Reads no timer.</summary>
    private NearSource EarliestNearSource()
    {
        var source = _nearTolerantByDue.Count > 0 && (_nearExact.Count == 0 || _nearTolerantByDue.TopPrecedes(_nearExact)) ? NearSource.Tolerant
            : _nearExact.Count > 0 ? NearSource.Exact
            : NearSource.None;
        if (_run.IsEmpty)
        {
            return source;
        }

        return source == NearSource.None || _run.FrontPrecedes(HeapOf(source).Top) ? NearSource.Run : source;
    }

    /// <summary>The heap of a heap source.</summary>
    private NearHeap HeapOf(NearSource source) => source == NearSource.Tolerant ? _nearTolerantByDue : _nearExact;

    /// <summary>The front entry of a non-empty source, stale or not.</summary>
    private NearEntry FrontOf(NearSource source) => source == NearSource.Run ? _run.Front : HeapOf(source).Top;

    /// <summary>The front entry's due time of a non-empty source, ns.</summary>
    private long FrontDueOf(NearSource source) => source == NearSource.Run ? _run.FrontDueNanoseconds : HeapOf(source).Top.DueNanoseconds;

    /// <summary>Removes the front entry of a non-empty source.</summary>
    private void PopFrom(NearSource source)
    {
        if (source == NearSource.Run)
        {
            _run.Pop();
        }
        else
        {
            HeapOf(source).Pop();
        }
    }

    /// <summary>
    /// Dispatcher, with the batch taken (or behind a heap top): the next entry due at <paramref name="nowNanoseconds"/>
    /// in firing order, taken off its source (the wheel pulled when the heaps and the run are empty); false when nothing
    /// is due. A lone due entry is handed out as it is (see "A lone expiry"); when the entry after it is due too, the
    /// rest is gathered behind it (<see cref="Gather"/>) and the batch hands out the first. Stale entries are taken as
    /// filed (the take drops them, as a peek did): a pop reads only the heap or the run, never a timer.
    /// </summary>
    private bool TakeNearDue(long nowNanoseconds, out NearEntry entry, out bool filedOneShot)
    {
        filedOneShot = false;
        if (_batchCount != 0)
        {
            ReturnBatch(); // a heap top now comes first: the rest goes back and is gathered again (or was all taken)
        }

        while (true)
        {
            var source = EarliestNearSource();
            if (source == NearSource.None)
            {
                if (PullFromWheel(_yieldPulls))
                {
                    continue; // every wheel timer is due after every near one: the wheel is pulled only when the near set is empty
                }

                entry = default;
                return false;
            }

            // With a pull pending, only what is due before the pulled bucket's start is handed out (see "A pull that
            // yields"): the timers still in the pull may be due from that start on.
            var dueBy = _wheel.PullPending ? Math.Min(nowNanoseconds, (_wheel.Cursor << TimerWheel.TickShift) - 1) : nowNanoseconds;
            entry = FrontOf(source);
            if (entry.DueNanoseconds > dueBy)
            {
                if (entry.DueNanoseconds <= nowNanoseconds)
                {
                    PullFromWheel(mayYield: false); // due, but not before the pending pull's timers: the pull ends first
                    continue;
                }

                return false;
            }

            var firstDeadline = source == NearSource.Run ? _run.FrontDeadlineNanoseconds : entry.Key;
            filedOneShot = source == NearSource.Run && _run.FrontFiledOneShot;
            PopFrom(source);
            if (EarliestNearSource() is var next && next != NearSource.None && FrontDueOf(next) <= dueBy)
            {
                Gather(dueBy, entry, source, firstDeadline, filedOneShot);
                entry = _batch[0];
                filedOneShot = (_batchOneShot & 1) != 0;
                _batch[0] = default; // the batch holds no timer it has handed out
                _batchNext = 1;
            }

            return true;
        }
    }

    /// <summary>
    /// Dispatcher: fills the batch with <paramref name="first"/> (just taken from <paramref name="firstSource"/>, with
    /// its deadline as filed, <paramref name="firstDeadline"/>, and whether it was filed as a one-shot,
    /// <paramref name="firstFiledOneShot"/>, for a run entry) and then up to <see cref="BatchCapacity"/> - 1 more entries due at
    /// <paramref name="nowNanoseconds"/>, in firing order, off the near heaps and the run (never the wheel: every wheel
    /// timer is due after every near one, and the next take pulls it when the near set is empty); then asks for every
    /// batch timer and its callback object at once.
    /// </summary>
    private void Gather(long nowNanoseconds, in NearEntry first, NearSource firstSource, long firstDeadline, bool firstFiledOneShot)
    {
        System.Diagnostics.Debug.Assert(_batchCount == 0 && _batchNext == 0 && _batchTolerant == 0 && _batchFromRunTolerant == 0, "a gather starts from an empty batch");
        System.Diagnostics.Debug.Assert(_batchOneShot == 0, "a gather starts from an empty batch");
        _batch[0] = first;
        Mark(0, firstSource, first, firstDeadline, firstFiledOneShot);
        var count = 1;
        while (count < BatchCapacity && EarliestNearSource() is var source && source != NearSource.None)
        {
            var top = FrontOf(source);
            if (top.DueNanoseconds > nowNanoseconds)
            {
                break;
            }

            // Where a run entry goes back if the batch is returned: the exact heap, or both tolerant heaps (same keys).
            Mark(count, source, top, source == NearSource.Run ? _run.FrontDeadlineNanoseconds : top.Key, source == NearSource.Run && _run.FrontFiledOneShot);
            _batch[count++] = top;
            PopFrom(source);
        }

        _batchCount = count;

        // The misses of the batch, overlapped: every timer is asked for before the first is read, then (each timer's
        // line on its way or there) each callback object. In due order the timers are at random addresses, and one
        // at a time each cost a full miss (issue 27; docs/benchmarks.md "session eight").
        for (var i = 0; i < count; i++)
        {
            Prefetch.Timer(_batch[i].Timer);
        }

        var oneShots = _batchOneShot;
        for (var i = 0; i < count; i++)
        {
            var t = _batch[i].Timer;
            t.PrefetchCallback();
            if (((oneShots >> i) & 1) == 0 && ArmCode.IsPeriodic(t.ArmCode))
            {
                Prefetch.Object(t.Owner); // a periodic timer's parameter block, read by the take for the period
            }
        }
    }

    /// <summary>Gather: records where batch entry <paramref name="i"/> goes back if the batch is returned (see <see cref="ReturnBatch"/>), and whether it was filed as a one-shot.</summary>
    private void Mark(int i, NearSource source, in NearEntry entry, long deadline, bool filedOneShot)
    {
        if (source == NearSource.Tolerant)
        {
            _batchTolerant |= 1UL << i;
        }
        else if (source == NearSource.Run)
        {
            if (deadline != entry.DueNanoseconds)
            {
                _batchFromRunTolerant |= 1UL << i;
                _batchDeadline[i] = deadline;
            }

            if (filedOneShot)
            {
                _batchOneShot |= 1UL << i;
            }
        }
    }

    /// <summary>Pushes the timer onto the submission stack; the caller has just set its submitted bit.</summary>
    public void Push(EngineTimer timer)
    {
        // Invariant: a timer is on the submission stack at most once (only the caller that set its submitted bit pushes it,
        // and the drain unlinks it before it clears the bit).
        System.Diagnostics.Debug.Assert(timer.NextSubmitted is null, "a timer is on the submission stack at most once");
        while (true)
        {
            var head = Volatile.Read(ref _submitted);
            timer.NextSubmitted = head ?? SubmissionEnd;
            if (Interlocked.CompareExchange(ref _submitted, timer, head) == head)
            {
                break;
            }
        }

        // A plain increment: a lost update among racing pushers only moves the next drain wake-up a little.
        var pushes = _pushes + 1;
        _pushes = pushes;
        if ((pushes & (DrainBatch - 1)) == 0)
        {
            _engine.OnDrainNeeded(this);
        }
    }

    /// <summary>Moves the OS wake-up earlier if this deadline needs it (arming threads).</summary>
    public void LowerProgrammedDeadline(long deadline)
    {
        var programmed = Volatile.Read(ref _programmedDeadline);
        while (deadline < programmed)
        {
            var seen = Interlocked.CompareExchange(ref _programmedDeadline, deadline, programmed);
            if (seen == programmed)
            {
                // Another arming thread may lower it further between this CAS and this OS write, and its write may land
                // first: program again until what was programmed is still no later than the published value.
                while (true)
                {
                    _engine.OnEarliestDeadlineLowered(this, deadline);
                    var after = Volatile.Read(ref _programmedDeadline);
                    if (after >= deadline)
                    {
                        return;
                    }

                    deadline = after;
                }
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

        var node = Interlocked.Exchange(ref _submitted, null)!;
        var ordered = SubmissionEnd;
        while (!ReferenceEquals(node, SubmissionEnd))
        {
            var next = node.NextSubmitted!;
            node.NextSubmitted = ordered;
            ordered = node;
            node = next;
        }

        while (!ReferenceEquals(ordered, SubmissionEnd))
        {
            var t = ordered;
            ordered = t.NextSubmitted!;
            t.NextSubmitted = null; // before the submitted bit is cleared (a CAS in File): a new push may follow at once
            File(t, clearSubmitted: true);
        }
    }

    /// <summary>
    /// Dispatcher: moves the earliest wheel bucket's timers to where they now belong; false when the wheel is empty.
    /// The bucket is an array, so its timers are filed <see cref="PullChunk"/> at a time, each chunk read first in one
    /// tight pass that also asks for the next chunk: the misses overlap instead of following one another.
    /// </summary>
    private bool PullFromWheel(bool mayYield = false)
    {
        var resumed = _wheel.PullPending;
        if (!resumed && !_wheel.TryPullEarliest(out _))
        {
            return false;
        }

        // A level-0 bucket's timers go to the run (see "The level-0 run"), appended as a segment behind what it holds:
        // the pulled tick is the cursor's, and every run entry is from an earlier tick (an earlier level-0 pull), so the
        // check holds unless the run was filed otherwise; then the heaps take them. A level-0 pull never yields (the
        // segment is sorted at its end), so a resumed pull is of a higher level.
        var intoRun = !resumed && _wheel.PulledLevel == 0 && _run.CanAppendFrom(_wheel.Cursor << TimerWheel.TickShift);
        System.Diagnostics.Debug.Assert(_wheel.PulledLevel != 0 || intoRun, "a level-0 pull's tick is after every run entry's");
        var yields = mayYield && _wheel.PulledLevel != 0;
        var count = _wheel.PulledCount;
        for (var start = _wheel.PulledTaken; start < count; start += PullChunk)
        {
            PullChunkHook?.Invoke();
            if (yields && ShouldYieldPull())
            {
                return true; // pending: resumed by the next pull (EarliestDeadline, or a take that finds the near set empty)
            }

            var end = Math.Min(count, start + PullChunk);
            _touched = unchecked(_touched + _wheel.TouchPulled(start, end, PullChunk, parametersToo: _isVirtual && _wheel.PulledLevel == 0)); // the filing reads a virtual timer's ticket
            for (var i = start; i < end; i++)
            {
                if (_wheel.TakePulled(i) is { } t)
                {
                    File(t, clearSubmitted: false, intoRun);
                }
            }
        }

        if (intoRun)
        {
            _run.Sort();
        }

        return true;
    }

    /// <summary>
    /// Dispatcher, between two chunks of a pull of level 1 or above: files what arming threads pushed meanwhile, then
    /// says whether a current near entry is due now and before the pulled bucket's start (<see cref="DueBeforePendingPull"/>;
    /// stale ones found on the way are dropped): then the pull stops there, pending, and that entry is handed out first
    /// (see "A pull that yields").
    /// </summary>
    private bool ShouldYieldPull()
    {
        Drain(); // a timer still in the pull that was re-armed or cancelled is taken out of the pull array (TimerWheel.Remove)
        while (true)
        {
            var near = ReadEarliestDeadline(out var source, out var earliest);
            if (source == DeadlineSource.None || !DueBeforePendingPull(near))
            {
                return false;
            }

            if (earliest.IsCurrent)
            {
                return true;
            }

            // Stale (a timer fired, cancelled or re-armed since): never a reason to yield. A take that finds the near set
            // empty resumes the pull, and a stale by-deadline entry is not in the by-due order it reads, so yielding for
            // one left that take resuming and yielding for ever (a test of two dispatchers under four arming threads).
            DropStaleEarliest(source, earliest.Timer);
        }
    }

    /// <summary>True while a pull that yielded has timers not yet taken (tests).</summary>
    internal bool PullPending => _wheel.PullPending;

    /// <summary>How many of the pending pull's timers are taken so far (tests).</summary>
    internal int PulledTaken => _wheel.PulledTaken;

    /// <summary>Tests: called before each chunk of a pull (on the dispatcher, inside the pull), e.g. to arm a timer mid-pull.</summary>
    internal Action? PullChunkHook { get; set; }

    /// <summary>
    /// Dispatcher: makes the queue agree with the timer's published state. Taking a timer off the submission stack
    /// (<paramref name="clearSubmitted"/>), the snapshot and the clearing of the submitted bit are one CAS: a change
    /// published after it finds the bit clear and pushes the timer again (see "Lost wake-ups").
    /// </summary>
    private void File(EngineTimer t, bool clearSubmitted, bool intoRun = false)
    {
        // Unlinked before the submitted bit is cleared: a timer that is neither armed nor submitted is in no queue's
        // wheel, so an Arm may move it to another dispatcher (its near entries, if any, are stale by then). The check is
        // here, not only in Remove: most filings are of a timer in no bucket (a drained arming, a pulled timer), and the
        // call alone was 3 % of a burst's dispatcher samples (session eighteen).
        if (t.WheelSlot >= 0)
        {
            _wheel.Remove(t);
        }
        var spin = default(SpinWait);
        long state, due;
        while (true)
        {
            state = Volatile.Read(ref t.StateWord);
            if ((state & EngineTimer.WritingBit) != 0)
            {
                spin.SpinOnce();
                continue;
            }

            due = t.DueNanoseconds;
            // Taking the snapshot clears the submitted bit (off the stack) and the Lazy bit (this files the current arming).
            var cleared = state & ~(clearSubmitted ? EngineTimer.SubmittedBit | EngineTimer.LazyBit : EngineTimer.LazyBit);
            var unchanged = cleared != state
                ? Interlocked.CompareExchange(ref t.StateWord, cleared, state) == state
                : Volatile.Read(ref t.StateWord) == state;
            if (unchanged)
            {
                break; // a consistent snapshot of the due time of this sequence
            }
        }

        System.Diagnostics.Debug.Assert(EngineTimer.QueueOf(state) == Index, "a queue files only the timers that belong to it (see 'Moving a timer between queues')");
        if (!clearSubmitted && (state & EngineTimer.SubmittedBit) != 0)
        {
            // A pulled timer that another thread armed again (or cancelled) after the drain before this pull: that arming
            // is on the submission stack, and the next drain files it. Filed here as well, by its current due, it could
            // go into the level-0 run behind entries due later (an earlier re-arm: SortedRun.Add's Debug.Assert caught
            // it in a test run, issue 27 session thirteen), so it is left to the drain.
            return;
        }

        if (clearSubmitted && (state & EngineTimer.ArmedBit) != 0 && TimerWheel.TickOf(due) < _wheel.Cursor)
        {
            RewindIfAhead(due); // the cursor may have run ahead of the clock
        }

        if ((state & EngineTimer.ArmedBit) != 0 && !TryPlaceInWheel(t, due))
        {
            PlaceNear(t, state, due, intoRun);
        }
    }

    /// <summary>Dispatcher: files an arming in the wheel if its tick is beyond the cursor; false when it belongs near.</summary>
    private bool TryPlaceInWheel(EngineTimer t, long due)
    {
        if (_wheel.Count == 0)
        {
            _wheel.AdvanceIdleCursor(TimerWheel.TickOf(_engine.NowNanoseconds));
        }

        return _wheel.TryInsert(t, due);
    }

    /// <summary>
    /// How many timers the queue may hold (near set and wheel) besides the armings that led to it for a drain to rewind the
    /// wheel's cursor (see <see cref="RewindIfAhead"/>): 4,096. A rewind files them all again, about 0.1-0.2 ms a
    /// thousand; a queue holding more keeps its cursor, as before.
    /// </summary>
    private const int RewindLimit = 4096;

    /// <summary>
    /// The fewest armings due after the clock that must have gone near because the cursor was ahead before a drain
    /// rewinds it (16); with more timers in the queue, as many as it holds. A rewind costs a filing per timer of the
    /// queue, and the next wake-up with nothing nearer pending pulls the far timers ahead again, so a timer re-armed once
    /// per fire beside a few far ones would otherwise pay both every time: this bounds the rewinds' cost to about one
    /// filing per arming that went near, and a burst loses only its first armings to the heap.
    /// </summary>
    private const int RewindAfter = 16;

    /// <summary>Armings due after the clock filed near since the last rewind because the cursor was ahead (see <see cref="RewindAfter"/>).</summary>
    private int _filedBeforeCursor;

    /// <summary>The timers a rewind files again (grown on the first rewind that needs it; cleared after each).</summary>
    private EngineTimer?[] _rewound = [];

    /// <summary>Tests: how many times the wheel's cursor was rewound.</summary>
    internal int Rewinds { get; private set; }

    /// <summary>
    /// Dispatcher, in a drain, filing an arming due at <paramref name="due"/> whose tick is at or before the wheel's
    /// cursor: if the cursor ran ahead of the clock (a far bucket was pulled ahead because nothing nearer was pending) and
    /// the queue holds few timers, moves the cursor back to the clock's tick and files those timers again, so that this
    /// arming and the ones after it go into the wheel instead of the near heaps; once <see cref="RewindAfter"/> such armings,
    /// or as many as the queue holds besides them, have gone near.
    /// <para>Why (issue 27, session seventeen). The cursor moves only forward, by pulls, and a pull moves it to the start
    /// of the bucket pulled. With nothing nearer pending, the dispatcher pulls the earliest bucket however far it is (a
    /// wake-up must know the earliest deadline), so one 60 s timer, drained while the dispatcher was awake, left the
    /// cursor 60 s ahead; every timer armed for the next minute then had a tick at or before the cursor and went into the
    /// exact near heap, O(log n) a filing and a take, its entries read in random order: a burst of a million due within
    /// 100 ms cost 410-484 ns an expiry after it instead of 122-140 (the real engine), 1,040-1,480 instead of 200-300 (a
    /// virtual one advanced once), the cost of `bench --only expiry`'s "wheel bypassed" row.</para>
    /// <para>What it keeps. The wheel and the near set are emptied, the cursor set back (TimerWheel.Rewind), and every
    /// timer filed again by its current arming: the near ones in firing order (so equal due times keep their order), a
    /// lazily re-armed one by the arming it holds now (TakeLazy, as for a stale entry's timer), stale entries dropped. So
    /// every invariant of the wheel and the near set holds after it, as after any filing. Not when a pull is pending or
    /// a gathered batch is in hand (the next drain looks again), nor when the queue holds more than
    /// <see cref="RewindLimit"/> timers besides those armings (a rewind costs a filing each: such a queue keeps its
    /// cursor, as before).</para>
    /// </summary>
    private void RewindIfAhead(long due)
    {
        var held = _wheel.Count + _nearExact.Count + _nearTolerantByDue.Count + _run.Count; // entries: stale ones count too
        var others = held - _filedBeforeCursor;
        if (others > RewindLimit || _wheel.PullPending || _batchNext < _batchCount)
        {
            return;
        }

        var nowTick = TimerWheel.TickOf(_engine.NowNanoseconds); // read only here: an arming before the cursor is rare otherwise
        if (TimerWheel.TickOf(due) <= nowTick || _wheel.Cursor <= nowTick || ++_filedBeforeCursor < Math.Max(RewindAfter, others))
        {
            return;
        }

        _filedBeforeCursor = 0;
        if (_rewound.Length < held)
        {
            _rewound = new EngineTimer?[Math.Max(held, 2 * _rewound.Length)];
        }

        var n = 0;
        while (TryTakeAnyNear(out var entry))
        {
            if (entry.IsCurrent || TakeLazy(entry.Timer))
            {
                _rewound[n++] = entry.Timer;
            }
        }

        while (_nearTolerantByDeadline.Count > 0)
        {
            _nearTolerantByDeadline.Pop(); // the by-due heap's entries again, taken above
        }

        n = _wheel.TakeAll(_rewound, n);
        _wheel.Rewind(nowTick);
        Rewinds++;
        for (var i = 0; i < n; i++)
        {
            var t = _rewound[i]!;
            _rewound[i] = null;
            File(t, clearSubmitted: false); // by its current state: wheel, near, or (submitted since) left to the drain
        }
    }

    /// <summary>Dispatcher: takes the earliest entry of the near set (the run, the exact heap, the tolerant by-due heap), stale or not; false when all are empty.</summary>
    private bool TryTakeAnyNear(out NearEntry entry)
    {
        var source = 0;
        entry = default;
        if (!_run.IsEmpty)
        {
            entry = _run.Front;
            source = 1;
        }

        if (_nearExact.Count > 0 && (source == 0 || _nearExact.Top.Precedes(entry)))
        {
            entry = _nearExact.Top;
            source = 2;
        }

        if (_nearTolerantByDue.Count > 0 && (source == 0 || _nearTolerantByDue.Top.Precedes(entry)))
        {
            entry = _nearTolerantByDue.Top;
            source = 3;
        }

        switch (source)
        {
            case 1:
                _run.Pop();
                return true;
            case 2:
                _nearExact.Pop();
                return true;
            case 3:
                _nearTolerantByDue.Pop();
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Dispatcher: files the arming <paramref name="state"/> (due at <paramref name="due"/>) in the near heaps. Only
    /// here is the arming's tolerance read (its arm code, on the timer's own line; a virtual engine's ticket, from the
    /// parameter block, another cold object): a wheel filing needs the due time alone, so nothing more is touched while
    /// timers cascade. Read after the state snapshot, they belong to that arming
    /// unless an Arm has published a newer one meanwhile; then the entry is stale at once (its sequence is old) and the
    /// newer arming, which re-submitted the timer, is filed by the next drain.
    /// </summary>
    private void PlaceNear(EngineTimer t, long state, long due, bool intoRun)
    {
        var code = t.ArmCode; // the timer's own line: a real engine's one-shot, tolerant or not, reads no second object
        var ticket = _isVirtual ? ((ArmParameters)t.Owner).ArmTicket : 0;
        Place(t, state >> EngineTimer.SequenceShift, due, due + ArmCode.ToleranceNanoseconds(code), ticket, intoRun, oneShot: !ArmCode.IsPeriodic(code));
    }

    /// <summary>Dispatcher: files one arming, in the wheel if its tick is beyond the cursor, else in the near heaps.</summary>
    private void Place(EngineTimer t, long sequence, long due, long deadline, long ticket, bool intoRun = false, bool oneShot = false)
    {
        if (TryPlaceInWheel(t, due))
        {
            return;
        }

        var order = _isVirtual ? ticket : _insertionCounter++;
        if (intoRun)
        {
            _run.Add(due, deadline, order, sequence, t, oneShot); // a level-0 pull, exact or tolerant: sorted with the rest of its bucket, not pushed
            return;
        }


        if (deadline == due)
        {
            _nearExact.Push(new NearEntry(due, due, order, sequence, t));
            return;
        }

        _nearTolerantByDue.Push(new NearEntry(due, due, order, sequence, t));
        _nearTolerantByDeadline.Push(new NearEntry(deadline, due, order, sequence, t));
    }

    /// <summary>The end of the submission stack: a node that is no timer of any engine and never fires.</summary>
    private sealed class StackEnd : EngineTimer
    {
        protected internal override void OnFired(in TimerFiring firing) =>
            throw new InvalidOperationException("The end of the submission stack is not a timer.");
    }
}
