using System.Buffers.Binary;
using System.Diagnostics;
using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Sata;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Native.Storport;
using MiniportTimers.Samples.Storahci;
using MiniportTimers.Storport;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// Issue 22: the emulated Storport I/O path's cost. One adapter with a 1-port AHCI HBA and an instant SATA disk
/// (<see cref="SataDiskOptions.CommandLatencyNanoseconds"/> 0) is started and enumerated, then a queue depth of 1 or 32
/// 4 KiB READ(10) requests is kept outstanding, each resubmitted from its completion routine, through HwBuildIo and
/// HwStartIo → the HBA's command processing → its line interrupt → HwInterrupt → the miniport's DPC (the C miniport) →
/// StorPortNotification(RequestComplete) → the completion routine on the engine's dispatcher. Every read's 4 KiB are
/// compared with what the disk holds. Reported: IOPS (completions per second of wall time), µs per I/O and bytes
/// allocated per I/O, for the C# storahci sample and, when native/build/storport_ahci.so exists, our C miniport.
/// </summary>
/// <remarks>
/// <para>On the <see cref="VirtualTimerEngine"/>: every engine timer on the path (the HBA's command completion, the
/// deferred completion routine, the C miniport's DPC) fires inside <see cref="VirtualTimerEngine.AdvanceTo"/> on the
/// measuring thread, so the wall time is exactly the CPU the emulated path burns on one core, and
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> sees every allocation. On the real engine the same path would
/// also pay the dispatcher thread's wake-ups and the hand-offs between it and the submitter (a measure of the engine's
/// wake latency, which the lateness rows already give), and spread the work over two cores.</para>
/// <para>By elimination: each miniport also runs with the verifier off, and at queue depth 1 with a
/// <see cref="TraceRecorder"/> attached (off, the host's default, everywhere else); the bench's own share (a new SRB
/// per I/O, the data check) is measured alone.</para>
/// </remarks>
internal static class StorportIoBench
{
    public const string Group = "storport I/O path";

    private const int SectorSize = 512;
    private const int IoSectors = 8; // 4 KiB
    private const int IoBytes = IoSectors * SectorSize;
    private const int RegionSectors = 4_096; // the 2 MiB the reads cycle over, with a pattern known to the bench
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private const byte SCSIOP_REPORT_LUNS = 0xA0;
    private const byte SCSIOP_INQUIRY = 0x12;
    private const byte SCSIOP_READ_CAPACITY = 0x25;
    private const byte SCSIOP_SERVICE_ACTION_IN16 = 0x9E;
    private const byte SERVICE_ACTION_READ_CAPACITY16 = 0x10;
    private const byte SCSIOP_READ = 0x28;
    private const uint SRB_FLAGS_DATA_IN = 0x40;
    private const byte SRB_STATUS_BUSY = 0x05;

    /// <summary>Which miniport drives the HBA.</summary>
    internal enum Miniport
    {
        /// <summary>The C# storahci sample (samples/MiniportTimers.Samples/Storahci).</summary>
        Storahci,

        /// <summary>Our C miniport native/miniports/storport_ahci.c through the native bridge.</summary>
        NativeAhci,
    }

    /// <summary>
    /// One measurement: the reads completed in the fastest round, how many were checked equal, its wall time and
    /// allocations, and the most ranges the HBA's address map held at a completion (each outstanding data buffer is one;
    /// the host rebuilds the map's arrays at every map and unmap).
    /// </summary>
    internal sealed record Result(Miniport Miniport, int QueueDepth, bool Verifier, bool Trace, long Ios, long Checked, long Mismatches, double Seconds, double BytesPerIo, int MappedRanges)
    {
        public double Iops => Ios / Seconds;

        public double MicrosecondsPerIo => Seconds * 1e6 / Ios;
    }

    /// <summary>The rows: both miniports at queue depth 1 and 32, verifier on and off, and the bench's own share.</summary>
    public static IEnumerable<BenchRow> Run(bool quick)
    {
        var rows = new List<BenchRow>();
        var native = NativeDriverPath();
        foreach (var miniport in new[] { Miniport.Storahci, Miniport.NativeAhci })
        {
            if (miniport == Miniport.NativeAhci && native is null)
            {
                rows.Add(new BenchRow(Group, "IOPS, 4 KiB reads", "storport_ahci.c", double.NaN, "/s", "skipped: no native/build/storport_ahci.so (make -C native builds it)"));
                continue;
            }

            foreach (var verifier in new[] { true, false })
            {
                foreach (var depth in new[] { 1, 32 })
                {
                    rows.AddRange(Rows(Measure(miniport, depth, verifier, quick, native)));
                }
            }

            rows.AddRange(Rows(Measure(miniport, 1, verifier: true, quick, native, trace: true)));
        }

        var own = MeasureBenchOwnShare(quick);
        rows.Add(new BenchRow(Group, "µs per I/O, the bench's own share", "new SRB + data check", own.Microseconds, "µs", $"{own.Bytes:F0} B allocated per I/O"));
        return rows;
    }

