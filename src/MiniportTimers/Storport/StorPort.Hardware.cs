using MiniportTimers.Devices.Pci;
using MiniportTimers.Kernel;

namespace MiniportTimers.Storport;

// The routines through which a miniport reaches its adapter's device: configuration space, registers and ports, the
// uncached extension, physical addresses and scatter-gather lists. All of them go through the adapter's
// AdapterHardware (Devices/Pci), the one binding shared with the NDIS stacks.
public static partial class StorPort
{
    /// <summary>BUS_DATA_TYPE PCIConfiguration (4): StorPortGetBusData and StorPortSetBusDataByOffset read and write the PCI configuration space.</summary>
    public const uint PCIConfiguration = 4;

    /// <summary>INTERFACE_TYPE PCIBus (5).</summary>
    public const uint PCIBus = 5;

    /// <summary>
    /// StorPortGetDeviceBase (nf-storport-storportgetdevicebase): the address through which the miniport reaches the
    /// device range at <paramref name="ioAddress"/> (an <see cref="ACCESS_RANGE.RangeStart"/>): for a memory range, the
    /// device's register space as host memory (readable directly); for an I/O range, the port number.
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="busType">INTERFACE_TYPE; <see cref="PCIBus"/> here.</param>
    /// <param name="systemIoBusNumber">The bus (ConfigInfo SystemIoBusNumber).</param>
    /// <param name="ioAddress">The start of the range, inside one of the adapter's access ranges.</param>
    /// <param name="numberOfBytes">The range's length in bytes.</param>
    /// <param name="inIoSpace">True for an I/O range.</param>
    /// <returns>The mapped address, or 0 when the range is not one of the adapter's (the documented failure) or the adapter has no device.</returns>
    /// <remarks>IRQL: PASSIVE_LEVEL, from HwStorFindAdapter. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E) for an extension no host created.</exception>
    public static nint StorPortGetDeviceBase(object? hwDeviceExtension, uint busType, uint systemIoBusNumber, ulong ioAddress, uint numberOfBytes, bool inIoSpace)
    {
        var adapter = AdapterRegistry.Require(hwDeviceExtension, nameof(StorPortGetDeviceBase));
        return adapter.Hardware is { } hardware && systemIoBusNumber == adapter.ConfigInfo.SystemIoBusNumber
            ? hardware.MapDeviceBase(ioAddress, numberOfBytes, inIoSpace)
            : 0;
    }

    /// <summary>
    /// StorPortGetBusData (nf-storport-storportgetbusdata): reads the adapter's PCI configuration space from offset 0
    /// into <paramref name="buffer"/>.
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="busDataType"><see cref="PCIConfiguration"/>; any other type reads nothing.</param>
    /// <param name="systemIoBusNumber">The adapter's bus.</param>
    /// <param name="slotNumber">The adapter's slot (ConfigInfo SlotNumber).</param>
    /// <param name="buffer">Up to 256 bytes are read.</param>
    /// <returns>Bytes read; 0 for another bus data type; 2 (with vendor ID 0xFFFF, PCI_INVALID_VENDORID) when no device is in that slot.</returns>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E) for an extension no host created.</exception>
    public static uint StorPortGetBusData(object? hwDeviceExtension, uint busDataType, uint systemIoBusNumber, uint slotNumber, Span<byte> buffer)
    {
        var adapter = AdapterRegistry.Require(hwDeviceExtension, nameof(StorPortGetBusData));
        if (busDataType != PCIConfiguration)
        {
            return 0;
        }

        if (adapter.Hardware is not { } hardware || systemIoBusNumber != adapter.ConfigInfo.SystemIoBusNumber || slotNumber != adapter.ConfigInfo.SlotNumber)
        {
            var written = Math.Min(buffer.Length, 2);
            buffer[..written].Fill(0xFF);
            return (uint)written;
        }

        return (uint)hardware.Device.PciConfiguration.Read(0, buffer);
    }

    /// <summary>
    /// StorPortSetBusDataByOffset (nf-storport-storportsetbusdatabyoffset): writes <paramref name="buffer"/> to the
    /// adapter's PCI configuration space at <paramref name="offset"/>; read-only bits keep their values.
    /// </summary>
    /// <returns>Bytes written; 0 for another bus data type, another slot, or an adapter without a device.</returns>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E) for an extension no host created.</exception>
    public static uint StorPortSetBusDataByOffset(object? hwDeviceExtension, uint busDataType, uint systemIoBusNumber, uint slotNumber, ReadOnlySpan<byte> buffer, uint offset)
    {
        var adapter = AdapterRegistry.Require(hwDeviceExtension, nameof(StorPortSetBusDataByOffset));
        if (busDataType != PCIConfiguration || adapter.Hardware is not { } hardware || systemIoBusNumber != adapter.ConfigInfo.SystemIoBusNumber
            || slotNumber != adapter.ConfigInfo.SlotNumber || offset >= PciConfigurationSpace.Length)
        {
            return 0;
        }

        return (uint)hardware.Device.PciConfiguration.Write((int)offset, buffer);
    }

