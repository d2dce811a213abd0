using System.Buffers.Binary;
using System.Runtime.InteropServices;
using MiniportTimers.Devices.Interrupts;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Pci;
using MiniportTimers.Engine;
using static MiniportTimers.Devices.Ahci.AhciRegisters;

namespace MiniportTimers.Devices.Ahci;

/// <summary>
/// An AHCI 1.3 host bus adapter (Serial ATA AHCI 1.3.1) as drivers drive it: a PCI function of class 01/06/01 whose
/// BAR5 (ABAR) holds the register space; ports with command lists, received-FIS areas and PRDTs in host memory,
/// reached through the host's <see cref="HostAddressMap"/>; and a level-triggered line interrupt. SATA disks
/// (<see cref="Sata.SataDisk"/>) attach to its ports. Its own delays (link up, spin-up, command latency) are timers on
/// the host's engine, so it runs on a virtual clock as deterministically as the driver does.
/// </summary>
/// <remarks>
/// <para>Registers are memory: <see cref="RegisterBase"/> points at the 8 KiB register space, kept current, so a driver
/// may read a register straight from memory (storahci's <c>Px-&gt;CMD.HPCP</c>) or through
/// <see cref="ReadRegister32"/>; both see the same value. Writes go through <see cref="WriteRegister32"/>, where each
/// register's handler applies the specification's rules (a store to the memory directly is not seen by the model and
/// may be overwritten). Reserved registers and registers of features the HBA does not report read 0 and ignore
/// writes, as reserved registers do.</para>
/// <para>What a driver polls with a stall loop happens within the register write (GHC.HR clearing, PxCMD.CR/FR
/// following ST/FRE, CLO, a link with no configured delay coming up): on a virtual clock a stall moves the clock
/// without firing timers. What a driver waits for with timers (a disk spinning up, a command's latency, a configured
/// link delay) is an engine timer.</para>
/// <para>Thread safety: every public member is thread-safe. Register writes and the HBA's own events are serialized by
/// one lock per HBA; register reads are lock-free (aligned 32-bit loads). The interrupt handler is called on the
/// engine's dispatcher without that lock held (<see cref="LineInterrupt"/>).</para>
/// </remarks>
public sealed class AhciHba : IPciDevice
{
    private const ushort PciCommandWritable = PciConfigurationSpace.CommandMemorySpaceEnable | PciConfigurationSpace.CommandBusMasterEnable
        | (1 << 6) | (1 << 8) | PciConfigurationSpace.CommandInterruptDisable; // plus Parity Error Response (6) and SERR# Enable (8)

    private const int PowerManagementCapability = 0x80;

    private readonly uint[] _registers;
    private readonly AhciPort[] _ports;
    private readonly uint _portsImplemented;
    private long _hbaResets;

    /// <summary>Creates a powered-on HBA with no disks attached (attach them with <see cref="AhciPort.Attach"/>).</summary>
    /// <param name="engine">The host's engine: the HBA's clock and the dispatcher its timers and interrupt deliveries run on.</param>
    /// <param name="addressMap">The host's address map, through which the HBA resolves every physical address a driver gives it.</param>
    /// <param name="options">The HBA's build; null for the defaults (4 ports, 32 slots, no staggered spin-up).</param>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> or <paramref name="addressMap"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public AhciHba(TimerEngine engine, HostAddressMap addressMap, AhciHbaOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(addressMap);
        Options = options ?? new AhciHbaOptions();
        Options.Validate();
        Engine = engine;
        AddressMap = addressMap;

        // The register space lives on the pinned object heap: its address is stable for the HBA's life, so native code can read it.
        _registers = GC.AllocateArray<uint>(RegisterSpaceLength / sizeof(uint), pinned: true);
        RegisterBase = Marshal.UnsafeAddrOfPinnedArrayElement(_registers, 0);
        Bars = [new PciBar(5, Options.AbarAddress, RegisterSpaceLength, IsIoSpace: false, RegisterBase)];

        _portsImplemented = Options.PortCount == 32 ? uint.MaxValue : (1u << Options.PortCount) - 1;
        Capabilities = CAP_S64A | CAP_SSNTF | (Options.StaggeredSpinUp ? CAP_SSS : 0) | CAP_SALP | CAP_SCLO | (3u << CAP_ISS_Shift) | CAP_SAM
            | CAP_SSC | CAP_PSC | ((uint)(Options.CommandSlots - 1) << CAP_NCS_Shift) | (uint)(Options.PortCount - 1);
        Interrupt = new LineInterrupt(engine);
        PciConfiguration = BuildPciConfiguration(Options);
        PciConfiguration.Written += (_, _) =>
        {
            lock (Gate)
            {
                UpdateInterrupt();
            }
        };

