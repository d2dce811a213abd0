using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Pcnet;
using MiniportTimers.Engine;
using static MiniportTimers.Devices.Pcnet.PcnetRegisters;
using PcnetNic = MiniportTimers.Devices.Pcnet.Pcnet;

namespace MiniportTimers.Tests.Devices.Pcnet;

/// <summary>
/// The PCnet-PCI II model (Am79C970A data sheet) driven through its ports, as a driver would, with its structures in
/// native memory mapped below 4 GiB: the PROM, resets, CSR0's semantics, the LED registers, the initialization block,
/// the rings, the interrupt line and the hub.
/// </summary>
public sealed class PcnetTests : IDisposable
{
    private const int Ring = 4;
    private const int Buffer = 1536;
    private readonly VirtualTimerEngine _engine = new();
    private readonly HostAddressMap _map = new(0x0010_0000, 0x1_0000_0000);
    private readonly List<nint> _allocations = [];

    public void Dispose()
    {
        _engine.Dispose();
        _allocations.ForEach(a => Marshal.FreeHGlobal(a));
    }

    [Fact]
    public void Aprom_HoldsTheMacAddress_AndTheWwSignature()
    {
        var nic = Nic(linkUp: true);
        Assert.Equal([0x00, 0x0C, 0x29, 0x00, 0x00, 0x07], Enumerable.Range(0, 6).Select(i => (byte)nic.ReadBar(0, i, 1)));
        Assert.Equal(0x5757u, nic.ReadBar(0, 14, 2));
        nic.WriteBar(0, 0, 1, 0xFF); // the PROM is read-only unless BCR2.APROMWE
        Assert.Equal(0u, nic.ReadBar(0, 0, 1));
    }

    [Fact]
    public void Pci_Header_IsAnAmdPcnetWithAnIoBar()
    {
        var nic = Nic(linkUp: true);
        Assert.Equal(0x20001022u, nic.PciConfiguration.ReadUInt32(0));
        Assert.Equal(0xC001u, nic.PciConfiguration.ReadUInt32(0x10)); // I/O space indicator in bit 0
        Assert.Equal((byte)0x02, nic.PciConfiguration.ClassCode.BaseClass);
        nic.PciConfiguration.WriteUInt32(0x10, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_FFE1u, nic.PciConfiguration.ReadUInt32(0x10)); // 32 bytes decoded
    }

    [Fact]
    public void Reset_ByReadingTheResetPort_StopsTheChip_AndLeavesDwordMode()
    {
        var nic = Nic(linkUp: true);
        nic.WriteBar(0, Rdp, 4, 0); // a double-word write to RDP enters DWIO
        Assert.NotEqual(0, nic.ReadBcr(BCR18) & BCR18_DWIO);
        Assert.Equal(0u, nic.ReadBar(0, Reset32, 4));
        Assert.Equal(0, nic.ReadBcr(BCR18) & BCR18_DWIO);
        Assert.Equal(CSR0_STOP, Csr(nic, 0));
        Assert.Equal(CSR4_Reset, Csr(nic, CSR4));
        Assert.Equal(0x1003, Csr(nic, CSR88)); // chip ID 2621003h
        Assert.Equal(0x0262, Csr(nic, CSR89));
    }

    [Fact]
    public void SoftwareStyle2_SetsSsize32AndCsrPcnet_InCsr58AndBcr20()
    {
        var nic = Nic(linkUp: true);
        SetCsr(nic, CSR58, 2);
        Assert.Equal(2 | CSR58_SSIZE32 | CSR58_CSRPCNET, Csr(nic, CSR58));
        Assert.Equal(Csr(nic, CSR58), nic.ReadBcr(BCR20));
    }

