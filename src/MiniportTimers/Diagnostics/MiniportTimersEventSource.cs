using System.Diagnostics.Tracing;
using MiniportTimers.Engine;

namespace MiniportTimers.Diagnostics;

/// <summary>
/// The EventSource "MiniportTimers": EventCounters for dotnet-counters and EventListener (timers-pending, arms, fires,
/// cancels, coalesced-fires, wakeups, busy-returns, bug-checks as totals; arm-rate and fire-rate per interval; and
/// lateness-us, the mean/min/max of callback lateness per interval). Counters exist only while a listener is enabled.
/// </summary>
[EventSource(Name = MiniportTimersTelemetry.Name)]
public sealed class MiniportTimersEventSource : EventSource
{
    /// <summary>The one instance.</summary>
    public static readonly MiniportTimersEventSource Log = new();

    private readonly List<DiagnosticCounter> _counters = [];
    private EventCounter? _lateness;

    private MiniportTimersEventSource()
    {
    }

    /// <summary>Records one lateness sample, µs (cheap no-op while no listener enabled the counters).</summary>
    [NonEvent]
    public void Lateness(double microseconds) => _lateness?.WriteMetric(microseconds);

    /// <inheritdoc />
    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        if (command.Command != EventCommand.Enable || _counters.Count > 0)
        {
            return;
        }

        _lateness = new EventCounter("lateness-us", this) { DisplayName = "Timer callback lateness", DisplayUnits = "us" };
        _counters.Add(_lateness);
        _counters.Add(new PollingCounter("timers-pending", this, static () => EngineRegistry.Totals().Pending) { DisplayName = "Timers pending" });
        _counters.Add(new PollingCounter("arms", this, static () => EngineRegistry.Totals().Arms) { DisplayName = "Timer armings (total)" });
        _counters.Add(new PollingCounter("fires", this, static () => EngineRegistry.Totals().Fires) { DisplayName = "Timer expiries (total)" });
        _counters.Add(new PollingCounter("cancels", this, static () => EngineRegistry.Totals().Cancels) { DisplayName = "Cancels (total)" });
        _counters.Add(new PollingCounter("coalesced-fires", this, static () => EngineRegistry.Totals().CoalescedFires) { DisplayName = "Coalesced expiries (total)" });
        _counters.Add(new PollingCounter("wakeups", this, static () => EngineRegistry.Totals().WakeUps) { DisplayName = "Dispatcher wake-ups (total)" });
        _counters.Add(new PollingCounter("busy-returns", this, static () => MiniportTimersTelemetry.BusyReturnsTotal) { DisplayName = "STOR_STATUS_BUSY returns (total)" });
        _counters.Add(new PollingCounter("bug-checks", this, static () => MiniportTimersTelemetry.BugChecksTotal) { DisplayName = "Bug checks (total)" });
        _counters.Add(new IncrementingPollingCounter("arm-rate", this, static () => EngineRegistry.Totals().Arms) { DisplayName = "Timer armings", DisplayRateTimeScale = TimeSpan.FromSeconds(1) });
        _counters.Add(new IncrementingPollingCounter("fire-rate", this, static () => EngineRegistry.Totals().Fires) { DisplayName = "Timer expiries", DisplayRateTimeScale = TimeSpan.FromSeconds(1) });
    }
}
