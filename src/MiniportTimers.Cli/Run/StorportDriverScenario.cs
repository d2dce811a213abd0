using System.Buffers.Binary;
using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Sata;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// What Storport and the disk class driver do to a native Storport miniport's adapter during <c>run --driver
/// X.so:storport</c>, on the run's clock, with an emulated AHCI 1.3 HBA (4 ports) as the adapter's device:
/// unit enumeration per bus (REPORT LUNS, INQUIRY, READ CAPACITY (16)) with Storport's retry of BUSY, then reads and
/// writes of random LBAs whose data is checked against the disks' images, a SYNCHRONIZE CACHE per disk, a hot unplug
/// and plug of one disk (the bus-change path), and the adapter's removal at the end.
/// </summary>
/// <remarks>
/// <para>Ports: 0 and 2 hold SATA disks; 3 is empty; 1 holds a disk that stays BSY for ever when
/// <see cref="StorportScenarioOptions.NeverReadyPort"/> is 1 (its start sends a COMRESET at 1 s and gives up at 60 s),
/// an ordinary disk otherwise.</para>
/// <para>Requests are issued from completion routines and workload timers on the engine's dispatcher, one outstanding
/// per unit. Thread safety: everything runs on the dispatcher; the counters are read after the run.</para>
/// </remarks>
internal sealed class StorportDriverScenario
{
    private const byte SCSIOP_REPORT_LUNS = 0xA0;
    private const byte SCSIOP_INQUIRY = 0x12;
    private const byte SCSIOP_SERVICE_ACTION_IN16 = 0x9E;
    private const byte SERVICE_ACTION_READ_CAPACITY16 = 0x10;
    private const byte SCSIOP_READ = 0x28;
    private const byte SCSIOP_WRITE = 0x2A;
    private const byte SCSIOP_SYNCHRONIZE_CACHE = 0x35;
    private const byte SRB_STATUS_BUSY = 0x05;
    private const byte IDE_COMMAND_FLUSH_CACHE_EXT = 0xEA;
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private readonly StorportHost _host;
    private readonly StorportScenarioOptions _options;
    private readonly List<string> _failures = [];
    private readonly Dictionary<int, UnitState> _units = [];
    private Workload? _workload;
    private long _tag;

    public StorportDriverScenario(StorportHost host, StorportScenarioOptions options)
    {
        _host = host;
        _options = options;
        AddressMap = new HostAddressMap();
        // Only the hot-plugged port is hot-plug capable (PxCMD.HPCP): storahci keeps link power management off on such a port.
        Hba = new AhciHba(host.Engine, AddressMap, new AhciHbaOptions { PortCount = 4, HotPlugCapablePorts = options.HotPlugPort is { } hotPlug ? 1u << hotPlug : 0 });
        for (var port = 0; port < Hba.Ports.Count; port++)
        {
            if (port == 3)
            {
                continue; // empty
            }

            var disk = new SataDisk(new SataDiskOptions
            {
                SerialNumber = $"MPT{port:D13}",
                CapacitySectors = options.CapacitySectors,
                SpinUpNanoseconds = options.SpinUpNanoseconds,
                NeverReady = port == options.NeverReadyPort,
            });
            Hba.Ports[port].Attach(disk);
        }
    }

    public HostAddressMap AddressMap { get; }

    public AhciHba Hba { get; }

    public StorportAdapter? Adapter { get; private set; }

    public long Inquiries { get; private set; }

    public long CapacitiesRead { get; private set; }

    public long Reads { get; private set; }

    public long Writes { get; private set; }

    public long DataMismatches { get; private set; }

    public long Flushes { get; private set; }

    public long BusyRetries { get; private set; }

    public long HotPlugs { get; private set; }

    /// <summary>Units that went idle after their I/O (HwStorUnitControl(ScsiUnitPoFxPowerActive) with Active FALSE).</summary>
    public long IdleTransitions { get; private set; }

    /// <summary>Rescans the miniport asked for with StorPortStateChangeDetected, each followed by an enumeration of its bus.</summary>
    public long Rescans { get; private set; }

    /// <summary>The units enumerated: bus, INQUIRY vendor and product, capacity in sectors.</summary>
    public IReadOnlyList<(int Bus, string Identity, long Sectors)> Units =>
        [.. _units.Where(u => u.Value.Sectors > 0).OrderBy(u => u.Key).Select(u => (u.Key, u.Value.Identity, u.Value.Sectors))];

