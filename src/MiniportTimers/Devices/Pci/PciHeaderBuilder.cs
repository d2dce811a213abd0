using System.Buffers.Binary;

namespace MiniportTimers.Devices.Pci;

/// <summary>
/// Builds a device model's type-0 configuration header (PCI Local Bus 3.0 §6.1, §6.2): the reset image, which bits
/// software may write, and which are write-1-to-clear, so each device states only what is its own (identity, BARs,
/// capabilities). One builder for every device on the emulated bus (the AHCI HBA, the NVMe controller, the PCnet).
/// </summary>
/// <remarks>Not thread-safe: a device builds its header once, in its constructor.</remarks>
internal sealed class PciHeaderBuilder
{
    /// <summary>The Status register's write-1-to-clear error bits (§6.2.3: bits 15:11 and 8).</summary>
    private const ushort StatusErrorBits = 0xF900;

    private readonly byte[] _image = new byte[PciConfigurationSpace.Length];
    private readonly byte[] _writable = new byte[PciConfigurationSpace.Length];
    private readonly byte[] _writeOneToClear = new byte[PciConfigurationSpace.Length];

    /// <summary>Vendor, device, revision and class code (base class, subclass, programming interface); header type 0.</summary>
    public PciHeaderBuilder(ushort vendorId, ushort deviceId, byte revisionId, byte baseClass, byte subClass, byte progIf)
    {
        Write16(_image, PciConfigurationSpace.VendorIdOffset, vendorId);
        Write16(_image, PciConfigurationSpace.DeviceIdOffset, deviceId);
        _image[PciConfigurationSpace.RevisionIdOffset] = revisionId;
        _image[PciConfigurationSpace.ProgIfOffset] = progIf;
        _image[PciConfigurationSpace.SubClassOffset] = subClass;
        _image[PciConfigurationSpace.BaseClassOffset] = baseClass;
        Write16(_writeOneToClear, PciConfigurationSpace.StatusOffset, StatusErrorBits);
    }

    /// <summary>The Command register's value after the bus driver set the device up, and the bits software may change.</summary>
    public PciHeaderBuilder Command(ushort value, ushort writable)
    {
        Write16(_image, PciConfigurationSpace.CommandOffset, value);
        Write16(_writable, PciConfigurationSpace.CommandOffset, writable);
        return this;
    }

    /// <summary>The Status register's read-only bits (Capabilities List, DEVSEL timing, ...); the error bits are write-1-to-clear.</summary>
    public PciHeaderBuilder Status(ushort value)
    {
        Write16(_image, PciConfigurationSpace.StatusOffset, value);
        return this;
    }

    /// <summary>Cache Line Size (0Ch) writable when <paramref name="cacheLineSize"/>, and Latency Timer (0Dh) writable.</summary>
    public PciHeaderBuilder WritableCacheLineAndLatency(bool cacheLineSize = true)
    {
        if (cacheLineSize)
        {
            _writable[0x0C] = 0xFF;
        }

        _writable[0x0D] = 0xFF;
        return this;
    }

    /// <summary>A 32-bit BAR (§6.2.5.1): its value (with its type bits) and its size, a power of two: the bits below the size read 0.</summary>
    public PciHeaderBuilder Bar32(int index, uint value, long length)
    {
        var offset = PciConfigurationSpace.BaseAddressOffset + (4 * index);
        Write32(_image, offset, value);
        Write32(_writable, offset, ~(uint)(length - 1));
        return this;
    }

    /// <summary>A 64-bit memory BAR over BARs <paramref name="index"/> and <paramref name="index"/>+1 (type 10b), at <paramref name="address"/>, of <paramref name="length"/> bytes.</summary>
    public PciHeaderBuilder Bar64(int index, ulong address, long length)
    {
        Bar32(index, unchecked((uint)address) | 0x4, length);
        var upper = PciConfigurationSpace.BaseAddressOffset + (4 * (index + 1));
        Write32(_image, upper, (uint)(address >> 32));
        Write32(_writable, upper, uint.MaxValue);
        return this;
    }

    /// <summary>Subsystem vendor and subsystem IDs.</summary>
    public PciHeaderBuilder Subsystem(ushort vendorId, ushort id)
    {
        Write16(_image, PciConfigurationSpace.SubsystemVendorIdOffset, vendorId);
        Write16(_image, PciConfigurationSpace.SubsystemIdOffset, id);
        return this;
    }

    /// <summary>INTA#, with <paramref name="line"/> in the (writable) Interrupt Line register.</summary>
    public PciHeaderBuilder InterruptA(byte line)
    {
        _image[PciConfigurationSpace.InterruptLineOffset] = line;
        _writable[PciConfigurationSpace.InterruptLineOffset] = 0xFF;
        _image[PciConfigurationSpace.InterruptPinOffset] = 0x01;
        return this;
    }

    /// <summary>
    /// The PCI Power Management capability (PCI PM 1.2) at <paramref name="offset"/>, the only capability: ID 01h, PMC
    /// version 3, PMCS with No_Soft_Reset set and PowerState (bits 1:0) writable. Sets the Capabilities Pointer.
    /// </summary>
    public PciHeaderBuilder PowerManagementCapability(byte offset)
    {
        _image[PciConfigurationSpace.CapabilitiesPointerOffset] = offset;
        _image[offset] = 0x01;
        _image[offset + 1] = 0x00;
        Write16(_image, offset + 2, 0x0003);
        Write16(_image, offset + 4, 0x0008);
        _writable[offset + 4] = 0x03;
        return this;
    }

    /// <summary>Any other byte of the header (MIN_GNT, MAX_LAT, ...).</summary>
    public PciHeaderBuilder Byte(int offset, byte value)
    {
        _image[offset] = value;
        return this;
    }

    /// <summary>The configuration space.</summary>
    public PciConfigurationSpace Build() => new(_image, _writable, _writeOneToClear);

    private static void Write16(byte[] bytes, int offset, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), value);

    private static void Write32(byte[] bytes, int offset, uint value) => BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), value);
}
