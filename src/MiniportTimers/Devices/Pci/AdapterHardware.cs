using System.Runtime.InteropServices;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Kernel;

namespace MiniportTimers.Devices.Pci;

/// <summary>
/// One adapter's device as its miniport reaches it, the same for every stack (Storport, NDIS 5, NDIS 6): the access
/// ranges built from the device's BARs, the addresses a miniport gets for them (a mapped device base for memory, the
/// port number for I/O), register and port access by those addresses, DMA memory mapped for the device (an uncached
/// extension, common buffers, shared memory), and the translation between a buffer's host address and the physical
/// address the device is given.
/// </summary>
/// <remarks>
/// <para>The mapping (docs/devices.md, "The address map"): a memory BAR whose device keeps its registers in host memory
/// (<see cref="PciBar.MemoryView"/>) is mapped at that view, so a driver may read a register straight from memory as
/// from mapped MMIO; any other memory BAR gets a private block of host memory as its address (reads through the
/// routines reach the device; a direct load sees zeros, as a driver must not rely on). An I/O BAR's address is its
/// port number, as x64 port I/O uses it. Physical addresses are the host address map's (not the host addresses).</para>
/// <para>Errors: a register access at an address no mapped BAR covers is what a kernel driver touching an unmapped
/// address gets, PAGE_FAULT_IN_NONPAGED_AREA (0x50); a buffer the device cannot reach is a bug check naming the routine.</para>
/// <para>Thread safety: every member is thread-safe; register access takes no lock of ours (the device serializes its own).</para>
/// </remarks>
public sealed class AdapterHardware : IDisposable
{
    private readonly object _gate = new();
    private readonly List<Mapping> _mappings = [];
    private readonly Dictionary<nint, DmaBlock> _dma = [];
    private bool _disposed;

