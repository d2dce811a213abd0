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
    /// <summary>The capacity a bucket's array starts at, and the smallest it is trimmed to.</summary>
    public const int MinimumCapacity = 16;

    /// <summary>
    /// An array longer than this (8 KB of references) asks the wheel for a trim when the dispatcher goes idle; smaller
    /// ones stay (a level-0 bucket of a busy second holds hundreds, and a walk of the 512 buckets before every sleep
    /// would cost the dense case more than the memory is worth).
    /// </summary>
    public const int TrimThreshold = 1024;

    /// <summary>level × <see cref="TimerWheel.BucketsPerLevel"/> + index.</summary>
    public int Slot { get; } = slot;

    /// <summary>The timers filed here in [0, <see cref="Count"/>); null beyond (no stale reference keeps a timer alive).</summary>
    public EngineTimer?[] Items { get; set; } = new EngineTimer?[MinimumCapacity];

    /// <summary>How many timers are filed here.</summary>
    public int Count { get; set; }

    /// <summary>Doubles the array (the caller found it full); the new array.</summary>
    public EngineTimer?[] Grow()
    {
        var items = Items;
        Array.Resize(ref items, Math.Max(MinimumCapacity, checked(items.Length * 2)));
        Items = items;
        return items;
    }

    /// <summary>Gives memory back once the bucket is down to a quarter of its array (the smallest power of two ≥ 16 that holds twice the timers).</summary>
    public void TrimExcess()
    {
        var items = Items;
        if (items.Length <= MinimumCapacity || Count >= items.Length / 4)
        {
            return;
        }

        Array.Resize(ref items, Math.Max(MinimumCapacity, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Count * 2))));
        Items = items;
    }
}
