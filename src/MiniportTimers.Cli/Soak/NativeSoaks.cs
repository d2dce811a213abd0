using MiniportTimers.Cli.Run;
using MiniportTimers.Engine;
using MiniportTimers.Native;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Native.Storport;
using MiniportTimers.Ndis;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;

namespace MiniportTimers.Cli.Soak;

/// <summary>Our C miniports (native/miniports/*.c, built into native/build by <c>make -C native</c>) and what the soaks do with them.</summary>
internal static class NativeSoakDrivers
{
    public const string Storport = "storport_timers";
    public const string NdisTimers = "ndis6_timers";
    public const string NdisDatapath = "ndis6_datapath";

    /// <summary>The drivers every soak needs.</summary>
    public static readonly string[] All = [Storport, NdisTimers, NdisDatapath];

    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    // storport_timers.c's own commands (the first CDB byte).
    private const byte CmdArm = 0x01;
    private const byte CmdPoll = 0x03;
    private const byte CmdFreeInCallback = 0x04;
    private const byte CmdKeTimer = 0x09;
    private const byte CmdExTimer = 0x0A;
    private const byte CmdNewTimer = 0x0D;

    /// <summary>The folder with the built drivers: <paramref name="given"/>, else native/build above the current folder or the tool's.</summary>
    /// <returns>Null when no folder holds all of <see cref="All"/>.</returns>
    public static string? FindBuild(string? given)
    {
        if (given is not null)
        {
            return HasAll(given) ? Path.GetFullPath(given) : null;
        }

        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "native", "build");
                if (HasAll(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    public static string PathOf(string folder, string driver) => Path.Combine(folder, driver + ".so");

    private static bool HasAll(string folder) => All.All(d => File.Exists(PathOf(folder, d)));

    /// <summary>
    /// What a Storport adapter of storport_timers does in a soak, on the virtual clock (about 65 ms): a request and its
    /// BUSY second arm, a self re-arming poll, the legacy RequestTimerCall from an interrupt, a KTIMER with a KDPC, an
    /// EX_TIMER that deletes itself; with <paramref name="freeInCallback"/>, a request whose callback frees the timer
    /// (otherwise the host frees it at removal, with its TimerNotFreed finding). Nothing is left queued.
    /// </summary>
    public static void ExerciseStorportAdapter(StorportAdapter adapter, VirtualTimerEngine engine, bool freeInCallback)
    {
        Submit(adapter, CmdArm);
        engine.AdvanceBy(10 * Ms);
        Submit(adapter, CmdPoll); // fires at 10, 20, 30 and 40 ms
        adapter.RaiseInterrupt(); // the legacy timer, 1 ms
        Submit(adapter, CmdKeTimer); // 20 ms
        Submit(adapter, CmdExTimer); // 30 ms
        engine.AdvanceBy(50 * Ms);
        if (freeInCallback)
        {
            Submit(adapter, CmdFreeInCallback); // 5 ms
            engine.AdvanceBy(5 * Ms);
        }
    }

    /// <summary>One EX_TIMER allocated, due in 30 ms, deleted in its own callback (storport_timers.c's MPT_CMD_EX_TIMER).</summary>
    public static void AllocateAndDeleteExTimer(StorportAdapter adapter, VirtualTimerEngine engine)
    {
        Submit(adapter, CmdExTimer);
        engine.AdvanceBy(30 * Ms);
    }

    /// <summary>The adapter's StorPortInitializeTimer handle freed and a new one initialized (storport_timers.c's MPT_CMD_NEW_TIMER).</summary>
    public static void FreeAndInitializeTimer(StorportAdapter adapter) => Submit(adapter, CmdNewTimer);

    private static void Submit(StorportAdapter adapter, byte command) =>
        adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, CdbOperationCode = command });
}

/// <summary>
/// <c>soak native</c>: load/run/halt/unload cycles. Each cycle is <c>run --virtual --driver X --driver-adapters 2</c> for
/// our three C drivers on one new virtual engine (the Storport adapters also get <see cref="NativeSoakDrivers.ExerciseStorportAdapter"/>;
/// the NDIS ones the run's OID requests, sends, pause, restart and reset), 1 s of virtual time, then removal or halt,
/// MiniportDriverUnload, the driver object disposed. Nothing of a cycle should outlive it.
/// </summary>
internal sealed class NativeCycleSoak(string buildFolder, IReadOnlyList<string> drivers) : ISoakWorkload
{
    private const int AdaptersPerDriver = 2;
    private const long RunNanoseconds = 1_000 * TimeUnits.NanosecondsPerMillisecond;
    private readonly List<string> _failures = [];
    private readonly List<WeakReference> _sampled = [];