    [Fact]
    public void Bcr4LedOut_FollowsTheCable_WhenLinkStatusIsEnabled()
    {
        var nic = Nic(linkUp: false);
        Assert.Equal(0, Bcr(nic, BCR4) & LED_LEDOUT);
        nic.SetLink(true);
        Assert.Equal(LED_LEDOUT, Bcr(nic, BCR4) & LED_LEDOUT);
        SetBcr(nic, BCR4, 0); // LNKSTE off: the LED shows nothing
        Assert.Equal(0, Bcr(nic, BCR4) & LED_LEDOUT);
        Assert.Equal(0, Bcr(nic, BCR6) & LED_LEDOUT); // never 100 Mb/s on the Am79C970A
    }

    [Fact]
    public void Init_ReadsTheInitializationBlock_SetsIdon_AndRaisesTheLineWhileIenaIsSet()
    {
        var nic = Nic(linkUp: true);
        var rig = Rings(nic);
        var edges = new List<long>();
        nic.Interrupt.Connect(() => edges.Add(_engine.NowNanoseconds));
        SetCsr(nic, 0, CSR0_INIT | CSR0_STRT | CSR0_IENA);
        var csr0 = Csr(nic, 0);
        Assert.Equal(CSR0_INIT | CSR0_STRT | CSR0_TXON | CSR0_RXON | CSR0_IENA | CSR0_INTR | CSR0_IDON, csr0);
        Assert.Equal((0x0C00, 0x0029, 0x0700), (Csr(nic, CSR12), Csr(nic, CSR12 + 1), Csr(nic, CSR12 + 2))); // PADR, low byte first
        Assert.Equal((ushort)(rig.RxRing & 0xFFFF), Csr(nic, CSR24));
        Assert.Equal(unchecked((ushort)-Ring), Csr(nic, CSR76));
        Assert.True(nic.Interrupt.IsAsserted);
        _engine.AdvanceBy(0);
        Assert.Equal([0L], edges);

        SetCsr(nic, 0, CSR0_IDON); // write 1 to clear
        Assert.False(nic.Interrupt.IsAsserted);
        Assert.Equal(0, Csr(nic, 0) & (CSR0_IDON | CSR0_INTR));
        Assert.Equal(CSR0_INIT | CSR0_STRT, Csr(nic, 0) & (CSR0_INIT | CSR0_STRT)); // setting them again does not re-init
    }

    [Fact]
    public void Stop_ClearsEverythingElseInCsr0()
    {
        var nic = Nic(linkUp: true);
        Rings(nic);
        SetCsr(nic, 0, CSR0_INIT | CSR0_STRT | CSR0_IENA);
        SetCsr(nic, 0, CSR0_STOP);
        Assert.Equal(CSR0_STOP, Csr(nic, 0));
        Assert.False(nic.Interrupt.IsAsserted);
    }