    /// <summary>Buses enumerated as empty (no device, or a device that never became ready), with the SRB status that said so.</summary>
    public IReadOnlyList<(int Bus, byte SrbStatus)> EmptyBuses =>
        [.. _units.Where(u => u.Value.EmptyStatus is not null).OrderBy(u => u.Key).Select(u => (u.Key, u.Value.EmptyStatus!.Value))];

    public IReadOnlyList<string> Failures => _failures;

    internal string CommandCounts() => string.Join("; ", Hba.Ports.Select((p, i) => $"port {i}: " + (p.Device is { } d ? string.Join(",", Enumerable.Range(0, 256).Where(c => d.GetCommandCount((byte)c) > 0).Select(c => $"{c:X2}x{d.GetCommandCount((byte)c)}")) : "-")));

    public void Schedule(Workload workload, long durationNanoseconds)
    {
        _workload = workload;
        _host.RescanRequested += (adapter, _, path) =>
        {
            // Storport's answer to StorPortStateChangeDetected: PnP rescans, and the bus's unit is enumerated again.
            if (ReferenceEquals(adapter, Adapter) && path < Hba.Ports.Count)
            {
                Rescans++;
                Enumerate(path);
            }
        };
        workload.At(0, () => Adapter = _host.AddAdapter(null, Hba));
        workload.At(10 * Ms, () =>
        {
            if (Adapter is not { State: AdapterState.Started })
            {
                _failures.Add("the adapter did not start (HwStorFindAdapter or HwStorInitialize failed)");
                return;
            }

            for (var bus = 0; bus < Math.Max(1, (int)Adapter.ConfigInfo.NumberOfBuses); bus++)
            {
                Enumerate(bus);
            }
        });
        if (_options.HotPlugPort is { } hotPlugPort && durationNanoseconds >= 4_000 * Ms)
        {
            // By default the disk is plugged back 150 ms after it was pulled, while Storport still processes the first state change
            // (StorportHostOptions.StateChangeProcessingMicroseconds, 250 ms): the second StorPortStateChangeDetected is
            // refused with BUSY, and storahci retries it from its BusChangeTimer every 100 ms until it is taken.
            workload.At(durationNanoseconds - (3_000 * Ms), () => Unplug(hotPlugPort));
            workload.At(durationNanoseconds - (3_000 * Ms) + _options.ReplugDelayNanoseconds, () => Plug(hotPlugPort));
        }
    }

    private void Unplug(int port)
    {
        if (Hba.Ports[port].Detach() is { } disk)
        {
            _unplugged = disk;
            HotPlugs++;
        }
    }

    private SataDisk? _unplugged;

    private void Plug(int port)
    {
        if (_unplugged is { } disk)
        {
            Hba.Ports[port].Attach(disk);
            _unplugged = null;
            HotPlugs++;
        }
    }

    private void Enumerate(int bus)
    {
        var unit = _units.TryGetValue(bus, out var known) ? known : _units[bus] = new UnitState(bus);
        unit.Sectors = 0;
        unit.EmptyStatus = null;
        Submit(bus, [SCSIOP_REPORT_LUNS, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0], new byte[16], StorPort.SRB_FLAGS_DATA_IN, srb =>
        {
            if (Retry(srb, () => Enumerate(bus)) || !Exists(srb, unit, () => Enumerate(bus)))
            {
                return;
            }

            Inquiry(unit);
        });
    }

    private void Inquiry(UnitState unit)
    {
        var data = new byte[96];
        Submit(unit.Bus, [SCSIOP_INQUIRY, 0, 0, 0, 96, 0], data, StorPort.SRB_FLAGS_DATA_IN, srb =>
        {
            if (Retry(srb, () => Inquiry(unit)) || !Exists(srb, unit, () => Inquiry(unit)))
            {
                return;
            }

            Inquiries++;
            unit.Identity = $"{System.Text.Encoding.ASCII.GetString(data, 8, 8).Trim()} {System.Text.Encoding.ASCII.GetString(data, 16, 16).Trim()}";
            ReadCapacity(unit);
        });
    }

