using MiniportTimers.Engine;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// The one callback-timer core under every timer kind of the library: the kernel's KTIMER (with its KDPC) and EX_TIMER,
/// and, through the hosting layer's <c>HostedTimer</c>, Storport's extended and legacy timers and NDIS 5 miniport timers
/// and NDIS 6 timer objects. It holds one engine timer; the requested schedule and the one the engine runs (they differ
/// only in Windows-tick mode, <see cref="WindowsClockTick"/>); commit-or-drop of a taken expiry (<see cref="ExpiryRule"/>);
/// running-callback tracking and the free-wait (<see cref="RunningCallbacks"/>); and activity and trace accounting on
/// arm, cancel and fire, through the records of the layer above (<see cref="ITimerRecords"/>: the host's report rows
/// and trace), keyed by the callback looked up once per callback, not per call. Each timer kind is a thin subclass that
/// adds its DDI's rules (Storport's BUSY and the legacy timer's replace, NDIS's default context, KTIMER's signal state
/// and DPC, EX_TIMER's delete-after-expiry) and says where its expiry runs (<see cref="RunExpiry"/>: the adapter's
/// routine runner, or the kernel object's DPC context).
/// </summary>
/// <remarks>
/// <para>
/// The core lives in the Kernel layer so that KTIMER and EX_TIMER can stand on it (Kernel is below Hosting); what it
/// records goes up through <see cref="ITimerRecords"/>, which the host implements over its diagnostics, so the Kernel
/// layer never names the Diagnostics layer. A timer of a bare <see cref="Ke.UseEngine"/> scope records nothing
/// (<see cref="NullTimerRecords"/>).
/// </para>
/// <para>
/// State. One word, <c>_state</c> (<see cref="TimerState"/>: pending, owned, freed, the running count, a version),
/// changed by compare-exchange, or by a release store of the writer that owns it; the free-wait beside it
/// (<see cref="RunningCallbacks"/>); the request's fields (callback, context, schedule, <c>_armedSequence</c>, the
/// engine's ArmSequence of the current arming, -1 while a request waits to be applied, and <c>_requestGeneration</c>,
/// which changes on every request so that a deferred application of an older one is dropped) are written only by the
/// one writer that holds them, under its <see cref="TimerState.Owned"/> claim (every kind, since issue 27's session
/// thirteen: the gated kinds held <see cref="Gate"/>'s monitor instead).
/// </para>
/// <para>
/// One claim, two commit rules, by <see cref="ExpiryRule"/>. No kind takes a lock on its request, cancel or fire (issue
/// 27: the gate's two monitor pairs were ~30 ns of a Storport request+cancel pair of ~95; a KTIMER's set and fire took
/// three, about 45 ns of an NDIS set+fire of 285, session thirteen). A <see cref="ExpiryRule.DropAfterCancel"/> kind
/// (Storport's two timers): a writer claims <see cref="TimerState.Owned"/> with one
/// compare-exchange (<see cref="ClaimUnless"/>) and lets go with a release store (<see cref="Release"/>: while it owns
/// the word nobody else changes it); a cancel is one compare-exchange that clears <see cref="TimerState.Pending"/>
/// and claims the word for its dequeue (<see cref="CancelPending"/>); a commit is one compare-exchange that clears
/// Pending and raises the running count; a callback's return lowers it with another. A cancel, a commit and a return
/// that find the word owned wait for the owner (a spin that sleeps after ~20 rounds: an owner holds it for a few engine
/// calls and runs no user code), which is why the owner may let go with a plain store. A
/// <see cref="ExpiryRule.RunOnceAfterCancel"/> kind (KTIMER, EX_TIMER, NDIS, which keep no pending flag) claims the same
/// way for every write (<see cref="ClaimFields"/>: a set, a free, a reset, a read of the signal state), and its commit
/// claims too, as a writer, and lets go raising the running count (diagram (7)); its cancel takes no claim
/// (<see cref="CancelQueued"/>). The gate is left for the free-wait's <see cref="Monitor.Wait(object)"/>. Every race of
/// that protocol, and why each comes out as the gated one did:
/// </para>
/// <code>
///   (1) request vs expiry commit
///   requester                                   dispatcher (expiry of arming X, taken from the queue)
///   CAS: not pending, not owned, not freed        read state s: owned? ──► wait until released
///        ──► pending | owned, version+1           not pending, freed, or X ≠ _armedSequence ──► drop (stale)
///   fields; _armedSequence = -1                   read the fields (callback, context, schedule)
///   Engine.Arm ──► _armedSequence = Y             CAS s ──► s - pending + running: fails if any writer claimed, or
///   release store: owned cleared                    a cancel or free came, since s (the version, the bits) ──► re-read
///   A stale X taken before the request can never match: _armedSequence is -1 or Y (≠ X) from the claim on, and the
///   commit reads it only while nobody owns the fields. The request's own Y may fire before the release: its commit
///   waits for the release, then matches.
///
///   (2) cancel vs commit (StorPortRequestTimer(0): one CAS, the dequeue, a release store)
///   canceller                                     dispatcher
///   read s: owned? ──► wait until released        (commit as in 1)
///   not pending ──► nothing to cancel (A2)
///   CAS s ──► s - pending + owned, version+1      the commit's CAS and the cancel's CAS are ordered on one word:
///     fails ──► retry from the read                 commit first ──► the cancel re-reads "not pending": the callback
///   Engine.Cancel (dequeue, if still queued)        runs (it had committed, decision A3)
///   release store: owned cleared                  cancel first ──► the commit waits for the release, re-reads
///                                                   "not pending": drop (the taken expiry is stale)
///   The dequeue is under the cancel's claim, so it dequeues the arming of the request it ended, never a later one's
///   (a later request claims only after the release).
///
///   (3) free vs running callback (StorPortFreeTimer at PASSIVE_LEVEL on another thread)
///   freeing thread                                dispatcher
///   claim owned (as 1, whatever is pending)       commit CAS: running+1 (only while not owned and not freed)
///   Engine.Cancel                                 callback(...)   ◄── user code, no lock of ours held
///   release store: + freed, - pending             Exit: CAS running-1 (waits while owned); a free waiting? lock Gate,
///   running > 0 on another thread?                  PulseAll
///     Monitor.Wait(Gate) until it is 0 (RunningCallbacks' diagram: no lost wake-up)
///   The free's claim and the commit's CAS are ordered on one word: commit first ──► the free's claim carries
///   running > 0, so it waits; claim first ──► the commit waits for the release, sees freed, and drops. No callback
///   starts after the free set freed, and the free returns only when every one that started has returned (except on
///   the callback's own thread, or at DISPATCH_LEVEL, as before).
///
///   (4) request vs free
///   Both claim; one owns first. Request first ──► the free cancels it. Free first ──► the request's claim is refused
///   ("freed"): STOR_STATUS_INVALID_PARAMETER. A cancel and a free both claim too: whichever ends the pending request
///   counts its cancel, once; the other finds nothing pending.
///
///   (5) the legacy timer's replace: its request claims whatever is pending (pending stays set) and re-arms; the old
///   arming's taken expiry then fails (1)'s "X = _armedSequence" and drops, as a replaced request does in Windows.
///
///   (6) a deferred application (a request made above DISPATCH_LEVEL, armed when the IRQL drops): it claims, and arms
///   only if the request it belongs to is still pending (the generation); pending with _armedSequence -1 meanwhile, so
///   every expiry drops and a cancel just clears pending.
///
///   (7) a RunOnceAfterCancel kind (KTIMER, EX_TIMER, NDIS): set, free and expiry commit all claim
///   setter (KeSetTimerEx)                       dispatcher (expiry of arming X, taken from the queue)
///   claim (wait while owned), version+1         claim (wait while owned), version+1
///   signal state off; fields; Engine.Arm        freed? ──► let go: drop
///     ──► _armedSequence = Y                    X = _armedSequence ? the request's due : X's own (a replaced
///   release store: owned cleared                  request's expiry runs once, as a queued DPC does on Windows)
///                                               OnCommitLocked: signal state on (KTIMER), last expiry (EX_TIMER)
///                                               release store: owned cleared, running + 1; callback outside
///   The claims are ordered on one word, so a commit reads the fields of one set, whole: before it (the old request's
///   callback, X's due) or after it (the new one's). A free claims, sets freed, dequeues, lets go, then waits as in (3):
///   a commit that claimed first raised the count before the free could claim; one that claims after sees freed and
///   drops. A reset (NdisMInitializeTimer again) claims and clears freed. Before session thirteen all of these held
///   <see cref="Gate"/>'s monitor (15 ns a pair here), and the callback took it a third time for the signal state.
/// </code>
/// <para>
/// The expiry path: engine dispatcher → <see cref="OnExpired"/> → <see cref="RunExpiry"/> (the owner's routine runner:
/// IRQL, the adapter's locks and watchdogs; or a kernel object's DPC context) → <see cref="InvokeIfCurrent"/>, which
/// commits (DropAfterCancel: one compare-exchange, (1); RunOnceAfterCancel: a claim, (7)) and calls the callback outside
/// any claim; a free claims, sets freed, lets go, and waits as in (3).
/// </para>
/// </remarks>
internal abstract class TimerCore : IReportedCallback
{
    private readonly EngineTimer _engineTimer;
    private readonly ExpiryRule _rule;
    private readonly bool _realClock; // the engine's kind, read once: a virtual call per fire less (issue 27)

