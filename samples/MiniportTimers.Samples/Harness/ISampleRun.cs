using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;

namespace MiniportTimers.Samples.Harness;

/// <summary>
/// One sample miniport in a run: it schedules its adapters and workload on a shared engine, is finished (adapters
/// removed or halted) outside the dispatcher when the run's time is up, and then reports.
/// </summary>
public interface ISampleRun
{
    /// <summary>The sample's name ("storahci", "nvme", "nvme-win7", "netvmini", "pcnet", "e100bex").</summary>
    string Name { get; }

    /// <summary>A trace recorder to attach to the sample's host; set before <see cref="Start"/>. Null records nothing.</summary>
    TraceRecorder? Trace { get; set; }

    /// <summary>Creates the host and schedules the adapters and the workload on <paramref name="workload"/>.</summary>
    void Start(TimerEngine engine, Workload workload, long durationNanoseconds);

    /// <summary>Removes or halts the adapters. Called once the run's time is up, never on a dispatch thread.</summary>
    void Finish();

    /// <summary>Timer activity, bug checks and findings of the sample's host.</summary>
    HostDiagnostics Diagnostics { get; }

    /// <summary>What the sample did, as ordered labelled counts for the report.</summary>
    IReadOnlyList<KeyValuePair<string, long>> Facts { get; }

    /// <summary>What went wrong that should not have (an invariant of the sample broken); empty when all is well.</summary>
    IReadOnlyList<string> InvariantFailures { get; }
}
