using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Native;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Native.Storport;
using MiniportTimers.Ndis;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// <c>run --driver PATH.so[:storport|:ndis]</c>: a native (C) miniport built with native/toolchain.mk, hosted beside or
/// instead of the C# samples: its DriverEntry runs at the start, <c>--driver-adapters</c> adapters are added at time 0
/// (HwStorFindAdapter or MiniportInitializeEx), an NDIS driver's adapters then go through <see cref="NdisDriverScenario"/>,
/// and they are removed or halted when the run's time is up (then MiniportDriverUnload). Its timers appear in the
/// report under their C names, with the same verifier, bug checks, JSON and trace as the samples'. Before the run
/// starts, the file is checked (<see cref="SpecProblem"/>), then loaded and its DriverEntry run (<see cref="Load"/>): a
/// driver that does not load is bad usage, one line on stderr, before any work.
/// </summary>
internal sealed class NativeDriverRun : ISampleRun
{
    private readonly StorportHostOptions _storportOptions;
    private readonly NdisHostOptions _ndisOptions;
    private readonly List<string> _failures = [];
    private StorportHost? _storportHost;
    private NdisHost? _ndisHost;
    private NativeDriver? _driver;
    private readonly List<NdisMiniportAdapter> _ndisAdapters = [];
    private readonly int _adapters;
    private NdisDriverScenario? _scenario;
    private PcnetScenario? _pcnet;
    private readonly List<StorportDriverScenario> _storportScenarios = [];

    private NativeDriverRun(string path, NativeStack stack, StorportHostOptions storportOptions, NdisHostOptions ndisOptions, int adapters)
    {
        Path = path;
        Stack = stack;
        Name = System.IO.Path.GetFileNameWithoutExtension(path);
        (_storportOptions, _ndisOptions, _adapters) = (storportOptions, ndisOptions, adapters);
    }

    public string Name { get; }

    /// <summary>Where the driver's DbgPrint output is echoed as it is printed (<c>--driver-debug</c>: stderr); null: not echoed.</summary>
    public TextWriter? DebugOutput { get; init; }

    public string Path { get; }

    public NativeStack Stack { get; }

    public TraceRecorder? Trace { get; set; }

    public HostDiagnostics Diagnostics => (HostDiagnostics?)_storportHost?.Diagnostics ?? _ndisHost?.Diagnostics ?? throw new InvalidOperationException("Not started.");

    public IReadOnlyList<KeyValuePair<string, long>> Facts =>
    [
        new("adapters started", StorportAdapters.Count(s => s.State is not AdapterState.Failed) + _ndisAdapters.Count(n => n.State is not NdisAdapterState.Failed)),
        new("debug prints", _driver?.DebugPrintCount ?? 0),
        .. NdisFacts(),
        .. PcnetFacts(),
        .. StorportFacts(),
    ];

    /// <summary>The Storport scenario's build (the device, the never-ready port, the NVMe options, I/O per unit); the defaults without those options.</summary>
    public StorportScenarioOptions ScenarioOptions { get; set; } = new();

    /// <summary>The Storport scenarios, one per adapter (tests read their counters).</summary>
    internal IReadOnlyList<StorportDriverScenario> StorportScenarios => _storportScenarios;

    private IEnumerable<KeyValuePair<string, long>> StorportFacts() => StorportScenarioFacts.Of(_storportScenarios, _storportHost);

    /// <summary>
    /// The device each adapter gets: for an NDIS driver null (none: the NDIS 6 scenario) or "pcnet"
    /// (<see cref="PcnetScenario"/>); for a Storport driver null or "ahci" (<see cref="AhciScenarioDevice"/>) or "nvme"
    /// (<see cref="NvmeScenarioDevice"/>, with <see cref="ScenarioOptions"/> set to match).
    /// </summary>
    public string? Device { get; init; }

    private IEnumerable<KeyValuePair<string, long>> PcnetFacts()
    {
        if (_ndisHost is not { } host || _pcnet is not { } pcnet)
        {
            yield break;
        }

        long FirstMs(uint status) => host.Indications.FirstOrDefault(i => i.StatusCode == status)?.AtNanoseconds / TimeUnits.NanosecondsPerMillisecond ?? -1;
        yield return new("MEDIA_CONNECT indicated", host.CountIndications(NdisApi.NDIS_STATUS_MEDIA_CONNECT));
        yield return new("first MEDIA_CONNECT at ms", FirstMs(NdisApi.NDIS_STATUS_MEDIA_CONNECT));
        yield return new("MEDIA_DISCONNECT indicated", host.CountIndications(NdisApi.NDIS_STATUS_MEDIA_DISCONNECT));
        yield return new("first MEDIA_DISCONNECT at ms", FirstMs(NdisApi.NDIS_STATUS_MEDIA_DISCONNECT));
        yield return new("media OIDs agreeing", pcnet.OidAgreements);
        yield return new("media OIDs disagreeing", pcnet.OidDisagreements);
        yield return new("frames sent", pcnet.Sends);
        yield return new("frames received intact", pcnet.ReceivedIntact);
        yield return new("resets succeeded", pcnet.ResetsSucceeded);
        yield return new("hang checks", _ndisAdapters.Sum(a => a.HangChecks));
        yield return new("shared memory left at halt", _ndisAdapters.Sum(a => Math.Max(0, a.SharedMemoryLeftAtHalt)));
    }

