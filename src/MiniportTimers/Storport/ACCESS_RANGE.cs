namespace MiniportTimers.Storport;

/// <summary>
/// One hardware range the port driver assigned to the adapter (ns-storport-_access_range): a BAR of the adapter's PCI
/// function, as HwStorFindAdapter finds it in <see cref="PORT_CONFIGURATION_INFORMATION.AccessRanges"/> and maps with
/// StorPortGetDeviceBase.
/// </summary>
/// <param name="RangeStart">The bus-relative start (a memory address, or a port number for I/O).</param>
/// <param name="RangeLength">The range's length in bytes.</param>
/// <param name="RangeInMemory">True for memory space, false for I/O space.</param>
public readonly record struct ACCESS_RANGE(ulong RangeStart, uint RangeLength, bool RangeInMemory);
