using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Kernel.Watchdog;
using MiniportTimers.Kernel;

namespace MiniportTimers.Ndis.Timers;

/// <summary>
/// The timer under both NDIS timer kinds, with the semantics of a KTIMER bound to a KDPC (the mapping semantics §2
/// suggests): a set replaces a pending one and reports whether one was queued; a cancel dequeues and reports it, and
/// does not stop an expiry already taken from the queue (decision A14: that callback may still run once); a periodic
/// timer keeps its phase (decision A13). Only a free guarantees that no callback starts afterwards.
/// </summary>
/// <remarks>
/// <para>
/// Synchronization rules. All fields are under <c>_gate</c>, never held while user code runs. An expiry commits to run
/// when <see cref="Invoke"/> finds the timer not freed and counts itself in <c>_running</c>. A free that takes the gate
/// first wins (the expiry is dropped); one that comes after waits, at PASSIVE_LEVEL on another thread, for the callback
/// to return (as NdisFreeTimerObject after KeFlushQueuedDpcs):
/// </para>
/// <code>
///   dispatcher (expiry)                 miniport thread
///   engine pops timer                   NdisFreeTimerObject (PASSIVE)
///   lock gate                             lock gate; _freed = true; engine cancel
///     _freed? ──yes──► drop                _running &gt; 0 ──► Monitor.Wait until 0
///     _running++                          unlock gate
///   unlock gate; callback(...)
///   lock gate; _running--; PulseAll
/// </code>
/// </remarks>
internal sealed class NdisTimer
{
    private readonly object _gate = new();
    private readonly EngineTimer _engineTimer;
    private NDIS_TIMER_FUNCTION _function;
    private object? _defaultContext;
    private object? _context;
    private bool _freed;
    private int _running;
    private Thread? _runningThread;

    // The schedule the miniport asked for and the one the engine runs (they differ only in Windows-tick mode): lateness
    // counts from the requested one. Expiry k of the engine schedule stands for expiry k of the requested one.
    private long _requestedDue;
    private long _requestedPeriod;
    private long _engineDue;
    private long _enginePeriod;

    public NdisTimer(NdisHost host, string kind, object handle, NDIS_TIMER_FUNCTION function, object? defaultContext, NdisMiniportAdapter? owner)
    {
        Host = host;
        Kind = kind;
        Handle = handle;
        _function = function;
        _defaultContext = defaultContext;
        _context = defaultContext;
        Owner = owner;
        _engineTimer = host.Engine.CreateTimer(static (t, in f) => ((NdisTimer)t.State!).OnExpired(f), this);
    }

    public NdisHost Host { get; }

    /// <summary>"NdisMTimer" (NDIS 5) or "NdisTimerObject" (NDIS 6), for reports.</summary>
    public string Kind { get; }

    /// <summary>SystemSpecific1 of the callback: the NDIS_MINIPORT_TIMER or the timer object handle.</summary>
    public object Handle { get; }

    /// <summary>The adapter a fault in the callback stops (null: a driver-level timer with no adapter routine running at allocation).</summary>
    public NdisMiniportAdapter? Owner { get; private set; }

    /// <summary>True when the latest set was periodic.</summary>
    public bool IsPeriodic { get; private set; }

    /// <summary>True while armed (a snapshot).</summary>
    public bool IsQueued => _engineTimer.IsPending;

    /// <summary>True after a free (a snapshot).</summary>
    public bool IsFreed
    {
        get
        {
            using (HostLock.Enter(_gate))
            {
                return _freed;
            }
        }
    }

    private string TrackName => Owner?.Name ?? "driver";

    private TimerActivity Activity => Host.Diagnostics.TimerActivity.For(Kind, _function.Method.Name);

    /// <summary>NdisMInitializeTimer again on the same storage: rebinds the routine and context.</summary>
    public void Rebind(NDIS_TIMER_FUNCTION function, object? context, NdisMiniportAdapter? owner)
    {
        using (HostLock.Enter(_gate))
        {
            Host.Engine.Cancel(_engineTimer);
            _function = function;
            _defaultContext = context;
            _context = context;
            Owner = owner;
            _freed = false;
        }
    }

