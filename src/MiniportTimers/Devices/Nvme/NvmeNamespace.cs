using MiniportTimers.Devices.Sata;

namespace MiniportTimers.Devices.Nvme;

/// <summary>
/// The controller's namespace (NSID 1): a RAM image of 512-byte logical blocks (LBA format 0, no metadata), allocated
/// in 64 KiB chunks as it is written; blocks never written read as zeros. Tests and scenarios preload and check it
/// with <see cref="ReadBlocks"/> and <see cref="WriteBlocks"/>.
/// </summary>
/// <remarks>Thread safety: every member is thread-safe (the image has its own lock).</remarks>
public sealed class NvmeNamespace
{
    /// <summary>The logical block size in bytes (LBAF0.LBADS = 9).</summary>
    public const int BlockSize = 512;

    private readonly SparseDiskImage _image;
    private long _flushes;

    /// <summary>Creates an all-zero namespace of <paramref name="blockCount"/> blocks.</summary>
    internal NvmeNamespace(long blockCount)
    {
        BlockCount = blockCount;
        _image = new SparseDiskImage(blockCount * BlockSize);
    }

    /// <summary>NSZE, NCAP and NUSE: the namespace's size in logical blocks.</summary>
    public long BlockCount { get; }

    /// <summary>How many Flush commands (§6.8) the namespace received.</summary>
    public long FlushCount => Interlocked.Read(ref _flushes);

    /// <summary>Bytes of RAM the image holds (a multiple of 64 KiB).</summary>
    public long AllocatedBytes => _image.AllocatedBytes;

    /// <summary>Copies blocks from the namespace into <paramref name="destination"/> (its length a multiple of <see cref="BlockSize"/>).</summary>
    /// <param name="lba">The first logical block.</param>
    /// <param name="destination">Receives destination.Length / 512 blocks.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the namespace or the length is not a multiple of 512.</exception>
    public void ReadBlocks(long lba, Span<byte> destination)
    {
        Check(lba, destination.Length);
        _image.Read(lba * BlockSize, destination);
    }

    /// <summary>Copies <paramref name="source"/> (its length a multiple of <see cref="BlockSize"/>) into the namespace.</summary>
    /// <param name="lba">The first logical block.</param>
    /// <param name="source">source.Length / 512 blocks.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is outside the namespace or the length is not a multiple of 512.</exception>
    public void WriteBlocks(long lba, ReadOnlySpan<byte> source)
    {
        Check(lba, source.Length);
        _image.Write(lba * BlockSize, source);
    }

    /// <summary>Counts a Flush.</summary>
    internal void Flush() => Interlocked.Increment(ref _flushes);

    private void Check(long lba, int length)
    {
        if (length % BlockSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "A length of whole 512-byte blocks.");
        }

        if (lba < 0 || lba > BlockCount || length / BlockSize > BlockCount - lba)
        {
            throw new ArgumentOutOfRangeException(nameof(lba), lba, $"The namespace has {BlockCount} blocks.");
        }
    }
}
