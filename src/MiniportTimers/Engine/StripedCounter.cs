using System.Runtime.InteropServices;

namespace MiniportTimers.Engine;

/// <summary>
/// A counter that many threads add to without sharing a cache line: each thread adds to its own padded slot and a read
/// sums the slots. The first <see cref="Slots"/> threads of the process own their slot outright and add with a plain
/// write (no atomic operation on the arm/cancel path); later threads share slots and add atomically. Exact either way;
/// a read is a snapshot, exact once the adders are quiet.
/// </summary>
internal sealed class StripedCounter
{
    /// <summary>Slots, a power of two.</summary>
    public const int Slots = 64;

    private static int s_threadsSeen;

    private readonly PaddedLong[] _slots = new PaddedLong[Slots];

    /// <summary>Adds <paramref name="value"/> for the calling thread.</summary>
    public void Add(long value)
    {
        ref var slotOfThread = ref EngineThreadCache.Current.StripeSlot; // this thread's slot + 1; negative: shared
        var slot = slotOfThread;
        if (slot == 0)
        {
            slot = slotOfThread = AssignSlot();
        }

        if (slot > 0)
        {
            ref var own = ref _slots[slot - 1].Value;
            Volatile.Write(ref own, own + value); // only this thread ever writes this slot
        }
        else
        {
            Interlocked.Add(ref _slots[-slot - 1].Value, value);
        }
    }

    /// <summary>The sum of all slots.</summary>
    public long Read()
    {
        long sum = 0;
        for (var i = 0; i < Slots; i++)
        {
            sum += Volatile.Read(ref _slots[i].Value);
        }

        return sum;
    }

    private static int AssignSlot()
    {
        var n = Interlocked.Increment(ref s_threadsSeen);
        var index = (n - 1) & (Slots - 1);
        return n <= Slots ? index + 1 : -(index + 1);
    }

    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct PaddedLong
    {
        [FieldOffset(0)]
        public long Value;
    }
}