    private void ReadCapacity(UnitState unit)
    {
        var data = new byte[32];
        Submit(unit.Bus, [SCSIOP_SERVICE_ACTION_IN16, SERVICE_ACTION_READ_CAPACITY16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0], data, StorPort.SRB_FLAGS_DATA_IN, srb =>
        {
            if (Retry(srb, () => ReadCapacity(unit)) || !Exists(srb, unit, () => ReadCapacity(unit)))
            {
                return;
            }

            CapacitiesRead++;
            unit.Sectors = (long)BinaryPrimitives.ReadUInt64BigEndian(data) + 1;
            var blockLength = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(8));
            if (blockLength != SataDisk.SectorSize)
            {
                _failures.Add($"bus {unit.Bus}: READ CAPACITY (16) reported {blockLength}-byte blocks, the disk has {SataDisk.SectorSize}");
            }

            if (Hba.Ports[unit.Bus].Device is { } disk && unit.Sectors != disk.CapacitySectors)
            {
                _failures.Add($"bus {unit.Bus}: READ CAPACITY (16) reported {unit.Sectors} sectors, the disk has {disk.CapacitySectors}");
            }

            if (!unit.PowerInfoSent)
            {
                // Storport enables the unit's idle power management once it is enumerated (the unit registers its component).
                unit.PowerInfoSent = true;
                Adapter?.NotifyPowerSettings(); // the power plan's LPM settings, now that the unit's IDENTIFY data is known (storahci applies HIPM only then)
                Adapter?.UnitControl(SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerInfo, new STOR_POFX_UNIT_POWER_INFO((byte)unit.Bus, 0, 0, IdlePowerEnabled: true));
            }

            if (unit.Idle)
            {
                // The unit's component becomes active again before its I/O (storahci cancels its LPM timer).
                unit.Idle = false;
                Adapter?.UnitControl(SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerActive, new STOR_POFX_ACTIVE_CONTEXT((byte)unit.Bus, 0, 0, Active: true));
            }

            if (!unit.IoDone)
            {
                NextIo(unit);
            }
        });
    }

    private void NextIo(UnitState unit)
    {
        if (unit.IosDone >= _options.IosPerDisk)
        {
            unit.IoDone = true;
            Flush(unit);
            return;
        }

        var random = _workload!.Random;
        var sectors = random.Next(1, 9);
        var lba = random.NextInt64(0, Math.Max(1, Math.Min(unit.Sectors, 1 << 20) - sectors));
        var write = random.Next(2) == 0;
        var data = new byte[sectors * SataDisk.SectorSize];
        byte[] cdb = [write ? SCSIOP_WRITE : SCSIOP_READ, 0, 0, 0, 0, 0, 0, 0, (byte)sectors, 0];
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), (uint)lba);
        if (write)
        {
            random.NextBytes(data);
        }

        Submit(unit.Bus, cdb, data, write ? StorPort.SRB_FLAGS_DATA_OUT : StorPort.SRB_FLAGS_DATA_IN, srb =>
        {
            if (Retry(srb, () => NextIo(unit)))
            {
                return;
            }

            if (srb.SrbStatus != StorPort.SRB_STATUS_SUCCESS)
            {
                _failures.Add($"bus {unit.Bus}: {(write ? "WRITE" : "READ")} (10) of LBA {lba} x{sectors} ended with SRB status 0x{srb.SrbStatus:X2}");
                return;
            }

            var image = new byte[data.Length];
            Hba.Ports[unit.Bus].Device?.ReadSectors(lba, image);
            if (!image.AsSpan().SequenceEqual(data))
            {
                DataMismatches++;
            }

            if (write)
            {
                Writes++;
            }
            else
            {
                Reads++;
            }

            unit.IosDone++;
            NextIo(unit);
        });
    }

    private void Flush(UnitState unit)
    {
        var disk = Hba.Ports[unit.Bus].Device;
        var before = disk?.GetCommandCount(IDE_COMMAND_FLUSH_CACHE_EXT) ?? 0;
        Submit(unit.Bus, [SCSIOP_SYNCHRONIZE_CACHE, 0, 0, 0, 0, 0, 0, 0, 0, 0], Memory<byte>.Empty, 0, srb =>
        {
            if (Retry(srb, () => Flush(unit)))
            {
                return;
            }

            if (srb.SrbStatus == StorPort.SRB_STATUS_SUCCESS && disk is not null && disk.GetCommandCount(IDE_COMMAND_FLUSH_CACHE_EXT) > before)
            {
                Flushes++;

                // No more I/O: the unit's power framework component goes idle (storahci schedules Partial to Slumber).
                unit.Idle = true;
                IdleTransitions++;
                Adapter?.UnitControl(SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerActive, new STOR_POFX_ACTIVE_CONTEXT((byte)unit.Bus, 0, 0, Active: false));
            }
            else
            {
                _failures.Add($"bus {unit.Bus}: SYNCHRONIZE CACHE ended with SRB status 0x{srb.SrbStatus:X2} and {(disk?.GetCommandCount(IDE_COMMAND_FLUSH_CACHE_EXT) ?? 0) - before} FLUSH CACHE EXT");
            }
        });
    }

    /// <summary>Storport retries a request the miniport completed with SRB_STATUS_BUSY (here after 250 ms).</summary>
    private bool Retry(SCSI_REQUEST_BLOCK srb, Action again)
    {
        if (srb.SrbStatus != SRB_STATUS_BUSY)
        {
            return false;
        }

        BusyRetries++;
        _workload!.After(250 * Ms, again);
        return true;
    }

    /// <summary>
    /// After an enumeration command: true when the unit answered. A bus is recorded empty when the miniport says no
    /// device answers there (SRB_STATUS_NO_DEVICE, SELECTION_TIMEOUT, INVALID_LUN/TARGET/PATH); any other failure (a bus
    /// reset, an error, an abort) is retried up to <see cref="EnumerationRetries"/> times, 100 ms apart, as Storport's
    /// bus enumerator retries its requests.
    /// </summary>
    private bool Exists(SCSI_REQUEST_BLOCK srb, UnitState unit, Action again)
    {
        var status = (byte)(srb.SrbStatus & 0x3F); // without SRB_STATUS_QUEUE_FROZEN and SRB_STATUS_AUTOSENSE_VALID
        if (status is StorPort.SRB_STATUS_SUCCESS or 0x12) // SUCCESS, or DATA_OVERRUN (a short transfer)
        {
            unit.Failures = 0;
            return true;
        }

        if (status is not (0x08 or 0x0A or 0x20 or 0x21 or 0x22) && ++unit.Failures <= EnumerationRetries) // NO_DEVICE, SELECTION_TIMEOUT, INVALID_PATH_ID, INVALID_TARGET_ID, INVALID_LUN
        {
            EnumerationRetriesDone++;
            _workload!.After(100 * Ms, again);
            return false;
        }

        unit.Failures = 0;
        unit.EmptyStatus = srb.SrbStatus;
        return false;
    }

    /// <summary>How many times an enumeration command that failed for another reason than "no device" is sent again.</summary>
    public const int EnumerationRetries = 4;

    /// <summary>Enumeration commands sent again after a failure that was not "no device".</summary>
    public long EnumerationRetriesDone { get; private set; }

    private void Submit(int bus, byte[] cdb, Memory<byte> data, uint flags, Action<SCSI_REQUEST_BLOCK> completed)
    {
        if (Adapter is not { State: AdapterState.Started } adapter)
        {
            return;
        }

        var srb = new SCSI_REQUEST_BLOCK
        {
            Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI,
            PathId = (byte)bus,
            Cdb = cdb,
            DataBuffer = data,
            DataTransferLength = (uint)data.Length,
            SrbFlags = flags,
            Tag = ++_tag,
            CompletionRoutine = completed,
        };
        if (!adapter.SubmitRequest(srb))
        {
            _failures.Add($"bus {bus}: the adapter refused a request (stopped, or HwStorStartIo raised a bug check)");
        }
    }

    private sealed class UnitState(int bus)
    {
        public int Bus { get; } = bus;

        public string Identity { get; set; } = string.Empty;

        public long Sectors { get; set; }

        public byte? EmptyStatus { get; set; }

        public int IosDone { get; set; }

        public bool IoDone { get; set; }

        public int Failures { get; set; }

        public bool PowerInfoSent { get; set; }

        public bool Idle { get; set; }
    }
}

