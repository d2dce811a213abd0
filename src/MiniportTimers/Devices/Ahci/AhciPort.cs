using System.Buffers.Binary;
using System.Numerics;
using MiniportTimers.Devices.Ata;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Sata;
using MiniportTimers.Devices.Timing;
using static MiniportTimers.Devices.Ahci.AhciMemoryStructures;
using static MiniportTimers.Devices.Ahci.AhciRegisters;

namespace MiniportTimers.Devices.Ahci;

/// <summary>
/// One port of an <see cref="AhciHba"/>: its registers (§3.3), its link to the attached disk (COMRESET, COMINIT, PhyRdy,
/// the signature FIS), and its command engine (§5: fetch a command header, its command FIS and PRDT; run the command on
/// the disk; post the FISes; update PxTFD, PxCI and PxIS).
/// </summary>
/// <remarks>
/// <para>Commands run one at a time (no NCQ: CAP.SNCQ = 0), in slot order starting after the last one (PxCMD.CCS),
/// while PxCMD.ST is set, the link is up, and PxTFD.STS has neither BSY nor DRQ (the HBA sends no command FIS to a busy
/// device). A command's data moves when its latency has passed; PxTFD.STS.BSY is set meanwhile.</para>
/// <para>Errors follow §6.1-6.2: a device error (STS.ERR) posts the D2H FIS, sets PxIS.TFES and stops the command list
/// with the failed slot's PxCI bit still set and PxCMD.CCS naming it, until software clears PxCMD.ST (§6.2.2.1). A
/// physical address that resolves to no host memory is a Host Bus Fatal Error (PxIS.HBFS), a PRDT too small for the
/// data an Overflow (PxIS.OFS), a command FIS that is not a Register H2D FIS an Interface Fatal Error (PxIS.IFS): each
/// stops the command list the same way.</para>
/// <para>Thread safety: every public member is thread-safe (the HBA's lock).</para>
/// </remarks>
public sealed class AhciPort
{
    /// <summary>PxIS bits that are write-1-to-clear (§3.3.5); UFS, PCS and PRCS reflect PxSERR and clear there.</summary>
    private const uint InterruptStatusWriteOneToClear = PxIS_DHRS | PxIS_PSS | PxIS_DSS | PxIS_SDBS | PxIS_DPS | PxIS_DMPS | PxIS_IPMS
        | PxIS_OFS | PxIS_INFS | PxIS_IFS | PxIS_HBDS | PxIS_HBFS | PxIS_TFES | PxIS_CPDS;

    /// <summary>PxIE bits that are read/write (§3.3.6): all but DMPE (CAP.SMPS = 0) and CPDE (PxCMD.CPD = 0), which read 0.</summary>
    private const uint InterruptEnableWritable = (InterruptStatusWriteOneToClear | PxIS_UFS | PxIS_PCS | PxIS_PRCS) & ~(PxIS_DMPS | PxIS_CPDS);

    /// <summary>PxSERR bits that are implemented and write-1-to-clear (§3.3.12).</summary>
    private const uint SErrorWriteOneToClear = PxSERR_ERR_I | PxSERR_ERR_M | PxSERR_ERR_T | PxSERR_ERR_C | PxSERR_ERR_P | PxSERR_ERR_E
        | PxSERR_DIAG_N | PxSERR_DIAG_I | PxSERR_DIAG_W | PxSERR_DIAG_B | PxSERR_DIAG_D | PxSERR_DIAG_C | PxSERR_DIAG_H
        | PxSERR_DIAG_S | PxSERR_DIAG_T | PxSERR_DIAG_F | PxSERR_DIAG_X;

    /// <summary>PxSCTL bits that are read/write (§3.3.11): DET, SPD, IPM, and SPM and PMP (stored, not used by AHCI).</summary>
    private const uint SControlWritable = 0x000F_FFFF;

    /// <summary>The ATA status of an idle, ready disk: DRDY | DSC.</summary>
    private const byte ReadyStatus = AtaStatus.DRDY | AtaStatus.DSC;

    private readonly AhciHba _hba;
    private readonly int _base;
    private readonly uint _slotMask;
    private readonly DeviceTimer _linkTimer;
    private readonly DeviceTimer _spinUpTimer;
    private readonly DeviceTimer _commandTimer;
    private readonly DmaTransfer _transfer = new();

    private SataDisk? _device;
    private LinkState _link;
    private bool _deviceReady;
    private bool _neverReady;
    private bool _softResetAsserted;
    private int _softResetSlot = -1;
    private bool _halted;
    private int _runningSlot = -1;
    private bool _parked;
    private int _nextSlot;
    private CommandInFlight _current;
    private long _commandsCompleted;
    private long _comResets;
    private long _lastComResetAtNanoseconds = -1;