    /// <summary>Binds <paramref name="device"/> to one adapter.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    public AdapterHardware(IPciDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
    }

    /// <summary>The device model.</summary>
    public IPciDevice Device { get; }

    /// <summary>The host address map the device resolves physical addresses through.</summary>
    public HostAddressMap AddressMap => Device.AddressMap;

    /// <summary>DMA memory blocks allocated and not yet freed.</summary>
    public int DmaBlockCount
    {
        get
        {
            lock (_gate)
            {
                return _dma.Count;
            }
        }
    }

    /// <summary>
    /// The address a miniport uses for the device range starting at <paramref name="ioAddress"/> (StorPortGetDeviceBase,
    /// NdisMMapIoSpace, NdisMRegisterIoPortRange): the range must lie inside one BAR of the matching space.
    /// </summary>
    /// <param name="ioAddress">A bus address (memory) or port number (I/O) inside a BAR.</param>
    /// <param name="numberOfBytes">The range's length in bytes, at least 1.</param>
    /// <param name="inIoSpace">True for I/O space.</param>
    /// <returns>The mapped address, or 0 when no BAR of that space covers the whole range (the routines' documented failure).</returns>
    public nint MapDeviceBase(ulong ioAddress, ulong numberOfBytes, bool inIoSpace)
    {
        if (numberOfBytes == 0)
        {
            return 0;
        }

        foreach (var bar in Device.Bars)
        {
            if (bar.IsIoSpace != inIoSpace || ioAddress < bar.BaseAddress || ioAddress - bar.BaseAddress > (ulong)bar.Length
                || numberOfBytes > (ulong)bar.Length - (ioAddress - bar.BaseAddress))
            {
                continue;
            }

            var offset = (long)(ioAddress - bar.BaseAddress);
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                var mapping = _mappings.Find(m => m.Bar.Index == bar.Index) ?? AddMapping(bar);
                return checked(mapping.Address + (nint)offset);
            }
        }

        return 0;
    }

    /// <summary>Reads <paramref name="width"/> bytes of the register at <paramref name="address"/> (an address <see cref="MapDeviceBase"/> returned, plus an offset).</summary>
    /// <param name="routine">The DDI doing the access, for the bug check's text.</param>
    /// <param name="address">A mapped register address.</param>
    /// <param name="width">1, 2 or 4.</param>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50): no mapped BAR covers the access.</exception>
    public uint Read(string routine, nint address, int width)
    {
        var (mapping, offset) = Find(routine, address, width);
        return Device.ReadBar(mapping.Bar.Index, offset, width);
    }

    /// <summary>True when <paramref name="width"/> bytes at <paramref name="address"/> lie in a range this adapter mapped (<see cref="MapDeviceBase"/>).</summary>
    public bool Covers(nint address, int width)
    {
        lock (_gate)
        {
            return _mappings.Exists(m => address >= m.Address && (ulong)(address - m.Address) <= (ulong)(m.Bar.Length - width));
        }
    }

    /// <summary>Writes the low <paramref name="width"/> bytes of <paramref name="value"/> to the register at <paramref name="address"/>.</summary>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50): no mapped BAR covers the access.</exception>
    public void Write(string routine, nint address, int width, uint value)
    {
        var (mapping, offset) = Find(routine, address, width);
        Device.WriteBar(mapping.Bar.Index, offset, width, value);
    }

    /// <summary>
    /// Allocates <paramref name="length"/> bytes of zeroed host memory the device can reach (an uncached extension, a
    /// common buffer, shared memory), aligned to <paramref name="alignment"/>, and maps it in the address map.
    /// </summary>
    /// <param name="length">Bytes, 1 to 2^31-1.</param>
    /// <param name="alignment">A power of two up to 4096 (<see cref="HostAddressMap.PageSize"/>): the physical address keeps the host address's page offset.</param>
    /// <returns>The host address and the physical address of the block.</returns>
    public (nint HostAddress, ulong PhysicalAddress) AllocateDma(long length, int alignment = (int)HostAddressMap.PageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, int.MaxValue);
        if (alignment <= 0 || !int.IsPow2(alignment) || alignment > HostAddressMap.PageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "A power of two up to 4096.");
        }

        nint address;
        unsafe
        {
            address = (nint)NativeMemory.AlignedAlloc((nuint)length, (nuint)alignment);
            NativeMemory.Clear((void*)address, (nuint)length);
        }

        var range = AddressMap.Map(address, length);
        lock (_gate)
        {
            if (_disposed)
            {
                AddressMap.Unmap(range);
                unsafe
                {
                    NativeMemory.AlignedFree((void*)address);
                }

                throw new ObjectDisposedException(nameof(AdapterHardware));
            }

            _dma[address] = new DmaBlock(range);
        }

        return (address, range.PhysicalAddress);
    }

    /// <summary>Frees a block <see cref="AllocateDma"/> returned.</summary>
    /// <returns>False when <paramref name="hostAddress"/> is not a live block of this adapter (nothing is freed).</returns>
    public bool FreeDma(nint hostAddress)
    {
        DmaBlock block;
        lock (_gate)
        {
            if (!_dma.Remove(hostAddress, out block!))
            {
                return false;
            }
        }

        block.Free(AddressMap);
        return true;
    }

    /// <summary>The physical address of <paramref name="hostAddress"/> and the bytes contiguous from it (StorPortGetPhysicalAddress, NdisMGetPhysicalAddress-style lookups).</summary>
    /// <returns>False when the address is in no mapped range (a buffer the device cannot reach).</returns>
    public bool TryTranslate(nint hostAddress, out ulong physicalAddress, out long contiguousLength) =>
        AddressMap.TryTranslate(hostAddress, out physicalAddress, out contiguousLength);

    /// <summary>Frees every DMA block and every private BAR block, and disconnects nothing else (the adapter's host disconnects the interrupt). Idempotent.</summary>
    public void Dispose()
    {
        List<DmaBlock> blocks;
        List<Mapping> mappings;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            blocks = [.. _dma.Values];
            mappings = [.. _mappings];
            _dma.Clear();
            _mappings.Clear();
        }

        foreach (var block in blocks)
        {
            block.Free(AddressMap);
        }

        foreach (var mapping in mappings.Where(m => m.Owned))
        {
            unsafe
            {
                NativeMemory.Free((void*)mapping.Address);
            }
        }
    }

    private Mapping AddMapping(PciBar bar)
    {
        nint address;
        var owned = false;
        if (bar.IsIoSpace)
        {
            address = checked((nint)bar.BaseAddress);
        }
        else if (bar.MemoryView != 0)
        {
            address = bar.MemoryView;
        }
        else
        {
            unsafe
            {
                address = (nint)NativeMemory.AllocZeroed((nuint)bar.Length);
            }

            owned = true;
        }

        var mapping = new Mapping(bar, address, owned);
        _mappings.Add(mapping);
        return mapping;
    }

    private (Mapping Mapping, long Offset) Find(string routine, nint address, int width)
    {
        lock (_gate)
        {
            foreach (var m in _mappings)
            {
                if (address >= m.Address && (ulong)(address - m.Address) <= (ulong)(m.Bar.Length - width))
                {
                    return (m, address - m.Address);
                }
            }
        }

        throw BugCheck.Create(BugCheckCodes.PAGE_FAULT_IN_NONPAGED_AREA, (ulong)address, 0, 0, 0,
            $"{routine}: 0x{address:X} ({width} bytes) is in no device range the adapter mapped (GetDeviceBase/MapIoSpace/RegisterIoPortRange)");
    }

    private sealed record Mapping(PciBar Bar, nint Address, bool Owned);

    private sealed record DmaBlock(HostMemoryRange Range)
    {
        public void Free(HostAddressMap map)
        {
            map.Unmap(Range);
            unsafe
            {
                NativeMemory.AlignedFree((void*)Range.HostAddress);
            }
        }
    }
}
