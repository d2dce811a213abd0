using MiniportTimers.Engine;

namespace MiniportTimers.Devices.Sata;

/// <summary>
/// What a <see cref="SataDisk"/> is (its IDENTIFY strings and capacity) and how it behaves at first (its timing; the
/// disk's properties change the timing later, on cue). Every time is in nanoseconds on the host's engine clock.
/// Immutable (thread-safe); read once, when the disk is built.
/// </summary>
public sealed record SataDiskOptions
{
    /// <summary>The model number (IDENTIFY words 27-46): up to 40 printable ASCII characters, padded with spaces.</summary>
    public string Model { get; init; } = "MiniportTimers SATA RAM disk";

    /// <summary>The serial number (IDENTIFY words 10-19): up to 20 printable ASCII characters.</summary>
    public string SerialNumber { get; init; } = "MPT0000000000001";

    /// <summary>The firmware revision (IDENTIFY words 23-26): up to 8 printable ASCII characters.</summary>
    public string FirmwareRevision { get; init; } = "1.0";

    /// <summary>The capacity in 512-byte logical sectors (IDENTIFY words 100-103; words 60-61 saturate at 0FFFFFFFh): 1 to 2^48 - 1. Default 2,097,152 (1 GiB).</summary>
    public long CapacitySectors { get; init; } = 2_097_152;

    /// <summary>IDENTIFY word 217, the nominal media rotation rate: 1 for a non-rotating (solid state) device, or 401h to FFFEh rpm. Default 1.</summary>
    public int RotationRate { get; init; } = 1;

    /// <summary>Initial <see cref="SataDisk.LinkUpNanoseconds"/>: from COMINIT (PxSSTS.DET = 1) to Phy communication (DET = 3), ns, 0 or more. Default 0.</summary>
    public long LinkUpNanoseconds { get; init; }

    /// <summary>Initial <see cref="SataDisk.SpinUpNanoseconds"/>: from link up to the signature FIS (PxTFD.STS.BSY set meanwhile), ns, 0 or more. Default 0.</summary>
    public long SpinUpNanoseconds { get; init; }

    /// <summary>Initial <see cref="SataDisk.NeverReady"/>: the disk stays BSY after every reset and never sends its signature. Default false.</summary>
    public bool NeverReady { get; init; }

    /// <summary>Initial <see cref="SataDisk.CommandLatencyNanoseconds"/>: from the HBA sending a command FIS to the device's answer, ns, 0 or more. Default 0.</summary>
    public long CommandLatencyNanoseconds { get; init; }

    /// <summary>Throws if an option is out of range.</summary>
    /// <exception cref="ArgumentException">A string is too long or not printable ASCII, or a number is out of range.</exception>
    internal void Validate()
    {
        CheckText(Model, 40, nameof(Model));
        CheckText(SerialNumber, 20, nameof(SerialNumber));
        CheckText(FirmwareRevision, 8, nameof(FirmwareRevision));
        if (CapacitySectors is < 1 or > (1L << 48) - 1)
        {
            throw new ArgumentException($"{nameof(CapacitySectors)} must be 1 to 2^48 - 1, not {CapacitySectors}.");
        }

        if (RotationRate != 1 && RotationRate is < 0x0401 or > 0xFFFE)
        {
            throw new ArgumentException($"{nameof(RotationRate)} must be 1 or 401h to FFFEh, not {RotationRate}.");
        }

        CheckTime(LinkUpNanoseconds, nameof(LinkUpNanoseconds));
        CheckTime(SpinUpNanoseconds, nameof(SpinUpNanoseconds));
        CheckTime(CommandLatencyNanoseconds, nameof(CommandLatencyNanoseconds));
    }

    /// <summary>Throws unless <paramref name="nanoseconds"/> is 0 to <see cref="TimerEngine.MaxTimeNanoseconds"/>.</summary>
    internal static void CheckTime(long nanoseconds, string name)
    {
        if (nanoseconds is < 0 or > TimerEngine.MaxTimeNanoseconds)
        {
            throw new ArgumentOutOfRangeException(name, nanoseconds, $"A time must be 0 to {TimerEngine.MaxTimeNanoseconds} ns.");
        }
    }

    private static void CheckText(string text, int maxLength, string name)
    {
        ArgumentNullException.ThrowIfNull(text, name);
        if (text.Length > maxLength || text.Any(c => c is < ' ' or > '~'))
        {
            throw new ArgumentException($"{name} must be at most {maxLength} printable ASCII characters: '{text}'.", name);
        }
    }
}
