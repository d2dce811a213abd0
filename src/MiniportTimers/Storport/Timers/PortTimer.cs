using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Kernel.Watchdog;
using MiniportTimers.Kernel;

namespace MiniportTimers.Storport.Timers;

/// <summary>
/// What the two Storport timer kinds share: one engine timer, the "request pending" state that StorPortRequestTimer
/// answers STOR_STATUS_BUSY from, and the trampoline that turns an engine expiry into a miniport callback run by the
/// adapter under the StartIo lock.
/// </summary>
/// <remarks>
/// <para>
/// State (all under <see cref="Gate"/>): <c>_pending</c> is true from a successful request until its callback commits
/// to run, or until a cancel or free. <c>_armedSequence</c> is the engine ArmSequence of the current request; an expiry
/// carrying another sequence is stale (it was taken from the queue before a cancel or re-arm) and is dropped.
/// </para>
/// <para>
/// Synchronization rules. The commit point of a callback is the moment <see cref="InvokeIfCurrent"/> clears
/// <c>_pending</c> under <see cref="Gate"/>, with the adapter's StartIo lock already held. A cancel or free that takes
/// <see cref="Gate"/> before that point wins: the expiry finds the request gone and does nothing. One that comes after
/// it does not stop the running callback (decision A3); a free at PASSIVE_LEVEL from another thread waits for it to
/// return (decision A9, as the Windows 7 shim's KeFlushQueuedDpcs does), so no callback code runs after such a free
/// returns.
/// </para>
/// <code>
///   dispatcher (expiry)                        miniport thread
///   engine pops timer                          StorPortFreeTimer (PASSIVE)
///   acquire StartIo lock                         lock Gate
///   lock Gate                                    _freed = true; cancel engine timer
///     _pending &amp;&amp; sequence ok? ──no──► drop          _running? ──yes──► Monitor.Wait(Gate) until it returns
///     _pending = false; _running++               unlock Gate → STOR_STATUS_SUCCESS
///   unlock Gate
///   callback(...)      ◄── user code, StartIo lock held (Windows documents it)
///   lock Gate; _running--; PulseAll; unlock
/// </code>
/// </remarks>
internal abstract class PortTimer
{
    private readonly EngineTimer _engineTimer;
    private bool _pending;
    private long _requestGeneration;
    private long _armedSequence = -1;
    private int _running;
    private Thread? _runningThread;
    private Delegate? _callback;
    private object? _context;
    private TimerActivity? _activity;

    /// <summary>The due time the miniport asked for, engine ns (before Windows-tick quantization): lateness counts from it.</summary>
    private long _requestedDueNanoseconds;

    protected PortTimer(StorportAdapter adapter)
    {
        Adapter = adapter;
        _engineTimer = adapter.Host.Engine.CreateTimer(static (timer, in firing) => ((PortTimer)timer.State!).OnExpired(firing), this);
    }

    /// <summary>Guards every field of the timer. Never held while user code runs.</summary>
    protected object Gate { get; } = new();

    public StorportAdapter Adapter { get; }

    /// <summary>The DDI name that arms this kind of timer, for reports.</summary>
    public abstract string Kind { get; }

    /// <summary>True after StorPortFreeTimer (only extended timers are ever freed).</summary>
    protected bool Freed { get; set; }

    /// <summary>True while a request is recorded and its callback has not committed to run. Under Gate.</summary>
    protected bool IsPendingLocked => _pending;

    /// <summary>True while a request is pending (a snapshot).</summary>
    internal bool IsPending
    {
        get
        {
            using (HostLock.Enter(Gate))
            {
                return _pending;
            }
        }
    }

    /// <summary>
    /// Records a request and arms the engine timer, now or, above DISPATCH_LEVEL, when the thread drops to
    /// DISPATCH_LEVEL (decisions A11, A16). The request is answered at once (BUSY from then on), but, as in Windows, the
    /// timer is set when the request is applied: the delay counts from then (a 1 ms request made at DIRQL at t = 0 and
    /// applied when the IRQL drops at t = 3 ms fires at t = 4 ms). Call under <see cref="Gate"/>.
    /// </summary>
    protected void RequestLocked(Delegate callback, object? context, long delayNanoseconds, long toleranceNanoseconds)
    {
        _activity = Adapter.Host.TimerActivity.For(Kind, callback.Method.Name);
        _activity.CountArm();
        _callback = callback;
        _context = context;
        _pending = true;
        _armedSequence = -1; // an expiry of an earlier arming, already queued, is stale from now on
        var generation = ++_requestGeneration;
        if (IrqlState.Current <= KIRQL.DISPATCH_LEVEL)
        {
            ArmFromNowLocked(delayNanoseconds, toleranceNanoseconds);
            return;
        }

        // Above DISPATCH_LEVEL: applied when this thread drops to DISPATCH_LEVEL, unless cancelled or replaced by then;
        // the delay counts from then.
        IrqlState.RunAtOrBelowDispatch(() =>
        {
            using (HostLock.Enter(Gate))
            {
                if (_pending && generation == _requestGeneration)
                {
                    ArmFromNowLocked(delayNanoseconds, toleranceNanoseconds);
                }
            }
        });
    }

