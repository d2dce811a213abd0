namespace MiniportTimers.Engine.Queue;

/// <summary>
/// One element of the queue's timer arrays (a wheel bucket's, the pull array, the level-0 run's): a timer reference
/// wrapped in a struct. <see cref="EngineTimer"/> is abstract, so a store into an <c>EngineTimer[]</c> is an array-
/// covariance check that walks the stored object's type hierarchy (CastHelpers.StelemRef_Helper, 6-9 % of the
/// dispatcher's samples in a burst, where each timer is stored three or four times on its way down the wheel: issue 27,
/// session twelve). A store into an array of this struct is a plain store and the GC write barrier.
/// Not thread-safe: the arrays belong to one dispatcher.
/// </summary>
internal struct TimerSlot
{
    /// <summary>The timer held in this slot, or null (a slot past its array's count, or one already taken).</summary>
    public EngineTimer? Timer;
}
