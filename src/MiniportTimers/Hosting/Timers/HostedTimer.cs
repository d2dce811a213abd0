using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Hosting.Timers;

/// <summary>
/// The callback-timer core under every timer kind of both stacks (Storport's extended and legacy timers, NDIS 5 miniport
/// timers, NDIS 6 timer objects): one engine timer; the requested schedule and the one the engine runs (they differ only
/// in Windows-tick mode, <see cref="WindowsClockTick"/>); commit-or-drop of a taken expiry (<see cref="ExpiryRule"/>);
/// running-callback tracking and the free-wait (<see cref="RunningCallbacks"/>); and activity and trace accounting on
/// arm, cancel and fire, keyed by the callback's name looked up once per callback, not per call. Each stack's timer is
/// a thin subclass that adds its DDI's rules (BUSY, the legacy timer's replace, NDIS's default context).
/// </summary>
/// <remarks>
/// <para>
/// State, all under <see cref="Gate"/> (a plain monitor, never held while user code runs): <c>_pending</c> is true from
/// a request until its callback commits to run, or until a cancel or free; <c>_armedSequence</c> is the engine's
/// ArmSequence of the current arming (-1 while a request waits to be applied); <c>_requestGeneration</c> changes on
/// every request and cancel, so a deferred application of an older request is dropped.
/// </para>
/// <para>
/// Synchronization rules. An expiry's way: engine dispatcher → <see cref="OnExpired"/> → the owner's routine runner (the
/// adapter's locks and watchdogs) → <see cref="InvokeIfCurrent"/>, which commits under the gate and calls the callback
/// outside it. A cancel or free that takes the gate before the commit wins (under <see cref="ExpiryRule.DropAfterCancel"/>
/// for cancels; always for frees). One that comes after does not stop the running callback; a free at PASSIVE_LEVEL from
/// another thread then waits for it to return, so no callback code runs after such a free returns:
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
///   lock Gate; running.Exit (PulseAll); unlock
/// </code>
/// </remarks>
internal abstract class HostedTimer
{
    private readonly EngineTimer _engineTimer;
    private readonly ExpiryRule _rule;
    private RunningCallbacks _running;
    private bool _pending;
    private long _requestGeneration;
    private long _armedSequence = -1;
    private Delegate? _callback;
    private object? _context;

    // The activity row of the latest callback and the delegate it was looked up for (Delegate.Equals: same target and
    // method, no reflection): the row's name is read from the delegate's MethodInfo only when the callback changes.
    private TimerActivity? _activity;
    private Delegate? _activityCallback;

    // The schedule the miniport asked for and the one the engine runs: lateness counts from the requested one. Expiry k
    // of the engine schedule stands for expiry k of the requested one.
    private long _requestedDueNanoseconds;
    private long _requestedPeriodNanoseconds;
    private long _engineDueNanoseconds;
    private long _enginePeriodNanoseconds;

    private protected HostedTimer(MiniportHost host, string kind, ExpiryRule rule)
    {
        Host = host;
        Kind = kind;
        _rule = rule;
        _engineTimer = host.Engine.CreateTimer(static (t, in f) => ((HostedTimer)t.State!).OnExpired(f), this);
    }

    /// <summary>The host whose engine the timer runs on.</summary>
    public MiniportHost Host { get; }

    /// <summary>The DDI that arms this kind of timer ("StorPortRequestTimer", "RequestTimerCall", "NdisMTimer", "NdisTimerObject"), for reports.</summary>
    public string Kind { get; }

    /// <summary>The adapter whose routine runner runs the callback, and which a fault in it stops (null: a driver-level timer).</summary>
    public abstract HostedAdapter? Owner { get; }

    /// <summary>True while the engine has the timer queued (a snapshot).</summary>
    public bool IsQueued => _engineTimer.IsPending;

    /// <summary>True while a request is pending (a snapshot): BUSY under <see cref="ExpiryRule.DropAfterCancel"/>.</summary>
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

    /// <summary>True after a free (a snapshot).</summary>
    public bool IsFreed
    {
        get
        {
            using (HostLock.Enter(Gate))
            {
                return Freed;
            }
        }
    }

    /// <summary>Guards every field of the timer. Never held while user code runs.</summary>
    protected object Gate { get; } = new();

    /// <summary>True after a free. Under <see cref="Gate"/>.</summary>
    protected bool Freed { get; set; }

    /// <summary>True while a request is recorded and its callback has not committed to run. Under <see cref="Gate"/>.</summary>
    protected bool IsPendingLocked => _pending;

    /// <summary>Changes on every request and cancel. Under <see cref="Gate"/>.</summary>
    protected long RequestGeneration => _requestGeneration;

    /// <summary>True when the latest arming was periodic. Under <see cref="Gate"/>.</summary>
    protected bool IsPeriodicLocked => _requestedPeriodNanoseconds > 0;

    private string TrackName => Owner?.Name ?? MiniportHost.DriverTrack;