    /// <summary>StorPortReadRegisterUlong (nf-storport-storportreadregisterulong): a 32-bit read of the register at <paramref name="register"/> (a StorPortGetDeviceBase address plus an offset), with its side effects.</summary>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) when the address is in no range the adapter mapped; 0x1E for an unknown extension.</exception>
    public static uint StorPortReadRegisterUlong(object? hwDeviceExtension, nint register) => Device(hwDeviceExtension, nameof(StorPortReadRegisterUlong)).Read(nameof(StorPortReadRegisterUlong), register, 4);

    /// <summary>StorPortReadRegisterUshort: a 16-bit register read (see <see cref="StorPortReadRegisterUlong"/>).</summary>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) outside the mapped ranges.</exception>
    public static ushort StorPortReadRegisterUshort(object? hwDeviceExtension, nint register) => (ushort)Device(hwDeviceExtension, nameof(StorPortReadRegisterUshort)).Read(nameof(StorPortReadRegisterUshort), register, 2);

    /// <summary>StorPortReadRegisterUchar: an 8-bit register read (see <see cref="StorPortReadRegisterUlong"/>).</summary>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) outside the mapped ranges.</exception>
    public static byte StorPortReadRegisterUchar(object? hwDeviceExtension, nint register) => (byte)Device(hwDeviceExtension, nameof(StorPortReadRegisterUchar)).Read(nameof(StorPortReadRegisterUchar), register, 1);

    /// <summary>StorPortWriteRegisterUlong (nf-storport-storportwriteregisterulong): a 32-bit register write with its side effects (a device interrupt it raises is delivered later, never inside the write).</summary>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) when the address is in no range the adapter mapped; 0x1E for an unknown extension.</exception>
    public static void StorPortWriteRegisterUlong(object? hwDeviceExtension, nint register, uint value) => Device(hwDeviceExtension, nameof(StorPortWriteRegisterUlong)).Write(nameof(StorPortWriteRegisterUlong), register, 4, value);

    /// <summary>StorPortWriteRegisterUshort: a 16-bit register write (see <see cref="StorPortWriteRegisterUlong"/>).</summary>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) outside the mapped ranges.</exception>
    public static void StorPortWriteRegisterUshort(object? hwDeviceExtension, nint register, ushort value) => Device(hwDeviceExtension, nameof(StorPortWriteRegisterUshort)).Write(nameof(StorPortWriteRegisterUshort), register, 2, value);

    /// <summary>StorPortWriteRegisterUchar: an 8-bit register write (see <see cref="StorPortWriteRegisterUlong"/>).</summary>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) outside the mapped ranges.</exception>
    public static void StorPortWriteRegisterUchar(object? hwDeviceExtension, nint register, byte value) => Device(hwDeviceExtension, nameof(StorPortWriteRegisterUchar)).Write(nameof(StorPortWriteRegisterUchar), register, 1, value);

    /// <summary>StorPortReadPortUlong (nf-storport-storportreadportulong): a 32-bit read of the I/O port at <paramref name="port"/> (a StorPortGetDeviceBase address of an I/O range, plus an offset).</summary>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) when the port is in no range the adapter mapped; 0x1E for an unknown extension.</exception>
    public static uint StorPortReadPortUlong(object? hwDeviceExtension, nint port) => Device(hwDeviceExtension, nameof(StorPortReadPortUlong)).Read(nameof(StorPortReadPortUlong), port, 4);

    /// <summary>StorPortReadPortUshort: a 16-bit port read (see <see cref="StorPortReadPortUlong"/>).</summary>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) outside the mapped ranges.</exception>
    public static ushort StorPortReadPortUshort(object? hwDeviceExtension, nint port) => (ushort)Device(hwDeviceExtension, nameof(StorPortReadPortUshort)).Read(nameof(StorPortReadPortUshort), port, 2);

    /// <summary>StorPortReadPortUchar: an 8-bit port read (see <see cref="StorPortReadPortUlong"/>).</summary>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) outside the mapped ranges.</exception>
    public static byte StorPortReadPortUchar(object? hwDeviceExtension, nint port) => (byte)Device(hwDeviceExtension, nameof(StorPortReadPortUchar)).Read(nameof(StorPortReadPortUchar), port, 1);

    /// <summary>StorPortWritePortUlong (nf-storport-storportwriteportulong): a 32-bit write of an I/O port, with its side effects.</summary>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) outside the mapped ranges; 0x1E for an unknown extension.</exception>
    public static void StorPortWritePortUlong(object? hwDeviceExtension, nint port, uint value) => Device(hwDeviceExtension, nameof(StorPortWritePortUlong)).Write(nameof(StorPortWritePortUlong), port, 4, value);

    /// <summary>StorPortWritePortUshort: a 16-bit port write (see <see cref="StorPortWritePortUlong"/>).</summary>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) outside the mapped ranges.</exception>
    public static void StorPortWritePortUshort(object? hwDeviceExtension, nint port, ushort value) => Device(hwDeviceExtension, nameof(StorPortWritePortUshort)).Write(nameof(StorPortWritePortUshort), port, 2, value);

