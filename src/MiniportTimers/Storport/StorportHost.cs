using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;

namespace MiniportTimers.Storport;

/// <summary>
/// The Storport port driver of the emulation: takes a miniport's <see cref="HW_INITIALIZATION_DATA"/>, creates
/// adapters for it, and runs every timer of those adapters on one <see cref="TimerEngine"/>. It records what the
/// timers did (<see cref="TimerActivity"/>), where requests completed, and every bug check and verifier finding.
/// </summary>
/// <remarks>
/// Use a <see cref="VirtualTimerEngine"/> for deterministic tests (advance it to make time pass) or a
/// <see cref="RealTimeTimerEngine"/> to run on the machine's clock. Thread safety: all members are thread-safe.
/// Once its engine is disposed, DDIs that would arm a timer throw <see cref="ObjectDisposedException"/> (the harness tore
/// the host down); cancels and frees stay safe (docs/reliability.md, "Decisions").
/// </remarks>
public sealed class StorportHost
{
    private readonly object _gate = new();
    private readonly List<StorportAdapter> _adapters = [];
    private HW_INITIALIZATION_DATA? _miniport;
    private object? _hwContext;

    /// <summary>Creates a host on <paramref name="engine"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> is null.</exception>
    public StorportHost(TimerEngine engine, StorportHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
        Options = options ?? new StorportHostOptions();
        Diagnostics = new HostDiagnostics(Options.RecentRecordsPerKind);
    }

    private int _stuckCallbackWatchdogStarted;

    /// <summary>The stuck-callback watchdog, once a watched callback has run on a real clock with the verifier on.</summary>
    internal StuckCallbackWatchdog? Watchdog { get; private set; }

    /// <summary>How long without a callback before the watchdog thread parks (tests shorten it).</summary>
    internal TimeSpan WatchdogQuietBeforeParking { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Starts the host's stuck-callback watchdog thread once (real clock, verifier on).</summary>
    internal void EnsureStuckCallbackWatchdog()
    {
        if (Options.Verifier && Interlocked.Exchange(ref _stuckCallbackWatchdogStarted, 1) == 0)
        {
            Watchdog = StuckCallbackWatchdog.Start(this);
        }
    }

    /// <summary>The engine every timer of this host runs on.</summary>
    public TimerEngine Engine { get; }

    /// <summary>The host's options.</summary>
    public StorportHostOptions Options { get; }

    /// <summary>A recorder for a Chrome/Perfetto trace of this host's timers, callbacks and lock holds; null (the default) records nothing.</summary>
    public TraceRecorder? Trace { get; set; }

    /// <summary>Timer activity, bug checks and verifier findings of this host.</summary>
    public HostDiagnostics Diagnostics { get; }

    /// <summary>Per timer kind and callback: arms, fires, cancels, BUSY returns, lateness.</summary>
    public TimerActivityTable TimerActivity => Diagnostics.TimerActivity;

    /// <summary>Requests submitted and where they were completed.</summary>
    public RequestActivity RequestActivity { get; } = new();

    /// <summary>The adapters created so far.</summary>
    public IReadOnlyList<StorportAdapter> Adapters
    {
        get
        {
            lock (_gate)
            {
                return [.. _adapters];
            }
        }
    }

    /// <summary>Every bug check raised by miniport code on this host, in order.</summary>
    public IReadOnlyList<BugCheckReport> BugChecks => Diagnostics.BugChecks;

    /// <summary>Misuse noticed that is not a bug check (decision A6: timers never freed before removal).</summary>
    public IReadOnlyList<VerifierFinding> Findings => Diagnostics.Findings;

    /// <summary>
    /// Registers the miniport, as its DriverEntry does with StorPortInitialize. Returns STATUS_SUCCESS (0), or
    /// STATUS_INVALID_PARAMETER (0xC000000D) when a required routine or the extension factory is missing.
    /// </summary>
    public uint StorPortInitialize(HW_INITIALIZATION_DATA hwInitializationData, object? hwContext = null)
    {
        ArgumentNullException.ThrowIfNull(hwInitializationData);
        var d = hwInitializationData;
        if (d.DeviceExtensionFactory is null || d.HwFindAdapter is null || d.HwInitialize is null || d.HwStartIo is null || d.HwInterrupt is null || d.HwAdapterControl is null)
        {
            return 0xC000000D;
        }

        lock (_gate)
        {
            _miniport = d;
            _hwContext = hwContext;
        }

        return 0;
    }

    /// <summary>
    /// Creates an adapter for the registered miniport and starts it: HwStorFindAdapter at PASSIVE_LEVEL, then
    /// HwStorInitialize at the device IRQL. Call at PASSIVE_LEVEL.
    /// </summary>
    /// <param name="argumentString">The ArgumentString passed to HwStorFindAdapter.</param>
    /// <returns>The adapter; check <see cref="StorportAdapter.State"/> for <see cref="AdapterState.Started"/>.</returns>
    /// <exception cref="InvalidOperationException">No miniport is registered.</exception>
    public StorportAdapter AddAdapter(string? argumentString = null)
    {
        HW_INITIALIZATION_DATA miniport;
        object? hwContext;
        StorportAdapter adapter;
        lock (_gate)
        {
            miniport = _miniport ?? throw new InvalidOperationException("Call StorPortInitialize first.");
            hwContext = _hwContext;
            adapter = new StorportAdapter(this, $"adapter{_adapters.Count}", miniport, miniport.DeviceExtensionFactory!());
            _adapters.Add(adapter);
        }

        adapter.Start(hwContext, argumentString);
        return adapter;
    }

    internal void AddBugCheck(BugCheckReport report) => Diagnostics.Add(report);

    internal void AddFinding(VerifierFinding finding) => Diagnostics.Add(finding);

}