    internal AhciPort(AhciHba hba, int number)
    {
        _hba = hba;
        Number = number;
        _base = PortRegister(number, 0);
        _slotMask = hba.Options.CommandSlots == 32 ? uint.MaxValue : (1u << hba.Options.CommandSlots) - 1;
        _linkTimer = new DeviceTimer(hba.Engine, hba.Gate, () => Event(CompleteLinkUp));
        _spinUpTimer = new DeviceTimer(hba.Engine, hba.Gate, () => Event(DeviceReady));
        _commandTimer = new DeviceTimer(hba.Engine, hba.Gate, () => Event(RunCommand));
    }

    /// <summary>The link's state as the port sees it.</summary>
    private enum LinkState
    {
        /// <summary>No device answers (PxSSTS.DET = 0); a plugged device's COMINIT starts the link.</summary>
        NoDevice,

        /// <summary>PxSCTL.DET = 1: COMRESET is being sent; the link is down until software writes 0.</summary>
        ComResetHeld,

        /// <summary>PxSCTL.DET = 4: the Phy is offline (PxSSTS.DET = 4).</summary>
        Offline,

        /// <summary>Staggered spin-up with PxCMD.SUD = 0 (§10.9.1 listen mode): a device is seen (DET = 1), no link.</summary>
        Listen,

        /// <summary>COMINIT received (DET = 1); Phy communication not yet established.</summary>
        Negotiating,

        /// <summary>Phy communication established (DET = 3).</summary>
        Up,
    }

    /// <summary>The port number (its bit in PI and IS).</summary>
    public int Number { get; }

    /// <summary>The HBA the port belongs to.</summary>
    public AhciHba Hba => _hba;

    /// <summary>The offset of the port's register block from ABAR (100h + 80h × <see cref="Number"/>).</summary>
    public int RegisterOffset => _base;

    /// <summary>The disk attached to the port, or null (an empty port: PxSSTS.DET = 0).</summary>
    public SataDisk? Device
    {
        get
        {
            lock (_hba.Gate)
            {
                return _device;
            }
        }
    }

    /// <summary>Commands the port completed successfully (their PxCI bit cleared).</summary>
    public long CommandsCompleted => Interlocked.Read(ref _commandsCompleted);

    /// <summary>
    /// COMRESETs software sent on this port (§3.3.11, §10.4.2: writes that move PxSCTL.DET to 1); an HBA reset's or a
    /// power-on COMRESET is not counted. For scenarios and tests that check when a driver reset the link.
    /// </summary>
    /// <remarks>Thread-safe (an atomic read).</remarks>
    public long ComResetCount => Interlocked.Read(ref _comResets);

    /// <summary>The engine time, in ns, of the latest COMRESET counted by <see cref="ComResetCount"/>; -1 before the first.</summary>
    /// <remarks>Thread-safe (an atomic read).</remarks>
    public long LastComResetAtNanoseconds => Interlocked.Read(ref _lastComResetAtNanoseconds);

    /// <summary>True while an enabled status bit is set (PxIS &amp; PxIE), under the HBA's lock.</summary>
    internal bool InterruptPending => (Reg(PxIS) & Reg(PxIE)) != 0;

    /// <summary>Reads one of the port's registers (<see cref="AhciRegisters.PxCLB"/> .. <see cref="AhciRegisters.PxDEVSLP"/>).</summary>
    /// <param name="register">The register's offset within the port block, a multiple of 4 below 80h.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="register"/> is out of range or not a multiple of 4.</exception>
    public uint ReadRegister32(int register) => _hba.ReadRegister32(PortRegister(Number, register));

    /// <summary>Writes one of the port's registers, as <see cref="AhciHba.WriteRegister32"/> at <see cref="RegisterOffset"/> + <paramref name="register"/>.</summary>
    /// <param name="register">The register's offset within the port block, a multiple of 4 below 80h.</param>
    /// <param name="value">The value written.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="register"/> is out of range or not a multiple of 4.</exception>
    public void WriteRegister32(int register, uint value) => _hba.WriteRegister32(PortRegister(Number, register), value);

    /// <summary>
    /// Plugs <paramref name="disk"/> into the port (hot plug, or the disks present at power-on). If the port is
    /// listening (PxSCTL.DET = 0), the disk's COMINIT sets PxSERR.DIAG.X (PxIS.PCS), PxSSTS.DET reads 1 and
    /// PxTFD.STS.BSY is set; after the disk's link-up time DET reads 3 and PxSERR.DIAG.N (PxIS.PRCS) is set; after its
    /// spin-up time it sends its signature FIS (PxSIG 101h, PxTFD 50h). With staggered spin-up and PxCMD.SUD = 0 the
    /// port only sees the device (DET = 1, DIAG.X). While PxSCTL.DET is 1 or 4 the disk waits for the link.
    /// </summary>
    /// <param name="disk">A disk not attached anywhere.</param>
    /// <exception cref="ArgumentNullException"><paramref name="disk"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The port already has a disk, or the disk is attached elsewhere.</exception>
    public void Attach(SataDisk disk)
    {
        ArgumentNullException.ThrowIfNull(disk);
        lock (_hba.Gate)
        {
            if (_device is not null)
            {
                throw new InvalidOperationException($"Port {Number} already has a disk; detach it first.");
            }

            if (disk.AttachedTo is not null)
            {
                throw new InvalidOperationException("The disk is attached to another port.");
            }

            _device = disk;
            disk.AttachedTo = this;
            if (_link == LinkState.NoDevice)
            {
                StartLink();
            }

            _hba.UpdateInterrupt();
        }
    }

