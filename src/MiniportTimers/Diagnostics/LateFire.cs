namespace MiniportTimers.Diagnostics;

/// <summary>
/// One fire of a timer row, the latest of its row so far (<see cref="TimerActivity.WorstFire"/>), with its lateness split
/// into parts that add up to it, measured on the fire path (issue 27: why a timer's worst fire was late). Engine
/// nanoseconds; immutable, thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// The fire path, in engine time: the requested due time R; the due time the engine ran, D (R, or on the Windows clock
/// tick the tick boundary after it); the dispatcher's latest wake-up before the take, W
/// (<see cref="Engine.TimerFiring.WokeAtNanoseconds"/>); the engine's take of the expiry, T
/// (<see cref="Engine.TimerFiring.FiredAtNanoseconds"/>); the callback's start, S. Then
/// <c>S - R = (D - R) + wake-up + behind + (S - T)</c>, where wake-up = W - D when the dispatcher was asleep at D (W &gt;
/// D), else 0, and behind = what is left of T - D: the dispatcher was running other callbacks (other expiries, a sample's
/// workload events, device models' timers) between the due time, or its wake-up, and the take.
/// </para>
/// <para>
/// The dispatch path (T to S) is the host's: the routine runner's port locks (the StartIo and interrupt spin locks, an
/// adapter's lock another thread held), the IRQL raise, the timer's gate. What the process's probes saw in it
/// (<see cref="MiniportTimers.Kernel.Timers.CallbackRunProbe"/>: collections, the thread's JIT, its wait for a CPU and for
/// spin locks) is filled in when the expiry returns (<see cref="DispatchPathProbed"/>); the run-queue figure's baseline
/// may be up to 1 ms older than the take, as for <see cref="CallbackRun"/>. On a virtual clock the parts are exact and
/// deterministic (time passes only when a callback moves the clock); the probes' figures are the process's and are not.
/// </para>
/// </remarks>
public sealed class LateFire
{
    internal LateFire(long requestedDueNanoseconds, long engineDueNanoseconds, long wokeAtNanoseconds, long takenAtNanoseconds, long startNanoseconds, long cpuWaitSinceDueNanoseconds = -1, long sleptUntilNanoseconds = 0, Engine.CallbackSpan longestBefore = default)
    {
        CpuWaitSinceDueNanoseconds = cpuWaitSinceDueNanoseconds < 0 ? null : cpuWaitSinceDueNanoseconds;
        RequestedDueNanoseconds = requestedDueNanoseconds;
        LatenessNanoseconds = checked(startNanoseconds - requestedDueNanoseconds);
        ClockTickNanoseconds = checked(engineDueNanoseconds - requestedDueNanoseconds);
        var toTake = checked(takenAtNanoseconds - engineDueNanoseconds);
        WakeUpNanoseconds = wokeAtNanoseconds > engineDueNanoseconds ? Math.Clamp(wokeAtNanoseconds - engineDueNanoseconds, 0, Math.Max(0, toTake)) : 0;
        BehindCallbacksNanoseconds = toTake - WakeUpNanoseconds;
        DeadlinePastDueNanoseconds = WakeUpNanoseconds > 0 && sleptUntilNanoseconds > 0 ? Math.Clamp(sleptUntilNanoseconds - engineDueNanoseconds, 0, WakeUpNanoseconds) : null;
        DispatchPathNanoseconds = checked(startNanoseconds - takenAtNanoseconds);
        var behindFrom = takenAtNanoseconds - BehindCallbacksNanoseconds; // the due time, or the wake-up when later
        var overlap = longestBefore.OverlapNanoseconds(behindFrom, takenAtNanoseconds);
        if (overlap > 0)
        {
            _longestBehindTimer = longestBefore.Timer;
            LongestBehindNanoseconds = overlap;
        }

        System.Diagnostics.Debug.Assert(ClockTickNanoseconds + WakeUpNanoseconds + BehindCallbacksNanoseconds + DispatchPathNanoseconds == LatenessNanoseconds, "the parts add up to the lateness");
    }

    private LateFire(LateFire times, int collections, long collectionPauseNanoseconds, long jitNanoseconds, long cpuWaitNanoseconds, long spinLockWaitNanoseconds)
    {
        (RequestedDueNanoseconds, LatenessNanoseconds, ClockTickNanoseconds, WakeUpNanoseconds, BehindCallbacksNanoseconds, DispatchPathNanoseconds, CpuWaitSinceDueNanoseconds) =
            (times.RequestedDueNanoseconds, times.LatenessNanoseconds, times.ClockTickNanoseconds, times.WakeUpNanoseconds, times.BehindCallbacksNanoseconds, times.DispatchPathNanoseconds, times.CpuWaitSinceDueNanoseconds);
        DeadlinePastDueNanoseconds = times.DeadlinePastDueNanoseconds;
        (_longestBehindTimer, LongestBehindNanoseconds) = (times._longestBehindTimer, times.LongestBehindNanoseconds);
        DispatchPathProbed = true;
        DispatchPathCollections = collections;
        DispatchPathCollectionPauseNanoseconds = collectionPauseNanoseconds;
        DispatchPathJitNanoseconds = jitNanoseconds;
        DispatchPathCpuWaitNanoseconds = cpuWaitNanoseconds;
        DispatchPathSpinLockWaitNanoseconds = spinLockWaitNanoseconds;
    }

