using MiniportTimers.Devices.Pci;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Hosting;

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
public sealed class StorportHost : MiniportHost
{
    private readonly object _gate = new();
    private HW_INITIALIZATION_DATA? _miniport;
    private object? _hwContext;
    private readonly HashSet<IPciDevice> _devices = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates a host on <paramref name="engine"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> is null.</exception>
    public StorportHost(TimerEngine engine, StorportHostOptions? options = null)
        : this(engine, options ?? new StorportHostOptions(), 0)
    {
    }

    private StorportHost(TimerEngine engine, StorportHostOptions options, int _)
        : base(engine, options) => Options = options;

    /// <summary>The host's options.</summary>
    public StorportHostOptions Options { get; }

    /// <summary>Per timer kind and callback: arms, fires, cancels, BUSY returns, lateness.</summary>
    public TimerActivityTable TimerActivity => Diagnostics.TimerActivity;

    /// <summary>Requests submitted and where they were completed.</summary>
    public RequestActivity RequestActivity { get; } = new();

    /// <summary>The adapters added and not yet removed, in the order they were added (a removed adapter is released).</summary>
    public IReadOnlyList<StorportAdapter> Adapters => LiveAdapters<StorportAdapter>();

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
    /// <param name="device">
    /// The adapter's hardware, or null for an adapter without a device (the timer-only miniports). With a device,
    /// HwStorFindAdapter finds its BARs in <see cref="PORT_CONFIGURATION_INFORMATION.AccessRanges"/>, StorPortGetBusData
    /// reads its configuration space, StorPortGetDeviceBase maps its registers, its line interrupt runs HwStorInterrupt
    /// once HwStorFindAdapter succeeded, and request buffers, the uncached extension and SRB extensions are mapped in its
    /// address map (docs/devices.md, "The address map"). A device serves one adapter.
    /// </param>
    /// <returns>The adapter; check <see cref="StorportAdapter.State"/> for <see cref="AdapterState.Started"/>.</returns>
    /// <exception cref="InvalidOperationException">No miniport is registered, or <paramref name="device"/> already serves an adapter.</exception>
    /// <remarks>
    /// The start runs on the calling thread, as Windows runs it on a PnP worker thread, and returns when
    /// HwStorPassiveInitializeRoutine has: call it from a thread that may wait. On a real clock, not from a callback of
    /// the host's engine (a dispatcher): a miniport that waits in its start for its own timer (OFA nvmewin's
    /// HwPassiveInitialize polls in a StorPortStallExecution loop until its RequestTimerCall timer has brought the
    /// controller up) would block the dispatcher that must fire it. On a virtual clock a PASSIVE_LEVEL stall advances the
    /// engine on the calling thread, so a workload event of the engine may call it (deterministic). The adapter is in
    /// <see cref="Adapters"/> from the start of its start; its <see cref="Hosting.HostedAdapter.Processor"/> is chosen round-robin.
    /// </remarks>
    public StorportAdapter AddAdapter(string? argumentString = null, IPciDevice? device = null)
    {
        HW_INITIALIZATION_DATA miniport;
        object? hwContext;
        StorportAdapter adapter;
        lock (_gate)
        {
            miniport = _miniport ?? throw new InvalidOperationException("Call StorPortInitialize first.");
            hwContext = _hwContext;
            if (device is not null && !_devices.Add(device))
            {
                throw new InvalidOperationException("The device already serves an adapter of this host.");
            }

            var name = NextAdapterName("adapter");
            adapter = new StorportAdapter(this, name, miniport, miniport.DeviceExtensionFactory!(), device is null ? null : new AdapterHardware(device))
            {
                SystemPortNumber = checked((ushort)int.Parse(name.AsSpan("adapter".Length), System.Globalization.CultureInfo.InvariantCulture)),
            };
            AddLive(adapter);
        }

        adapter.Start(hwContext, argumentString);
        return adapter;
    }

    /// <summary>
    /// A miniport's StorPortStateChangeDetected was taken: what Storport does next (it asks PnP to rescan the bus, and
    /// the units there are enumerated again). Raised on the engine's dispatcher of the adapter's processor
    /// (<see cref="Hosting.HostedAdapter.Processor"/>, where its requests' completion routines also run) once the miniport's
    /// routine returned, with no lock of the host held: the adapter, the STATE_CHANGE_* entity and the bus (path).
    /// Handlers must not throw.
    /// </summary>
    public event Action<StorportAdapter, uint, byte>? RescanRequested;

    internal bool HasRescanHandlers => RescanRequested is not null;

    internal void RaiseRescanRequested(StorportAdapter adapter, uint changedEntity, byte pathId) => RescanRequested?.Invoke(adapter, changedEntity, pathId);

    /// <summary>The adapter was removed: its device may serve a new adapter.</summary>
    internal void ForgetDevice(IPciDevice device)
    {
        lock (_gate)
        {
            _devices.Remove(device);
        }
    }

}
