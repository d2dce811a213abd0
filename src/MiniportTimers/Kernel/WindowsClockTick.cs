using MiniportTimers.Engine;

namespace MiniportTimers.Kernel;

/// <summary>
/// Windows timing fidelity: without high-resolution timers, Windows expires a timer at the first clock interrupt at or
/// after its due time. The clock ticks every 15.625 ms by default (64 Hz); timeBeginPeriod can raise the rate down to
/// 0.5 ms. Ticks count from engine time 0.
/// </summary>
internal static class WindowsClockTick
{
    /// <summary>The default Windows clock tick, µs (15.625 ms).</summary>
    public const long DefaultMicroseconds = KernelHostOptions.DefaultWindowsClockTickMicroseconds;

    /// <summary>The finest tick timeBeginPeriod allows, µs (0.5 ms).</summary>
    public const long MinimumMicroseconds = KernelHostOptions.MinimumWindowsClockTickMicroseconds;

    /// <summary>The first tick boundary at or after <paramref name="dueNanoseconds"/>, engine ns.</summary>
    /// <param name="dueNanoseconds">A due time, engine ns.</param>
    /// <param name="tickMicroseconds">The tick, µs.</param>
    public static long Quantize(long dueNanoseconds, long tickMicroseconds)
    {
        var tick = tickMicroseconds * TimeUnits.NanosecondsPerMicrosecond;
        var remainder = dueNanoseconds % tick;
        return remainder == 0 ? dueNanoseconds : Math.Min(TimerEngine.MaxTimeNanoseconds, dueNanoseconds - remainder + tick);
    }

    /// <summary>Validates a tick option: null (precise) or <see cref="MinimumMicroseconds"/> to 1 s.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of range.</exception>
    public static long? Validate(long? tickMicroseconds, string paramName)
    {
        if (tickMicroseconds is { } t && (t < MinimumMicroseconds || t > 1_000_000))
        {
            throw new ArgumentOutOfRangeException(paramName, t, "A Windows clock tick is 500 µs (timeBeginPeriod's finest) to 1 s; 15 625 µs by default.");
        }

        return tickMicroseconds;
    }
}
