namespace MiniportTimers.Engine;

/// <summary>
/// One timer of a <see cref="TimerEngine"/>: a callback, its state, and at most one pending arming.
/// Create it with <see cref="TimerEngine.CreateTimer"/>; arm and cancel it through its engine.
/// </summary>
/// <remarks>
/// Thread safety: every member may be read from any thread; the mutable fields are written only under the
/// owning engine's lock. An EngineTimer holds no unmanaged resource: an unreferenced idle timer is collected.
/// </remarks>
public sealed class EngineTimer
{
    internal EngineTimer(TimerEngine engine, EngineTimerCallback callback, object? state)
    {
        Engine = engine;
        Callback = callback;
        State = state;
    }

    /// <summary>The engine this timer belongs to.</summary>
    public TimerEngine Engine { get; }

    /// <summary>The state object given at creation, for the callback's use.</summary>
    public object? State { get; }

    internal EngineTimerCallback Callback { get; }

    // ---- Queue fields: written only under Engine.SyncRoot. ----

    /// <summary>Due time of the pending arming, engine ns. Meaningful only while <see cref="DueHeapIndex"/> ≥ 0.</summary>
    internal long DueNanoseconds;

    /// <summary>Latest-allowed fire time: DueNanoseconds + tolerance. The dispatcher sleeps until the smallest of these.</summary>
    internal long DeadlineNanoseconds;

    /// <summary>Tolerance of the pending arming, ns (≥ 0).</summary>
    internal long ToleranceNanoseconds;

    /// <summary>Period, ns; 0 for a one-shot arming.</summary>
    internal long PeriodNanoseconds;

    /// <summary>Engine-wide insertion order: breaks ties between equal due times (first armed fires first).</summary>
    internal long InsertionOrder;

    /// <summary>Position in the due-ordered heap, or -1 when not pending. Invariant: ≥ 0 exactly when <see cref="DeadlineHeapIndex"/> ≥ 0.</summary>
    internal int DueHeapIndex = -1;

    /// <summary>Position in the deadline-ordered heap, or -1 when not pending.</summary>
    internal int DeadlineHeapIndex = -1;

    private long _armSequence;

    /// <summary>
    /// Counts the armings of this timer: incremented by every successful <see cref="TimerEngine.Arm"/> and
    /// reported in <see cref="TimerFiring.ArmSequence"/>, so a host can tell an expiry of an earlier arming
    /// (one already taken from the queue when the timer was re-armed) from the current one.
    /// </summary>
    public long ArmSequence => Volatile.Read(ref _armSequence);

    internal void IncrementArmSequence() => Volatile.Write(ref _armSequence, _armSequence + 1);

    /// <summary>True while an arming is queued (armed and not yet fired or cancelled). A snapshot: it can change at once on another thread.</summary>
    public bool IsPending => Volatile.Read(ref DueHeapIndex) >= 0;
}