    /// <summary>StorPortWritePortUchar: an 8-bit port write (see <see cref="StorPortWritePortUlong"/>).</summary>
    /// <exception cref="BugCheckException">PAGE_FAULT_IN_NONPAGED_AREA (0x50) outside the mapped ranges.</exception>
    public static void StorPortWritePortUchar(object? hwDeviceExtension, nint port, byte value) => Device(hwDeviceExtension, nameof(StorPortWritePortUchar)).Write(nameof(StorPortWritePortUchar), port, 1, value);

    /// <summary>
    /// StorPortGetUncachedExtension (nf-storport-storportgetuncachedextension): device-reachable memory for the
    /// adapter's shared structures (storahci's command lists and received-FIS areas), zeroed, page-aligned, mapped in
    /// the device's address map until the adapter is removed. A second call returns the same block if it is large enough.
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="configInfo">The configuration HwStorFindAdapter was given.</param>
    /// <param name="numberOfBytes">Bytes wanted, at least 1.</param>
    /// <returns>The block's address; 0 outside HwStorFindAdapter (the documented rule), for 0 bytes, on an adapter without a device, or when a smaller block was already given.</returns>
    /// <remarks>IRQL: PASSIVE_LEVEL, from HwStorFindAdapter only. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E) for an extension no host created.</exception>
    public static nint StorPortGetUncachedExtension(object? hwDeviceExtension, PORT_CONFIGURATION_INFORMATION configInfo, uint numberOfBytes)
    {
        var adapter = AdapterRegistry.Require(hwDeviceExtension, nameof(StorPortGetUncachedExtension));
        if (numberOfBytes == 0 || adapter.Hardware is not { } hardware || StorportRoutines.Current != MiniportRoutine.HwFindAdapter)
        {
            return 0;
        }

        return adapter.GetUncachedExtension(hardware, numberOfBytes);
    }

    /// <summary>
    /// StorPortGetPhysicalAddress (nf-storport-storportgetphysicaladdress): the physical address the device must be
    /// given for <paramref name="virtualAddress"/>, and the bytes physically contiguous from it.
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="srb">The request whose buffer or SRB extension the address is in, or null for the uncached extension.</param>
    /// <param name="virtualAddress">An address in the uncached extension, an SRB extension, or a request's mapped data buffer.</param>
    /// <param name="length">Bytes contiguous from the address (capped at 4 GiB - 1).</param>
    /// <returns>The physical address (the host address map's, docs/devices.md).</returns>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">
    /// PAGE_FAULT_IN_NONPAGED_AREA (0x50, P1 = the address) when the address is in no memory the host mapped for the
    /// device (the device could not reach it), or the adapter has no device; 0x1E for an unknown extension.
    /// </exception>
    public static ulong StorPortGetPhysicalAddress(object? hwDeviceExtension, SCSI_REQUEST_BLOCK? srb, nint virtualAddress, out uint length)
    {
        var hardware = Device(hwDeviceExtension, nameof(StorPortGetPhysicalAddress));
        if (!hardware.TryTranslate(virtualAddress, out var physical, out var contiguous))
        {
            throw BugCheck.Create(BugCheckCodes.PAGE_FAULT_IN_NONPAGED_AREA, (ulong)virtualAddress, 0, 0, 0,
                $"StorPortGetPhysicalAddress: 0x{virtualAddress:X} is not in the uncached extension, an SRB extension or a request's data buffer (memory the device can reach)");
        }

        length = (uint)Math.Min(contiguous, uint.MaxValue);
        return physical;
    }

    /// <summary>
    /// StorPortGetScatterGatherList (nf-storport-storportgetscattergatherlist): the physical ranges of
    /// <paramref name="srb"/>'s data buffer, one element per physically contiguous run (the host maps a buffer
    /// contiguously, so one element for a buffer of any size).
    /// </summary>
    /// <returns>The list, or null for a request without a data buffer or on an adapter without a device.</returns>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL, between HwStorBuildIo and the request's completion. Thread-safe.</remarks>
    /// <exception cref="BugCheckException">KMODE_EXCEPTION_NOT_HANDLED (0x1E) for an extension no host created.</exception>
    public static IReadOnlyList<STOR_SCATTER_GATHER_ELEMENT>? StorPortGetScatterGatherList(object? hwDeviceExtension, SCSI_REQUEST_BLOCK srb)
    {
        ArgumentNullException.ThrowIfNull(srb);
        _ = AdapterRegistry.Require(hwDeviceExtension, nameof(StorPortGetScatterGatherList));
        if (srb.MappedDataBuffer is not { } range || srb.DataTransferLength == 0)
        {
            return null;
        }

        return [new STOR_SCATTER_GATHER_ELEMENT(range.PhysicalAddress, (uint)Math.Min(srb.DataTransferLength, range.Length))];
    }

    private static AdapterHardware Device(object? hwDeviceExtension, string routine)
    {
        var adapter = AdapterRegistry.Require(hwDeviceExtension, routine);
        return adapter.Hardware ?? throw BugCheck.Create(BugCheckCodes.PAGE_FAULT_IN_NONPAGED_AREA, 0, 0, 0, 0, $"{routine}: the adapter has no device (StorportHost.AddAdapter was given none)");
    }
}
