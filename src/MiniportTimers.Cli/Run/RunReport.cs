using System.Text.Json;
using System.Text.Json.Serialization;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Storahci;
using MiniportTimers.Storport;

namespace MiniportTimers.Cli.Run;

/// <summary>The report of one <c>run</c>, as printed and as written to JSON. Lateness is in µs.</summary>
internal sealed record RunReport(
    string Clock,
    string WaitPrimitive,
    int Seed,
    int Adapters,
    int PortsPerAdapter,
    long DurationMilliseconds,
    IReadOnlyList<TimerRow> Timers,
    IReadOnlyList<PortReport> Ports,
    int PortsStarted,
    int PortsFailed,
    int PortsEmpty,
    IoSummary Io,
    StorahciTotals Driver,
    EngineStatistics Engine,
    IReadOnlyList<BugCheckRow> BugChecks,
    IReadOnlyList<FindingRow> Findings,
    IReadOnlyList<string> InvariantFailures)
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static RunReport From(StorahciResult result, TimerEngine engine, StorahciScenario scenario)
    {
        var host = result.Host;
        var timers = result.Timers.Select(r => new TimerRow(
            r.Kind,
            r.Callback,
            r.Arms,
            r.Fires,
            r.Cancels,
            r.Busy,
            r.StaleSkipped,
            Micro(r.Lateness.PercentileNanoseconds(50)),
            Micro(r.Lateness.PercentileNanoseconds(99)),
            Micro(r.Lateness.MaxNanoseconds))).ToList();
        var requests = host.RequestActivity;
        var io = new IoSummary(
            requests.Submitted,
            requests.Completed,
            requests.CompletedIn(MiniportRoutine.HwStartIo),
            requests.CompletedIn(MiniportRoutine.HwInterrupt),
            requests.CompletedIn(MiniportRoutine.TimerCallback));

        var failures = new List<string>();
        if (!result.Completed)
        {
            failures.Add("the run did not reach its end in time");
        }

        var early = result.Timers.Sum(r => r.Lateness.EarlyCount);
        if (early > 0)
        {
            failures.Add($"{early} callbacks ran before their due time");
        }

        var stats = engine.Statistics;
        if (stats.CallbackFaults > 0)
        {
            failures.Add($"{stats.CallbackFaults} engine callbacks threw outside any miniport routine");
        }

        if (io.Completed != io.Submitted)
        {
            failures.Add($"{io.Submitted - io.Completed} requests were never completed");
        }

        return new RunReport(
            engine.IsVirtual ? "virtual" : "real",
            engine is RealTimeTimerEngine real ? real.WaitPrimitive : "virtual",
            scenario.Seed,
            scenario.Adapters,
            scenario.PortsPerAdapter,
            scenario.DurationMilliseconds,
            timers,
            result.Ports,
            result.PortsStarted,
            result.PortsFailed,
            result.PortsEmpty,
            io,
            result.Counters,
            stats,
            [.. host.BugChecks.Select(b => new BugCheckRow(b.Adapter, b.Routine, $"0x{b.BugCheck.Code:X}", b.BugCheck.CodeName, b.BugCheck.Detail))],
            [.. host.Findings.Select(f => new FindingRow(f.Adapter, f.Rule, f.Detail))],
            failures);
    }

    private static double Micro(long nanoseconds) => Math.Round(TimeUnits.NanosecondsToMicrosecondsExact(nanoseconds), 1);
}

/// <summary>One timer kind and callback: what it did and how late it ran (µs).</summary>
internal sealed record TimerRow(string Kind, string Callback, long Arms, long Fires, long Cancels, long Busy, long Stale, double LatenessP50Microseconds, double LatenessP99Microseconds, double LatenessMaxMicroseconds);

/// <summary>Requests and where the miniport completed them.</summary>
internal sealed record IoSummary(long Submitted, long Completed, long CompletedInStartIo, long CompletedInInterrupt, long CompletedInTimerCallback);

/// <summary>A bug check, for the report.</summary>
internal sealed record BugCheckRow(string Adapter, string Routine, string Code, string Name, string Detail);

/// <summary>A verifier finding, for the report.</summary>
internal sealed record FindingRow(string Adapter, string Rule, string Detail);