    // The records of a kind whose records never change (a host's timers), read on every arm, cancel and fire without the
    // virtual Records call; null for the kernel objects, whose records follow the scope they are bound to (Records).
    private readonly ITimerRecords? _fixedRecords;

    // The state word (TimerState): pending (DropAfterCancel kinds only), owned, freed, the running count, a version.
    // Changed by interlocked operations, or by a release store of the writer that owns it (nobody else changes it
    // meanwhile: a commit, a cancel and a callback's return wait for the owner).
    private long _state;
    private RunningCallbacks _running;
    private long _requestGeneration;
    private long _armedSequence = -1;
    private Delegate? _callback;
    private object? _context;

    // The activity row of the latest callback and the delegate it was looked up for (Delegate.Equals: same target and
    // method, no reflection): the row's name is read from the delegate's MethodInfo only when the callback changes.
    private ITimerRow? _activity;
    private Delegate? _activityCallback;

    // The schedule the miniport asked for and the one the engine runs: lateness counts from the requested one. Expiry k
    // of the engine schedule stands for expiry k of the requested one.
    private long _requestedDueNanoseconds;
    private long _requestedToleranceNanoseconds; // the delay the request allows: reports judge lateness past it
    private long _requestedPeriodNanoseconds;
    private long _engineDueNanoseconds;
    private long _enginePeriodNanoseconds;

