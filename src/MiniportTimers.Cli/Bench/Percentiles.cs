namespace MiniportTimers.Cli.Bench;

/// <summary>Nearest-rank percentiles of a sample set (µs).</summary>
internal sealed class Percentiles
{
    private readonly double[] _sorted;

    public Percentiles(IEnumerable<double> samples)
    {
        _sorted = [.. samples.Order()];
    }

    public int Count => _sorted.Length;

    public double[] Sorted => _sorted;

    public double At(double percentile)
    {
        if (_sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * _sorted.Length);
        return _sorted[Math.Clamp(rank - 1, 0, _sorted.Length - 1)];
    }

    public double Max => _sorted.Length == 0 ? double.NaN : _sorted[^1];

    public int Below(double value) => _sorted.Count(v => v < value);
}
