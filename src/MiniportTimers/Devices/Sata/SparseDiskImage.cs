namespace MiniportTimers.Devices.Sata;

/// <summary>
/// A disk's contents in memory, allocated as it is written: 64 KiB chunks in a dictionary; a chunk never written reads
/// as zeros. Thread safety: every member is thread-safe (one lock).
/// </summary>
internal sealed class SparseDiskImage
{
    /// <summary>The allocation unit in bytes (64 KiB).</summary>
    public const int ChunkSize = 64 * 1024;

    private readonly object _gate = new();
    private readonly Dictionary<long, byte[]> _chunks = [];

    /// <summary>Creates an empty (all zero) image of <paramref name="lengthBytes"/> bytes.</summary>
    public SparseDiskImage(long lengthBytes) => LengthBytes = lengthBytes;

    /// <summary>The image's length in bytes.</summary>
    public long LengthBytes { get; }

    /// <summary>Bytes allocated so far (a multiple of <see cref="ChunkSize"/>).</summary>
    public long AllocatedBytes
    {
        get
        {
            lock (_gate)
            {
                return (long)_chunks.Count * ChunkSize;
            }
        }
    }

    /// <summary>Copies <paramref name="destination"/>.Length bytes from <paramref name="offset"/> (the caller checked the range).</summary>
    public void Read(long offset, Span<byte> destination)
    {
        lock (_gate)
        {
            while (!destination.IsEmpty)
            {
                var index = offset / ChunkSize;
                var within = (int)(offset % ChunkSize);
                var count = Math.Min(destination.Length, ChunkSize - within);
                if (_chunks.TryGetValue(index, out var chunk))
                {
                    chunk.AsSpan(within, count).CopyTo(destination);
                }
                else
                {
                    destination[..count].Clear();
                }

                destination = destination[count..];
                offset += count;
            }
        }
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="offset"/> (the caller checked the range).</summary>
    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        lock (_gate)
        {
            while (!source.IsEmpty)
            {
                var index = offset / ChunkSize;
                var within = (int)(offset % ChunkSize);
                var count = Math.Min(source.Length, ChunkSize - within);
                if (!_chunks.TryGetValue(index, out var chunk))
                {
                    if (!source[..count].ContainsAnyExcept((byte)0))
                    {
                        // Zeros over a chunk never written: it already reads as zeros.
                        source = source[count..];
                        offset += count;
                        continue;
                    }

                    chunk = new byte[ChunkSize];
                    _chunks.Add(index, chunk);
                }

                source[..count].CopyTo(chunk.AsSpan(within, count));
                source = source[count..];
                offset += count;
            }
        }
    }
}