    private protected TimerCore(TimerEngine engine, string kind, ExpiryRule rule, ITimerRecords? fixedRecords = null)
    {
        _fixedRecords = fixedRecords;
        Engine = engine;
        Kind = kind;
        _rule = rule;
        _realClock = !engine.IsVirtual;
        _engineTimer = engine.CreateTimer(static (t, in f) => ((TimerCore)t.State!).OnExpired(f), this);
    }

    /// <summary>The engine the timer runs on.</summary>
    public TimerEngine Engine { get; }

    /// <summary>The timer kind in reports: the DDI that arms it ("StorPortRequestTimer", "RequestTimerCall", "NdisMTimer", "NdisTimerObject") or the kernel object ("KTIMER", "EX_TIMER").</summary>
    public string Kind { get; }

    /// <summary>The miniport routine this timer last ran or was set with, and its DDI ("P_Running_Callback (StorPortRequestTimer)"); null before the first set. For reports, any thread.</summary>
    string? IReportedCallback.ReportedCallbackName => Volatile.Read(ref _activity) is { } row ? $"{row.Callback} ({Kind})" : null;

    /// <summary>True while the engine has the timer queued (a snapshot).</summary>
    public bool IsQueued => _engineTimer.IsPending;

    /// <summary>
    /// True while a request is pending (a snapshot): BUSY under <see cref="ExpiryRule.DropAfterCancel"/>. Meaningful under that
    /// rule only: a <see cref="ExpiryRule.RunOnceAfterCancel"/> kind does not keep it (always false); ask
    /// <see cref="IsQueued"/> there.
    /// </summary>
    public bool IsPending => (Volatile.Read(ref _state) & TimerState.Pending) != 0;

    /// <summary>True when the latest arming was periodic (a snapshot: read without the claim).</summary>
    public bool IsPeriodic => Volatile.Read(ref _requestedPeriodNanoseconds) > 0;

    /// <summary>True after a free (a snapshot).</summary>
    public bool IsFreed => Freed;

    /// <summary>True when the calling thread is running this timer's callback (a snapshot).</summary>
    public bool InOwnCallback => RunningCallbacks.OnCurrentThread(this, Volatile.Read(ref _state));

    /// <summary>Where arms, cancels and fires are recorded (the host's rows and trace); never null.</summary>
    protected abstract ITimerRecords Records { get; }

    /// <summary>The trace, or null while none is recorded (<see cref="ITimerRecords.Trace"/> of <see cref="Records"/>).</summary>
    private ITimerTrace? TraceOrNull => (_fixedRecords ?? Records).Trace;

    /// <summary>The trace track and report "adapter" of the timer: an adapter's name, or the host's driver track.</summary>
    protected abstract string Track { get; }

    /// <summary>The Windows clock tick the engine schedule is quantized to, µs (null: precise).</summary>
    protected abstract long? WindowsClockTickMicroseconds { get; }

    /// <summary>The dispatcher (processor) an arming pins the timer to (null: the arming CPU's).</summary>
    protected virtual int? TargetDispatcher => null;

    /// <summary>
    /// The monitor a free waits on for a running callback (every kind: <see cref="WaitForReturn"/>), pulsed by a returning
    /// callback when a free waits. Never held while user code runs, nor under a claim.
    /// </summary>
    protected object Gate { get; } = new();

    /// <summary>
    /// True after a free (a snapshot). Set under the claim (<see cref="ClaimFields"/>) by a
    /// <see cref="ExpiryRule.RunOnceAfterCancel"/> kind; a <see cref="ExpiryRule.DropAfterCancel"/> kind sets it through
    /// <see cref="FreeClaimed"/>.
    /// </summary>
    protected bool Freed
    {
        get => (Volatile.Read(ref _state) & TimerState.Freed) != 0;
        set
        {
            if (value)
            {
                Interlocked.Or(ref _state, TimerState.Freed);
            }
            else
            {
                Interlocked.And(ref _state, ~TimerState.Freed);
            }
        }
    }

