using System.Runtime.InteropServices;
using MiniportTimers.Devices.Memory;

namespace MiniportTimers.Tests.Devices.Memory;

public class HostAddressMapTests
{
    [Fact]
    public void Map_ManagedBuffer_TranslatesBothWaysAndKeepsThePageOffset()
    {
        var map = new HostAddressMap();
        var buffer = new byte[10_000];
        var range = map.Map(buffer);
        Assert.True(range.PhysicalAddress >= HostAddressMap.DefaultFirstPhysicalAddress);
        Assert.Equal((ulong)(range.HostAddress & 0xFFF), range.PhysicalAddress & 0xFFF);

        Assert.True(map.TryTranslate(range.HostAddress + 100, out var physical, out var contiguous));
        Assert.Equal(range.PhysicalAddress + 100, physical);
        Assert.Equal(10_000 - 100, contiguous);

        Assert.True(map.TryGetSpan(physical, 4, out var span));
        span[0] = 0xAB;
        Assert.Equal(0xAB, buffer[100]);
        Assert.True(map.Unmap(range));
    }

    [Fact]
    public void Map_NativeMemory_ResolvesToTheSameBytes()
    {
        var map = new HostAddressMap();
        var allocation = Marshal.AllocHGlobal(8192 + 4096);
        try
        {
            var native = (allocation + 4095) & ~(nint)4095;
            var range = map.Map(native, 8192);
            Assert.Equal(0UL, range.PhysicalAddress % 4096); // page-aligned host memory gets a page-aligned physical address
            Marshal.WriteByte(native + 5000, 0x5A);
            Assert.True(map.TryResolve(range.PhysicalAddress + 5000, 1, out var host));
            Assert.Equal(native + 5000, host);
            Assert.True(map.TryGetSpan(range.PhysicalAddress + 5000, 1, out var span));
            Assert.Equal(0x5A, span[0]);
            Assert.True(map.Unmap(range));
        }
        finally
        {
            Marshal.FreeHGlobal(allocation);
        }
    }

    [Fact]
    public void TryResolve_AccessPastTheEndOfARange_Fails()
    {
        var map = new HostAddressMap();
        var range = map.Map(new byte[4096]);
        Assert.True(map.TryResolve(range.PhysicalAddress + 4000, 96, out _));
        Assert.False(map.TryResolve(range.PhysicalAddress + 4000, 97, out _));
        Assert.False(map.TryResolve(range.PhysicalEnd, 1, out _)); // the guard page after it
        Assert.False(map.TryResolve(range.PhysicalAddress - 1, 1, out _));
        Assert.False(map.TryResolve(range.PhysicalAddress, 0, out _));
    }

    [Fact]
    public void Map_TwoRanges_AreSeparatedByAnUnmappedGuardPage()
    {
        var map = new HostAddressMap();
        var first = map.Map(new byte[100]);
        var second = map.Map(new byte[100]);
        Assert.True(second.PhysicalAddress >= ((first.PhysicalEnd + 4095) / 4096 * 4096) + 4096);
        Assert.Equal([first, second], map.Ranges);
    }

    [Fact]
    public void Unmap_ThenResolve_FailsAndThePhysicalAddressesAreNeverHandedOutAgain()
    {
        var map = new HostAddressMap();
        var range = map.Map(new byte[64]);
        Assert.True(map.Unmap(range));
        Assert.False(range.IsMapped);
        Assert.False(map.Unmap(range));
        Assert.False(map.TryResolve(range.PhysicalAddress, 1, out _));
        Assert.False(map.TryTranslate(range.HostAddress, out _, out _));
        var next = map.Map(new byte[64]);
        Assert.True(next.PhysicalAddress >= range.PhysicalEnd);
        Assert.Equal(1, map.Count);
    }

    [Fact]
    public void MapAt_OverlappingAMappedRange_Throws()
    {
        var map = new HostAddressMap();
        var native = Marshal.AllocHGlobal(4096);
        try
        {
            var fixedRange = map.MapAt(0x2_0000_0000, native, 4096);
            Assert.Equal(0x2_0000_0000UL, fixedRange.PhysicalAddress);
            Assert.Throws<InvalidOperationException>(() => map.MapAt(0x2_0000_0800, native, 16));
            Assert.Throws<ArgumentOutOfRangeException>(() => map.MapAt(0, native, 16));
        }
        finally
        {
            Marshal.FreeHGlobal(native);
        }
    }

    [Fact]
    public void Map_AfterMapAtAhead_SkipsTheFixedRange()
    {
        var map = new HostAddressMap();
        var native = Marshal.AllocHGlobal(8192);
        try
        {
            var fixedRange = map.MapAt(HostAddressMap.DefaultFirstPhysicalAddress, native, 8192);
            var automatic = map.Map(native, 4096);
            Assert.True(automatic.PhysicalAddress >= fixedRange.PhysicalEnd);
        }
        finally
        {
            Marshal.FreeHGlobal(native);
        }
    }

    [Fact]
    public void TryTranslate_TwoMappingsOfTheSameBuffer_TheNewerWins()
    {
        var map = new HostAddressMap();
        var buffer = new byte[256];
        var older = map.Map(buffer);
        var newer = map.Map(buffer.AsMemory(16, 64));
        Assert.True(map.TryTranslate(newer.HostAddress + 8, out var physical, out var contiguous));
        Assert.Equal(newer.PhysicalAddress + 8, physical);
        Assert.Equal(56, contiguous);
        Assert.True(map.TryTranslate(older.HostAddress + 200, out physical, out _)); // outside the newer one
        Assert.Equal(older.PhysicalAddress + 200, physical);
        map.Unmap(newer);
        Assert.True(map.TryTranslate(newer.HostAddress + 8, out physical, out _));
        Assert.Equal(older.PhysicalAddress + 24, physical);
    }

    [Fact]
    public void Constructor_BadAddressSpace_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new HostAddressMap(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HostAddressMap(0x1001));
        Assert.Throws<ArgumentOutOfRangeException>(() => new HostAddressMap(0x1000, 0x1000));
    }

    [Fact]
    public void Map_PastTheLimit_Throws()
    {
        var map = new HostAddressMap(0x1000, 0x3000);
        map.Map(new byte[100]); // 0x1000 .. then a guard page: the next range starts at 0x3000
        Assert.Throws<InvalidOperationException>(() => map.Map(new byte[100]));
    }
}
