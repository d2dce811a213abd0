using System.Buffers.Binary;
using MiniportTimers.Devices.Ata;

namespace MiniportTimers.Devices.Sata;

/// <summary>
/// Frame Information Structures (Serial ATA Revision 3.x, the transport layer's FIS types): the type codes, the layouts of the FISes the
/// AHCI model exchanges (Register Host to Device, Register Device to Host, PIO Setup), and helpers to write and read
/// them. Multi-byte fields are little-endian. Thread safety: stateless; safe from any thread.
/// </summary>
public static class SataFis
{
    /// <summary>FIS type 27h: Register, Host to Device (20 bytes).</summary>
    public const byte TypeRegisterH2D = 0x27;

    /// <summary>FIS type 34h: Register, Device to Host (20 bytes).</summary>
    public const byte TypeRegisterD2H = 0x34;

    /// <summary>FIS type 39h: DMA Activate, Device to Host.</summary>
    public const byte TypeDmaActivate = 0x39;

    /// <summary>FIS type 41h: DMA Setup, bidirectional (28 bytes).</summary>
    public const byte TypeDmaSetup = 0x41;

    /// <summary>FIS type 46h: Data, bidirectional.</summary>
    public const byte TypeData = 0x46;

    /// <summary>FIS type 58h: BIST Activate, bidirectional.</summary>
    public const byte TypeBistActivate = 0x58;

    /// <summary>FIS type 5Fh: PIO Setup, Device to Host (20 bytes).</summary>
    public const byte TypePioSetup = 0x5F;

    /// <summary>FIS type A1h: Set Device Bits, Device to Host (8 bytes).</summary>
    public const byte TypeSetDeviceBits = 0xA1;

    /// <summary>The length of a Register H2D, Register D2H or PIO Setup FIS, in bytes (5 dwords).</summary>
    public const int RegisterFisLength = 20;

    /// <summary>Register H2D byte 1 bit 7: C, the FIS updates the Command register (1) or the Device Control register (0).</summary>
    public const byte H2DCommandBit = 0x80;

    /// <summary>Register D2H and PIO Setup byte 1 bit 6: I, the device asks for an interrupt.</summary>
    public const byte InterruptBit = 0x40;

    /// <summary>PIO Setup byte 1 bit 5: D, the data transfer direction is device to host.</summary>
    public const byte PioSetupDeviceToHostBit = 0x20;

    /// <summary>Device Control register bit 2: SRST, software reset.</summary>
    public const byte ControlSRST = 0x04;

    /// <summary>Device Control register bit 1: nIEN, interrupts disabled.</summary>
    public const byte ControlNIEN = 0x02;

    /// <summary>
    /// Writes a Register Host to Device FIS (20 bytes) into <paramref name="destination"/>: byte 0 type 27h, byte 1 C
    /// bit, 2 Command, 3 Features 7:0, 4-6 LBA 23:0, 7 Device, 8-10 LBA 47:24, 11 Features 15:8, 12-13 Count, 15 Control.
    /// </summary>
    /// <param name="destination">At least 20 bytes.</param>
    /// <param name="command">The ATA command code (ignored by the device when <paramref name="isCommand"/> is false).</param>
    /// <param name="features">Features 15:0.</param>
    /// <param name="lba">LBA 47:0 (higher bits are dropped).</param>
    /// <param name="count">Count 15:0 (for READ/WRITE DMA EXT, 0 means 65,536 sectors).</param>
    /// <param name="device">The Device register (40h for LBA addressing).</param>
    /// <param name="control">The Device Control register (SRST, nIEN).</param>
    /// <param name="isCommand">True (C = 1) for a command; false for a Device Control update (software reset).</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 20 bytes.</exception>
    public static void WriteRegisterH2D(Span<byte> destination, byte command, ushort features, ulong lba, ushort count, byte device = 0x40, byte control = 0, bool isCommand = true)
    {
        if (destination.Length < RegisterFisLength)
        {
            throw new ArgumentException("A Register H2D FIS is 20 bytes.", nameof(destination));
        }

        destination[..RegisterFisLength].Clear();
        destination[0] = TypeRegisterH2D;
        destination[1] = isCommand ? H2DCommandBit : (byte)0;
        destination[2] = command;
        destination[3] = unchecked((byte)features);
        WriteLba(destination, lba);
        destination[7] = device;
        destination[11] = unchecked((byte)(features >> 8));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[12..], count);
        destination[15] = control;
    }

    /// <summary>Reads a Register Host to Device FIS's task file registers.</summary>
    internal static AtaTaskFile ReadRegisterH2D(ReadOnlySpan<byte> fis) => new()
    {
        Command = fis[2],
        Features = (ushort)(fis[3] | (fis[11] << 8)),
        Lba = ReadLba(fis),
        Device = fis[7],
        Count = BinaryPrimitives.ReadUInt16LittleEndian(fis[12..]),
        Control = fis[15],
    };

    /// <summary>Writes a Register Device to Host FIS: type 34h, I bit, 2 Status, 3 Error, 4-10 LBA and Device, 12-13 Count.</summary>
    internal static void WriteRegisterD2H(Span<byte> destination, in AtaTaskFile outputs, byte status, byte error, bool interrupt)
    {
        destination[..RegisterFisLength].Clear();
        destination[0] = TypeRegisterD2H;
        destination[1] = interrupt ? InterruptBit : (byte)0;
        destination[2] = status;
        destination[3] = error;
        WriteLba(destination, outputs.Lba);
        destination[7] = outputs.Device;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[12..], outputs.Count);
    }

    /// <summary>Writes a PIO Setup FIS: type 5Fh, D and I bits, 2 Status, 3 Error, 4-10 LBA and Device, 12-13 Count, 15 E_Status, 16-17 Transfer Count.</summary>
    internal static void WritePioSetup(Span<byte> destination, in AtaTaskFile outputs, byte status, byte error, byte endStatus, ushort transferCount, bool deviceToHost, bool interrupt)
    {
        destination[..RegisterFisLength].Clear();
        destination[0] = TypePioSetup;
        destination[1] = (byte)((interrupt ? InterruptBit : 0) | (deviceToHost ? PioSetupDeviceToHostBit : 0));
        destination[2] = status;
        destination[3] = error;
        WriteLba(destination, outputs.Lba);
        destination[7] = outputs.Device;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[12..], outputs.Count);
        destination[15] = endStatus;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[16..], transferCount);
    }

    private static void WriteLba(Span<byte> fis, ulong lba)
    {
        unchecked
        {
            // Truncation is the point: each byte takes its 8 bits of the 48-bit LBA.
            fis[4] = (byte)lba;
            fis[5] = (byte)(lba >> 8);
            fis[6] = (byte)(lba >> 16);
            fis[8] = (byte)(lba >> 24);
            fis[9] = (byte)(lba >> 32);
            fis[10] = (byte)(lba >> 40);
        }
    }

    private static ulong ReadLba(ReadOnlySpan<byte> fis) =>
        fis[4] | ((ulong)fis[5] << 8) | ((ulong)fis[6] << 16) | ((ulong)fis[8] << 24) | ((ulong)fis[9] << 32) | ((ulong)fis[10] << 40);
}