    /// <summary>Arms (or re-arms) the timer. Returns true if it was queued: the earlier arming is replaced.</summary>
    public bool Set(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds, object? functionContext)
    {
        var requestedDue = dueNanoseconds;
        var requestedPeriod = periodNanoseconds;
        if (Host.Options.WindowsClockTickMicroseconds is { } tick)
        {
            // Fidelity mode: expire on the Windows clock tick; a period becomes whole ticks, so every expiry stays on one.
            dueNanoseconds = WindowsClockTick.Quantize(dueNanoseconds, tick);
            periodNanoseconds = periodNanoseconds == 0 ? 0 : WindowsClockTick.Quantize(periodNanoseconds, tick);
        }

        using (HostLock.Enter(_gate))
        {
            (_requestedDue, _requestedPeriod, _engineDue, _enginePeriod) = (requestedDue, requestedPeriod, dueNanoseconds, periodNanoseconds);
            _context = functionContext ?? _defaultContext;
            IsPeriodic = periodNanoseconds > 0;
            Activity.CountArm();
            Host.Trace?.Arm(TrackName, Kind, _function.Method.Name, Host.Engine.NowNanoseconds, dueNanoseconds);
            return Host.Engine.Arm(_engineTimer, dueNanoseconds, toleranceNanoseconds, periodNanoseconds);
        }
    }

    /// <summary>Dequeues the timer. Returns true if it was queued. Does not wait for, or stop, an expiry already taken.</summary>
    public bool Cancel()
    {
        using (HostLock.Enter(_gate))
        {
            var wasQueued = Host.Engine.Cancel(_engineTimer);
            if (wasQueued)
            {
                Activity.CountCancel();
                Host.Trace?.Cancel(TrackName, Kind, _function.Method.Name, Host.Engine.NowNanoseconds);
            }

            return wasQueued;
        }
    }

    /// <summary>Frees the timer: cancels it, and at PASSIVE_LEVEL on another thread waits for a running callback.</summary>
    /// <returns>False when it was already freed.</returns>
    public bool Free()
    {
        using (HostLock.Enter(_gate))
        {
            if (_freed)
            {
                return false;
            }

            _freed = true;
            Host.Engine.Cancel(_engineTimer);
            if (IrqlState.Current == KIRQL.PASSIVE_LEVEL)
            {
                while (_running > 0 && !ReferenceEquals(_runningThread, Thread.CurrentThread))
                {
                    Monitor.Wait(_gate);
                }
            }

            return true;
        }
    }

    private void OnExpired(in TimerFiring firing) => Host.RunTimerCallback(this, firing);

    /// <summary>Runs the callback for one expiry, in DPC context (called by the host at DISPATCH_LEVEL).</summary>
    internal void Invoke(TimerFiring firing)
    {
        NDIS_TIMER_FUNCTION function;
        object? context;
        long requestedDue;
        using (HostLock.Enter(_gate))
        {
            if (_freed)
            {
                Activity.CountStale();
                return;
            }

            function = _function;
            context = _context;
            var expiry = _enginePeriod == 0 ? 0 : (firing.DueNanoseconds - _engineDue) / _enginePeriod;
            requestedDue = _requestedDue + (expiry * _requestedPeriod);
            _running++;
            _runningThread = Thread.CurrentThread;
        }

        var now = Host.Engine.NowNanoseconds;
        try
        {
            Host.Diagnostics.TimerActivity.For(Kind, function.Method.Name).CountFire(now - requestedDue);
            var systemTime = Host.SystemTime100ns(now);
            function(Handle, context, (uint)(systemTime & 0xFFFFFFFF), (uint)(systemTime >> 32));
        }
        finally
        {
            Host.Trace?.Callback(TrackName, Kind, function.Method.Name, requestedDue, now, Host.Engine.NowNanoseconds);
            using (HostLock.Enter(_gate))
            {
                _running--;
                _runningThread = null;
                Monitor.PulseAll(_gate);
            }
        }
    }
}
