using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Storport;

/// <summary>A do-nothing miniport on a host of the test's choosing (real clock tests); returns the adapter's device extension.</summary>
internal static class RealClockAdapter
{
    public static object Create(StorportHost host, HW_STARTIO? startIo = null)
    {
        host.StorPortInitialize(new HW_INITIALIZATION_DATA
        {
            DeviceExtensionFactory = () => new TestExtension(),
            HwFindAdapter = (object _, object? _, object? _, string? _, PORT_CONFIGURATION_INFORMATION _, out bool again) =>
            {
                again = false;
                return StorPort.SP_RETURN_FOUND;
            },
            HwInitialize = _ => true,
            HwStartIo = startIo ?? ((_, _) => true),
            HwInterrupt = _ => true,
            HwAdapterControl = (_, _, _) => 0,
        });
        var adapter = host.AddAdapter();
        Assert.Equal(AdapterState.Started, adapter.State);
        return adapter.DeviceExtension;
    }
}
