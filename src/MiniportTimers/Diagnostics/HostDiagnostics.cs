namespace MiniportTimers.Diagnostics;

/// <summary>
/// What a host (Storport or NDIS) records about the miniport it runs: per-timer activity, bug checks and verifier
/// findings, in order. Thread-safe.
/// </summary>
public sealed class HostDiagnostics
{
    private readonly object _gate = new();
    private readonly List<BugCheckReport> _bugChecks = [];
    private readonly List<VerifierFinding> _findings = [];

    /// <summary>Per timer kind and callback: arms, fires, cancels, BUSY returns, lateness.</summary>
    public TimerActivityTable TimerActivity { get; } = new();

    /// <summary>Every bug check raised by miniport code, in order.</summary>
    public IReadOnlyList<BugCheckReport> BugChecks
    {
        get
        {
            lock (_gate)
            {
                return [.. _bugChecks];
            }
        }
    }

    /// <summary>Misuse noticed that is not a bug check, in order.</summary>
    public IReadOnlyList<VerifierFinding> Findings
    {
        get
        {
            lock (_gate)
            {
                return [.. _findings];
            }
        }
    }

    internal void Add(BugCheckReport report)
    {
        lock (_gate)
        {
            _bugChecks.Add(report);
        }

        MiniportTimersTelemetry.RecordBugCheck(report.BugCheck.Code);
    }

    internal void Add(VerifierFinding finding)
    {
        lock (_gate)
        {
            _findings.Add(finding);
        }
    }
}