    /// <summary>
    /// Unplugs the port's disk (hot unplug). If the link was up, PhyRdy drops: PxSERR.DIAG.N (PxIS.PRCS) is set and
    /// PxSSTS reads 0. A command in progress never completes (its PxCI bit stays set); PxTFD keeps its last value.
    /// </summary>
    /// <returns>The disk that was attached, or null if the port was empty.</returns>
    public SataDisk? Detach()
    {
        lock (_hba.Gate)
        {
            if (_device is not { } disk)
            {
                return null;
            }

            if (_link == LinkState.Up)
            {
                SetSError(PxSERR_DIAG_N);
            }

            _device = null;
            disk.AttachedTo = null;
            _link = (Reg(PxSCTL) & PxSCTL_DET_Mask) switch
            {
                1 => LinkState.ComResetHeld,
                4 => LinkState.Offline,
                _ => LinkState.NoDevice,
            };
            StopDeviceEvents();
            SetReg(PxSSTS, _link == LinkState.Offline ? 4u : 0u);
            _hba.UpdateInterrupt();
            return disk;
        }
    }

    /// <summary>Power-on or §10.4.3 HBA reset of the port (under the lock): every register except PxCLB, PxCLBU, PxFB, PxFBU (kept by an HBA reset) and the HwInit fields returns to its reset value; without staggered spin-up the reset sends a COMRESET.</summary>
    internal void Reset(bool powerOn)
    {
        StopDeviceEvents();
        _halted = false;
        _nextSlot = 0;
        if (powerOn)
        {
            SetReg(PxCLB, 0);
            SetReg(PxCLBU, 0);
            SetReg(PxFB, 0);
            SetReg(PxFBU, 0);
        }

        var staggered = _hba.Options.StaggeredSpinUp;
        var hotPlug = (_hba.Options.HotPlugCapablePorts & (1u << Number)) != 0;
        SetReg(PxIS, 0);
        SetReg(PxIE, 0);
        SetReg(PxCMD, (staggered ? 0 : PxCMD_SUD) | PxCMD_POD | (hotPlug ? PxCMD_HPCP : 0));
        SetReg(PxTFD, PxTFD_Reset);
        SetReg(PxSIG, PxSIG_Reset);
        SetReg(PxSSTS, 0);
        SetReg(PxSCTL, 0);
        SetReg(PxSERR, 0);
        SetReg(PxSACT, 0);
        SetReg(PxCI, 0);
        SetReg(PxSNTF, 0);
        _link = LinkState.NoDevice;
        StartLink(); // without a device (or in listen mode) this only records what the port sees
    }

    /// <summary>A register write to this port (under the lock); <paramref name="register"/> is the offset within the block.</summary>
    internal void WriteRegister(int register, uint value)
    {
        switch (register)
        {
            case PxCLB: // §3.3.1: bits 9:0 reserved (1 KiB aligned)
                SetReg(PxCLB, value & 0xFFFF_FC00);
                break;
            case PxCLBU: // §3.3.2: read/write because CAP.S64A = 1
                SetReg(PxCLBU, value);
                break;
            case PxFB: // §3.3.3: bits 7:0 reserved (256-byte aligned; no FIS-based switching)
                SetReg(PxFB, value & 0xFFFF_FF00);
                break;
            case PxFBU: // §3.3.4
                SetReg(PxFBU, value);
                break;
            case PxIS: // §3.3.5: write 1 to clear
                SetReg(PxIS, Reg(PxIS) & ~(value & InterruptStatusWriteOneToClear));
                break;
            case PxIE: // §3.3.6
                SetReg(PxIE, value & InterruptEnableWritable);
                break;
            case PxCMD: // §3.3.7
                WriteCommandAndStatus(value);
                break;
            case PxSCTL: // §3.3.11
                WriteSControl(value);
                break;
            case PxSERR: // §3.3.12: write 1 to clear; PxIS.PCS, PRCS and UFS follow
                SetReg(PxSERR, Reg(PxSERR) & ~(value & SErrorWriteOneToClear));
                ReflectSError();
                break;
            case PxSACT: // §3.3.13: software sets bits while ST = 1; they clear when ST clears (no NCQ: no SDB FIS clears them)
                if ((Reg(PxCMD) & PxCMD_ST) != 0)
                {
                    SetReg(PxSACT, Reg(PxSACT) | (value & _slotMask));
                }

                break;
            case PxCI: // §3.3.14: software sets bits while ST = 1 (a write of 0 has no effect); the HBA clears them
                if ((Reg(PxCMD) & PxCMD_ST) != 0)
                {
                    SetReg(PxCI, Reg(PxCI) | (value & _slotMask));
                    TryStartNext();
                }

                break;
            case PxSNTF: // §3.3.15: PMN (bits 15:0) write 1 to clear; nothing sets them (no port multiplier, no notification)
                SetReg(PxSNTF, Reg(PxSNTF) & ~(value & 0xFFFF));
                break;
            default:
                // PxTFD (§3.3.8), PxSIG (§3.3.9), PxSSTS (§3.3.10) are read-only; 1Ch is reserved; PxFBS (§3.3.16) and
                // PxDEVSLP (§3.3.17) belong to features CAP/CAP2 do not report; 48h-6Fh are reserved, 70h-7Fh vendor specific.
                break;
        }
    }

