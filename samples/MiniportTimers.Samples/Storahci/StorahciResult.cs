using MiniportTimers.Diagnostics;
using MiniportTimers.Storport;

namespace MiniportTimers.Samples.Storahci;

/// <summary>What a storahci run produced: the host (timer rows, requests, bug checks, findings) and the driver's own view.</summary>
/// <param name="Host">The host the run used.</param>
/// <param name="Ports">Every port's final state.</param>
/// <param name="Counters">The driver's counters, summed over adapters.</param>
/// <param name="Completed">True when the run reached its end (all adapters removed) in time.</param>
public sealed record StorahciResult(StorportHost Host, IReadOnlyList<PortReport> Ports, StorahciTotals Counters, bool Completed)
{
    /// <summary>Ports that ended running.</summary>
    public int PortsStarted => Ports.Count(p => p.Outcome == PortOutcome.Running);

    /// <summary>Ports that gave up.</summary>
    public int PortsFailed => Ports.Count(p => p.Outcome == PortOutcome.Failed);

    /// <summary>Ports with nothing attached.</summary>
    public int PortsEmpty => Ports.Count(p => p.Outcome == PortOutcome.NoDevice);

    /// <summary>Timer rows of the host.</summary>
    public IReadOnlyList<TimerActivity> Timers => Host.TimerActivity.Rows;
}

/// <summary>The driver counters of every adapter, added up.</summary>
public sealed record StorahciTotals(long Slumbers, long LpmRequests, long UnexpectedBusy, long BusChangeRetries, long BusChangeDone, long BusChangeTimerInits, long PowerDowns, long Resets, long StaleCallbacks, long Stalls)
{
    internal static StorahciTotals Sum(IEnumerable<StorahciCounters> all)
    {
        var list = all.ToList();
        return new StorahciTotals(
            list.Sum(c => c.Slumbers), list.Sum(c => c.LpmRequests), list.Sum(c => c.UnexpectedBusy), list.Sum(c => c.BusChangeRetries),
            list.Sum(c => c.BusChangeDone), list.Sum(c => c.BusChangeTimerInits), list.Sum(c => c.PowerDowns), list.Sum(c => c.Resets),
            list.Sum(c => c.StaleCallbacks), list.Sum(c => c.Stalls));
    }
}
