namespace MiniportTimers.Devices.Ahci;

/// <summary>
/// How an <see cref="AhciHba"/> is built: its ports, command slots, capabilities that change what a driver does, and
/// its PCI identity. The defaults are what docs/devices.md describes. Immutable (thread-safe); read once, when the HBA is built.
/// </summary>
public sealed record AhciHbaOptions
{
    /// <summary>The PCI vendor ID: 1234h by default, an ID no vendor holds (emulators use it for test devices), so no driver applies a vendor quirk.</summary>
    public const ushort DefaultVendorId = 0x1234;

    /// <summary>The PCI device ID: AC13h ("AHCI 1.3") by default.</summary>
    public const ushort DefaultDeviceId = 0xAC13;

    /// <summary>The default ABAR (BAR5): FEBF0000h, a 32-bit MMIO address below 4 GiB, 8 KiB aligned.</summary>
    public const uint DefaultAbar = 0xFEBF_0000;

    /// <summary>The number of ports, 1 to 32 (ports 0 to n - 1 are implemented: PI = 2^n - 1, CAP.NP = n - 1). Default 4.</summary>
    public int PortCount { get; init; } = 4;

    /// <summary>The number of command slots per port, 1 to 32 (CAP.NCS = n - 1). Default 32.</summary>
    public int CommandSlots { get; init; } = 32;

    /// <summary>CAP.SSS: staggered spin-up. False (the default): PxCMD.SUD reads 1 and a reset sends a COMRESET by itself; true: SUD resets to 0 and software spins each port up (§3.3.7, §10.9.1 listen mode).</summary>
    public bool StaggeredSpinUp { get; init; }

    /// <summary>The ports whose PxCMD.HPCP (Hot Plug Capable Port) reads 1, one bit per port. Default 0: storahci keeps link power management off on a hot-plug-capable port without a presence switch.</summary>
    public uint HotPlugCapablePorts { get; init; }

    /// <summary>The PCI vendor ID (configuration offset 00h).</summary>
    public ushort VendorId { get; init; } = DefaultVendorId;

    /// <summary>The PCI device ID (configuration offset 02h).</summary>
    public ushort DeviceId { get; init; } = DefaultDeviceId;

    /// <summary>The PCI revision ID (configuration offset 08h). Default 01h.</summary>
    public byte RevisionId { get; init; } = 0x01;

    /// <summary>The PCI subsystem vendor ID (offset 2Ch). Default <see cref="DefaultVendorId"/>.</summary>
    public ushort SubsystemVendorId { get; init; } = DefaultVendorId;

    /// <summary>The PCI subsystem ID (offset 2Eh). Default <see cref="DefaultDeviceId"/>.</summary>
    public ushort SubsystemId { get; init; } = DefaultDeviceId;

    /// <summary>BAR5 (ABAR), the physical address of the register space: 8 KiB aligned, below 4 GiB (a 32-bit memory BAR). Default <see cref="DefaultAbar"/>.</summary>
    public uint AbarAddress { get; init; } = DefaultAbar;

    /// <summary>The PCI Interrupt Line register's value (offset 3Ch; for the system's use). Default 11.</summary>
    public byte InterruptLine { get; init; } = 11;

    /// <summary>Throws if an option is out of range.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    internal void Validate()
    {
        if (PortCount is < 1 or > 32)
        {
            throw new ArgumentException($"{nameof(PortCount)} must be 1 to 32, not {PortCount}.");
        }

        if (CommandSlots is < 1 or > 32)
        {
            throw new ArgumentException($"{nameof(CommandSlots)} must be 1 to 32, not {CommandSlots}.");
        }

        if (AbarAddress == 0 || AbarAddress % AhciRegisters.RegisterSpaceLength != 0)
        {
            throw new ArgumentException($"{nameof(AbarAddress)} must be a non-zero multiple of 8 KiB, not 0x{AbarAddress:X}.");
        }
    }
}
