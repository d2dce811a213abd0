using System.Buffers.Binary;
using MiniportTimers.Devices.Interrupts;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Pci;
using MiniportTimers.Engine;
using static MiniportTimers.Devices.Pcnet.PcnetRegisters;

namespace MiniportTimers.Devices.Pcnet;

/// <summary>
/// An AMD PCnet-PCI II (Am79C970A, data sheet publication 19436) as drivers drive it: a PCI function of class 02/00/00
/// (vendor 1022h, device 2000h) whose BAR0 decodes 32 I/O ports (address PROM, RDP, RAP, reset, BDP); the CSRs and
/// BCRs behind them; the 32-bit initialization block and descriptor rings of software style 2 in host memory, reached
/// through the host's <see cref="HostAddressMap"/>; IDON, TINT and RINT on a level-triggered line interrupt; a link
/// a scenario plugs and unplugs (<see cref="SetLink"/>), shown in BCR4-7's LEDOUT bits; and a port on a
/// <see cref="PcnetHub"/> through which frames reach other NICs.
/// </summary>
/// <remarks>
/// <para>What is modelled: word and double-word I/O mode (a 32-bit write to RDP enters DWIO, a reset leaves it);
/// S_RESET by reading the reset register; CSR0's INIT, STRT, STOP, TDMD, IENA and its write-1-to-clear flags (INIT and
/// STRT act on a 0-to-1 change, as the chip ignores setting a bit already set); CSR1-6, CSR8-15, CSR24/25, CSR30/31,
/// CSR58 (= BCR20), CSR76/78, CSR88/89 (chip ID 2621003h); BCR2, BCR4-7, BCR9, BCR18, BCR20. Other CSRs and BCRs
/// are plain storage that reads back what was written (0 after reset), as the chip's reserved registers are
/// undefined.</para>
/// <para>Timing: the chip reads the initialization block, transmits and receives within the register access or the
/// hub delivery that causes it (a frame takes no wire time); transmit polling (CSR4.DPOLL clear) is not modelled:
/// only TDMD starts a transmission. Only software style 2 structures are understood; INIT with another style sets
/// IDON after reading nothing, and the rings stay off (MERR).</para>
/// <para>Thread safety: every public member is thread-safe; register access and frame delivery are serialized by one
/// lock per NIC. The interrupt handler is called on the engine's dispatcher without that lock held.</para>
/// </remarks>
public sealed class Pcnet : IPciDevice
{
    private const int IoBarIndex = 0;
    private readonly object _gate = new();
    private readonly ushort[] _csr = new ushort[CsrCount];
    private readonly ushort[] _bcr = new ushort[BcrCount];
    private readonly byte[] _aprom = new byte[16];
    private int _rap;
    private bool _linkUp;
    private int _rxIndex;
    private int _txIndex;
    private int _rxCount;
    private int _txCount;
    private long _framesSent;
    private long _framesReceived;
    private long _framesMissed;

