using System.Runtime;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// The garbage collections of a real-clock run's measured part, and how they are held off (issue 27). The samples'
/// workloads allocate about 10 MiB per second of run (I/O requests, buffers, records), which on a 2-core VM meant a
/// collection every half second and pauses of 1-7 ms on the dispatcher. The run holds them off in two layers: the
/// latency mode <see cref="GCLatencyMode.SustainedLowLatency"/> (no blocking full collection), and inside it a no-GC
/// region (<see cref="GC.TryStartNoGCRegion(long)"/>) of <see cref="NoGcRegionBytes"/> that covers an 11 s run: no
/// collection at all. A longer run that allocates past the budget ends the region with one collection and goes on under
/// SustainedLowLatency. Both are undone after the run. The report prints what happened: the collections by generation,
/// their pause time and the bytes allocated.
/// </summary>
internal sealed class RunCollections : IDisposable
{
    private readonly GCLatencyMode _previousMode;
    private readonly int _gen0;
    private readonly int _gen1;
    private readonly int _gen2;
    private readonly TimeSpan _pause;
    private readonly long _allocated;
    private readonly ProcessPageFaults? _pageFaults;
    private bool _disposed;

    // The run that holds the process's GC settings, or null; written under s_ownerGate. Invariant: at most one live
    // RunCollections has OwnsSettings, and only it changes the latency mode or starts or ends a no-GC region.
    private static readonly object s_ownerGate = new();
    private static RunCollections? s_owner;

    private RunCollections()
    {
        // The settings are the process's: one run at a time holds them (another run in the process, a library user's or a
        // parallel test's, only counts). Setting the latency mode while another run's no-GC region is in progress throws
        // InvalidOperationException: before this gate, that failed the second run (exit code 1).
        lock (s_ownerGate)
        {
            if (s_owner is null && GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) // a region of the host's own: left alone
            {
                s_owner = this;
                OwnsSettings = true;
                _previousMode = GCSettings.LatencyMode;
                GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
                foreach (var budget in (long[])[NoGcRegionBytes, NoGcRegionBytes / 4])
                {
                    try
                    {
                        NoGcRegionBudgetBytes = GC.TryStartNoGCRegion(budget) ? budget : 0;
                        break;
                    }
                    catch (ArgumentOutOfRangeException)
                    {
                        // more than this runtime's no-GC region may hold: try the smaller budget
                    }
                    catch (InvalidOperationException)
                    {
                        break; // a region started outside these runs (the host's own code): SustainedLowLatency alone
                    }
                }
            }

            Mode = NoGcRegionBudgetBytes > 0 ? GCLatencyMode.NoGCRegion : GCSettings.LatencyMode;
        }

        _gen0 = GC.CollectionCount(0);
        _gen1 = GC.CollectionCount(1);
        _gen2 = GC.CollectionCount(2);
        _pause = GC.GetTotalPauseDuration();
        _allocated = GC.GetTotalAllocatedBytes();
        _pageFaults = ProcessPageFaults.Read();
    }

    /// <summary>The budget of the no-GC region asked for, bytes: an 11 s run allocates about 110-155 MiB.</summary>
    public const long NoGcRegionBytes = 256L * 1024 * 1024;

    /// <summary>
    /// The gen0 budget the measured child process asks the GC for (<c>DOTNET_GCgen0size</c>, hexadecimal, set by
    /// <see cref="UntieredRun"/>): 128 MiB, the most the GC takes (GCGen0MaxBudget stays at 128 MiB for larger values).
    /// A page's first touch is a page fault, and on the 2-core VM a costly one (a C loop over fresh anonymous memory:
    /// 9.7 µs a 4 KiB page, 28 ns touched again). With the default budget (6 MiB here) the collections before the run
    /// gave the heap's memory back, and the no-GC region's allocations, about 150 MiB in an 11 s run, faulted on fresh
    /// pages: about 15,000 page faults during the run, 13,000 of them on the dispatcher thread (the GC clearing fresh
    /// memory for callbacks' allocations; <c>perf record -e page-faults</c>). With this budget the memory the
    /// rehearsal touched stays with gen0 and the region allocates from it: about 3,400 (issue 27, session eighteen).
    /// </summary>
    public const string ChildGen0SizeHex = "0x8000000";

