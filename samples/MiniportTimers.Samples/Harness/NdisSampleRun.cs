using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Ndis;

namespace MiniportTimers.Samples.Harness;

/// <summary>
/// What the NDIS samples share: a host on the run's engine, the driver registered, the adapters created at the start of
/// the run, the sample's workload scheduled, and every adapter halted when the run's time is up.
/// </summary>
public abstract class NdisSampleRun : ISampleRun
{
    private NdisHost? _host;

    // The adapters the run created, by index (the host releases an adapter once it is halted, the run still reports it).
    // Written on the PnP thread, read by the workload's events: by index, because with several dispatchers the starts of
    // one offset come due on different dispatchers and reach the PnP thread in either order (appending to a list then
    // gave adapter 1 the slot of adapter 0, or an index past the end: an engine callback fault).
    private readonly NdisMiniportAdapter?[] _adapters;

    /// <summary>Prepares a run with <paramref name="adapters"/> adapters.</summary>
    protected NdisSampleRun(int adapters)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(adapters, 1);
        AdapterCount = adapters;
        _adapters = new NdisMiniportAdapter?[adapters];
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>Adapters the run creates.</summary>
    public int AdapterCount { get; }

    /// <summary>The adapters the run created, in the order of their indexes (halted ones included; one whose start has not
    /// run yet is left out).</summary>
    public IReadOnlyList<NdisMiniportAdapter> Adapters
    {
        get
        {
            var created = new List<NdisMiniportAdapter>(_adapters.Length);
            for (var i = 0; i < _adapters.Length; i++)
            {
                if (Volatile.Read(ref _adapters[i]) is { } adapter)
                {
                    created.Add(adapter);
                }
            }

            return created;
        }
    }

    /// <summary>The host, once started.</summary>
    public NdisHost Host => _host ?? throw new InvalidOperationException("Not started.");

    /// <inheritdoc />
    public HostDiagnostics Diagnostics => Host.Diagnostics;

    /// <inheritdoc />
    public TraceRecorder? Trace { get; set; }

    /// <summary>The host's options (verifier, Windows clock tick); null = the defaults.</summary>
    public NdisHostOptions? Options { get; init; }

    /// <inheritdoc />
    public abstract IReadOnlyList<KeyValuePair<string, long>> Facts { get; }

    /// <inheritdoc />
    public virtual IReadOnlyList<string> InvariantFailures => [];

    /// <inheritdoc />
    public void Start(TimerEngine engine, Workload workload, long durationNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var host = new NdisHost(engine, Options) { Trace = Trace };
        _host = host;
        if (host.NdisMRegisterMiniportDriver(CreateCharacteristics(), null, out _) != NdisApi.NDIS_STATUS_SUCCESS)
        {
            throw new InvalidOperationException($"{Name}: NdisMRegisterMiniportDriver failed.");
        }

        for (var i = 0; i < AdapterCount; i++)
        {
            var index = i;
            workload.StartDevice(0, () => Volatile.Write(ref _adapters[index], host.AddAdapter(CreateDevice(engine, index))), () => ScheduleWorkload(workload, () => Volatile.Read(ref _adapters[index])!, durationNanoseconds));
        }
    }

    /// <inheritdoc />
    public void Finish()
    {
        foreach (var adapter in Adapters)
        {
            adapter.Halt();
        }
    }

    /// <summary>The device adapter <paramref name="index"/> drives (its PCI function on the emulated bus), or null for none (the default).</summary>
    /// <param name="engine">The host's engine: the device's clock.</param>
    /// <param name="index">The adapter's index, from 0.</param>
    protected virtual MiniportTimers.Devices.Pci.IPciDevice? CreateDevice(TimerEngine engine, int index) => null;

    /// <summary>The miniport's handlers.</summary>
    protected abstract NDIS_MINIPORT_DRIVER_CHARACTERISTICS CreateCharacteristics();

    /// <summary>Schedules what happens to one adapter during the run (its adapter exists from offset 0 on).</summary>
    protected abstract void ScheduleWorkload(Workload workload, Func<NdisMiniportAdapter> adapter, long durationNanoseconds);

    /// <summary>Completions of one kind (optionally only those from timer callbacks).</summary>
    protected long Completions(string kind, bool fromTimerOnly = false) =>
        Host.CountCompletions(kind, fromTimerCallback: fromTimerOnly ? true : null);
}
