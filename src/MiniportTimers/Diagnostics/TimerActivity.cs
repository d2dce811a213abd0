using MiniportTimers.Kernel.Watchdog;
using MiniportTimers.Kernel.Timers;
namespace MiniportTimers.Diagnostics;

/// <summary>
/// What one kind of timer did on a host: one row of the run report. A row is keyed by the DDI that armed the timer
/// ("StorPortRequestTimer", "RequestTimerCall") and the callback's name. Thread-safe. The timer core counts into it
/// directly, as its <see cref="ITimerRow"/> (one call per count, no wrapper).
/// </summary>
public sealed class TimerActivity : ITimerRow
{
    // Counted on every request and cancel, from any thread: striped per thread (a plain write to the thread's own slot,
    // no interlocked operation; a read sums the slots). Issue 27: the two interlocked increments were 13-15 ns of a
    // 80-ns StorPortRequestTimer + cancel pair. 4 KB each: a run has a few dozen rows.
    private readonly MiniportTimers.Engine.StripedCounter _arms = new();
    private readonly MiniportTimers.Engine.StripedCounter _cancels = new();
    private long _replaced;
    private long _busy;
    private long _staleSkipped;
    private long _maxToleranceNanoseconds;
    private CallbackRun? _longestRun;

    // The row's latest fire so far and its lateness (compared on every fire: the one cost of the attribution), and the
    // probe its expiry's return completes it with (same thread). Written under _worstGate (rare: a new worst fire).
    private readonly object _worstGate = new();
    private long _worstLatenessNanoseconds = long.MinValue;
    private LateFire? _worstFire;
    private PendingDispatchPath? _pendingDispatchPath;

    private int _pastToleranceQueued;

    /// <summary>
    /// Creates an empty row whose lateness recorder's memory is touched as <paramref name="prefault"/> says (a real-clock
    /// host's rows: <see cref="LatenessRecorder.Prefault()"/>): now, on the thread making the row, or a page a millisecond
    /// on a thread of its own while the row is already in use (<see cref="RecorderPrefaulter"/>: a row made on a
    /// dispatcher, whose other timers would wait 0.5 ms for it). The second recorder (<see cref="LatenessPastTolerance"/>),
    /// which only a row that asked for a tolerance records into, is queued to that thread when its first tolerance is seen.
    /// </summary>
    internal TimerActivity(string kind, string callback, RecorderPrefault prefault = RecorderPrefault.None)
    {
        Kind = kind;
        Callback = callback;
        Lateness = new LatenessRecorder();
        LatenessPastTolerance = new LatenessRecorder();
        Prefault = prefault;
        switch (prefault)
        {
            case RecorderPrefault.Now:
                Lateness.Prefault();
                break;
            case RecorderPrefault.InBackground:
                RecorderPrefaulter.Queue(Lateness);
                break;
        }
    }

    /// <summary>How the row's recorders touch their memory (<see cref="RecorderPrefault"/>).</summary>
    internal RecorderPrefault Prefault { get; }

    /// <summary>True once the row's lateness recorder has touched its memory (at once for <see cref="RecorderPrefault.Now"/>;
    /// for <see cref="RecorderPrefault.InBackground"/> when the prefaulting thread is done with it).</summary>
    internal bool LatenessPrefaulted => Lateness.IsPrefaulted;

    /// <summary>The DDI that armed the timers of this row.</summary>
    public string Kind { get; }

    /// <summary>The callback routine's name.</summary>
    public string Callback { get; }

    /// <summary>Successful requests that armed a timer (a legacy request that replaced a pending one counts once).</summary>
    public long Arms => _arms.Read();

    /// <summary>Callbacks invoked: the samples of <see cref="Lateness"/>, which records one for each (its count, instead
    /// of a second counter on every fire; a snapshot while callbacks run).</summary>
    public long Fires => Lateness.Count;

    /// <summary>Cancels that removed a pending request (a cancel of an idle timer does not count).</summary>
    public long Cancels => _cancels.Read();

    /// <summary>Arms that replaced a request still queued (NdisSetTimerObject on a set timer, a legacy RequestTimerCall over
    /// a pending one): for one-shot timers, Arms = Fires + Cancels + Replaced + StaleSkipped + the one still pending.</summary>
    public long Replaced => Interlocked.Read(ref _replaced);

    /// <summary>STOR_STATUS_BUSY returns.</summary>
    public long Busy => Interlocked.Read(ref _busy);

    /// <summary>Expiries dropped because the request they belonged to had been cancelled, replaced or freed after it fired.</summary>
    public long StaleSkipped => Interlocked.Read(ref _staleSkipped);

    /// <summary>Lateness of each invoked callback: the engine time when the callback started minus its due time.</summary>
    public LatenessRecorder Lateness { get; }

