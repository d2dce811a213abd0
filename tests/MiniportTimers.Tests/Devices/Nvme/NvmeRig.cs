using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Nvme;
using MiniportTimers.Engine;
using static MiniportTimers.Devices.Nvme.NvmeRegisters;

namespace MiniportTimers.Tests.Devices.Nvme;

/// <summary>
/// A small NVMe driver for tests: a controller on a virtual clock; page-aligned native memory (mapped into the host
/// address map the way a C driver's uncached extension is) for the admin queues, I/O queues, PRP lists and data
/// pages; helpers that build submission queue entries, ring doorbells and consume completions with their phase tags.
/// </summary>
internal sealed class NvmeRig : IDisposable
{
    /// <summary>Memory layout (offsets from the mapped base): admin SQ, admin CQ, I/O SQ 1, I/O CQ 1, then scratch pages.</summary>
    public const int AdminSq = 0x0000;
    public const int AdminCq = 0x1000;
    public const int IoSq = 0x2000;
    public const int IoCq = 0x3000;
    public const int Scratch = 0x4000;
    public const int Length = 0x40000; // 256 KiB

    private readonly nint _allocation;
    private readonly nint _base;
    private readonly HostMemoryRange _range;
    private readonly Dictionary<int, QueueState> _queues = [];
    private ushort _nextCommandId;

    public NvmeRig(NvmeControllerOptions? options = null)
    {
        Controller = new NvmeController(Engine, Map, options);
        _allocation = Marshal.AllocHGlobal(Length + 4096);
        _base = (_allocation + 4095) & ~(nint)4095;
        _range = Map.Map(_base, Length);
        Memory(0, Length).Clear();
        Controller.Interrupt.Connect(() => Interrupts.Add(Engine.NowNanoseconds));
    }

    public VirtualTimerEngine Engine { get; } = new();

    public HostAddressMap Map { get; } = new();

    public NvmeController Controller { get; }

    /// <summary>The engine times at which the interrupt handler ran.</summary>
    public List<long> Interrupts { get; } = [];

    public int Stride => 4 << Controller.Options.DoorbellStride;

    public ulong Physical(int offset) => _range.PhysicalAddress + (ulong)offset;

    public Span<byte> Memory(int offset, int length)
    {
        Assert.True(Map.TryGetSpan(Physical(offset), length, out var span));
        return span;
    }

    public uint Read(int offset) => Controller.ReadRegister32(offset);

    public void Write(int offset, uint value) => Controller.WriteRegister32(offset, value);

    public void Settle() => Engine.AdvanceBy(0);

    /// <summary>Programs the admin queue (AQA, ASQ, ACQ) and sets CC.EN with 64/16-byte I/O entries.</summary>
    public void Enable(int adminSqEntries = 8, int adminCqEntries = 8, uint extraCc = 0)
    {
        Write(AQA, (uint)(adminSqEntries - 1) | ((uint)(adminCqEntries - 1) << AQA_ACQS_Shift));
        Controller.WriteRegister64(ASQ, Physical(AdminSq));
        Controller.WriteRegister64(ACQ, Physical(AdminCq));
        _queues[0] = new QueueState(AdminSq, adminSqEntries, AdminCq, adminCqEntries);
        Memory(AdminCq, adminCqEntries * NvmeController.CompletionEntrySize).Clear(); // a driver zeroes its completion queue
        Write(CC, CC_EN | (6u << CC_IOSQES_Shift) | (4u << CC_IOCQES_Shift) | extraCc);
    }

    /// <summary>Enables the controller and asserts it is ready at once.</summary>
    public void EnableReady(int adminSqEntries = 8, int adminCqEntries = 8)
    {
        Enable(adminSqEntries, adminCqEntries);
        Assert.Equal(CSTS_RDY, Read(CSTS) & (CSTS_RDY | CSTS_CFS));
    }

    /// <summary>Registers the host's view of an I/O queue pair the test creates with admin commands.</summary>
    public void TrackIoQueue(int id, int sqOffset, int sqEntries, int cqOffset, int cqEntries) => _queues[id] = new QueueState(sqOffset, sqEntries, cqOffset, cqEntries);

    /// <summary>Creates I/O CQ 1 and SQ 1 (interrupts enabled) and tracks them.</summary>
    public void CreateIoQueuePair(int entries = 16, bool interrupts = true)
    {
        Memory(IoCq, entries * NvmeController.CompletionEntrySize).Clear();
        var cq = Admin(new Command(NvmeOpcodes.CreateIoCompletionQueue) { Prp1 = Physical(IoCq), Cdw10 = 1u | ((uint)(entries - 1) << 16), Cdw11 = 1u | (interrupts ? 2u : 0) });
        Assert.Equal(NvmeStatus.SuccessfulCompletion, cq.Status);
        var sq = Admin(new Command(NvmeOpcodes.CreateIoSubmissionQueue) { Prp1 = Physical(IoSq), Cdw10 = 1u | ((uint)(entries - 1) << 16), Cdw11 = 1u | (1u << 16) });
        Assert.Equal(NvmeStatus.SuccessfulCompletion, sq.Status);
        TrackIoQueue(1, IoSq, entries, IoCq, entries);
    }

