using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using MiniportTimers.Devices.Interrupts;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Pci;
using MiniportTimers.Devices.Timing;
using MiniportTimers.Engine;
using static MiniportTimers.Devices.Nvme.NvmeRegisters;

namespace MiniportTimers.Devices.Nvme;

/// <summary>
/// An NVM Express 1.2/1.3 controller as drivers drive it: a PCI function of class 01/08/02 whose BAR0/BAR1 (a 64-bit
/// memory BAR of 16 KiB) holds the registers and doorbells; an admin queue pair and I/O submission and completion
/// queues in host memory, reached through the host's <see cref="HostAddressMap"/>, with data described by PRP entries
/// and PRP lists; one namespace of 512-byte blocks in RAM (<see cref="Namespace"/>); and a level-triggered line
/// interrupt (INTx, pin-based, vector 0). Its own delays (time to ready, command latency, shutdown) are timers on the
/// host's engine, so it runs on a virtual clock as deterministically as the driver does.
/// </summary>
/// <remarks>
/// <para>Registers are memory: <see cref="RegisterBase"/> points at the 16 KiB register space, kept current, so a
/// driver may read a register straight from memory or through <see cref="ReadRegister32"/>. Writes go through
/// <see cref="WriteRegister32"/> (or <see cref="IPciDevice.WriteBar"/>), where each register's handler applies the
/// specification's rules. Doorbells read 0.</para>
/// <para>Commands are fetched when their SQ tail doorbell is written. With no command latency they run and post their
/// completions within the doorbell write (nothing of the host is called there: the interrupt is delivered later, on
/// the engine's dispatcher); with a latency each completes on an engine timer that long after its fetch.</para>
/// <para>Thread safety: every public member is thread-safe. Register writes and the controller's own events are
/// serialized by one lock; register reads are lock-free (aligned 32-bit loads). The interrupt handler is called on the
/// engine's dispatcher without that lock held (<see cref="LineInterrupt"/>).</para>
/// </remarks>
public sealed class NvmeController : IPciDevice
{
    /// <summary>The size of a submission queue entry in bytes (§4.2; CC.IOSQES = 6 and the admin queue).</summary>
    public const int SubmissionEntrySize = 64;

    /// <summary>The size of a completion queue entry in bytes (§4.6; CC.IOCQES = 4 and the admin queue).</summary>
    public const int CompletionEntrySize = 16;

    /// <summary>The size of an Identify data structure in bytes (§5.15).</summary>
    public const int IdentifyDataSize = 4096;

    private const ushort PciCommandWritable = PciConfigurationSpace.CommandMemorySpaceEnable | PciConfigurationSpace.CommandBusMasterEnable
        | (1 << 6) | (1 << 8) | PciConfigurationSpace.CommandInterruptDisable;

    private const int PowerManagementCapability = 0x40;
    private const int AsynchronousEventRequestLimit = 4; // Identify Controller AERL = 3 (0-based)
    private const int AbortCommandLimit = 4; // Identify Controller ACL = 3 (0-based); each Abort completes at once, so the limit is never reached

    private readonly uint[] _registers;
    private readonly int _doorbellStride;
    private readonly DeviceTimer _readyTimer;
    private readonly DeviceTimer _commandTimer;
    private readonly DeviceTimer _shutdownTimer;
    private readonly SubmissionQueue?[] _submissionQueues;
    private readonly CompletionQueue?[] _completionQueues;
    private readonly PriorityQueue<PendingCommand, (long Due, long Sequence)> _pending = new();
    private readonly List<PendingCommand> _asynchronousEventRequests = [];
    private readonly long[] _adminCounts = new long[256];
    private readonly long[] _ioCommandCounts = new long[256];
    private long _sequence;
    private long _pageSize = 4096;
    private int _allocatedSubmissionQueues;
    private int _allocatedCompletionQueues;
    private bool _queuesCreated;
    private uint _interruptCoalescing;
    private bool _removed;
    private long _controllerResets;
    private long _invalidDoorbellWrites;
    private long _readyAtNanoseconds = -1; // -1 until CSTS.RDY is first set; then the engine time of the latest 0 -> 1

    /// <summary>Creates a powered-on, disabled controller (CC.EN = 0, CSTS = 0).</summary>
    /// <param name="engine">The host's engine: the controller's clock and the dispatcher its timers and interrupt deliveries run on.</param>
    /// <param name="addressMap">The host's address map, through which the controller resolves every queue and PRP address.</param>
    /// <param name="options">The controller's build; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> or <paramref name="addressMap"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public NvmeController(TimerEngine engine, HostAddressMap addressMap, NvmeControllerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(addressMap);
        Options = options ?? new NvmeControllerOptions();
        Options.Validate();
        Engine = engine;
        AddressMap = addressMap;
        ReadyNanoseconds = Options.ReadyNanoseconds;
        NeverReady = Options.NeverReady;
        CommandLatencyNanoseconds = Options.CommandLatencyNanoseconds;
        _doorbellStride = Options.DoorbellStride;

        // The register space lives on the pinned object heap: its address is stable for the controller's life.
        _registers = GC.AllocateArray<uint>(RegisterSpaceLength / sizeof(uint), pinned: true);
        RegisterBase = Marshal.UnsafeAddrOfPinnedArrayElement(_registers, 0);
        Bars = [new PciBar(0, Options.Bar0Address, RegisterSpaceLength, IsIoSpace: false, RegisterBase)];
        Namespace = new NvmeNamespace(Options.NamespaceBlocks);

        Capabilities = (ulong)(Options.MaximumQueueEntries - 1)
            | CAP_CQR
            | ((ulong)Options.TimeoutUnits << CAP_TO_Shift)
            | ((ulong)Options.DoorbellStride << CAP_DSTRD_Shift)
            | CAP_CSS_NVM
            | (0UL << CAP_MPSMIN_Shift)
            | ((ulong)Options.MaximumPageSizeExponent << CAP_MPSMAX_Shift);

        _submissionQueues = new SubmissionQueue?[Options.MaximumIoQueues + 1];
        _completionQueues = new CompletionQueue?[Options.MaximumIoQueues + 1];
        _readyTimer = new DeviceTimer(engine, Gate, BecomeReady);
        _commandTimer = new DeviceTimer(engine, Gate, () =>
        {
            RunDueCommands();
            UpdateInterrupt(); // completions posted on the clock raise the line too
        });
        _shutdownTimer = new DeviceTimer(engine, Gate, () => SetStatusBits(CSTS_SHST_Mask, CSTS_SHST_Complete));

        Interrupt = new LineInterrupt(engine);
        PciConfiguration = BuildPciConfiguration(Options);
        PciConfiguration.Written += (_, _) =>
        {
            lock (Gate)
            {
                if (_removed)
                {
                    FillConfigurationWithOnes();
                }

                UpdateInterrupt();
            }
        };

