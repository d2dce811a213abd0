using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Watchdog;
using MiniportTimers.Ndis.Timers;

namespace MiniportTimers.Ndis;

/// <summary>
/// The NDIS library of the emulation: registers a miniport driver, creates its adapters and drives them (initialize,
/// pause, restart, reset, OID requests, sends, halt), and runs their NDIS 5 timers and NDIS 6 timer objects on one
/// <see cref="TimerEngine"/>. It records indications, completions, timer activity, bug checks and findings.
/// </summary>
/// <remarks>
/// Thread safety: all members are thread-safe. Once its engine is disposed, DDIs that would arm a timer throw
/// <see cref="ObjectDisposedException"/> (the harness tore the host down); cancels and frees stay safe
/// (docs/reliability.md, "Decisions").
/// </remarks>
public sealed class NdisHost
{
    private readonly object _gate = new();
    private readonly List<NdisMiniportAdapter> _adapters = [];
    private readonly KeyedRecentLog<uint, NdisIndication> _indications;
    private readonly KeyedRecentLog<(string Kind, uint Status, bool FromTimerCallback), NdisCompletion> _completions;
    private NDIS_MINIPORT_DRIVER_CHARACTERISTICS? _characteristics;
    private object? _driverContext;

    /// <summary>Creates a host on <paramref name="engine"/>.</summary>
    public NdisHost(TimerEngine engine, NdisHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
        Options = options ?? new NdisHostOptions();
        Diagnostics = new HostDiagnostics(Options.RecentRecordsPerKind);
        _indications = new(Options.RecentRecordsPerKind);
        _completions = new(Options.RecentRecordsPerKind);
    }

    /// <summary>The engine every timer of this host runs on.</summary>
    public TimerEngine Engine { get; }

    /// <summary>The host's options.</summary>
    public NdisHostOptions Options { get; }

    /// <summary>A recorder for a Chrome/Perfetto trace of this host's timers and callbacks; null (the default) records nothing.</summary>
    public TraceRecorder? Trace { get; set; }

    /// <summary>Timer activity, bug checks and verifier findings.</summary>
    public HostDiagnostics Diagnostics { get; }

    /// <summary>The registered driver, once NdisMRegisterMiniportDriver succeeded.</summary>
    public NdisDriverHandle? DriverHandle { get; private set; }

    /// <summary>The adapters created so far.</summary>
    public IReadOnlyList<NdisMiniportAdapter> Adapters
    {
        get
        {
            lock (_gate)
            {
                return [.. _adapters];
            }
        }
    }

    /// <summary>
    /// Status indications, in order: the most recent <see cref="Kernel.KernelHostOptions.RecentRecordsPerKind"/> of each
    /// status code. <see cref="IndicationCount"/> and <see cref="CountIndications"/> count every one ever made.
    /// </summary>
    public IReadOnlyList<NdisIndication> Indications => _indications.Snapshot();

    /// <summary>Every status indication ever made.</summary>
    public long IndicationCount => _indications.TotalCount;

    /// <summary>Completions, in order: the most recent <see cref="Kernel.KernelHostOptions.RecentRecordsPerKind"/> of each
    /// (kind, status, from-timer-callback) combination. <see cref="CountCompletions"/> counts every one ever made.</summary>
    public IReadOnlyList<NdisCompletion> Completions => _completions.Snapshot();

    /// <summary>Every completion ever made.</summary>
    public long CompletionCount => _completions.TotalCount;

    /// <summary>Counts every status indication ever made with <paramref name="statusCode"/>.</summary>
    public long CountIndications(uint statusCode) => _indications.Count(code => code == statusCode);

