namespace MiniportTimers.Engine.Queue;

/// <summary>
/// The head of one bucket of the <see cref="TimerWheel"/>: a node of the bucket's circular doubly linked list that is
/// not a timer. An empty bucket's head points at itself.
/// </summary>
internal sealed class WheelBucket : EngineTimer
{
    public WheelBucket(int slot)
    {
        Slot = slot;
        WheelNext = this;
        WheelPrevious = this;
    }

    /// <summary>level × <see cref="TimerWheel.BucketsPerLevel"/> + index.</summary>
    public int Slot { get; }

    /// <summary>True when no timer is linked in.</summary>
    public bool IsEmpty => ReferenceEquals(WheelNext, this);

    /// <inheritdoc />
    protected internal override void OnFired(in TimerFiring firing) =>
        throw new InvalidOperationException("A wheel bucket head is not a timer.");
}
