namespace MiniportTimers.Engine.Queue;

/// <summary>
/// One filing of a timer in a <see cref="NearHeap"/>: the keys as the dispatcher read them, so another thread's Arm
/// never disturbs the heap order. The entry goes stale (and is dropped when it reaches the top) as soon as the timer's
/// published state no longer matches it: cancelled, re-armed, or advanced by a periodic expiry.
/// </summary>
/// <param name="Key">The heap's order key, ns: the due time, or the latest-allowed deadline.</param>
/// <param name="DueNanoseconds">The due time of the filed arming, ns.</param>
/// <param name="Order">Tie-breaker among equal keys: the arm-call ticket (virtual engines) or the filing order.</param>
/// <param name="Sequence">The arm sequence of the filed arming.</param>
/// <param name="Timer">The timer.</param>
internal readonly record struct NearEntry(long Key, long DueNanoseconds, long Order, long Sequence, EngineTimer Timer)
{
    /// <summary>True while the timer is still armed with exactly this arming (same sequence, same due time). The
    /// submitted bit does not matter: a timer waiting to be drained with this very sequence is still this arming.</summary>
    public bool IsCurrent => IsCurrentWith(out _);

    /// <summary>As <see cref="IsCurrent"/>, also giving the state word it was checked against (for a CAS from it).</summary>
    public bool IsCurrentWith(out long state)
    {
        state = Volatile.Read(ref Timer.StateWord);
        return (state & (EngineTimer.ArmedBit | EngineTimer.WritingBit)) == EngineTimer.ArmedBit
            && (state >> EngineTimer.SequenceShift) == Sequence
            && Volatile.Read(ref Timer.DueNanoseconds) == DueNanoseconds
            && Volatile.Read(ref Timer.StateWord) == state;
    }

    /// <summary>Heap order: key, then order.</summary>
    public bool Precedes(in NearEntry other) => Key < other.Key || (Key == other.Key && Order < other.Order);
}
