namespace MiniportTimers.Devices.Memory;

/// <summary>
/// A scatter/gather list resolved to host memory (an AHCI PRDT after the HBA resolved every entry through the
/// <see cref="HostAddressMap"/>): the device moves its data through it in order, and the HBA learns how much moved and
/// which descriptors were used up. Reused from command to command; not thread-safe (used under the device's lock).
/// </summary>
internal sealed class DmaTransfer
{
    private nint[] _hosts = new nint[8];
    private int[] _lengths = new int[8];
    private bool[] _interrupts = new bool[8];
    private int _count;
    private int _segment;
    private int _offset;

    /// <summary>The total bytes the segments describe.</summary>
    public long Capacity { get; private set; }

    /// <summary>The bytes moved so far.</summary>
    public long BytesTransferred { get; private set; }

    /// <summary>The number of segments.</summary>
    public int SegmentCount => _count;

    /// <summary>Empties the list for the next command.</summary>
    public void Clear()
    {
        _count = 0;
        _segment = 0;
        _offset = 0;
        Capacity = 0;
        BytesTransferred = 0;
    }

    /// <summary>Appends a segment of <paramref name="length"/> bytes at <paramref name="hostAddress"/>.</summary>
    public void Add(nint hostAddress, int length, bool interruptWhenDone)
    {
        if (_count == _hosts.Length)
        {
            Array.Resize(ref _hosts, _count * 2);
            Array.Resize(ref _lengths, _count * 2);
            Array.Resize(ref _interrupts, _count * 2);
        }

        _hosts[_count] = hostAddress;
        _lengths[_count] = length;
        _interrupts[_count] = interruptWhenDone;
        _count++;
        Capacity += length;
    }

    /// <summary>The next piece of host memory, at most <paramref name="maxBytes"/> long, consumed as returned; empty when the list is used up.</summary>
    public unsafe Span<byte> Next(long maxBytes)
    {
        if (_segment >= _count || maxBytes <= 0)
        {
            return default;
        }

        var length = (int)Math.Min(maxBytes, _lengths[_segment] - _offset);
        var span = new Span<byte>((void*)(_hosts[_segment] + _offset), length);
        _offset += length;
        BytesTransferred += length;
        if (_offset == _lengths[_segment])
        {
            _segment++;
            _offset = 0;
        }

        return span;
    }

    /// <summary>Copies <paramref name="data"/> into the host segments (device to host); the bytes that fit.</summary>
    public int Write(ReadOnlySpan<byte> data)
    {
        var written = 0;
        while (written < data.Length)
        {
            var piece = Next(data.Length - written);
            if (piece.IsEmpty)
            {
                break;
            }

            data.Slice(written, piece.Length).CopyTo(piece);
            written += piece.Length;
        }

        return written;
    }

    /// <summary>True if a segment marked "interrupt when done" (an AHCI PRD's I bit) was used up.</summary>
    public bool InterruptSegmentDone()
    {
        for (var i = 0; i < _segment; i++)
        {
            if (_interrupts[i])
            {
                return true;
            }
        }

        return false;
    }
}