    private IEnumerable<KeyValuePair<string, long>> NdisFacts()
    {
        if (_ndisHost is not { } host || _scenario is not { } scenario)
        {
            yield break;
        }

        yield return new("OID requests answered", scenario.OidsSucceeded);
        yield return new("OID requests failed", scenario.OidsFailed);
        yield return new("sends", scenario.Sends);
        yield return new("sends completed", host.CountCompletions("SendComplete"));
        yield return new("receives indicated", _ndisAdapters.Sum(a => a.ReceivedNetBufferLists));
        yield return new("receives returned", _ndisAdapters.Sum(a => a.ReturnedNetBufferLists));
        yield return new("pauses completed later", host.CountCompletions("PauseComplete"));
        yield return new("resets completed later", host.CountCompletions("ResetComplete"));
        yield return new("restarts failed", scenario.RestartsFailed);
    }

    public IReadOnlyList<string> InvariantFailures => _failures;

    /// <summary>The driver object, once loaded (the soak watches that it is collected after <see cref="Finish"/>).</summary>
    internal NativeDriver? Driver => _driver;

    /// <summary>The Storport adapters added so far, in scenario order (the soak submits requests to them): an adapter is there once its start returned.</summary>
    internal IReadOnlyList<StorportAdapter> StorportAdapters => [.. _storportScenarios.Select(s => s.Adapter).OfType<StorportAdapter>()];

    /// <summary>
    /// How long <see cref="Finish"/> waits for an adapter's start that has not returned yet (a real-clock run shorter
    /// than the miniport's wait in its start: nvmewin gives a never-ready controller CAP.TO × 500 ms, 10 s here).
    /// </summary>
    internal static readonly TimeSpan StartReturnTimeout = TimeSpan.FromSeconds(60);

    private bool _startStillRunning;

    /// <summary>Parses one --driver value; null with <paramref name="error"/> set when the file or its stack is not usable.</summary>
    public static NativeDriverRun? TryCreate(string spec, StorportHostOptions storport, NdisHostOptions ndis, int adapters, TextWriter? debugOutput, out string? error, string? device = null)
    {
        if (SpecProblem(spec) is { } problem)
        {
            error = $"run: --driver: {problem}";
            return null;
        }

        var (path, stack) = Parse(spec);

        error = null;
        if (device is not null && (device == "pcnet") != (stack == NativeStack.Ndis))
        {
            error = stack == NativeStack.Ndis
                ? $"run: --device {device}: '{path}' is an NDIS driver; its device is pcnet (ahci and nvme are for a Storport driver)."
                : $"run: --device {device}: '{path}' is a Storport driver; its device is ahci or nvme (pcnet is for an NDIS driver).";
            return null;
        }

        return new NativeDriverRun(System.IO.Path.GetFullPath(path), stack, storport, ndis, adapters) { DebugOutput = debugOutput, Device = device };
    }

    /// <summary>Why the file <paramref name="spec"/> names is not there, or null: checked with the command line.</summary>
    public static string? MissingFile(string spec) => Split(spec).Path is var path && !File.Exists(path) ? $"'{path}': no such file." : null;

    /// <summary>
    /// Why <paramref name="spec"/> (PATH.so[:storport|:ndis]) cannot be hosted, or null: checked before the run starts.
    /// The file must pass the checks made before loading (<see cref="NativeDriver.Verify"/>: a complete x86-64 ELF
    /// shared object with the shim, DriverEntry, and nothing unresolved), and its stack be known.
    /// </summary>
    public static string? SpecProblem(string spec)
    {
        var (path, named) = Split(spec);
        if (!File.Exists(path))
        {
            return $"'{path}': no such file.";
        }

        try
        {
            NativeDriver.Verify(path);
        }
        catch (NativeDriverException ex)
        {
            return ex.Message;
        }

        return StackOf(path, named) == NativeStack.Unknown
            ? $"'{path}' was not built with this repository's storport.h or ndis.h (native/toolchain.mk); name its stack as PATH:storport or PATH:ndis."
            : null;
    }

    private static (string Path, NativeStack Stack) Parse(string spec)
    {
        var (path, named) = Split(spec);
        return (path, StackOf(path, named));
    }

    private static (string Path, string? Named) Split(string spec) =>
        spec.LastIndexOf(':') is var colon and > 0 && spec[(colon + 1)..].ToLowerInvariant() is "storport" or "ndis"
            ? (spec[..colon], spec[(colon + 1)..].ToLowerInvariant())
            : (spec, null);

