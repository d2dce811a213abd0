using System.Runtime.CompilerServices;

namespace MiniportTimers.Storport;

/// <summary>
/// Maps a device extension (the PVOID HwDeviceExtension every DDI takes) back to the adapter the host created it for.
/// An object the host did not create maps to nothing: the DDIs answer STOR_STATUS_INVALID_PARAMETER. Weak keys: a
/// removed adapter's extension is collected with it.
/// </summary>
internal static class AdapterRegistry
{
    private static readonly ConditionalWeakTable<object, StorportAdapter> Map = new();

    public static void Register(object deviceExtension, StorportAdapter adapter) => Map.Add(deviceExtension, adapter);

    public static StorportAdapter? Find(object? deviceExtension) =>
        deviceExtension is not null && Map.TryGetValue(deviceExtension, out var adapter) ? adapter : null;
}
