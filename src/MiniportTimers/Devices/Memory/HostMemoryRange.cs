using System.Buffers;

namespace MiniportTimers.Devices.Memory;

/// <summary>
/// One range of host memory registered with a <see cref="HostAddressMap"/>: <see cref="Length"/> bytes at
/// <see cref="HostAddress"/> in this process, seen by devices at the "physical" address <see cref="PhysicalAddress"/>.
/// </summary>
/// <remarks>
/// The physical address keeps the host address's offset within a 4 KiB page (as paging does), so alignment of up to
/// 4 KiB that a driver gives its host buffers holds for the physical addresses too (an AHCI command list needs 1 KiB,
/// a received-FIS area 256 bytes, a command table 128 bytes). Thread safety: immutable once returned, except
/// <see cref="IsMapped"/>, which turns false once when the range is unmapped.
/// </remarks>
public sealed class HostMemoryRange
{
    private MemoryHandle _pin;
    private int _mapped = 1;

    internal HostMemoryRange(ulong physicalAddress, nint hostAddress, long length, MemoryHandle pin, long sequence)
    {
        Sequence = sequence;
        PhysicalAddress = physicalAddress;
        HostAddress = hostAddress;
        Length = length;
        _pin = pin;
    }

    /// <summary>The device-visible address of the range's first byte.</summary>
    public ulong PhysicalAddress { get; }

    /// <summary>The host (virtual) address of the range's first byte in this process.</summary>
    public nint HostAddress { get; }

    /// <summary>The length of the range in bytes, 1 or more.</summary>
    public long Length { get; }

    /// <summary>The device-visible address one past the range's last byte.</summary>
    public ulong PhysicalEnd => PhysicalAddress + (ulong)Length;

    /// <summary>False once <see cref="HostAddressMap.Unmap"/> removed the range; its physical addresses then resolve to nothing, ever.</summary>
    public bool IsMapped => Volatile.Read(ref _mapped) != 0;

    /// <summary>The mapping's order in its map (1 for the first): the newer of two ranges over the same host memory wins a host-to-physical lookup.</summary>
    internal long Sequence { get; }

    /// <summary>True if <paramref name="hostAddress"/> lies inside the range.</summary>
    internal bool ContainsHost(nint hostAddress) => hostAddress >= HostAddress && (ulong)(hostAddress - HostAddress) < (ulong)Length;

    /// <summary>Marks the range unmapped and releases the pin of a managed buffer; true for the one caller that did it.</summary>
    internal bool Release()
    {
        if (Interlocked.Exchange(ref _mapped, 0) == 0)
        {
            return false;
        }

        _pin.Dispose();
        _pin = default;
        return true;
    }

    /// <inheritdoc />
    public override string ToString() => $"physical 0x{PhysicalAddress:X}..0x{PhysicalEnd:X} -> host 0x{HostAddress:X} ({Length} bytes{(IsMapped ? "" : ", unmapped")})";
}
