using System.Buffers.Binary;
using System.Text;
using MiniportTimers.Devices.Ata;

namespace MiniportTimers.Tests.Devices.Ata;

/// <summary>
/// IDENTIFY DEVICE data (Devices/Ata/IdentifyDeviceData, ATA8-ACS 7.16): strings two characters a word with the first in
/// the high byte and padded with spaces; the 28-bit capacity (words 60-61) capped at 0FFFFFFFh; the 48-bit one (words
/// 100-103) exact.
/// </summary>
public class IdentifyDeviceDataTests
{
    private static readonly IdentifyDeviceData.Settings Defaults = new(WriteCacheEnabled: true, ReadLookAheadEnabled: true, UltraDmaMode: 6, MultiwordDmaMode: 2, SoftwareSettingsPreservation: true);

    private static ushort Word(byte[] data, int word) => BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(word * 2));

    private static string Text(byte[] data, int firstWord, int characters)
    {
        var text = new StringBuilder();
        for (var i = 0; i < characters / 2; i++)
        {
            var w = Word(data, firstWord + i);
            text.Append((char)(w >> 8)).Append((char)(w & 0xFF));
        }

        return text.ToString();
    }

    [Fact]
    public void Strings_AreTwoCharactersAWord_HighByteFirst_PaddedWithSpaces()
    {
        var data = new byte[IdentifyDeviceData.Length];
        IdentifyDeviceData.Build(data, "MPT SATA DISK", "SN0001", "1.0", 1_000_000, 1, Defaults);
        Assert.Equal("MPT SATA DISK".PadRight(40), Text(data, IdentifyDeviceData.ModelNumberWord, 40));
        Assert.Equal("SN0001".PadRight(20), Text(data, IdentifyDeviceData.SerialNumberWord, 20));
        Assert.Equal("1.0".PadRight(8), Text(data, IdentifyDeviceData.FirmwareRevisionWord, 8));
        Assert.Equal((byte)'P', data[IdentifyDeviceData.ModelNumberWord * 2]); // "MP": 'M' in the high byte, so 'P' comes first in memory
    }

    [Theory]
    [InlineData(1_000_000L, 1_000_000u)]
    [InlineData(0x0FFF_FFFFL, 0x0FFF_FFFFu)]
    [InlineData(0x1_0000_0000L, 0x0FFF_FFFFu)] // 2 TiB of 512-byte sectors: past 28 bits, capped
    public void Capacity_28BitCappedAt0FFFFFFFh_48BitExact(long sectors, uint expected28)
    {
        var data = new byte[IdentifyDeviceData.Length];
        IdentifyDeviceData.Build(data, "M", "S", "F", sectors, 1, Defaults);
        Assert.Equal(expected28, (uint)(Word(data, IdentifyDeviceData.Capacity28Word) | (Word(data, IdentifyDeviceData.Capacity28Word + 1) << 16)));
        var capacity48 = 0L;
        for (var i = 3; i >= 0; i--)
        {
            capacity48 = (capacity48 << 16) | Word(data, IdentifyDeviceData.Capacity48Word + i);
        }

        Assert.Equal(sectors, capacity48);
    }
}
