using MiniportTimers.Devices.Ata;
using MiniportTimers.Devices.Memory;

namespace MiniportTimers.Devices.Sata;

/// <summary>
/// A SATA disk with a RAM image, as far as an AHCI driver touches it: its signature after a reset, IDENTIFY DEVICE,
/// SET FEATURES, READ DMA EXT, WRITE DMA EXT, FLUSH CACHE EXT and STANDBY IMMEDIATE (ATA8-ACS chapter 7); every other
/// command is aborted (Status.ERR with Error.ABRT). Attach it to a port of an AHCI HBA
/// (<see cref="Ahci.AhciPort.Attach"/>); a disk is on one port at a time.
/// </summary>
/// <remarks>
/// <para>Behaviour on cue: <see cref="LinkUpNanoseconds"/>, <see cref="SpinUpNanoseconds"/>, <see cref="NeverReady"/>
/// and <see cref="CommandLatencyNanoseconds"/> may be changed at any time; each is read when it next applies (the
/// link and spin-up times at the next reset or plug, the latency at the next command). Absent is a port with no disk;
/// hot unplug and plug are <see cref="Ahci.AhciPort.Detach"/> and <see cref="Ahci.AhciPort.Attach"/>.</para>
/// <para>Settings: the volatile write cache and read look-ahead start enabled, Ultra DMA mode 6 is selected, and
/// software settings preservation is enabled, so the settings survive a COMRESET; with it disabled a COMRESET restores
/// the power-on defaults.</para>
/// <para>Thread safety: every public member is thread-safe. The HBA runs commands under its own lock; the image has
/// its own, so <see cref="ReadSectors"/> and <see cref="WriteSectors"/> may be called from a test or scenario thread
/// while the disk is attached.</para>
/// </remarks>
public sealed class SataDisk
{
    /// <summary>The logical sector size in bytes.</summary>
    public const int SectorSize = 512;

    /// <summary>The sectors a READ or WRITE DMA EXT moves when its Count is 0.</summary>
    private const int MaxSectorsPerCommand = 65_536;

    private readonly SparseDiskImage _image;
    private readonly long[] _commandCounts = new long[256];
    private long _linkUpNanoseconds;
    private long _spinUpNanoseconds;
    private long _commandLatencyNanoseconds;
    private int _neverReady;

    // Device settings: changed by SET FEATURES and resets, read by IDENTIFY; the HBA's lock serializes commands.
    private bool _writeCacheEnabled = true;
    private bool _readLookAheadEnabled = true;
    private bool _revertToDefaultsOnSoftReset = true;
    private bool _softwareSettingsPreservation = true;
    private int _ultraDmaMode = 6;
    private int _multiwordDmaMode = -1;
    private int _standby;

    /// <summary>Creates a disk, all zeros, with the given identity and initial behaviour.</summary>
    /// <param name="options">Identity and initial timing; null for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range (see <see cref="SataDiskOptions"/>).</exception>
    public SataDisk(SataDiskOptions? options = null)
    {
        Options = options ?? new SataDiskOptions();
        Options.Validate();
        _image = new SparseDiskImage(checked(Options.CapacitySectors * SectorSize));
        _linkUpNanoseconds = Options.LinkUpNanoseconds;
        _spinUpNanoseconds = Options.SpinUpNanoseconds;
        _commandLatencyNanoseconds = Options.CommandLatencyNanoseconds;
        _neverReady = Options.NeverReady ? 1 : 0;
    }

    /// <summary>The disk's identity and initial behaviour.</summary>
    public SataDiskOptions Options { get; }

    /// <summary>The capacity in 512-byte sectors.</summary>
    public long CapacitySectors => Options.CapacitySectors;

    /// <summary>The ATA signature the disk reports after a reset (PxSIG): 00000101h.</summary>
    public static uint Signature => Ahci.AhciRegisters.SIG_ATA;

