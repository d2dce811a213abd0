using System.Buffers.Binary;

namespace MiniportTimers.Devices.Pci;

/// <summary>
/// A PCI function's 256-byte configuration space (PCI Local Bus 3.0 §6.1, the type 0 header), read and written by
/// offset as HalGetBusData / StorPortGetBusData and StorPortSetBusDataByOffset do. Each bit is read-only, read/write, or
/// write-1-to-clear, as the device that built the space declared; reserved and unimplemented bytes read 0 and ignore
/// writes.
/// </summary>
/// <remarks>Thread safety: every member is thread-safe (one lock per space); the device is told of a write after the lock is released.</remarks>
public sealed class PciConfigurationSpace
{
    /// <summary>The size of the configuration space, in bytes (conventional PCI; no extended space).</summary>
    public const int Length = 256;

    /// <summary>Offset 00h: Vendor ID (16 bits).</summary>
    public const int VendorIdOffset = 0x00;

    /// <summary>Offset 02h: Device ID (16 bits).</summary>
    public const int DeviceIdOffset = 0x02;

    /// <summary>Offset 04h: Command register (16 bits).</summary>
    public const int CommandOffset = 0x04;

    /// <summary>Offset 06h: Status register (16 bits).</summary>
    public const int StatusOffset = 0x06;

    /// <summary>Offset 08h: Revision ID (8 bits).</summary>
    public const int RevisionIdOffset = 0x08;

    /// <summary>Offset 09h: Programming Interface (8 bits), the low byte of the class code.</summary>
    public const int ProgIfOffset = 0x09;

    /// <summary>Offset 0Ah: Sub-class code (8 bits).</summary>
    public const int SubClassOffset = 0x0A;

    /// <summary>Offset 0Bh: Base class code (8 bits).</summary>
    public const int BaseClassOffset = 0x0B;

    /// <summary>Offset 0Eh: Header type (8 bits); 00h for a type 0 (device) header.</summary>
    public const int HeaderTypeOffset = 0x0E;

    /// <summary>Offset 10h: Base Address Register 0; BAR n is at 10h + 4n (n 0 to 5).</summary>
    public const int BaseAddressOffset = 0x10;

    /// <summary>Offset 2Ch: Subsystem Vendor ID (16 bits).</summary>
    public const int SubsystemVendorIdOffset = 0x2C;

    /// <summary>Offset 2Eh: Subsystem ID (16 bits).</summary>
    public const int SubsystemIdOffset = 0x2E;

    /// <summary>Offset 34h: Capabilities pointer (8 bits).</summary>
    public const int CapabilitiesPointerOffset = 0x34;

    /// <summary>Offset 3Ch: Interrupt Line (8 bits, read/write, for the system's use).</summary>
    public const int InterruptLineOffset = 0x3C;

    /// <summary>Offset 3Dh: Interrupt Pin (8 bits): 1 = INTA#.</summary>
    public const int InterruptPinOffset = 0x3D;

    /// <summary>Command register bit 1: Memory Space Enable.</summary>
    public const ushort CommandMemorySpaceEnable = 1 << 1;

    /// <summary>Command register bit 2: Bus Master Enable.</summary>
    public const ushort CommandBusMasterEnable = 1 << 2;

    /// <summary>Command register bit 10: Interrupt Disable (INTx# is not asserted while set).</summary>
    public const ushort CommandInterruptDisable = 1 << 10;

    /// <summary>Status register bit 3: Interrupt Status (the function's INTx# request, before Interrupt Disable).</summary>
    public const ushort StatusInterruptStatus = 1 << 3;

    /// <summary>Status register bit 4: Capabilities List (a capabilities pointer is valid at 34h).</summary>
    public const ushort StatusCapabilitiesList = 1 << 4;

    private readonly object _gate = new();
    private readonly byte[] _bytes;
    private readonly byte[] _writable;
    private readonly byte[] _writeOneToClear;

    /// <summary>Creates a space from its reset image and per-bit access masks (each array 256 bytes).</summary>
    /// <param name="resetImage">The value of every byte after reset.</param>
    /// <param name="writableMask">1 bits are read/write.</param>
    /// <param name="writeOneToClearMask">1 bits are write-1-to-clear (a bit in neither mask is read-only).</param>
    internal PciConfigurationSpace(ReadOnlySpan<byte> resetImage, ReadOnlySpan<byte> writableMask, ReadOnlySpan<byte> writeOneToClearMask)
    {
        if (resetImage.Length != Length || writableMask.Length != Length || writeOneToClearMask.Length != Length)
        {
            throw new ArgumentException("A configuration space image and its masks are 256 bytes each.");
        }

        _bytes = resetImage.ToArray();
        _writable = writableMask.ToArray();
        _writeOneToClear = writeOneToClearMask.ToArray();
    }

