using MiniportTimers.Devices.Pci;

namespace MiniportTimers.Tests.Devices.Pci;

/// <summary>The sub-dword write arithmetic the AHCI HBA and the NVMe controller share.</summary>
public class SubDwordWriteTests
{
    [Theory]
    [InlineData(0x14, 1, 0xABu, 0x14, 0x0000_00FFu, 0x0000_00ABu)]
    [InlineData(0x17, 1, 0x1CDu, 0x14, 0xFF00_0000u, 0xCD00_0000u)] // only the written byte's bits
    [InlineData(0x16, 2, 0x1234u, 0x14, 0xFFFF_0000u, 0x1234_0000u)]
    [InlineData(0x20, 2, 0xFFFF_BEEFu, 0x20, 0x0000_FFFFu, 0x0000_BEEFu)]
    public void AWrite_FallsInItsDword_AtItsBytes(int byteOffset, int width, uint value, int dword, uint mask, uint bits) =>
        Assert.Equal(new SubDwordWrite(dword, mask, bits), SubDwordWrite.At(byteOffset, width, value));

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(4)]
    public void AWidthOtherThanOneOrTwoBytes_IsRefused(int width) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SubDwordWrite.At(0, width, 0));
}
