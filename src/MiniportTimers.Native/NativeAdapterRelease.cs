using MiniportTimers.Hosting;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Native;

/// <summary>What both stacks' native drivers do when their host releases an adapter (issue 21 §4).</summary>
internal static class NativeAdapterRelease
{
    /// <summary>
    /// The KTIMERs and KDPCs of <paramref name="driver"/>'s storage that <paramref name="adapter"/>'s routines initialized
    /// and that stay (storage in the C driver's own pool memory, whose free the bridge does not see, or a global) are
    /// rebound to the host's driver-level scope, so none of them keeps the released adapter, its records and its scope
    /// alive. O(the driver's storage entries).
    /// </summary>
    public static void UnbindStorage(NativeDriver driver, HostedAdapter adapter)
    {
        foreach (var hostObject in driver.StorageObjects)
        {
            if (hostObject is KernelObject kernelObject && ReferenceEquals(kernelObject.Scope, adapter.Scope))
            {
                kernelObject.Rebind(adapter.HostCore.DriverScope);
            }
        }
    }
}