    /// <summary>
    /// The largest delay a request of this row allowed its callback, ns: StorPortRequestTimer's TolerableDelay,
    /// NdisSetCoalescableTimerObject's Tolerance, KeSetCoalescableTimer's TolerableDelay. 0 when every request was exact.
    /// </summary>
    public long MaxToleranceNanoseconds => Volatile.Read(ref _maxToleranceNanoseconds);

    /// <summary>
    /// Lateness past the delay the request allowed (lateness - tolerance, 0 when within it), from the first fire of a
    /// request with a tolerance on (empty while <see cref="MaxToleranceNanoseconds"/> is 0: then <see cref="Lateness"/> is
    /// the figure). A timer with a tolerable delay may fire anywhere inside it, by its contract: the engine lets it ride
    /// along with another wake-up there, so its lateness from the due time measures the coalescing, and this measures
    /// the engine.
    /// </summary>
    public LatenessRecorder LatenessPastTolerance { get; }

    /// <summary>
    /// The longest one expiry of this row held its dispatcher, ns of engine time: the callback with the host's locks and
    /// watchdogs around it (0 before any ran; on the virtual clock time passes inside a callback only when it moves the
    /// clock). Every other timer of that dispatcher waited behind it.
    /// </summary>
    public long LongestRunNanoseconds => Volatile.Read(ref _longestRun)?.Nanoseconds ?? 0;

    /// <summary>The adapter whose callback ran <see cref="LongestRunNanoseconds"/> (the host's "driver" for a driver-level timer); null before any ran.</summary>
    public string? LongestRunAdapter => Volatile.Read(ref _longestRun)?.Adapter;

    /// <summary>
    /// The run of <see cref="LongestRunNanoseconds"/> with what its time went to (its first call's JIT, a collection, or
    /// the callback's own time: <see cref="CallbackRun.Cause"/>); null before any ran.
    /// </summary>
    public CallbackRun? LongestRun => Volatile.Read(ref _longestRun);

    /// <summary>
    /// The row's latest fire (the largest lateness; the first of equals), with its lateness split into the dispatcher's
    /// wake-up, the other callbacks it ran first, and the host's dispatch path (<see cref="LateFire"/>); null before any
    /// fire. With fewer than 100 fires the row's p99 is this fire's lateness. A snapshot while callbacks run.
    /// </summary>
    public LateFire? WorstFire => Volatile.Read(ref _worstFire);

    /// <inheritdoc/>
    void ITimerRow.CountArm() => CountArm();

    /// <inheritdoc/>
    void ITimerRow.CountReplaced() => CountReplaced();

    /// <inheritdoc/>
    void ITimerRow.CountBusy() => CountBusy();

    /// <inheritdoc/>
    void ITimerRow.CountCancel() => CountCancel();

    /// <inheritdoc/>
    void ITimerRow.CountStale() => CountStale();

    /// <inheritdoc/>
    bool ITimerRow.CountFire(long latenessNanoseconds, long toleranceNanoseconds) => CountFire(latenessNanoseconds, toleranceNanoseconds);

    /// <inheritdoc/>
    void ITimerRow.CountWorstFire(long requestedDueNanoseconds, long engineDueNanoseconds, long wokeAtNanoseconds, long takenAtNanoseconds, long startNanoseconds, long cpuWaitSinceDueNanoseconds, in CallbackRunProbe atStart, long sleptUntilNanoseconds, Engine.CallbackSpan longestBefore) =>
        CountWorstFire(requestedDueNanoseconds, engineDueNanoseconds, wokeAtNanoseconds, takenAtNanoseconds, startNanoseconds, cpuWaitSinceDueNanoseconds, atStart, sleptUntilNanoseconds, longestBefore);

    /// <inheritdoc/>
    void ITimerRow.CountRun(long nanoseconds, string track, in CallbackRunProbe probe) => CountRun(nanoseconds, track, probe);

    internal void CountArm() => _arms.Add(1);

    internal void CountCancel() => _cancels.Add(1);

    internal void CountReplaced() => Interlocked.Increment(ref _replaced);

    internal void CountBusy()
    {
        Interlocked.Increment(ref _busy);
        MiniportTimersTelemetry.RecordBusy();
    }

    internal void CountStale() => Interlocked.Increment(ref _staleSkipped);