    /// <summary>Raised after a write changed a byte (offset of the write, its length); the device re-reads what it depends on. Not under the space's lock.</summary>
    internal event Action<int, int>? Written;

    /// <summary>The Vendor ID (offset 00h).</summary>
    public ushort VendorId => ReadUInt16(VendorIdOffset);

    /// <summary>The Device ID (offset 02h).</summary>
    public ushort DeviceId => ReadUInt16(DeviceIdOffset);

    /// <summary>The class code as base class, sub-class, programming interface (offsets 0Bh, 0Ah, 09h).</summary>
    public (byte BaseClass, byte SubClass, byte ProgIf) ClassCode => (ReadByte(BaseClassOffset), ReadByte(SubClassOffset), ReadByte(ProgIfOffset));

    /// <summary>The Command register (offset 04h).</summary>
    public ushort Command => ReadUInt16(CommandOffset);

    /// <summary>True while the Command register's Interrupt Disable bit is set: the function's INTx# line is not asserted.</summary>
    public bool InterruptDisable => (Command & CommandInterruptDisable) != 0;

    /// <summary>
    /// Copies configuration bytes from <paramref name="offset"/> into <paramref name="buffer"/>, as GetBusData does.
    /// </summary>
    /// <param name="offset">The first byte, 0 to 255; 256 or more reads nothing.</param>
    /// <param name="buffer">Where the bytes go; as many as fit below 256 are copied.</param>
    /// <returns>The number of bytes copied (0 past the end of the space).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    public int Read(int offset, Span<byte> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset >= Length)
        {
            return 0;
        }

        var count = Math.Min(buffer.Length, Length - offset);
        lock (_gate)
        {
            _bytes.AsSpan(offset, count).CopyTo(buffer);
        }

        return count;
    }

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>, as SetBusDataByOffset does: read/write bits take the
    /// new value, write-1-to-clear bits clear where a 1 is written, read-only bits keep theirs.
    /// </summary>
    /// <param name="offset">The first byte, 0 to 255; 256 or more writes nothing.</param>
    /// <param name="data">The bytes; those past 255 are dropped.</param>
    /// <returns>The number of bytes accepted (read-only bytes count as accepted, as on the bus).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    public int Write(int offset, ReadOnlySpan<byte> data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (offset >= Length)
        {
            return 0;
        }

        var count = Math.Min(data.Length, Length - offset);
        var changed = false;
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                var at = offset + i;
                var old = _bytes[at];
                var value = (byte)((old & ~_writable[at]) | (data[i] & _writable[at]));
                value = (byte)(value & ~(data[i] & _writeOneToClear[at]));
                changed |= value != old;
                _bytes[at] = value;
            }
        }

        if (changed)
        {
            Written?.Invoke(offset, count);
        }

        return count;
    }

    /// <summary>Reads the byte at <paramref name="offset"/> (0 to 255).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is outside 0 to 255.</exception>
    public byte ReadByte(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length - 1);
        lock (_gate)
        {
            return _bytes[offset];
        }
    }

    /// <summary>Reads the little-endian 16-bit value at <paramref name="offset"/> (0 to 254).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is outside 0 to 254.</exception>
    public ushort ReadUInt16(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length - 2);
        lock (_gate)
        {
            return BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(offset));
        }
    }

    /// <summary>Reads the little-endian 32-bit value at <paramref name="offset"/> (0 to 252).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is outside 0 to 252.</exception>
    public uint ReadUInt32(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length - 4);
        lock (_gate)
        {
            return BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(offset));
        }
    }

    /// <summary>Writes the little-endian 16-bit <paramref name="value"/> at <paramref name="offset"/> (see <see cref="Write"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is outside 0 to 254.</exception>
    public void WriteUInt16(int offset, ushort value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length - 2);
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        Write(offset, bytes);
    }

    /// <summary>Writes the little-endian 32-bit <paramref name="value"/> at <paramref name="offset"/> (see <see cref="Write"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is outside 0 to 252.</exception>
    public void WriteUInt32(int offset, uint value)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, Length - 4);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        Write(offset, bytes);
    }

    /// <summary>The value of Base Address Register <paramref name="index"/> (offset 10h + 4 × index), flags included.</summary>
    /// <param name="index">0 to 5.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside 0 to 5.</exception>
    public uint BaseAddress(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 5);
        return ReadUInt32(BaseAddressOffset + (4 * index));
    }

    /// <summary>The device sets or clears read-only status bits (Status.Interrupt Status): bits in <paramref name="mask"/> of the 16-bit register at <paramref name="offset"/> take <paramref name="value"/>.</summary>
    internal void SetReadOnlyBits16(int offset, ushort mask, ushort value)
    {
        lock (_gate)
        {
            var span = _bytes.AsSpan(offset, 2);
            var old = BinaryPrimitives.ReadUInt16LittleEndian(span);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)((old & ~mask) | (value & mask)));
        }
    }
}