    /// <summary>True while a request is recorded and its callback has not committed (<see cref="ExpiryRule.DropAfterCancel"/>). A snapshot; exact under the claim, until a cancel.</summary>
    protected bool IsPendingLocked => IsPending;

    /// <summary>Changes on every request. Under the claim.</summary>
    protected long RequestGeneration => _requestGeneration;

    /// <summary>True when the latest arming was periodic. Under the claim.</summary>
    protected bool IsPeriodicLocked => _requestedPeriodNanoseconds > 0;

    /// <summary>The activity row of <paramref name="callback"/>, looked up only when the callback changes. Under the claim.</summary>
    protected ITimerRow ActivityFor(Delegate callback)
    {
        if (_activity is null || (!ReferenceEquals(callback, _activityCallback) && !callback.Equals(_activityCallback)))
        {
            Volatile.Write(ref _activity, Records.RowFor(Kind, callback));
            _activityCallback = callback;
        }

        return _activity;
    }

    /// <summary>
    /// Records a request (counted as an arm): an expiry of an earlier arming is stale from now. Under the claim (for a
    /// <see cref="ExpiryRule.DropAfterCancel"/> kind, one that set <see cref="TimerState.Pending"/>).
    /// </summary>
    protected void BeginRequestLocked(Delegate callback, object? context)
    {
        ActivityFor(callback).CountArm();

        // A timer is re-armed with the same routine and context nearly always: skip the stores (and their GC write barriers) then.
        if (!ReferenceEquals(_callback, callback))
        {
            _callback = callback;
        }

        if (!ReferenceEquals(_context, context))
        {
            _context = context;
        }

        Volatile.Write(ref _armedSequence, -1);
        _requestGeneration++;
    }

    /// <summary>
    /// Sets the engine timer for the recorded request: first due at <paramref name="dueNanoseconds"/> (engine time), then
    /// every <paramref name="periodNanoseconds"/> (0: one-shot), each expiry up to <paramref name="toleranceNanoseconds"/>
    /// late. In Windows-tick mode the engine runs the quantized schedule, unless <paramref name="quantize"/> is false (a
    /// high-resolution timer). Under the claim.
    /// </summary>
    /// <returns>True if the engine had the timer queued (this arming replaced it).</returns>
    protected bool ArmEngineLocked(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds, bool quantize = true)
    {
        System.Diagnostics.Debug.Assert((Volatile.Read(ref _state) & TimerState.Owned) != 0, "a timer is armed only under its claim");
        (_requestedDueNanoseconds, _requestedPeriodNanoseconds, _requestedToleranceNanoseconds) = (dueNanoseconds, periodNanoseconds, toleranceNanoseconds);
        if (quantize && WindowsClockTickMicroseconds is { } tick)
        {
            // Fidelity mode: expire on the Windows clock tick; a period becomes whole ticks, so every expiry stays on one.
            dueNanoseconds = WindowsClockTick.Quantize(dueNanoseconds, tick);
            periodNanoseconds = periodNanoseconds == 0 ? 0 : WindowsClockTick.Quantize(periodNanoseconds, tick);
        }

        (_engineDueNanoseconds, _enginePeriodNanoseconds) = (dueNanoseconds, periodNanoseconds);
        if (TraceOrNull is { } trace)
        {
            trace.Arm(Track, Kind, _activity!.Callback, Engine.NowNanoseconds, dueNanoseconds);
        }

        if (Engine.DispatcherCount > 1 && TargetDispatcher is { } target) // one dispatcher (the common case): nothing to pin
        {
            // The owner's processor (an adapter's chosen one, a KDPC's target): the timer fires on that dispatcher whichever
            // thread arms it, so a callback that blocks delays only the timers that share its processor. No effect while
            // pending (a re-arm of a pending timer stays where it is filed).
            Engine.TrySetTargetDispatcher(_engineTimer, target);
        }

        var wasQueued = Engine.Arm(_engineTimer, dueNanoseconds, toleranceNanoseconds, periodNanoseconds);
        Volatile.Write(ref _armedSequence, _engineTimer.ArmSequence);
        if (wasQueued)
        {
            _activity!.CountReplaced();
        }

        return wasQueued;
    }

