namespace MiniportTimers.Diagnostics;

/// <summary>
/// What a host (Storport or NDIS) records about the miniport it runs: per-timer activity, bug checks and verifier
/// findings, in order. Thread-safe.
/// </summary>
public sealed class HostDiagnostics
{
    private readonly object _gate = new();
    private readonly List<BugCheckReport> _bugChecks = [];
    private readonly KeyedRecentLog<string, VerifierFinding> _findings;

    /// <summary>Creates an empty record keeping the 1 000 most recent findings of each rule.</summary>
    internal HostDiagnostics()
        : this(1_000)
    {
    }

    /// <summary>Creates an empty record keeping the <paramref name="recentFindingsPerRule"/> most recent findings of each rule.</summary>
    internal HostDiagnostics(int recentFindingsPerRule) => _findings = new(recentFindingsPerRule);

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

    /// <summary>
    /// Misuse noticed that is not a bug check, in order: the most recent ones of each rule
    /// (<see cref="Kernel.KernelHostOptions.RecentRecordsPerKind"/>); <see cref="FindingCount"/> counts them all.
    /// </summary>
    public IReadOnlyList<VerifierFinding> Findings => _findings.Snapshot();

    /// <summary>Every finding ever made, including those no longer kept in <see cref="Findings"/>.</summary>
    public long FindingCount => _findings.TotalCount;

    /// <summary>Every finding ever made under <paramref name="rule"/> (e.g. "TimerQueuedAtHalt").</summary>
    public long CountFindings(string rule) => _findings.Count(r => r == rule);

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
        _findings.Add(finding.Rule, finding);
    }
}
