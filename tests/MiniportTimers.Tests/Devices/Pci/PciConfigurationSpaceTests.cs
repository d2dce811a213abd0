using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Pci;
using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Devices.Pci;

/// <summary>The AHCI HBA's configuration space, read and written by offset as GetBusData and SetBusDataByOffset do.</summary>
public class PciConfigurationSpaceTests
{
    private static PciConfigurationSpace Create(AhciHbaOptions? options = null) =>
        new AhciHba(new VirtualTimerEngine(), new HostAddressMap(), options).PciConfiguration;

    [Fact]
    public void Header_AhciHba_IsClass010601WithItsIdsAndInterruptPinA()
    {
        var pci = Create();
        Assert.Equal(AhciHbaOptions.DefaultVendorId, pci.VendorId);
        Assert.Equal(AhciHbaOptions.DefaultDeviceId, pci.DeviceId);
        Assert.Equal(((byte)0x01, (byte)0x06, (byte)0x01), pci.ClassCode);
        Assert.Equal(0x00, pci.ReadByte(PciConfigurationSpace.HeaderTypeOffset));
        Assert.Equal(0x01, pci.ReadByte(PciConfigurationSpace.InterruptPinOffset));
        Assert.Equal(0x01, pci.ReadByte(PciConfigurationSpace.RevisionIdOffset));
        Assert.Equal(AhciHbaOptions.DefaultVendorId, pci.ReadUInt16(PciConfigurationSpace.SubsystemVendorIdOffset));
        Assert.Equal(PciConfigurationSpace.CommandMemorySpaceEnable | PciConfigurationSpace.CommandBusMasterEnable, pci.Command);
    }

    [Fact]
    public void Read_First48BytesAsStorahciDoes_HoldsTheIdsAndBar5()
    {
        var pci = Create(new AhciHbaOptions { VendorId = 0x1B21, DeviceId = 0x0612, AbarAddress = 0xF000_2000 });
        var buffer = new byte[0x30];
        Assert.Equal(0x30, pci.Read(0, buffer));
        Assert.Equal(0x1B21, BitConverter.ToUInt16(buffer, 0));
        Assert.Equal(0x0612, BitConverter.ToUInt16(buffer, 2));
        Assert.Equal(0xF000_2000u, BitConverter.ToUInt32(buffer, 0x24) & 0xFFFF_FFF0);
        for (var bar = 0; bar < 5; bar++)
        {
            Assert.Equal(0u, pci.BaseAddress(bar)); // no legacy IDE BARs
        }
    }

    [Fact]
    public void Bar5_WriteAllOnes_ReadsBackAn8KiBMemoryBar()
    {
        var pci = Create();
        var abar = pci.BaseAddress(5);
        pci.WriteUInt32(0x24, 0xFFFF_FFFF);
        Assert.Equal(0xFFFF_E000u, pci.BaseAddress(5)); // size = ~mask + 1 = 8 KiB; memory, 32-bit, not prefetchable
        pci.WriteUInt32(0x24, abar);
        Assert.Equal(AhciHbaOptions.DefaultAbar, pci.BaseAddress(5));
    }

    [Fact]
    public void Read_AtAndPastTheEnd_CopiesWhatIsThere()
    {
        var pci = Create();
        var buffer = new byte[16];
        Assert.Equal(8, pci.Read(248, buffer));
        Assert.Equal(0, pci.Read(256, buffer));
        Assert.Equal(0, pci.Write(256, buffer));
        Assert.Throws<ArgumentOutOfRangeException>(() => pci.Read(-1, buffer));
    }

    [Fact]
    public void Write_ReadOnlyFields_AreIgnored()
    {
        var pci = Create();
        pci.WriteUInt32(0x00, 0xDEAD_BEEF);
        pci.WriteUInt32(0x08, 0xFFFF_FFFF);
        Assert.Equal(AhciHbaOptions.DefaultVendorId, pci.VendorId);
        Assert.Equal(((byte)0x01, (byte)0x06, (byte)0x01), pci.ClassCode);
        pci.WriteUInt16(PciConfigurationSpace.InterruptLineOffset, 0xFF05);
        Assert.Equal(0x05, pci.ReadByte(PciConfigurationSpace.InterruptLineOffset)); // line is read/write, the pin is not
        Assert.Equal(0x01, pci.ReadByte(PciConfigurationSpace.InterruptPinOffset));
    }

    [Fact]
    public void Capabilities_PowerManagementAt80h_StatusSaysAListIsThere()
    {
        var pci = Create();
        Assert.NotEqual(0, pci.ReadUInt16(PciConfigurationSpace.StatusOffset) & PciConfigurationSpace.StatusCapabilitiesList);
        Assert.Equal(0x80, pci.ReadByte(PciConfigurationSpace.CapabilitiesPointerOffset));
        Assert.Equal(0x01, pci.ReadByte(0x80)); // PCI Power Management
        Assert.Equal(0x00, pci.ReadByte(0x81)); // the last capability
        pci.WriteUInt16(0x84, 0x0003);          // D3hot
        Assert.Equal(0x000B, pci.ReadUInt16(0x84));
    }
}
