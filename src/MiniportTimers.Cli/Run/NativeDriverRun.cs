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
/// instead of the C# samples: its DriverEntry runs at the start, one adapter is added at time 0 (HwStorFindAdapter or
/// MiniportInitializeEx), and it is removed or halted when the run's time is up. Its timers appear in the report under
/// their C names, with the same verifier, bug checks, JSON and trace as the samples'.
/// </summary>
internal sealed class NativeDriverRun : ISampleRun
{
    private readonly StorportHostOptions _storportOptions;
    private readonly NdisHostOptions _ndisOptions;
    private readonly List<string> _failures = [];
    private StorportHost? _storportHost;
    private NdisHost? _ndisHost;
    private NativeDriver? _driver;
    private StorportAdapter? _storportAdapter;
    private NdisMiniportAdapter? _ndisAdapter;

    private NativeDriverRun(string path, NativeStack stack, StorportHostOptions storportOptions, NdisHostOptions ndisOptions)
    {
        Path = path;
        Stack = stack;
        Name = System.IO.Path.GetFileNameWithoutExtension(path);
        (_storportOptions, _ndisOptions) = (storportOptions, ndisOptions);
    }

    public string Name { get; }

    public string Path { get; }

    public NativeStack Stack { get; }

    public TraceRecorder? Trace { get; set; }

    public HostDiagnostics Diagnostics => (HostDiagnostics?)_storportHost?.Diagnostics ?? _ndisHost?.Diagnostics ?? throw new InvalidOperationException("Not started.");

    public IReadOnlyList<KeyValuePair<string, long>> Facts =>
    [
        new("adapters started", (_storportAdapter is { } s && s.State is not AdapterState.Failed) || (_ndisAdapter is { } n && n.State is not NdisAdapterState.Failed) ? 1 : 0),
        new("debug prints", _driver?.DebugOutput.Count ?? 0),
    ];

    public IReadOnlyList<string> InvariantFailures => _failures;

    /// <summary>Parses one --driver value; null with <paramref name="error"/> set when the file or its stack is not usable.</summary>
    public static NativeDriverRun? TryCreate(string spec, StorportHostOptions storport, NdisHostOptions ndis, out string? error)
    {
        var (path, named) = spec.LastIndexOf(':') is var colon and > 0 && spec[(colon + 1)..].ToLowerInvariant() is "storport" or "ndis"
            ? (spec[..colon], spec[(colon + 1)..].ToLowerInvariant())
            : (spec, null);
        if (!File.Exists(path))
        {
            error = $"run: --driver {spec}: no such file.";
            return null;
        }

        var stack = named switch
        {
            "storport" => NativeStack.Storport,
            "ndis" => NativeStack.Ndis,
            _ => NativeDriver.DetectStack(path),
        };
        if (stack == NativeStack.Unknown)
        {
            error = $"run: --driver {spec}: not built with this repository's storport.h or ndis.h (native/toolchain.mk); name the stack as PATH:storport or PATH:ndis.";
            return null;
        }

        error = null;
        return new NativeDriverRun(System.IO.Path.GetFullPath(path), stack, storport, ndis);
    }

    public void Start(TimerEngine engine, Workload workload, long durationNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(workload);
        if (Stack == NativeStack.Storport)
        {
            var host = new StorportHost(engine, _storportOptions) { Trace = Trace };
            _storportHost = host;
            var driver = NativeStorportDriver.Load(Path, host);
            _driver = driver;
            if (driver.DriverEntryStatus != 0)
            {
                _failures.Add($"{Name}: DriverEntry returned 0x{driver.DriverEntryStatus:X8}");
                return;
            }

            workload.At(0, () => _storportAdapter = host.AddAdapter());
        }
        else
        {
            var host = new NdisHost(engine, _ndisOptions) { Trace = Trace };
            _ndisHost = host;
            var driver = NativeNdisDriver.Load(Path, host);
            _driver = driver;
            if (driver.DriverEntryStatus != 0)
            {
                _failures.Add($"{Name}: DriverEntry returned 0x{driver.DriverEntryStatus:X8}");
                return;
            }

            workload.At(0, () => _ndisAdapter = host.AddAdapter());
        }
    }

    public void Finish()
    {
        _storportAdapter?.Remove();
        _ndisAdapter?.Halt();
        (_driver as IDisposable)?.Dispose();
    }
}
