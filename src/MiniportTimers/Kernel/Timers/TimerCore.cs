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
/// State, all under <see cref="Gate"/> (a plain monitor, never held while user code runs): <c>_pending</c> is true from
/// a request until its callback commits to run, or until a cancel or free; <c>_armedSequence</c> is the engine's
/// ArmSequence of the current arming (-1 while a request waits to be applied); <c>_requestGeneration</c> changes on
/// every request and cancel, so a deferred application of an older request is dropped.
/// </para>
/// <para>
/// Synchronization rules. An expiry's way: engine dispatcher → <see cref="OnExpired"/> → <see cref="RunExpiry"/> (the
/// owner's routine runner: IRQL, the adapter's locks and watchdogs; or a kernel object's DPC context) →
/// <see cref="InvokeIfCurrent"/>, which commits under the gate and calls the callback outside it. A cancel or free that
/// takes the gate before the commit wins (under <see cref="ExpiryRule.DropAfterCancel"/> for cancels; always for frees).
/// One that comes after does not stop the running callback; a free at PASSIVE_LEVEL from another thread then waits for
/// it to return, so no callback code runs after such a free returns:
/// </para>
/// <code>
///   dispatcher (expiry)                        miniport thread
///   engine pops timer                          free (PASSIVE)
///   owner's runner: IRQL, port locks           lock Gate
///   lock Gate                                    freed = true; engine cancel
///     freed, or dropped by the rule? ──► drop     running on another thread? ──► Monitor.Wait(Gate) until it returns
///     commit: pending = false; running.Enter     unlock Gate
///   unlock Gate
///   callback(...)      ◄── user code; only the port locks Windows documents are held
///   running.Exit: count-- (interlocked); a free waiting? lock Gate, PulseAll   (see RunningCallbacks)
/// </code>
/// </remarks>
internal abstract class TimerCore
{
    private readonly EngineTimer _engineTimer;
    private readonly ExpiryRule _rule;
    private RunningCallbacks _running;
    private bool _pending;
    private bool _freed;
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

    private protected TimerCore(TimerEngine engine, string kind, ExpiryRule rule)
    {
        Engine = engine;
        Kind = kind;
        _rule = rule;
        _engineTimer = engine.CreateTimer(static (t, in f) => ((TimerCore)t.State!).OnExpired(f), this);
    }

    /// <summary>The engine the timer runs on.</summary>
    public TimerEngine Engine { get; }

    /// <summary>The timer kind in reports: the DDI that arms it ("StorPortRequestTimer", "RequestTimerCall", "NdisMTimer", "NdisTimerObject") or the kernel object ("KTIMER", "EX_TIMER").</summary>
    public string Kind { get; }

    /// <summary>True while the engine has the timer queued (a snapshot).</summary>
    public bool IsQueued => _engineTimer.IsPending;

    /// <summary>
    /// True while a request is pending (a snapshot): BUSY under <see cref="ExpiryRule.DropAfterCancel"/>. Meaningful under that
    /// rule only: a <see cref="ExpiryRule.RunOnceAfterCancel"/> cancel (<see cref="CancelQueued"/>) does not clear it; ask
    /// <see cref="IsQueued"/> there.
    /// </summary>
    public bool IsPending
    {
        get
        {
            using (HostLock.Enter(Gate))
            {
                return _pending;
            }
        }
    }

    /// <summary>True when the latest arming was periodic (a snapshot: read without the gate).</summary>
    public bool IsPeriodic => Volatile.Read(ref _requestedPeriodNanoseconds) > 0;

    /// <summary>True after a free (a snapshot).</summary>
    public bool IsFreed => Freed;

    /// <summary>True when the calling thread is running this timer's callback (a snapshot).</summary>
    public bool InOwnCallback
    {
        get
        {
            using (HostLock.Enter(Gate))
            {
                return _running.OnCurrentThread;
            }
        }
    }

    /// <summary>Where arms, cancels and fires are recorded (the host's rows and trace); never null.</summary>
    protected abstract ITimerRecords Records { get; }

    /// <summary>The trace track and report "adapter" of the timer: an adapter's name, or the host's driver track.</summary>
    protected abstract string Track { get; }

    /// <summary>The Windows clock tick the engine schedule is quantized to, µs (null: precise).</summary>
    protected abstract long? WindowsClockTickMicroseconds { get; }

    /// <summary>The dispatcher (processor) an arming pins the timer to (null: the arming CPU's).</summary>
    protected virtual int? TargetDispatcher => null;

    /// <summary>Guards every field of the timer. Never held while user code runs.</summary>
    protected object Gate { get; } = new();

    /// <summary>True after a free. Written under <see cref="Gate"/>; a read without it is a snapshot (volatile).</summary>
    protected bool Freed
    {
        get => Volatile.Read(ref _freed);
        set => Volatile.Write(ref _freed, value);
    }

    /// <summary>True while a request is recorded and its callback has not committed to run. Under <see cref="Gate"/>.</summary>
    protected bool IsPendingLocked => _pending;

    /// <summary>Changes on every request and cancel. Under <see cref="Gate"/>.</summary>
    protected long RequestGeneration => _requestGeneration;

