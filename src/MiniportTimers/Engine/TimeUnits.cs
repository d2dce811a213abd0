namespace MiniportTimers.Engine;

/// <summary>
/// The one place where the DDI units (µs, ms, 100 ns) become engine nanoseconds. Every conversion is checked:
/// a value whose nanosecond form does not fit in <see cref="TimerEngine.MaxTimeNanoseconds"/> is reported, never wrapped.
/// </summary>
public static class TimeUnits
{
    /// <summary>Nanoseconds in one microsecond.</summary>
    public const long NanosecondsPerMicrosecond = 1_000;

    /// <summary>Nanoseconds in one millisecond.</summary>
    public const long NanosecondsPerMillisecond = 1_000_000;

    /// <summary>Nanoseconds in one 100 ns KTIMER unit.</summary>
    public const long NanosecondsPer100ns = 100;

    /// <summary>Nanoseconds in one second.</summary>
    public const long NanosecondsPerSecond = 1_000_000_000;

    /// <summary>Converts microseconds to nanoseconds, or returns false when the result would exceed <see cref="TimerEngine.MaxTimeNanoseconds"/>.</summary>
    /// <param name="microseconds">A duration in µs, any <see cref="ulong"/>.</param>
    /// <param name="nanoseconds">The duration in ns, or 0 when the conversion fails.</param>
    public static bool TryMicrosecondsToNanoseconds(ulong microseconds, out long nanoseconds)
    {
        // µs → ns is ×1000; anything above MaxTime/1000 µs cannot be represented on the engine's clock.
        if (microseconds > (ulong)(TimerEngine.MaxTimeNanoseconds / NanosecondsPerMicrosecond))
        {
            nanoseconds = 0;
            return false;
        }

        nanoseconds = checked((long)microseconds * NanosecondsPerMicrosecond);
        return true;
    }

    /// <summary>Converts nanoseconds to fractional microseconds, for reports.</summary>
    public static double NanosecondsToMicrosecondsExact(long nanoseconds) => nanoseconds / (double)NanosecondsPerMicrosecond;
}