    /// <summary>The due time the request asked for, engine ns (an expiry of a replaced request: its own, the engine's).</summary>
    public long RequestedDueNanoseconds { get; }

    /// <summary>The callback's start minus <see cref="RequestedDueNanoseconds"/>, ns: the sum of the four parts below.</summary>
    public long LatenessNanoseconds { get; }

    /// <summary>The engine's due time minus the requested one, ns: the Windows clock tick's rounding (0 when the timer runs precisely).</summary>
    public long ClockTickNanoseconds { get; }

    /// <summary>
    /// How long after the due time the dispatcher woke, ns, when it was asleep then (0 when it was awake): the OS's
    /// wake-up lateness, its wait for a CPU after the wake-up, and, for a timer with a tolerable delay, the engine's
    /// choice to wake later inside it. Compare it with the OS wake-up floor of the same run.
    /// </summary>
    public long WakeUpNanoseconds { get; }

    /// <summary>
    /// The part of <see cref="WakeUpNanoseconds"/> that the dispatcher asked for, ns: how far past the due time the
    /// deadline it slept to was (<see cref="Engine.TimerFiring.SleptUntilNanoseconds"/>; a tolerable delay allows that,
    /// an exact timer never should). The rest of the wake-up is the OS's: it woke the dispatcher that late past its
    /// deadline. Null when there is no wake-up part (the dispatcher was awake) or the deadline is not known (the virtual
    /// clock; a wake-up without a programmed deadline).
    /// </summary>
    public long? DeadlinePastDueNanoseconds { get; }

    /// <summary>
    /// How long the awake dispatcher ran other callbacks before it took this expiry, ns: from the due time (or the wake-up,
    /// when later) to the take. Every other timer, workload event and device timer of that dispatcher runs there.
    /// </summary>
    public long BehindCallbacksNanoseconds { get; }

    /// <summary>
    /// Of <see cref="BehindCallbacksNanoseconds"/>, the part that the longest callback the dispatcher ran since its
    /// wake-up took (<see cref="LongestBehindCallback"/> names it), ns; null when none of that part was one callback the
    /// engine measured (no callback of the wake-up had returned, or the longest ran before the due time).
    /// </summary>
    public long? LongestBehindNanoseconds { get; }

    /// <summary>
    /// What the callback of <see cref="LongestBehindNanoseconds"/> ran: a hosted timer's routine and DDI
    /// ("MediaDetectionCallback (NdisMTimer)"), else the engine timer's callback by reflection (a device model's timer, a
    /// workload event); null with it. Named when first read (reflection is for reports, not the fire path).
    /// </summary>
    public string? LongestBehindCallback => _longestBehindTimer is { } timer ? _longestBehindName ??= Engine.CallbackNames.Of(timer) : null;

    private readonly Engine.EngineTimer? _longestBehindTimer;
    private string? _longestBehindName; // a benign race: two readers may both name it, to the same string

    /// <summary>
    /// From the engine's take to the callback's start, ns: the host's dispatch path (the routine runner's port and adapter
    /// locks, the IRQL raise, the watchdogs' stamps, the timer's gate).
    /// </summary>
    public long DispatchPathNanoseconds { get; }

    /// <summary>
    /// The dispatcher thread's wait for a CPU (Linux schedstat run-queue wait) from its latest schedstat reading taken
    /// before the requested due time to the callback's start, ns: a bound from above of its CPU wait inside the lateness
    /// (a sleeping thread accrues none, so a reading from before a sleep bounds it as well). About the size of
    /// <see cref="WakeUpNanoseconds"/>: the OS woke the dispatcher on time but it waited for a CPU (a loaded machine);
    /// about 0 with a large wake-up part: it slept past the due time (its deadline, or the OS's timer). Null on a virtual
    /// clock, where schedstat is not published, or when no reading was that old.
    /// </summary>
    public long? CpuWaitSinceDueNanoseconds { get; }

    /// <summary>True once the probes' figures for the dispatch path are in (the expiry returned); false before, and they read 0.</summary>
    public bool DispatchPathProbed { get; }

    /// <summary>Collections (any generation, the whole process) during the dispatch path; ≥ 0.</summary>
    public int DispatchPathCollections { get; }

    /// <summary>Their pause time, ns of wall-clock time; 0 without a collection.</summary>
    public long DispatchPathCollectionPauseNanoseconds { get; }

    /// <summary>Time the dispatcher's thread spent JIT-compiling during the dispatch path, ns of wall-clock time (a first call of the host's code).</summary>
    public long DispatchPathJitNanoseconds { get; }

    /// <summary>Time the dispatcher's thread waited for a CPU during the dispatch path (Linux schedstat; real clock only, else 0), ns; its baseline may be up to 1 ms older than the take.</summary>
    public long DispatchPathCpuWaitNanoseconds { get; }

    /// <summary>Time the dispatcher's thread waited during the dispatch path for spin locks another thread held (the port locks; real clock only, else 0), ns.</summary>
    public long DispatchPathSpinLockWaitNanoseconds { get; }

    /// <summary>This fire with the probes' figures for its dispatch path.</summary>
    internal LateFire WithDispatchPath(int collections, long collectionPauseNanoseconds, long jitNanoseconds, long cpuWaitNanoseconds, long spinLockWaitNanoseconds) =>
        new(this, collections, collectionPauseNanoseconds, jitNanoseconds, cpuWaitNanoseconds, spinLockWaitNanoseconds);
}