    /// <summary>
    /// A writer's claim of the request's fields (diagram (1), (3), (4), and (7) for a RunOnceAfterCancel kind, through
    /// <see cref="ClaimFields"/>): waits
    /// while another writer holds them; then, unless the word has a bit of <paramref name="refuseIf"/> set, takes
    /// <see cref="TimerState.Owned"/> (raising the version) and sets <paramref name="alsoSet"/> in the same
    /// compare-exchange. A claim must be let go with <see cref="Release"/> (in a finally). No lock; no user code runs
    /// under a claim, and a writer holds it for a few engine calls only.
    /// </summary>
    /// <param name="refuseIf">State bits that refuse the claim (e.g. <see cref="TimerState.Pending"/> for BUSY).</param>
    /// <param name="alsoSet">State bits the claim sets (<see cref="TimerState.Pending"/> for a request).</param>
    /// <returns>The word as claimed (<see cref="TimerState.Owned"/> set), or as read when refused (Owned clear).</returns>
    protected long ClaimUnless(long refuseIf, long alsoSet)
    {
        var spin = default(SpinWait);
        while (true)
        {
            var s = Volatile.Read(ref _state);
            if ((s & TimerState.Owned) != 0)
            {
                spin.SpinOnce(); // another writer: a few engine calls (after ~20 spins it sleeps, so a preempted one runs)
                continue;
            }

            if ((s & refuseIf) != 0)
            {
                return s;
            }

            var claimed = unchecked((s | TimerState.Owned | alsoSet) + TimerState.VersionOne);
            if (Interlocked.CompareExchange(ref _state, claimed, s) == s)
            {
                return claimed;
            }
        }
    }

    /// <summary>
    /// Lets go of a claim: stores <paramref name="final"/> without <see cref="TimerState.Owned"/> (a release store: while a
    /// writer owns the word nobody else changes it; a cancel and a commit wait, diagram (1), (2)).
    /// </summary>
    /// <param name="final">The word as the writer leaves it: the claimed word, or what <see cref="FreeClaimed"/> returned.</param>
    protected void Release(long final)
    {
        System.Diagnostics.Debug.Assert((Volatile.Read(ref _state) & ~(TimerState.Pending | TimerState.Freed)) == (final & ~(TimerState.Pending | TimerState.Freed)), "the word changed under a claim");
        Volatile.Write(ref _state, final & ~TimerState.Owned);
    }

    /// <summary>
    /// A <see cref="ExpiryRule.RunOnceAfterCancel"/> writer's claim of the fields (KeSetTimerEx, a free, a reset, a read of
    /// the signal state): <see cref="ClaimUnless"/> with nothing refused, let go when the result is disposed
    /// (<c>using (ClaimFields()) { … }</c>, where the gate's monitor was taken before session thirteen). The owner may change
    /// <see cref="Freed"/> meanwhile; the release keeps what the word holds then. Not reentrant: the owner runs no user
    /// code and never waits for a callback while it holds the claim (a free lets go first, then waits).
    /// </summary>
    protected FieldsClaim ClaimFields()
    {
        ClaimUnless(refuseIf: 0, alsoSet: 0);
        return new FieldsClaim(this);
    }

    /// <summary>Lets go of a claim taken by <see cref="ClaimFields"/>, keeping the bits the owner changed (a release store).</summary>
    /// <param name="runningDelta">1 when the owner is an expiry's commit: the running count it raises (diagram (3)).</param>
    private void LetGo(long runningDelta = 0)
    {
        var s = Volatile.Read(ref _state); // nobody else changes the word while it is owned
        System.Diagnostics.Debug.Assert((s & TimerState.Owned) != 0, "let go only by the owner");
        Volatile.Write(ref _state, unchecked((s & ~TimerState.Owned) + (runningDelta * TimerState.RunningOne)));
    }

    /// <summary>A claim of a <see cref="ExpiryRule.RunOnceAfterCancel"/> timer's fields, let go on dispose (<see cref="ClaimFields"/>).</summary>
    protected readonly ref struct FieldsClaim
    {
        private readonly TimerCore _core;

        internal FieldsClaim(TimerCore core) => _core = core;

        /// <summary>Lets go of the claim.</summary>
        public void Dispose() => _core.LetGo();
    }

    /// <summary>
    /// The cancel of a <see cref="ExpiryRule.DropAfterCancel"/> timer (StorPortRequestTimer(0), a legacy request of 0 µs):
    /// one compare-exchange that ends the pending request and claims the word (diagram (2)), the dequeue, and a release
    /// store; counts and traces the cancel when a request was pending. A taken expiry is then dropped; a callback that
    /// already committed runs (decision A3). Does not wait for it. An idle timer's cancel only reads the word.
    /// </summary>
    /// <returns>True if a request was pending.</returns>
    protected bool CancelPending()
    {
        System.Diagnostics.Debug.Assert(_rule == ExpiryRule.DropAfterCancel, "only a DropAfterCancel kind cancels a request");
        var spin = default(SpinWait);
        while (true)
        {
            var s = Volatile.Read(ref _state);
            if ((s & TimerState.Owned) != 0)
            {
                spin.SpinOnce(); // a writer is arming: cancel what it armed, once it has
                continue;
            }

            if ((s & TimerState.Pending) == 0)
            {
                return false; // idle, or the callback committed first: nothing to cancel (decisions A2, A3)
            }

            var claimed = unchecked(((s & ~TimerState.Pending) | TimerState.Owned) + TimerState.VersionOne);
            if (Interlocked.CompareExchange(ref _state, claimed, s) == s)
            {
                Engine.Cancel(_engineTimer); // under the claim: nobody arms meanwhile, so this dequeues the request it ends
                Volatile.Write(ref _state, claimed & ~TimerState.Owned);
                CountCancel();
                return true;
            }
        }
    }

