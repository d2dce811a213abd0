using MiniportTimers.Native.Kernel;

namespace MiniportTimers.Tests.Native.Kernel;

/// <summary>
/// A C driver's KSPIN_LOCKs (Native/Kernel/NativeSpinLocks): one host lock per address, the same one each time; removing
/// a memory range (a removed adapter's extension) forgets exactly the locks inside it.
/// </summary>
public class NativeSpinLocksTests
{
    [Fact]
    public void OneLockPerAddress_AndRemovingARange_ForgetsExactlyTheLocksInsideIt()
    {
        // Addresses no driver uses (the map is process-wide): a high, page-aligned range of our own.
        var start = unchecked((nint)0x7EAD_0000_0000);
        var first = NativeSpinLocks.At(start);
        Assert.Same(first, NativeSpinLocks.At(start));
        Assert.NotSame(first, NativeSpinLocks.At(start + 8));
        Assert.Contains("0x7EAD00000000", first.Name, StringComparison.Ordinal);
        _ = NativeSpinLocks.At(start + 0x1000); // just past the range removed below

        Assert.Equal(2, NativeSpinLocks.RemoveRange(start, 0x1000));
        Assert.NotSame(first, NativeSpinLocks.At(start)); // forgotten: a new lock for the address
        Assert.Equal(2, NativeSpinLocks.RemoveRange(start, 0x1001)); // the new one and the one past the first range
        Assert.Equal(0, NativeSpinLocks.RemoveRange(start, 0x2000));
    }
}
