using System.Runtime.InteropServices;
using MiniportTimers.Devices.Pci;
using MiniportTimers.Hosting.Routines;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;

namespace MiniportTimers.Native.Ndis;

/// <summary>
/// The DDIs through which a native NDIS miniport reaches its adapter's device model (issue 23): PCI configuration space,
/// I/O port ranges and the HAL's port access, and shared memory. All of them go through the adapter's
/// <see cref="AdapterHardware"/> (<see cref="NdisMiniportAdapter.Hardware"/>, the one binding of a device to an adapter for
/// every stack); an adapter added without a device answers as a machine without one would (0 bytes, a failed
/// registration, a NULL allocation).
/// </summary>
internal static unsafe partial class NdisHardwareExports
{
    /// <summary>Adapters that registered a port range, for port access from code that runs for no adapter the host knows (a KDPC the driver queued).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<NdisMiniportAdapter, AdapterHardware> PortOwners = new();

    /// <summary>The adapter was released: its ports are no longer found.</summary>
    internal static void ForgetAdapter(NdisMiniportAdapter adapter) => PortOwners.TryRemove(adapter, out _);

    private static AdapterHardware? HardwareOf(nint handle, string routine) =>
        NativeNdisObjects.RequireAdapter(handle, routine).Hardware;

    private static uint NdisReadPciSlotInformation(nint ndisAdapterHandle, uint slotNumber, uint offset, nint buffer, uint length)
    {
        _ = slotNumber;
        Ke.RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, nameof(NdisReadPciSlotInformation));
        if (HardwareOf(ndisAdapterHandle, nameof(NdisReadPciSlotInformation)) is not { } hardware || buffer == 0 || offset >= 256)
        {
            return 0;
        }

