namespace MiniportTimers.Diagnostics;

/// <summary>
/// What one kind of timer did on a host: one row of the run report. A row is keyed by the DDI that armed the timer
/// ("StorPortRequestTimer", "RequestTimerCall") and the callback's name. Thread-safe.
/// </summary>
public sealed class TimerActivity
{
    private long _arms;
    private long _fires;
    private long _cancels;
    private long _replaced;
    private long _busy;
    private long _staleSkipped;

    internal TimerActivity(string kind, string callback)
    {
        Kind = kind;
        Callback = callback;
    }

    /// <summary>The DDI that armed the timers of this row.</summary>
    public string Kind { get; }

    /// <summary>The callback routine's name.</summary>
    public string Callback { get; }

    /// <summary>Successful requests that armed a timer (a legacy request that replaced a pending one counts once).</summary>
    public long Arms => Interlocked.Read(ref _arms);

    /// <summary>Callbacks invoked.</summary>
    public long Fires => Interlocked.Read(ref _fires);

    /// <summary>Cancels that removed a pending request (a cancel of an idle timer does not count).</summary>
    public long Cancels => Interlocked.Read(ref _cancels);

    /// <summary>Arms that replaced a request still queued (NdisSetTimerObject on a set timer, a legacy RequestTimerCall over
    /// a pending one): for one-shot timers, Arms = Fires + Cancels + Replaced + StaleSkipped + the one still pending.</summary>
    public long Replaced => Interlocked.Read(ref _replaced);

    /// <summary>STOR_STATUS_BUSY returns.</summary>
    public long Busy => Interlocked.Read(ref _busy);

    /// <summary>Expiries dropped because the request they belonged to had been cancelled, replaced or freed after it fired.</summary>
    public long StaleSkipped => Interlocked.Read(ref _staleSkipped);

    /// <summary>Lateness of each invoked callback: the engine time when the callback started minus its due time.</summary>
    public LatenessRecorder Lateness { get; } = new();

    internal void CountArm() => Interlocked.Increment(ref _arms);

    internal void CountCancel() => Interlocked.Increment(ref _cancels);

    internal void CountReplaced() => Interlocked.Increment(ref _replaced);

    internal void CountBusy()
    {
        Interlocked.Increment(ref _busy);
        MiniportTimersTelemetry.RecordBusy();
    }

    internal void CountStale() => Interlocked.Increment(ref _staleSkipped);

    internal void CountFire(long latenessNanoseconds)
    {
        Interlocked.Increment(ref _fires);
        Lateness.Record(latenessNanoseconds);
        MiniportTimersTelemetry.RecordLateness(Kind, latenessNanoseconds);
    }
}
