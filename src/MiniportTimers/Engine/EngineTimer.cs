namespace MiniportTimers.Engine;

/// <summary>
/// One timer of a <see cref="TimerEngine"/>: at most one pending arming, and what to run when it fires. Get one from
/// <see cref="TimerEngine.CreateTimer"/> (a callback and a state object), or derive from this class and override
/// <see cref="OnFired"/> (no delegate, no state field: the smallest timer, like a KTIMER embedded in a device
/// extension). Arm and cancel it through its engine.
/// </summary>
/// <remarks>
/// <para>Layout (x64): a 16-byte object header, four 8-byte fields, a 4-byte one and two 2-byte ones, 56 bytes in all. The timer is
/// its own node on the engine's submission stack (<see cref="NextSubmitted"/>); while it waits in the engine's timing
/// wheel, one bucket array holds a reference to it and the timer holds its place there (<see cref="WheelSlot"/>,
/// <see cref="WheelIndex"/>), so a pending timer costs 64 bytes, the size of a Windows KTIMER. The tolerance
/// lives in the timer (<see cref="ArmCode"/>); a period, used for the first time (or any arming on a virtual engine), adds
/// a 40-byte <see cref="ArmParameters"/> object that the timer keeps and reuses (re-arming allocates nothing).</para>
/// <para>Thread safety: every member may be read from any thread. Arm and cancel change the timer with atomic operations
/// on its state word; the dispatcher alone touches the queue links. A timer holds no unmanaged resource: an idle timer
/// nobody references is collected.</para>
/// </remarks>
public abstract class EngineTimer
{
    /// <summary>State word bit: an arming is pending.</summary>
    internal const long ArmedBit = 1;

    /// <summary>State word bit: an Arm (or the dispatcher re-keying a periodic expiry) is writing the arming parameters.</summary>
    internal const long WritingBit = 2;

    /// <summary>
    /// State word bit: the timer is on the engine's submission stack. Set by the Arm or Cancel that pushes it (in the same
    /// atomic operation that publishes its new state), cleared by the dispatcher in the same atomic operation that takes
    /// its snapshot: so a change is either seen by that snapshot or pushes the timer again.
    /// </summary>
    internal const long SubmittedBit = 4;

    /// <summary>State word bit: the timer stays on its queue whichever thread arms it (TimerEngine.TrySetTargetDispatcher).</summary>
    internal const long PinnedBit = 8;

    /// <summary>
    /// State word bit: the arming was published without a push because it moved the timer later (a lazy re-arm, see
    /// "Lazy re-arms" in TimerEngine): the timer is still filed at an earlier position, and the dispatcher files it again
    /// when it gets there. Cleared by the dispatcher when it files the timer.
    /// </summary>
    internal const long LazyBit = 16;

    /// <summary>State word: the index of the dispatcher queue the timer belongs to sits above the flag bits (6 bits).</summary>
    internal const int QueueShift = 5;

    /// <summary>How many dispatcher queues the state word can name.</summary>
    internal const int MaxQueues = 64;

    /// <summary>State word: the queue index and the pinned bit, which every change of the state keeps.</summary>
    internal const long RoutingMask = ((long)(MaxQueues - 1) << QueueShift) | PinnedBit;

    /// <summary>The index of the dispatcher queue a state word names.</summary>
    internal static int QueueOf(long state) => (int)((state & RoutingMask) >> QueueShift);

    /// <summary>State word: the arm sequence sits above the flag bits and the queue index.</summary>
    internal const int SequenceShift = 11;

    /// <summary>Creates an idle timer of <paramref name="engine"/>, for a derived class that overrides <see cref="OnFired"/>.</summary>
    /// <param name="engine">The engine that will arm and fire this timer.</param>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> is null.</exception>
    protected EngineTimer(TimerEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Owner = engine;
    }

    /// <summary>For the wheel's bucket heads, which belong to no engine and never fire.</summary>
    private protected EngineTimer() => Owner = null!;

    // ---- Written by Arm on any thread (the parameters only while holding WritingBit), read by the dispatcher. ----