    /// <summary>The latency mode the measured part started under (NoGCRegion, or SustainedLowLatency when the region was refused).</summary>
    public GCLatencyMode Mode { get; }

    /// <summary>True when this run set the process's GC settings (and restores them on <see cref="Dispose"/>); false when
    /// another run in the same process held them already (or the host's own no-GC region was in progress): this one then
    /// only counts, under those settings.</summary>
    public bool OwnsSettings { get; }

    /// <summary>The no-GC region's budget, bytes; 0 when the runtime refused one.</summary>
    public long NoGcRegionBudgetBytes { get; }

    /// <summary>Holds collections off and starts counting; dispose to restore the mode.</summary>
    public static RunCollections Start() => new();

    /// <summary>The collections since <see cref="Start"/>.</summary>
    public CollectionsReport Finish()
    {
        // CollectionCount(n) counts the collections of generation n or higher.
        var gen2 = GC.CollectionCount(2) - _gen2;
        var gen1 = GC.CollectionCount(1) - _gen1 - gen2;
        var gen0 = GC.CollectionCount(0) - _gen0 - gen1 - gen2;
        var heldToTheEnd = GCSettings.LatencyMode == GCLatencyMode.NoGCRegion;
        var mode = !OwnsSettings ? $"{Mode}, set by another run or the host in this process"
            : NoGcRegionBudgetBytes == 0 ? Mode.ToString()
            : heldToTheEnd ? $"NoGCRegion of {NoGcRegionBudgetBytes / 1_048_576} MiB"
            : $"NoGCRegion of {NoGcRegionBudgetBytes / 1_048_576} MiB until it ran out, then {GCSettings.LatencyMode}";
        var faults = ProcessPageFaults.Read() is { } now && _pageFaults is { } start ? new ProcessPageFaults(now.Minor - start.Minor, now.Major - start.Major) : (ProcessPageFaults?)null;
        return new CollectionsReport(
            mode,
            gen0,
            gen1,
            gen2,
            Math.Round((GC.GetTotalPauseDuration() - _pause).TotalMilliseconds, 2),
            GC.GetTotalAllocatedBytes() - _allocated,
            faults?.Minor,
            faults?.Major);
    }

    /// <summary>Restores the latency mode the process had, when this run set it (<see cref="OwnsSettings"/>).</summary>
    public void Dispose()
    {
        lock (s_ownerGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (!OwnsSettings)
            {
                return;
            }

            s_owner = null;
            if (NoGcRegionBudgetBytes > 0 && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                try
                {
                    GC.EndNoGCRegion();
                }
                catch (InvalidOperationException)
                {
                    // the budget ran out (or a collection was induced) between the check and the call: the region is over
                }
            }

            if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion)
            {
                GCSettings.LatencyMode = _previousMode; // a region started since (the host's own) is left as it is
            }
        }
    }
}

/// <summary>The garbage collections during a real-clock run's measured part (null on the virtual clock, whose report is byte-for-byte repeatable).</summary>
/// <param name="LatencyMode">How collections were held off: "NoGCRegion of 256 MiB" (none at all), with "until it ran out, then SustainedLowLatency" when the run allocated past it, or "SustainedLowLatency" (no blocking full collection) when the region was refused; ", set by another run or the host in this process" when a concurrent run (or the host's own no-GC region) held the settings.</param>
/// <param name="Gen0">Collections of generation 0 only.</param>
/// <param name="Gen1">Collections of generation 1 (and 0).</param>
/// <param name="Gen2">Full collections (background or blocking).</param>
/// <param name="PauseMilliseconds">Time the process was paused by them, ms (GC.GetTotalPauseDuration).</param>
/// <param name="AllocatedBytes">Bytes the process allocated during the run (GC.GetTotalAllocatedBytes).</param>
/// <param name="MinorPageFaults">The process's page faults during the run that needed no I/O (a fresh page: about 10 µs each on the 2-core VM); null where /proc/self/stat is not published.</param>
/// <param name="MajorPageFaults">The process's page faults during the run that needed I/O; null where /proc/self/stat is not published.</param>
internal sealed record CollectionsReport(string LatencyMode, int Gen0, int Gen1, int Gen2, double PauseMilliseconds, long AllocatedBytes, long? MinorPageFaults = null, long? MajorPageFaults = null);
