using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Nvme;
using MiniportTimers.Engine;
using MiniportTimers.Storport;
using static MiniportTimers.Devices.Nvme.NvmeRegisters;
using Device = MiniportTimers.Devices.Nvme.NvmeController;

namespace MiniportTimers.Samples.Nvme;

/// <summary>
/// The driver's side of one adapter's NVMe controller (issue 24): an emulated <see cref="Device"/> (docs/devices.md,
/// "The NVMe controller") and the host memory the driver gives it: the admin queue pair, one I/O queue pair, an
/// Identify buffer and a data page per command identifier, all in page-aligned native memory mapped into the device's
/// address map. The sample's state machine drives it through real registers, submission queue entries, doorbells and
/// completion queue entries consumed by their phase tags: CSTS.RDY comes up <see cref="ReadyDelayNanoseconds"/> after
/// CC.EN, each command completes after <see cref="CommandLatencyNanoseconds"/> with the line interrupt, and after a
/// surprise removal every register reads all ones and nothing completes.
/// </summary>
/// <remarks>Thread safety: submission and reaping are serialized by one lock (the DPC and StartIo may run on different threads on the real clock).</remarks>
public sealed class NvmeController : IDisposable
{
    /// <summary>What the VS register reads on a present controller (NVMe 1.3).</summary>
    public const uint Version13 = VS_1_3;

    private const int Page = 4096;
    private const int AdminEntries = 16;
    private const int IoEntries = 64;
    private const int AdminSq = 0;
    private const int AdminCq = Page;
    private const int IoSq = 2 * Page;
    private const int IoCq = 3 * Page;
    private const int IdentifyBuffer = 4 * Page;
    private const int DataPages = 5 * Page;
    private const int Length = DataPages + (IoEntries * Page);

    private readonly object _gate = new();
    private readonly nint _allocation;
    private readonly nint _base;
    private readonly HostMemoryRange _range;
    private readonly Queue Admin = new(0, AdminSq, AdminCq, AdminEntries);
    private readonly Queue Io = new(1, IoSq, IoCq, IoEntries);
    private readonly EngineTimer? _removal;
    private bool _disposed;

    /// <summary>Creates controller <paramref name="index"/>.</summary>
    /// <param name="index">Adapter index.</param>
    /// <param name="engine">The engine whose clock the hardware follows.</param>
    /// <param name="addressMap">The address map the device resolves the driver's memory through.</param>
    /// <param name="readyDelayNanoseconds">Time from CC.EN to CSTS.RDY; <see cref="TimerEngine.MaxTimeNanoseconds"/> or more: never.</param>
    /// <param name="commandLatencyNanoseconds">Time from submission to completion.</param>
    /// <param name="removedAtNanoseconds">Engine time of a surprise removal, or null.</param>
    public NvmeController(int index, TimerEngine engine, HostAddressMap addressMap, long readyDelayNanoseconds, long commandLatencyNanoseconds, long? removedAtNanoseconds)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Index = index;
        ReadyDelayNanoseconds = readyDelayNanoseconds;
        CommandLatencyNanoseconds = commandLatencyNanoseconds;
        RemovedAtNanoseconds = removedAtNanoseconds;
        var never = readyDelayNanoseconds >= TimerEngine.MaxTimeNanoseconds;
        Device = new Device(engine, addressMap, new NvmeControllerOptions
        {
            TimeoutUnits = CapTimeout500ms,
            ReadyNanoseconds = never ? 0 : readyDelayNanoseconds,
            NeverReady = never,
            CommandLatencyNanoseconds = commandLatencyNanoseconds,
            NamespaceBlocks = 64 * 1024,
            SerialNumber = $"MT-NVME-{index:D4}",
        });

        _allocation = Marshal.AllocHGlobal(Length + Page);
        _base = (_allocation + (Page - 1)) & ~(nint)(Page - 1);
        _range = addressMap.Map(_base, Length);
        Memory(0, Length).Clear();

