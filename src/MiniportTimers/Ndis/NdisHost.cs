using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Hosting;

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
public sealed class NdisHost : MiniportHost
{
    private readonly object _gate = new();
    private readonly KeyedRecentLog<uint, NdisIndication> _indications;
    private readonly KeyedRecentLog<(string Kind, uint Status, bool FromTimerCallback), NdisCompletion> _completions;
    private NDIS_MINIPORT_DRIVER_CHARACTERISTICS? _characteristics;
    private object? _driverContext;

    /// <summary>Creates a host on <paramref name="engine"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> is null.</exception>
    public NdisHost(TimerEngine engine, NdisHostOptions? options = null)
        : this(engine, options ?? new NdisHostOptions(), 0)
    {
    }

    private NdisHost(TimerEngine engine, NdisHostOptions options, int _)
        : base(engine, options)
    {
        Options = options;
        _indications = new(options.RecentRecordsPerKind);
        _completions = new(options.RecentRecordsPerKind);
    }

    /// <summary>The host's options.</summary>
    public NdisHostOptions Options { get; }

    /// <summary>The registered driver, once NdisMRegisterMiniportDriver succeeded.</summary>
    public NdisDriverHandle? DriverHandle { get; private set; }

    /// <summary>The adapters added and not yet halted, in the order they were added (a halted adapter, or one whose
    /// MiniportInitializeEx failed, is released: its records stay in <see cref="MiniportHost.Diagnostics"/>,
    /// <see cref="Completions"/> and <see cref="Indications"/>).</summary>
    public IReadOnlyList<NdisMiniportAdapter> Adapters => LiveAdapters<NdisMiniportAdapter>();

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

    /// <summary>
    /// Ends the driver's registration (NdisMDeregisterMiniportDriver, from DriverEntry's failure path or
    /// MiniportDriverUnload): no adapter can be added afterwards. Adapters still live are not touched.
    /// </summary>
    /// <remarks>IRQL: PASSIVE_LEVEL. Thread-safe.</remarks>
    /// <exception cref="ArgumentException"><paramref name="ndisMiniportDriverHandle"/> is not this host's registration.</exception>
    public void NdisMDeregisterMiniportDriver(NdisDriverHandle ndisMiniportDriverHandle)
    {
        ArgumentNullException.ThrowIfNull(ndisMiniportDriverHandle);
        lock (_gate)
        {
            if (!ReferenceEquals(ndisMiniportDriverHandle, DriverHandle))
            {
                throw new ArgumentException("NdisMDeregisterMiniportDriver: not the handle NdisMRegisterMiniportDriver gave this host (or deregistered already).", nameof(ndisMiniportDriverHandle));
            }

            _characteristics = null;
            DriverHandle = null;
        }
    }

    /// <summary>Creates an adapter and runs MiniportInitializeEx at PASSIVE_LEVEL, then MiniportRestart if there is one.</summary>
    /// <returns>The adapter; check <see cref="NdisMiniportAdapter.State"/>.</returns>
    /// <exception cref="InvalidOperationException">No driver is registered.</exception>
    public NdisMiniportAdapter AddAdapter() => AddAdapter(null);

    /// <summary>
    /// Creates an adapter for <paramref name="device"/> (its PCI function on the emulated bus: configuration space,
    /// BARs, line interrupt, DMA through its address map, reached through <see cref="NdisMiniportAdapter.Hardware"/>)
    /// and runs MiniportInitializeEx at PASSIVE_LEVEL, then MiniportRestart if there is one.
    /// </summary>
    /// <param name="device">The device model; null for an adapter without hardware (as <see cref="AddAdapter()"/>).</param>
    /// <returns>The adapter; check <see cref="NdisMiniportAdapter.State"/>.</returns>
    /// <exception cref="InvalidOperationException">No driver is registered.</exception>
    /// <remarks>IRQL: PASSIVE_LEVEL. Thread-safe.</remarks>
    public NdisMiniportAdapter AddAdapter(Devices.Pci.IPciDevice? device)
    {
        NdisMiniportAdapter adapter;
        object? driverContext;
        lock (_gate)
        {
            var characteristics = _characteristics ?? throw new InvalidOperationException("Call NdisMRegisterMiniportDriver first.");
            driverContext = _driverContext;
            adapter = new NdisMiniportAdapter(this, NextAdapterName("nic"), characteristics);
            if (device is not null)
            {
                adapter.Hardware = new Devices.Pci.AdapterHardware(device);
            }

            AddLive(adapter);
        }

        adapter.Initialize(driverContext);
        return adapter;
    }

    internal void Record(NdisIndication indication) => _indications.Add(indication.StatusCode, indication);

    internal void Record(NdisCompletion completion) =>
        _completions.Add((completion.Kind, completion.Status, completion.FromTimerCallback), completion);
}
