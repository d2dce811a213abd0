using MiniportTimers.Engine;

namespace MiniportTimers.Samples.Storahci;

/// <summary>A simulated AHCI host bus adapter: its ports, each with a device.</summary>
public sealed class AhciHba
{
    internal AhciHba(int index, TimerEngine engine, IEnumerable<AhciPortDeviceProfile> ports)
    {
        Index = index;
        Ports = [.. ports.Select(p => new AhciPortDevice(engine, p))];
    }

    /// <summary>The adapter number.</summary>
    public int Index { get; }

    /// <summary>The ports (implemented ports, PI).</summary>
    public IReadOnlyList<AhciPortDevice> Ports { get; }
}
