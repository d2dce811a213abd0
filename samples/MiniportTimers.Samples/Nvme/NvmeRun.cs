using MiniportTimers.Devices.Memory;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Nvme;

/// <summary>
/// Runs the NVMe sample: <see cref="Adapters"/> controllers start through the legacy-timer state machine, I/O flows,
/// and the last controller is pulled out at 60 % of the run, which its watchdog finds within a second. With
/// <see cref="StorportHostOptions.Windows7Mode"/> the same driver runs as its Windows 7 build (name "nvme-win7").
/// </summary>
public sealed class NvmeRun : ISampleRun
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private readonly int _seed;
    private StorportHost? _host;
    private List<NvmeController> _controllers = [];

    /// <summary>Prepares a run.</summary>
    /// <param name="seed">Seeds the controllers' ready delays and latencies.</param>
    public NvmeRun(int seed = 1) => _seed = seed;

    /// <summary>Host options (set <see cref="StorportHostOptions.Windows7Mode"/> for the Windows 7 build).</summary>
    public StorportHostOptions? Options { get; init; }

    /// <summary>Controllers (adapters), at least 1; the last one is surprise-removed when <see cref="SurpriseRemoval"/>.</summary>
    public int Adapters { get; init; } = 2;

    /// <summary>Pull the last controller out at 60 % of the run.</summary>
    public bool SurpriseRemoval { get; init; } = true;

    /// <summary>When the last controller is pulled out, µs from the run's origin (null: at 60 % of the run).</summary>
    public long? SurpriseRemovalAtMicroseconds { get; init; }

    /// <summary>Milliseconds from CC.EN to CSTS.RDY for every controller, instead of the seeded 8-30 ms (null: seeded).</summary>
    public long? ReadyDelayMilliseconds { get; init; }

    /// <inheritdoc />
    public string Name => Options?.Windows7Mode == true ? "nvme-win7" : "nvme";

    /// <summary>The host, once started.</summary>
    public StorportHost Host => _host ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc />
    public HostDiagnostics Diagnostics => Host.Diagnostics;

    /// <inheritdoc />
    public TraceRecorder? Trace { get; set; }

    /// <summary>The adapters the run created, in controller order (removed ones included: the host releases those).</summary>
    public IReadOnlyList<StorportAdapter> CreatedAdapters => [.. _controllers.Select(c => c.Adapter).OfType<StorportAdapter>()];

    /// <summary>The adapters' extensions.</summary>
    public IReadOnlyList<NvmeExtension> Extensions => [.. CreatedAdapters.Select(a => (NvmeExtension)a.DeviceExtension)];

    /// <summary>The sum of <paramref name="fact"/> over the adapters.</summary>
    public long Total(NvmeFact fact) => Extensions.Sum(e => e.Counters[fact]);

    /// <inheritdoc />
    public IReadOnlyList<KeyValuePair<string, long>> Facts
    {
        get
        {
            var q = Host.RequestActivity;
            var facts = Enum.GetValues<NvmeFact>().Select(f => new KeyValuePair<string, long>(Label(f), Total(f))).ToList();
            facts.Add(new("I/O submitted", q.Submitted));
            facts.Add(new("I/O completed", q.Completed));
            facts.Add(new("completed in timer callback", q.CompletedIn(MiniportRoutine.TimerCallback)));
            return facts;
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> InvariantFailures
    {
        get
        {
            var failures = new List<string>();
            var q = Host.RequestActivity;
            if (q.Completed != q.Submitted)
            {
                failures.Add($"{Name}: {q.Submitted - q.Completed} requests were never completed");
            }

            if (Total(NvmeFact.WatchdogContextNotNull) != 0)
            {
                failures.Add($"{Name}: a watchdog callback got a context other than the NULL it was requested with");
            }

            return failures;
        }
    }

    /// <summary>Runs alone on <paramref name="engine"/> for <paramref name="durationMilliseconds"/>.</summary>
    public static NvmeRun Execute(TimerEngine engine, NvmeRun run, long durationMilliseconds, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(run);
        SampleRunner.Run(engine, [run], durationMilliseconds, seed);
        return run;
    }

    /// <inheritdoc />
    public void Start(TimerEngine engine, Workload workload, long durationNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(workload);
        ArgumentOutOfRangeException.ThrowIfLessThan(Adapters, 1);
        var rng = new Random(_seed);
        var addressMap = new HostAddressMap();
        _controllers = [.. Enumerable.Range(0, Adapters).Select(i => new NvmeController(
            i,
            engine,
            addressMap,
            (ReadyDelayMilliseconds ?? rng.Next(8, 30)) * Ms,
            rng.Next(100, 400) * TimeUnits.NanosecondsPerMicrosecond,
            SurpriseRemoval && i == Adapters - 1 ? workload.Origin + (SurpriseRemovalAtMicroseconds is { } us ? us * TimeUnits.NanosecondsPerMicrosecond : durationNanoseconds * 6 / 10) : null))];
        var host = new StorportHost(engine, Options) { Trace = Trace };
        _host = host;
        var next = new Queue<NvmeController>(_controllers);
        host.StorPortInitialize(NvmeMiniport.CreateInitializationData(next.Dequeue));
        foreach (var controller in _controllers)
        {
            workload.StartDevice(controller.Index * Ms, () => CreateAdapter(host, controller, workload, durationNanoseconds));
        }
    }

    private static void CreateAdapter(StorportHost host, NvmeController controller, Workload w, long duration)
    {
        var adapter = host.AddAdapter($"nvme{controller.Index}", controller.Device); // its line interrupt runs HwInterrupt
        controller.Adapter = adapter;
        var e = (NvmeExtension)adapter.DeviceExtension;

        // HwPassiveInitialize's wait: every 5 ms until started, failed or CAP.TO + 5 s.
        void Wait() => w.After(5 * Ms, () =>
        {
            if (NvmeMiniport.PassiveWaitIteration(e, host.Engine.NowNanoseconds))
            {
                Wait();
            }
        });
        Wait();

        // I/O: a read every 2 ms from 100 ms to 80 % of the run.
        long tag = 0;
        w.Every(2 * Ms, 100 * Ms, duration * 8 / 10, _ =>
            adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, CdbOperationCode = 0x28, DataTransferLength = 4096, Tag = ++tag }));
    }

    /// <inheritdoc />
    public void Finish()
    {
        foreach (var adapter in CreatedAdapters)
        {
            adapter.Remove();
        }

        foreach (var controller in _controllers)
        {
            controller.Dispose();
        }
    }

    private static string Label(NvmeFact fact) => fact switch
    {
        NvmeFact.StartsCompleted => "starts completed",
        NvmeFact.StartsFailed => "starts failed",
        NvmeFact.ReadyPolls => "CSTS.RDY polls",
        NvmeFact.AdminCheckbacks => "admin check-backs",
        NvmeFact.AdvancedFromCompletionDpc => "states advanced from the completion DPC",
        NvmeFact.LegacyRequestsReplaced => "legacy requests replacing a pending one",
        NvmeFact.PassiveWaitPolls => "passive wait polls",
        NvmeFact.WatchdogChecks => "watchdog checks",
        NvmeFact.WatchdogOnLegacyTimer => "adapters with the watchdog on the legacy timer",
        NvmeFact.SurpriseRemovals => "surprise removals detected",
        NvmeFact.CommandsFailedInCallback => "commands failed in the watchdog callback",
        NvmeFact.TimersFreedInOwnCallback => "timers freed in their own callback",
        NvmeFact.WatchdogContextNotNull => "watchdog contexts not NULL",
        NvmeFact.IoFailedNoDevice => "I/O failed, no device",
        _ => fact.ToString(),
    };
}