    /// <summary>
    /// The owning <see cref="TimerEngine"/>, or, once an arming has used a period or a virtual clock, the
    /// timer's <see cref="ArmParameters"/> (which names the engine). Replaced only under WritingBit.
    /// </summary>
    internal object Owner;

    /// <summary>(arm sequence &lt;&lt; 11) | (queue &lt;&lt; 5) | LazyBit | PinnedBit | SubmittedBit | WritingBit | ArmedBit. Every Arm increments the sequence; a cancel increments it too.</summary>
    internal long StateWord;

    /// <summary>Due time of the current arming, engine ns. Written under WritingBit, published by the state word; the
    /// dispatcher advances it (also under WritingBit) at each periodic expiry.</summary>
    internal long DueNanoseconds;

    /// <summary>Next timer on the engine's submission stack while <see cref="SubmittedBit"/> is set (the stack ends at a sentinel).</summary>
    internal EngineTimer? NextSubmitted;

    // ---- Owned by the dispatcher alone. ----

    /// <summary>
    /// The wheel bucket this timer is filed in (level × 64 + index), or -1 when it is in no bucket. Invariant (checked
    /// by Debug.Assert in TimerWheel): WheelSlot ≥ 0 exactly when the bucket's array holds this timer at
    /// <see cref="WheelIndex"/>, or the bucket was just pulled and the timer waits, untouched, to be taken from the
    /// pulled array at the same index.
    /// </summary>
    internal short WheelSlot = -1;

    /// <summary>
    /// The current arming's tolerance, rounded down, and its periodic bit (<see cref="Engine.ArmCode"/>), so that the
    /// dispatcher files a tolerant one-shot without reading a parameter block. Written by Arm under WritingBit beside
    /// <see cref="DueNanoseconds"/> and published by the state word; read by the dispatcher after a state snapshot, like
    /// the parameters (a newer arming makes what it read stale).
    /// </summary>
    internal ushort ArmCode;

    /// <summary>This timer's index in its wheel bucket's array while <see cref="WheelSlot"/> ≥ 0 (a cancel swap-removes it: the bucket's last timer takes its index).</summary>
    internal int WheelIndex;

    /// <summary>
    /// Dispatcher, while it gathers a batch of due expiries (see "Gathering" in DispatchQueue): asks for the object the
    /// callback reads first, so its cache miss overlaps the others of the batch instead of stalling the callback. The
    /// call itself reads the timer (its method table), which is the point for a derived timer: nothing more is known
    /// of what its <see cref="OnFired"/> touches.
    /// </summary>
    internal virtual void PrefetchCallback()
    {
    }

    /// <summary>The engine this timer belongs to.</summary>
    public TimerEngine Engine => Owner is ArmParameters parameters ? parameters.Engine : (TimerEngine)Owner;

    /// <summary>The state object given at creation, for the callback's use; null for a derived timer unless it overrides this.</summary>
    public virtual object? State => null;

    /// <summary>
    /// Counts the armings (and cancels) of this timer: the value after an <see cref="TimerEngine.Arm"/> is reported in
    /// <see cref="TimerFiring.ArmSequence"/>, so a host can tell an expiry of an earlier arming from the current one.
    /// </summary>
    public long ArmSequence => Volatile.Read(ref StateWord) >> SequenceShift;

    /// <summary>True while an arming is pending (armed and not yet fired or cancelled). A snapshot.</summary>
    public bool IsPending => (Volatile.Read(ref StateWord) & ArmedBit) != 0;

    /// <summary>
    /// Runs when the timer fires: on the engine's dispatch thread (real clock) or on the thread advancing a
    /// <see cref="VirtualTimerEngine"/>, never under an engine lock. It may arm, cancel or create timers re-entrantly.
    /// An exception it throws is caught, counted in <see cref="EngineStatistics.CallbackFaults"/> and reported through
    /// <see cref="TimerEngine.CallbackFaulted"/>.
    /// </summary>
    /// <param name="firing">When the expiry was due and when the engine fired it, in engine nanoseconds.</param>
    protected internal abstract void OnFired(in TimerFiring firing);
}