    /// <summary>
    /// The free of a <see cref="ExpiryRule.DropAfterCancel"/> timer, under a claim (<see cref="ClaimUnless"/>): dequeues,
    /// counts a cancel when a request was pending, and returns the word to release with: freed, nothing pending
    /// (diagram (3)). The caller releases, then waits (<see cref="WaitForRunningCallback"/>).
    /// </summary>
    /// <param name="claimed">The word <see cref="ClaimUnless"/> returned.</param>
    /// <returns>The word for <see cref="Release"/>.</returns>
    protected long FreeClaimed(long claimed)
    {
        Engine.Cancel(_engineTimer);
        if ((claimed & TimerState.Pending) != 0)
        {
            CountCancel();
        }

        return (claimed | TimerState.Freed) & ~TimerState.Pending;
    }

    /// <summary>
    /// Cancels the current arming, counting and tracing it when one was cancelled: under
    /// <see cref="ExpiryRule.DropAfterCancel"/> a pending request (<see cref="CancelPending"/>), otherwise a queued timer.
    /// Does not wait for a callback that already committed (A3, A14). Under the claim for a RunOnceAfterCancel kind.
    /// </summary>
    /// <returns>True if a request was pending (DropAfterCancel) or the timer was queued (RunOnceAfterCancel).</returns>
    protected bool CancelLocked()
    {
        if (_rule == ExpiryRule.DropAfterCancel)
        {
            return CancelPending();
        }

        DequeueLocked(out var wasQueued);
        if (wasQueued)
        {
            CountCancel();
        }

        return wasQueued;
    }

    /// <summary>
    /// The cancel of a <see cref="ExpiryRule.RunOnceAfterCancel"/> timer (KeCancelTimer, NdisMCancelTimer,
    /// NdisCancelTimerObject), without the claim: it only dequeues the engine timer and says whether it was queued, counting
    /// and tracing the cancel when it was. Under that rule nothing else decides what a cancel did: a taken expiry runs
    /// anyway, and the request's pending flag and generation are read only by <see cref="ExpiryRule.DropAfterCancel"/>
    /// kinds (Storport's BUSY and deferred application). Issue 26: the gate here made KeSetTimerEx + KeCancelTimer 25 %
    /// slower than the KTIMER before the core. The engine's own lock orders it against a set (which holds the claim) and an
    /// expiry:
    /// </summary>
    /// <remarks>
    /// <code>
    ///   canceller (no claim)          setter (claim held)                      dispatcher
    ///                                 record the request; Engine.Arm            pops the timer (engine lock)
    ///   Engine.Cancel (engine lock):
    ///     before the Arm  ──► returns the earlier arming's queued state; the Arm then queues the new one
    ///                         (the cancel came first, then the set: what KeCancelTimer before KeSetTimerEx says)
    ///     after the Arm   ──► dequeues the new arming: TRUE (the set came first)
    ///     after the pop   ──► FALSE; the taken expiry runs once (the rule), as on Windows once the DPC is queued
    ///   TRUE: count the cancel on the latest row read (Volatile): a set that changes the callback meanwhile may get the
    ///   count on its own row instead of the old one: a report off by one cancel between two rows, never a lost timer
    /// </code>
    /// A free still claims (it must order against the commit); a cancel racing a free at worst dequeues what the
    /// free dequeues.
    /// </remarks>
    /// <returns>True if the timer was queued.</returns>
    protected bool CancelQueued()
    {
        System.Diagnostics.Debug.Assert(_rule == ExpiryRule.RunOnceAfterCancel, "only a RunOnceAfterCancel cancel may skip the claim");
        if (!Engine.Cancel(_engineTimer))
        {
            return false;
        }

        CountCancel();
        return true;
    }

    /// <summary>Takes the timer out of the engine and ends the request, without counting a cancel. Under the claim (a RunOnceAfterCancel kind).</summary>
    /// <returns>True if a request was pending (never, for a gated kind: it keeps no pending flag).</returns>
    protected bool DequeueLocked(out bool wasQueued)
    {
        _requestGeneration++;
        wasQueued = Engine.Cancel(_engineTimer);
        return (Volatile.Read(ref _state) & TimerState.Pending) != 0;
    }

    /// <summary>
    /// After a free let go of its claim (it no longer needs the fields): at PASSIVE_LEVEL on a thread other than the
    /// callback's, waits until a committed callback returns. Elsewhere (the callback itself freeing its timer, or a
    /// caller at DISPATCH_LEVEL, which may not wait) returns at once. Never under a claim: the callback's return waits
    /// for the owner to let go (diagram (3)).
    /// </summary>
    protected void WaitForRunningCallback()
    {
        if (IrqlState.Current == KIRQL.PASSIVE_LEVEL)
        {
            WaitForReturn();
        }
    }