    [Fact]
    public void Transmit_GivesTheDescriptorBack_SetsTint_AndTheHubDeliversTheFrameWithItsFcs()
    {
        var hub = new PcnetHub();
        var a = Nic(linkUp: true, last: 1);
        var b = Nic(linkUp: true, last: 2);
        hub.Attach(a);
        hub.Attach(b);
        var ta = Rings(a);
        var rb = Rings(b);
        SetCsr(a, 0, CSR0_INIT | CSR0_STRT | CSR0_IENA);
        SetCsr(b, 0, CSR0_INIT | CSR0_STRT | CSR0_IENA);
        SetCsr(b, 0, CSR0_IDON | CSR0_IENA); // acknowledge IDON, keep interrupts enabled

        var frame = new byte[70];
        b.Options.MacAddress.CopyTo(frame, 0);
        a.Options.MacAddress.CopyTo(frame, 6);
        frame[12] = 0x88;
        frame[13] = 0xB5;
        frame.AsSpan(14).Fill(0x5A);
        frame.CopyTo(ta.TxBuffer(0));
        BinaryPrimitives.WriteUInt32LittleEndian(ta.TxDescriptor(0)[4..], MD1_OWN | MD1_STP | MD1_ENP | Bcnt(frame.Length));
        SetCsr(a, 0, CSR0_IENA | CSR0_TDMD);

        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(ta.TxDescriptor(0)[4..]) & MD1_OWN);
        Assert.NotEqual(0, Csr(a, 0) & CSR0_TINT);
        Assert.Equal((1L, 1L, 1L), (a.FramesSent, b.FramesReceived, hub.FramesRepeated));
        var rmd1 = BinaryPrimitives.ReadUInt32LittleEndian(rb.RxDescriptor(0)[4..]);
        Assert.Equal(MD1_STP | MD1_ENP | RMD1_PAM, rmd1 & (MD1_OWN | MD1_STP | MD1_ENP | RMD1_PAM));
        Assert.Equal((uint)frame.Length + 4, BinaryPrimitives.ReadUInt32LittleEndian(rb.RxDescriptor(0)[8..]) & 0xFFF); // MCNT counts the FCS
        Assert.Equal(frame, rb.RxBuffer(0)[..frame.Length].ToArray());
        Assert.Equal(Fcs(frame), BinaryPrimitives.ReadUInt32LittleEndian(rb.RxBuffer(0)[frame.Length..])); // the FCS follows the data
        Assert.NotEqual(0, Csr(b, 0) & CSR0_RINT);
        Assert.True(b.Interrupt.IsAsserted);
    }

    [Fact]
    public void Transmit_WithTheCableUnplugged_ReportsLossOfCarrier_AndNothingReachesTheHub()
    {
        var hub = new PcnetHub();
        var a = Nic(linkUp: false);
        hub.Attach(a);
        var ta = Rings(a);
        SetCsr(a, 0, CSR0_INIT | CSR0_STRT);
        BinaryPrimitives.WriteUInt32LittleEndian(ta.TxDescriptor(0)[4..], MD1_OWN | MD1_STP | MD1_ENP | (Bcnt(64)));
        SetCsr(a, 0, CSR0_TDMD);
        Assert.Equal(MD1_ERR, BinaryPrimitives.ReadUInt32LittleEndian(ta.TxDescriptor(0)[4..]) & (MD1_OWN | MD1_ERR));
        Assert.Equal(TMD2_LCAR, BinaryPrimitives.ReadUInt32LittleEndian(ta.TxDescriptor(0)[8..]));
        Assert.Equal(0L, hub.FramesRepeated);
    }

    [Fact]
    public void Receive_WithNoDescriptorOwnedByTheChip_SetsMiss()
    {
        var hub = new PcnetHub();
        var a = Nic(linkUp: true, last: 1);
        var b = Nic(linkUp: true, last: 2);
        hub.Attach(a);
        hub.Attach(b);
        var ta = Rings(a);
        var rb = Rings(b);
        for (var i = 0; i < Ring; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(rb.RxDescriptor(i)[4..], Bcnt(Buffer)); // the host owns them all
        }

        SetCsr(a, 0, CSR0_INIT | CSR0_STRT);
        SetCsr(b, 0, CSR0_INIT | CSR0_STRT);
        var frame = new byte[60];
        frame.AsSpan(0, 6).Fill(0xFF); // broadcast
        frame.CopyTo(ta.TxBuffer(0));
        BinaryPrimitives.WriteUInt32LittleEndian(ta.TxDescriptor(0)[4..], MD1_OWN | MD1_STP | MD1_ENP | (Bcnt(60)));
        SetCsr(a, 0, CSR0_TDMD);
        Assert.Equal((0L, 1L), (b.FramesReceived, b.FramesMissed));
        Assert.NotEqual(0, Csr(b, 0) & (CSR0_MISS | CSR0_ERR));
    }

    /// <summary>BCNT: the buffer's length as a 12-bit two's complement, bits 15:12 set (RMD1/TMD1 bits 15:0).</summary>
    private static uint Bcnt(int length) => 0xF000u | (uint)(-length & 0x0FFF);

    /// <summary>IEEE 802.3 CRC-32 (reflected, polynomial EDB88320h, preset and final complement), as the FCS is sent low byte first.</summary>
    private static uint Fcs(byte[] frame)
    {
        var crc = 0xFFFF_FFFFu;
        foreach (var b in frame)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc >> 1) ^ ((crc & 1) * 0xEDB8_8320u);
            }
        }

        return ~crc;
    }

    // ---- helpers: a driver's view of the ports and its structures in native memory ----

    private PcnetNic Nic(bool linkUp, byte last = 7) =>
        new(_engine, _map, new PcnetOptions { MacAddress = [0x00, 0x0C, 0x29, 0x00, 0x00, last], LinkUp = linkUp });

    private static ushort Csr(PcnetNic nic, int number)
    {
        nic.WriteBar(0, Rap16, 2, (uint)number);
        return (ushort)nic.ReadBar(0, Rdp, 2);
    }

    private static void SetCsr(PcnetNic nic, int number, int value)
    {
        nic.WriteBar(0, Rap16, 2, (uint)number);
        nic.WriteBar(0, Rdp, 2, (uint)value);
    }

    private static ushort Bcr(PcnetNic nic, int number)
    {
        nic.WriteBar(0, Rap16, 2, (uint)number);
        return (ushort)nic.ReadBar(0, Bdp16, 2);
    }

    private static void SetBcr(PcnetNic nic, int number, int value)
    {
        nic.WriteBar(0, Rap16, 2, (uint)number);
        nic.WriteBar(0, Bdp16, 2, (uint)value);
    }

    /// <summary>Software style 2, an init block with the NIC's MAC and two rings of <see cref="Ring"/> descriptors (receive ones owned by the chip), IADR set.</summary>
    private RingMemory Rings(PcnetNic nic)
    {
        var length = 4096 + (2 * Ring * Buffer);
        var raw = Marshal.AllocHGlobal(length + 4096);
        _allocations.Add(raw);
        var host = (raw + 4095) & ~(nint)4095;
        var range = _map.Map(host, length);
        var memory = new RingMemory(_map, range.PhysicalAddress);
        memory.Span(0, length).Clear();
        SetCsr(nic, CSR58, 2);
        var init = memory.Span(0, InitBlockLength);
        init[2] = 2 << 4; // RLEN: 4 entries
        init[3] = 2 << 4; // TLEN
        nic.Options.MacAddress.CopyTo(init[4..]);
        BinaryPrimitives.WriteUInt32LittleEndian(init[20..], (uint)memory.RxRing);
        BinaryPrimitives.WriteUInt32LittleEndian(init[24..], (uint)memory.TxRing);
        for (var i = 0; i < Ring; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(memory.RxDescriptor(i), (uint)(memory.Physical + 4096 + (ulong)(i * Buffer)));
            BinaryPrimitives.WriteUInt32LittleEndian(memory.RxDescriptor(i)[4..], MD1_OWN | Bcnt(Buffer));
            BinaryPrimitives.WriteUInt32LittleEndian(memory.TxDescriptor(i), (uint)(memory.Physical + 4096 + (ulong)((Ring + i) * Buffer)));
        }

        SetCsr(nic, CSR1, (int)(memory.Physical & 0xFFFF));
        SetCsr(nic, CSR2, (ushort)(memory.Physical >> 16));
        return memory;
    }

    /// <summary>Init block at 0, receive ring at 100h, transmit ring at 200h, receive buffers from 1000h, then transmit buffers.</summary>
    private sealed class RingMemory(HostAddressMap map, ulong physical)
    {
        public ulong Physical { get; } = physical;

        public ulong RxRing => Physical + 0x100;

        public ulong TxRing => Physical + 0x200;

        public Span<byte> Span(int offset, int length) =>
            map.TryGetSpan(Physical + (ulong)offset, length, out var span) ? span : throw new InvalidOperationException("unmapped");

        public Span<byte> RxDescriptor(int i) => Span(0x100 + (i * DescriptorLength), DescriptorLength);

        public Span<byte> TxDescriptor(int i) => Span(0x200 + (i * DescriptorLength), DescriptorLength);

        public Span<byte> RxBuffer(int i) => Span(4096 + (i * Buffer), Buffer);

        public Span<byte> TxBuffer(int i) => Span(4096 + ((Ring + i) * Buffer), Buffer);
    }
}
