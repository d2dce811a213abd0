namespace MiniportTimers.Engine.Waiting;

/// <summary>
/// The portable fallback: Monitor.Wait with the remaining time rounded up to whole milliseconds. Never early (the
/// dispatcher re-reads the clock after every wake), but only as precise as the OS's millisecond timer.
/// </summary>
internal sealed class MonitorWaiter : IDeadlineWaiter
{
    private readonly object _gate = new();
    private readonly Func<long> _now;
    private long _deadline = long.MaxValue;
    private long _changes;

    public MonitorWaiter(Func<long> now) => _now = now;

    public string Name => "monitor";

    public void SetDeadline(long deadlineNanoseconds)
    {
        lock (_gate)
        {
            _deadline = deadlineNanoseconds;
            _changes++;
            Monitor.PulseAll(_gate);
        }
    }

    public void Wait()
    {
        lock (_gate)
        {
            var seen = _changes;
            while (seen == _changes)
            {
                if (_deadline == long.MaxValue)
                {
                    Monitor.Wait(_gate);
                    continue;
                }

                var remaining = _deadline - _now();
                if (remaining <= 0)
                {
                    return;
                }

                // Round up so the wait never ends before the deadline for lack of precision.
                var ms = (int)Math.Min(int.MaxValue, (remaining + TimeUnits.NanosecondsPerMillisecond - 1) / TimeUnits.NanosecondsPerMillisecond);
                Monitor.Wait(_gate, ms);
            }
        }
    }

    public void Dispose()
    {
    }
}