    /// <summary>Sets the engine timer <paramref name="delayNanoseconds"/> from now (the requested due time lateness counts from).</summary>
    private void ArmFromNowLocked(long delayNanoseconds, long toleranceNanoseconds)
    {
        var now = Adapter.Host.Engine.NowNanoseconds;
        var due = Math.Min(TimerEngine.MaxTimeNanoseconds, now + delayNanoseconds);
        _requestedDueNanoseconds = due;
        if (Adapter.Host.Options.WindowsClockTickMicroseconds is { } tick)
        {
            due = WindowsClockTick.Quantize(due, tick); // fidelity mode: expire on the Windows clock tick
        }

        Adapter.Host.Trace?.Arm(Adapter.Name, Kind, _activity!.Callback, now, due);
        Adapter.Host.Engine.Arm(_engineTimer, due, toleranceNanoseconds);
        _armedSequence = _engineTimer.ArmSequence;
    }

    /// <summary>Cancels the pending request, if any. Does not wait for a callback that already committed (A3). Call under <see cref="Gate"/>.</summary>
    /// <returns>True if a request was pending.</returns>
    protected bool CancelLocked()
    {
        var wasPending = _pending;
        _pending = false;
        _requestGeneration++;
        Adapter.Host.Engine.Cancel(_engineTimer);
        if (wasPending && _activity is { } activity)
        {
            activity.CountCancel();
            Adapter.Host.Trace?.Cancel(Adapter.Name, Kind, activity.Callback, Adapter.Host.Engine.NowNanoseconds);
        }

        return wasPending;
    }

    /// <summary>
    /// At PASSIVE_LEVEL on a thread other than the callback's, waits until a committed callback returns. Elsewhere (the
    /// callback itself freeing its timer, or a caller at DISPATCH_LEVEL, which may not wait) returns at once.
    /// Call under <see cref="Gate"/>.
    /// </summary>
    protected void WaitForRunningCallbackLocked()
    {
        if (IrqlState.Current != KIRQL.PASSIVE_LEVEL)
        {
            return;
        }

        while (_running > 0 && !ReferenceEquals(_runningThread, Thread.CurrentThread))
        {
            Monitor.Wait(Gate);
        }
    }

    /// <summary>Cancels and marks the timer dead without waiting: the adapter is going away (removal, bug check).</summary>
    internal void Abandon()
    {
        using (HostLock.Enter(Gate))
        {
            CancelLocked();
        }
    }

    private void OnExpired(in TimerFiring firing) => Adapter.RunTimerCallback(this, firing);

    /// <summary>
    /// Runs the callback if <paramref name="firing"/> belongs to the current request. Called by the adapter on the
    /// dispatcher, in DPC context, with the StartIo lock (and in half duplex the Interrupt lock) held.
    /// </summary>
    internal void InvokeIfCurrent(TimerFiring firing)
    {
        Delegate callback;
        object? context;
        TimerActivity activity;
        long requestedDue;
        using (HostLock.Enter(Gate))
        {
            if (Freed || !_pending || firing.ArmSequence != _armedSequence)
            {
                _activity?.CountStale();
                return;
            }

            // Decision A5: the request stops being pending before the callback runs, so the callback can re-arm.
            _pending = false;
            callback = _callback!;
            context = _context;
            activity = _activity!;
            requestedDue = _requestedDueNanoseconds;
            _running++;
            _runningThread = Thread.CurrentThread;
        }

        var start = Adapter.Host.Engine.NowNanoseconds;
        try
        {
            activity.CountFire(start - requestedDue);
            Invoke(callback, context);
        }
        finally
        {
            Adapter.Host.Trace?.Callback(Adapter.Name, Kind, activity.Callback, requestedDue, start, Adapter.Host.Engine.NowNanoseconds);
            using (HostLock.Enter(Gate))
            {
                _running--;
                _runningThread = null;
                Monitor.PulseAll(Gate);
            }
        }
    }

    /// <summary>Calls the miniport's routine (HW_TIMER or HW_TIMER_EX).</summary>
    protected abstract void Invoke(Delegate callback, object? context);
}