    public string Unit => "cycle";

    public string Description => $"load/run/halt/unload cycles of {string.Join(", ", drivers)} ({AdaptersPerDriver} adapters each, {RunNanoseconds / TimeUnits.NanosecondsPerMillisecond:N0} ms of virtual time) on a new virtual engine each";

    public IReadOnlyList<string> Failures => _failures;

    public IReadOnlyCollection<string> FlatCounts { get; } = ["sampled drivers alive", "sampled engines alive"];

    public IReadOnlyCollection<string> AddressKeyedMaps { get; } = ["KSPIN_LOCKs"];

    public void RunUnit(long index, bool sample)
    {
        using var engine = new VirtualTimerEngine();
        var workload = new Workload(engine, 0, unchecked((int)index));
        var runs = new List<NativeDriverRun>();
        foreach (var name in drivers)
        {
            var run = NativeDriverRun.TryCreate(NativeSoakDrivers.PathOf(buildFolder, name), new StorportHostOptions(), new NdisHostOptions(), AdaptersPerDriver, null, out var error)
                ?? throw new InvalidOperationException(error);
            run.Start(engine, workload, RunNanoseconds);
            runs.Add(run);
        }

        engine.AdvanceBy(0); // the adapters are added at time 0
        foreach (var run in runs)
        {
            for (var i = 0; i < run.StorportAdapters.Count; i++)
            {
                NativeSoakDrivers.ExerciseStorportAdapter(run.StorportAdapters[i], engine, freeInCallback: i % 2 == 1);
            }
        }

        engine.AdvanceTo(RunNanoseconds);
        foreach (var run in runs)
        {
            run.Finish();
            _failures.AddRange(run.InvariantFailures.Select(f => $"cycle {index}: {f}"));
            _failures.AddRange(run.Diagnostics.BugChecks.Select(b => $"cycle {index}: {run.Name}: bug check 0x{b.BugCheck.Code:X} in {b.Adapter} {b.Routine}: {b.BugCheck.Message}"));
            if (sample && run.Driver is { } driver)
            {
                _sampled.Add(new WeakReference(driver));
            }
        }

        if (sample)
        {
            _sampled.Add(new WeakReference(engine));
        }
    }

    public IReadOnlyList<KeyValuePair<string, long>> Counts() =>
    [
        new("sampled drivers alive", _sampled.Count(w => w.Target is NativeDriver)),
        new("sampled engines alive", _sampled.Count(w => w.Target is TimerEngine)),
        new("timers freed", NativeBridgeStatistics.TimersFreed()),
    ];

    public long DebugOutputBytes() => 0; // every driver object of a cycle is gone at the checkpoint
}

/// <summary>
/// <c>soak native-adapters</c>, Storport: one storport_timers driver on one host; each unit adds an adapter, runs
/// <see cref="NativeSoakDrivers.ExerciseStorportAdapter"/> on it and removes it.
/// </summary>
internal sealed class StorportAdapterSoak : ISoakWorkload, IDisposable
{
    private readonly VirtualTimerEngine _engine = new();
    private readonly StorportHost _host;
    private readonly NativeStorportDriver _driver;
    private readonly DebugOutputMeter _debug;
    private readonly List<string> _failures = [];
    private readonly List<WeakReference> _sampled = [];
    private int _bugChecksSeen;

    public StorportAdapterSoak(string buildFolder)
    {
        _host = new StorportHost(_engine);
        _driver = NativeStorportDriver.Load(NativeSoakDrivers.PathOf(buildFolder, NativeSoakDrivers.Storport), _host);
        _debug = new DebugOutputMeter(_driver);
        if (_driver.DriverEntryStatus != 0)
        {
            _failures.Add($"DriverEntry returned 0x{_driver.DriverEntryStatus:X8}");
        }
    }

    public string Unit => "adapter";

    public string Description => $"Storport adapters of {NativeSoakDrivers.Storport} added, exercised (timers, a KTIMER, an EX_TIMER, an interrupt) and removed, one at a time, on one host";

    public IReadOnlyList<string> Failures => _failures;

