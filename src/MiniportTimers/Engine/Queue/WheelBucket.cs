namespace MiniportTimers.Engine.Queue;

/// <summary>
/// One bucket of the <see cref="TimerWheel"/>: an array of the timers filed in it, in no order. A timer holds its slot
/// and index (<see cref="EngineTimer.WheelSlot"/>, <see cref="EngineTimer.WheelIndex"/>), so removal is a swap with the
/// last entry, O(1). The array is what makes a pull fast: the dispatcher reads the references in order and touches a
/// chunk of timers before it files them, where a linked list through the timers made it wait for each miss in turn.
/// Not thread-safe: only the engine's dispatcher touches it.
/// </summary>
internal sealed class WheelBucket(int slot)
{
    /// <summary>The shortest array a bucket holds timers in (a bucket with none may hold <see cref="Empty"/>).</summary>
    public const int MinimumCapacity = 16;

    /// <summary>
    /// An array longer than this (8 KB of references) grown or pulled asks the wheel for a trim when the dispatcher goes
    /// idle, as does any array put among the spares (a walk of the 512 buckets before every sleep would cost the dense
    /// case more than the memory is worth).
    /// </summary>
    public const int TrimThreshold = 1024;

    /// <summary>level × <see cref="TimerWheel.BucketsPerLevel"/> + index.</summary>
    public int Slot { get; } = slot;

    /// <summary>
    /// The timers filed here in [0, <see cref="Count"/>); null beyond (no stale reference keeps a timer alive). Its length
    /// is 0 (<see cref="Empty"/>, shared: a bucket given back its memory) or a power of two ≥ <see cref="MinimumCapacity"/>;
    /// the wheel swaps, grows and shrinks it through its spare arrays (TimerWheel "Spare arrays").
    /// </summary>
    public TimerSlot[] Items { get; set; } = Empty;

    /// <summary>How many timers are filed here.</summary>
    public int Count { get; set; }

    /// <summary>
    /// Level 2 and up: how many timers were filed here since the last pull, by the bucket of the level below each will
    /// re-file into (its tick's digit there); null until the first. A hint for sizing those buckets at the pull (TimerWheel
    /// "Spare arrays"): a removal does not take its timer out (its due time may already be a newer arming's).
    /// </summary>
    public int[]? FiledBelow { get; set; }

    /// <summary>Level 2 and up: the sum of <see cref="FiledBelow"/>.</summary>
    public int FiledSincePull { get; set; }

    /// <summary>The array of a bucket that holds no memory (length 0, shared by every wheel: nothing is ever stored in it).</summary>
    public static TimerSlot[] Empty { get; } = [];
}
