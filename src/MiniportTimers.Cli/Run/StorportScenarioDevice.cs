using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Pci;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// The device-specific half of <see cref="StorportDriverScenario"/>: the emulated PCI device an adapter drives, where
/// each bus's medium is (so the scenario can check what the driver read and wrote against it), how a flush shows on
/// the device, the device's own events on the run's timeline, and its lines of the report. The scenario keeps the
/// rest: enumeration, checked I/O, the flush, Storport's retries and the shared counters.
/// </summary>
/// <remarks>Thread safety: like the scenario, everything runs on the engine's dispatcher; the counters are read after the run.</remarks>
internal abstract class StorportScenarioDevice
{
    /// <summary>The address map the device reaches host memory through (request buffers, queues, tables).</summary>
    public HostAddressMap AddressMap { get; } = new();

    /// <summary>The PCI function Storport binds the adapter to.</summary>
    public abstract IPciDevice Pci { get; }

    /// <summary>Reads and writes per unit when the options leave it out.</summary>
    public abstract int DefaultIosPerUnit { get; }

    /// <summary>What the scenario's SYNCHRONIZE CACHE must become on the device, for the report ("FLUSH CACHE EXT").</summary>
    public abstract string FlushCommandName { get; }

    /// <summary>The capacity in 512-byte sectors of the medium at <paramref name="bus"/>, or null when there is none.</summary>
    public abstract long? CapacitySectors(int bus);

    /// <summary>Reads the medium at <paramref name="bus"/> from <paramref name="lba"/> into <paramref name="into"/> (whole sectors); false when there is none.</summary>
    public abstract bool ReadMedium(int bus, long lba, Span<byte> into);

    /// <summary>How many flush commands the medium at <paramref name="bus"/> executed so far.</summary>
    public abstract long FlushCommands(int bus);

    /// <summary>Puts the device's own events (hot plug, surprise removal) on the timeline. Default: none.</summary>
    public virtual void Schedule(StorportDriverScenario scenario, Workload workload, long durationNanoseconds)
    {
    }

    /// <summary>A unit was enumerated (its READ CAPACITY answered), before its I/O. Default: nothing.</summary>
    public virtual void UnitEnumerated(StorportAdapter adapter, int bus)
    {
    }

    /// <summary>A unit's I/O and flush are done. Default: nothing.</summary>
    public virtual void UnitFlushed(StorportAdapter adapter, int bus)
    {
    }

    /// <summary>The device's lines of the report, summed over <paramref name="scenarios"/> (all on this kind of device).</summary>
    public abstract IEnumerable<KeyValuePair<string, long>> Facts(IReadOnlyList<StorportDriverScenario> scenarios);
}
