using MiniportTimers.Engine;

namespace MiniportTimers.Samples.Harness;

/// <summary>
/// A sample's own events (the rest of the system acting on the miniport: I/O, power, hot-plug): engine timers at fixed
/// offsets from the run's origin, so the same workload plays on the virtual and the real clock. Its random source is
/// used on the dispatching thread only, which keeps virtual runs deterministic.
/// </summary>
/// <remarks>
/// On a real engine with several dispatchers, the events of a workload are dealt over the dispatchers as they are
/// armed and run concurrently, in no order relative to each other: a sample whose events share state takes a view
/// pinned to one dispatcher (<see cref="PinnedTo"/>), whose events then run one at a time in due order. A view shares
/// the origin and the random source, which its callers then share across dispatchers (lock it).
/// </remarks>
public sealed class Workload
{
    private readonly TimerEngine _engine;
    private readonly int? _dispatcher;

    /// <summary>Creates a workload on <paramref name="engine"/> whose offsets count from <paramref name="originNanoseconds"/>.</summary>
    public Workload(TimerEngine engine, long originNanoseconds, int seed)
        : this(engine, originNanoseconds, new Random(seed), null)
    {
    }

    private Workload(TimerEngine engine, long originNanoseconds, Random random, int? dispatcher, PnpStarts? pnp = null)
    {
        _engine = engine;
        Origin = originNanoseconds;
        Random = random;
        _dispatcher = dispatcher;
        _pnp = engine.IsVirtual ? null : pnp ?? new PnpStarts(engine);
    }

    /// <summary>Real engines: the PnP thread of this workload and its views (<see cref="StartDevice"/>); null on a virtual engine.</summary>
    private readonly PnpStarts? _pnp;

    /// <summary>Engine time of offset 0, ns.</summary>
    public long Origin { get; }

    /// <summary>The workload's random source (dispatching thread only).</summary>
    public Random Random { get; }

    /// <summary>The dispatcher this view's events run on, or null (dealt as they are armed).</summary>
    public int? Dispatcher => _dispatcher;

    /// <summary>
    /// A view of this workload (same engine, origin and random source) whose events all run on dispatcher
    /// <paramref name="dispatcher"/> of the engine (reduced modulo its <see cref="TimerEngine.DispatcherCount"/>: 0 on a
    /// virtual engine or a real one with one dispatcher, where nothing changes).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dispatcher"/> is negative.</exception>
    public Workload PinnedTo(int dispatcher)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dispatcher);
        return new Workload(_engine, Origin, Random, dispatcher % _engine.DispatcherCount, _pnp);
    }

    /// <summary>Runs <paramref name="action"/> at <paramref name="offsetNanoseconds"/> after the origin.</summary>
    public void At(long offsetNanoseconds, Action action) =>
        _engine.Arm(Create(static (t, in _) => ((Action)t.State!)(), action), Origin + offsetNanoseconds);

    /// <summary>
    /// Starts a device at <paramref name="offsetNanoseconds"/> after the origin, as PnP does: <paramref name="start"/>
    /// (adding the adapter: the miniport's HwFindAdapter and HwInitialize, or MiniportInitializeEx), then
    /// <paramref name="then"/> (scheduling what happens to the device during the run). On a virtual engine
    /// <paramref name="start"/> is an event at that offset and <paramref name="then"/> runs now, so a virtual run plays
    /// exactly as before. On a real engine both run, in that order, on the workload's PnP thread once the offset is
    /// reached (<see cref="PnpStarts"/>): a start never holds up the dispatcher's timers, and the device's events are
    /// armed only once it exists (one whose offset has passed by then runs at once).
    /// </summary>
    /// <remarks>Call from the sample's Start; <see cref="WaitForDeviceStarts"/> waits for the starts before the run is finished.</remarks>
    public void StartDevice(long offsetNanoseconds, Action start, Action? then = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (_pnp is not { } pnp)
        {
            At(offsetNanoseconds, start);
            then?.Invoke();
            return;
        }

        pnp.EnsureThread();

        // Handed to the PnP thread from one dispatcher (0), so that starts of one offset reach it in the order they were
        // asked for (dealt over several dispatchers they raced, and adapter 1 could start before adapter 0).
        PinnedTo(0).At(offsetNanoseconds, () => pnp.Enqueue(() =>
        {
            start();
            then?.Invoke();
        }));
    }

    /// <summary>
    /// Runs <paramref name="action"/> at <paramref name="offsetNanoseconds"/> after the origin as the system does what it
    /// does at PASSIVE_LEVEL on a worker thread, never in a DPC (NDIS's MiniportPause and MiniportRestart): on a real
    /// engine on the workload's PnP thread (<see cref="StartDevice"/>), after the starts queued before it; on a virtual
    /// engine an event, exactly as <see cref="At"/>.
    /// </summary>
    public void AtPassive(long offsetNanoseconds, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (_pnp is not { } pnp)
        {
            At(offsetNanoseconds, action);
            return;
        }

        pnp.EnsureThread();
        At(offsetNanoseconds, () => pnp.Enqueue(action));
    }

    /// <summary>
    /// Waits until the device starts of this workload (<see cref="StartDevice"/>) have returned, at most
    /// <paramref name="timeout"/>; true when they have (at once on a virtual engine). No start may be queued afterwards.
    /// </summary>
    public bool WaitForDeviceStarts(TimeSpan timeout) => _pnp?.WaitForStarts(timeout) ?? true;

    /// <summary>Runs <paramref name="action"/> <paramref name="delayNanoseconds"/> from now.</summary>
    public void After(long delayNanoseconds, Action action) =>
        _engine.ArmAfter(Create(static (t, in _) => ((Action)t.State!)(), action), delayNanoseconds);

    /// <summary>Runs <paramref name="action"/> every period from start + period until end (offsets from the origin).</summary>
    public void Every(long periodNanoseconds, long startNanoseconds, long endNanoseconds, Action<Random> action)
    {
        var timer = Create((t, in f) =>
        {
            if (f.DueNanoseconds - Origin > endNanoseconds)
            {
                t.Engine.Cancel(t);
                return;
            }

            ((Action<Random>)t.State!)(Random);
        }, action); // the action as the state: reports name it (TimerEngine.LongestCallbackName)
        _engine.Arm(timer, Origin + startNanoseconds + periodNanoseconds, 0, periodNanoseconds);
    }

    private EngineTimer Create(EngineTimerCallback callback, object? state)
    {
        var timer = _engine.CreateTimer(callback, state);
        if (_dispatcher is { } dispatcher && _engine.DispatcherCount > 1)
        {
            _engine.TrySetTargetDispatcher(timer, dispatcher); // a new timer is idle: this pins it
        }

        return timer;
    }
}
