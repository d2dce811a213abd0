namespace MiniportTimers.Kernel;

/// <summary>
/// The options every host shares (Storport and NDIS): the verifier, the DPC watchdog's allotment, and Windows timing
/// fidelity. Each host's options type adds its own and says what its verifier checks.
/// </summary>
public abstract record KernelHostOptions
{
    /// <summary>The default <see cref="SystemTimeAtEngineZero100ns"/>: 2026-01-01T00:00:00Z in 100 ns units since 1601-01-01.</summary>
    public const long DefaultSystemTimeAtEngineZero100ns = 134_116_992_000_000_000;

    /// <summary>Windows' default clock tick, µs (15.625 ms, 64 Hz): the usual <see cref="WindowsClockTickMicroseconds"/>.</summary>
    public const long DefaultWindowsClockTickMicroseconds = 15_625;

    /// <summary>The finest clock tick timeBeginPeriod allows, µs (0.5 ms): the smallest <see cref="WindowsClockTickMicroseconds"/>.</summary>
    public const long MinimumWindowsClockTickMicroseconds = 500;

    private protected KernelHostOptions()
    {
    }

    /// <summary>
    /// The verifier (on by default, like Driver Verifier in a test lab): misuse Windows punishes raises its bug check
    /// and stops the faulting adapter. What it checks is listed on the host's options type. Off: the same misuse is only
    /// reported as a finding where the decided semantics define a fallback (decisions A6, A10).
    /// </summary>
    public bool Verifier { get; init; } = true;

    /// <summary>
    /// The longest a single timer callback or DPC may run before the verifier raises DPC_WATCHDOG_VIOLATION, µs
    /// (default 100 000). A callback that returns late is reported when it returns; on a real clock a Storport callback
    /// that never returns is reported by the host's watchdog thread once it passes this limit, within a quarter of it
    /// (1-10 ms) more; after a quiet second that thread scans once per limit, which finds such a callback running and
    /// wakes it up in time for the same bound. On a virtual clock the
    /// run time is the engine time that passed inside the callback (StorPortStallExecution moves it). On a real clock it
    /// is the elapsed time less the time the callback could not run: garbage-collection pauses and, on Linux, the time
    /// its thread waited for a CPU (schedstat run delay). A correct callback is never stopped by a GC pause or a busy
    /// machine; one that spins or blocks past the limit still is.
    /// </summary>
    public long DpcWatchdogMicroseconds { get; init; } = 100_000;

    /// <summary>
    /// The system time (100 ns units since 1601-01-01, as KeQuerySystemTime) at engine time 0: the host's one epoch,
    /// used by every DDI that takes or gives an absolute time (NdisSetTimerObject, KeSetTimerEx, ExSetTimer, the system
    /// time a timer's DPC receives). Default: 2026-01-01T00:00:00Z, so virtual runs stay deterministic.
    /// </summary>
    public long SystemTimeAtEngineZero100ns { get; init; } = DefaultSystemTimeAtEngineZero100ns;

    /// <summary>Where the DPC watchdog learns the time a callback could not run (tests replace it).</summary>
    internal Watchdog.IStolenTimeSource StolenTime { get; init; } = Watchdog.SystemStolenTime.Instance;

    /// <summary>
    /// Windows timing fidelity: null (the default) is precise, the engine's best. Otherwise every timer expires at the
    /// first Windows clock tick at or after its due time, and a period is rounded up to whole ticks:
    /// <see cref="DefaultWindowsClockTickMicroseconds"/> (15 625 µs) is Windows' default clock, down to 500 µs as with
    /// timeBeginPeriod(1)'s finest. Shows what real Windows timing does to a miniport (a 10 ms poll becomes 15.6 ms).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 500 µs or above 1 s.</exception>
    public long? WindowsClockTickMicroseconds
    {
        get => _windowsClockTickMicroseconds;
        init => _windowsClockTickMicroseconds = WindowsClockTick.Validate(value, nameof(WindowsClockTickMicroseconds));
    }

    private readonly long? _windowsClockTickMicroseconds;

    /// <summary>
    /// How many of the most recent records of each kind a host keeps for reading back (verifier findings per rule; NDIS
    /// completions per kind, status and origin; NDIS indications per status code). Default 1 000, at least 1. Counts
    /// stay exact for every record ever made (<see cref="Diagnostics.HostDiagnostics.FindingCount"/>,
    /// <c>NdisHost.CountCompletions</c>): a host that runs for hours keeps constant memory.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int RecentRecordsPerKind
    {
        get => _recentRecordsPerKind;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(RecentRecordsPerKind));
            _recentRecordsPerKind = value;
        }
    }

    private readonly int _recentRecordsPerKind = 1_000;

    /// <summary>The default <see cref="RecentDebugPrints"/>: 10,000 prints.</summary>
    public const int DefaultRecentDebugPrints = 10_000;

    /// <summary>
    /// How many of a native (C) driver's most recent debug prints (DbgPrint, DbgPrintEx, StorPortDebugPrint) its driver
    /// object keeps for reading back (<c>NativeDriver.DebugOutput</c>). Default <see cref="DefaultRecentDebugPrints"/>,
    /// at least 1. The counts stay exact for every print (<c>NativeDriver.DebugPrintCount</c>,
    /// <c>NativeDriver.DebugPrintsDropped</c>), and the <c>DebugPrinted</c> event sees each one: a driver that prints
    /// for hours keeps constant memory.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set below 1.</exception>
    public int RecentDebugPrints
    {
        get => _recentDebugPrints;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(RecentDebugPrints));
            _recentDebugPrints = value;
        }
    }

    private readonly int _recentDebugPrints = DefaultRecentDebugPrints;
}
