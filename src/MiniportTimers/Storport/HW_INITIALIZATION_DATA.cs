namespace MiniportTimers.Storport;

/// <summary>What a miniport registers with StorPortInitialize: its routines and its device extension factory.</summary>
public sealed class HW_INITIALIZATION_DATA
{
    /// <summary>Creates the device extension of a new adapter (Windows allocates DeviceExtensionSize bytes; here, an object). Required.</summary>
    public Func<object>? DeviceExtensionFactory { get; set; }

    /// <summary>HwStorFindAdapter. Required.</summary>
    public HW_FIND_ADAPTER? HwFindAdapter { get; set; }

    /// <summary>HwStorInitialize. Required.</summary>
    public HW_INITIALIZE? HwInitialize { get; set; }

    /// <summary>HwStorStartIo. Required.</summary>
    public HW_STARTIO? HwStartIo { get; set; }

    /// <summary>HwStorInterrupt. Required.</summary>
    public HW_INTERRUPT? HwInterrupt { get; set; }

    /// <summary>HwStorAdapterControl. Required.</summary>
    public HW_ADAPTER_CONTROL? HwAdapterControl { get; set; }

    /// <summary>HwStorBuildIo. Optional: called for each request at DISPATCH_LEVEL without a port lock before HwStorStartIo; returning false means the miniport completed the request there.</summary>
    public HW_BUILDIO? HwBuildIo { get; set; }

    /// <summary>HwStorUnitControl. Optional.</summary>
    public HW_UNIT_CONTROL? HwUnitControl { get; set; }
}
