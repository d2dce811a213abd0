using System.Buffers.Binary;
using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Sata;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Storahci;

/// <summary>
/// Runs the storahci sample on a <see cref="StorportHost"/>: each adapter is an AHCI 1.3 HBA of the device model
/// (<see cref="AhciHba"/>) with a <see cref="SataDisk"/> on each port the scenario fills; the adapters' ports start one
/// after another through StartPortTimer, polling the HBA's registers. Then a seeded workload plays as the rest of the
/// system would: INQUIRY and READ CAPACITY per port, 4 KiB reads and writes of random LBAs and SYNCHRONIZE CACHE through
/// HwBuildIo and StartIo (checked against the disk images), idle and active unit transitions (LPM), a hot unplug and
/// plug of a disk (bus change), a port power cycle, a port reset, and finally removal.
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
    private StorportAdapter?[] _adapters = [];
    private List<AhciHba> _hbas = [];
    private SataDisk?[][] _disks = [];
    private readonly List<Check> _checks = [];
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
            List<string> failures = q.Completed == q.Submitted ? [] : [$"storahci: {q.Submitted - q.Completed} requests were never completed"];
            var wrong = _checks.Count(c => c.Srb.SrbStatus == SRB_STATUS_SUCCESS && !c.Holds());
            if (wrong > 0)
            {
                failures.Add($"storahci: {wrong} of {_checks.Count} checked requests (reads, INQUIRY, READ CAPACITY) answered other data than the disks hold");
            }

            return failures;
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

    /// <summary>The device-model HBAs, by adapter index (each with its disks attached as the scenario says).</summary>
    public IReadOnlyList<AhciHba> Hbas => _hbas;

    /// <summary>Requests whose answers were checked against the disks (successful ones must hold), and how many held.</summary>
    public (int Checked, int Held) DataChecks => (_checks.Count(c => c.Srb.SrbStatus == SRB_STATUS_SUCCESS), _checks.Count(c => c.Srb.SrbStatus == SRB_STATUS_SUCCESS && c.Holds()));

    /// <inheritdoc />
    public void Start(TimerEngine engine, Workload workload, long durationNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(workload);
        var host = new StorportHost(engine, _options) { Trace = Trace };
        _host = host;
        var map = new HostAddressMap();
        var options = new AhciHbaOptions { PortCount = _scenario.PortsPerAdapter };
        _hbas = [.. Enumerable.Range(0, _scenario.Adapters).Select(_ => new AhciHba(engine, map, options))];
        _disks = new SataDisk?[_scenario.Adapters][];
        for (var a = 0; a < _scenario.Adapters; a++)
        {
            var wanted = _scenario.PortDisks(a);
            _disks[a] = new SataDisk?[wanted.Count];
            for (var p = 0; p < wanted.Count; p++)
            {
                if (wanted[p] is { } diskOptions)
                {
                    var disk = new SataDisk(diskOptions);
                    disk.WriteSectors(0, Pattern(Salt(a, p), 0, _scenario.IoSectors));
                    _disks[a][p] = disk;
                    _hbas[a].Ports[p].Attach(disk);
                }
            }
        }

        _adapters = new StorportAdapter?[_scenario.Adapters];
        host.StorPortInitialize(StorahciMiniport.CreateInitializationData(_scenario.LpmIntervalMilliseconds, () => engine.NowNanoseconds));
        _origin = workload.Origin;
        for (var a = 0; a < _scenario.Adapters; a++)
        {
            var index = a;
            workload.StartDevice(
                0,
                () => _adapters[index] = CreateAdapter(host, index, _hbas[index], _disks[index], _checks),
                () => ScheduleAdapterWorkload(workload, _adapters, index, _hbas[index], _disks[index], _checks, _scenario, durationNanoseconds));
        }
    }

    /// <inheritdoc />
    public void Finish()
    {
        var host = Host;
        var live = _adapters.Select((adapter, index) => (adapter, index)).Where(x => x.adapter is not null).ToList();
        foreach (var (adapter, _) in live)
        {
            adapter!.Remove();
        }

        var ports = live.SelectMany(x => ((AhciAdapterExtension)x.adapter!.DeviceExtension).Ports.Select(p => new PortReport(
            x.index,
            p.PortNumber,
            p.Outcome,
            p.Outcome == PortOutcome.Starting
                ? (host.Engine.NowNanoseconds - p.StartedAttemptAtNanoseconds) / (double)Ms
                : (p.FinishedAttemptAtNanoseconds - p.StartedAttemptAtNanoseconds) / (double)Ms,
            p.Outcome == PortOutcome.Starting ? null : (p.FinishedAttemptAtNanoseconds - _origin) / (double)Ms))).ToList();
        Result = new StorahciResult(host, ports, StorahciTotals.Sum(live.Select(x => ((AhciAdapterExtension)x.adapter!.DeviceExtension).Counters)), true);
    }

    /// <summary>The bytes the workload expects at <paramref name="sectors"/> sectors from <paramref name="lba"/> of the disk with <paramref name="salt"/>: each disk and sector differ.</summary>
    internal static byte[] Pattern(int salt, long lba, int sectors)
    {
        var data = new byte[sectors * Io.SectorSize];
        for (var i = 0; i < data.Length; i++)
        {
            var sector = lba + (i / Io.SectorSize);
            data[i] = unchecked((byte)((sector * 7) + ((i % Io.SectorSize) * 13) + (salt * 101) + (sector >> 8)));
        }

        return data;
    }

    private static int Salt(int adapter, int port) => (adapter * 32) + port;

    private static StorportAdapter CreateAdapter(StorportHost host, int index, AhciHba hba, SataDisk?[] disks, List<Check> checks)
    {
        var adapter = host.AddAdapter($"hba{index}", hba);

        // Early I/O: per port a TEST UNIT READY, an INQUIRY and a READ CAPACITY arrive while the ports start; they wait
        // in the driver and are started from the start timer's callback (ActivateQueue) or failed from it.
        for (var p = 0; p < disks.Length; p++)
        {
            adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, PathId = (byte)p, CdbOperationCode = Io.TestUnitReady, Tag = p });
            var inquiry = Request(p, [Io.Inquiry, 0, 0, 0, 36, 0], new byte[36], Io.SRB_FLAGS_DATA_IN, 100 + p);
            var capacity = Request(p, [Io.ReadCapacity10, 0, 0, 0, 0, 0, 0, 0, 0, 0], new byte[8], Io.SRB_FLAGS_DATA_IN, 200 + p);
            if (disks[p] is { } disk)
            {
                var model = disk.Options.Model.PadRight(16)[..16];
                checks.Add(new Check(inquiry, () => System.Text.Encoding.ASCII.GetString(inquiry.DataBuffer.Span[16..32]) == model));
                checks.Add(new Check(capacity, () => BinaryPrimitives.ReadUInt32BigEndian(capacity.DataBuffer.Span) == disk.CapacitySectors - 1
                    && BinaryPrimitives.ReadUInt32BigEndian(capacity.DataBuffer.Span[4..]) == Io.SectorSize));
            }

            adapter.SubmitRequest(inquiry);
            adapter.SubmitRequest(capacity);
        }

        return adapter;
    }

    private static SCSI_REQUEST_BLOCK Request(int port, byte[] cdb, byte[] buffer, uint flags, long tag) => new()
    {
        Function = SRB_FUNCTION_EXECUTE_SCSI,
        PathId = (byte)port,
        Cdb = cdb,
        DataBuffer = buffer,
        DataTransferLength = (uint)buffer.Length,
        SrbFlags = flags,
        Tag = tag,
    };

    /// <summary>A READ(10) or WRITE(10) CDB.</summary>
    internal static byte[] ReadWriteCdb(byte operation, uint lba, ushort blocks)
    {
        var cdb = new byte[10];
        cdb[0] = operation;
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), lba);
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(7), blocks);
        return cdb;
    }

    /// <summary>A request whose answer must match the disks once it succeeded.</summary>
    private sealed record Check(SCSI_REQUEST_BLOCK Srb, Func<bool> Holds);

    private static void ScheduleAdapterWorkload(Workload w, StorportAdapter?[] adapters, int a, AhciHba hba, SataDisk?[] disks, List<Check> checks, StorahciScenario scenario, long duration)
    {
        StorportAdapter Adapter() => adapters[a]!;
        var ports = disks.Length;
        var ioEnd = duration * 8 / 10;
        var idle = new bool[ports];
        const ushort Blocks = 8; // 4 KiB

        // I/O: to a random active port (an idle port is left alone, so its LPM timer can run out), 4 KiB at a random LBA
        // of the preloaded area: two reads in three (checked against the image's pattern), else a write of the same
        // pattern; now and then a SYNCHRONIZE CACHE (FLUSH CACHE EXT on the disk).
        long tag = 1000;
        w.Every(scenario.IoIntervalMicroseconds * TimeUnits.NanosecondsPerMicrosecond, 0, ioEnd, rng =>
        {
            var p = rng.Next(ports);
            var lba = (uint)rng.Next(0, scenario.IoSectors - Blocks + 1);
            var kind = rng.Next(48);
            if (idle[p])
            {
                return;
            }

            SCSI_REQUEST_BLOCK srb;
            if (kind == 0)
            {
                srb = new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI, PathId = (byte)p, Cdb = [Io.SynchronizeCache10, 0, 0, 0, 0, 0, 0, 0, 0, 0], Tag = tag++ };
            }
            else if (kind % 3 == 0)
            {
                srb = Request(p, ReadWriteCdb(Io.Write10, lba, Blocks), Pattern(Salt(a, p), lba, Blocks), Io.SRB_FLAGS_DATA_OUT, tag++);
            }
            else
            {
                var buffer = new byte[Blocks * Io.SectorSize];
                srb = Request(p, ReadWriteCdb(Io.Read10, lba, Blocks), buffer, Io.SRB_FLAGS_DATA_IN, tag++);
                var expected = Pattern(Salt(a, p), lba, Blocks);
                checks.Add(new Check(srb, () => buffer.AsSpan().SequenceEqual(expected)));
            }

            Adapter().SubmitRequest(srb);
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

        // Bus change: the disk of one port is unplugged, and plugged back 30 ms later (PxSERR.DIAG.N and DIAG.X: PxIS.PRCS
        // and PCS). The second notification is refused while the first is processed, so the driver retries through its
        // 100 ms BusChangeTimer.
        var hotPort = hba.Ports[Math.Min(1, ports - 1)];
        SataDisk? unplugged = null;
        w.At(duration * 4 / 10, () => unplugged = hotPort.Detach());
        w.At((duration * 4 / 10) + (30 * Ms), () =>
        {
            if (unplugged is { } disk)
            {
                hotPort.Attach(disk);
            }
        });

        // Power cycle: D3 cancels the start timer (storahci power-down), D0 starts the port again 50 ms later.
        var cycled = (byte)CycledPort(ports);
        w.At(duration * PowerCycleTenths / 10, () => Adapter().SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_POWER, PathId = cycled, DevicePowerState = 3 }));
        w.At((duration * PowerCycleTenths / 10) + (50 * Ms), () => Adapter().SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_POWER, PathId = cycled, DevicePowerState = 0 }));

        // Port reset: COMRESET and a direct start again while a previous start timer may still be pending.
        var reset = (byte)ResetPort(ports);
        w.At(duration * ResetTenths / 10, () => Adapter().SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_RESET_BUS, PathId = reset }));
    }
}