    private static NativeStack StackOf(string path, string? named) => named switch
    {
        "storport" => NativeStack.Storport,
        "ndis" => NativeStack.Ndis,
        _ => File.Exists(path) ? NativeDriver.DetectStack(path) : NativeStack.Unknown,
    };

    /// <summary>
    /// Creates the driver's host on <paramref name="engine"/>, loads the driver and runs its DriverEntry: called before
    /// the run starts, so a driver that does not load ends the command before any work (exit code 2). Once only.
    /// </summary>
    /// <exception cref="NativeDriverException">The driver failed a check before loading, dlopen refused it, or its
    /// DriverEntry raised a bug check or returned a failure status: the message names the file and the reason.</exception>
    public void Load(TimerEngine engine)
    {
        if (_driver is not null)
        {
            return;
        }

        NativeDriver driver;
        if (Stack == NativeStack.Storport)
        {
            var host = new StorportHost(engine, _storportOptions) { Trace = Trace };
            _storportHost = host;
            driver = NativeStorportDriver.Load(Path, host);
        }
        else
        {
            var host = new NdisHost(engine, _ndisOptions) { Trace = Trace };
            _ndisHost = host;
            driver = NativeNdisDriver.Load(Path, host);
        }

        _driver = driver;
        if (DebugOutput is { } echo)
        {
            driver.DebugPrinted += text => echo.Write(text);
        }
    }

    public void Start(TimerEngine engine, Workload workload, long durationNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(workload);
        try
        {
            Load(engine); // done already when the command loaded it before the run
        }
        catch (NativeDriverException ex)
        {
            _failures.Add($"{Name}: {ex.Message}");
            return;
        }

        if (_storportHost is { } storport)
        {
            // Each adapter gets its own device (an AHCI HBA with its disks, or an NVMe controller), and the Storport
            // scenario plays on it, on a dispatcher of its own (adapter i on dispatcher i, round-robin), its start on a
            // PnP worker thread on the real clock (StorportDriverScenario's remarks).
            for (var i = 0; i < _adapters; i++)
            {
                var scenario = new StorportDriverScenario(storport, ScenarioOptions, dispatcher: i);
                _storportScenarios.Add(scenario);
                scenario.Schedule(workload, durationNanoseconds);
            }
        }
        else if (_ndisHost is { } ndis)
        {
            if (Device == "pcnet")
            {
                var pcnet = new PcnetScenario(_ndisAdapters);
                _pcnet = pcnet;
                workload.At(0, () =>
                {
                    var map = new Devices.Memory.HostAddressMap(0x0010_0000, 0x1_0000_0000); // the PCnet's DMA addresses are 32 bits
                    var hub = new Devices.Pcnet.PcnetHub();
                    for (var i = 0; i < _adapters; i++)
                    {
                        _ndisAdapters.Add(ndis.AddAdapter(pcnet.CreateNic(ndis.Engine, map, hub, i)));
                    }
                });
                pcnet.Schedule(workload);
                return;
            }

            workload.At(0, () =>
            {
                for (var i = 0; i < _adapters; i++)
                {
                    _ndisAdapters.Add(ndis.AddAdapter());
                }
            });
            _scenario = new NdisDriverScenario(_ndisAdapters);
            _scenario.Schedule(workload);
        }
    }

    public void Finish()
    {
        foreach (var scenario in _storportScenarios)
        {
            // PnP removes a device only once its start returned: a miniport may still wait in its start (a real-clock
            // run shorter than its wait). One that never returns is left alone, with its driver loaded.
            if (!scenario.WaitForStart(StartReturnTimeout))
            {
                _startStillRunning = true;
                _failures.Add($"{Name}: an adapter's start (HwStorFindAdapter, HwStorInitialize or HwStorPassiveInitializeRoutine) had not returned {StartReturnTimeout.TotalSeconds:N0} s after the run's end; it is left running, and the driver loaded");
            }

            _failures.AddRange(scenario.Failures.Select(f => $"{Name}: {f}"));
        }

        foreach (var adapter in StorportAdapters)
        {
            adapter.Remove();
        }
        _ndisAdapters.ForEach(a => a.Halt());
        if (_pcnet is { } pcnet && DebugOutput is { } output)
        {
            foreach (var indication in _ndisHost?.Indications ?? [])
            {
                output.WriteLine($"pcnet scenario: {indication.Adapter}: {NdisApi.NdisStatusName(indication.StatusCode)} indicated at {indication.AtNanoseconds / 1000.0:N3} µs");
            }

            foreach (var line in pcnet.Events)
            {
                output.WriteLine($"pcnet scenario: {line}");
            }
        }

        if (_startStillRunning)
        {
            return; // its code still runs on the start thread: its memory must stay
        }

        if (_driver is NativeNdisDriver ndisDriver && !ndisDriver.Unload())
        {
            _failures.Add($"{Name}: MiniportDriverUnload raised a bug check (see the debug output)");
        }

        (_driver as IDisposable)?.Dispose();
    }
}