    public IReadOnlyCollection<string> FlatCounts { get; } = ["sampled adapters alive", "driver storage", "driver callbacks", "live adapters"];

    public IReadOnlyCollection<string> AddressKeyedMaps { get; } = [];

    public void RunUnit(long index, bool sample)
    {
        var adapter = _host.AddAdapter();
        if (adapter.State != AdapterState.Started)
        {
            _failures.Add($"adapter {index}: {adapter.State} after AddAdapter");
        }

        NativeSoakDrivers.ExerciseStorportAdapter(adapter, _engine, freeInCallback: index % 2 == 1);
        adapter.Remove();
        _engine.AdvanceBy(TimeUnits.NanosecondsPerMillisecond); // the engine lets go of the cancelled timers when time moves
        var bugChecks = _host.BugChecks;
        _failures.AddRange(bugChecks.Skip(_bugChecksSeen).Select(b => $"adapter {index}: bug check 0x{b.BugCheck.Code:X} in {b.Routine}: {b.BugCheck.Message}"));
        _bugChecksSeen = bugChecks.Count;
        if (sample)
        {
            _sampled.Add(new WeakReference(adapter));
        }
    }

    public IReadOnlyList<KeyValuePair<string, long>> Counts() =>
    [
        new("sampled adapters alive", _sampled.Count(w => w.IsAlive)),
        new("live adapters", _host.Adapters.Count),
        .. NativeBridgeStatistics.DriverEntries(_driver),
        new("timers freed", NativeBridgeStatistics.TimersFreed()),
        new("debug prints", _driver.DebugPrintCount),
    ];

    public long DebugOutputBytes() => _debug.Bytes();

    public void Dispose()
    {
        _driver.Dispose();
        _engine.Dispose();
    }
}

/// <summary>
/// <c>soak native-adapters</c>, NDIS: one driver on one host; each unit adds an adapter, runs what <c>run --driver</c>
/// does to it for 1 s of virtual time (OID requests, sends, pause, restart, reset: <see cref="NdisDriverScenario"/>)
/// and halts it. With a resident adapter (ndis6_datapath, a hub), the scenario covers both, so the sends of the new
/// adapter are received and returned on the resident one.
/// </summary>
internal sealed class NdisAdapterSoak : ISoakWorkload, IDisposable
{
    private const long UnitNanoseconds = 1_000 * TimeUnits.NanosecondsPerMillisecond;
    private readonly VirtualTimerEngine _engine = new();
    private readonly NdisHost _host;
    private readonly NativeNdisDriver _driver;
    private readonly DebugOutputMeter _debug;
    private readonly NdisMiniportAdapter? _resident;
    private readonly List<string> _failures = [];
    private readonly List<WeakReference> _sampled = [];
    private readonly string _name;
    private int _bugChecksSeen;

    public NdisAdapterSoak(string buildFolder, string driver, bool resident)
    {
        _name = driver;
        _host = new NdisHost(_engine);
        _driver = NativeNdisDriver.Load(NativeSoakDrivers.PathOf(buildFolder, driver), _host);
        _debug = new DebugOutputMeter(_driver);
        if (_driver.DriverEntryStatus != 0)
        {
            _failures.Add($"DriverEntry returned 0x{_driver.DriverEntryStatus:X8}");
        }
        else if (resident)
        {
            _resident = _host.AddAdapter();
        }
    }

    public string Unit => "adapter";

    public string Description => $"NDIS adapters of {_name} added, taken through run --driver's steps for {UnitNanoseconds / TimeUnits.NanosecondsPerMillisecond:N0} ms (OID requests, sends, pause, restart, reset) and halted, one at a time, on one host{(_resident is null ? string.Empty : " beside a resident adapter that receives their sends")}";

    public IReadOnlyList<string> Failures => _failures;

    public IReadOnlyCollection<string> FlatCounts { get; } = ["sampled adapters alive", "driver callbacks", "live adapters"]; // driver storage: keyed by pool addresses, as the KSPIN_LOCKs

    public IReadOnlyCollection<string> AddressKeyedMaps { get; } = ["KSPIN_LOCKs"];