        if (removedAtNanoseconds is { } at)
        {
            _removal = engine.CreateTimer(static (t, in _) => ((Device)t.State!).SurpriseRemove(), Device);
            engine.Arm(_removal, Math.Max(at, engine.NowNanoseconds));
        }
    }

    /// <summary>Adapter index.</summary>
    public int Index { get; }

    /// <summary>The emulated controller (the adapter's <see cref="MiniportTimers.Devices.Pci.IPciDevice"/>).</summary>
    public Device Device { get; }

    /// <summary>Time from CC.EN to CSTS.RDY, ns.</summary>
    public long ReadyDelayNanoseconds { get; }

    /// <summary>Time from submission to completion, ns.</summary>
    public long CommandLatencyNanoseconds { get; }

    /// <summary>Engine time of the surprise removal, or null.</summary>
    public long? RemovedAtNanoseconds { get; }

    /// <summary>CAP.TO: the worst-case time to ready, in 500 ms units (here 2 s).</summary>
    public int CapTimeout500ms { get; } = 4;

    /// <summary>The adapter the controller serves.</summary>
    public StorportAdapter? Adapter { get; set; }

    /// <summary>True once the device has been pulled out.</summary>
    public bool Removed => Device.IsRemoved;

    /// <summary>CC.EN = 1 with the admin queue (AQA, ASQ, ACQ) and 64/16-byte I/O entries: the controller starts coming ready.</summary>
    public void Enable()
    {
        lock (_gate)
        {
            Device.WriteRegister32(AQA, (AdminEntries - 1) | ((AdminEntries - 1) << AQA_ACQS_Shift));
            Device.WriteRegister64(ASQ, Physical(AdminSq));
            Device.WriteRegister64(ACQ, Physical(AdminCq));
            Device.WriteRegister32(CC, CC_EN | (6u << CC_IOSQES_Shift) | (4u << CC_IOCQES_Shift));
        }
    }

    /// <summary>CSTS.RDY (all ones when removed, so RDY reads 1 then: the driver must check VS).</summary>
    public bool ReadyBit => (Device.ReadRegister32(CSTS) & CSTS_RDY) != 0;

    /// <summary>The VS register: <see cref="Version13"/>, or all ones after a surprise removal.</summary>
    public uint ReadVersion() => Device.ReadRegister32(VS);

    /// <summary>INTMS: masks the pin-based interrupt (the ISR does this before queuing its DPC, §7.5.1.1).</summary>
    public void MaskInterrupt() => Device.WriteRegister32(INTMS, 1);

    /// <summary>INTMC: unmasks it (the DPC, after reaping).</summary>
    public void UnmaskInterrupt() => Device.WriteRegister32(INTMC, 1);

    /// <summary>
    /// Puts the command for <paramref name="command"/> in its queue and rings the doorbell: the admin command of an
    /// init state (Identify controller; Identify namespace 1; Create I/O CQ 1 then SQ 1; Set Features Interrupt
    /// Coalescing) or a 4 KiB Read for an I/O.
    /// </summary>
    public void Submit(NvmeCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            switch (command.Admin)
            {
                case null:
                    var cid = Io.NextCommandId();
                    var lba = (ulong)((command.Srb?.Tag ?? 0) % (64 * 1024 / 8)) * 8;
                    Io.Put(this, cid, command, NvmeOpcodes.Read, nsid: 1, prp1: Physical(DataPages + (cid * Page)), cdw10: (uint)lba, cdw12: 7);
                    break;
                case NvmeInitState.WaitOnIdentifyCtrl:
                    Admin.Put(this, Admin.NextCommandId(), command, NvmeOpcodes.Identify, prp1: Physical(IdentifyBuffer), cdw10: NvmeOpcodes.IdentifyController);
                    break;
                case NvmeInitState.WaitOnIdentifyNS:
                    Admin.Put(this, Admin.NextCommandId(), command, NvmeOpcodes.Identify, nsid: 1, prp1: Physical(IdentifyBuffer), cdw10: NvmeOpcodes.IdentifyNamespace);
                    break;
                case NvmeInitState.WaitOnIoQueues:
                    Admin.Put(this, Admin.NextCommandId(), null, NvmeOpcodes.CreateIoCompletionQueue, prp1: Physical(IoCq), cdw10: 1 | ((IoEntries - 1) << 16), cdw11: 0b11);
                    Admin.Put(this, Admin.NextCommandId(), command, NvmeOpcodes.CreateIoSubmissionQueue, prp1: Physical(IoSq), cdw10: 1 | ((IoEntries - 1) << 16), cdw11: 1 | (1u << 16));
                    break;
                case NvmeInitState.WaitOnSetFeatures:
                    Admin.Put(this, Admin.NextCommandId(), command, NvmeOpcodes.SetFeatures, cdw10: NvmeOpcodes.FeatureInterruptCoalescing, cdw11: 0);
                    break;
                default:
                    return;
            }
        }
    }

    /// <summary>Takes the next completion (admin queue first), consuming its entry and ringing the CQ head doorbell; internal steps (Create I/O CQ) are consumed silently.</summary>
    public bool TryReap(out NvmeCommand command)
    {
        lock (_gate)
        {
            while (!_disposed && (Admin.TryTake(this, out var taken) || Io.TryTake(this, out taken)))
            {
                if (taken is not null)
                {
                    command = taken;
                    return true;
                }
            }
        }

        command = null!;
        return false;
    }

    /// <summary>Disables the controller (abandoning its commands), then unmaps and frees the driver's memory.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Device.WriteRegister32(CC, 0);
            Device.AddressMap.Unmap(_range);
            Marshal.FreeHGlobal(_allocation);
        }
    }

    private ulong Physical(int offset) => _range.PhysicalAddress + (ulong)offset;

    /// <summary>The driver's memory at <paramref name="offset"/>, reached as the device reaches it (the range is mapped until <see cref="Dispose"/>).</summary>
    private Span<byte> Memory(int offset, int length) =>
        Device.AddressMap.TryGetSpan(Physical(offset), length, out var span) ? span : throw new InvalidOperationException("The controller's memory is no longer mapped.");

    /// <summary>One queue pair as the driver keeps it: the SQ tail, the CQ head and expected phase, and the command behind each CID.</summary>
    private sealed class Queue(int id, int sqOffset, int cqOffset, int entries)
    {
        private readonly NvmeCommand?[] _byCommandId = new NvmeCommand?[entries];
        private int _tail;
        private int _head;
        private bool _phase = true;
        private ushort _nextCommandId;

        public ushort NextCommandId()
        {
            var cid = _nextCommandId;
            _nextCommandId = (ushort)((_nextCommandId + 1) % entries);
            return cid;
        }

        public void Put(NvmeController c, ushort cid, NvmeCommand? command, byte opcode, uint nsid = 0, ulong prp1 = 0, uint cdw10 = 0, uint cdw11 = 0, uint cdw12 = 0)
        {
            _byCommandId[cid] = command;
            var entry = c.Memory(sqOffset + (_tail * Device.SubmissionEntrySize), Device.SubmissionEntrySize);
            entry.Clear();
            entry[0] = opcode;
            BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], cid);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], nsid);
            BinaryPrimitives.WriteUInt64LittleEndian(entry[24..], prp1);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[40..], cdw10);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[44..], cdw11);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[48..], cdw12);
            _tail = (_tail + 1) % entries;
            c.Device.WriteRegister32(SubmissionQueueTailDoorbell(id, 0), (uint)_tail);
        }

        public bool TryTake(NvmeController c, out NvmeCommand? command)
        {
            var entry = c.Memory(cqOffset + (_head * Device.CompletionEntrySize), Device.CompletionEntrySize);
            var dw3 = BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
            if (((dw3 & 0x1_0000) != 0) != _phase)
            {
                command = null;
                return false;
            }

            var cid = (ushort)(dw3 & 0xFFFF);
            command = cid < entries ? _byCommandId[cid] : null;
            if (cid < entries)
            {
                _byCommandId[cid] = null;
            }

            _head = (_head + 1) % entries;
            if (_head == 0)
            {
                _phase = !_phase;
            }

            c.Device.WriteRegister32(CompletionQueueHeadDoorbell(id, 0), (uint)_head);
            return true;
        }
    }
}
