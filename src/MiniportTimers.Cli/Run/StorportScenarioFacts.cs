using MiniportTimers.Storport;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// The report's lines for a native Storport driver's scenarios (one per adapter, all on the same kind of device): the
/// units enumerated, the checked I/O, Storport's retries, the device's own lines (<see cref="StorportScenarioDevice.Facts"/>),
/// and the legacy timer's replaced requests. The timer rows themselves come from the host's timer activity as for
/// every run.
/// </summary>
internal static class StorportScenarioFacts
{
    /// <summary>
    /// The report's label for the requests of StorPortNotification(RequestTimerCall) that replaced one still pending:
    /// the adapter has one legacy timer, so when two routines share it (nvmewin's Windows 7 build: the start state
    /// machine and the removal poll), this counts the times the last request won.
    /// </summary>
    public const string LegacyReplacedLabel = "legacy timer requests that replaced a pending one";

    /// <summary>The facts, in report order.</summary>
    public static IEnumerable<KeyValuePair<string, long>> Of(IReadOnlyList<StorportDriverScenario> scenarios, StorportHost? host)
    {
        if (scenarios.Count == 0)
        {
            yield break;
        }

        yield return new("units enumerated", scenarios.Sum(s => s.Units.Count));
        for (var i = 0; i < scenarios.Count; i++)
        {
            var prefix = scenarios.Count == 1 ? string.Empty : $"adapter {i} ";
            foreach (var (bus, identity, sectors) in scenarios[i].Units)
            {
                yield return new($"{prefix}bus {bus}: {identity}, sectors", sectors);
            }

            foreach (var (bus, status) in scenarios[i].EmptyBuses)
            {
                yield return new($"{prefix}bus {bus}: empty, SRB status", status);
            }
        }

        yield return new("buses empty", scenarios.Sum(s => s.EmptyBuses.Count));
        yield return new("INQUIRY answered", scenarios.Sum(s => s.Inquiries));
        yield return new("READ CAPACITY answered", scenarios.Sum(s => s.CapacitiesRead));
        yield return new("reads checked", scenarios.Sum(s => s.Reads));
        yield return new("writes checked", scenarios.Sum(s => s.Writes));
        yield return new("data mismatches", scenarios.Sum(s => s.DataMismatches));
        yield return new($"SYNCHRONIZE CACHE as {scenarios[0].Device.FlushCommandName}", scenarios.Sum(s => s.Flushes));
        yield return new("BUSY retries", scenarios.Sum(s => s.BusyRetries));
        yield return new("enumeration retries", scenarios.Sum(s => s.EnumerationRetriesDone));
        yield return new("rescans (StorPortStateChangeDetected)", scenarios.Sum(s => s.Rescans));
        foreach (var fact in scenarios[0].Device.Facts(scenarios))
        {
            yield return fact;
        }

        yield return new(LegacyReplacedLabel, host?.TimerActivity.Rows.Where(r => r.Kind == "RequestTimerCall").Sum(r => r.Replaced) ?? 0);
        yield return new("requests completed", host?.RequestActivity.Completed ?? 0);
    }
}
