using System.Runtime.InteropServices;

namespace MiniportTimers.Engine;

/// <summary>
/// A counter that many threads add to without sharing a cache line: each thread adds to its own padded slot, a read
/// sums the slots. Adds are atomic (a slot can be shared when there are more threads than slots); a read is a sum of
/// atomic reads, exact once the adders are quiet.
/// </summary>
internal sealed class StripedCounter
{
    private const int Slots = 16; // a power of two

    [ThreadStatic]
    private static int t_slot;

    private static int s_nextSlot;

    private readonly PaddedLong[] _slots = new PaddedLong[Slots];

    public void Add(long value) => Interlocked.Add(ref _slots[Slot()].Value, value);

    public long Read()
    {
        long sum = 0;
        for (var i = 0; i < Slots; i++)
        {
            sum += Interlocked.Read(ref _slots[i].Value);
        }

        return sum;
    }

    /// <summary>This thread's slot: assigned round-robin on first use, so a few threads never collide.</summary>
    private static int Slot()
    {
        var slot = t_slot;
        if (slot == 0)
        {
            slot = t_slot = (Interlocked.Increment(ref s_nextSlot) & (Slots - 1)) + 1;
        }

        return slot - 1;
    }

    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct PaddedLong
    {
        [FieldOffset(0)]
        public long Value;
    }
}
