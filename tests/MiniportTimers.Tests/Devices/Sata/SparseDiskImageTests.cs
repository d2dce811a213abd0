using MiniportTimers.Devices.Sata;

namespace MiniportTimers.Tests.Devices.Sata;

/// <summary>
/// The disk's contents (Devices/Sata/SparseDiskImage): reads of what was never written are zeros and allocate nothing;
/// writes across chunk boundaries read back exactly; memory grows by whole chunks, only where written.
/// </summary>
public class SparseDiskImageTests
{
    [Fact]
    public void NeverWritten_ReadsZeros_AndAllocatesNothing()
    {
        var image = new SparseDiskImage(1L << 40); // 1 TiB
        var buffer = Enumerable.Repeat((byte)0xAA, 4096).ToArray();
        image.Read((1L << 40) - 4096, buffer);
        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.Equal(0, image.AllocatedBytes);
    }

    [Fact]
    public void AWriteAcrossAChunkBoundary_ReadsBackExactly_AndAllocatesTheTwoChunksOnly()
    {
        var image = new SparseDiskImage(16L * SparseDiskImage.ChunkSize);
        var data = Enumerable.Range(0, 1000).Select(i => unchecked((byte)(i * 7))).ToArray();
        var offset = (3L * SparseDiskImage.ChunkSize) - 500;
        image.Write(offset, data);

        var back = new byte[1200];
        image.Read(offset - 100, back);
        Assert.All(back[..100], b => Assert.Equal(0, b));
        Assert.Equal(data, back[100..1100]);
        Assert.All(back[1100..], b => Assert.Equal(0, b));
        Assert.Equal(2L * SparseDiskImage.ChunkSize, image.AllocatedBytes);
    }
}
