using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Diagnostics;

/// <summary>
/// Collects lateness samples (fire time minus due time, ns) and answers percentiles. Keeps every sample up to
/// <see cref="Capacity"/>, then a uniform reservoir of that size (Vitter's algorithm R with a fixed seed, so a run
/// on the virtual clock stays deterministic). Thread-safe.
/// </summary>
public sealed class LatenessRecorder
{
    /// <summary>Samples kept exactly before the reservoir starts replacing them.</summary>
    public const int Capacity = 1 << 20;

    private readonly object _gate = new();
    private readonly List<long> _samples = [];
    private readonly Random _reservoirRandom = new(12345);
    private long _count;
    private long _max = long.MinValue;
    private long _negative;

    /// <summary>Records one sample, ns. A negative value (an early fire) is counted in <see cref="EarlyCount"/>.</summary>
    public void Record(long latenessNanoseconds)
    {
        using (HostLock.Enter(_gate))
        {
            _count++;
            if (latenessNanoseconds < 0)
            {
                _negative++;
            }

            if (latenessNanoseconds > _max)
            {
                _max = latenessNanoseconds;
            }

            if (_samples.Count < Capacity)
            {
                _samples.Add(latenessNanoseconds);
            }
            else
            {
                var slot = _reservoirRandom.NextInt64(_count);
                if (slot < Capacity)
                {
                    _samples[(int)slot] = latenessNanoseconds;
                }
            }
        }
    }

    /// <summary>Samples recorded.</summary>
    public long Count
    {
        get
        {
            using (HostLock.Enter(_gate))
            {
                return _count;
            }
        }
    }

    /// <summary>Samples below zero: fires before their due time (must stay 0).</summary>
    public long EarlyCount
    {
        get
        {
            using (HostLock.Enter(_gate))
            {
                return _negative;
            }
        }
    }

    /// <summary>The largest sample, ns, or 0 when none.</summary>
    public long MaxNanoseconds
    {
        get
        {
            using (HostLock.Enter(_gate))
            {
                return _count == 0 ? 0 : _max;
            }
        }
    }

    /// <summary>The <paramref name="percentile"/>th percentile (0 to 100, nearest rank), ns, or 0 when there are no samples.</summary>
    public long PercentileNanoseconds(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        long[] sorted;
        using (HostLock.Enter(_gate))
        {
            if (_samples.Count == 0)
            {
                return 0;
            }

            sorted = [.. _samples];
        }

        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