    /// <summary>Creates a powered-on NIC (H_RESET state).</summary>
    /// <param name="engine">The host's engine: the dispatcher the interrupt deliveries run on.</param>
    /// <param name="addressMap">The host's address map; the chip's 32-bit DMA addresses are resolved through it, so it
    /// must hand out physical addresses below 4 GiB (create it with a first physical address below that).</param>
    /// <param name="options">The NIC's build; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> or <paramref name="addressMap"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public Pcnet(TimerEngine engine, HostAddressMap addressMap, PcnetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(addressMap);
        Options = options ?? new PcnetOptions();
        Options.Validate();
        AddressMap = addressMap;
        Interrupt = new LineInterrupt(engine);
        PciConfiguration = BuildPciConfiguration(Options);
        Bars = [new PciBar(IoBarIndex, Options.IoBase, IoLength, IsIoSpace: true, 0)];
        _linkUp = Options.LinkUp;
        Options.MacAddress.CopyTo(_aprom, 0);
        _aprom[14] = 0x57; // 'W' 'W': the PROM signature the data sheet's boot software checks
        _aprom[15] = 0x57;
        PciConfiguration.Written += (_, _) =>
        {
            lock (_gate)
            {
                UpdateInterrupt();
            }
        };
        lock (_gate)
        {
            HardwareReset();
        }
    }

    /// <summary>The NIC's build.</summary>
    public PcnetOptions Options { get; }

    /// <inheritdoc/>
    public PciConfigurationSpace PciConfiguration { get; }

    /// <inheritdoc/>
    public LineInterrupt Interrupt { get; }

    /// <inheritdoc/>
    public HostAddressMap AddressMap { get; }

    /// <summary>BAR0: 32 bytes of I/O space at <see cref="PcnetOptions.IoBase"/> (BAR1, the memory-mapped alias, is not implemented and reads 0).</summary>
    public IReadOnlyList<PciBar> Bars { get; }

    /// <summary>The hub the NIC is attached to, if any.</summary>
    public PcnetHub? Hub { get; internal set; }

    /// <summary>True while the cable is plugged in.</summary>
    public bool LinkUp
    {
        get
        {
            lock (_gate)
            {
                return _linkUp;
            }
        }
    }

    /// <summary>Frames transmitted onto the wire (link up).</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Frames accepted by the address filter and written into a receive buffer.</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>Frames accepted by the address filter but dropped for want of a receive descriptor (MISS).</summary>
    public long FramesMissed => Interlocked.Read(ref _framesMissed);

    /// <summary>Raised after each frame is transmitted, with its bytes (without FCS), outside the NIC's lock.</summary>
    public event Action<Pcnet, byte[]>? FrameTransmitted;

    /// <summary>Plugs (true) or unplugs (false) the cable: BCR4-7's link signals follow at once.</summary>
    public void SetLink(bool up)
    {
        lock (_gate)
        {
            _linkUp = up;
        }
    }

    /// <summary>A CSR's current value (for tests and reports; no side effect).</summary>
    public ushort ReadCsr(int number)
    {
        lock (_gate)
        {
            return CsrValue(number);
        }
    }

    /// <summary>A BCR's current value (for tests and reports; no side effect).</summary>
    public ushort ReadBcr(int number)
    {
        lock (_gate)
        {
            return BcrValue(number);
        }
    }

    /// <inheritdoc/>
    public uint ReadBar(int barIndex, long offset, int width)
    {
        CheckAccess(barIndex, offset, width);
        lock (_gate)
        {
            return ReadPort((int)offset, width);
        }
    }

    /// <inheritdoc/>
    public void WriteBar(int barIndex, long offset, int width, uint value)
    {
        CheckAccess(barIndex, offset, width);
        List<byte[]>? sent;
        lock (_gate)
        {
            sent = WritePort((int)offset, width, value);
        }

        if (sent is null)
        {
            return;
        }

        foreach (var frame in sent)
        {
            FrameTransmitted?.Invoke(this, frame);
            Hub?.Repeat(this, frame);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // I/O resources ("Software Access: I/O Resources")
    // ------------------------------------------------------------------------------------------------------------

    private bool Dwio => (_bcr[BCR18] & BCR18_DWIO) != 0;

    private uint ReadPort(int offset, int width)
    {
        if (offset < Rdp)
        {
            // The APROM reads in bytes, words or double words in either mode.
            uint v = 0;
            for (var i = 0; i < width; i++)
            {
                v |= (uint)_aprom[offset + i] << (8 * i);
            }

            return v;
        }

        if (Dwio ? width != 4 : width != 2)
        {
            return width == 4 ? 0xFFFF_FFFF : 0xFFFFu >> (16 - (8 * width)) & 0xFFFF; // the wrong width is not decoded: the bus floats
        }

        var rap = Dwio ? Rap32 : Rap16;
        var reset = Dwio ? Reset32 : Reset16;
        var bdp = Dwio ? Bdp32 : Bdp16;
        if (offset == Rdp)
        {
            return CsrValue(_rap);
        }

        if (offset == rap)
        {
            return (uint)_rap;
        }

        if (offset == reset)
        {
            SoftwareReset(); // "Reset Register: a read access to this register performs S_RESET"
            return 0;
        }

        if (offset == bdp)
        {
            return BcrValue(_rap);
        }

        return 0;
    }

    private List<byte[]>? WritePort(int offset, int width, uint value)
    {
        if (offset < Rdp)
        {
            if ((_bcr[BCR2] & BCR2_APROMWE) != 0)
            {
                for (var i = 0; i < width; i++)
                {
                    _aprom[offset + i] = unchecked((byte)(value >> (8 * i)));
                }
            }

            return null;
        }

        if (!Dwio && width == 4 && offset == Rdp)
        {
            _bcr[BCR18] |= BCR18_DWIO; // "DWIO is set by a double-word write to offset 10h"
        }
        else if (Dwio ? width != 4 : width != 2)
        {
            return null;
        }

        var rap = Dwio ? Rap32 : Rap16;
        var bdp = Dwio ? Bdp32 : Bdp16;
        if (offset == Rdp)
        {
            return WriteCsr(_rap, unchecked((ushort)value));
        }

        if (offset == rap)
        {
            _rap = (int)(value & 0x7F);
        }
        else if (offset == bdp)
        {
            WriteBcr(_rap, unchecked((ushort)value));
        }

        return null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Control and status registers ("Control and Status Registers")
    // ------------------------------------------------------------------------------------------------------------

    private ushort CsrValue(int number) => number switch
    {
        0 => Csr0(),
        CSR88 => 0x1003, // chip ID 2621003h: part number 2621h, manufacturer ID 001h, bit 0 set
        CSR89 => 0x0262,
        _ => _csr[number & 0x7F],
    };

    private ushort Csr0()
    {
        var csr0 = _csr[0];
        var intr = ((csr0 & CSR0_IDON) != 0 && (_csr[CSR3] & CSR3_IDONM) == 0)
            || ((csr0 & CSR0_TINT) != 0 && (_csr[CSR3] & CSR3_TINTM) == 0)
            || ((csr0 & CSR0_RINT) != 0 && (_csr[CSR3] & CSR3_RINTM) == 0)
            || ((csr0 & CSR0_MERR) != 0 && (_csr[CSR3] & CSR3_MERRM) == 0)
            || ((csr0 & CSR0_MISS) != 0 && (_csr[CSR3] & CSR3_MISSM) == 0)
            || (csr0 & CSR0_BABL) != 0;
        var err = (csr0 & (CSR0_BABL | CSR0_CERR | CSR0_MISS | CSR0_MERR)) != 0;
        return (ushort)((csr0 & ~(CSR0_INTR | CSR0_ERR)) | (intr ? CSR0_INTR : 0) | (err ? CSR0_ERR : 0));
    }

    private List<byte[]>? WriteCsr(int number, ushort value)
    {
        List<byte[]>? sent = null;
        switch (number)
        {
            case 0:
                sent = WriteCsr0(value);
                break;
            case CSR58:
                WriteSoftwareStyle(value);
                break;
            case CSR6:
            case CSR88:
            case CSR89:
                break; // read-only
            default:
                _csr[number] = value;
                break;
        }

        UpdateInterrupt();
        return sent;
    }

    /// <summary>CSR0 ("CSR0: PCnet-PCI II Controller Status Register"): STOP first, then INIT, STRT, TDMD.</summary>
    private List<byte[]>? WriteCsr0(ushort value)
    {
        var csr0 = _csr[0];
        csr0 &= unchecked((ushort)~(value & CSR0_W1C));
        csr0 = (ushort)((csr0 & ~CSR0_IENA) | (value & CSR0_IENA));
        if ((value & CSR0_STOP) != 0)
        {
            // STOP: all activity stops and every other CSR0 bit is cleared; the rings are reloaded by the next INIT.
            _csr[0] = CSR0_STOP;
            return null;
        }

        _csr[0] = csr0;
        if ((value & CSR0_INIT) != 0 && (csr0 & CSR0_INIT) == 0)
        {
            Initialize();
        }

        if ((value & CSR0_STRT) != 0 && (_csr[0] & CSR0_STRT) == 0)
        {
            var mode = _csr[CSR15];
            _csr[0] = (ushort)((_csr[0] & ~CSR0_STOP) | CSR0_STRT | ((mode & CSR15_DTX) == 0 ? CSR0_TXON : 0) | ((mode & CSR15_DRX) == 0 ? CSR0_RXON : 0));
        }

        if ((value & CSR0_TDMD) != 0 && (_csr[0] & CSR0_TXON) != 0)
        {
            return Transmit();
        }

        return null;
    }

    /// <summary>CSR58 / BCR20 ("Software Style"): SSIZE32 and CSRPCNET follow SWSTYLE.</summary>
    private void WriteSoftwareStyle(ushort value)
    {
        var style = value & 0xFF;
        var bits = style switch
        {
            0 => 0,
            1 => CSR58_SSIZE32,
            2 or 3 => CSR58_SSIZE32 | CSR58_CSRPCNET,
            _ => CSR58_SSIZE32 | CSR58_CSRPCNET,
        };
        _csr[CSR58] = (ushort)(style | bits | (value & 0x0400));
        _bcr[BCR20] = _csr[CSR58];
    }

    /// <summary>INIT ("Initialization Block"): reads the 28-byte block at IADR (CSR2:CSR1) and sets IDON.</summary>
    private void Initialize()
    {
        _csr[0] = (ushort)((_csr[0] & ~CSR0_STOP) | CSR0_INIT | CSR0_IDON);
        var style = _csr[CSR58] & CSR58_SWSTYLE;
        var address = (ulong)_csr[CSR1] | ((ulong)_csr[CSR2] << 16);
        if (style != 2 || !AddressMap.TryGetSpan(address, InitBlockLength, out var block))
        {
            _csr[0] |= CSR0_MERR;
            _rxCount = _txCount = 0;
            return;
        }

        var mode = BinaryPrimitives.ReadUInt16LittleEndian(block);
        var rlen = (block[2] >> 4) & 0x0F;
        var tlen = (block[3] >> 4) & 0x0F;
        _csr[CSR15] = mode;
        for (var i = 0; i < 3; i++)
        {
            _csr[CSR12 + i] = BinaryPrimitives.ReadUInt16LittleEndian(block[(4 + (2 * i))..]);
        }

        for (var i = 0; i < 4; i++)
        {
            _csr[CSR8 + i] = BinaryPrimitives.ReadUInt16LittleEndian(block[(12 + (2 * i))..]);
        }

        var rdra = BinaryPrimitives.ReadUInt32LittleEndian(block[20..]);
        var tdra = BinaryPrimitives.ReadUInt32LittleEndian(block[24..]);
        _csr[CSR24] = unchecked((ushort)rdra);
        _csr[CSR24 + 1] = (ushort)(rdra >> 16);
        _csr[CSR30] = unchecked((ushort)tdra);
        _csr[CSR30 + 1] = (ushort)(tdra >> 16);
        _rxCount = 1 << Math.Min(rlen, 9); // encoded lengths above 9 mean 512
        _txCount = 1 << Math.Min(tlen, 9);
        _csr[CSR76] = unchecked((ushort)-_rxCount);
        _csr[CSR78] = unchecked((ushort)-_txCount);
        _csr[CSR6] = (ushort)((tlen << 12) | (rlen << 8));
        _rxIndex = _txIndex = 0;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Bus configuration registers ("Bus Configuration Registers")
    // ------------------------------------------------------------------------------------------------------------

    private ushort BcrValue(int number)
    {
        number &= BcrCount - 1;
        return number switch
        {
            BCR4 or BCR5 or BCR6 or BCR7 => LedRegister(_bcr[number]),
            _ => _bcr[number],
        };
    }

    /// <summary>BCR4-7 ("LED Status"): LEDOUT is the OR of the enabled status signals (only link, full-duplex link and 100 Mb/s can be true here).</summary>
    private ushort LedRegister(ushort value)
    {
        var fullDuplex = _linkUp && Options.FullDuplexPartner && (_bcr[BCR9] & BCR9_FDEN) != 0;
        var on = ((value & LED_LNKSTE) != 0 && _linkUp) || ((value & LED_FDLSE) != 0 && fullDuplex);
        return (ushort)((value & ~LED_LEDOUT) | (on ? LED_LEDOUT : 0));
    }

    private void WriteBcr(int number, ushort value)
    {
        number &= BcrCount - 1;
        switch (number)
        {
            case 0:
            case 1:
            case 16:
            case 17:
                break; // read-only (MSRDA, MSWRA; the I/O base is BAR0's)
            case BCR18:
                _bcr[BCR18] = (ushort)((value & ~BCR18_DWIO) | (_bcr[BCR18] & BCR18_DWIO));
                break;
            case BCR20:
                WriteSoftwareStyle(value);
                break;
            default:
                _bcr[number] = value;
                break;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Resets ("H_RESET", "S_RESET", "STOP")
    // ------------------------------------------------------------------------------------------------------------

    private void HardwareReset()
    {
        Array.Clear(_bcr);
        _bcr[0] = 0x0005;
        _bcr[1] = 0x0005;
        _bcr[BCR2] = 0x0002;
        _bcr[BCR4] = 0x00C0;
        _bcr[BCR5] = 0x0084;
        _bcr[BCR6] = 0x0088;
        _bcr[BCR7] = 0x0090;
        _bcr[BCR18] = 0x9001;
        _bcr[22] = 0xFF06;
        SoftwareReset();
    }

    private void SoftwareReset()
    {
        Array.Clear(_csr);
        _csr[0] = CSR0_STOP;
        _csr[CSR4] = CSR4_Reset;
        _bcr[BCR18] &= unchecked((ushort)~BCR18_DWIO);
        _bcr[BCR20] = 0;
        _rap = 0;
        _rxCount = _txCount = 0;
        _rxIndex = _txIndex = 0;
        UpdateInterrupt();
    }

    // ------------------------------------------------------------------------------------------------------------
    // Transmit and receive ("Transmit Descriptor Table Entry", "Receive Descriptor Table Entry")
    // ------------------------------------------------------------------------------------------------------------

    private ulong TxRing => (ulong)_csr[CSR30] | ((ulong)_csr[CSR30 + 1] << 16);

    private ulong RxRing => (ulong)_csr[CSR24] | ((ulong)_csr[CSR24 + 1] << 16);

    /// <summary>Sends every frame whose descriptors the chip owns, from the current index on; gives each descriptor back and sets TINT.</summary>
    private List<byte[]>? Transmit()
    {
        List<byte[]>? sent = null;
        var frame = new List<byte>();
        for (var scanned = 0; _txCount > 0 && scanned < _txCount; scanned++)
        {
            if (!AddressMap.TryGetSpan(TxRing + (ulong)(_txIndex * DescriptorLength), DescriptorLength, out var tmd))
            {
                _csr[0] |= CSR0_MERR;
                break;
            }

            var tmd1 = BinaryPrimitives.ReadUInt32LittleEndian(tmd[4..]);
            if ((tmd1 & MD1_OWN) == 0)
            {
                break;
            }

            var length = BufferLength(tmd1);
            var address = BinaryPrimitives.ReadUInt32LittleEndian(tmd);
            if (!AddressMap.TryGetSpan(address, length, out var buffer))
            {
                _csr[0] |= CSR0_MERR;
                break;
            }

            if ((tmd1 & MD1_STP) != 0)
            {
                frame.Clear();
            }

            frame.AddRange(buffer);
            uint tmd2 = 0;
            if ((tmd1 & MD1_ENP) != 0)
            {
                if (_linkUp)
                {
                    var bytes = frame.ToArray();
                    if ((_csr[CSR4] & CSR4_APAD_XMT) != 0 && bytes.Length < 60)
                    {
                        Array.Resize(ref bytes, 60); // auto pad: 64 bytes on the wire with the FCS
                    }

                    (sent ??= []).Add(bytes);
                    Interlocked.Increment(ref _framesSent);
                }
                else
                {
                    tmd2 = TMD2_LCAR;
                }
            }

            BinaryPrimitives.WriteUInt32LittleEndian(tmd[8..], tmd2);
            BinaryPrimitives.WriteUInt32LittleEndian(tmd[4..], (tmd1 & ~(MD1_OWN | MD1_ERR)) | (tmd2 != 0 ? MD1_ERR : 0));
            _csr[0] |= CSR0_TINT;
            _txIndex = (_txIndex + 1) % _txCount;
        }

        return sent;
    }

    /// <summary>The hub delivers a frame (without FCS): accepted by the address filter, it is written with its FCS into the receive ring.</summary>
    internal void Receive(byte[] frame)
    {
        lock (_gate)
        {
            if (!_linkUp || (_csr[0] & CSR0_RXON) == 0 || _rxCount == 0 || frame.Length < 14)
            {
                return;
            }

            var match = AddressMatch(frame);
            if (match == 0)
            {
                return;
            }

            var fcs = ~Crc(frame);
            var data = new byte[frame.Length + 4];
            frame.CopyTo(data, 0);
            BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(frame.Length), fcs);
            WriteReceive(data, match);
            UpdateInterrupt();
        }
    }

    private void WriteReceive(byte[] data, uint match)
    {
        var written = 0;
        var first = true;
        for (var used = 0; used < _rxCount; used++)
        {
            if (!AddressMap.TryGetSpan(RxRing + (ulong)(_rxIndex * DescriptorLength), DescriptorLength, out var rmd))
            {
                _csr[0] |= CSR0_MERR;
                return;
            }

            var rmd1 = BinaryPrimitives.ReadUInt32LittleEndian(rmd[4..]);
            if ((rmd1 & MD1_OWN) == 0)
            {
                if (first)
                {
                    _csr[0] |= CSR0_MISS;
                    Interlocked.Increment(ref _framesMissed);
                }

                return;
            }

            var length = BufferLength(rmd1);
            var address = BinaryPrimitives.ReadUInt32LittleEndian(rmd);
            var chunk = Math.Min(length, data.Length - written);
            if (!AddressMap.TryGetSpan(address, chunk, out var buffer))
            {
                _csr[0] |= CSR0_MERR;
                return;
            }

            data.AsSpan(written, chunk).CopyTo(buffer);
            written += chunk;
            var last = written == data.Length;
            var flags = (first ? MD1_STP : 0) | (last ? MD1_ENP | match : 0);
            BinaryPrimitives.WriteUInt32LittleEndian(rmd[8..], last ? (uint)data.Length & 0x0FFF : 0); // RMD2.MCNT: the message byte count, FCS included
            BinaryPrimitives.WriteUInt32LittleEndian(rmd[4..], (rmd1 & 0x0000_FFFF) | flags);
            _rxIndex = (_rxIndex + 1) % _rxCount;
            first = false;
            if (last)
            {
                _csr[0] |= CSR0_RINT;
                Interlocked.Increment(ref _framesReceived);
                return;
            }
        }
    }

    /// <summary>The address filter ("Receive Address Match"): physical, broadcast, logical (multicast hash) or promiscuous; the RMD1 match bit, or 0 to drop.</summary>
    private uint AddressMatch(byte[] frame)
    {
        var mode = _csr[CSR15];
        var destination = frame.AsSpan(0, 6);
        if ((mode & CSR15_PROM) != 0)
        {
            return RMD1_PAM;
        }

        if (destination.SequenceEqual((ReadOnlySpan<byte>)[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]))
        {
            return (mode & CSR15_DRCVBC) == 0 ? RMD1_BAM : 0;
        }

        if ((destination[0] & 1) != 0)
        {
            var bit = (int)(Crc(destination) >> 26); // "Logical Address Filter": the CRC register's high 6 bits select one of 64

            return (_csr[CSR8 + (bit >> 4)] & (1 << (bit & 15))) != 0 ? RMD1_LAFM : 0;
        }

        Span<byte> padr = stackalloc byte[6];
        for (var i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(padr[(2 * i)..], _csr[CSR12 + i]);
        }

        return (mode & CSR15_DRCVPA) == 0 && destination.SequenceEqual(padr) ? RMD1_PAM : 0;
    }

    /// <summary>The Ethernet CRC-32 register (polynomial EDB88320h, bit-reflected, preset to all ones) after <paramref name="bytes"/>; the FCS is its complement.</summary>
    private static uint Crc(ReadOnlySpan<byte> bytes)
    {
        var crc = 0xFFFF_FFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc >> 1) ^ ((crc & 1) * 0xEDB8_8320u);
            }
        }

        return crc;
    }

    /// <summary>BCNT (RMD1/TMD1 bits 11:0): the buffer's length as a 12-bit two's complement (0 means 4096).</summary>
    private static int BufferLength(uint md1)
    {
        var bcnt = (int)(md1 & 0x0FFF);
        return bcnt == 0 ? 4096 : 4096 - bcnt;
    }

    /// <summary>INTA is driven while IENA and INTR are set and the PCI Command register's Interrupt Disable is clear.</summary>
    private void UpdateInterrupt()
    {
        var pending = (_csr[0] & CSR0_IENA) != 0 && (Csr0() & CSR0_INTR) != 0;
        PciConfiguration.SetReadOnlyBits16(PciConfigurationSpace.StatusOffset, PciConfigurationSpace.StatusInterruptStatus, pending ? PciConfigurationSpace.StatusInterruptStatus : (ushort)0);
        Interrupt.SetLevel(pending && !PciConfiguration.InterruptDisable);
    }

    private static void CheckAccess(int barIndex, long offset, int width)
    {
        if (barIndex != IoBarIndex)
        {
            throw new ArgumentOutOfRangeException(nameof(barIndex), barIndex, "The PCnet implements BAR0 (I/O) only.");
        }

        if (width is not (1 or 2 or 4) || offset < 0 || offset > IoLength - width || offset % width != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"A {width}-byte access needs an aligned offset below 0x{IoLength:X}.");
        }
    }

    /// <summary>
    /// The PCI header ("PCI Configuration Registers"): vendor 1022h, device 2000h, class 02/00/00, BAR0 = 32 bytes of I/O
    /// (bit 0 reads 1), INTA#, MIN_GNT 06h, MAX_LAT FFh. The Command register starts with I/O space and bus master
    /// enabled, as the PCI bus driver leaves it.
    /// </summary>
    private static PciConfigurationSpace BuildPciConfiguration(PcnetOptions options)
    =>
        new PciHeaderBuilder(vendorId: 0x1022, deviceId: 0x2000, revisionId: 0x10, baseClass: 0x02, subClass: 0x00, progIf: 0x00) // network controller
            .Command(0x0001 | PciConfigurationSpace.CommandBusMasterEnable, 0x0001 | PciConfigurationSpace.CommandMemorySpaceEnable
                | PciConfigurationSpace.CommandBusMasterEnable | (1 << 6) | (1 << 8) | PciConfigurationSpace.CommandInterruptDisable)
            .Status(0x0280) // fast back-to-back capable, DEVSEL medium
            .WritableCacheLineAndLatency(cacheLineSize: false)
            .Bar32(0, (uint)options.IoBase | 1, IoLength)
            .InterruptA(options.InterruptLine)
            .Byte(0x3E, 0x06) // MIN_GNT
            .Byte(0x3F, 0xFF) // MAX_LAT
            .Build();
}
