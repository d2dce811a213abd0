using System.Buffers.Binary;
using MiniportTimers.Devices.Ahci;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// What Storport and the disk class driver do to a native Storport miniport's adapter during <c>run --driver
/// X.so:storport</c>, on the run's clock, whatever the adapter's device: unit enumeration per bus (REPORT LUNS,
/// INQUIRY, READ CAPACITY (16)) with Storport's retry of BUSY, then reads and writes of random LBAs through SCSI CDBs
/// whose data is checked against the device's medium, a SYNCHRONIZE CACHE per unit (which must reach the device as its
/// flush command), and the adapter's removal at the end. The device and its own events are a
/// <see cref="StorportScenarioDevice"/>: <see cref="AhciScenarioDevice"/> (4-port HBA, hot plug) or
/// <see cref="NvmeScenarioDevice"/> (one namespace, time to ready, surprise removal).
/// </summary>
/// <remarks>
/// <para>
/// Which thread runs what. The adapter's start (HwStorFindAdapter, HwStorInitialize, HwStorPassiveInitializeRoutine)
/// runs as Windows runs it, on a PnP worker thread at PASSIVE_LEVEL: on the real clock a thread of its own, started at
/// time 0 (a miniport may wait there for its own timer, OFA nvmewin's HwPassiveInitialize in a StorPortStallExecution
/// loop for NVMeRunning, and that timer's dispatcher must be free to fire it); on the virtual clock inline, in the
/// workload's time-0 event, where a passive stall advances the clock (deterministic, as before). Everything else of the
/// scenario (enumeration, I/O, retries, the device's events, the completion routines, the rescans) runs on one
/// dispatcher, the scenario's (<c>dispatcher</c> of the constructor, reduced modulo the engine's dispatchers): its
/// workload events are pinned there, and the adapter's <see cref="Hosting.HostedAdapter.Processor"/> is set to it once
/// the start returned, so the completion routines and rescans run there too. Requests are issued one outstanding per unit.
/// </para>
/// <para>
/// Thread safety: the scenario's state is touched on its dispatcher only, except <see cref="Adapter"/> (published by the
/// start thread) and the workload's random source, shared with the run's other scenarios (locked). The counters are
/// read after the run, once <see cref="WaitForStart"/> returned true.
/// </para>
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
    private const int SectorSize = 512;
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private readonly StorportHost _host;
    private readonly StorportScenarioOptions _options;
    private readonly List<string> _failures = [];
    private readonly Dictionary<int, UnitState> _units = [];
    private readonly int _dispatcher;
    private readonly TaskCompletionSource _startReturned = new(TaskCreationOptions.RunContinuationsAsynchronously); // not an event: nothing to dispose
    private Workload? _workload;
    private StorportAdapter? _adapter;
    private string? _startFailure;
    private long _tag;

    /// <summary>Creates the scenario of one adapter of <paramref name="host"/>.</summary>
    /// <param name="host">The host the driver registered with.</param>
    /// <param name="options">The device and the scenario's options.</param>
    /// <param name="dispatcher">The engine dispatcher the scenario runs on (reduced modulo the engine's count; 0 on a virtual engine).</param>
    public StorportDriverScenario(StorportHost host, StorportScenarioOptions options, int dispatcher = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dispatcher);
        _host = host;
        _options = options;
        _dispatcher = dispatcher % host.Engine.DispatcherCount;
        Device = options.Device switch
        {
            StorportScenarioDeviceKind.Nvme => new NvmeScenarioDevice(host.Engine, options),
            _ => new AhciScenarioDevice(host.Engine, options),
        };
    }

    /// <summary>The adapter's device and its own events.</summary>
    public StorportScenarioDevice Device { get; }

    /// <summary>The AHCI HBA (<c>--device ahci</c>).</summary>
    /// <exception cref="InvalidOperationException">The device is not an AHCI HBA.</exception>
    public AhciHba Hba => (Device as AhciScenarioDevice)?.Hba ?? throw new InvalidOperationException("The scenario's device is not an AHCI HBA.");

    /// <summary>The NVMe controller's part (<c>--device nvme</c>).</summary>
    /// <exception cref="InvalidOperationException">The device is not an NVMe controller.</exception>
    public NvmeScenarioDevice Nvme => Device as NvmeScenarioDevice ?? throw new InvalidOperationException("The scenario's device is not an NVMe controller.");

    /// <summary>The adapter, once AddAdapter returned (its start done, whether it succeeded or not); null before.</summary>
    public StorportAdapter? Adapter => Volatile.Read(ref _adapter);

    /// <summary>The dispatcher the scenario's events run on.</summary>
    public int Dispatcher => _dispatcher;

    /// <summary>
    /// Waits until the adapter's start returned (at once on the virtual clock, where it runs inline): call before reading
    /// the counters or removing the adapter, as PnP serializes a removal after the start. False when it had not
    /// returned within <paramref name="timeout"/> (a miniport still waiting in its start: the adapter must be left alone).
    /// </summary>
    public bool WaitForStart(TimeSpan timeout) => _startReturned.Task.Wait(timeout);

    public long Inquiries { get; private set; }

    public long CapacitiesRead { get; private set; }

    public long Reads { get; private set; }

    public long Writes { get; private set; }

    public long DataMismatches { get; private set; }

    /// <summary>SYNCHRONIZE CACHE requests that succeeded and reached the device as its flush command.</summary>
    public long Flushes { get; private set; }

    public long BusyRetries { get; private set; }

    /// <summary>AHCI: disks pulled and plugged back (0 on another device).</summary>
    public long HotPlugs => (Device as AhciScenarioDevice)?.HotPlugs ?? 0;

    /// <summary>Rescans the miniport asked for with StorPortStateChangeDetected, each followed by an enumeration of its bus.</summary>
    public long Rescans { get; private set; }

    /// <summary>The units enumerated: bus, INQUIRY vendor and product, capacity in sectors.</summary>
    public IReadOnlyList<(int Bus, string Identity, long Sectors)> Units =>
        [.. _units.Where(u => u.Value.Sectors > 0).OrderBy(u => u.Key).Select(u => (u.Key, u.Value.Identity, u.Value.Sectors))];

    /// <summary>Buses enumerated as empty (no device, or a device that never became ready), with the SRB status that said so.</summary>
    public IReadOnlyList<(int Bus, byte SrbStatus)> EmptyBuses =>
        [.. _units.Where(u => u.Value.EmptyStatus is not null).OrderBy(u => u.Key).Select(u => (u.Key, u.Value.EmptyStatus!.Value))];

    public IReadOnlyList<string> Failures => Volatile.Read(ref _startFailure) is { } start ? [start, .. _failures] : _failures;

    /// <summary>Records a failure of the run (an invariant the report lists).</summary>
    internal void AddFailure(string failure) => _failures.Add(failure);

    /// <summary>The CDB of a READ (10) of <paramref name="sectors"/> sectors at <paramref name="lba"/> (below 2^32).</summary>
    internal static byte[] Read10(long lba, int sectors)
    {
        byte[] cdb = [SCSIOP_READ, 0, 0, 0, 0, 0, 0, (byte)(sectors >> 8), (byte)sectors, 0];
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), checked((uint)lba));
        return cdb;
    }

    public void Schedule(Workload workload, long durationNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(workload);
        workload = workload.PinnedTo(_dispatcher);
        _workload = workload;
        _host.RescanRequested += (adapter, _, path) =>
        {
            // Storport's answer to StorPortStateChangeDetected: PnP rescans, and the bus's unit is enumerated again.
            if (ReferenceEquals(adapter, Adapter) && path < Math.Max(1, (int)adapter.ConfigInfo.NumberOfBuses))
            {
                Rescans++;
                Enumerate(path);
            }
        };
        workload.At(0, BeginStart);
        Device.Schedule(this, workload, durationNanoseconds);
    }

    /// <summary>
    /// At time 0: the adapter's start, on a PnP worker thread of its own on the real clock, inline on the virtual one
    /// (the class remarks). The worker is a background thread: a miniport that never returns from its start does not
    /// keep the process alive.
    /// </summary>
    private void BeginStart()
    {
        if (_host.Engine.IsVirtual)
        {
            StartAdapter();
            return;
        }

        new Thread(StartAdapter) { IsBackground = true, Name = "PnP start (HwStorFindAdapter .. HwStorPassiveInitializeRoutine)" }.Start();
    }

    /// <summary>
    /// AddAdapter (HwStorFindAdapter, HwStorInitialize, HwStorPassiveInitializeRoutine), then enumeration 10 ms after it
    /// returned: a miniport may wait in HwPassiveInitialize for its start (nvmewin: a PASSIVE_LEVEL stall loop, during
    /// which the virtual clock runs on), and Storport sends no request before then.
    /// </summary>
    private void StartAdapter()
    {
        try
        {
            var adapter = _host.AddAdapter(null, Device.Pci);
            if (_host.Engine.DispatcherCount > 1)
            {
                adapter.Processor = _dispatcher; // its completion routines and rescans run on the scenario's dispatcher from now on
            }

            Volatile.Write(ref _adapter, adapter);
            _workload!.After(10 * Ms, EnumerateAfterStart);
        }
        catch (Exception ex) when (!_host.Engine.IsVirtual)
        {
            // On the start thread nothing above would catch it and the process would end (the device already serves an
            // adapter, no miniport registered, the engine disposed under it). A miniport's own fault is not one of these:
            // the host made it a bug check of the adapter, whose start then failed.
            Volatile.Write(ref _startFailure, $"the adapter could not be added ({ex.GetType().Name}: {ex.Message})");
        }
        finally
        {
            _startReturned.TrySetResult();
        }
    }

    private void EnumerateAfterStart()
    {
        if (Adapter is not { State: AdapterState.Started })
        {
            // A never-ready controller is given up by its driver: a miniport that waits for its start in
            // HwPassiveInitialize (nvmewin) then fails it, which is the expected outcome, not an invariant failure.
            if (!_options.NvmeNeverReady)
            {
                _failures.Add("the adapter did not start (HwStorFindAdapter, HwStorInitialize or HwStorPassiveInitializeRoutine failed)");
            }

            return;
        }

        for (var bus = 0; bus < Math.Max(1, (int)Adapter.ConfigInfo.NumberOfBuses); bus++)
        {
            Enumerate(bus);
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
            if (blockLength != SectorSize)
            {
                _failures.Add($"bus {unit.Bus}: READ CAPACITY (16) reported {blockLength}-byte blocks, the medium has {SectorSize}");
            }

            if (Device.CapacitySectors(unit.Bus) is { } capacity && unit.Sectors != capacity)
            {
                _failures.Add($"bus {unit.Bus}: READ CAPACITY (16) reported {unit.Sectors} sectors, the medium has {capacity}");
            }

            if (Adapter is { } adapter)
            {
                Device.UnitEnumerated(adapter, unit.Bus);
            }

            if (!unit.IoDone)
            {
                NextIo(unit);
            }
        });
    }

    private void NextIo(UnitState unit)
    {
        if (unit.IosDone >= (_options.IosPerDisk ?? Device.DefaultIosPerUnit))
        {
            unit.IoDone = true;
            Flush(unit);
            return;
        }

        // The random source is the run's workload's, shared with the other adapters' scenarios, which may run on other
        // dispatchers: drawn under its lock (no user code runs inside). One scenario draws in the same order as before.
        var random = _workload!.Random;
        int sectors;
        long lba;
        bool write;
        byte[] data;
        lock (random)
        {
            sectors = random.Next(1, 9);
            lba = random.NextInt64(0, Math.Max(1, Math.Min(unit.Sectors, 1 << 20) - sectors));
            write = random.Next(2) == 0;
            data = new byte[sectors * SectorSize];
            if (write)
            {
                random.NextBytes(data);
            }
        }

        byte[] cdb = [write ? SCSIOP_WRITE : SCSIOP_READ, 0, 0, 0, 0, 0, 0, 0, (byte)sectors, 0];
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), (uint)lba);

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
            if (!Device.ReadMedium(unit.Bus, lba, image) || !image.AsSpan().SequenceEqual(data))
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
        var before = Device.FlushCommands(unit.Bus);
        Submit(unit.Bus, [SCSIOP_SYNCHRONIZE_CACHE, 0, 0, 0, 0, 0, 0, 0, 0, 0], Memory<byte>.Empty, 0, srb =>
        {
            if (Retry(srb, () => Flush(unit)))
            {
                return;
            }

            var flushed = Device.FlushCommands(unit.Bus) - before;
            if (srb.SrbStatus == StorPort.SRB_STATUS_SUCCESS && flushed > 0)
            {
                Flushes++;
                if (Adapter is { } adapter)
                {
                    Device.UnitFlushed(adapter, unit.Bus);
                }
            }
            else
            {
                _failures.Add($"bus {unit.Bus}: SYNCHRONIZE CACHE ended with SRB status 0x{srb.SrbStatus:X2} and {flushed} {Device.FlushCommandName}");
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

    /// <summary>Sends a SCSI request to the adapter as Storport does; returns its tag, or null when the adapter is not started or refused it.</summary>
    internal long? Submit(int bus, byte[] cdb, Memory<byte> data, uint flags, Action<SCSI_REQUEST_BLOCK> completed)
    {
        if (Adapter is not { State: AdapterState.Started } adapter)
        {
            return null;
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
            return null;
        }

        return srb.Tag;
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
    }
}
