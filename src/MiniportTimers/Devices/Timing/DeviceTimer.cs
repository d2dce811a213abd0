using MiniportTimers.Engine;

namespace MiniportTimers.Devices.Timing;

/// <summary>
/// One of a device's own delays (a link coming up, a disk spinning up, a command's latency) as an engine timer on the
/// host's clock, guarded by the device's lock: the action runs under the lock, and an expiry that lost a race with a
/// cancel or a re-arm (the engine does not wait for an expiry already claimed, decision A3) is recognised by its due
/// time and dropped.
/// </summary>
/// <remarks>Thread safety: <see cref="ArmAfter"/>, <see cref="Cancel"/> and <see cref="IsArmed"/> are called with the device's lock held.</remarks>
internal sealed class DeviceTimer
{
    private readonly TimerEngine _engine;
    private readonly object _gate;
    private readonly Action _onFired;
    private readonly EngineTimer _timer;
    private long _armedDueNanoseconds = -1;

    /// <summary>Creates an idle timer whose <paramref name="onFired"/> runs under <paramref name="gate"/>.</summary>
    public DeviceTimer(TimerEngine engine, object gate, Action onFired)
    {
        _engine = engine;
        _gate = gate;
        _onFired = onFired;
        _timer = engine.CreateTimer(static (timer, in firing) => ((DeviceTimer)timer.State!).Fired(firing.DueNanoseconds), this);
    }

    /// <summary>True while an arming is pending (under the lock).</summary>
    public bool IsArmed => _armedDueNanoseconds >= 0;

    /// <summary>The due time of the pending arming in engine ns, or -1.</summary>
    public long DueNanoseconds => _armedDueNanoseconds;

    /// <summary>Arms the timer <paramref name="delayNanoseconds"/> (0 or more, saturating at the engine's maximum) from now, replacing a pending arming.</summary>
    public void ArmAfter(long delayNanoseconds)
    {
        var now = _engine.NowNanoseconds;
        var due = delayNanoseconds >= TimerEngine.MaxTimeNanoseconds - now ? TimerEngine.MaxTimeNanoseconds : now + Math.Max(0, delayNanoseconds);
        _armedDueNanoseconds = due;
        try
        {
            _engine.Arm(_timer, due);
        }
        catch (ObjectDisposedException)
        {
            _armedDueNanoseconds = -1; // the host's engine is gone: the device's clock has stopped
        }
    }

    /// <summary>Cancels a pending arming (an expiry already claimed is dropped when it takes the lock).</summary>
    public void Cancel()
    {
        _armedDueNanoseconds = -1;
        _engine.Cancel(_timer);
    }

    private void Fired(long dueNanoseconds)
    {
        lock (_gate)
        {
            if (_armedDueNanoseconds < 0 || dueNanoseconds != _armedDueNanoseconds)
            {
                return; // cancelled or re-armed after this expiry was claimed
            }

            _armedDueNanoseconds = -1;
            _onFired();
        }
    }
}