    /// <summary>Counts every completion ever made that matches each criterion given (null matches anything).</summary>
    /// <param name="kind">The completion kind, e.g. "ResetComplete", "SendComplete".</param>
    /// <param name="status">The NDIS_STATUS it completed with.</param>
    /// <param name="fromTimerCallback">True: only completions made inside a timer callback; false: only outside one.</param>
    public long CountCompletions(string? kind = null, uint? status = null, bool? fromTimerCallback = null) =>
        _completions.Count(k => (kind is null || k.Kind == kind) && (status is null || k.Status == status) && (fromTimerCallback is null || k.FromTimerCallback == fromTimerCallback));

    /// <summary>
    /// Registers the miniport driver (NdisMRegisterMiniportDriver). Returns NDIS_STATUS_SUCCESS, or
    /// NDIS_STATUS_BAD_CHARACTERISTICS when MiniportInitializeEx or MiniportHaltEx is missing.
    /// </summary>
    public uint NdisMRegisterMiniportDriver(NDIS_MINIPORT_DRIVER_CHARACTERISTICS miniportDriverCharacteristics, object? miniportDriverContext, out NdisDriverHandle? ndisMiniportDriverHandle)
    {
        ArgumentNullException.ThrowIfNull(miniportDriverCharacteristics);
        ndisMiniportDriverHandle = null;
        if (miniportDriverCharacteristics.InitializeHandlerEx is null || miniportDriverCharacteristics.HaltHandlerEx is null)
        {
            return NdisApi.NDIS_STATUS_BAD_CHARACTERISTICS;
        }

        lock (_gate)
        {
            _characteristics = miniportDriverCharacteristics;
            _driverContext = miniportDriverContext;
            DriverHandle = new NdisDriverHandle(this);
            ndisMiniportDriverHandle = DriverHandle;
        }

        return NdisApi.NDIS_STATUS_SUCCESS;
    }

    /// <summary>Creates an adapter and runs MiniportInitializeEx at PASSIVE_LEVEL, then MiniportRestart if there is one.</summary>
    /// <returns>The adapter; check <see cref="NdisMiniportAdapter.State"/>.</returns>
    /// <exception cref="InvalidOperationException">No driver is registered.</exception>
    public NdisMiniportAdapter AddAdapter()
    {
        NdisMiniportAdapter adapter;
        object? driverContext;
        lock (_gate)
        {
            var characteristics = _characteristics ?? throw new InvalidOperationException("Call NdisMRegisterMiniportDriver first.");
            driverContext = _driverContext;
            adapter = new NdisMiniportAdapter(this, $"nic{_adapters.Count}", characteristics);
            _adapters.Add(adapter);
        }

        adapter.Initialize(driverContext);
        return adapter;
    }

    /// <summary>System time (100 ns since 1601) at engine time <paramref name="engineNanoseconds"/>.</summary>
    public long SystemTime100ns(long engineNanoseconds) => KernelTime.SystemTime100ns(engineNanoseconds, Options.SystemTimeAtEngineZero100ns);

    internal void RunTimerCallback(NdisTimer timer, in TimerFiring firing)
    {
        var f = firing;
        if (timer.Owner is { } owner)
        {
            owner.RunCallback(timer, f);
            return;
        }

        // A driver-level timer (no adapter): the same DPC watchdog as an adapter's timer callback (issue 10, bug 8).
        var fault = KernelContext.Run(Engine, KIRQL.DISPATCH_LEVEL, (timer, f, Engine, Options), static s =>
            DpcWatchdog.RunWatched("TimerCallback", s.Engine, s.Options, (s.timer, s.f), static t => t.timer.Invoke(t.f)), hostOptions: Options);
        if (fault is not null)
        {
            Diagnostics.Add(new BugCheckReport("driver", "TimerCallback", Engine.NowNanoseconds, fault));
            Trace?.BugCheck("driver", "TimerCallback", fault.CodeName, Engine.NowNanoseconds);
        }
    }

    internal void Record(NdisIndication indication) => _indications.Add(indication.StatusCode, indication);

    internal void Record(NdisCompletion completion) =>
        _completions.Add((completion.Kind, completion.Status, completion.FromTimerCallback), completion);
}
