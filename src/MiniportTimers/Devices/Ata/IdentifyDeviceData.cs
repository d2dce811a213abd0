using System.Buffers.Binary;

namespace MiniportTimers.Devices.Ata;

/// <summary>
/// The 512 bytes of IDENTIFY DEVICE data (ATA8-ACS, IDENTIFY DEVICE data), as 256 little-endian words, for a SATA disk with
/// 48-bit LBA, DMA, a volatile write cache, and neither NCQ nor the General Purpose Logging feature set (so a driver
/// takes the plain, non-queued path). Word numbers below are the standard's.
/// </summary>
internal static class IdentifyDeviceData
{
    /// <summary>The size of IDENTIFY DEVICE data in bytes.</summary>
    public const int Length = 512;

    /// <summary>Word 10-19: serial number, 20 ASCII characters.</summary>
    public const int SerialNumberWord = 10;

    /// <summary>Word 23-26: firmware revision, 8 ASCII characters.</summary>
    public const int FirmwareRevisionWord = 23;

    /// <summary>Word 27-46: model number, 40 ASCII characters.</summary>
    public const int ModelNumberWord = 27;

    /// <summary>Word 60-61: total user-addressable sectors for 28-bit commands.</summary>
    public const int Capacity28Word = 60;

    /// <summary>Word 100-103: total user-addressable sectors for 48-bit commands.</summary>
    public const int Capacity48Word = 100;

    /// <summary>The largest capacity words 60-61 report: 0FFFFFFFh.</summary>
    public const uint MaxCapacity28 = 0x0FFF_FFFF;

    /// <summary>The settings IDENTIFY reports as current (SET FEATURES changes them).</summary>
    public readonly record struct Settings(bool WriteCacheEnabled, bool ReadLookAheadEnabled, int UltraDmaMode, int MultiwordDmaMode, bool SoftwareSettingsPreservation);