        return (uint)hardware.Device.PciConfiguration.Read((int)offset, new Span<byte>((void*)buffer, (int)Math.Min(length, 256 - offset)));
    }

    private static uint NdisWritePciSlotInformation(nint ndisAdapterHandle, uint slotNumber, uint offset, nint buffer, uint length)
    {
        _ = slotNumber;
        Ke.RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, nameof(NdisWritePciSlotInformation));
        if (HardwareOf(ndisAdapterHandle, nameof(NdisWritePciSlotInformation)) is not { } hardware || buffer == 0 || offset >= 256)
        {
            return 0;
        }

        return (uint)hardware.Device.PciConfiguration.Write((int)offset, new ReadOnlySpan<byte>((void*)buffer, (int)Math.Min(length, 256 - offset)));
    }

    private static int NdisMRegisterIoPortRange(nint portOffset, nint miniportAdapterHandle, uint initialPort, uint numberOfPorts)
    {
        Ke.RequireIrqlAtMost(KIRQL.PASSIVE_LEVEL, nameof(NdisMRegisterIoPortRange));
        ArgumentOutOfRangeException.ThrowIfZero(portOffset, nameof(portOffset));
        var adapter = NativeNdisObjects.RequireAdapter(miniportAdapterHandle, nameof(NdisMRegisterIoPortRange));
        var address = adapter.Hardware?.MapDeviceBase(initialPort, numberOfPorts, inIoSpace: true) ?? 0;
        if (address != 0)
        {
            PortOwners[adapter] = adapter.Hardware!;
        }

        *(nint*)portOffset = address;
        return address == 0 ? unchecked((int)0xC001001E) /* NDIS_STATUS_RESOURCE_CONFLICT */ : 0;
    }

    private static void NdisMDeregisterIoPortRange(nint miniportAdapterHandle, uint initialPort, uint numberOfPorts, nint portOffset)
    {
        _ = (initialPort, numberOfPorts, portOffset);
        NativeNdisObjects.RequireAdapter(miniportAdapterHandle, nameof(NdisMDeregisterIoPortRange));
    }

    private static void NdisMAllocateSharedMemory(nint miniportAdapterHandle, uint length, byte cached, nint virtualAddress, nint physicalAddress)
    {
        _ = cached;
        Ke.RequireIrqlAtMost(KIRQL.PASSIVE_LEVEL, nameof(NdisMAllocateSharedMemory));
        ArgumentOutOfRangeException.ThrowIfZero(virtualAddress, nameof(virtualAddress));
        ArgumentOutOfRangeException.ThrowIfZero(physicalAddress, nameof(physicalAddress));
        *(nint*)virtualAddress = 0;
        *(long*)physicalAddress = 0;
        if (length == 0 || HardwareOf(miniportAdapterHandle, nameof(NdisMAllocateSharedMemory)) is not { } hardware)
        {
            return;
        }

        var (host, physical) = hardware.AllocateDma(length);
        *(nint*)virtualAddress = host;
        *(long*)physicalAddress = (long)physical;
    }

    private static void NdisMFreeSharedMemory(nint miniportAdapterHandle, uint length, byte cached, nint virtualAddress, long physicalAddress)
    {
        _ = (length, cached, physicalAddress);
        Ke.RequireIrqlAtMost(KIRQL.PASSIVE_LEVEL, nameof(NdisMFreeSharedMemory));
        if (HardwareOf(miniportAdapterHandle, nameof(NdisMFreeSharedMemory)) is not { } hardware || !hardware.FreeDma(virtualAddress))
        {
            throw BugCheck.Create(BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.SharedMemoryFreedNotAllocated, (ulong)virtualAddress, length, 0,
                $"NdisMFreeSharedMemory: 0x{virtualAddress:X} is not shared memory NdisMAllocateSharedMemory gave this adapter");
        }
    }

    /// <summary>
    /// The hardware that decodes <paramref name="port"/>: the running routine's adapter's, else (a KDPC or work item the
    /// host runs for no adapter) the one adapter of the caller's host whose registered port range covers it, as on a
    /// machine a port address names one device.
    /// </summary>
    private static AdapterHardware PortHardware(string routine, nint port)
    {
        if ((CurrentRoutine.Adapter as NdisMiniportAdapter)?.Hardware is { } own)
        {
            return own;
        }

        AdapterHardware? found = null;
        var engine = KernelContext.CurrentEngine; // the machine the caller runs on: each host is one
        foreach (var (adapter, hardware) in PortOwners)
        {
            if (adapter.IsLive && ReferenceEquals(adapter.Host.Engine, engine) && hardware.Covers(port, 1))
            {
                if (found is not null)
                {
                    throw BugCheck.Create(BugCheckCodes.PAGE_FAULT_IN_NONPAGED_AREA, (ulong)port, 0, 0, 0, $"{routine}: port 0x{port:X} is registered by two adapters and the caller runs for neither");
                }

                found = hardware;
            }
        }

        return found ?? throw BugCheck.Create(BugCheckCodes.PAGE_FAULT_IN_NONPAGED_AREA, (ulong)port, 0, 0, 0, $"{routine}: port 0x{port:X} is in no port range an adapter registered (NdisMRegisterIoPortRange)");
    }

    private static byte READ_PORT_UCHAR(nint port) => (byte)PortHardware(nameof(READ_PORT_UCHAR), port).Read(nameof(READ_PORT_UCHAR), port, 1);

    private static ushort READ_PORT_USHORT(nint port) => (ushort)PortHardware(nameof(READ_PORT_USHORT), port).Read(nameof(READ_PORT_USHORT), port, 2);

    private static uint READ_PORT_ULONG(nint port) => PortHardware(nameof(READ_PORT_ULONG), port).Read(nameof(READ_PORT_ULONG), port, 4);

    private static void WRITE_PORT_UCHAR(nint port, byte value) => PortHardware(nameof(WRITE_PORT_UCHAR), port).Write(nameof(WRITE_PORT_UCHAR), port, 1, value);

    private static void WRITE_PORT_USHORT(nint port, ushort value) => PortHardware(nameof(WRITE_PORT_USHORT), port).Write(nameof(WRITE_PORT_USHORT), port, 2, value);

    private static void WRITE_PORT_ULONG(nint port, uint value) => PortHardware(nameof(WRITE_PORT_ULONG), port).Write(nameof(WRITE_PORT_ULONG), port, 4, value);
}