    /// <summary>True when the latest arming was periodic. Under <see cref="Gate"/>.</summary>
    protected bool IsPeriodicLocked => _requestedPeriodNanoseconds > 0;

    /// <summary>The activity row of <paramref name="callback"/>, looked up only when the callback changes. Under <see cref="Gate"/>.</summary>
    protected ITimerRow ActivityFor(Delegate callback)
    {
        if (_activity is null || (!ReferenceEquals(callback, _activityCallback) && !callback.Equals(_activityCallback)))
        {
            _activity = Records.RowFor(Kind, callback);
            _activityCallback = callback;
        }

        return _activity;
    }

    /// <summary>Records a request (counted as an arm): pending from now; an expiry of an earlier arming is stale. Under <see cref="Gate"/>.</summary>
    protected void BeginRequestLocked(Delegate callback, object? context)
    {
        ActivityFor(callback).CountArm();
        _callback = callback;
        _context = context;
        _pending = true;
        _armedSequence = -1;
        _requestGeneration++;
    }

    /// <summary>
    /// Sets the engine timer for the recorded request: first due at <paramref name="dueNanoseconds"/> (engine time), then
    /// every <paramref name="periodNanoseconds"/> (0: one-shot), each expiry up to <paramref name="toleranceNanoseconds"/>
    /// late. In Windows-tick mode the engine runs the quantized schedule, unless <paramref name="quantize"/> is false (a
    /// high-resolution timer). Under <see cref="Gate"/>.
    /// </summary>
    /// <returns>True if the engine had the timer queued (this arming replaced it).</returns>
    protected bool ArmEngineLocked(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds, bool quantize = true)
    {
        System.Diagnostics.Debug.Assert(_pending, "the engine is armed only for a recorded request");
        (_requestedDueNanoseconds, _requestedPeriodNanoseconds, _requestedToleranceNanoseconds) = (dueNanoseconds, periodNanoseconds, toleranceNanoseconds);
        if (quantize && WindowsClockTickMicroseconds is { } tick)
        {
            // Fidelity mode: expire on the Windows clock tick; a period becomes whole ticks, so every expiry stays on one.
            dueNanoseconds = WindowsClockTick.Quantize(dueNanoseconds, tick);
            periodNanoseconds = periodNanoseconds == 0 ? 0 : WindowsClockTick.Quantize(periodNanoseconds, tick);
        }

        (_engineDueNanoseconds, _enginePeriodNanoseconds) = (dueNanoseconds, periodNanoseconds);
        if (Records.Trace is { } trace)
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
        _armedSequence = _engineTimer.ArmSequence;
        if (wasQueued)
        {
            _activity!.CountReplaced();
        }

        return wasQueued;
    }

    /// <summary>
    /// Cancels the current arming, counting and tracing it when one was cancelled: under
    /// <see cref="ExpiryRule.DropAfterCancel"/> a pending request (its taken expiry is dropped), otherwise a queued timer.
    /// Does not wait for a callback that already committed (A3, A14). Under <see cref="Gate"/>.
    /// </summary>
    /// <returns>True if a request was pending (DropAfterCancel) or the timer was queued (RunOnceAfterCancel).</returns>
    protected bool CancelLocked()
    {
        var wasPending = DequeueLocked(out var wasQueued);
        var cancelled = _rule == ExpiryRule.DropAfterCancel ? wasPending : wasQueued;
        if (cancelled && _activity is { } activity)
        {
            activity.CountCancel();
            Records.Trace?.Cancel(Track, Kind, activity.Callback, Engine.NowNanoseconds);
        }

        return cancelled;
    }

    /// <summary>
    /// The cancel of a <see cref="ExpiryRule.RunOnceAfterCancel"/> timer (KeCancelTimer, NdisMCancelTimer,
    /// NdisCancelTimerObject), without the gate: it only dequeues the engine timer and says whether it was queued, counting
    /// and tracing the cancel when it was. Under that rule nothing else decides what a cancel did: a taken expiry runs
    /// anyway, and the request's pending flag and generation are read only by <see cref="ExpiryRule.DropAfterCancel"/>
    /// kinds (Storport's BUSY and deferred application), so they are left as they are (<see cref="IsPending"/> is not
    /// cleared by it; ask <see cref="IsQueued"/>). Issue 26: the gate here made KeSetTimerEx + KeCancelTimer 25 % slower
    /// than the KTIMER before the core. The engine's own lock orders it against a set (which holds the gate) and an expiry:
    /// </summary>
    /// <remarks>
    /// <code>
    ///   canceller (no gate)           setter (gate held)                       dispatcher
    ///                                 record the request; Engine.Arm            pops the timer (engine lock)
    ///   Engine.Cancel (engine lock):
    ///     before the Arm  ──► returns the earlier arming's queued state; the Arm then queues the new one
    ///                         (the cancel came first, then the set: what KeCancelTimer before KeSetTimerEx says)
    ///     after the Arm   ──► dequeues the new arming: TRUE (the set came first)
    ///     after the pop   ──► FALSE; the taken expiry runs once (the rule), as on Windows once the DPC is queued
    ///   TRUE: count the cancel on the latest row read (Volatile): a set that changes the callback meanwhile may get the
    ///   count on its own row instead of the old one: a report off by one cancel between two rows, never a lost timer
    /// </code>
    /// A free still takes the gate (it must order against the commit); a cancel racing a free at worst dequeues what the
    /// free dequeues.
    /// </remarks>
    /// <returns>True if the timer was queued.</returns>
    protected bool CancelQueued()
    {
        System.Diagnostics.Debug.Assert(_rule == ExpiryRule.RunOnceAfterCancel, "only a RunOnceAfterCancel cancel may skip the gate");
        if (!Engine.Cancel(_engineTimer))
        {
            return false;
        }

        if (Volatile.Read(ref _activity) is { } activity)
        {
            activity.CountCancel();
            Records.Trace?.Cancel(Track, Kind, activity.Callback, Engine.NowNanoseconds);
        }

        return true;
    }