    /// <summary>§3.3.7 PxCMD: ST/CR, FRE/FR, SUD, POD, CLO, ICC, ALPE/ASP; CR and FR follow ST and FRE at once.</summary>
    private void WriteCommandAndStatus(uint value)
    {
        var capabilities = _hba.Capabilities;
        var writable = PxCMD_ST | PxCMD_FRE | PxCMD_ATAPI | PxCMD_DLAE
            | ((capabilities & CAP_SSS) != 0 ? PxCMD_SUD : 0)
            | ((capabilities & CAP_SALP) != 0 ? PxCMD_ALPE | PxCMD_ASP : 0);
        var old = Reg(PxCMD);
        var command = (old & ~writable) | (value & writable);

        // FRE → FR: the FIS receive engine starts and stops at once (§10.3.2).
        command = (command & PxCMD_FRE) != 0 ? command | PxCMD_FR : command & ~PxCMD_FR;

        var starting = (old & PxCMD_ST) == 0 && (command & PxCMD_ST) != 0;
        var stopping = (old & PxCMD_ST) != 0 && (command & PxCMD_ST) == 0;
        if (starting)
        {
            // §10.3.1: the command list engine runs (CR), from slot 0.
            command |= PxCMD_CR;
            _halted = false;
            _nextSlot = 0;
        }
        else if (stopping)
        {
            // §3.3.7 ST: clearing it clears PxCI, PxSACT, CCS and CR; it is also how software leaves the error state (§6.2.2.1).
            command &= ~(PxCMD_CR | PxCMD_CCS_Mask);
            SetReg(PxCI, 0);
            SetReg(PxSACT, 0);
            AbandonRunningCommand();
            _halted = false;
            _softResetSlot = -1;
        }

        SetReg(PxCMD, command);

        // CLO (§3.3.7): clears PxTFD.STS.BSY and DRQ so a command (a software reset) can be sent, then reads 0 again.
        if ((value & PxCMD_CLO) != 0 && (capabilities & CAP_SCLO) != 0)
        {
            SetReg(PxTFD, Reg(PxTFD) & ~(PxTFD_STS_BSY | PxTFD_STS_DRQ));
        }

        // SUD 0 → 1 with staggered spin-up (§3.3.7): the HBA starts a COMRESET sequence, unless SCTL.DET holds the link.
        if ((old & PxCMD_SUD) == 0 && (command & PxCMD_SUD) != 0 && (Reg(PxSCTL) & PxSCTL_DET_Mask) == 0)
        {
            ResetLink(LinkState.NoDevice);
            StartLink();
        }

        // ICC (bits 31:28): a requested interface state; the field reads 0 (Idle) again at once.
        var interfaceState = (value & PxCMD_ICC_Mask) >> PxCMD_ICC_Shift;
        if (interfaceState != 0)
        {
            RequestInterfaceState(interfaceState);
        }

        TryStartNext();
    }

    /// <summary>§3.3.11 PxSCTL.DET: 1 holds COMRESET (link down), 4 takes the Phy offline, 0 releases it (the link comes up if a device answers, §10.4.2).</summary>
    private void WriteSControl(uint value)
    {
        var old = Reg(PxSCTL);
        var control = value & SControlWritable;
        SetReg(PxSCTL, control);
        var oldDet = old & PxSCTL_DET_Mask;
        var det = control & PxSCTL_DET_Mask;
        if (det == oldDet)
        {
            return;
        }

        switch (det)
        {
            case 1:
                Interlocked.Exchange(ref _lastComResetAtNanoseconds, _hba.Engine.NowNanoseconds);
                Interlocked.Increment(ref _comResets);
                ResetLink(LinkState.ComResetHeld);
                break;
            case 4:
                ResetLink(LinkState.Offline);
                SetReg(PxSSTS, 4);
                break;
            case 0:
                ResetLink(LinkState.NoDevice);
                StartLink();
                break;
            default:
                break; // reserved values: no action
        }
    }

    /// <summary>
    /// The link goes down (COMRESET sent, Phy offline, or restarting): PhyRdy drops (PxSERR.DIAG.N if it was up),
    /// PxSSTS, PxTFD (7Fh) and PxSIG (FFFFFFFFh) return to their reset values, and the device's pending events stop.
    /// </summary>
    private void ResetLink(LinkState state)
    {
        if (_link == LinkState.Up)
        {
            SetSError(PxSERR_DIAG_N);
        }

        StopDeviceEvents();
        _link = state;
        SetReg(PxSSTS, 0);
        SetReg(PxTFD, PxTFD_Reset);
        SetReg(PxSIG, PxSIG_Reset);
    }

