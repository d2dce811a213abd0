using MiniportTimers.Engine;

namespace MiniportTimers.Kernel;

/// <summary>
/// The KTIMER due-time convention shared by KeSetTimerEx, ExSetTimer and NdisSetTimerObject: 100 ns units, negative =
/// relative to now, zero or positive = absolute system time (100 ns since 1601), converted to engine time in one place.
/// </summary>
internal static class KernelTime
{
    /// <summary>The system time at engine time 0 by default (<see cref="KernelHostOptions.DefaultSystemTimeAtEngineZero100ns"/>).</summary>
    public const long DefaultSystemTimeAtEngineZero100ns = KernelHostOptions.DefaultSystemTimeAtEngineZero100ns;

    private const long Max100ns = TimerEngine.MaxTimeNanoseconds / TimeUnits.NanosecondsPer100ns;

    /// <summary>System time (100 ns since 1601) at engine time <paramref name="engineNanoseconds"/>.</summary>
    public static long SystemTime100ns(long engineNanoseconds, long systemTimeAtEngineZero100ns) =>
        systemTimeAtEngineZero100ns + (engineNanoseconds / TimeUnits.NanosecondsPer100ns);

    /// <summary>
    /// A KTIMER due time as an absolute engine time, ns. A time already past is "now": it fires at the next dispatch
    /// (decision A15) and its lateness counts from the call.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The due time is beyond the engine's range (named <paramref name="paramName"/>).</exception>
    public static long AbsoluteDue(TimerEngine engine, long dueTime100ns, long systemTimeAtEngineZero100ns, string paramName)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var now = engine.NowNanoseconds;
        if (dueTime100ns < 0)
        {
            if (dueTime100ns < -Max100ns)
            {
                throw new ArgumentOutOfRangeException(paramName, dueTime100ns, "The relative due time is beyond the engine's range.");
            }

            return Math.Min(TimerEngine.MaxTimeNanoseconds, now + (-dueTime100ns * TimeUnits.NanosecondsPer100ns));
        }

        var sinceEngineZero = dueTime100ns - systemTimeAtEngineZero100ns;
        if (sinceEngineZero <= 0)
        {
            return now;
        }

        if (sinceEngineZero > Max100ns)
        {
            throw new ArgumentOutOfRangeException(paramName, dueTime100ns, "The absolute due time is beyond the engine's range.");
        }

        return Math.Max(now, sinceEngineZero * TimeUnits.NanosecondsPer100ns);
    }
}