        _ports = new AhciPort[Options.PortCount];
        for (var i = 0; i < _ports.Length; i++)
        {
            _ports[i] = new AhciPort(this, i);
        }

        lock (Gate)
        {
            Set(CAP, Capabilities);
            Set(PI, _portsImplemented);
            Set(VS, VS_1_3);
            Set(CAP2, 0); // §3.1.10: no BIOS handoff, NVMHCI, automatic Partial-to-Slumber, DevSleep
            Set(GHC, GHC_AE); // CAP.SAM: AE is read-only 1
            foreach (var port in _ports)
            {
                port.Reset(powerOn: true);
            }

            UpdateInterrupt();
        }
    }

    /// <summary>The HBA's build.</summary>
    public AhciHbaOptions Options { get; }

    /// <summary>The host's engine: the HBA's clock.</summary>
    public TimerEngine Engine { get; }

    /// <summary>The host's address map the HBA resolves physical addresses through.</summary>
    public HostAddressMap AddressMap { get; }

    /// <summary>The HBA's PCI configuration space (class 01/06/01, BAR5 = ABAR), read and written by offset as GetBusData and SetBusDataByOffset do.</summary>
    public PciConfigurationSpace PciConfiguration { get; }

    /// <summary>The HBA's INTx line; connect the host's handler with <see cref="LineInterrupt.Connect"/>.</summary>
    public LineInterrupt Interrupt { get; }

    /// <summary>
    /// The host address of the register space (<see cref="RegisterSpaceLength"/> bytes, 4-byte aligned, stable for the
    /// HBA's life): what GetDeviceBase returns for ABAR. Readable from managed and native code; write only through
    /// <see cref="WriteRegister32"/>.
    /// </summary>
    public nint RegisterBase { get; }

    /// <summary>BAR5 (ABAR): 8 KiB of memory space at <see cref="AhciHbaOptions.AbarAddress"/>, its registers kept current at <see cref="RegisterBase"/>.</summary>
    public IReadOnlyList<PciBar> Bars { get; }

    /// <inheritdoc/>
    /// <remarks>Only BAR5 (ABAR) is implemented; reads are <see cref="ReadRegister32"/>, <see cref="ReadRegister16"/> and <see cref="ReadRegister8"/>.</remarks>
    public uint ReadBar(int barIndex, long offset, int width)
    {
        var at = AbarOffset(barIndex, offset);
        return width switch
        {
            4 => ReadRegister32(at),
            2 => ReadRegister16(at),
            1 => ReadRegister8(at),
            _ => throw new ArgumentOutOfRangeException(nameof(width), width, "A register access is 1, 2 or 4 bytes."),
        };
    }

    /// <inheritdoc/>
    /// <remarks>
    /// AHCI registers are written a dword at a time (§3: "registers ... accessed with 32-bit accesses"); a 1- or 2-byte
    /// write is applied as a write of the whole dword with the other bytes as they read now, so write-1-to-clear bits
    /// in the other bytes are written as 0 and keep their value.
    /// </remarks>
    public void WriteBar(int barIndex, long offset, int width, uint value)
    {
        var at = AbarOffset(barIndex, offset);
        switch (width)
        {
            case 4:
                WriteRegister32(at, value);
                break;
            case 2 or 1:
                CheckOffset(at, width);
                var write = SubDwordWrite.At(at, width, value);
                var others = ReadRegister32(write.DwordOffset) & ~write.Mask & ~WriteOneToClearMask(write.DwordOffset);
                WriteRegister32(write.DwordOffset, others | write.Bits);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(width), width, "A register access is 1, 2 or 4 bytes.");
        }
    }

    /// <summary>The implemented ports, by port number.</summary>
    public IReadOnlyList<AhciPort> Ports => _ports;

    /// <summary>CAP as the HBA reports it (§3.1.1).</summary>
    public uint Capabilities { get; }

    /// <summary>How many times software reset the HBA with GHC.HR.</summary>
    public long HbaResetCount => Interlocked.Read(ref _hbaResets);

    /// <summary>The lock that serializes register writes and the HBA's events.</summary>
    internal object Gate { get; } = new();

    /// <summary>Reads the 32-bit register at <paramref name="offset"/> from ABAR (what StorPortReadRegisterUlong reads).</summary>
    /// <param name="offset">A multiple of 4 below <see cref="AhciRegisters.RegisterSpaceLength"/>.</param>
    /// <returns>The register's current value (0 for a reserved or unimplemented register).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is not a multiple of 4 or is outside the register space.</exception>
    public uint ReadRegister32(int offset)
    {
        CheckOffset(offset, sizeof(uint));
        return Volatile.Read(ref _registers[offset / sizeof(uint)]);
    }

    /// <summary>Reads the 16-bit value at <paramref name="offset"/> from ABAR (what StorPortReadRegisterUshort reads).</summary>
    /// <param name="offset">A multiple of 2 below <see cref="AhciRegisters.RegisterSpaceLength"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is not a multiple of 2 or is outside the register space.</exception>
    public ushort ReadRegister16(int offset)
    {
        CheckOffset(offset, sizeof(ushort));
        var dword = Volatile.Read(ref _registers[offset / sizeof(uint)]);
        return (ushort)((dword >> (8 * (offset % sizeof(uint)))) & 0xFFFF);
    }

    /// <summary>Reads the byte at <paramref name="offset"/> from ABAR (what StorPortReadRegisterUchar reads).</summary>
    /// <param name="offset">Below <see cref="AhciRegisters.RegisterSpaceLength"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is outside the register space.</exception>
    public byte ReadRegister8(int offset)
    {
        CheckOffset(offset, sizeof(byte));
        var dword = Volatile.Read(ref _registers[offset / sizeof(uint)]);
        return (byte)((dword >> (8 * (offset % sizeof(uint)))) & 0xFF);
    }

    /// <summary>
    /// Writes the 32-bit register at <paramref name="offset"/> from ABAR (what StorPortWriteRegisterUlong writes): the
    /// register's handler applies the write (read-only bits keep their value, write-1-to-clear bits clear, side effects
    /// such as an HBA reset, a COMRESET or a command issue happen), and the register space is updated before this
    /// returns. AHCI registers are written a dword at a time.
    /// </summary>
    /// <param name="offset">A multiple of 4 below <see cref="AhciRegisters.RegisterSpaceLength"/>.</param>
    /// <param name="value">The value written.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is not a multiple of 4 or is outside the register space.</exception>
    public void WriteRegister32(int offset, uint value)
    {
        CheckOffset(offset, sizeof(uint));
        lock (Gate)
        {
            if (offset < PortRegistersBase)
            {
                WriteGenericHostControl(offset, value);
            }
            else
            {
                var port = (offset - PortRegistersBase) / PortRegistersStride;
                if (port < _ports.Length)
                {
                    _ports[port].WriteRegister(offset % PortRegistersStride, value);
                }

                // Ports not implemented (PI bit 0): their register blocks are reserved; the write is ignored.
            }

            UpdateInterrupt();
        }
    }

    /// <summary>A register's value, under the lock.</summary>
    internal uint Get(int offset) => _registers[offset / sizeof(uint)];

    /// <summary>Publishes a register's new value to the register space (readers see it at once).</summary>
    internal void Set(int offset, uint value) => Volatile.Write(ref _registers[offset / sizeof(uint)], value);

    /// <summary>
    /// Under the lock, after anything that may change an interrupt condition: IS.IPS[x] is set for every port with an
    /// enabled status bit (PxIS &amp; PxIE), and the line is asserted while GHC.IE is set, IS is not 0 and the PCI
    /// Command register's Interrupt Disable is clear (§3.1.3, §3.3.5).
    /// </summary>
    internal void UpdateInterrupt()
    {
        var interruptStatus = Get(IS);
        foreach (var port in _ports)
        {
            if (port.InterruptPending)
            {
                interruptStatus |= 1u << port.Number;
            }
        }

        Set(IS, interruptStatus);
        var pending = interruptStatus != 0 && (Get(GHC) & GHC_IE) != 0;
        PciConfiguration.SetReadOnlyBits16(PciConfigurationSpace.StatusOffset, PciConfigurationSpace.StatusInterruptStatus, pending ? PciConfigurationSpace.StatusInterruptStatus : (ushort)0);
        Interrupt.SetLevel(pending && !PciConfiguration.InterruptDisable);
    }

    /// <summary>§3.1: the generic host control registers.</summary>
    private void WriteGenericHostControl(int offset, uint value)
    {
        switch (offset)
        {
            case GHC:
                // §3.1.2: HR resets the HBA (§10.4.3) and reads 0 once the reset is done, which here is before the write returns.
                // AE is read-only 1 (CAP.SAM); IE is read/write; MRSM is read-only 0 (no MSI).
                if ((value & GHC_HR) != 0)
                {
                    ResetHba();
                }
                else
                {
                    Set(GHC, GHC_AE | (value & GHC_IE));
                }

                break;

            case IS:
                // §3.1.3: IPS bits are write-1-to-clear; a port whose enabled status is still set sets its bit again (UpdateInterrupt).
                Set(IS, Get(IS) & ~(value & _portsImplemented));
                break;

            default:
                // CAP (§3.1.1), PI (§3.1.4), VS (§3.1.5) and CAP2 (§3.1.10) are read-only. CCC_CTL, CCC_PORTS (§3.1.6-7), EM_LOC,
                // EM_CTL (§3.1.8-9) and BOHC (§3.1.11) belong to features CAP/CAP2 do not report, and 2Ch-FFh is reserved or
                // vendor specific: all read 0 and ignore writes.
                break;
        }
    }

    /// <summary>
    /// §10.4.3 HBA reset: GHC.IE and IS clear, and every port's registers except PxCLB, PxCLBU, PxFB, PxFBU and the
    /// HwInit fields return to their reset values; without staggered spin-up each port then sends a COMRESET.
    /// </summary>
    private void ResetHba()
    {
        Interlocked.Increment(ref _hbaResets);
        Set(GHC, GHC_AE);
        Set(IS, 0);
        foreach (var port in _ports)
        {
            port.Reset(powerOn: false);
        }
    }

    private static int AbarOffset(int barIndex, long offset)
    {
        if (barIndex != 5)
        {
            throw new ArgumentOutOfRangeException(nameof(barIndex), barIndex, "The AHCI HBA implements BAR5 (ABAR) only.");
        }

        if (offset < 0 || offset >= RegisterSpaceLength)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"ABAR is 0x{RegisterSpaceLength:X} bytes.");
        }

        return (int)offset;
    }

    /// <summary>The write-1-to-clear bits of the dword at <paramref name="offset"/>: IS (§3.1.3), PxIS (§3.3.5), PxSERR (§3.3.12) and PxSNTF (§3.3.16).</summary>
    private static uint WriteOneToClearMask(int offset)
    {
        if (offset == IS)
        {
            return uint.MaxValue;
        }

        if (offset < PortRegistersBase)
        {
            return 0;
        }

        return (offset % PortRegistersStride) switch
        {
            PxIS or PxSERR or PxSNTF => uint.MaxValue,
            _ => 0,
        };
    }

    private static void CheckOffset(int offset, int size)
    {
        if (offset < 0 || offset > RegisterSpaceLength - size || offset % size != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"A {size}-byte register access needs a multiple of {size} below 0x{RegisterSpaceLength:X}.");
        }
    }

    /// <summary>
    /// §2.1 PCI header: class code 01h/06h/01h (mass storage, SATA, AHCI 1.0 programming interface), BAR0-4 absent (no
    /// legacy IDE), BAR5 = ABAR (32-bit non-prefetchable memory, 8 KiB), INTA#, and the PCI Power Management capability
    /// (§2.2) at 80h. The Command register starts with Memory Space and Bus Master enabled, as the PCI bus driver leaves
    /// it before a miniport starts.
    /// </summary>
    private static PciConfigurationSpace BuildPciConfiguration(AhciHbaOptions options)
    =>
        new PciHeaderBuilder(options.VendorId, options.DeviceId, options.RevisionId, baseClass: 0x01, subClass: 0x06, progIf: 0x01) // mass storage, Serial ATA, AHCI 1.0
            .Command(PciConfigurationSpace.CommandMemorySpaceEnable | PciConfigurationSpace.CommandBusMasterEnable, PciCommandWritable)
            .Status(PciConfigurationSpace.StatusCapabilitiesList)
            .WritableCacheLineAndLatency()

            // BAR5 (ABAR, §2.1): bits 31:13 are the base address (read/write), 12:4 read 0 (8 KiB of register space), 3:0 read
            // 0 (memory, 32-bit, not prefetchable). Writing all ones and reading back gives the size, as BAR sizing expects.
            .Bar32(5, options.AbarAddress, RegisterSpaceLength)
            .Subsystem(options.SubsystemVendorId, options.SubsystemId)
            .InterruptA(options.InterruptLine)

            // §2.2 PCI Power Management. The model does not block register access in D3hot.
            .PowerManagementCapability(PowerManagementCapability)
            .Build();
}