        lock (Gate)
        {
            Set(CAP, unchecked((uint)Capabilities));
            Set(CAP + 4, (uint)(Capabilities >> 32));
            Set(VS, Options.Version);
            ResetFeatures();
        }
    }

    /// <summary>The controller's build.</summary>
    public NvmeControllerOptions Options { get; }

    /// <summary>The host's engine: the controller's clock.</summary>
    public TimerEngine Engine { get; }

    /// <inheritdoc/>
    public HostAddressMap AddressMap { get; }

    /// <summary>The controller's PCI configuration space (class 01/08/02, BAR0/BAR1 = a 64-bit memory BAR), read and written by offset as GetBusData and SetBusDataByOffset do. All ones after <see cref="SurpriseRemove"/>.</summary>
    public PciConfigurationSpace PciConfiguration { get; }

    /// <summary>The controller's INTx line (pin-based interrupts, §7.5.1); connect the host's handler with <see cref="LineInterrupt.Connect"/>.</summary>
    public LineInterrupt Interrupt { get; }

    /// <summary>BAR0: 16 KiB of memory space at <see cref="NvmeControllerOptions.Bar0Address"/>, its registers kept current at <see cref="RegisterBase"/>.</summary>
    public IReadOnlyList<PciBar> Bars { get; }

    /// <summary>
    /// The host address of the register space (<see cref="NvmeRegisters.RegisterSpaceLength"/> bytes, 4-byte aligned,
    /// stable for the controller's life): what GetDeviceBase returns for BAR0. Readable from managed and native code;
    /// write only through <see cref="WriteRegister32"/>.
    /// </summary>
    public nint RegisterBase { get; }

    /// <summary>CAP as the controller reports it (§3.1.1).</summary>
    public ulong Capabilities { get; }

    /// <summary>The namespace (NSID 1).</summary>
    public NvmeNamespace Namespace { get; }

    /// <summary>The time from CC.EN 0 → 1 to CSTS.RDY in engine nanoseconds (0: within the write); read at each enable. Thread-safe.</summary>
    public long ReadyNanoseconds
    {
        get => Interlocked.Read(ref field);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Interlocked.Exchange(ref field, value);
        }
    }

    /// <summary>True: CSTS.RDY is never set after CC.EN (read at each enable). Thread-safe.</summary>
    public bool NeverReady
    {
        get => Volatile.Read(ref field);
        set => Volatile.Write(ref field, value);
    }

    /// <summary>Each command's time from fetch to completion in engine nanoseconds (0: within the doorbell write); read at each fetch. Thread-safe.</summary>
    public long CommandLatencyNanoseconds
    {
        get => Interlocked.Read(ref field);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            Interlocked.Exchange(ref field, value);
        }
    }

    /// <summary>True after <see cref="SurpriseRemove"/>.</summary>
    public bool IsRemoved
    {
        get
        {
            lock (Gate)
            {
                return _removed;
            }
        }
    }

    /// <summary>
    /// The engine time, in ns, at which CSTS.RDY last went from 0 to 1 after CC.EN was set (§7.6.1), or -1 while it never
    /// has (a controller that is never ready, or not enabled yet). Thread-safe.
    /// </summary>
    public long ReadyAtNanoseconds => Interlocked.Read(ref _readyAtNanoseconds);

    /// <summary>How many controller resets (CC.EN 1 → 0, §7.3.2) software performed.</summary>
    public long ControllerResetCount => Interlocked.Read(ref _controllerResets);

    /// <summary>Doorbell writes the controller ignored: a queue that does not exist, a value past the queue's end, or a write before CSTS.RDY (§4.1; no asynchronous events are reported).</summary>
    public long InvalidDoorbellWriteCount => Interlocked.Read(ref _invalidDoorbellWrites);

    /// <summary>
    /// Asynchronous Event Requests (§5.2) the controller holds: the model reports no events, so each AER stays
    /// outstanding (up to AERL + 1 = 4) until a controller reset or an Abort.
    /// </summary>
    public int OutstandingAsynchronousEventRequests
    {
        get
        {
            lock (Gate)
            {
                return _asynchronousEventRequests.Count;
            }
        }
    }

    /// <summary>The lock that serializes register writes and the controller's events.</summary>
    internal object Gate { get; } = new();

    /// <summary>How many admin commands of <paramref name="opcode"/> the controller executed (invalid ones included).</summary>
    /// <param name="opcode">An admin opcode (<see cref="NvmeOpcodes"/>).</param>
    /// <returns>The count.</returns>
    public long GetAdminCommandCount(byte opcode) => Interlocked.Read(ref _adminCounts[opcode]);

    /// <summary>How many NVM commands of <paramref name="opcode"/> the controller executed (invalid ones included).</summary>
    /// <param name="opcode">An NVM opcode (<see cref="NvmeOpcodes.Read"/>, <see cref="NvmeOpcodes.Write"/>, <see cref="NvmeOpcodes.Flush"/>).</param>
    /// <returns>The count.</returns>
    public long GetIoCommandCount(byte opcode) => Interlocked.Read(ref _ioCommandCounts[opcode]);

    /// <inheritdoc/>
    /// <remarks>Only BAR0 is implemented; reads are <see cref="ReadRegister32"/> and its narrower parts. All ones after <see cref="SurpriseRemove"/>.</remarks>
    public uint ReadBar(int barIndex, long offset, int width)
    {
        var at = Bar0Offset(barIndex, offset);
        CheckOffset(at, width);
        var dword = Volatile.Read(ref _registers[at / sizeof(uint)]);
        return width switch
        {
            4 => dword,
            2 => (dword >> (8 * (at & 3))) & 0xFFFF,
            1 => (dword >> (8 * (at & 3))) & 0xFF,
            _ => throw new ArgumentOutOfRangeException(nameof(width), width, "A register access is 1, 2 or 4 bytes."),
        };
    }

    /// <inheritdoc/>
    /// <remarks>
    /// NVMe registers are written a dword at a time (§3.1: 32-bit registers, 64-bit ones as two dwords, low first); a 1-
    /// or 2-byte write is applied as a write of the whole dword with the other bytes as they read now (0 for a doorbell,
    /// INTMS and INTMC, so no other vector's mask or doorbell changes).
    /// </remarks>
    public void WriteBar(int barIndex, long offset, int width, uint value)
    {
        var at = Bar0Offset(barIndex, offset);
        switch (width)
        {
            case 4:
                WriteRegister32(at, value);
                break;
            case 2 or 1:
                CheckOffset(at, width);
                var write = SubDwordWrite.At(at, width, value);
                var others = write.DwordOffset is INTMS or INTMC || write.DwordOffset >= DoorbellBase ? 0 : ReadRegister32(write.DwordOffset) & ~write.Mask;
                WriteRegister32(write.DwordOffset, others | write.Bits);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(width), width, "A register access is 1, 2 or 4 bytes.");
        }
    }

    /// <summary>Reads the 32-bit register at <paramref name="offset"/> from BAR0 (what StorPortReadRegisterUlong reads).</summary>
    /// <param name="offset">A multiple of 4 below <see cref="NvmeRegisters.RegisterSpaceLength"/>.</param>
    /// <returns>The register's current value (0 for reserved registers and doorbells; all ones after <see cref="SurpriseRemove"/>).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is not a multiple of 4 or is outside the register space.</exception>
    public uint ReadRegister32(int offset)
    {
        CheckOffset(offset, sizeof(uint));
        return Volatile.Read(ref _registers[offset / sizeof(uint)]);
    }

    /// <summary>Reads a 64-bit register (CAP, ASQ, ACQ) as two dword loads, low first.</summary>
    /// <param name="offset">A multiple of 8 below <see cref="NvmeRegisters.RegisterSpaceLength"/>.</param>
    /// <returns>The register's value.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is not a multiple of 8 or is outside the register space.</exception>
    public ulong ReadRegister64(int offset)
    {
        CheckOffset(offset, sizeof(ulong));
        var low = ReadRegister32(offset);
        return low | ((ulong)ReadRegister32(offset + 4) << 32);
    }

    /// <summary>Writes a 64-bit register (ASQ, ACQ) as two dword writes, low first (§3.1).</summary>
    /// <param name="offset">A multiple of 8 below <see cref="NvmeRegisters.RegisterSpaceLength"/>.</param>
    /// <param name="value">The value written.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is not a multiple of 8 or is outside the register space.</exception>
    public void WriteRegister64(int offset, ulong value)
    {
        CheckOffset(offset, sizeof(ulong));
        WriteRegister32(offset, unchecked((uint)value));
        WriteRegister32(offset + 4, (uint)(value >> 32));
    }

    /// <summary>
    /// Writes the 32-bit register at <paramref name="offset"/> from BAR0 (what StorPortWriteRegisterUlong writes): the
    /// register's handler applies the write (read-only registers ignore it; CC.EN starts or resets the controller;
    /// a doorbell fetches commands or frees completion entries), and the register space is updated before this
    /// returns. Ignored after <see cref="SurpriseRemove"/>.
    /// </summary>
    /// <param name="offset">A multiple of 4 below <see cref="NvmeRegisters.RegisterSpaceLength"/>.</param>
    /// <param name="value">The value written.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is not a multiple of 4 or is outside the register space.</exception>
    public void WriteRegister32(int offset, uint value)
    {
        CheckOffset(offset, sizeof(uint));
        lock (Gate)
        {
            if (_removed)
            {
                return;
            }

            if (offset >= DoorbellBase)
            {
                WriteDoorbell(offset, value);
            }
            else
            {
                WriteControllerRegister(offset, value);
            }

            UpdateInterrupt();
        }
    }

    /// <summary>
    /// A surprise removal: the controller is gone from the bus. From now on every register and configuration read
    /// returns all ones, register and doorbell writes are ignored, commands in flight never complete, no memory is
    /// touched and the line interrupt is deasserted. Irreversible.
    /// </summary>
    public void SurpriseRemove()
    {
        lock (Gate)
        {
            if (_removed)
            {
                return;
            }

            _removed = true;
            _readyTimer.Cancel();
            _commandTimer.Cancel();
            _shutdownTimer.Cancel();
            _pending.Clear();
            Array.Fill(_registers, uint.MaxValue);
            FillConfigurationWithOnes();
            Interrupt.SetLevel(false);
        }
    }

    private uint Get(int offset) => _registers[offset / sizeof(uint)];

    private void Set(int offset, uint value) => Volatile.Write(ref _registers[offset / sizeof(uint)], value);

    private void SetStatusBits(uint mask, uint value) => Set(CSTS, (Get(CSTS) & ~mask) | (value & mask));

    private bool IsReady => (Get(CSTS) & (CSTS_RDY | CSTS_CFS)) == CSTS_RDY;

    /// <summary>§3.1: the controller registers below the doorbells.</summary>
    private void WriteControllerRegister(int offset, uint value)
    {
        switch (offset)
        {
            case INTMS:
                // §3.1.3: writing 1 masks a vector; pin-based interrupts have vector 0 only, the other bits are reserved.
                Set(INTMS, Get(INTMS) | (value & 1));
                Set(INTMC, Get(INTMS));
                break;

            case INTMC:
                // §3.1.4: writing 1 unmasks a vector; both registers read the mask.
                Set(INTMS, Get(INTMS) & ~(value & 1));
                Set(INTMC, Get(INTMS));
                break;

            case CC:
                WriteControllerConfiguration(value & CC_Writable);
                break;

            case AQA:
                // §3.1.8: ASQS and ACQS read/write, the rest reserved. Latched when CC.EN is set.
                Set(AQA, value & (AQA_ASQS_Mask | AQA_ACQS_Mask));
                break;

            case ASQ or ACQ:
                // §3.1.9, §3.1.10: bits 11:0 reserved (the queue is 4 KiB aligned).
                Set(offset, value & ~0xFFFu);
                break;

            case ASQ + 4 or ACQ + 4:
                Set(offset, value);
                break;

            default:
                // CAP (§3.1.1), VS (§3.1.2), CSTS (§3.1.6) are read-only; NSSR (§3.1.7, CAP.NSSRS = 0), CMBLOC and CMBSZ
                // (§3.1.11-12, no controller memory buffer) and the rest up to 1000h are reserved: all ignore writes.
                break;
        }
    }

    /// <summary>§3.1.5 CC, and §7.6.1 / §7.3.2 initialization and reset; §7.6.2 shutdown.</summary>
    private void WriteControllerConfiguration(uint value)
    {
        var old = Get(CC);
        Set(CC, value);
        var wasEnabled = (old & CC_EN) != 0;
        var enabled = (value & CC_EN) != 0;
        if (wasEnabled && !enabled)
        {
            ResetController();
            return;
        }

        if (!wasEnabled && enabled)
        {
            Enable(value);
        }

        var oldShutdown = old & CC_SHN_Mask;
        var shutdown = value & CC_SHN_Mask;
        if (shutdown != 0 && oldShutdown == 0)
        {
            // §7.6.2: shutdown processing; SHST = 10b when done (the model keeps no volatile state to write back).
            var delay = Options.ShutdownNanoseconds;
            if (delay == 0)
            {
                SetStatusBits(CSTS_SHST_Mask, CSTS_SHST_Complete);
            }
            else
            {
                SetStatusBits(CSTS_SHST_Mask, CSTS_SHST_Occurring);
                _shutdownTimer.ArmAfter(delay);
            }
        }
    }

    /// <summary>
    /// CC.EN 0 → 1 (§7.6.1): the admin queue is taken from AQA, ASQ and ACQ, and CSTS.RDY follows after
    /// <see cref="ReadyNanoseconds"/> (never with <see cref="NeverReady"/>). A configuration the controller cannot run
    /// (CC.CSS not NVM, CC.AMS not round robin, CC.MPS outside CAP.MPSMIN..MPSMAX, an admin queue of fewer than two
    /// entries or at address 0) sets CSTS.CFS instead.
    /// </summary>
    private void Enable(uint cc)
    {
        var pageExponent = (int)((cc & CC_MPS_Mask) >> CC_MPS_Shift);
        var aqa = Get(AQA);
        var asq = Get(ASQ) | ((ulong)Get(ASQ + 4) << 32);
        var acq = Get(ACQ) | ((ulong)Get(ACQ + 4) << 32);
        var asqs = (int)(aqa & AQA_ASQS_Mask) + 1;
        var acqs = (int)((aqa & AQA_ACQS_Mask) >> AQA_ACQS_Shift) + 1;
        if ((cc & CC_CSS_Mask) != 0 || (cc & CC_AMS_Mask) != 0 || pageExponent > Options.MaximumPageSizeExponent
            || asqs < 2 || acqs < 2 || asq == 0 || acq == 0)
        {
            SetStatusBits(CSTS_CFS, CSTS_CFS);
            return;
        }

        _pageSize = 4096L << pageExponent;
        _completionQueues[0] = new CompletionQueue(0, acq, acqs, interruptsEnabled: true);
        _submissionQueues[0] = new SubmissionQueue(0, asq, asqs, _completionQueues[0]!);
        if (NeverReady)
        {
            return;
        }

        var delay = ReadyNanoseconds;
        if (delay == 0)
        {
            BecomeReady();
        }
        else
        {
            _readyTimer.ArmAfter(delay);
        }
    }

    /// <summary>Under the lock: CSTS.RDY (the ready timer, or at once).</summary>
    private void BecomeReady()
    {
        if (!_removed && (Get(CC) & CC_EN) != 0 && (Get(CSTS) & CSTS_CFS) == 0)
        {
            SetStatusBits(CSTS_RDY, CSTS_RDY);
            Interlocked.Exchange(ref _readyAtNanoseconds, Engine.NowNanoseconds);
        }
    }

    /// <summary>
    /// §7.3.2 controller reset (CC.EN 1 → 0): commands in flight are abandoned, every I/O queue is deleted, the admin
    /// queue forgets its pointers, CSTS (RDY, CFS, SHST) and INTMS/INTMC return to 0 and the features to their defaults.
    /// AQA, ASQ and ACQ keep their values. Done within the write: CSTS.RDY reads 0 when it returns.
    /// </summary>
    private void ResetController()
    {
        Interlocked.Increment(ref _controllerResets);
        _readyTimer.Cancel();
        _commandTimer.Cancel();
        _shutdownTimer.Cancel();
        _pending.Clear();
        _asynchronousEventRequests.Clear();
        Array.Clear(_submissionQueues);
        Array.Clear(_completionQueues);
        Set(CSTS, 0);
        Set(INTMS, 0);
        Set(INTMC, 0);
        ResetFeatures();
    }

    private void ResetFeatures()
    {
        _allocatedSubmissionQueues = Options.MaximumIoQueues;
        _allocatedCompletionQueues = Options.MaximumIoQueues;
        _queuesCreated = false;
        _interruptCoalescing = 0;
    }

    /// <summary>§3.1.13-14: SQyTDBL and CQyHDBL. Invalid writes are ignored (and counted).</summary>
    private void WriteDoorbell(int offset, uint value)
    {
        var stride = 4 << _doorbellStride;
        var relative = offset - DoorbellBase;
        var index = relative / stride;
        var queueId = index / 2;
        if (relative % stride != 0 || queueId >= _submissionQueues.Length || !IsReady)
        {
            Interlocked.Increment(ref _invalidDoorbellWrites);
            return;
        }

        if (index % 2 == 0)
        {
            if (_submissionQueues[queueId] is not { } sq || value >= (uint)sq.Size)
            {
                Interlocked.Increment(ref _invalidDoorbellWrites);
                return;
            }

            sq.Tail = (int)value;
            Fetch(sq);
            RunDueCommands();
        }
        else
        {
            if (_completionQueues[queueId] is not { } cq || value >= (uint)cq.Size)
            {
                Interlocked.Increment(ref _invalidDoorbellWrites);
                return;
            }

            cq.Head = (int)value;
            while (cq.Overflow.Count > 0 && !cq.IsFull)
            {
                Post(cq, cq.Overflow.Dequeue());
            }
        }
    }

    /// <summary>§4.1: consumes the entries between the SQ's head and its new tail; each runs after the command latency.</summary>
    private void Fetch(SubmissionQueue sq)
    {
        var latency = CommandLatencyNanoseconds;
        var now = Engine.NowNanoseconds;
        var due = latency >= TimerEngine.MaxTimeNanoseconds - now ? TimerEngine.MaxTimeNanoseconds : now + latency;
        while (sq.Head != sq.Tail && IsReady)
        {
            var address = sq.BaseAddress + ((ulong)sq.Head * SubmissionEntrySize);
            if (!AddressMap.TryGetSpan(address, SubmissionEntrySize, out var entry))
            {
                Fatal();
                return;
            }

            var command = entry.ToArray();
            sq.Head = (sq.Head + 1) % sq.Size;
            _pending.Enqueue(new PendingCommand(sq, command, due), (due, ++_sequence));
        }
    }

    /// <summary>Under the lock: runs every fetched command that is due, then arms the timer for the next one.</summary>
    private void RunDueCommands()
    {
        var now = Engine.NowNanoseconds;
        while (!_removed && _pending.TryPeek(out var next, out var key) && key.Due <= now)
        {
            _pending.Dequeue();
            if (next.Aborted || !ReferenceEquals(_submissionQueues[next.Queue.Id], next.Queue))
            {
                continue; // completed by an Abort or by its queue's deletion already
            }

            Execute(next);
        }

        if (_pending.TryPeek(out _, out var first))
        {
            _commandTimer.ArmAfter(first.Due - now);
        }
        else
        {
            _commandTimer.Cancel();
        }
    }

    private void Execute(PendingCommand pending)
    {
        var command = pending.Command;
        var opcode = command[0];
        uint result = 0;
        ushort status;
        if ((command[1] & 0xC3) != 0)
        {
            status = NvmeStatus.InvalidFieldInCommand; // FUSE (bits 9:8) or PSDT (bits 15:14): no fused operations, no SGLs
            Interlocked.Increment(ref (pending.Queue.Id == 0 ? _adminCounts : _ioCommandCounts)[opcode]);
        }
        else if (pending.Queue.Id == 0 && opcode == NvmeOpcodes.AsynchronousEventRequest)
        {
            // §5.2: an AER completes when an event occurs; the model has none to report, so it is held.
            Interlocked.Increment(ref _adminCounts[opcode]);
            if (_asynchronousEventRequests.Count < AsynchronousEventRequestLimit)
            {
                _asynchronousEventRequests.Add(pending);
                return;
            }

            status = NvmeStatus.AsynchronousEventRequestLimitExceeded;
        }
        else if (pending.Queue.Id == 0)
        {
            Interlocked.Increment(ref _adminCounts[opcode]);
            status = ExecuteAdmin(command, ref result);
        }
        else
        {
            Interlocked.Increment(ref _ioCommandCounts[opcode]);
            status = ExecuteNvm(command);
        }

        if (!_removed && IsReady)
        {
            Complete(pending.Queue, BinaryPrimitives.ReadUInt16LittleEndian(command.AsSpan(2)), status, result);
        }
    }

    /// <summary>§4.6: posts a completion queue entry for a command of <paramref name="sq"/>.</summary>
    private void Complete(SubmissionQueue sq, ushort commandId, ushort status, uint result)
    {
        var dnr = status is not (NvmeStatus.SuccessfulCompletion or NvmeStatus.DataTransferError or NvmeStatus.CommandAbortRequested or NvmeStatus.CommandAbortedDueToSqDeletion);
        var entry = new CompletionEntry(result, (ushort)sq.Head, (ushort)sq.Id, commandId, status, dnr);
        var cq = sq.CompletionQueue;
        if (cq.IsFull || cq.Overflow.Count > 0)
        {
            cq.Overflow.Enqueue(entry); // §4.1: a full CQ holds the controller's completions until the host frees entries
        }
        else
        {
            Post(cq, entry);
        }
    }

    private void Post(CompletionQueue cq, CompletionEntry entry)
    {
        var address = cq.BaseAddress + ((ulong)cq.Tail * CompletionEntrySize);
        if (!AddressMap.TryGetSpan(address, CompletionEntrySize, out var span))
        {
            Fatal();
            return;
        }

        // DW0 command specific, DW1 reserved, DW2 SQHD (15:0) and SQID (31:16), DW3 CID (15:0), P (16), status (31:17).
        BinaryPrimitives.WriteUInt32LittleEndian(span, entry.Result);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], entry.SubmissionQueueHead);
        BinaryPrimitives.WriteUInt16LittleEndian(span[10..], entry.SubmissionQueueId);
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], entry.CommandId);
        var statusField = (uint)(cq.Phase ? 1 : 0) | ((uint)NvmeStatus.StatusCode(entry.Status) << 1) | ((uint)NvmeStatus.StatusCodeType(entry.Status) << 9) | (entry.DoNotRetry ? 1u << 15 : 0);
        Thread.MemoryBarrier(); // the phase tag is written last: a host that sees it sees the whole entry
        BinaryPrimitives.WriteUInt16LittleEndian(span[14..], (ushort)statusField);
        cq.Tail++;
        if (cq.Tail == cq.Size)
        {
            cq.Tail = 0;
            cq.Phase = !cq.Phase; // §4.6: the phase tag inverts each time the queue wraps
        }
    }

    /// <summary>CSTS.CFS: a queue entry the controller cannot reach. Processing stops until a controller reset.</summary>
    private void Fatal()
    {
        SetStatusBits(CSTS_CFS, CSTS_CFS);
        _pending.Clear();
        _commandTimer.Cancel();
    }

    /// <summary>
    /// Under the lock, after anything that may change an interrupt condition (§7.5.1 pin-based interrupts): vector 0
    /// is pending while a completion queue with interrupts enabled holds entries the host has not consumed (its head
    /// doorbell differs from the tail); the line is asserted while it is pending, INTMS bit 0 is clear and the PCI
    /// Command register's Interrupt Disable is clear. The PCI Status register's Interrupt Status follows the pending state.
    /// </summary>
    private void UpdateInterrupt()
    {
        if (_removed)
        {
            Interrupt.SetLevel(false);
            return;
        }

        var pending = false;
        foreach (var cq in _completionQueues)
        {
            if (cq is { InterruptsEnabled: true } && cq.Head != cq.Tail)
            {
                pending = true;
                break;
            }
        }

        PciConfiguration.SetReadOnlyBits16(PciConfigurationSpace.StatusOffset, PciConfigurationSpace.StatusInterruptStatus, pending ? PciConfigurationSpace.StatusInterruptStatus : (ushort)0);
        Interrupt.SetLevel(pending && (Get(INTMS) & 1) == 0 && !PciConfiguration.InterruptDisable);
    }

    // ---- §5 Admin commands ----

    private ushort ExecuteAdmin(byte[] command, ref uint result)
    {
        var cdw10 = Dword(command, 10);
        var cdw11 = Dword(command, 11);
        switch (command[0])
        {
            case NvmeOpcodes.Identify:
                return Identify(command, unchecked((byte)cdw10));

            case NvmeOpcodes.CreateIoCompletionQueue:
                return CreateCompletionQueue(command, cdw10, cdw11);

            case NvmeOpcodes.CreateIoSubmissionQueue:
                return CreateSubmissionQueue(command, cdw10, cdw11);

            case NvmeOpcodes.DeleteIoSubmissionQueue:
                return DeleteSubmissionQueue((int)(cdw10 & 0xFFFF));

            case NvmeOpcodes.DeleteIoCompletionQueue:
                return DeleteCompletionQueue((int)(cdw10 & 0xFFFF));

            case NvmeOpcodes.SetFeatures:
                return SetFeature(cdw10, cdw11, ref result);

            case NvmeOpcodes.GetFeatures:
                return GetFeature(cdw10, ref result);

            case NvmeOpcodes.GetLogPage:
                return GetLogPage(command, cdw10);

            case NvmeOpcodes.Abort:
                return Abort((int)(cdw10 & 0xFFFF), (ushort)(cdw10 >> 16), ref result);

            default:
                return NvmeStatus.InvalidCommandOpcode;
        }
    }

    /// <summary>§5.15 Identify: CNS 00h namespace, 01h controller, 02h active namespace list; other CNS values Invalid Field.</summary>
    private ushort Identify(byte[] command, byte cns)
    {
        var nsid = Dword(command, 1);
        var data = new byte[IdentifyDataSize];
        switch (cns)
        {
            case NvmeOpcodes.IdentifyNamespace:
                if (nsid != 1)
                {
                    return NvmeStatus.InvalidNamespaceOrFormat; // NN = 1: NSID 1 is the only valid one (FFFFFFFFh too: no namespace management)
                }

                BuildIdentifyNamespace(data);
                break;

            case NvmeOpcodes.IdentifyController:
                BuildIdentifyController(data);
                break;

            case NvmeOpcodes.IdentifyActiveNamespaceList:
                if (nsid >= 0xFFFF_FFFE)
                {
                    return NvmeStatus.InvalidNamespaceOrFormat;
                }

                if (nsid < 1)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(data, 1);
                }

                break;

            default:
                return NvmeStatus.InvalidFieldInCommand;
        }

        return DeviceToHost(command, data);
    }

    /// <summary>§5.15 figure 109, the Identify Controller data structure.</summary>
    private void BuildIdentifyController(Span<byte> data)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(data, Options.VendorId);           // VID
        BinaryPrimitives.WriteUInt16LittleEndian(data[2..], Options.VendorId);      // SSVID
        Ascii(data.Slice(4, 20), Options.SerialNumber);                              // SN
        Ascii(data.Slice(24, 40), Options.ModelNumber);                              // MN
        Ascii(data.Slice(64, 8), Options.FirmwareRevision);                          // FR
        data[72] = 0;                                                                // RAB
        data[77] = (byte)Options.MaximumDataTransferSizeExponent;                    // MDTS, in CAP.MPSMIN (4 KiB) units
        BinaryPrimitives.WriteUInt16LittleEndian(data[78..], 1);                     // CNTLID
        BinaryPrimitives.WriteUInt32LittleEndian(data[80..], Options.Version);       // VER
        BinaryPrimitives.WriteUInt16LittleEndian(data[256..], 0);                    // OACS: no optional admin commands
        data[258] = AbortCommandLimit - 1;                                           // ACL, 0-based
        data[259] = 3;                                                               // AERL, 0-based
        data[260] = 0x02;                                                            // FRMW: one slot
        data[261] = 0;                                                               // LPA
        data[262] = 0;                                                               // ELPE
        data[263] = 0;                                                               // NPSS: one power state
        data[512] = 0x66;                                                            // SQES: 64 bytes (max and min)
        data[513] = 0x44;                                                            // CQES: 16 bytes
        BinaryPrimitives.WriteUInt32LittleEndian(data[516..], 1);                    // NN
        BinaryPrimitives.WriteUInt16LittleEndian(data[520..], 0);                    // ONCS: no optional NVM commands
        data[525] = 0x01;                                                            // VWC: a volatile write cache is present, as on most drives, so drivers send Flush for SYNCHRONIZE CACHE (the RAM namespace writes through: Flush has nothing to commit)
        BinaryPrimitives.WriteUInt16LittleEndian(data[2048..], 2500);                // PSD0.MP: 25.00 W
    }

    /// <summary>§5.15 figure 114, the Identify Namespace data structure of NSID 1.</summary>
    private void BuildIdentifyNamespace(Span<byte> data)
    {
        var blocks = (ulong)Namespace.BlockCount;
        BinaryPrimitives.WriteUInt64LittleEndian(data, blocks);          // NSZE
        BinaryPrimitives.WriteUInt64LittleEndian(data[8..], blocks);     // NCAP
        BinaryPrimitives.WriteUInt64LittleEndian(data[16..], blocks);    // NUSE
        data[24] = 0;                                                    // NSFEAT
        data[25] = 0;                                                    // NLBAF: one format (0-based)
        data[26] = 0;                                                    // FLBAS: format 0, no metadata
        BinaryPrimitives.WriteUInt32LittleEndian(data[128..], 9u << 16); // LBAF0: MS 0, LBADS 9 (512 bytes), RP 0
    }

    /// <summary>
    /// §5.14 Get Log Page: LID 01h Error Information (one 64-byte entry, all zero: no errors logged), 02h SMART / Health
    /// Information (512 bytes: composite temperature 300 K, available spare 100 %, threshold 10 %, the rest 0), 03h
    /// Firmware Slot Information (512 bytes: slot 1 active, FRS1 the firmware revision). NUMD (CDW10 bits 27:16, 0-based
    /// dwords) sets the length; bytes past the log read 0. Other LIDs: Invalid Log Page.
    /// </summary>
    private ushort GetLogPage(byte[] command, uint cdw10)
    {
        var length = (int)(((cdw10 >> 16) & 0xFFF) + 1) * 4;
        if (length > 4096 << Options.MaximumDataTransferSizeExponent)
        {
            return NvmeStatus.InvalidFieldInCommand;
        }

        var log = new byte[Math.Max(length, 512)];
        switch (cdw10 & 0xFF)
        {
            case 0x01:
                break;
            case 0x02:
                BinaryPrimitives.WriteUInt16LittleEndian(log.AsSpan(1), 300); // Composite Temperature, kelvins
                log[3] = 100;                                                   // Available Spare
                log[4] = 10;                                                    // Available Spare Threshold
                break;
            case 0x03:
                log[0] = 1;                                                     // AFI: slot 1 active
                Ascii(log.AsSpan(8, 8), Options.FirmwareRevision);              // FRS1
                break;
            default:
                return NvmeStatus.InvalidLogPage;
        }

        return DeviceToHost(command, log.AsSpan(0, length));
    }

    /// <summary>§5.3 Create I/O Completion Queue.</summary>
    private ushort CreateCompletionQueue(byte[] command, uint cdw10, uint cdw11)
    {
        var id = (int)(cdw10 & 0xFFFF);
        var size = (int)(cdw10 >> 16) + 1;
        var physicallyContiguous = (cdw11 & 1) != 0;
        var interruptsEnabled = (cdw11 & 2) != 0;
        var vector = cdw11 >> 16;
        var prp1 = Qword(command, 24);
        if (id == 0 || id > _allocatedCompletionQueues || _completionQueues[id] is not null)
        {
            return NvmeStatus.InvalidQueueIdentifier;
        }

        if (size < 2 || size > Options.MaximumQueueEntries)
        {
            return NvmeStatus.InvalidQueueSize;
        }

        if (!physicallyContiguous || ((Get(CC) & CC_IOCQES_Mask) >> CC_IOCQES_Shift) != 4)
        {
            return NvmeStatus.InvalidFieldInCommand; // CAP.CQR: PC must be 1; CC.IOCQES must be 4 (16-byte entries)
        }

        if (vector != 0)
        {
            return NvmeStatus.InvalidInterruptVector; // pin-based: vector 0 only
        }

        if (prp1 % (ulong)_pageSize != 0 || prp1 == 0)
        {
            return NvmeStatus.PrpOffsetInvalid;
        }

        _completionQueues[id] = new CompletionQueue(id, prp1, size, interruptsEnabled);
        _queuesCreated = true;
        return NvmeStatus.SuccessfulCompletion;
    }

    /// <summary>§5.4 Create I/O Submission Queue.</summary>
    private ushort CreateSubmissionQueue(byte[] command, uint cdw10, uint cdw11)
    {
        var id = (int)(cdw10 & 0xFFFF);
        var size = (int)(cdw10 >> 16) + 1;
        var physicallyContiguous = (cdw11 & 1) != 0;
        var completionQueueId = (int)(cdw11 >> 16);
        var prp1 = Qword(command, 24);
        if (completionQueueId == 0 || completionQueueId >= _completionQueues.Length || _completionQueues[completionQueueId] is not { } cq)
        {
            return NvmeStatus.CompletionQueueInvalid;
        }

        if (id == 0 || id > _allocatedSubmissionQueues || _submissionQueues[id] is not null)
        {
            return NvmeStatus.InvalidQueueIdentifier;
        }

        if (size < 2 || size > Options.MaximumQueueEntries)
        {
            return NvmeStatus.InvalidQueueSize;
        }

        if (!physicallyContiguous || ((Get(CC) & CC_IOSQES_Mask) >> CC_IOSQES_Shift) != 6)
        {
            return NvmeStatus.InvalidFieldInCommand; // CAP.CQR: PC must be 1; CC.IOSQES must be 6 (64-byte entries)
        }

        if (prp1 % (ulong)_pageSize != 0 || prp1 == 0)
        {
            return NvmeStatus.PrpOffsetInvalid;
        }

        _submissionQueues[id] = new SubmissionQueue(id, prp1, size, cq);
        _queuesCreated = true;
        return NvmeStatus.SuccessfulCompletion;
    }

    /// <summary>§5.6 Delete I/O Submission Queue: commands of it still in flight complete first with Command Aborted due to SQ Deletion.</summary>
    private ushort DeleteSubmissionQueue(int id)
    {
        if (id == 0 || id >= _submissionQueues.Length || _submissionQueues[id] is not { } sq)
        {
            return NvmeStatus.InvalidQueueIdentifier;
        }

        foreach (var (pending, _) in _pending.UnorderedItems.OrderBy(item => item.Priority))
        {
            if (ReferenceEquals(pending.Queue, sq) && !pending.Aborted)
            {
                pending.Aborted = true;
                Complete(sq, BinaryPrimitives.ReadUInt16LittleEndian(pending.Command.AsSpan(2)), NvmeStatus.CommandAbortedDueToSqDeletion, 0);
            }
        }

        _submissionQueues[id] = null;
        return NvmeStatus.SuccessfulCompletion;
    }

    /// <summary>§5.5 Delete I/O Completion Queue: Invalid Queue Deletion while an SQ still posts to it.</summary>
    private ushort DeleteCompletionQueue(int id)
    {
        if (id == 0 || id >= _completionQueues.Length || _completionQueues[id] is not { } cq)
        {
            return NvmeStatus.InvalidQueueIdentifier;
        }

        foreach (var sq in _submissionQueues)
        {
            if (sq is not null && ReferenceEquals(sq.CompletionQueue, cq))
            {
                return NvmeStatus.InvalidQueueDeletion;
            }
        }

        _completionQueues[id] = null;
        return NvmeStatus.SuccessfulCompletion;
    }

    /// <summary>§5.21 Set Features: Number of Queues (07h) and Interrupt Coalescing (08h); other features Invalid Field; SV Feature Identifier Not Saveable.</summary>
    private ushort SetFeature(uint cdw10, uint cdw11, ref uint result)
    {
        if ((cdw10 & (1u << 31)) != 0)
        {
            return NvmeStatus.FeatureIdentifierNotSaveable;
        }

        switch (unchecked((byte)cdw10))
        {
            case NvmeOpcodes.FeatureNumberOfQueues:
                var requestedSubmission = cdw11 & 0xFFFF;
                var requestedCompletion = cdw11 >> 16;
                if (requestedSubmission == 0xFFFF || requestedCompletion == 0xFFFF)
                {
                    return NvmeStatus.InvalidFieldInCommand;
                }

                if (_queuesCreated)
                {
                    return NvmeStatus.CommandSequenceError; // §5.21.1.7: only before any I/O queue is created
                }

                _allocatedSubmissionQueues = (int)Math.Min(requestedSubmission + 1, (uint)Options.MaximumIoQueues);
                _allocatedCompletionQueues = (int)Math.Min(requestedCompletion + 1, (uint)Options.MaximumIoQueues);
                result = NumberOfQueuesResult();
                return NvmeStatus.SuccessfulCompletion;

            case NvmeOpcodes.FeatureInterruptCoalescing:
                _interruptCoalescing = cdw11 & 0xFFFF; // stored and reported; the model does not delay interrupts
                return NvmeStatus.SuccessfulCompletion;

            default:
                return NvmeStatus.InvalidFieldInCommand;
        }
    }

    /// <summary>§5.9 Get Features: SEL 000b current, 001b default, 010b saved (the default: nothing is saveable), 011b supported capabilities (changeable).</summary>
    private ushort GetFeature(uint cdw10, ref uint result)
    {
        var select = (cdw10 >> 8) & 0x7;
        var feature = unchecked((byte)cdw10);
        if (feature is not (NvmeOpcodes.FeatureNumberOfQueues or NvmeOpcodes.FeatureInterruptCoalescing) || select > 3)
        {
            return NvmeStatus.InvalidFieldInCommand;
        }

        var maximum = (uint)(Options.MaximumIoQueues - 1);
        result = (select, feature) switch
        {
            (3, _) => 0b100,
            (0, NvmeOpcodes.FeatureNumberOfQueues) => NumberOfQueuesResult(),
            (_, NvmeOpcodes.FeatureNumberOfQueues) => maximum | (maximum << 16),
            (0, _) => _interruptCoalescing,
            _ => 0,
        };
        return NvmeStatus.SuccessfulCompletion;
    }

    private uint NumberOfQueuesResult() => (uint)(_allocatedSubmissionQueues - 1) | ((uint)(_allocatedCompletionQueues - 1) << 16);

    /// <summary>
    /// §5.1 Abort: a command still in flight (fetched, its latency not over) completes with Command Abort Requested
    /// and the Abort's DW0 bit 0 is 0; a command not found leaves DW0 bit 0 set (not aborted) and the Abort succeeds.
    /// An Abort completes when it runs, so no more than one is ever outstanding and ACL is never exceeded.
    /// </summary>
    private ushort Abort(int submissionQueueId, ushort commandId, ref uint result)
    {
        result = 1;
        if (submissionQueueId == 0)
        {
            var held = _asynchronousEventRequests.FindIndex(aer => BinaryPrimitives.ReadUInt16LittleEndian(aer.Command.AsSpan(2)) == commandId);
            if (held >= 0)
            {
                _asynchronousEventRequests.RemoveAt(held);
                Complete(_submissionQueues[0]!, commandId, NvmeStatus.CommandAbortRequested, 0);
                result = 0;
                return NvmeStatus.SuccessfulCompletion;
            }
        }

        foreach (var (pending, _) in _pending.UnorderedItems)
        {
            if (pending.Queue.Id == submissionQueueId && !pending.Aborted && ReferenceEquals(_submissionQueues[submissionQueueId], pending.Queue)
                && BinaryPrimitives.ReadUInt16LittleEndian(pending.Command.AsSpan(2)) == commandId)
            {
                pending.Aborted = true;
                Complete(pending.Queue, commandId, NvmeStatus.CommandAbortRequested, 0);
                result = 0;
                break;
            }
        }

        return NvmeStatus.SuccessfulCompletion;
    }

    // ---- §6 NVM commands ----

    private ushort ExecuteNvm(byte[] command)
    {
        var nsid = Dword(command, 1);
        switch (command[0])
        {
            case NvmeOpcodes.Flush:
                if (nsid is not (1 or 0xFFFF_FFFF))
                {
                    return NvmeStatus.InvalidNamespaceOrFormat;
                }

                Namespace.Flush();
                return NvmeStatus.SuccessfulCompletion;

            case NvmeOpcodes.Read or NvmeOpcodes.Write:
                if (nsid != 1)
                {
                    return NvmeStatus.InvalidNamespaceOrFormat;
                }

                var lba = Qword(command, 40);
                var blocks = (Dword(command, 12) & 0xFFFF) + 1;
                if (lba >= (ulong)Namespace.BlockCount || blocks > (ulong)Namespace.BlockCount - lba)
                {
                    return NvmeStatus.LbaOutOfRange;
                }

                var length = (int)blocks * NvmeNamespace.BlockSize;
                if (length > 4096 << Options.MaximumDataTransferSizeExponent)
                {
                    return NvmeStatus.InvalidFieldInCommand; // past MDTS
                }

                var buffer = ArrayPool<byte>.Shared.Rent(length);
                try
                {
                    var data = buffer.AsSpan(0, length);
                    if (command[0] == NvmeOpcodes.Read)
                    {
                        Namespace.ReadBlocks((long)lba, data);
                        return DeviceToHost(command, data);
                    }

                    var status = HostToDevice(command, data);
                    if (status == NvmeStatus.SuccessfulCompletion)
                    {
                        Namespace.WriteBlocks((long)lba, data);
                    }

                    return status;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }

            default:
                return NvmeStatus.InvalidCommandOpcode;
        }
    }

    // ---- §4.3 Physical Region Page entries and lists ----

    private ushort DeviceToHost(byte[] command, ReadOnlySpan<byte> data)
    {
        var transfer = new DmaTransfer();
        var status = BuildTransfer(Qword(command, 24), Qword(command, 32), data.Length, transfer);
        if (status == NvmeStatus.SuccessfulCompletion)
        {
            transfer.Write(data);
        }

        return status;
    }

    private ushort HostToDevice(byte[] command, Span<byte> data)
    {
        var transfer = new DmaTransfer();
        var status = BuildTransfer(Qword(command, 24), Qword(command, 32), data.Length, transfer);
        if (status != NvmeStatus.SuccessfulCompletion)
        {
            return status;
        }

        var done = 0;
        while (done < data.Length)
        {
            var piece = transfer.Next(data.Length - done);
            piece.CopyTo(data[done..]);
            done += piece.Length;
        }

        return status;
    }

    /// <summary>
    /// §4.3: resolves PRP1 and PRP2 for a transfer of <paramref name="length"/> bytes with the memory page size of
    /// CC.MPS. PRP1 may start anywhere dword aligned within a page; PRP2 is a second page (offset 0) when the rest
    /// fits in one page, otherwise a PRP list (qword aligned) whose last entry in each page points to the next list
    /// page while more than one page of data remains. A misaligned entry is PRP Offset Invalid; an address the host
    /// address map cannot resolve is a Data Transfer Error.
    /// </summary>
    private ushort BuildTransfer(ulong prp1, ulong prp2, int length, DmaTransfer transfer)
    {
        var page = (ulong)_pageSize;
        if ((prp1 & 3) != 0)
        {
            return NvmeStatus.PrpOffsetInvalid;
        }

        var first = (int)Math.Min((ulong)length, page - (prp1 % page));
        if (!AddSegment(transfer, prp1, first))
        {
            return NvmeStatus.DataTransferError;
        }

        var remaining = length - first;
        if (remaining == 0)
        {
            return NvmeStatus.SuccessfulCompletion;
        }

        if ((ulong)remaining <= page)
        {
            if (prp2 % page != 0)
            {
                return NvmeStatus.PrpOffsetInvalid;
            }

            return AddSegment(transfer, prp2, remaining) ? NvmeStatus.SuccessfulCompletion : NvmeStatus.DataTransferError;
        }

        var list = prp2;
        if ((list & 7) != 0)
        {
            return NvmeStatus.PrpOffsetInvalid;
        }

        while (remaining > 0)
        {
            var entriesLeftInPage = (int)((page - (list % page)) / 8);
            for (var i = 0; i < entriesLeftInPage && remaining > 0; i++)
            {
                if (!AddressMap.TryGetSpan(list + ((ulong)i * 8), 8, out var slot))
                {
                    return NvmeStatus.DataTransferError;
                }

                var entry = BinaryPrimitives.ReadUInt64LittleEndian(slot);
                if (i == entriesLeftInPage - 1 && (ulong)remaining > page)
                {
                    if ((entry & 7) != 0)
                    {
                        return NvmeStatus.PrpOffsetInvalid;
                    }

                    list = entry; // the last entry of a list page chains to the next list page
                    goto NextListPage;
                }

                if (entry % page != 0)
                {
                    return NvmeStatus.PrpOffsetInvalid;
                }

                var chunk = (int)Math.Min((ulong)remaining, page);
                if (!AddSegment(transfer, entry, chunk))
                {
                    return NvmeStatus.DataTransferError;
                }

                remaining -= chunk;
            }

            break;
        NextListPage:;
        }

        return NvmeStatus.SuccessfulCompletion;
    }

    private bool AddSegment(DmaTransfer transfer, ulong physical, int length)
    {
        if (!AddressMap.TryResolve(physical, length, out var host))
        {
            return false;
        }

        transfer.Add(host, length, interruptWhenDone: false);
        return true;
    }

    private static uint Dword(byte[] command, int index) => BinaryPrimitives.ReadUInt32LittleEndian(command.AsSpan(index * 4));

    private static ulong Qword(byte[] command, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(command.AsSpan(offset));

    private static void Ascii(Span<byte> field, string text)
    {
        field.Fill((byte)' ');
        Encoding.ASCII.GetBytes(text, field);
    }

    private void FillConfigurationWithOnes()
    {
        for (var offset = 0; offset < PciConfigurationSpace.Length; offset += 2)
        {
            PciConfiguration.SetReadOnlyBits16(offset, 0xFFFF, 0xFFFF);
        }
    }

    private static int Bar0Offset(int barIndex, long offset)
    {
        if (barIndex != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(barIndex), barIndex, "The NVMe controller implements BAR0 (with BAR1 as its upper half) only.");
        }

        if (offset < 0 || offset >= RegisterSpaceLength)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"BAR0 is 0x{RegisterSpaceLength:X} bytes.");
        }

        return (int)offset;
    }

    private static void CheckOffset(int offset, int size)
    {
        if (offset < 0 || offset > RegisterSpaceLength - size || offset % size != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"A {size}-byte register access needs a multiple of {size} below 0x{RegisterSpaceLength:X}.");
        }
    }

    /// <summary>
    /// PCI header (NVMe 1.3 §2.1): class code 01h/08h/02h (mass storage, non-volatile memory controller, NVM Express),
    /// BAR0/BAR1 a 64-bit non-prefetchable memory BAR of 16 KiB (MLBAR/MUBAR), BAR2-5 absent, INTA#, and the PCI Power
    /// Management capability (§2.3) at 40h. No MSI or MSI-X capability: the controller interrupts through its line.
    /// </summary>
    private static PciConfigurationSpace BuildPciConfiguration(NvmeControllerOptions options)
    =>
        new PciHeaderBuilder(options.VendorId, options.DeviceId, options.RevisionId, baseClass: 0x01, subClass: 0x08, progIf: 0x02) // mass storage, NVM controller, NVM Express
            .Command(PciConfigurationSpace.CommandMemorySpaceEnable | PciConfigurationSpace.CommandBusMasterEnable, PciCommandWritable)
            .Status(PciConfigurationSpace.StatusCapabilitiesList)
            .WritableCacheLineAndLatency()

            // MLBAR (BAR0): bits 31:14 base address (read/write), 13:4 read 0 (16 KiB), 3 prefetchable 0, 2:1 type 10b (64-bit),
            // 0 memory. MUBAR (BAR1): the upper 32 bits, read/write. Writing all ones to both reads back the size.
            .Bar64(0, options.Bar0Address, RegisterSpaceLength)
            .Subsystem(options.VendorId, options.DeviceId)
            .InterruptA(options.InterruptLine)
            .PowerManagementCapability(PowerManagementCapability)
            .Build();

    private sealed class SubmissionQueue(int id, ulong baseAddress, int size, CompletionQueue completionQueue)
    {
        public int Id { get; } = id;

        public ulong BaseAddress { get; } = baseAddress;

        public int Size { get; } = size;

        public CompletionQueue CompletionQueue { get; } = completionQueue;

        public int Head { get; set; }

        public int Tail { get; set; }
    }

    private sealed class CompletionQueue(int id, ulong baseAddress, int size, bool interruptsEnabled)
    {
        public int Id { get; } = id;

        public ulong BaseAddress { get; } = baseAddress;

        public int Size { get; } = size;

        public bool InterruptsEnabled { get; } = interruptsEnabled;

        public int Head { get; set; }

        public int Tail { get; set; }

        /// <summary>The phase tag the controller writes in its next entry: 1 on the first pass (§4.6).</summary>
        public bool Phase { get; set; } = true;

        public bool IsFull => (Tail + 1) % Size == Head;

        public Queue<CompletionEntry> Overflow { get; } = new();
    }

    private sealed class PendingCommand(SubmissionQueue queue, byte[] command, long due)
    {
        public SubmissionQueue Queue { get; } = queue;

        public byte[] Command { get; } = command;

        public long Due { get; } = due;

        public bool Aborted { get; set; }
    }

    private readonly record struct CompletionEntry(uint Result, ushort SubmissionQueueHead, ushort SubmissionQueueId, ushort CommandId, ushort Status, bool DoNotRetry);
}
