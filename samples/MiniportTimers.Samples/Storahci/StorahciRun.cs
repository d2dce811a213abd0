using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// Runs the storahci sample on a <see cref="StorportHost"/>: creates the adapters (their ports start one after another
/// through StartPortTimer), then plays a seeded workload as the rest of the system would: I/O through StartIo, idle and
/// active unit transitions (LPM), hot-plug events (bus change), a port power cycle, a port reset, and finally removal.
/// Every event of the workload is itself an engine timer, so the same run works on the virtual and the real clock, and
/// on the virtual clock the same seed always gives the same result.
/// </summary>
public sealed class StorahciRun : ISampleRun
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private readonly StorahciScenario _scenario;
    private readonly StorportHostOptions? _options;
    private StorportHost? _host;

    // The adapters the run created, by HBA index: the host releases an adapter once it is removed, the run still reports it.
    private readonly List<StorportAdapter> _adapters = [];
    private List<AhciHba> _hbas = [];
    private long _origin;

    /// <summary>Prepares a run of <paramref name="scenario"/>.</summary>
    public StorahciRun(StorahciScenario scenario, StorportHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentOutOfRangeException.ThrowIfLessThan(scenario.Adapters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scenario.PortsPerAdapter, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scenario.PortsPerAdapter, 32);
        _scenario = scenario;
        _options = options;
    }

    /// <inheritdoc />
    public string Name => "storahci";

    /// <summary>Tenths of the run at which the workload resets a port (<see cref="ResetPort"/>): its start begins again.</summary>
    private const int ResetTenths = 5;

    /// <summary>Tenths of the run at which the workload powers a port down (<see cref="CycledPort"/>); 50 ms later it starts again.</summary>
    private const int PowerCycleTenths = 6;

    /// <summary>
    /// The shortest run in which a port whose device never leaves BSY reaches its start's 60 s give-up (the weighted total
    /// of its polls, each stretched <paramref name="pollStretch"/> times by a Windows clock tick): the ports before it
    /// start first (1 s each allowed); the port the workload resets at half the run, and the one it power-cycles at 60 %,
    /// start again there, so they need twice and two and a half times the give-up.
    /// </summary>
    /// <param name="port">The port, 0-based.</param>
    /// <param name="portsPerAdapter">Ports per adapter.</param>
    /// <param name="pollStretch">How much longer than asked each poll waits (1: precise timers).</param>
    public static long RunToSeeGiveUpMilliseconds(int port, int portsPerAdapter, double pollStretch)
    {
        const double GiveUp = 60_000;
        const double Margin = 2_000;
        var restartAt = (port == CycledPort(portsPerAdapter) ? PowerCycleTenths : port == ResetPort(portsPerAdapter) ? ResetTenths : 0) / 10.0;
        var first = restartAt == 0 ? ((port + 1) * 1_000 * pollStretch) + (GiveUp * pollStretch) + Margin : 0;
        var again = restartAt == 0 ? 0 : ((GiveUp * pollStretch) + 50 + Margin) / (1 - restartAt);
        return (long)Math.Ceiling(Math.Max(first, again));
    }

    /// <summary>The port the workload power-cycles.</summary>
    private static int CycledPort(int ports) => Math.Min(2, ports - 1);

    /// <summary>The port the workload resets.</summary>
    private static int ResetPort(int ports) => Math.Min(3, ports - 1);

    /// <summary>The host, once started.</summary>
    public StorportHost Host => _host ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc />
    public HostDiagnostics Diagnostics => Host.Diagnostics;

    /// <inheritdoc />
    public TraceRecorder? Trace { get; set; }

    /// <summary>The result, once finished.</summary>
    public StorahciResult? Result { get; private set; }

    /// <inheritdoc />
    public IReadOnlyList<KeyValuePair<string, long>> Facts
    {
        get
        {
            var r = Result ?? throw new InvalidOperationException("Not finished.");
            var q = Host.RequestActivity;
            var c = r.Counters;
            return
            [
                new("ports started", r.PortsStarted), new("ports failed", r.PortsFailed), new("ports empty", r.PortsEmpty),
                new("I/O submitted", q.Submitted), new("I/O completed", q.Completed),
                new("completed in StartIo", q.CompletedIn(MiniportRoutine.HwStartIo)), new("completed in interrupt", q.CompletedIn(MiniportRoutine.HwInterrupt)),
                new("completed in timer callback", q.CompletedIn(MiniportRoutine.TimerCallback)),
                new("LPM idle requests", c.LpmRequests), new("slumbers", c.Slumbers), new("unexpected BUSY", c.UnexpectedBusy),
                new("bus-change retries", c.BusChangeRetries), new("bus changes accepted", c.BusChangeDone), new("run-time timer inits", c.BusChangeTimerInits),
                new("power-downs", c.PowerDowns), new("resets", c.Resets), new("stale start callbacks", c.StaleCallbacks), new("stalls", c.Stalls),
            ];
        }
    }

    /// <inheritdoc />
    public IReadOnlyList<string> InvariantFailures
    {
        get
        {
            var q = Host.RequestActivity;
            return q.Completed == q.Submitted ? [] : [$"storahci: {q.Submitted - q.Completed} requests were never completed"];
        }
    }

    /// <summary>Runs <paramref name="scenario"/> alone on <paramref name="engine"/> and returns its result.</summary>
    /// <param name="engine">A virtual engine (advanced here until the end) or a real one (waited on).</param>
    /// <param name="scenario">What to run.</param>
    /// <param name="options">Host options.</param>
    public static StorahciResult Execute(TimerEngine engine, StorahciScenario scenario, StorportHostOptions? options = null)
    {
        var run = new StorahciRun(scenario, options);
        var completed = SampleRunner.Run(engine, [run], scenario.DurationMilliseconds, scenario.Seed);
        return run.Result! with { Completed = completed };
    }

    /// <inheritdoc />
    public void Start(TimerEngine engine, Workload workload, long durationNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(workload);
        var host = new StorportHost(engine, _options) { Trace = Trace };
        _host = host;
        _hbas = [.. Enumerable.Range(0, _scenario.Adapters).Select(i => new AhciHba(i, engine, _scenario.PortProfiles(i)))];
        var nextHba = new Queue<AhciHba>(_hbas);
        host.StorPortInitialize(StorahciMiniport.CreateInitializationData(nextHba.Dequeue, _scenario.LpmIntervalMilliseconds));
        _origin = workload.Origin;
        for (var a = 0; a < _scenario.Adapters; a++)
        {
            var hba = _hbas[a];
            workload.At(0, () => _adapters.Add(CreateAdapter(host, hba)));
            ScheduleAdapterWorkload(workload, _adapters, a, hba, _scenario, durationNanoseconds);
        }
    }

    /// <inheritdoc />
    public void Finish()
    {
        var host = Host;
        foreach (var adapter in _adapters)
        {
            adapter.Remove();
        }

        var extensions = _adapters.Select(a => (AhciAdapterExtension)a.DeviceExtension).ToList();
        var ports = extensions.SelectMany(e => e.Ports.Select(p => new PortReport(
            e.Hba.Index,
            p.PortNumber,
            p.Outcome,
            p.Outcome == PortOutcome.Starting
                ? (host.Engine.NowNanoseconds - p.StartedAttemptAtNanoseconds) / (double)Ms
                : (p.FinishedAttemptAtNanoseconds - p.StartedAttemptAtNanoseconds) / (double)Ms,
            p.Outcome == PortOutcome.Starting ? null : (p.FinishedAttemptAtNanoseconds - _origin) / (double)Ms))).ToList();
        Result = new StorahciResult(host, ports, StorahciTotals.Sum(extensions.Select(e => e.Counters)), true);
    }

    private static StorportAdapter CreateAdapter(StorportHost host, AhciHba hba)
    {
        var adapter = host.AddAdapter($"hba{hba.Index}");
        foreach (var device in hba.Ports)
        {
            device.Adapter = adapter;
        }

        // Early I/O: a TEST UNIT READY per port arrives while the ports start; it waits in the driver and is
        // completed from the start timer's callback (ActivateQueue) or failed from it.
        for (var p = 0; p < hba.Ports.Count; p++)
        {
            adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, PathId = (byte)p, CdbOperationCode = Io.TestUnitReady, Tag = p });
        }

        return adapter;
    }

    private static void ScheduleAdapterWorkload(Workload w, List<StorportAdapter> adapters, int a, AhciHba hba, StorahciScenario scenario, long duration)
    {
        StorportAdapter Adapter() => adapters[a];
        var ports = hba.Ports.Count;
        var ioEnd = duration * 8 / 10;
        var idle = new bool[ports];

        // I/O: READ(10) to a random active port (an idle port is left alone, so its LPM timer can run out).
        long tag = 1000;
        w.Every(scenario.IoIntervalMicroseconds * TimeUnits.NanosecondsPerMicrosecond, 0, ioEnd, rng =>
        {
            var p = rng.Next(ports);
            if (!idle[p])
            {
                Adapter().SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, PathId = (byte)p, CdbOperationCode = Io.Read10, DataTransferLength = 4096, Tag = tag++ });
            }
        });

        // LPM: every 150 ms an active port goes idle and becomes active again after 50-250 ms (inside the 100 ms
        // interval: a cancel; past it: the slumber callback runs). One wake in three goes idle again at once (idle,
        // active, idle inside the interval: the second request must succeed after the cancel).
        void PowerActive(int p, bool active) =>
            Adapter().UnitControl(SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerActive, new STOR_POFX_ACTIVE_CONTEXT((byte)p, 0, 0, active));

        void GoIdle(int p, Random rng)
        {
            idle[p] = true;
            PowerActive(p, active: false);
            w.After(rng.Next(50, 250) * Ms, () =>
            {
                PowerActive(p, active: true);
                idle[p] = false;
                if (rng.Next(3) == 0)
                {
                    GoIdle(p, rng);
                }
            });
        }

        w.Every(150 * Ms, 100 * Ms, ioEnd, rng =>
        {
            var p = rng.Next(ports);
            if (!idle[p])
            {
                GoIdle(p, rng); // Storport reports transitions only: an idle unit does not go idle again
            }
        });

        // Bus change: two hot-plug events 30 ms apart; the second notification is refused while the first is
        // processed, so the driver retries through its 100 ms BusChangeTimer.
        var hotPort = hba.Ports[Math.Min(1, ports - 1)];
        w.At(duration * 4 / 10, hotPort.SignalHotPlug);
        w.At((duration * 4 / 10) + (30 * Ms), hotPort.SignalHotPlug);

        // Power cycle: D3 cancels the start timer (storahci power-down), D0 starts the port again 50 ms later.
        var cycled = (byte)CycledPort(ports);
        w.At(duration * PowerCycleTenths / 10, () => Adapter().SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_POWER, PathId = cycled, DevicePowerState = 3 }));
        w.At((duration * PowerCycleTenths / 10) + (50 * Ms), () => Adapter().SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_POWER, PathId = cycled, DevicePowerState = 0 }));

        // Port reset: a direct start again while a previous start timer may still be pending.
        var reset = (byte)ResetPort(ports);
        w.At(duration * ResetTenths / 10, () => Adapter().SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_RESET_BUS, PathId = reset }));
    }
}
