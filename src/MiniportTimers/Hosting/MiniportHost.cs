using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Hosting.Routines;
using MiniportTimers.Hosting.Watchdog;
using MiniportTimers.Kernel;

namespace MiniportTimers.Hosting;

/// <summary>
/// What every host (Storport's <c>StorportHost</c>, NDIS's <c>NdisHost</c>) is: one <see cref="TimerEngine"/> every timer
/// of its adapters runs on, one epoch (<see cref="KernelHostOptions.SystemTimeAtEngineZero100ns"/>) for every DDI that
/// takes or gives an absolute time, one record of what happened (<see cref="Diagnostics"/>, <see cref="Trace"/>), the
/// live adapters, and the stuck-callback watchdog thread (real clock, verifier on) that watches all of them.
/// </summary>
/// <remarks>
/// Thread safety: all members are thread-safe. A halted or removed adapter is released: the host forgets it (its bug
/// checks, findings and timer activity stay in the host's <see cref="Diagnostics"/>), so a host that adds and removes
/// adapters for hours keeps constant memory.
/// </remarks>
public abstract class MiniportHost
{
    /// <summary>The track and "adapter" name of a host's driver-level code (a timer allocated with the driver handle outside any adapter routine).</summary>
    internal const string DriverTrack = "driver";

    private readonly object _gate = new();
    private readonly List<HostedAdapter> _adapters = [];
    private int _adaptersCreated;
    private int _stuckCallbackWatchdogStarted;

    private protected MiniportHost(TimerEngine engine, KernelHostOptions options)
    {
        if (!engine.IsVirtual)
        {
            HostingWarmUp.EnsureWarm(); // the first real-clock host of a process: compile the expiry path now, not on the first expiry
        }
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
        HostOptions = options;
        Diagnostics = new HostDiagnostics(options.RecentRecordsPerKind);
        DriverWatch = new CallbackWatch(this, null);
        TimerRecords = new Timers.HostTimerRecords(this);
        DriverScope = KernelScope.ForHost(engine, options, bugCheck => ReportBugCheck(DriverTrack, "KernelDpc", bugCheck), DriverWatch, TimerRecords, DriverTrack, (rule, finding) => Diagnostics.Add(new VerifierFinding(DriverTrack, rule, finding)));
        if (!engine.IsVirtual)
        {
            // On the real clock the watchdog thread starts with the host, not in the first callback, where starting a
            // thread (and compiling its code) held up the dispatcher for 2-3 ms, the run's longest callback (issue 27's
            // tails). On a virtual engine it stays lazy: most virtual hosts never run a callback long enough to need it.
            EnsureStuckCallbackWatchdog();
        }
    }

    /// <summary>The engine every timer of this host runs on.</summary>
    public TimerEngine Engine { get; }

    /// <summary>Timer activity, bug checks and verifier findings of this host.</summary>
    public HostDiagnostics Diagnostics { get; }

    /// <summary>A recorder for a Chrome/Perfetto trace of this host's timers, callbacks and lock holds; null (the default) records nothing.</summary>
    public TraceRecorder? Trace { get; set; }

    /// <summary>System time (100 ns since 1601, as KeQuerySystemTime) at engine time <paramref name="engineNanoseconds"/>, on the host's one epoch.</summary>
    public long SystemTime100ns(long engineNanoseconds) => KernelTime.SystemTime100ns(engineNanoseconds, HostOptions.SystemTimeAtEngineZero100ns);

    /// <summary>The options both stacks share (each host's <c>Options</c> is the same object, typed).</summary>
    internal KernelHostOptions HostOptions { get; }

    /// <summary>Where every timer of the host, the Ke/Ex timers of its routines included, records its rows and trace events.</summary>
    internal Kernel.Timers.ITimerRecords TimerRecords { get; }

    /// <summary>The kernel scope of the host's driver-level code (no adapter routine running).</summary>
    internal KernelScope DriverScope { get; }

    /// <summary>The stuck-callback watch of the host's driver-level callbacks.</summary>
    internal CallbackWatch DriverWatch { get; }

    /// <summary>The stuck-callback watchdog, once a watched callback has run on a real clock with the verifier on.</summary>
    internal StuckCallbackWatchdog? Watchdog { get; private set; }