    private static IEnumerable<BenchRow> Rows(Result r)
    {
        var approach = $"{(r.Miniport == Miniport.Storahci ? "storahci (C#)" : "storport_ahci.c")}, QD{r.QueueDepth}, verifier {(r.Verifier ? "on" : "off")}{(r.Trace ? ", trace on" : string.Empty)}";
        var check = $"{r.Checked:N0} of {r.Ios:N0} reads checked equal{(r.Mismatches > 0 ? $", {r.Mismatches} MISMATCHED" : string.Empty)}";
        yield return new BenchRow(Group, "IOPS, 4 KiB reads, one core", approach, r.Iops, "/s", check, Failed: r.Mismatches > 0 || r.Checked != r.Ios);
        yield return new BenchRow(Group, "µs per I/O", approach, r.MicrosecondsPerIo, "µs");
        yield return new BenchRow(Group, "bytes allocated per I/O", approach, r.BytesPerIo, "B", $"HBA address map: up to {r.MappedRanges} ranges");
    }

    /// <summary>native/build/storport_ahci.so above the current folder or the tool's, or null.</summary>
    internal static string? NativeDriverPath()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "native", "build", "storport_ahci.so");
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// One configuration: a fresh host, HBA and disk; enumeration; a warm-up (tiered JIT); then nine short rounds (about
    /// a quarter of a second each) of the same number of reads, the fastest reported: a shared machine only ever makes a
    /// round slower, and a short round more often falls in a quiet moment.
    /// </summary>
    internal static Result Measure(Miniport miniport, int queueDepth, bool verifier, bool quick, string? nativePath = null, bool trace = false)
    {
        using var engine = new VirtualTimerEngine { RethrowCallbackExceptions = true };
        var host = new StorportHost(engine, new StorportHostOptions { Verifier = verifier }) { Trace = trace ? new TraceRecorder() : null };
        NativeStorportDriver? driver = null;
        try
        {
            if (miniport == Miniport.NativeAhci)
            {
                driver = NativeStorportDriver.Load(nativePath ?? NativeDriverPath() ?? throw new FileNotFoundException("native/build/storport_ahci.so"), host);
            }
            else
            {
                host.StorPortInitialize(StorahciMiniport.CreateInitializationData(100, () => engine.NowNanoseconds));
            }

            var hba = new AhciHba(engine, new HostAddressMap(), new AhciHbaOptions { PortCount = 1 });
            var disk = new SataDisk(new SataDiskOptions { CommandLatencyNanoseconds = 0, CapacitySectors = 1L << 21 });
            var image = Pattern(RegionSectors);
            disk.WriteSectors(0, image);
            hba.Ports[0].Attach(disk);
            var adapter = host.AddAdapter(null, hba);
            if (adapter.State != AdapterState.Started)
            {
                throw new InvalidOperationException($"the adapter did not start ({adapter.State})");
            }

            Enumerate(engine, adapter, miniport);
            var loop = new ReadLoop(engine, adapter, hba.AddressMap, image, queueDepth);
            loop.Run(quick ? 2_000 : trace ? 10_000 : 50_000); // warm-up: tiered compilation, first-use lookups
            var count = quick ? 2_000 : trace ? 20_000 : 40_000; // a trace keeps every event: fewer reads
            Result? best = null;
            for (var round = 0; round < (quick || trace ? 3 : 9); round++)
            {
                var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
                var start = Stopwatch.GetTimestamp();
                var (ios, checkedEqual, mismatches) = loop.Run(count);
                var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                var bytes = (GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / (double)ios;
                var r = new Result(miniport, queueDepth, verifier, trace, ios, checkedEqual, mismatches, seconds, bytes, loop.MaxMappedRanges);
                best = best is null || r.Seconds < best.Seconds ? r : best;
            }

            if (host.BugChecks.Count > 0)
            {
                throw new InvalidOperationException($"bug check during the run: {host.BugChecks[0]}");
            }

            adapter.Remove();
            return best!;
        }
        finally
        {
            driver?.Dispose();
        }
    }

    /// <summary>
    /// What the bench itself adds per I/O, measured alone: a new SRB with its completion delegate and the 4 KiB compare
    /// (the same operations <see cref="ReadLoop"/> does around the host), µs and bytes per I/O.
    /// </summary>
    internal static (double Microseconds, double Bytes) MeasureBenchOwnShare(bool quick)
    {
        var image = Pattern(RegionSectors);
        var buffer = new byte[IoBytes];
        var cdb = new byte[10];
        Action<SCSI_REQUEST_BLOCK> completed = _ => { };
        var count = quick ? 2_000 : 1_000_000;
        var sink = 0L;
        void Once(int i)
        {
            var lba = i * IoSectors % RegionSectors;
            image.AsSpan(lba * SectorSize, IoBytes).CopyTo(buffer);
            var srb = NewRead(cdb, buffer, (uint)lba, i, completed);
            sink += srb.Tag + (buffer.AsSpan().SequenceEqual(image.AsSpan(lba * SectorSize, IoBytes)) ? 1 : 0);
        }

        for (var i = 0; i < Math.Min(count, 10_000); i++)
        {
            Once(i);
        }

        var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            Once(i);
        }

        var us = Stopwatch.GetElapsedTime(start).TotalMicroseconds / count;
        GC.KeepAlive(sink);
        return (us, (GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / (double)count);
    }

    /// <summary>The bytes at the start of the disk: each sector and offset differ, so a read of the wrong LBA or none at all shows.</summary>
    private static byte[] Pattern(int sectors)
    {
        var data = new byte[sectors * SectorSize];
        for (var i = 0; i < data.Length; i++)
        {
            var sector = i / SectorSize;
            data[i] = unchecked((byte)((sector * 7) + (i % SectorSize * 13) + (sector >> 8) + 1));
        }

        return data;
    }

    private static SCSI_REQUEST_BLOCK NewRead(byte[] cdb, byte[] buffer, uint lba, long tag, Action<SCSI_REQUEST_BLOCK> completed)
    {
        cdb[0] = SCSIOP_READ;
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), lba);
        cdb[8] = IoSectors;
        return new SCSI_REQUEST_BLOCK
        {
            Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI,
            Cdb = cdb,
            DataBuffer = buffer,
            DataTransferLength = IoBytes,
            SrbFlags = SRB_FLAGS_DATA_IN,
            Tag = tag,
            CompletionRoutine = completed,
        };
    }

    /// <summary>
    /// What Storport's bus enumeration sends the unit before the disk class driver reads: for the C miniport REPORT LUNS,
    /// INQUIRY and READ CAPACITY (16), for storahci (which answers INQUIRY and READ CAPACITY (10)) those two. A request
    /// answered BUSY while the port starts is sent again 10 ms later, as Storport retries.
    /// </summary>
    private static void Enumerate(VirtualTimerEngine engine, StorportAdapter adapter, Miniport miniport)
    {
        List<byte[]> cdbs = miniport == Miniport.NativeAhci
            ? [[SCSIOP_REPORT_LUNS, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0], [SCSIOP_INQUIRY, 0, 0, 0, 96, 0], [SCSIOP_SERVICE_ACTION_IN16, SERVICE_ACTION_READ_CAPACITY16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0]]
            : [[SCSIOP_INQUIRY, 0, 0, 0, 36, 0], [SCSIOP_READ_CAPACITY, 0, 0, 0, 0, 0, 0, 0, 0, 0]];
        foreach (var cdb in cdbs)
        {
            for (var attempt = 0; ; attempt++)
            {
                if (attempt > 500)
                {
                    throw new InvalidOperationException($"enumeration: SCSI operation 0x{cdb[0]:X2} never succeeded");
                }

                SCSI_REQUEST_BLOCK? done = null;
                var data = new byte[cdb[0] == SCSIOP_READ_CAPACITY ? 8 : cdb[0] == SCSIOP_INQUIRY ? cdb[4] : cdb[0] == SCSIOP_REPORT_LUNS ? 16 : 32];
                var srb = new SCSI_REQUEST_BLOCK
                {
                    Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI,
                    Cdb = cdb,
                    DataBuffer = data,
                    DataTransferLength = (uint)data.Length,
                    SrbFlags = SRB_FLAGS_DATA_IN,
                    CompletionRoutine = s => done = s,
                };
                if (!adapter.SubmitRequest(srb))
                {
                    throw new InvalidOperationException("enumeration: the adapter refused a request");
                }

                for (var waited = 0; done is null && waited < 5_000; waited++)
                {
                    engine.AdvanceBy(Ms);
                }

                if (done is null)
                {
                    throw new InvalidOperationException($"enumeration: SCSI operation 0x{cdb[0]:X2} never completed");
                }

                if (done.SrbStatus == StorPort.SRB_STATUS_SUCCESS || (done.SrbStatus & 0x3F) == 0x12)
                {
                    break;
                }

                engine.AdvanceBy(10 * Ms); // BUSY while the port starts (the C miniport), or failed before it ran: again
            }
        }
    }

    /// <summary>
    /// Keeps <c>queueDepth</c> reads outstanding, one buffer, CDB and completion delegate per slot (made once), each read
    /// resubmitted from its completion routine until the round's count is issued; checks every read's data.
    /// </summary>
    private sealed class ReadLoop
    {
        private readonly VirtualTimerEngine _engine;
        private readonly StorportAdapter _adapter;
        private readonly HostAddressMap _map;
        private readonly byte[] _image;
        private readonly byte[][] _buffers;
        private readonly byte[][] _cdbs;
        private readonly int[] _lbas;
        private readonly Action<SCSI_REQUEST_BLOCK>[] _completions;
        private long _issued;
        private long _target;
        private long _completed;
        private long _checked;
        private long _mismatches;
        private int _nextLba;
        private string? _failure;

        public ReadLoop(VirtualTimerEngine engine, StorportAdapter adapter, HostAddressMap map, byte[] image, int queueDepth)
        {
            _engine = engine;
            _adapter = adapter;
            _map = map;
            _image = image;
            _buffers = [.. Enumerable.Range(0, queueDepth).Select(_ => new byte[IoBytes])];
            _cdbs = [.. Enumerable.Range(0, queueDepth).Select(_ => new byte[10])];
            _lbas = new int[queueDepth];
            _completions = [.. Enumerable.Range(0, queueDepth).Select(slot => (Action<SCSI_REQUEST_BLOCK>)(srb => Completed(slot, srb)))];
        }

        /// <summary>The most ranges the address map held at a completion.</summary>
        public int MaxMappedRanges { get; private set; }

        /// <summary>Issues <paramref name="count"/> reads and waits for them all: the reads completed, checked equal and mismatched.</summary>
        public (long Ios, long Checked, long Mismatches) Run(long count)
        {
            (_issued, _target, _completed, _checked, _mismatches) = (0, count, 0, 0, 0);
            for (var slot = 0; slot < _buffers.Length && _issued < _target; slot++)
            {
                Submit(slot);
            }

            var limit = _engine.NowNanoseconds + (60_000 * Ms);
            while (_completed < _issued && _failure is null)
            {
                // An instant disk: everything is due now; only a miniport that waits on a timer needs the clock to move.
                if (_engine.AdvanceBy(0) == 0)
                {
                    if (_engine.NextDueNanoseconds is not { } next || next > limit)
                    {
                        throw new InvalidOperationException($"{_issued - _completed} reads never completed");
                    }

                    _engine.AdvanceTo(next);
                }
            }

            return _failure is null ? (_completed, _checked, _mismatches) : throw new InvalidOperationException(_failure);
        }

        private void Submit(int slot)
        {
            var lba = _nextLba;
            _nextLba = (_nextLba + IoSectors) % RegionSectors;
            _lbas[slot] = lba;
            var buffer = _buffers[slot];
            buffer[0] = (byte)(_image[lba * SectorSize] ^ 0xFF); // a read that moved nothing cannot pass the check
            buffer[^1] = (byte)(_image[(lba * SectorSize) + IoBytes - 1] ^ 0xFF);
            _issued++;
            if (!_adapter.SubmitRequest(NewRead(_cdbs[slot], buffer, (uint)lba, _issued, _completions[slot])))
            {
                _failure = "the adapter refused a read";
            }
        }

        private void Completed(int slot, SCSI_REQUEST_BLOCK srb)
        {
            _completed++;
            MaxMappedRanges = Math.Max(MaxMappedRanges, _map.Count);
            if (srb.SrbStatus != StorPort.SRB_STATUS_SUCCESS)
            {
                _failure ??= $"a read of LBA {_lbas[slot]} ended with SRB status 0x{srb.SrbStatus:X2}";
                return;
            }

            if (_buffers[slot].AsSpan().SequenceEqual(_image.AsSpan(_lbas[slot] * SectorSize, IoBytes)))
            {
                _checked++;
            }
            else
            {
                _mismatches++;
            }

            if (_issued < _target)
            {
                Submit(slot);
            }
        }
    }
}
