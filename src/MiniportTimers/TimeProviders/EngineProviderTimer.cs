using MiniportTimers.Engine;

namespace MiniportTimers.TimeProviders;

/// <summary>
/// The <see cref="ITimer"/> of an <see cref="EngineTimeProvider"/>: one engine timer. The engine references it only while
/// it is armed, so an idle timer nobody references is collected.
/// </summary>
/// <remarks>
/// Synchronization rules: <c>_gate</c> guards <c>_disposed</c> and every arm/cancel. An expiry handed to the thread pool
/// carries its arm sequence; if the timer was changed, cancelled or disposed before the work item runs, it is dropped.
/// A callback already running when Change or Dispose returns may still finish (as System.Threading.Timer's may).
/// </remarks>
internal sealed class EngineProviderTimer : ITimer
{
    /// <summary>The largest due time or period TimeProvider accepts, ms (0xFFFFFFFE).</summary>
    private const long MaxMilliseconds = 0xFFFFFFFE;

    private readonly object _gate = new();
    private readonly EngineTimeProvider _provider;
    private readonly EngineTimer _timer;
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private bool _disposed;

    public EngineProviderTimer(EngineTimeProvider provider, TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _provider = provider;
        _callback = callback;
        _state = state;
        _timer = provider.Engine.CreateTimer(static (t, in f) => ((EngineProviderTimer)t.State!).OnExpired(f.ArmSequence), this);
        Change(dueTime, period);
    }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        var due = ToNanoseconds(dueTime, nameof(dueTime));
        var every = ToNanoseconds(period, nameof(period));
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            if (due < 0)
            {
                _provider.Engine.Cancel(_timer); // infinite due time: disarmed
            }
            else
            {
                _provider.Engine.ArmAfter(_timer, due, 0, Math.Max(0, every)); // period 0 or infinite: one-shot
            }

            return true;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _provider.Engine.Cancel(_timer);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return default;
    }

    /// <summary>TimeSpan to ns; -1 for infinite. Range as System.Threading.Timer: 0 to 0xFFFFFFFE ms, or infinite.</summary>
    private static long ToNanoseconds(TimeSpan value, string paramName)
    {
        if (value == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        if (value < TimeSpan.Zero || value.TotalMilliseconds > MaxMilliseconds)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "Must be between 0 and 4294967294 ms, or Timeout.InfiniteTimeSpan.");
        }

        return value.Ticks * TimeUnits.NanosecondsPer100ns;
    }

    private void OnExpired(long armSequence)
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        if (_provider.RunCallbacksInline)
        {
            _callback(_state);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Timer.Invoke(s.Sequence), (Timer: this, Sequence: armSequence), preferLocal: false);
        }
    }

    /// <summary>Runs a queued expiry unless the timer was disposed, changed or cancelled since (its arm sequence moved on).</summary>
    private void Invoke(long armSequence)
    {
        if (!Volatile.Read(ref _disposed) && _timer.ArmSequence == armSequence)
        {
            _callback(_state);
        }
    }
}
