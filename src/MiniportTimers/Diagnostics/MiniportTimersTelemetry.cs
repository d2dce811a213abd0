using System.Diagnostics.Metrics;
using MiniportTimers.Engine;

namespace MiniportTimers.Diagnostics;

/// <summary>
/// The process-wide counters, as a System.Diagnostics.Metrics <see cref="Meter"/> named "MiniportTimers" (and the
/// same figures through <see cref="MiniportTimersEventSource"/>). dotnet-counters reads both:
/// <c>dotnet-counters monitor -n miniport-timers --counters MiniportTimers</c>.
/// </summary>
/// <remarks>
/// Instruments: <c>miniport_timers.timers.pending</c> (gauge), <c>.arms</c>, <c>.fires</c>, <c>.cancels</c>,
/// <c>.coalesced_fires</c>, <c>miniport_timers.engine.wakeups</c> (observable counters summed over the live engines),
/// <c>miniport_timers.storport.busy_returns</c>, <c>miniport_timers.bug_checks</c> (counters), and
/// <c>miniport_timers.timers.lateness</c> (histogram, µs, tagged with the timer kind). Recording costs almost nothing
/// while nobody listens. Thread-safe.
/// </remarks>
public static class MiniportTimersTelemetry
{
    /// <summary>The meter's name (also the EventSource's).</summary>
    public const string Name = "MiniportTimers";

    private static readonly Meter Meter = new(Name, "1.0");

    private static readonly Counter<long> BusyReturns = Meter.CreateCounter<long>("miniport_timers.storport.busy_returns", "{return}", "STOR_STATUS_BUSY returned by StorPortRequestTimer");

    private static readonly Counter<long> BugChecks = Meter.CreateCounter<long>("miniport_timers.bug_checks", "{bugcheck}", "Bug checks raised by miniport code");

    private static readonly Histogram<double> Lateness = Meter.CreateHistogram<double>("miniport_timers.timers.lateness", "us", "Callback start minus due time");

    private static long s_busyTotal;
    private static long s_bugCheckTotal;

    static MiniportTimersTelemetry()
    {
        Meter.CreateObservableGauge("miniport_timers.timers.pending", static () => (long)EngineRegistry.Totals().Pending, "{timer}", "Timers pending on all engines");
        Meter.CreateObservableCounter("miniport_timers.timers.arms", static () => EngineRegistry.Totals().Arms, "{arm}", "Timer armings");
        Meter.CreateObservableCounter("miniport_timers.timers.fires", static () => EngineRegistry.Totals().Fires, "{fire}", "Timer expiries fired");
        Meter.CreateObservableCounter("miniport_timers.timers.cancels", static () => EngineRegistry.Totals().Cancels, "{cancel}", "Cancels of pending timers");
        Meter.CreateObservableCounter("miniport_timers.timers.coalesced_fires", static () => EngineRegistry.Totals().CoalescedFires, "{fire}", "Expiries that rode along with another wake-up");
        Meter.CreateObservableCounter("miniport_timers.engine.wakeups", static () => EngineRegistry.Totals().WakeUps, "{wakeup}", "Dispatcher wake-ups");
    }

    /// <summary>STOR_STATUS_BUSY returns so far, in this process.</summary>
    public static long BusyReturnsTotal => Interlocked.Read(ref s_busyTotal);

    /// <summary>Bug checks so far, in this process.</summary>
    public static long BugChecksTotal => Interlocked.Read(ref s_bugCheckTotal);

    internal static void RecordBusy()
    {
        Interlocked.Increment(ref s_busyTotal);
        BusyReturns.Add(1);
    }

    internal static void RecordBugCheck(uint code)
    {
        Interlocked.Increment(ref s_bugCheckTotal);
        BugChecks.Add(1, new KeyValuePair<string, object?>("code", $"0x{code:X}"));
    }

    internal static void RecordLateness(string kind, long latenessNanoseconds)
    {
        var microseconds = TimeUnits.NanosecondsToMicrosecondsExact(latenessNanoseconds);
        if (Lateness.Enabled)
        {
            Lateness.Record(microseconds, new KeyValuePair<string, object?>("kind", kind));
        }

        MiniportTimersEventSource.Log.Lateness(microseconds);
    }
}