    public void RunUnit(long index, bool sample)
    {
        var adapter = _host.AddAdapter();
        if (adapter.State != NdisAdapterState.Running)
        {
            _failures.Add($"adapter {index}: {adapter.State} after AddAdapter");
        }

        var workload = new Workload(_engine, _engine.NowNanoseconds, unchecked((int)index));
        new NdisDriverScenario(_resident is null ? [adapter] : [adapter, _resident]).Schedule(workload);
        _engine.AdvanceBy(UnitNanoseconds);
        adapter.Halt();
        _engine.AdvanceBy(TimeUnits.NanosecondsPerMillisecond); // the engine lets go of the cancelled timers when time moves
        var bugChecks = _host.Diagnostics.BugChecks;
        _failures.AddRange(bugChecks.Skip(_bugChecksSeen).Select(b => $"adapter {index}: bug check 0x{b.BugCheck.Code:X} in {b.Adapter} {b.Routine}: {b.BugCheck.Message}"));
        _bugChecksSeen = bugChecks.Count;
        if (sample)
        {
            _sampled.Add(new WeakReference(adapter));
        }
    }

    public IReadOnlyList<KeyValuePair<string, long>> Counts() =>
    [
        new("sampled adapters alive", _sampled.Count(w => w.IsAlive)),
        new("live adapters", _host.Adapters.Count),
        .. NativeBridgeStatistics.DriverEntries(_driver),
        new("timers freed", NativeBridgeStatistics.TimersFreed()),
        new("debug prints", _driver.DebugPrintCount),
    ];

    public long DebugOutputBytes() => _debug.Bytes();

    public void Dispose()
    {
        _resident?.Halt();
        _driver.Unload();
        _engine.Dispose();
    }
}

/// <summary>
/// <c>soak native-timers</c>: one storport_timers adapter; each unit frees one timer object the C code allocated: on
/// even units an EX_TIMER (allocated, fired 30 ms later, deleted by ExDeleteTimer in its own callback), on odd units
/// the adapter's StorPortInitializeTimer handle (StorPortFreeTimer, then StorPortInitializeTimer again).
/// </summary>
internal sealed class TimerSoak : ISoakWorkload, IDisposable
{
    private readonly VirtualTimerEngine _engine = new();
    private readonly StorportHost _host;
    private readonly NativeStorportDriver _driver;
    private readonly DebugOutputMeter _debug;
    private readonly StorportAdapter _adapter;
    private readonly List<string> _failures = [];
    private readonly long _freedAtStart = NativeBridgeStatistics.TimersFreed();
    private int _bugChecksSeen;

    public TimerSoak(string buildFolder)
    {
        _host = new StorportHost(_engine);
        _driver = NativeStorportDriver.Load(NativeSoakDrivers.PathOf(buildFolder, NativeSoakDrivers.Storport), _host);
        _debug = new DebugOutputMeter(_driver);
        _adapter = _host.AddAdapter();
        if (_adapter.State != AdapterState.Started)
        {
            _failures.Add($"the adapter is {_adapter.State} after AddAdapter");
        }
    }

    public string Unit => "freed timer";

    public string Description => $"timer objects of {NativeSoakDrivers.Storport} freed, on one adapter: EX_TIMERs deleted in their own callbacks and StorPortInitializeTimer handles freed and made again, by turns";

    public IReadOnlyList<string> Failures => _failures;

    public IReadOnlyCollection<string> FlatCounts { get; } = ["driver storage", "driver callbacks"];

    public IReadOnlyCollection<string> AddressKeyedMaps { get; } = [];

    public void RunUnit(long index, bool sample)
    {
        if (index % 2 == 0)
        {
            NativeSoakDrivers.AllocateAndDeleteExTimer(_adapter, _engine);
        }
        else
        {
            NativeSoakDrivers.FreeAndInitializeTimer(_adapter);
        }

        var bugChecks = _host.BugChecks;
        _failures.AddRange(bugChecks.Skip(_bugChecksSeen).Select(b => $"timer {index}: bug check 0x{b.BugCheck.Code:X} in {b.Routine}: {b.BugCheck.Message}"));
        _bugChecksSeen = bugChecks.Count;
    }

    public IReadOnlyList<KeyValuePair<string, long>> Counts() =>
    [
        .. NativeBridgeStatistics.DriverEntries(_driver),
        new("timers freed", NativeBridgeStatistics.TimersFreed() - _freedAtStart),
        new("debug prints", _driver.DebugPrintCount),
    ];

    public long DebugOutputBytes() => _debug.Bytes();

    public void Dispose()
    {
        _adapter.Remove();
        _driver.Dispose();
        _engine.Dispose();
    }
}
