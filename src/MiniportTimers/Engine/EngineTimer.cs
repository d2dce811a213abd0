namespace MiniportTimers.Engine;

/// <summary>
/// One timer of a <see cref="TimerEngine"/>: a callback, its state, and at most one pending arming.
/// Create it with <see cref="TimerEngine.CreateTimer"/>; arm and cancel it through its engine.
/// </summary>
/// <remarks>
/// Thread safety: every member may be read from any thread. Arm and cancel change the timer with atomic operations on
/// its state word; the dispatcher alone touches the queue fields. An EngineTimer holds no unmanaged resource: an idle
/// timer nobody references is collected.
/// </remarks>
public sealed class EngineTimer
{
    /// <summary>State word bit: an arming is pending.</summary>
    internal const long ArmedBit = 1;

    /// <summary>State word bit: an Arm is writing the arming parameters (a one-timer writer lock).</summary>
    internal const long WritingBit = 2;

    /// <summary>State word: the arm sequence sits above the two flag bits.</summary>
    internal const int SequenceShift = 2;

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

    /// <summary>An engine-internal timer (a flush marker): left out of every statistic.</summary>
    internal bool IsInternal { get; init; }

    // ---- Written by Arm/Cancel on any thread (atomics; the parameters only while holding WritingBit). ----

    /// <summary>(arm sequence &lt;&lt; 2) | WritingBit | ArmedBit. Every Arm increments the sequence; a cancel increments it too.</summary>
    internal long StateWord;

    /// <summary>Due time of the latest arming, ns. Written under WritingBit, published by the state word.</summary>
    internal long DueNanoseconds;

    /// <summary>Latest-allowed fire time of the latest arming: due + tolerance.</summary>
    internal long DeadlineNanoseconds;

    /// <summary>Period of the latest arming, ns; 0 = one-shot.</summary>
    internal long PeriodNanoseconds;

    /// <summary>Virtual engines: the engine-wide ticket of the latest Arm call (equal due times fire in arm-call order).</summary>
    internal long ArmTicket;

    /// <summary>1 while the timer is on the engine's submission stack (pushed, not yet drained by the dispatcher).</summary>
    internal int Submitted;

    /// <summary>Next timer on the submission stack.</summary>
    internal EngineTimer? NextSubmitted;

    // ---- Owned by the dispatcher alone: the timer's place and keys in the two heaps. ----

    /// <summary>The due time the heaps order this timer by (the dispatcher's copy; periodic expiries advance it).</summary>
    internal long HeapDue;

    /// <summary>The deadline the deadline heap orders this timer by.</summary>
    internal long HeapDeadline;

    /// <summary>The arm sequence the heap keys were taken from: an entry of an older sequence is stale.</summary>
    internal long HeapSequence;

    /// <summary>Engine-wide insertion order: breaks ties between equal keys (first filed fires first).</summary>
    internal long InsertionOrder;

    /// <summary>Position in the due-ordered heap, or -1. Invariant: ≥ 0 exactly when <see cref="DeadlineHeapIndex"/> ≥ 0.</summary>
    internal int DueHeapIndex = -1;

    /// <summary>Position in the deadline-ordered heap, or -1.</summary>
    internal int DeadlineHeapIndex = -1;

    /// <summary>
    /// Counts the armings (and cancels) of this timer: the value after an <see cref="TimerEngine.Arm"/> is reported in
    /// <see cref="TimerFiring.ArmSequence"/>, so a host can tell an expiry of an earlier arming from the current one.
    /// </summary>
    public long ArmSequence => Volatile.Read(ref StateWord) >> SequenceShift;

    /// <summary>True while an arming is pending (armed and not yet fired or cancelled). A snapshot.</summary>
    public bool IsPending => (Volatile.Read(ref StateWord) & ArmedBit) != 0;
}
