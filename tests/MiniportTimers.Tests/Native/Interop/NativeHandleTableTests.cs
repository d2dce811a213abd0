using MiniportTimers.Native.Interop;

namespace MiniportTimers.Tests.Native.Interop;

/// <summary>Issue 21 §1 and §4: one generation-tagged handle table; a stale handle is recognised without keeping its object.</summary>
public class NativeHandleTableTests
{
    [Fact]
    public void AHandle_IsAlignedNonNullAndNotCanonical_AndFindsItsObject()
    {
        var table = new NativeHandleTable<object>((byte)'X');
        var value = new object();
        var handle = table.Add(value);
        Assert.NotEqual(0, handle);
        Assert.Equal(0, handle & 0xF);
        Assert.NotEqual(0, (long)handle >> 47); // a driver that dereferences it faults at once
        Assert.Equal(HandleState.Live, table.Find(handle, out var found));
        Assert.Same(value, found);
    }

    [Fact]
    public void AFreedHandle_IsFreed_EvenAfterItsSlotIsReused_AndTheObjectIsNotKeptAlive()
    {
        var table = new NativeHandleTable<object>((byte)'X');
        var (handle, weak) = AddAndFree(table, "host");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.False(weak.IsAlive);
        Assert.Equal(HandleState.Freed, table.Find(handle, out var value, out var tombstone));
        Assert.Null(value);
        Assert.Equal("host", tombstone);
        Assert.False(table.Remove(handle)); // a second free is not a free

        var reused = table.Add(new object());
        Assert.NotEqual(handle, reused);
        Assert.Equal(1, table.Capacity); // the slot was reused: memory follows the live count
        Assert.Equal(HandleState.Freed, table.Find(handle, out _));
        Assert.Equal(HandleState.Live, table.Find(reused, out _));
    }

    [Fact]
    public void HandlesOfAnotherTable_OrMadeUp_AreUnknown()
    {
        var a = new NativeHandleTable<object>((byte)'A');
        var b = new NativeHandleTable<object>((byte)'B');
        var handle = a.Add(new object());
        Assert.Equal(HandleState.Unknown, b.Find(handle, out _));
        Assert.Equal(HandleState.Unknown, a.Find(0, out _));
        Assert.Equal(HandleState.Unknown, a.Find(handle + 8, out _));
        Assert.Equal(HandleState.Unknown, a.Find(unchecked((nint)0x7FFF_1234_5670), out _));
        Assert.Equal(HandleState.Unknown, a.Find(handle + (1 << 24), out _)); // an index never given
    }

    [Fact]
    public void ManyAddsAndRemoves_KeepCapacityAtThePeakLiveCount()
    {
        var table = new NativeHandleTable<object>((byte)'X');
        var live = new List<nint>();
        for (var round = 0; round < 100; round++)
        {
            for (var i = 0; i < 50; i++)
            {
                live.Add(table.Add(new object()));
            }

            live.ForEach(h => Assert.True(table.Remove(h)));
            live.Clear();
        }

        Assert.Equal(0, table.Count);
        Assert.Equal(50, table.Capacity);
    }

    [Fact]
    public void RemoveWhere_FreesTheMatchingHandlesOnly_LeavingTheTombstone()
    {
        var table = new NativeHandleTable<string>((byte)'X');
        var (a, b, c) = (table.Add("adapter0 timer"), table.Add("adapter1 timer"), table.Add("adapter0 dpc"));

        Assert.Equal(2, table.RemoveWhere(v => v.StartsWith("adapter0", StringComparison.Ordinal), "removed"));

        Assert.Equal(HandleState.Freed, table.Find(a, out _, out var tombstone));
        Assert.Equal("removed", tombstone);
        Assert.Equal(HandleState.Live, table.Find(b, out _));
        Assert.Equal(HandleState.Freed, table.Find(c, out _));
        Assert.Equal((1, 2L), (table.Count, table.Removed));
        Assert.False(table.Remove(a)); // already freed
        Assert.Equal(3, table.Capacity);
        table.Add("reused");
        Assert.Equal(3, table.Capacity); // a freed slot is reused
    }

    private static (nint Handle, WeakReference Weak) AddAndFree(NativeHandleTable<object> table, object tombstone)
    {
        var value = new object();
        var handle = table.Add(value);
        Assert.True(table.Remove(handle, tombstone));
        return (handle, new WeakReference(value));
    }
}