    /// <summary>
    /// Records one callback run of <paramref name="nanoseconds"/> on <paramref name="adapter"/> that began at
    /// <paramref name="probe"/> (taken on this thread); allocates only for a new longest.
    /// </summary>
    internal void CountRun(long nanoseconds, string adapter, in CallbackRunProbe probe)
    {
        if (Volatile.Read(ref _pendingDispatchPath) is { } pending)
        {
            CompleteDispatchPath(pending, probe); // the expiry of a new worst fire returned: its dispatch path's figures
        }

        var current = Volatile.Read(ref _longestRun);
        if (current is not null && nanoseconds <= current.Nanoseconds)
        {
            return;
        }

        var (collections, pauseNanoseconds, jitNanoseconds, cpuWaitNanoseconds, spinLockWaitNanoseconds) = probe.Finish();
        var run = new CallbackRun(nanoseconds, adapter, collections, pauseNanoseconds, jitNanoseconds, cpuWaitNanoseconds, spinLockWaitNanoseconds);
        while (current is null || nanoseconds > current.Nanoseconds)
        {
            var seen = Interlocked.CompareExchange(ref _longestRun, run, current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>Counts one fire; true when it is later than every fire of the row before it (then <see cref="CountWorstFire"/> follows).</summary>
    internal bool CountFire(long latenessNanoseconds, long toleranceNanoseconds)
    {
        Lateness.Record(latenessNanoseconds); // counts the fire (Fires)
        MiniportTimersTelemetry.RecordLateness(Kind, latenessNanoseconds);
        if (toleranceNanoseconds > 0 && toleranceNanoseconds > Volatile.Read(ref _maxToleranceNanoseconds))
        {
            InterlockedMax(ref _maxToleranceNanoseconds, toleranceNanoseconds);
            if (Prefault != RecorderPrefault.None && Interlocked.Exchange(ref _pastToleranceQueued, 1) == 0)
            {
                RecorderPrefaulter.Queue(LatenessPastTolerance); // the row's first tolerance (rare): its second recorder is used from now on
            }
        }

        // Only rows that asked for a tolerance pay for the second record (most timers are exact: Lateness is their figure).
        if (Volatile.Read(ref _maxToleranceNanoseconds) > 0)
        {
            LatenessPastTolerance.Record(Math.Max(0, latenessNanoseconds - toleranceNanoseconds));
        }

        return latenessNanoseconds > Volatile.Read(ref _worstLatenessNanoseconds);
    }

    /// <summary>
    /// Records the fire path of a fire <see cref="CountFire"/> found to be the latest so far (rare; under the row's own
    /// lock, no user code): the parts of its lateness now (<see cref="LateFire"/>), and the probe at its callback's start,
    /// which the return of its expiry on this thread (<see cref="CountRun"/>) measures the dispatch path with.
    /// </summary>
    internal void CountWorstFire(long requestedDueNanoseconds, long engineDueNanoseconds, long wokeAtNanoseconds, long takenAtNanoseconds, long startNanoseconds, long cpuWaitSinceDueNanoseconds, in CallbackRunProbe atStart, long sleptUntilNanoseconds = 0, Engine.CallbackSpan longestBefore = default)
    {
        var lateness = startNanoseconds - requestedDueNanoseconds;
        using (HostLock.Enter(_worstGate))
        {
            if (lateness <= _worstLatenessNanoseconds)
            {
                return; // another thread's fire was later meanwhile
            }

            var fire = new LateFire(requestedDueNanoseconds, engineDueNanoseconds, wokeAtNanoseconds, takenAtNanoseconds, startNanoseconds, cpuWaitSinceDueNanoseconds, sleptUntilNanoseconds, longestBefore);
            Volatile.Write(ref _worstLatenessNanoseconds, lateness);
            Volatile.Write(ref _worstFire, fire);
            Volatile.Write(ref _pendingDispatchPath, new PendingDispatchPath(fire, atStart, Environment.CurrentManagedThreadId));
        }
    }

    /// <summary>
    /// On the return of an expiry of this row: when the pending worst fire is this thread's, its dispatch path's figures
    /// are those of the stretch from <paramref name="atTake"/> (the expiry's probe, taken at the take) to the probe at the
    /// callback's start. A later worst fire, or one of another thread, is left for its own expiry.
    /// </summary>
    private void CompleteDispatchPath(PendingDispatchPath pending, in CallbackRunProbe atTake)
    {
        if (pending.ThreadId != Environment.CurrentManagedThreadId)
        {
            return;
        }

        using (HostLock.Enter(_worstGate))
        {
            if (!ReferenceEquals(_pendingDispatchPath, pending))
            {
                return;
            }

            _pendingDispatchPath = null;
            if (ReferenceEquals(_worstFire, pending.Fire))
            {
                var (collections, pauseNanoseconds, jitNanoseconds, cpuWaitNanoseconds, spinLockWaitNanoseconds) = atTake.Until(pending.AtStart);
                Volatile.Write(ref _worstFire, pending.Fire.WithDispatchPath(collections, pauseNanoseconds, jitNanoseconds, cpuWaitNanoseconds, spinLockWaitNanoseconds));
            }
        }
    }

    /// <summary>A new worst fire whose expiry has not returned yet: the probe at its callback's start, and its thread.</summary>
    private sealed record PendingDispatchPath(LateFire Fire, CallbackRunProbe AtStart, int ThreadId);

    private static void InterlockedMax(ref long target, long value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }
}