    /// <summary>Waits, whatever the IRQL, until a callback committed on another thread returns (the caller checked the IRQL). Takes <see cref="Gate"/>; never under a claim.</summary>
    protected void WaitForReturn()
    {
        lock (Gate)
        {
            _running.WaitForReturn(this, ref _state, Gate);
        }
    }

    /// <summary>Called under the commit's claim when an expiry of a <see cref="ExpiryRule.RunOnceAfterCancel"/> kind commits to run, before the callback: a kind's expiry rule (KTIMER's signal state, EX_TIMER's delete after expiry). Runs no user code.</summary>
    protected virtual void OnCommitLocked()
    {
    }

    /// <summary>Cancels without waiting: the owner is going away (removal, halt, bug check, re-initialization).</summary>
    /// <returns>What <see cref="CancelLocked"/> returned.</returns>
    internal bool Abandon()
    {
        if (_rule == ExpiryRule.DropAfterCancel)
        {
            return CancelPending();
        }

        using (ClaimFields())
        {
            return CancelLocked();
        }
    }

    /// <summary>
    /// Runs the callback if <paramref name="firing"/> may still run: not freed and, under
    /// <see cref="ExpiryRule.DropAfterCancel"/>, belonging to the current request. Called from <see cref="RunExpiry"/>,
    /// in DPC context (with the routine's port locks held, for an adapter's timer).
    /// </summary>
    internal void InvokeIfCurrent(in TimerFiring firing)
    {
        CommittedRequest request;
        if (_rule == ExpiryRule.DropAfterCancel)
        {
            // Diagram (1)-(3): no lock; one compare-exchange ends the request and raises the running count.
            var spin = default(SpinWait);
            while (true)
            {
                var s = Volatile.Read(ref _state);
                if ((s & TimerState.Owned) != 0)
                {
                    spin.SpinOnce(); // a writer is changing the fields: it holds them for a few engine calls
                    continue;
                }

                if ((s & (TimerState.Pending | TimerState.Freed)) != TimerState.Pending || firing.ArmSequence != Volatile.Read(ref _armedSequence) || _activity is null)
                {
                    Volatile.Read(ref _activity)?.CountStale();
                    return;
                }

                // Read before the exchange: once it succeeds a new request may claim the fields (the callback may re-arm, A5).
                // A writer that claimed since s changed the version, so the exchange fails and the fields are read again.
                request = ReadRequest(firing);

                // Decision A5: a one-shot request stops being pending before the callback runs, so the callback can re-arm.
                var committed = unchecked((_enginePeriodNanoseconds == 0 ? s & ~TimerState.Pending : s) + TimerState.RunningOne);
                if (Interlocked.CompareExchange(ref _state, committed, s) == s)
                {
                    break;
                }
            }
        }
        else
        {
            // Diagram (7): the commit claims the fields as a writer does (waiting for one), and lets go raising the count.
            ClaimUnless(refuseIf: 0, alsoSet: 0);
            var committed = false;
            try
            {
                if (Freed || _activity is null)
                {
                    _activity?.CountStale();
                    return;
                }

                // An expiry of a replaced request (taken before a set, diagram below) counts from its own due time.
                request = firing.ArmSequence == _armedSequence ? ReadRequest(firing) : ReadReplacedRequest(firing);
                OnCommitLocked();
                committed = true;
            }
            finally
            {
                LetGo(committed ? 1 : 0);
            }
        }

        var frame = ThreadFrame.Current; // the thread's own record of the callbacks it runs (RunningCallbacks: no atomic)
        RunningCallbacks.Entered(frame, this);
        var start = Engine.NowNanoseconds;
        try
        {
            if (request.Activity.CountFire(start - request.RequestedDueNanoseconds, request.ToleranceNanoseconds))
            {
                // The row's latest fire so far (rare): its fire path, for the report's attribution (LateFire). A virtual
                // dispatcher wakes exactly at its deadlines and takes every expiry of a wake-up at the wake-up's time, so
                // its only lateness is the clock moved by earlier callbacks (a stall at DISPATCH_LEVEL), which may end in
                // a new "wake-up" past a due time: on it, all of take-to-start and wake-up counts as behind other callbacks.
                var (wokeAt, takenAt) = _realClock ? (firing.WokeAtNanoseconds, firing.FiredAtNanoseconds) : (0L, start);
                var cpuWait = -1L;
                var probe = _realClock ? CallbackRunProbe.NowWithRunDelaySince(start - request.RequestedDueNanoseconds, out cpuWait) : CallbackRunProbe.Now(realClock: false);
                request.Activity.CountWorstFire(request.RequestedDueNanoseconds, firing.DueNanoseconds, wokeAt, takenAt, start, cpuWait, probe, _realClock ? firing.SleptUntilNanoseconds : 0, Engine.LongestCallbackSinceWakeUp(_engineTimer));
            }

            InvokeCallback(request.Callback, request.Context, start);
        }
        finally
        {
            TraceOrNull?.Callback(Track, Kind, request.Activity.Callback, request.RequestedDueNanoseconds, start, Engine.NowNanoseconds);
            _running.Exit(frame, this, ref _state, Gate); // lock-free: takes the gate only to wake a waiting free (RunningCallbacks' diagram)
        }
    }

