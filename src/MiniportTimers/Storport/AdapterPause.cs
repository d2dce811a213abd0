using MiniportTimers.Engine;

namespace MiniportTimers.Storport;

/// <summary>
/// The pause state of one adapter (StorPortPause / StorPortResume): while paused, requests submitted to the adapter are
/// held instead of reaching HwStorStartIo; the pause ends at its timeout, through a timer, or at StorPortResume; the held
/// requests then go to HwStorStartIo in the order they came, from the dispatcher.
/// </summary>
/// <remarks>
/// <para>
/// Why held requests are delivered from a timer and not by StorPortResume itself: miniports resume from inside their
/// timer callback (the NVMe surprise-removal watchdog does), which holds the StartIo lock; delivering HwStorStartIo there
/// would take that lock a second time. Windows likewise restarts the adapter queue asynchronously.
/// </para>
/// <para>
/// Synchronization rules: <see cref="_gate"/> guards the fields below it and is never held while miniport code runs.
/// A timeout expiry racing a resume and a new pause finds a later deadline and does nothing:
/// <code>
///   dispatcher                       miniport
///   timeout fires (claimed)
///                                    StorPortResume()      -> not paused, drain armed
///                                    StorPortPause(10)     -> paused, deadline = now + 10 s
///   OnTimeout: now &lt; deadline -> keeps the new pause
/// </code>
/// </para>
/// </remarks>
internal sealed class AdapterPause
{
    private readonly StorportAdapter _adapter;
    private readonly EngineTimer _timeout;
    private readonly EngineTimer _drain;
    private readonly object _gate = new();

    // Guarded by _gate.
    private readonly Queue<SCSI_REQUEST_BLOCK> _held = new(); // invariant: requests keep their submission order
    private bool _paused;
    private bool _draining; // held requests are on their way to HwStorStartIo: new ones queue behind them
    private long _deadlineNanoseconds; // meaningful while _paused: when the pause ends by itself

    public AdapterPause(StorportAdapter adapter)
    {
        _adapter = adapter;
        var engine = adapter.Host.Engine;
        _timeout = engine.CreateTimer(static (timer, in _) => ((AdapterPause)timer.State!).OnTimeout(), this);
        _drain = engine.CreateTimer(static (timer, in _) => ((AdapterPause)timer.State!).Drain(), this);
    }

    public bool IsPaused
    {
        get
        {
            lock (_gate)
            {
                return _paused;
            }
        }
    }

    public int HeldCount
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>Pauses for <paramref name="timeoutSeconds"/> s from now; a pause already on gets the new deadline.</summary>
    public void Pause(uint timeoutSeconds)
    {
        var engine = _adapter.Host.Engine;
        // A timeout past the engine's range never comes: OFA nvmewin pauses with STOR_ALL_REQUESTS (0xFFFFFFFF s, about
        // 136 years) as its timeout when it finds its controller removed. The deadline is then the range's end.
        var deadline = Math.Min(TimerEngine.MaxTimeNanoseconds, checked(engine.NowNanoseconds + (timeoutSeconds * TimeUnits.NanosecondsPerSecond)));
        lock (_gate)
        {
            _paused = true;
            _deadlineNanoseconds = deadline;
        }

        engine.Arm(_timeout, deadline);
    }

    /// <summary>Ends a pause, if one is on, and schedules delivery of the held requests.</summary>
    public void Resume()
    {
        lock (_gate)
        {
            _paused = false;
            _draining = _held.Count > 0;
        }

        var engine = _adapter.Host.Engine;
        engine.Cancel(_timeout);
        engine.Arm(_drain, engine.NowNanoseconds);
    }

    /// <summary>Holds <paramref name="srb"/> if the adapter is paused or earlier requests are still held.</summary>
    /// <returns>True if held (the caller must not deliver it).</returns>
    public bool TryHold(SCSI_REQUEST_BLOCK srb)
    {
        lock (_gate)
        {
            if (!_paused && !_draining)
            {
                return false;
            }

            _held.Enqueue(srb);
            return true;
        }
    }

    /// <summary>Drops the held requests and the timers (the adapter is going away).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _paused = false;
            _draining = false;
            _held.Clear();
        }

        _adapter.Host.Engine.Cancel(_timeout);
        _adapter.Host.Engine.Cancel(_drain);
    }

    private void OnTimeout()
    {
        lock (_gate)
        {
            if (!_paused || _adapter.Host.Engine.NowNanoseconds < _deadlineNanoseconds)
            {
                return; // resumed meanwhile, or paused again with a later deadline
            }
        }

        Resume();
    }

    private void Drain()
    {
        while (true)
        {
            SCSI_REQUEST_BLOCK srb;
            lock (_gate)
            {
                if (_paused)
                {
                    return; // paused again: the next resume drains the rest
                }

                if (!_held.TryDequeue(out srb!))
                {
                    _draining = false;
                    return;
                }
            }

            _adapter.DeliverRequest(srb); // outside the gate: this runs HwStorStartIo
        }
    }
}