    /// <summary>
    /// The port listens for the device: a device answers the COMRESET with COMINIT (PxSERR.DIAG.X, PxSSTS.DET = 1,
    /// PxTFD.STS = BSY, a hardware reset of the device), and the link comes up after the device's link-up time. In
    /// listen mode (staggered spin-up, SUD = 0) the device is only seen.
    /// </summary>
    private void StartLink()
    {
        if (_device is not { } device)
        {
            _link = LinkState.NoDevice;
            return;
        }

        SetSError(PxSERR_DIAG_X);
        SetReg(PxSSTS, 1);
        if ((Reg(PxCMD) & PxCMD_SUD) == 0)
        {
            _link = LinkState.Listen;
            return;
        }

        _link = LinkState.Negotiating;
        device.HardReset();
        SetReg(PxTFD, PxTFD_STS_BSY);
        var linkUp = device.LinkUpNanoseconds;
        if (linkUp == 0)
        {
            CompleteLinkUp(); // within the register write: a driver that stall-polls DET sees it
        }
        else
        {
            _linkTimer.ArmAfter(linkUp);
        }
    }

    /// <summary>Phy communication established: PxSSTS.DET = 3 at the negotiated speed, IPM Active, PxSERR.DIAG.N; the disk spins up.</summary>
    private void CompleteLinkUp()
    {
        if (_device is not { } device || _link != LinkState.Negotiating)
        {
            return;
        }

        _link = LinkState.Up;
        SetReg(PxSSTS, 3u | (NegotiatedSpeed() << PxSSTS_SPD_Shift) | (1u << PxSSTS_IPM_Shift));
        SetSError(PxSERR_DIAG_N);
        _neverReady = device.NeverReady;
        if (_neverReady)
        {
            return; // BSY for ever; only a COMRESET re-reads NeverReady
        }

        var spinUp = device.SpinUpNanoseconds;
        if (spinUp == 0)
        {
            DeviceReady();
        }
        else
        {
            _spinUpTimer.ArmAfter(spinUp);
        }
    }

    /// <summary>The disk is ready: it sends its signature in a Register D2H FIS (PxSIG = 101h, PxTFD = 01h:50h, posted to RFIS when FRE; no interrupt).</summary>
    private void DeviceReady()
    {
        if (_device is null || _link != LinkState.Up || _softResetAsserted)
        {
            return;
        }

        _deviceReady = true;
        SetReg(PxSIG, SataDisk.Signature);
        SetReg(PxTFD, ((uint)AtaError.DiagnosticsPassed << PxTFD_ERR_Shift) | ReadyStatus);
        var signature = new AtaTaskFile { Count = 1, Lba = 1 };
        PostRegisterD2H(signature, ReadyStatus, AtaError.DiagnosticsPassed, interrupt: false);
        if (_softResetSlot >= 0)
        {
            SetReg(PxCI, Reg(PxCI) & ~(1u << _softResetSlot));
            _softResetSlot = -1;
            _runningSlot = -1;
        }

        if (_parked)
        {
            _parked = false;
            _commandTimer.ArmAfter(_device.LatencyFor(_current.TaskFile));
            return;
        }

        TryStartNext();
    }

    /// <summary>§5.3 P:Idle → P:SelectCmd: sends the next issued command, if the port may.</summary>
    private void TryStartNext()
    {
        if (_runningSlot >= 0 || _halted || _device is null || _link != LinkState.Up)
        {
            return;
        }

        var command = Reg(PxCMD);
        var issued = Reg(PxCI);
        if ((command & PxCMD_ST) == 0 || issued == 0 || (Reg(PxTFD) & (PxTFD_STS_BSY | PxTFD_STS_DRQ)) != 0)
        {
            return;
        }

        // The next issued slot at or after the one following the last, wrapping.
        var rotated = BitOperations.RotateRight(issued, _nextSlot);
        var slot = (BitOperations.TrailingZeroCount(rotated) + _nextSlot) % 32;
        _nextSlot = (slot + 1) % _hba.Options.CommandSlots;
        _runningSlot = slot;
        SetReg(PxCMD, (command & ~PxCMD_CCS_Mask) | ((uint)slot << PxCMD_CCS_Shift));

        // An HBA-initiated wake from Partial or Slumber before the FIS goes out.
        if (InterfacePowerState() is 2 or 6)
        {
            SetInterfacePowerState(1);
        }

        if (!TryFetchCommand(slot))
        {
            return;
        }

        SetReg(PxTFD, Reg(PxTFD) | PxTFD_STS_BSY); // the command FIS is on its way: the shadow Status reads BSY
        _commandTimer.ArmAfter(_current.IsCommand ? _device.LatencyFor(_current.TaskFile) : 0);
    }

