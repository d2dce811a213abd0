using MiniportTimers.Devices.Sata;
using MiniportTimers.Engine;

namespace MiniportTimers.Samples.Storahci;

/// <summary>What the storahci sample run does. Every random choice comes from <see cref="Seed"/>.</summary>
public sealed record StorahciScenario
{
    /// <summary>Adapters (HBAs) to create.</summary>
    public int Adapters { get; init; } = 4;

    /// <summary>Ports per adapter, 1 to 32.</summary>
    public int PortsPerAdapter { get; init; } = 4;

    /// <summary>Seed of the disks' timing and the workload.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How long the run lasts, ms of engine time; the adapters are removed at the end.</summary>
    public long DurationMilliseconds { get; init; } = 3_000;

    /// <summary>A port whose device never clears BSY ("adapter:port", for example "0:3"), or null.</summary>
    public string? NeverReadyPort { get; init; }

    /// <summary>A port with nothing attached ("adapter:port"), or null.</summary>
    public string? EmptyPort { get; init; }

    /// <summary>The LPM idle interval before Partial-to-Slumber, ms.</summary>
    public long LpmIntervalMilliseconds { get; init; } = 100;

    /// <summary>Mean time between I/O requests per adapter, µs.</summary>
    public long IoIntervalMicroseconds { get; init; } = 2_000;

    /// <summary>Sectors at the start of each disk that the workload reads and writes (preloaded with a known pattern).</summary>
    public int IoSectors { get; init; } = 1_024;

    /// <summary>
    /// The SATA disks of adapter <paramref name="adapter"/>'s ports, from the seed (null: the port is empty): a link-up
    /// time of 0-30 ms (PxSSTS.DET reads 1 meanwhile), a spin-up of 0-20 ms plus, for six disks in ten, 20-200 ms more
    /// (PxTFD.STS.BSY meanwhile), a command latency of 100-500 µs; <see cref="NeverReadyPort"/> never leaves BSY.
    /// </summary>
    public IReadOnlyList<SataDiskOptions?> PortDisks(int adapter)
    {
        var rng = new Random(Harness.Seeds.Derive(Seed, adapter));
        return [.. Enumerable.Range(0, PortsPerAdapter).Select(port =>
        {
            var linkUp = rng.Next(0, 30_000);
            var phy = rng.Next(0, 20_000);
            var busy = rng.Next(10) < 4 ? 0 : rng.Next(20_000, 200_000);
            var latency = rng.Next(100, 500);
            var id = $"{adapter}:{port}";
            return id == EmptyPort ? null : new SataDiskOptions
            {
                SerialNumber = $"MPT{adapter:D2}{port:D2}",
                CapacitySectors = 2_097_152 + (adapter * 32) + port,
                LinkUpNanoseconds = linkUp * TimeUnits.NanosecondsPerMicrosecond,
                SpinUpNanoseconds = (phy + busy) * TimeUnits.NanosecondsPerMicrosecond,
                NeverReady = id == NeverReadyPort,
                CommandLatencyNanoseconds = latency * TimeUnits.NanosecondsPerMicrosecond,
            };
        })];
    }
}