    /// <summary>Writes <paramref name="entries"/> (8-byte PRP entries) at <paramref name="offset"/>.</summary>
    public void WritePrpList(int offset, params ulong[] entries)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(Memory(offset + (i * 8), 8), entries[i]);
        }
    }

    /// <summary>Writes a submission queue entry at the host's tail of queue <paramref name="queueId"/> and returns its CID (the doorbell is not rung).</summary>
    public ushort Enqueue(int queueId, Command command)
    {
        var q = _queues[queueId];
        var cid = command.CommandId ?? _nextCommandId++;
        var entry = Memory(q.SqOffset + (q.SqTail * NvmeController.SubmissionEntrySize), NvmeController.SubmissionEntrySize);
        entry.Clear();
        entry[0] = command.Opcode;
        entry[1] = command.Flags;
        BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], cid);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], command.Nsid);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[24..], command.Prp1);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[32..], command.Prp2);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[40..], command.Cdw10);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[44..], command.Cdw11);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[48..], command.Cdw12);
        q.SqTail = (q.SqTail + 1) % q.SqEntries;
        return cid;
    }

    /// <summary>Rings queue <paramref name="queueId"/>'s SQ tail doorbell with the host's tail.</summary>
    public void Ring(int queueId) => Write(SubmissionQueueTailDoorbell(queueId, Controller.Options.DoorbellStride), (uint)_queues[queueId].SqTail);

    /// <summary>Submits one command and rings the doorbell; returns its CID.</summary>
    public ushort Submit(int queueId, Command command)
    {
        var cid = Enqueue(queueId, command);
        Ring(queueId);
        return cid;
    }

    /// <summary>The entry at the host's CQ head if its phase tag is the one expected (a new completion), consumed; null if none.</summary>
    public Completion? Poll(int queueId, bool ringHeadDoorbell = true)
    {
        var q = _queues[queueId];
        var entry = Memory(q.CqOffset + (q.CqHead * NvmeController.CompletionEntrySize), NvmeController.CompletionEntrySize);
        var dw3 = BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
        var phase = (dw3 & 0x1_0000) != 0;
        if (phase != q.Phase)
        {
            return null;
        }

        var completion = new Completion(
            BinaryPrimitives.ReadUInt32LittleEndian(entry),
            BinaryPrimitives.ReadUInt16LittleEndian(entry[8..]),
            BinaryPrimitives.ReadUInt16LittleEndian(entry[10..]),
            (ushort)(dw3 & 0xFFFF),
            NvmeStatus.StatusField(dw3),
            phase,
            (dw3 & (1u << 31)) != 0);
        q.CqHead++;
        if (q.CqHead == q.CqEntries)
        {
            q.CqHead = 0;
            q.Phase = !q.Phase;
        }

        if (ringHeadDoorbell)
        {
            RingHead(queueId);
        }

        return completion;
    }

    /// <summary>Writes queue <paramref name="queueId"/>'s CQ head doorbell with the host's head.</summary>
    public void RingHead(int queueId) => Write(CompletionQueueHeadDoorbell(queueId, Controller.Options.DoorbellStride), (uint)_queues[queueId].CqHead);

    /// <summary>Submits, settles and returns the one completion.</summary>
    public Completion Run(int queueId, Command command)
    {
        var cid = Submit(queueId, command);
        Settle();
        var completion = Poll(queueId);
        Assert.NotNull(completion);
        Assert.Equal(cid, completion.Value.CommandId);
        Assert.Equal(queueId, completion.Value.SubmissionQueueId);
        return completion.Value;
    }

    public Completion Admin(Command command) => Run(0, command);

    public void Dispose()
    {
        Map.Unmap(_range);
        Marshal.FreeHGlobal(_allocation);
        Engine.Dispose();
    }

    /// <summary>A submission queue entry (§4.2) as the tests fill it.</summary>
    public sealed record Command(byte Opcode)
    {
        public byte Flags { get; init; }

        public ushort? CommandId { get; init; }

        public uint Nsid { get; init; }

        public ulong Prp1 { get; init; }

        public ulong Prp2 { get; init; }

        public uint Cdw10 { get; init; }

        public uint Cdw11 { get; init; }

        public uint Cdw12 { get; init; }
    }

    /// <summary>A completion queue entry (§4.6).</summary>
    public readonly record struct Completion(uint Result, ushort SubmissionQueueHead, ushort SubmissionQueueId, ushort CommandId, ushort Status, bool Phase, bool DoNotRetry);

    private sealed class QueueState(int sqOffset, int sqEntries, int cqOffset, int cqEntries)
    {
        public int SqOffset { get; } = sqOffset;

        public int SqEntries { get; } = sqEntries;

        public int CqOffset { get; } = cqOffset;

        public int CqEntries { get; } = cqEntries;

        public int SqTail { get; set; }

        public int CqHead { get; set; }

        public bool Phase { get; set; } = true;
    }
}
