using HdrHistogram;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// One series' lateness samples in an HdrHistogram (1 ns to one hour, three significant digits: a percentile within
/// 0.1 % of the sample there, in constant memory, a query in microseconds) plus what a histogram does not keep: the
/// exact maximum and the count of early fires (negative lateness, recorded as 0 in the histogram and counted apart).
/// Writes the standard <c>.hgrm</c> percentile distribution the HdrHistogram plotters read.
/// </summary>
internal sealed class LatenessHistogram
{
    private const long HighestTrackableNanoseconds = 3_600L * 1_000_000_000;
    private readonly LongHistogram _histogram = new(HighestTrackableNanoseconds, 3);
    private double _maxMicroseconds = double.NaN;

    /// <summary>Records <paramref name="microseconds"/> (fire time minus due time, µs).</summary>
    public LatenessHistogram(IEnumerable<double> microseconds)
    {
        foreach (var us in microseconds)
        {
            Count++;
            if (us < 0)
            {
                Early++;
            }

            _maxMicroseconds = double.IsNaN(_maxMicroseconds) ? us : Math.Max(_maxMicroseconds, us);
            _histogram.RecordValue(Math.Clamp((long)Math.Round(us * 1_000), 0, HighestTrackableNanoseconds));
        }
    }

    public int Count { get; }

    /// <summary>Samples below zero: fires before their due time.</summary>
    public int Early { get; }

    /// <summary>The exact largest sample, µs (NaN when none).</summary>
    public double Max => _maxMicroseconds;

    /// <summary>The <paramref name="percentile"/>th percentile, µs (NaN when none), never above <see cref="Max"/>.</summary>
    public double At(double percentile) =>
        Count == 0 ? double.NaN : Math.Min(_histogram.GetValueAtPercentile(percentile) / 1_000.0, Math.Max(0, Max));

    /// <summary>The percentile spectrum: (percentile 0-100, lateness µs) at HdrHistogram's usual steps (5 per halving of the remainder).</summary>
    public IReadOnlyList<(double Percentile, double Microseconds)> Spectrum() =>
        Count == 0 ? [] : [.. _histogram.Percentiles(5).Select(v => (v.PercentileLevelIteratedTo, v.ValueIteratedTo / 1_000.0))];

    /// <summary>Writes the percentile distribution in HdrHistogram's text format (.hgrm), values in µs.</summary>
    public void WriteHgrm(TextWriter output) => _histogram.OutputPercentileDistribution(output, 5, 1_000.0, false);
}
