namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// Where the timer core (<see cref="TimerCore"/>) records what its timers do: the host's report rows and its trace. The
/// hosting layer implements it over its diagnostics (one per host); a bare <see cref="Ke.UseEngine"/> scope records
/// nothing (<see cref="NullTimerRecords"/>). An interface, so the Kernel layer never names the layers above it.
/// </summary>
/// <remarks>Thread safety: implementations are thread-safe; the core calls them with its gate held, so they never call user code.</remarks>
internal interface ITimerRecords
{
    /// <summary>The trace, or null while none is recorded (then nothing is computed for it).</summary>
    ITimerTrace? Trace { get; }

    /// <summary>The report row of <paramref name="callback"/> for timers of <paramref name="kind"/> (named once here, not per call).</summary>
    ITimerRow RowFor(string kind, Delegate callback);
}

/// <summary>One report row: the counts and lateness of one callback of one timer kind.</summary>
internal interface ITimerRow
{
    /// <summary>The callback's name in the row and the trace.</summary>
    string Callback { get; }

    /// <summary>A request recorded.</summary>
    void CountArm();

    /// <summary>An arming replaced a queued one.</summary>
    void CountReplaced();

    /// <summary>A request answered BUSY (Storport).</summary>
    void CountBusy();

    /// <summary>An arming cancelled.</summary>
    void CountCancel();

    /// <summary>An expiry dropped (cancelled, freed or superseded after the dispatcher took it).</summary>
    void CountStale();

    /// <summary>
    /// A callback started <paramref name="latenessNanoseconds"/> after its requested due time; its request allowed it
    /// <paramref name="toleranceNanoseconds"/> of delay (a tolerable delay or coalescing tolerance; 0 for none).
    /// </summary>
    /// <returns>
    /// True when this fire is the latest of the row so far: the caller then records its fire path
    /// (<see cref="CountWorstFire"/>). Only such a fire costs more than a compare.
    /// </returns>
    bool CountFire(long latenessNanoseconds, long toleranceNanoseconds);

    /// <summary>
    /// The fire just counted (<see cref="CountFire"/> returned true) on its fire path, engine ns: its requested due time,
    /// the engine's due, the dispatcher's wake-up (0: not known or not asleep), the engine's take, and the callback's
    /// start (the diagnostics' LateFire splits the lateness with them); the dispatcher thread's run-queue wait from before
    /// the requested due time to the start, ns (-1: not known; real clock only); and the probe taken at the start
    /// (<see cref="CallbackRunProbe.Now"/>), which <see cref="CountRun"/> of the same expiry, on the same thread, measures
    /// the dispatch path with from its own probe, taken at the take; the deadline the dispatcher slept to (0: not known); and
    /// the longest callback its dispatcher ran since that wake-up (<see cref="Engine.TimerEngine.LongestCallbackSinceWakeUp"/>).
    /// </summary>
    void CountWorstFire(long requestedDueNanoseconds, long engineDueNanoseconds, long wokeAtNanoseconds, long takenAtNanoseconds, long startNanoseconds, long cpuWaitSinceDueNanoseconds, in CallbackRunProbe atStart, long sleptUntilNanoseconds = 0, Engine.CallbackSpan longestBefore = default);

    /// <summary>The dispatcher spent <paramref name="nanoseconds"/> in one expiry of a timer of <paramref name="track"/>; <paramref name="probe"/> was started before it (what the time went to).</summary>
    void CountRun(long nanoseconds, string track, in CallbackRunProbe probe);
}

/// <summary>The trace events of a timer (engine times, ns).</summary>
internal interface ITimerTrace
{
    /// <summary>An arming at <paramref name="atNanoseconds"/>, due at <paramref name="dueNanoseconds"/>.</summary>
    void Arm(string track, string kind, string callback, long atNanoseconds, long dueNanoseconds);

    /// <summary>A cancel.</summary>
    void Cancel(string track, string kind, string callback, long atNanoseconds);

    /// <summary>A callback that was due at <paramref name="dueNanoseconds"/> and ran from start to end.</summary>
    void Callback(string track, string kind, string callback, long dueNanoseconds, long startNanoseconds, long endNanoseconds);
}

/// <summary>Records nothing: the timers of a bare <see cref="Ke.UseEngine"/> scope, which has no host.</summary>
internal sealed class NullTimerRecords : ITimerRecords, ITimerRow
{
    /// <summary>The one instance.</summary>
    public static readonly NullTimerRecords Instance = new();

    private NullTimerRecords()
    {
    }

    /// <inheritdoc/>
    public ITimerTrace? Trace => null;

    /// <inheritdoc/>
    public string Callback => string.Empty;

    /// <inheritdoc/>
    public ITimerRow RowFor(string kind, Delegate callback) => this;

    /// <inheritdoc/>
    public void CountArm()
    {
    }

    /// <inheritdoc/>
    public void CountReplaced()
    {
    }

    /// <inheritdoc/>
    public void CountBusy()
    {
    }

    /// <inheritdoc/>
    public void CountCancel()
    {
    }

    /// <inheritdoc/>
    public void CountStale()
    {
    }

    /// <inheritdoc/>
    public bool CountFire(long latenessNanoseconds, long toleranceNanoseconds) => false;

    /// <inheritdoc/>
    public void CountWorstFire(long requestedDueNanoseconds, long engineDueNanoseconds, long wokeAtNanoseconds, long takenAtNanoseconds, long startNanoseconds, long cpuWaitSinceDueNanoseconds, in CallbackRunProbe atStart, long sleptUntilNanoseconds = 0, Engine.CallbackSpan longestBefore = default)
    {
    }

    /// <inheritdoc/>
    public void CountRun(long nanoseconds, string track, in CallbackRunProbe probe)
    {
    }
}