    /// <summary>How long without a callback before the watchdog thread dozes: a scan every allotment instead of every quarter of it, and still no callback has to wake it.</summary>
    internal TimeSpan WatchdogQuietBeforeDozing { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long without a callback before the watchdog thread parks: no scan until a callback wakes it (tests shorten it).</summary>
    internal TimeSpan WatchdogQuietBeforeParking { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Starts the host's stuck-callback watchdog thread once (real clock, verifier on).</summary>
    internal void EnsureStuckCallbackWatchdog()
    {
        if (HostOptions.Verifier && Volatile.Read(ref _stuckCallbackWatchdogStarted) == 0 && Interlocked.Exchange(ref _stuckCallbackWatchdogStarted, 1) == 0)
        {
            Watchdog = StuckCallbackWatchdog.Start(this);
        }
    }

    /// <summary>The watches the watchdog thread scans: the driver-level one and every live adapter's.</summary>
    internal List<CallbackWatch> CallbackWatches()
    {
        lock (_gate)
        {
            var watches = new List<CallbackWatch>(_adapters.Count + 1) { DriverWatch };
            foreach (var adapter in _adapters)
            {
                watches.Add(adapter.Watch);
            }

            return watches;
        }
    }

    /// <summary>Records a bug check (and traces it) under <paramref name="where"/> (an adapter name or <see cref="DriverTrack"/>).</summary>
    internal void ReportBugCheck(string where, string routine, BugCheckException bugCheck)
    {
        var now = Engine.NowNanoseconds;
        Diagnostics.Add(new BugCheckReport(where, routine, now, bugCheck));
        Trace?.BugCheck(where, routine, bugCheck.CodeName, now);
    }

    /// <summary>
    /// A misuse in a miniport routine, for both stacks: <see cref="VerifierDecision.Decide"/> says whether it is the row's bug
    /// check (thrown: the caller's routine stops its adapter) or, with the verifier off, <paramref name="finding"/>
    /// recorded under the row's name, after which the caller gives the row's verifier-off answer.
    /// </summary>
    /// <param name="where">The adapter's name, or <see cref="DriverTrack"/>.</param>
    /// <param name="misuse">The row of <see cref="Misuses"/>.</param>
    /// <param name="detail">The bug check's detail text.</param>
    /// <param name="finding">The finding's text.</param>
    /// <param name="parameter2">P2, as the row says.</param>
    /// <param name="parameter3">P3.</param>
    /// <param name="parameter4">P4.</param>
    /// <exception cref="BugCheckException">The row's bug check, with the verifier on.</exception>
    internal void Misuse(string where, Misuse misuse, string detail, string finding, ulong parameter2 = 0, ulong parameter3 = 0, ulong parameter4 = 0)
    {
        if (VerifierDecision.Decide(HostOptions, misuse, parameter2, parameter3, parameter4, detail) is { } bugCheck)
        {
            throw bugCheck;
        }

        Diagnostics.Add(new VerifierFinding(where, misuse.Name, finding));
    }

    /// <summary>
    /// The same decision at teardown, where no miniport routine runs to be stopped: with the verifier the bug check is
    /// recorded under <paramref name="routine"/> (the adapter is going away anyway), without it the finding.
    /// </summary>
    internal void TeardownMisuse(string where, string routine, Misuse misuse, string detail, string finding, ulong parameter2 = 0)
    {
        if (VerifierDecision.Decide(HostOptions, misuse, parameter2, 0, 0, detail) is { } bugCheck)
        {
            ReportBugCheck(where, routine, bugCheck);
        }
        else
        {
            Diagnostics.Add(new VerifierFinding(where, misuse.Name, finding));
        }
    }

    /// <summary>Runs driver-level code of the host (no adapter) as <paramref name="routine"/>; a bug check is recorded under "driver".</summary>
    internal void RunDriverRoutine<TState>(HostedRoutine routine, KIRQL irql, in TState state, StateAction<TState> body)
    {
        if (RoutineRunner.Run(DriverScope, null, routine, irql, RoutineLocks.None, in state, body) is { } fault)
        {
            ReportBugCheck(DriverTrack, routine.Name, fault);
        }
    }

    /// <summary>The processor (engine dispatcher) of the next adapter: round-robin over the engine's dispatchers.</summary>
    internal int NextAdapterProcessor() => (Interlocked.Increment(ref _adapterProcessors) - 1) % Engine.DispatcherCount;

    private int _adapterProcessors;

    /// <summary>The next adapter name: <paramref name="prefix"/> and a number never used before on this host.</summary>

    private protected string NextAdapterName(string prefix) => $"{prefix}{Interlocked.Increment(ref _adaptersCreated) - 1}";

    /// <summary>Adds a new adapter to the live ones.</summary>
    private protected void AddLive(HostedAdapter adapter)
    {
        lock (_gate)
        {
            _adapters.Add(adapter);
        }
    }

    /// <summary>
    /// Raised once for each adapter the host releases (halted, removed, or whose initialization failed), after the host
    /// forgot it, on the releasing thread, with no lock held: the native bridge drops what it kept for the adapter
    /// (issue 21 §4). A handler must not throw.
    /// </summary>
    internal event Action<HostedAdapter>? AdapterReleased;

    /// <summary>Forgets a halted or removed adapter (its records stay in <see cref="Diagnostics"/>); the first release raises <see cref="AdapterReleased"/>.</summary>
    internal void Release(HostedAdapter adapter)
    {
        bool released;
        lock (_gate)
        {
            released = _adapters.Remove(adapter);
        }

        if (released)
        {
            AdapterReleased?.Invoke(adapter);
        }
    }

    /// <summary>The live adapters, in the order they were added.</summary>
    private protected IReadOnlyList<TAdapter> LiveAdapters<TAdapter>()
        where TAdapter : HostedAdapter
    {
        lock (_gate)
        {
            var adapters = new TAdapter[_adapters.Count];
            for (var i = 0; i < adapters.Length; i++)
            {
                adapters[i] = (TAdapter)_adapters[i];
            }

            return adapters;
        }
    }
}