    /// <summary>Fills <paramref name="destination"/> (512 bytes) with the disk's IDENTIFY DEVICE data.</summary>
    public static void Build(Span<byte> destination, string model, string serialNumber, string firmwareRevision, long capacitySectors, int rotationRate, in Settings settings)
    {
        var data = destination[..Length];
        data.Clear();
        var cylinders = (ushort)Math.Min(16_383, capacitySectors / (16 * 63));
        var chsSectors = (uint)(cylinders * 16 * 63);

        Word(data, 0, 0x0040);                          // general configuration: ATA device, fixed
        Word(data, 1, cylinders);                       // (obsolete) logical cylinders
        Word(data, 2, 0xC837);                          // specific configuration: no SET FEATURES spin-up needed, IDENTIFY complete
        Word(data, 3, 16);                              // (obsolete) logical heads
        Word(data, 6, 63);                              // (obsolete) sectors per track
        Text(data, SerialNumberWord, 20, serialNumber);
        Text(data, FirmwareRevisionWord, 8, firmwareRevision);
        Text(data, ModelNumberWord, 40, model);
        Word(data, 47, 0x8000);                         // READ/WRITE MULTIPLE: 80h, 0 sectors (not supported)
        Word(data, 49, 0x0F00);                         // capabilities: IORDY, IORDY may be disabled, LBA, DMA
        Word(data, 50, 0x4000);                         // capabilities: bit 14 shall be one
        Word(data, 53, 0x0007);                         // words 54-58, 64-70 and 88 are valid
        Word(data, 54, cylinders);                      // (obsolete) current CHS translation
        Word(data, 55, 16);
        Word(data, 56, 63);
        Word(data, 57, (ushort)(chsSectors & 0xFFFF));
        Word(data, 58, (ushort)(chsSectors >> 16));
        var capacity28 = (uint)Math.Min(capacitySectors, MaxCapacity28);
        Word(data, Capacity28Word, (ushort)(capacity28 & 0xFFFF));
        Word(data, Capacity28Word + 1, (ushort)(capacity28 >> 16));
        Word(data, 63, (ushort)(0x0007 | (settings.MultiwordDmaMode >= 0 ? 0x0100 << settings.MultiwordDmaMode : 0))); // Multiword DMA 0-2 supported, selected
        Word(data, 64, 0x0003);                         // PIO modes 3 and 4
        Word(data, 65, 120);                            // minimum Multiword DMA cycle time, ns
        Word(data, 66, 120);                            // recommended Multiword DMA cycle time, ns
        Word(data, 67, 120);                            // minimum PIO cycle time without flow control, ns
        Word(data, 68, 120);                            // minimum PIO cycle time with IORDY, ns
        Word(data, 75, 0);                              // queue depth: NCQ not supported
        Word(data, 76, 0x020E);                         // SATA capabilities: Gen 1, 2, 3; host-initiated power management; no NCQ (bit 8 clear)
        Word(data, 78, 0x0040);                         // SATA features supported: software settings preservation
        Word(data, 79, (ushort)(settings.SoftwareSettingsPreservation ? 0x0040 : 0)); // SATA features enabled
        Word(data, 80, 0x01F0);                         // major version: ATA/ATAPI-4 to ATA8-ACS
        Word(data, 82, 0x0068);                         // supported: read look-ahead, volatile write cache, power management
        Word(data, 83, 0x6400);                         // supported: bit 14 one, FLUSH CACHE EXT, 48-bit address feature set
        Word(data, 84, 0x4000);                         // supported: bit 14 one; no General Purpose Logging (bit 5 clear)
        Word(data, 85, (ushort)(0x0008 | (settings.ReadLookAheadEnabled ? 0x0040 : 0) | (settings.WriteCacheEnabled ? 0x0020 : 0)));
        Word(data, 86, 0x2400);                         // enabled: FLUSH CACHE EXT, 48-bit address feature set
        Word(data, 87, 0x4000);                         // enabled: bit 14 one
        Word(data, 88, (ushort)(0x007F | (settings.UltraDmaMode >= 0 ? 0x0100 << settings.UltraDmaMode : 0))); // Ultra DMA 0-6 supported, selected
        unchecked
        {
            // Words 100-103: the 64-bit capacity, low word first.
            var capacity48 = (ulong)capacitySectors;
            Word(data, Capacity48Word, (ushort)capacity48);
            Word(data, Capacity48Word + 1, (ushort)(capacity48 >> 16));
            Word(data, Capacity48Word + 2, (ushort)(capacity48 >> 32));
            Word(data, Capacity48Word + 3, (ushort)(capacity48 >> 48));
        }

        Word(data, 106, 0x4000);                        // physical/logical sector size: valid, one 512-byte logical sector per physical sector
        Word(data, 119, 0x4000);                        // commands and feature sets supported (continued): bit 14 one
        Word(data, 120, 0x4000);                        // enabled (continued): bit 14 one
        Word(data, 217, (ushort)rotationRate);          // nominal media rotation rate: 1 non-rotating, else rpm
        Word(data, 222, 0x103F);                        // transport: Serial ATA; 1.0a, II, 2.5, 2.6, 3.0

        // Word 255: signature A5h in bits 7:0, and a checksum in bits 15:8 that makes the 512 bytes sum to 0 (mod 256).
        data[510] = 0xA5;
        var sum = 0;
        for (var i = 0; i < Length - 1; i++)
        {
            sum += data[i];
        }

        data[511] = (byte)((256 - (sum & 0xFF)) & 0xFF);
    }

    private static void Word(Span<byte> data, int word, ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(data[(word * 2)..], value);

    /// <summary>An ATA string: padded with spaces, two characters per word, the first in the word's high byte (so the bytes in memory are swapped pairwise).</summary>
    private static void Text(Span<byte> data, int firstWord, int characters, string text)
    {
        var padded = text.PadRight(characters);
        for (var i = 0; i < characters; i += 2)
        {
            Word(data, firstWord + (i / 2), (ushort)((padded[i] << 8) | padded[i + 1]));
        }
    }
}