    /// <summary>From COMINIT to Phy communication established, ns, 0 or more (PxSSTS.DET reads 1 meanwhile). Read at each reset or plug.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above the engine's maximum time.</exception>
    public long LinkUpNanoseconds
    {
        get => Volatile.Read(ref _linkUpNanoseconds);
        set
        {
            SataDiskOptions.CheckTime(value, nameof(LinkUpNanoseconds));
            Volatile.Write(ref _linkUpNanoseconds, value);
        }
    }

    /// <summary>From link up to the disk's signature FIS, ns, 0 or more: the time PxTFD.STS.BSY stays set after a COMRESET. Read at each reset or plug.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above the engine's maximum time.</exception>
    public long SpinUpNanoseconds
    {
        get => Volatile.Read(ref _spinUpNanoseconds);
        set
        {
            SataDiskOptions.CheckTime(value, nameof(SpinUpNanoseconds));
            Volatile.Write(ref _spinUpNanoseconds, value);
        }
    }

    /// <summary>True: after its next reset or plug the disk stays BSY for ever and never sends its signature (a COMRESET does not help). Read at each reset or plug.</summary>
    public bool NeverReady
    {
        get => Volatile.Read(ref _neverReady) != 0;
        set => Volatile.Write(ref _neverReady, value ? 1 : 0);
    }

    /// <summary>From the HBA sending a command FIS to the disk's answer, ns, 0 or more (a media access in Standby adds <see cref="SpinUpNanoseconds"/>). Read at each command.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative or above the engine's maximum time.</exception>
    public long CommandLatencyNanoseconds
    {
        get => Volatile.Read(ref _commandLatencyNanoseconds);
        set
        {
            SataDiskOptions.CheckTime(value, nameof(CommandLatencyNanoseconds));
            Volatile.Write(ref _commandLatencyNanoseconds, value);
        }
    }

    /// <summary>True while the disk is in Standby (after STANDBY IMMEDIATE, until the next media access or reset).</summary>
    public bool InStandby => Volatile.Read(ref _standby) != 0;

    /// <summary>Bytes of RAM the image holds so far (written 64 KiB chunks; the rest reads as zeros).</summary>
    public long AllocatedBytes => _image.AllocatedBytes;

    /// <summary>The port the disk is attached to (an AHCI port), or null.</summary>
    internal object? AttachedTo { get; set; }

    /// <summary>Copies sectors from the image, as a test or scenario checks what a driver wrote.</summary>
    /// <param name="lba">The first sector, 0 to <see cref="CapacitySectors"/> - 1.</param>
    /// <param name="destination">A whole number of sectors that ends within the disk.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of 512 or the range passes the end of the disk.</exception>
    public void ReadSectors(long lba, Span<byte> destination)
    {
        CheckRange(lba, destination.Length);
        _image.Read(lba * SectorSize, destination);
    }

    /// <summary>Copies sectors into the image, as a scenario preloads a disk.</summary>
    /// <param name="lba">The first sector, 0 to <see cref="CapacitySectors"/> - 1.</param>
    /// <param name="source">A whole number of sectors that ends within the disk.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of 512 or the range passes the end of the disk.</exception>
    public void WriteSectors(long lba, ReadOnlySpan<byte> source)
    {
        CheckRange(lba, source.Length);
        _image.Write(lba * SectorSize, source);
    }

    /// <summary>How many commands with code <paramref name="command"/> the disk received (aborted ones included).</summary>
    /// <param name="command">An ATA command code (<see cref="AtaCommands"/>).</param>
    public long GetCommandCount(byte command) => Interlocked.Read(ref _commandCounts[command]);

    /// <summary>The latency of the next command, ns: the configured latency, plus the spin-up time for a media access in Standby.</summary>
    internal long LatencyFor(in AtaTaskFile command)
    {
        var latency = CommandLatencyNanoseconds;
        if (InStandby && command.Command is AtaCommands.READ_DMA_EXT or AtaCommands.WRITE_DMA_EXT)
        {
            latency = Math.Min(Engine.TimerEngine.MaxTimeNanoseconds, latency + SpinUpNanoseconds);
        }

        return latency;
    }

    /// <summary>A hardware reset (COMRESET, power-on): Standby ends; without software settings preservation the settings return to their defaults.</summary>
    internal void HardReset()
    {
        Volatile.Write(ref _standby, 0);
        if (!_softwareSettingsPreservation)
        {
            RestoreDefaults();
        }
    }

