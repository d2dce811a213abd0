using MiniportTimers.Storport;

namespace MiniportTimers.Samples.Harness;

/// <summary>A Storport miniport that does nothing but exist: for runs that exercise the timer DDIs alone.</summary>
public static class NullMiniport
{
    /// <summary>Registers the miniport on <paramref name="host"/>, starts one adapter and returns its device extension.</summary>
    public static object Start(StorportHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        host.StorPortInitialize(new HW_INITIALIZATION_DATA
        {
            DeviceExtensionFactory = () => new object(),
            HwFindAdapter = (object _, object? _, object? _, string? _, PORT_CONFIGURATION_INFORMATION _, out bool again) =>
            {
                again = false;
                return StorPort.SP_RETURN_FOUND;
            },
            HwInitialize = _ => true,
            HwStartIo = (_, _) => true,
            HwInterrupt = _ => true,
            HwAdapterControl = (_, _, _) => 0,
        });
        return host.AddAdapter().DeviceExtension;
    }
}