    /// <summary>
    /// §4.2.2-4.2.3: reads slot <paramref name="slot"/>'s command header and its command FIS (what goes to the device
    /// now); false after raising a fatal error. The PRDT is read when the data moves (<see cref="TryResolvePrdt"/>).
    /// </summary>
    private bool TryFetchCommand(int slot)
    {
        var map = _hba.AddressMap;
        if (!TryOffset(CommandListBase(), (ulong)(slot * CommandHeaderLength), out var headerAddress)
            || !map.TryGetSpan(headerAddress, CommandHeaderLength, out var header))
        {
            FatalError(PxIS_HBFS);
            return false;
        }

        var dw0 = BinaryPrimitives.ReadUInt32LittleEndian(header);
        var fisDwords = (int)(dw0 & HeaderCFL_Mask);
        var tableAddress = (BinaryPrimitives.ReadUInt32LittleEndian(header[HeaderCTBA..]) & 0xFFFF_FF80u)
            | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(header[HeaderCTBAU..]) << 32);
        BinaryPrimitives.WriteUInt32LittleEndian(header[HeaderPRDBC..], 0);

        if (!map.TryGetSpan(tableAddress, PRDT, out var table))
        {
            FatalError(PxIS_HBFS);
            return false;
        }

        if (fisDwords * 4 < SataFis.RegisterFisLength || table[CFIS] != SataFis.TypeRegisterH2D)
        {
            // Not a Register H2D FIS: the device rejects it (R_ERR), a protocol error on the interface.
            SetSError(PxSERR_ERR_P);
            FatalError(PxIS_IFS);
            return false;
        }