    /// <summary>Takes the timer out of the engine and ends the request, without counting a cancel. Under <see cref="Gate"/>.</summary>
    /// <returns>True if a request was pending.</returns>
    protected bool DequeueLocked(out bool wasQueued)
    {
        var wasPending = _pending;
        _pending = false;
        _requestGeneration++;
        wasQueued = Engine.Cancel(_engineTimer);
        return wasPending;
    }

    /// <summary>
    /// At PASSIVE_LEVEL on a thread other than the callback's, waits until a committed callback returns. Elsewhere (the
    /// callback itself freeing its timer, or a caller at DISPATCH_LEVEL, which may not wait) returns at once.
    /// Under <see cref="Gate"/>.
    /// </summary>
    protected void WaitForRunningCallbackLocked()
    {
        if (IrqlState.Current == KIRQL.PASSIVE_LEVEL)
        {
            WaitForReturnLocked();
        }
    }

    /// <summary>Waits, whatever the IRQL, until a callback committed on another thread returns (the caller checked the IRQL). Under <see cref="Gate"/>.</summary>
    protected void WaitForReturnLocked() => _running.WaitForReturn(Gate);

    /// <summary>Called under <see cref="Gate"/> when an expiry commits to run, before the callback: a kind's last-expiry rule (EX_TIMER's delete after expiry).</summary>
    protected virtual void OnCommitLocked()
    {
    }

    /// <summary>Cancels without waiting: the owner is going away (removal, halt, bug check, re-initialization).</summary>
    /// <returns>What <see cref="CancelLocked"/> returned.</returns>
    internal bool Abandon()
    {
        using (HostLock.Enter(Gate))
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
        Delegate callback;
        object? context;
        ITimerRow activity;
        long requestedDue;
        long tolerance;
        using (HostLock.Enter(Gate))
        {
            var dropped = _rule == ExpiryRule.DropAfterCancel && (!_pending || firing.ArmSequence != _armedSequence);
            if (Freed || dropped || _activity is null)
            {
                _activity?.CountStale();
                return;
            }

            // Decision A5: a one-shot request stops being pending before the callback runs, so the callback can re-arm.
            if (_enginePeriodNanoseconds == 0)
            {
                _pending = false;
            }

            callback = _callback!;
            context = _context;
            activity = _activity;
            var expiry = _enginePeriodNanoseconds == 0 ? 0 : (firing.DueNanoseconds - _engineDueNanoseconds) / _enginePeriodNanoseconds;
            requestedDue = _requestedDueNanoseconds + (expiry * _requestedPeriodNanoseconds);
            tolerance = _requestedToleranceNanoseconds;
            OnCommitLocked();
            _running.Enter();
        }

        var start = Engine.NowNanoseconds;
        try
        {
            activity.CountFire(start - requestedDue, tolerance);
            InvokeCallback(callback, context, start);
        }
        finally
        {
            Records.Trace?.Callback(Track, Kind, activity.Callback, requestedDue, start, Engine.NowNanoseconds);
            _running.Exit(Gate); // lock-free: takes the gate only to wake a waiting free (RunningCallbacks' diagram)
        }
    }

    /// <summary>Calls the miniport's routine with the DDI's arguments.</summary>
    /// <param name="callback">The callback of the request that fired.</param>
    /// <param name="context">Its context.</param>
    /// <param name="startNanoseconds">Engine time the callback starts at.</param>
    protected abstract void InvokeCallback(Delegate callback, object? context, long startNanoseconds);

    /// <summary>Runs one expiry where the kind's callbacks run (IRQL, scope, locks, watchdogs), ending in <see cref="InvokeIfCurrent"/>.</summary>
    protected abstract void RunExpiry(in TimerFiring firing);

    private void OnExpired(in TimerFiring firing)
    {
        // The dispatcher's time in this expiry, the host's locks and watchdogs included: what every other timer of its
        // dispatcher waited behind. The row keeps the longest with its adapter and what its time went to (the run report
        // names it with its cause: a first call's JIT, a collection, a wait for a CPU, or the callback's own time).
        var probe = CallbackRunProbe.Start(realClock: !Engine.IsVirtual);
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
