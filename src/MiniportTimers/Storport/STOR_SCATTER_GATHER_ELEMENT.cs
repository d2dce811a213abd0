namespace MiniportTimers.Storport;

/// <summary>One element of a STOR_SCATTER_GATHER_LIST (ns-storport-_stor_scatter_gather_element): a physically contiguous run of a request's data buffer.</summary>
/// <param name="PhysicalAddress">The run's physical address (the host address map's).</param>
/// <param name="Length">The run's length in bytes.</param>
public readonly record struct STOR_SCATTER_GATHER_ELEMENT(ulong PhysicalAddress, uint Length);