/// <summary>The Storport driver scenario's build: the never-ready port, the disks' size and spin-up, the I/O per disk, the hot-plugged port.</summary>
internal sealed record StorportScenarioOptions
{
    /// <summary>The port whose disk stays BSY for ever, or null for none.</summary>
    public int? NeverReadyPort { get; init; }

    /// <summary>
    /// Each disk's capacity in 512-byte sectors: 256 GiB by default (the image is sparse), above the 2^28 sectors from
    /// which storahci addresses a disk with the 48-bit commands (READ/WRITE DMA EXT, FLUSH CACHE EXT).
    /// </summary>
    public long CapacitySectors { get; init; } = 1L << 29;

    /// <summary>Each disk's time in BSY after a COMRESET, ns.</summary>
    public long SpinUpNanoseconds { get; init; } = 50 * TimeUnits.NanosecondsPerMillisecond;

    /// <summary>Reads and writes per disk.</summary>
    public int IosPerDisk { get; init; } = 500;

    /// <summary>The port unplugged 3 s before the end and plugged again <see cref="ReplugDelayNanoseconds"/> later, or null for none (the only hot-plug capable port).</summary>
    public int? HotPlugPort { get; init; } = 2;

    /// <summary>From the unplug to the plug, ns (150 ms: within Storport's state-change processing, so the plug's notification is refused and retried); at most 2 s.</summary>
    public long ReplugDelayNanoseconds { get; init; } = 150 * TimeUnits.NanosecondsPerMillisecond;
}