    /// <summary>Calls the miniport's routine with the DDI's arguments.</summary>
    /// <param name="callback">The callback of the request that fired.</param>
    /// <param name="context">Its context.</param>
    /// <param name="startNanoseconds">Engine time the callback starts at.</param>
    protected abstract void InvokeCallback(Delegate callback, object? context, long startNanoseconds);

    /// <summary>Runs one expiry where the kind's callbacks run (IRQL, scope, locks, watchdogs), ending in <see cref="InvokeIfCurrent"/>.</summary>
    protected abstract void RunExpiry(in TimerFiring firing);

    /// <summary>
    /// What a commit of <paramref name="firing"/> runs: the current request's callback, context and row, and the requested
    /// due time and tolerance its lateness counts from. Read by both commit paths (the word's CAS loop, the claim), each
    /// under its own synchronization; <see cref="_activity"/> is known not null there.
    /// </summary>
    private CommittedRequest ReadRequest(in TimerFiring firing) =>
        new(_callback!, _context, _activity!, RequestedDueOf(firing), _requestedToleranceNanoseconds);

    /// <summary>
    /// What a gated kind's commit of an expiry of a replaced request runs (<see cref="ExpiryRule.RunOnceAfterCancel"/>: it
    /// runs once, as a DPC already queued does on Windows): the current callback, context and row, as Windows runs the
    /// DPC object as it is now, but the lateness counts from the expiry's own due time, the engine's
    /// (<see cref="TimerFiring.DueNanoseconds"/>), not from the new request's, which is later (issue 27: that made the
    /// lateness negative, an "early" fire, and failed the run's invariant). The engine's due is the requested one, or on
    /// the Windows clock tick at most one tick after it: such a fire's lateness may be short by less than a tick. Under
    /// the commit's claim.
    /// </summary>
    /// <remarks>
    /// <code>
    ///   dispatcher                                 setter (another CPU: KeSetTimer, NdisMSetTimer, ExSetTimer)
    ///   take expiry X (due D1) from the engine
    ///   RunExpiry: the owner's locks, IRQL ...     claim: record the request (due D2 > D1), Engine.Arm ──► arming Y
    ///                                                _armedSequence = Y; let go
    ///   claim: not freed ──► commit X
    ///     X ≠ _armedSequence ──► lateness from D1 (X's own due), not from D2 (which gave start - D2 &lt; 0)
    ///   callback (the DPC as set now); later Y fires at D2, counted from D2
    /// </code>
    /// </remarks>
    private CommittedRequest ReadReplacedRequest(in TimerFiring firing) =>
        new(_callback!, _context, _activity!, firing.DueNanoseconds, _requestedToleranceNanoseconds);

    /// <summary>The request a committed expiry runs (<see cref="ReadRequest"/>).</summary>
    private readonly record struct CommittedRequest(Delegate Callback, object? Context, ITimerRow Activity, long RequestedDueNanoseconds, long ToleranceNanoseconds);

    /// <summary>The requested due time <paramref name="firing"/> stands for (expiry k of the engine schedule is expiry k of the requested one).</summary>
    private long RequestedDueOf(in TimerFiring firing)
    {
        var expiry = _enginePeriodNanoseconds == 0 ? 0 : (firing.DueNanoseconds - _engineDueNanoseconds) / _enginePeriodNanoseconds;
        return _requestedDueNanoseconds + (expiry * _requestedPeriodNanoseconds);
    }

    private void CountCancel()
    {
        if (Volatile.Read(ref _activity) is { } activity)
        {
            activity.CountCancel();
            TraceOrNull?.Cancel(Track, Kind, activity.Callback, Engine.NowNanoseconds);
        }
    }

    private void OnExpired(in TimerFiring firing)
    {
        // The dispatcher's time in this expiry, the host's locks and watchdogs included: what every other timer of its
        // dispatcher waited behind. The row keeps the longest with its adapter and what its time went to (the run report
        // names it with its cause: a first call's JIT, a collection, a wait for a CPU, or the callback's own time).
        var probe = CallbackRunProbe.Start(_realClock, firing.DispatcherSleptNanoseconds);
        var start = Engine.NowNanoseconds;
        try
        {
            RunExpiry(firing);
        }
        finally
        {
            Volatile.Read(ref _activity)?.CountRun(Engine.NowNanoseconds - start, Track, probe);
        }
    }
}