    /// <summary>The activity row of <paramref name="callback"/>, looked up only when the callback changes. Under <see cref="Gate"/>.</summary>
    protected TimerActivity ActivityFor(Delegate callback)
    {
        if (_activity is null || !callback.Equals(_activityCallback))
        {
            _activity = Host.Diagnostics.TimerActivity.For(Kind, callback.Target is ICallbackName named ? named.CallbackName : callback.Method.Name);
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
    /// late. In Windows-tick mode the engine runs the quantized schedule. Under <see cref="Gate"/>.
    /// </summary>
    /// <returns>True if the engine had the timer queued (this arming replaced it).</returns>
    protected bool ArmEngineLocked(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds)
    {
        System.Diagnostics.Debug.Assert(_pending, "the engine is armed only for a recorded request");
        (_requestedDueNanoseconds, _requestedPeriodNanoseconds) = (dueNanoseconds, periodNanoseconds);
        if (Host.HostOptions.WindowsClockTickMicroseconds is { } tick)
        {
            // Fidelity mode: expire on the Windows clock tick; a period becomes whole ticks, so every expiry stays on one.
            dueNanoseconds = WindowsClockTick.Quantize(dueNanoseconds, tick);
            periodNanoseconds = periodNanoseconds == 0 ? 0 : WindowsClockTick.Quantize(periodNanoseconds, tick);
        }

        (_engineDueNanoseconds, _enginePeriodNanoseconds) = (dueNanoseconds, periodNanoseconds);
        Host.Trace?.Arm(TrackName, Kind, _activity!.Callback, Host.Engine.NowNanoseconds, dueNanoseconds);
        if (Owner is { } adapter && Host.Engine.DispatcherCount > 1) // one dispatcher (the common case): nothing to pin
        {
            // The adapter's chosen processor: its timers fire on that dispatcher whichever thread arms them, so an adapter
            // whose callback blocks delays only the adapters that share its processor. No effect while pending (a re-arm
            // of a pending timer stays where it is filed).
            Host.Engine.TrySetTargetDispatcher(_engineTimer, adapter.Processor);
        }

        var wasQueued = Host.Engine.Arm(_engineTimer, dueNanoseconds, toleranceNanoseconds, periodNanoseconds);
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
            Host.Trace?.Cancel(TrackName, Kind, activity.Callback, Host.Engine.NowNanoseconds);
        }

        return cancelled;
    }

    /// <summary>Takes the timer out of the engine and ends the request, without counting a cancel. Under <see cref="Gate"/>.</summary>
    /// <returns>True if a request was pending.</returns>
    protected bool DequeueLocked(out bool wasQueued)
    {
        var wasPending = _pending;
        _pending = false;
        _requestGeneration++;
        wasQueued = Host.Engine.Cancel(_engineTimer);
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
            _running.WaitForReturn(Gate);
        }
    }

    /// <summary>Cancels without waiting: the adapter is going away (removal, halt, bug check).</summary>
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
    /// <see cref="ExpiryRule.DropAfterCancel"/>, belonging to the current request. Called by the owner's routine runner,
    /// in DPC context with the routine's port locks held.
    /// </summary>
    internal void InvokeIfCurrent(in TimerFiring firing)
    {
        Delegate callback;
        object? context;
        TimerActivity activity;
        long requestedDue;
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
            _running.Enter();
        }

        var start = Host.Engine.NowNanoseconds;
        try
        {
            activity.CountFire(start - requestedDue);
            InvokeCallback(callback, context, start);
        }
        finally
        {
            Host.Trace?.Callback(TrackName, Kind, activity.Callback, requestedDue, start, Host.Engine.NowNanoseconds);
            using (HostLock.Enter(Gate))
            {
                _running.Exit(Gate);
            }
        }
    }

    /// <summary>Calls the miniport's routine with the DDI's arguments.</summary>
    /// <param name="callback">The callback of the request that fired.</param>
    /// <param name="context">Its context.</param>
    /// <param name="startNanoseconds">Engine time the callback starts at.</param>
    protected abstract void InvokeCallback(Delegate callback, object? context, long startNanoseconds);

    private void OnExpired(in TimerFiring firing)
    {
        // The dispatcher's time in this expiry, the host's locks and watchdogs included: what every other timer of its
        // dispatcher waited behind. The row keeps the longest with its adapter and what its time went to (the run report
        // names it with its cause: a first call's JIT, a collection, a wait for a CPU, or the callback's own time).
        var probe = CallbackRunProbe.Start(realClock: !Host.Engine.IsVirtual);
        var start = Host.Engine.NowNanoseconds;
        try
        {
            if (Owner is { } owner)
            {
                owner.RunTimerExpiry(this, firing);
            }
            else
            {
                var f = firing;
                Host.RunDriverRoutine(DriverTimerRoutine, KIRQL.DISPATCH_LEVEL, (Timer: this, f), static s => s.Timer.InvokeIfCurrent(s.f));
            }
        }
        finally
        {
            Volatile.Read(ref _activity)?.CountRun(Host.Engine.NowNanoseconds - start, TrackName, probe);
        }
    }

    /// <summary>The routine a driver-level timer's callback runs as (a timer without an owner).</summary>
    private protected virtual Routines.HostedRoutine DriverTimerRoutine => throw new InvalidOperationException($"A {Kind} timer has no owner adapter.");
}
