namespace MiniportTimers.Devices.Pci;

/// <summary>
/// One base address register of a PCI function as the host's resource assignment sees it (PCI Local Bus 3.0 §6.2.5.1):
/// which BAR, where it was placed, how long it is, and whether it decodes I/O or memory space.
/// </summary>
/// <param name="Index">The BAR's number, 0 to 5 (AHCI's ABAR is BAR5; the PCnet's I/O ports are BAR0).</param>
/// <param name="BaseAddress">The assigned bus address (memory) or port number (I/O); what the BAR reads with its flag bits cleared.</param>
/// <param name="Length">The decoded length in bytes (a power of two, at least 16 for memory, 4 for I/O).</param>
/// <param name="IsIoSpace">True for an I/O space BAR (reached with port instructions: NdisRawReadPort*, StorPortReadPort*).</param>
/// <param name="MemoryView">
/// For a memory BAR whose registers are kept current in host memory (the AHCI register space): its host address, which
/// a driver may read directly as it reads mapped MMIO; 0 when the device has none (every access then goes through
/// <see cref="IPciDevice.ReadBar"/>).
/// </param>
public readonly record struct PciBar(int Index, ulong BaseAddress, long Length, bool IsIoSpace, nint MemoryView);