        _current = new CommandInFlight(dw0, SataFis.ReadRegisterH2D(table[CFIS..]), (table[CFIS + 1] & SataFis.H2DCommandBit) != 0, tableAddress);
        return true;
    }

    /// <summary>§4.2.3.3: reads the running command's PRDT and resolves every data region; false (HBFS) if one does not resolve.</summary>
    private bool TryResolvePrdt()
    {
        var map = _hba.AddressMap;
        var prdtLength = (int)(_current.HeaderDw0 >> HeaderPRDTL_Shift);
        _transfer.Clear();
        if (prdtLength == 0)
        {
            return true;
        }

        if (!TryOffset(_current.TableAddress, PRDT, out var prdtAddress) || !map.TryGetSpan(prdtAddress, prdtLength * PrdLength, out var prdt))
        {
            FatalError(PxIS_HBFS);
            return false;
        }

        for (var i = 0; i < prdtLength; i++)
        {
            var entry = prdt.Slice(i * PrdLength, PrdLength);
            var dataAddress = (BinaryPrimitives.ReadUInt32LittleEndian(entry[PrdDBA..]) & ~1u)
                | ((ulong)BinaryPrimitives.ReadUInt32LittleEndian(entry[PrdDBAU..]) << 32);
            var dw3 = BinaryPrimitives.ReadUInt32LittleEndian(entry[PrdDW3..]);
            var byteCount = (int)(dw3 & PrdDBC_Mask) + 1;
            if (!map.TryResolve(dataAddress, byteCount, out var host))
            {
                FatalError(PxIS_HBFS);
                return false;
            }

            _transfer.Add(host, byteCount, (dw3 & PrdI) != 0);
        }

        return true;
    }

    /// <summary>The running command's latency has passed: the device answers.</summary>
    private void RunCommand()
    {
        var slot = _runningSlot;
        if (slot < 0 || _device is not { } device)
        {
            return;
        }

        if (!_current.IsCommand)
        {
            DeviceControl(slot);
            return;
        }

        if (!_deviceReady)
        {
            _parked = true; // sent after CLO to a device that is not ready: it answers once it is
            return;
        }

        if (!TryResolvePrdt())
        {
            return;
        }

        var completion = device.Execute(_current.TaskFile, _transfer);
        if (!TryWriteByteCount(slot, completion.BytesTransferred))
        {
            return;
        }

        if (completion.Overflow)
        {
            FatalError(PxIS_OFS); // §3.3.5 OFS: more data than the PRDT describes (a fatal error, §6.1)
            return;
        }

        var fre = (Reg(PxCMD) & PxCMD_FRE) != 0;
        var outputs = completion.Outputs;
        if (completion.IsError)
        {
            // §6.2.2.1: the D2H FIS carries the error; the HBA stops with the slot's PxCI bit set and CCS naming it.
            if (!PostRegisterD2H(outputs, completion.Status, completion.Error, interrupt: true))
            {
                return;
            }

            SetTaskFile(completion.Status, completion.Error);
            SetReg(PxIS, Reg(PxIS) | PxIS_TFES);
            _halted = true;
            _runningSlot = -1;
            return;
        }

        if (completion.Protocol == AtaProtocol.PioDataIn)
        {
            // A successful PIO data-in command ends with its PIO Setup FIS (E_Status); the device sends no D2H FIS.
            Span<byte> pioSetup = stackalloc byte[SataFis.RegisterFisLength];
            SataFis.WritePioSetup(pioSetup, outputs, ReadyStatus | AtaStatus.DRQ, 0, completion.Status,
                (ushort)Math.Min(completion.BytesTransferred, ushort.MaxValue), deviceToHost: true, interrupt: true);
            if (fre && !TryPostFis(PSFIS, pioSetup))
            {
                return;
            }

            SetReg(PxIS, Reg(PxIS) | PxIS_PSS);
        }
        else if (!PostRegisterD2H(outputs, completion.Status, completion.Error, interrupt: true))
        {
            return;
        }

        SetTaskFile(completion.Status, completion.Error);
        if (_transfer.InterruptSegmentDone())
        {
            SetReg(PxIS, Reg(PxIS) | PxIS_DPS);
        }

        CompleteSlot(slot);
    }

    /// <summary>A command FIS with C = 0 (a Device Control update): SRST set holds the device in reset, SRST cleared releases it and it sends its signature (§10.4.1).</summary>
    private void DeviceControl(int slot)
    {
        var clearBusyOnSend = (_current.HeaderDw0 & HeaderC) != 0;
        var srst = (_current.TaskFile.Control & SataFis.ControlSRST) != 0;
        if (srst)
        {
            _softResetAsserted = true;
            _deviceReady = false;
            SetReg(PxTFD, PxTFD_STS_BSY);
        }
        else if (_softResetAsserted)
        {
            _softResetAsserted = false;
            _device!.SoftReset();
            if (!_neverReady && !_spinUpTimer.IsArmed)
            {
                // The device runs its diagnostics and answers with its signature FIS, which completes this slot.
                _softResetSlot = slot;
                DeviceReady();
                return;
            }

            _softResetSlot = slot; // still spinning up (or never ready): the signature FIS completes the slot, if it ever comes
            SetReg(PxTFD, PxTFD_STS_BSY);
            return;
        }

        if (clearBusyOnSend || !srst)
        {
            // C bit: BSY and the PxCI bit clear once the FIS was sent.
            SetReg(PxTFD, Reg(PxTFD) & ~PxTFD_STS_BSY);
        }

        CompleteSlot(slot);
    }

    /// <summary>The slot's PxCI bit clears; aggressive link power management may take the idle link to Partial or Slumber (§8.3.1.3).</summary>
    private void CompleteSlot(int slot)
    {
        SetReg(PxCI, Reg(PxCI) & ~(1u << slot));
        _runningSlot = -1;
        Interlocked.Increment(ref _commandsCompleted);
        var command = Reg(PxCMD);
        if ((command & PxCMD_ALPE) != 0 && Reg(PxCI) == 0 && Reg(PxSACT) == 0)
        {
            RequestLowPower((command & PxCMD_ASP) != 0 ? 6u : 2u);
        }

        TryStartNext();
    }

    /// <summary>
    /// A fatal error (§6.1: HBFS, IFS, OFS): the status bit is set, the command list stops with the slot's PxCI bit still
    /// set, until software clears PxCMD.ST.
    /// </summary>
    private void FatalError(uint status)
    {
        SetReg(PxIS, Reg(PxIS) | status);
        _halted = true;
        _runningSlot = -1;
        _commandTimer.Cancel();
    }

    /// <summary>Software cleared ST with a command in flight: the command is abandoned and the device goes back to idle (BSY clears).</summary>
    private void AbandonRunningCommand()
    {
        if (_runningSlot < 0)
        {
            return;
        }

        _commandTimer.Cancel();
        _runningSlot = -1;
        _parked = false;
        if (_deviceReady)
        {
            SetReg(PxTFD, Reg(PxTFD) & ~(PxTFD_STS_BSY | PxTFD_STS_DRQ));
        }
    }

    /// <summary>Stops every pending event of the device (link, spin-up, command) and forgets its readiness.</summary>
    private void StopDeviceEvents()
    {
        _linkTimer.Cancel();
        _spinUpTimer.Cancel();
        _commandTimer.Cancel();
        _runningSlot = -1;
        _parked = false;
        _deviceReady = false;
        _neverReady = false;
        _softResetAsserted = false;
        _softResetSlot = -1;
    }

    /// <summary>ICC (§3.3.7, §8.3.1): 1 Active, 2 Partial, 6 Slumber; other values (DevSleep, reserved) are ignored.</summary>
    private void RequestInterfaceState(uint state)
    {
        if (_link != LinkState.Up)
        {
            return;
        }

        if (state == 1)
        {
            SetInterfacePowerState(1);
        }
        else if (state is 2 or 6 && InterfacePowerState() == 1 && _runningSlot < 0)
        {
            // From a low-power state software must go through Active first.
            RequestLowPower(state);
        }
    }

    /// <summary>Partial (2) or Slumber (6), if the HBA is capable (CAP.PSC, CAP.SSC) and PxSCTL.IPM allows it.</summary>
    private void RequestLowPower(uint state)
    {
        if (_link != LinkState.Up)
        {
            return;
        }

        var restricted = (Reg(PxSCTL) & PxSCTL_IPM_Mask) >> PxSCTL_IPM_Shift;
        var allowed = state == 2
            ? (_hba.Capabilities & CAP_PSC) != 0 && (restricted & 1) == 0
            : (_hba.Capabilities & CAP_SSC) != 0 && (restricted & 2) == 0;
        if (allowed)
        {
            SetInterfacePowerState(state);
        }
    }

    private uint InterfacePowerState() => (Reg(PxSSTS) & PxSSTS_IPM_Mask) >> PxSSTS_IPM_Shift;

    private void SetInterfacePowerState(uint state) => SetReg(PxSSTS, (Reg(PxSSTS) & ~PxSSTS_IPM_Mask) | (state << PxSSTS_IPM_Shift));

    /// <summary>The speed the link comes up at: Gen 3 (CAP.ISS), lowered by PxSCTL.SPD when software limits it.</summary>
    private uint NegotiatedSpeed()
    {
        var limit = (Reg(PxSCTL) & PxSCTL_SPD_Mask) >> PxSCTL_SPD_Shift;
        var supported = (_hba.Capabilities & CAP_ISS_Mask) >> CAP_ISS_Shift;
        return limit is >= 1 and <= 3 ? Math.Min(limit, supported) : supported;
    }

    /// <summary>PxTFD from the device's Status and Error registers.</summary>
    private void SetTaskFile(byte status, byte error) => SetReg(PxTFD, ((uint)error << PxTFD_ERR_Shift) | status);

    /// <summary>Posts a Register D2H FIS to RFIS (when FRE is set) and, with the I bit, sets PxIS.DHRS; false after a fatal error.</summary>
    private bool PostRegisterD2H(in AtaTaskFile outputs, byte status, byte error, bool interrupt)
    {
        Span<byte> fis = stackalloc byte[SataFis.RegisterFisLength];
        SataFis.WriteRegisterD2H(fis, outputs, status, error, interrupt);
        if ((Reg(PxCMD) & PxCMD_FRE) != 0 && !TryPostFis(RFIS, fis))
        {
            return false;
        }

        if (interrupt)
        {
            SetReg(PxIS, Reg(PxIS) | PxIS_DHRS);
        }

        return true;
    }

    /// <summary>§4.2.1: writes a FIS into the received-FIS area at <paramref name="offset"/>; false (HBFS) if PxFB does not resolve.</summary>
    private bool TryPostFis(int offset, ReadOnlySpan<byte> fis)
    {
        var fisBase = Reg(PxFB) | ((ulong)Reg(PxFBU) << 32);
        if (!TryOffset(fisBase, (ulong)offset, out var address) || !_hba.AddressMap.TryGetSpan(address, SataFis.RegisterFisLength, out var span))
        {
            FatalError(PxIS_HBFS);
            return false;
        }

        fis.CopyTo(span);
        return true;
    }

    /// <summary>§4.2.2: the HBA writes the bytes transferred into the command header's PRDBC; false (HBFS) if the header no longer resolves.</summary>
    private bool TryWriteByteCount(int slot, long bytes)
    {
        if (!TryOffset(CommandListBase(), (ulong)(slot * CommandHeaderLength), out var headerAddress)
            || !_hba.AddressMap.TryGetSpan(headerAddress, CommandHeaderLength, out var header))
        {
            FatalError(PxIS_HBFS);
            return false;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(header[HeaderPRDBC..], (uint)Math.Min(bytes, uint.MaxValue));
        return true;
    }

    private ulong CommandListBase() => Reg(PxCLB) | ((ulong)Reg(PxCLBU) << 32);

    /// <summary>Sets PxSERR bits and the PxIS bits that reflect them.</summary>
    private void SetSError(uint bits)
    {
        SetReg(PxSERR, Reg(PxSERR) | bits);
        ReflectSError();
    }

    /// <summary>§3.3.5: PxIS.PCS reflects PxSERR.DIAG.X, PxIS.PRCS reflects DIAG.N, PxIS.UFS reflects DIAG.F.</summary>
    private void ReflectSError()
    {
        var error = Reg(PxSERR);
        var status = Reg(PxIS) & ~(PxIS_PCS | PxIS_PRCS | PxIS_UFS);
        status |= (error & PxSERR_DIAG_X) != 0 ? PxIS_PCS : 0;
        status |= (error & PxSERR_DIAG_N) != 0 ? PxIS_PRCS : 0;
        status |= (error & PxSERR_DIAG_F) != 0 ? PxIS_UFS : 0;
        SetReg(PxIS, status);
    }

    /// <summary>Runs one of the port's timed events (under the lock) and updates the interrupt line after it.</summary>
    private void Event(Action action)
    {
        action();
        _hba.UpdateInterrupt();
    }

    private uint Reg(int register) => _hba.Get(_base + register);

    private void SetReg(int register, uint value) => _hba.Set(_base + register, value);

    private static bool TryOffset(ulong address, ulong offset, out ulong result)
    {
        if (address > ulong.MaxValue - offset)
        {
            result = 0;
            return false;
        }

        result = address + offset;
        return true;
    }

    /// <summary>The command being executed: its header's DW0, its task file, whether its FIS is a command (C = 1) or a Device Control update, and its command table's address.</summary>
    private readonly record struct CommandInFlight(uint HeaderDw0, AtaTaskFile TaskFile, bool IsCommand, ulong TableAddress);
}
