using MiniportTimers.Storport;

namespace MiniportTimers.Samples.Harness;

/// <summary>A Storport miniport that does nothing but exist: for runs that exercise the timer DDIs alone.</summary>
public static class NullMiniport
{
    /// <summary>Registers the miniport on <paramref name="host"/>, starts one adapter and returns its device extension.</summary>
    /// <param name="host">The host.</param>
    /// <param name="deviceExtensionFactory">Makes the device extension (default: a plain object).</param>
    /// <param name="hwStartIo">HwStorStartIo (default: accepts every request and does nothing).</param>
    public static object Start(StorportHost host, Func<object>? deviceExtensionFactory = null, HW_STARTIO? hwStartIo = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        host.StorPortInitialize(new HW_INITIALIZATION_DATA
        {
            DeviceExtensionFactory = deviceExtensionFactory ?? (() => new object()),
            HwFindAdapter = (object _, object? _, object? _, string? _, PORT_CONFIGURATION_INFORMATION _, out bool again) =>
            {
                again = false;
                return StorPort.SP_RETURN_FOUND;
            },
            HwInitialize = _ => true,
            HwStartIo = hwStartIo ?? ((_, _) => true),
            HwInterrupt = _ => true,
            HwAdapterControl = (_, _, _) => 0,
        });
        return host.AddAdapter().DeviceExtension;
    }
}
