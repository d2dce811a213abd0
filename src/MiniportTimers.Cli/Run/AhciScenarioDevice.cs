using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Pci;
using MiniportTimers.Devices.Sata;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// <c>--device ahci</c> (the default for a Storport driver): an emulated AHCI 1.3 HBA of 4 ports, one bus per port.
/// Ports 0 and 2 hold SATA disks; 3 is empty; 1 holds a disk that stays BSY for ever when
/// <see cref="StorportScenarioOptions.NeverReadyPort"/> is 1, an ordinary disk otherwise. The hot-plugged port's disk
/// is pulled 3 s before the end and plugged back (the bus-change path), and each enumerated unit's power framework
/// component goes active before its I/O and idle after its flush (storahci's link power management).
/// </summary>
internal sealed class AhciScenarioDevice : StorportScenarioDevice
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private const byte IDE_COMMAND_FLUSH_CACHE_EXT = 0xEA;
    private readonly StorportScenarioOptions _options;
    private readonly HashSet<int> _powerInfoSent = [];
    private readonly HashSet<int> _idle = [];
    private SataDisk? _unplugged;

    public AhciScenarioDevice(TimerEngine engine, StorportScenarioOptions options)
    {
        _options = options;

        // Only the hot-plugged port is hot-plug capable (PxCMD.HPCP): storahci keeps link power management off on such a port.
        Hba = new AhciHba(engine, AddressMap, new AhciHbaOptions { PortCount = 4, HotPlugCapablePorts = options.HotPlugPort is { } hotPlug ? 1u << hotPlug : 0 });
        for (var port = 0; port < Hba.Ports.Count; port++)
        {
            if (port == 3)
            {
                continue; // empty
            }

            Hba.Ports[port].Attach(new SataDisk(new SataDiskOptions
            {
                SerialNumber = $"MPT{port:D13}",
                CapacitySectors = options.CapacitySectors,
                SpinUpNanoseconds = options.SpinUpNanoseconds,
                NeverReady = port == options.NeverReadyPort,
            }));
        }
    }

    /// <summary>The HBA.</summary>
    public AhciHba Hba { get; }

    public override IPciDevice Pci => Hba;

    public override int DefaultIosPerUnit => 500;

    public override string FlushCommandName => "FLUSH CACHE EXT";

    /// <summary>Disks pulled and plugged back.</summary>
    public long HotPlugs { get; private set; }

    /// <summary>Units that went idle after their I/O (HwStorUnitControl(ScsiUnitPoFxPowerActive) with Active FALSE).</summary>
    public long IdleTransitions { get; private set; }

    public override long? CapacitySectors(int bus) => bus < Hba.Ports.Count ? Hba.Ports[bus].Device?.CapacitySectors : null;

    public override bool ReadMedium(int bus, long lba, Span<byte> into)
    {
        if (bus >= Hba.Ports.Count || Hba.Ports[bus].Device is not { } disk)
        {
            return false;
        }

        disk.ReadSectors(lba, into);
        return true;
    }

    public override long FlushCommands(int bus) => bus < Hba.Ports.Count ? Hba.Ports[bus].Device?.GetCommandCount(IDE_COMMAND_FLUSH_CACHE_EXT) ?? 0 : 0;

    /// <summary>Each port's commands by ATA opcode, for a test's failure message.</summary>
    internal string CommandCounts() => string.Join("; ", Hba.Ports.Select((p, i) => $"port {i}: " + (p.Device is { } d ? string.Join(",", Enumerable.Range(0, 256).Where(c => d.GetCommandCount((byte)c) > 0).Select(c => $"{c:X2}x{d.GetCommandCount((byte)c)}")) : "-")));

    public override void Schedule(StorportDriverScenario scenario, Workload workload, long durationNanoseconds)
    {
        if (_options.HotPlugPort is { } hotPlugPort && durationNanoseconds >= 4_000 * Ms)
        {
            // By default the disk is plugged back 150 ms after it was pulled, while Storport still processes the first state change
            // (StorportHostOptions.StateChangeProcessingMicroseconds, 250 ms): the second StorPortStateChangeDetected is
            // refused with BUSY, and storahci retries it from its BusChangeTimer every 100 ms until it is taken.
            workload.At(durationNanoseconds - (3_000 * Ms), () => Unplug(hotPlugPort));
            workload.At(durationNanoseconds - (3_000 * Ms) + _options.ReplugDelayNanoseconds, () => Plug(hotPlugPort));
        }
    }

    public override void UnitEnumerated(StorportAdapter adapter, int bus)
    {
        if (_powerInfoSent.Add(bus))
        {
            // Storport enables the unit's idle power management once it is enumerated (the unit registers its component).
            adapter.NotifyPowerSettings(); // the power plan's LPM settings, now that the unit's IDENTIFY data is known (storahci applies HIPM only then)
            adapter.UnitControl(SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerInfo, new STOR_POFX_UNIT_POWER_INFO((byte)bus, 0, 0, IdlePowerEnabled: true));
        }

        if (_idle.Remove(bus))
        {
            // The unit's component becomes active again before its I/O (storahci cancels its LPM timer).
            adapter.UnitControl(SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerActive, new STOR_POFX_ACTIVE_CONTEXT((byte)bus, 0, 0, Active: true));
        }
    }

    public override void UnitFlushed(StorportAdapter adapter, int bus)
    {
        // No more I/O: the unit's power framework component goes idle (storahci schedules Partial to Slumber).
        _idle.Add(bus);
        IdleTransitions++;
        adapter.UnitControl(SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerActive, new STOR_POFX_ACTIVE_CONTEXT((byte)bus, 0, 0, Active: false));
    }

    public override IEnumerable<KeyValuePair<string, long>> Facts(IReadOnlyList<StorportDriverScenario> scenarios)
    {
        var devices = scenarios.Select(s => s.Device).OfType<AhciScenarioDevice>().ToList();
        yield return new("hot unplugs and plugs", devices.Sum(d => d.HotPlugs));
        yield return new("units gone idle", devices.Sum(d => d.IdleTransitions));
    }

    private void Unplug(int port)
    {
        if (Hba.Ports[port].Detach() is { } disk)
        {
            _unplugged = disk;
            HotPlugs++;
        }
    }

    private void Plug(int port)
    {
        if (_unplugged is { } disk)
        {
            Hba.Ports[port].Attach(disk);
            _unplugged = null;
            HotPlugs++;
        }
    }
}