    /// <summary>A software reset (Device Control SRST): the settings return to their defaults unless reverting was disabled (SET FEATURES 66h).</summary>
    internal void SoftReset()
    {
        if (_revertToDefaultsOnSoftReset)
        {
            RestoreDefaults();
        }
    }

    /// <summary>Runs one command (under the HBA's lock), moving its data through <paramref name="transfer"/>.</summary>
    internal AtaCompletion Execute(in AtaTaskFile command, DmaTransfer transfer)
    {
        Interlocked.Increment(ref _commandCounts[command.Command]);
        return command.Command switch
        {
            AtaCommands.IDENTIFY_DEVICE => Identify(command, transfer),
            AtaCommands.READ_DMA_EXT => ReadDmaExt(command, transfer),
            AtaCommands.WRITE_DMA_EXT => WriteDmaExt(command, transfer),
            AtaCommands.FLUSH_CACHE_EXT => Success(AtaProtocol.NonData, command, 0),
            AtaCommands.STANDBY_IMMEDIATE => StandbyImmediate(command),
            AtaCommands.SET_FEATURES => SetFeatures(command),
            _ => Abort(command),
        };
    }

    /// <summary>ATA8-ACS IDENTIFY DEVICE: PIO data-in, 512 bytes.</summary>
    private AtaCompletion Identify(in AtaTaskFile command, DmaTransfer transfer)
    {
        Span<byte> data = stackalloc byte[IdentifyDeviceData.Length];
        IdentifyDeviceData.Build(data, Options.Model, Options.SerialNumber, Options.FirmwareRevision, Options.CapacitySectors, Options.RotationRate,
            new IdentifyDeviceData.Settings(_writeCacheEnabled, _readLookAheadEnabled, _ultraDmaMode, _multiwordDmaMode, _softwareSettingsPreservation));
        var written = transfer.Write(data);
        return new AtaCompletion(AtaProtocol.PioDataIn, AtaStatus.DRDY | AtaStatus.DSC, 0, Outputs(command), written, written < data.Length);
    }

    /// <summary>ATA8-ACS READ DMA EXT.</summary>
    private AtaCompletion ReadDmaExt(in AtaTaskFile command, DmaTransfer transfer)
    {
        if (!TryMediaRange(command, out var offset, out var bytes))
        {
            return Error(command, AtaError.IDNF);
        }

        Volatile.Write(ref _standby, 0);
        var remaining = bytes;
        while (remaining > 0)
        {
            var piece = transfer.Next(remaining);
            if (piece.IsEmpty)
            {
                break; // the PRDT is shorter than the data: the HBA reports an overflow
            }

            _image.Read(offset, piece);
            offset += piece.Length;
            remaining -= piece.Length;
        }

        return new AtaCompletion(AtaProtocol.DmaIn, AtaStatus.DRDY | AtaStatus.DSC, 0, Outputs(command), bytes - remaining, remaining > 0);
    }

    /// <summary>ATA8-ACS WRITE DMA EXT.</summary>
    private AtaCompletion WriteDmaExt(in AtaTaskFile command, DmaTransfer transfer)
    {
        if (!TryMediaRange(command, out var offset, out var bytes))
        {
            return Error(command, AtaError.IDNF);
        }

        Volatile.Write(ref _standby, 0);
        var remaining = bytes;
        while (remaining > 0)
        {
            var piece = transfer.Next(remaining);
            if (piece.IsEmpty)
            {
                break; // the PRDT holds less data than the command moves
            }

            _image.Write(offset, piece);
            offset += piece.Length;
            remaining -= piece.Length;
        }

        return new AtaCompletion(AtaProtocol.DmaOut, AtaStatus.DRDY | AtaStatus.DSC, 0, Outputs(command), bytes - remaining, remaining > 0);
    }

    /// <summary>ATA8-ACS STANDBY IMMEDIATE: the disk enters Standby (the next media access spins it up).</summary>
    private AtaCompletion StandbyImmediate(in AtaTaskFile command)
    {
        Volatile.Write(ref _standby, 1);
        return Success(AtaProtocol.NonData, command, 0);
    }

