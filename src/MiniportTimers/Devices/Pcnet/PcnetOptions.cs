namespace MiniportTimers.Devices.Pcnet;

/// <summary>The build of one emulated PCnet-PCI II (<see cref="Pcnet"/>): its station address, resources and link.</summary>
public sealed class PcnetOptions
{
    /// <summary>The station address in the address PROM (6 bytes). Default 00-0C-29-00-00-01 (a locally chosen address).</summary>
    public byte[] MacAddress { get; init; } = [0x00, 0x0C, 0x29, 0x00, 0x00, 0x01];

    /// <summary>The I/O port BAR0 is placed at (a multiple of 32 below 10000h). Default C000h.</summary>
    public ushort IoBase { get; init; } = 0xC000;

    /// <summary>The PCI Interrupt Line register's value. Default 11.</summary>
    public byte InterruptLine { get; init; } = 11;

    /// <summary>Whether the cable is plugged in at power-on. Default true.</summary>
    public bool LinkUp { get; init; } = true;

    /// <summary>Whether the link partner runs full duplex (BCR5's FDLS signal, with BCR9.FDEN). Default false.</summary>
    public bool FullDuplexPartner { get; init; }

    internal void Validate()
    {
        if (MacAddress is null || MacAddress.Length != 6)
        {
            throw new ArgumentException("MacAddress must be 6 bytes.", nameof(MacAddress));
        }

        if (IoBase % PcnetRegisters.IoLength != 0 || IoBase == 0)
        {
            throw new ArgumentException("IoBase must be a non-zero multiple of 32.", nameof(IoBase));
        }
    }
}
