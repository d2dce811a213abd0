using HdrHistogram;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Diagnostics;

/// <summary>
/// Collects lateness samples (fire time minus due time, ns) and answers percentiles, in constant memory: an HdrHistogram
/// from 1 ns to one hour with three significant digits (a percentile is exact to 0.1 %; about 200 KiB per recorder
/// whatever the number of samples, where keeping every sample grew without bound over a long run). The count, the early
/// count and the maximum are exact. Deterministic: the same samples give the same answers. Thread-safe.
/// </summary>
public sealed class LatenessRecorder
{
    /// <summary>The largest lateness the histogram resolves, ns (one hour); a larger sample is counted at this value, and
    /// <see cref="MaxNanoseconds"/> still reports it exactly.</summary>
    public const long HighestTrackableNanoseconds = 3_600L * 1_000_000_000;

    private readonly object _gate = new();
    private readonly LongHistogram _histogram = new(HighestTrackableNanoseconds, 3);
    private long _count;
    private long _max = long.MinValue;
    private long _negative;

    /// <summary>Records one sample, ns. A negative value (an early fire) is counted in <see cref="EarlyCount"/> and enters
    /// the percentiles as 0.</summary>
    internal void Record(long latenessNanoseconds)
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

            _histogram.RecordValue(Math.Clamp(latenessNanoseconds, 0, HighestTrackableNanoseconds));
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

    /// <summary>
    /// The <paramref name="percentile"/>th percentile (0 to 100), ns, or 0 when there are no samples: the histogram's
    /// value at that percentile (within 0.1 % of the sample there), never above <see cref="MaxNanoseconds"/>.
    /// </summary>
    public long PercentileNanoseconds(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        using (HostLock.Enter(_gate))
        {
            return _count == 0 ? 0 : Math.Min(_histogram.GetValueAtPercentile(percentile), Math.Max(0, _max));
        }
    }
}
