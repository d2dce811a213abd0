using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Sata;
using MiniportTimers.Engine;
using static MiniportTimers.Devices.Ahci.AhciMemoryStructures;
using static MiniportTimers.Devices.Ahci.AhciRegisters;

namespace MiniportTimers.Tests.Devices.Ahci;

/// <summary>
/// A small AHCI driver for tests: an HBA on a virtual clock, page-aligned native memory for each port's command list,
/// received-FIS area and command tables (the way a C driver's uncached extension is mapped), managed buffers for data
/// (the way a C# driver's are), and helpers to build and issue commands.
/// </summary>
internal sealed class AhciRig : IDisposable
{
    /// <summary>Bytes of control memory per port: command list at 0, received FIS at 400h, command tables from 1000h.</summary>
    public const int PortArea = 0x10000;

    /// <summary>Bytes per command table: the command FIS area and up to 56 PRDT entries.</summary>
    public const int TableStride = 0x400;

    private readonly nint _allocation;
    private readonly nint _control;
    private readonly int _controlLength;
    private readonly HostMemoryRange _controlRange;
    private readonly List<HostMemoryRange> _buffers = [];

    public AhciRig(AhciHbaOptions? options = null)
    {
        Hba = new AhciHba(Engine, Map, options);
        _controlLength = PortArea * Hba.Ports.Count;
        _allocation = Marshal.AllocHGlobal(_controlLength + 4096);
        _control = (_allocation + 4095) & ~(nint)4095; // page-aligned, as an uncached extension is
        _controlRange = Map.Map(_control, _controlLength);
        Control(0, _controlLength).Clear();
        Hba.Interrupt.Connect(() => Interrupts.Add(Engine.NowNanoseconds));
    }

    public VirtualTimerEngine Engine { get; } = new();

    public HostAddressMap Map { get; } = new();

    public AhciHba Hba { get; }

    /// <summary>The engine times at which the interrupt handler ran.</summary>
    public List<long> Interrupts { get; } = [];

    public static int CommandListOffset(int port) => port * PortArea;

    public static int FisOffset(int port) => (port * PortArea) + 0x400;

    public static int TableOffset(int port, int slot) => (port * PortArea) + 0x1000 + (slot * TableStride);

    public ulong Physical(int controlOffset) => _controlRange.PhysicalAddress + (ulong)controlOffset;

    public Span<byte> Control(int offset, int length)
    {
        Assert.True(Map.TryGetSpan(Physical(offset), length, out var span)); // the rig reads its memory the way the device does
        return span;
    }

    public uint Read(int port, int register) => Hba.Ports[port].ReadRegister32(register);

    public void Write(int port, int register, uint value) => Hba.Ports[port].WriteRegister32(register, value);

    public uint ReadGlobal(int offset) => Hba.ReadRegister32(offset);

    public void WriteGlobal(int offset, uint value) => Hba.WriteRegister32(offset, value);

    /// <summary>Fires everything due now (interrupt deliveries, zero-latency commands).</summary>
    public void Settle() => Engine.AdvanceBy(0);

    /// <summary>Attaches a new disk to <paramref name="port"/> and returns it.</summary>
    public SataDisk AttachDisk(int port, SataDiskOptions? options = null)
    {
        var disk = new SataDisk(options);
        Hba.Ports[port].Attach(disk);
        return disk;
    }

    /// <summary>Points the port at its command list and received-FIS area and enables FIS receive.</summary>
    public void ProgramPort(int port)
    {
        var clb = Physical(CommandListOffset(port));
        var fb = Physical(FisOffset(port));
        Write(port, PxCLB, (uint)(clb & 0xFFFF_FFFF));
        Write(port, PxCLBU, (uint)(clb >> 32));
        Write(port, PxFB, (uint)(fb & 0xFFFF_FFFF));
        Write(port, PxFBU, (uint)(fb >> 32));
        Write(port, PxCMD, Read(port, PxCMD) | PxCMD_FRE);
    }

    /// <summary>Programs the port and sets ST (the disk must be ready).</summary>
    public void StartPort(int port)
    {
        ProgramPort(port);
        Write(port, PxCMD, Read(port, PxCMD) | PxCMD_ST);
    }

    /// <summary>Maps a managed data buffer; unmapped at dispose.</summary>
    public HostMemoryRange MapBuffer(byte[] buffer)
    {
        var range = Map.Map(buffer);
        _buffers.Add(range);
        return range;
    }

    /// <summary>Writes slot <paramref name="slot"/>'s command header and table: a Register H2D FIS and the PRDT.</summary>
    public void BuildCommand(int port, int slot, byte command, ulong lba = 0, ushort count = 0, IReadOnlyList<Prd>? prds = null, ushort features = 0, bool write = false, uint headerFlags = 0, byte control = 0, bool isCommand = true)
    {
        prds ??= [];
        var table = TableOffset(port, slot);
        Control(table, TableStride).Clear();
        SataFis.WriteRegisterH2D(Control(table + CFIS, 20), command, features, lba, count, 0x40, control, isCommand);
        for (var i = 0; i < prds.Count; i++)
        {
            var entry = Control(table + PRDT + (i * PrdLength), PrdLength);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[PrdDBA..], (uint)(prds[i].Address & 0xFFFF_FFFF));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[PrdDBAU..], (uint)(prds[i].Address >> 32));
            BinaryPrimitives.WriteUInt32LittleEndian(entry[PrdDW3..], (uint)(prds[i].Length - 1) | (prds[i].Interrupt ? PrdI : 0));
        }

        var header = Control(CommandListOffset(port) + (slot * CommandHeaderLength), CommandHeaderLength);
        header.Clear();
        var tableAddress = Physical(table);
        BinaryPrimitives.WriteUInt32LittleEndian(header, 5u | (write ? HeaderW : 0) | headerFlags | ((uint)prds.Count << HeaderPRDTL_Shift));
        BinaryPrimitives.WriteUInt32LittleEndian(header[HeaderCTBA..], (uint)(tableAddress & 0xFFFF_FFFF));
        BinaryPrimitives.WriteUInt32LittleEndian(header[HeaderCTBAU..], (uint)(tableAddress >> 32));
    }

    /// <summary>Sets the slot's PxCI bit.</summary>
    public void Issue(int port, int slot) => Write(port, PxCI, 1u << slot);

    /// <summary>Builds, issues and settles one command.</summary>
    public void Run(int port, int slot, byte command, ulong lba = 0, ushort count = 0, IReadOnlyList<Prd>? prds = null, ushort features = 0, bool write = false)
    {
        BuildCommand(port, slot, command, lba, count, prds, features, write);
        Issue(port, slot);
        Settle();
    }

    /// <summary>The PRDBC field of slot <paramref name="slot"/>'s command header.</summary>
    public uint ByteCount(int port, int slot) =>
        BinaryPrimitives.ReadUInt32LittleEndian(Control(CommandListOffset(port) + (slot * CommandHeaderLength) + HeaderPRDBC, 4));

    /// <summary>The received-FIS area of the port (256 bytes).</summary>
    public Span<byte> ReceivedFis(int port) => Control(FisOffset(port), ReceivedFisLength);

    public void Dispose()
    {
        foreach (var range in _buffers)
        {
            Map.Unmap(range);
        }

        Map.Unmap(_controlRange);
        Marshal.FreeHGlobal(_allocation);
        Engine.Dispose();
    }

    /// <summary>One PRDT entry: a physical address, a byte count (even, 2 to 4 MiB), and the I bit.</summary>
    public readonly record struct Prd(ulong Address, int Length, bool Interrupt = false);
}