    /// <summary>ATA8-ACS SET FEATURES: the subcommands <see cref="AtaSetFeatures"/> lists; any other aborts.</summary>
    private AtaCompletion SetFeatures(in AtaTaskFile command)
    {
        var count = command.Count & 0xFF;
        switch (command.Features & 0xFF)
        {
            case AtaSetFeatures.EnableWriteCache:
                _writeCacheEnabled = true;
                break;
            case AtaSetFeatures.DisableWriteCache:
                _writeCacheEnabled = false;
                break;
            case AtaSetFeatures.EnableReadLookAhead:
                _readLookAheadEnabled = true;
                break;
            case AtaSetFeatures.DisableReadLookAhead:
                _readLookAheadEnabled = false;
                break;
            case AtaSetFeatures.EnableRevertToPowerOnDefaults:
                _revertToDefaultsOnSoftReset = true;
                break;
            case AtaSetFeatures.DisableRevertToPowerOnDefaults:
                _revertToDefaultsOnSoftReset = false;
                break;
            case AtaSetFeatures.SetTransferMode when count is 0x00 or 0x01 or (>= 0x08 and <= 0x0C):
                break; // a PIO mode: DMA selection is unchanged
            case AtaSetFeatures.SetTransferMode when count is >= 0x20 and <= 0x22:
                _multiwordDmaMode = count - 0x20;
                _ultraDmaMode = -1;
                break;
            case AtaSetFeatures.SetTransferMode when count is >= 0x40 and <= 0x46:
                _ultraDmaMode = count - 0x40;
                _multiwordDmaMode = -1;
                break;
            case AtaSetFeatures.EnableSataFeature when count == 0x06:
                _softwareSettingsPreservation = true;
                break;
            case AtaSetFeatures.DisableSataFeature when count == 0x06:
                _softwareSettingsPreservation = false;
                break;
            default:
                return Abort(command);
        }

        return Success(AtaProtocol.NonData, command, 0);
    }

    private bool TryMediaRange(in AtaTaskFile command, out long offset, out long bytes)
    {
        var sectors = command.Count == 0 ? MaxSectorsPerCommand : command.Count;
        var lba = (long)command.Lba; // 48 bits: always fits
        offset = lba * SectorSize;
        bytes = (long)sectors * SectorSize;
        return lba + sectors <= Options.CapacitySectors;
    }

    private void RestoreDefaults()
    {
        _writeCacheEnabled = true;
        _readLookAheadEnabled = true;
        _ultraDmaMode = 6;
        _multiwordDmaMode = -1;
    }

    private void CheckRange(long lba, int length)
    {
        if (length % SectorSize != 0)
        {
            throw new ArgumentException($"A whole number of {SectorSize}-byte sectors, not {length} bytes.", nameof(length));
        }

        if (lba < 0 || lba > Options.CapacitySectors - (length / SectorSize))
        {
            throw new ArgumentException($"Sectors {lba}..{lba + (length / SectorSize)} pass the end of the disk ({Options.CapacitySectors} sectors).", nameof(lba));
        }
    }

    private static AtaTaskFile Outputs(in AtaTaskFile command) => new() { Device = command.Device };

    private static AtaCompletion Success(AtaProtocol protocol, in AtaTaskFile command, long bytes) =>
        new(protocol, AtaStatus.DRDY | AtaStatus.DSC, 0, Outputs(command), bytes, false);

    /// <summary>The command is aborted: Status DRDY | DSC | ERR, Error ABRT (the LBA and Count registers echo the command's).</summary>
    private static AtaCompletion Abort(in AtaTaskFile command) => Error(command, AtaError.ABRT);

    private static AtaCompletion Error(in AtaTaskFile command, byte error) =>
        new(AtaProtocol.NonData, AtaStatus.DRDY | AtaStatus.DSC | AtaStatus.ERR, error, new AtaTaskFile { Device = command.Device, Lba = command.Lba, Count = command.Count }, 0, false);
}
