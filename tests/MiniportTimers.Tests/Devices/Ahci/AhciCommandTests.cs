using System.Buffers.Binary;
using System.Text;
using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Ata;
using MiniportTimers.Devices.Pci;
using MiniportTimers.Devices.Sata;
using static MiniportTimers.Devices.Ahci.AhciMemoryStructures;
using static MiniportTimers.Devices.Ahci.AhciRegisters;

namespace MiniportTimers.Tests.Devices.Ahci;

/// <summary>
/// Command processing (AHCI 1.3.1 §4-§6) against the SATA disk: IDENTIFY DEVICE and its contents (ATA8-ACS word
/// offsets), READ/WRITE DMA EXT through multi-entry PRDTs, aborts and error recovery, latency on the virtual clock,
/// interrupts raised and masked, fatal errors, and the software reset sequence.
/// </summary>
public class AhciCommandTests
{
    private const long Ms = 1_000_000;

    /// <summary>An HBA with a disk on port 0, the port started, PxSERR cleared (so PxIS shows only what commands set).</summary>
    private static (AhciRig Rig, SataDisk Disk) Started(SataDiskOptions? options = null)
    {
        var rig = new AhciRig();
        var disk = rig.AttachDisk(0, options);
        rig.Write(0, PxSERR, 0xFFFF_FFFF);
        rig.StartPort(0);
        return (rig, disk);
    }

    private static string AtaString(byte[] identify, int firstWord, int words)
    {
        var text = new StringBuilder();
        for (var w = firstWord; w < firstWord + words; w++)
        {
            var word = BinaryPrimitives.ReadUInt16LittleEndian(identify.AsSpan(w * 2));
            text.Append((char)(word >> 8)).Append((char)(word & 0xFF));
        }

        return text.ToString();
    }

    [Fact]
    public void IdentifyDevice_ThroughTwoPrdEntries_ReturnsTheDataAtTheStandardWordOffsets()
    {
        var (rig, _) = Started(new SataDiskOptions { Model = "MPT Model X-42", SerialNumber = "SN-0042", FirmwareRevision = "FW7", CapacitySectors = 0x1_2345_6789 });
        using var _ = rig;
        var identify = new byte[512];
        var buffer = rig.MapBuffer(identify);
        rig.Run(0, 3, AtaCommands.IDENTIFY_DEVICE, prds: [new(buffer.PhysicalAddress, 256), new(buffer.PhysicalAddress + 256, 256)]);
        ushort Word(int w) => BinaryPrimitives.ReadUInt16LittleEndian(identify.AsSpan(w * 2));

        Assert.Equal("MPT Model X-42".PadRight(40), AtaString(identify, 27, 20)); // words 27-46, first character in the high byte
        Assert.Equal((byte)'P', identify[54]);                                    // so in memory each pair is swapped
        Assert.Equal((byte)'M', identify[55]);
        Assert.Equal("SN-0042".PadRight(20), AtaString(identify, 10, 10));
        Assert.Equal("FW7".PadRight(8), AtaString(identify, 23, 4));
        Assert.Equal(new ushort[] { 0x6789, 0x2345, 0x0001, 0x0000 }, new[] { Word(100), Word(101), Word(102), Word(103) }); // 48-bit capacity
        Assert.Equal(new ushort[] { 0xFFFF, 0x0FFF }, new[] { Word(60), Word(61) });    // 28-bit capacity saturates
        Assert.NotEqual(0, Word(83) & (1 << 10));  // 48-bit address feature set
        Assert.NotEqual(0, Word(86) & (1 << 10));
        Assert.NotEqual(0, Word(83) & (1 << 13));  // FLUSH CACHE EXT
        Assert.Equal(0, Word(76) & (1 << 8));      // no NCQ
        Assert.Equal(0, Word(75));
        Assert.Equal(0, Word(84) & (1 << 5));      // no General Purpose Logging
        Assert.Equal(0x0300, Word(49) & 0x0300);   // LBA and DMA
        Assert.NotEqual(0, Word(85) & (1 << 5));   // write cache enabled
        Assert.Equal(0x40, Word(88) >> 8);         // Ultra DMA mode 6 selected
        Assert.Equal(0xA5, identify[510]);
        Assert.Equal(0, identify.Sum(b => b) % 256); // integrity word

        // PIO data-in: a PIO Setup FIS (I, D; E_Status 50h; 512 bytes) and no D2H FIS; PxIS.PSS; PRDBC counts the bytes.
        var fis = rig.ReceivedFis(0);
        Assert.Equal(SataFis.TypePioSetup, fis[PSFIS]);
        Assert.Equal(0x60, fis[PSFIS + 1]);
        Assert.Equal(0x50, fis[PSFIS + 15]);
        Assert.Equal(512, BinaryPrimitives.ReadUInt16LittleEndian(fis[(PSFIS + 16)..]));
        Assert.Equal(0, fis[RFIS]);
        Assert.Equal(PxIS_PSS, rig.Read(0, PxIS));
        Assert.Equal(0x50u, rig.Read(0, PxTFD));
        Assert.Equal(0u, rig.Read(0, PxCI));
        Assert.Equal(512u, rig.ByteCount(0, 3));
    }

    [Fact]
    public void WriteThenReadDmaExt_PrdtsOfSeveralEntriesAcrossBuffers_TheDataComesBackUnchanged()
    {
        var (rig, disk) = Started();
        using var _ = rig;
        var a = new byte[10_000];
        var b = new byte[30_000];
        var c = new byte[24_576];
        var pa = rig.MapBuffer(a).PhysicalAddress;
        var pb = rig.MapBuffer(b).PhysicalAddress;
        var pc = rig.MapBuffer(c).PhysicalAddress;
        var data = new byte[24_576]; // 48 sectors
        new Random(7).NextBytes(data);
        data.AsSpan(0, 4096).CopyTo(a);
        data.AsSpan(4096, 10_000).CopyTo(b.AsSpan(2));
        data.AsSpan(14_096, 2048).CopyTo(a.AsSpan(4096));
        data.AsSpan(16_144, 8432).CopyTo(b.AsSpan(20_000));

        rig.Run(0, 0, AtaCommands.WRITE_DMA_EXT, lba: 1000, count: 48, write: true,
            prds: [new(pa, 4096), new(pb + 2, 10_000), new(pa + 4096, 2048), new(pb + 20_000, 8432)]);
        Assert.Equal(0x50u, rig.Read(0, PxTFD));
        Assert.Equal(24_576u, rig.ByteCount(0, 0));
        var image = new byte[24_576];
        disk.ReadSectors(1000, image);
        Assert.Equal(data, image);

        rig.Run(0, 1, AtaCommands.READ_DMA_EXT, lba: 1000, count: 48, prds: [new(pc, 512), new(pc + 512, 16_384), new(pc + 16_896, 7680)]);
        Assert.Equal(data, c);
        Assert.Equal(24_576u, rig.ByteCount(0, 1));
        Assert.Equal(PxIS_DHRS, rig.Read(0, PxIS));
        var rfis = rig.ReceivedFis(0)[RFIS..];
        Assert.Equal(new byte[] { SataFis.TypeRegisterD2H, SataFis.InterruptBit, 0x50, 0x00 }, rfis[..4].ToArray());
        Assert.Equal(1L, disk.GetCommandCount(AtaCommands.WRITE_DMA_EXT));
        Assert.Equal(1L, disk.GetCommandCount(AtaCommands.READ_DMA_EXT));
        Assert.Equal(2L, rig.Hba.Ports[0].CommandsCompleted);
    }

    [Fact]
    public void ReadDmaExt_NeverWrittenSectors_ReadZeros()
    {
        var (rig, disk) = Started();
        using var _ = rig;
        var buffer = new byte[4096];
        buffer.AsSpan().Fill(0xEE);
        rig.Run(0, 0, AtaCommands.READ_DMA_EXT, lba: 123_456, count: 8, prds: [new(rig.MapBuffer(buffer).PhysicalAddress, 4096)]);
        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.Equal(0L, disk.AllocatedBytes);
    }

    [Fact]
    public void UnsupportedCommand_AnswersAbrt_AndTheHbaStopsUntilStIsCleared()
    {
        var (rig, disk) = Started();
        using var _ = rig;
        rig.Run(0, 5, AtaCommands.READ_LOG_EXT, count: 1);

        Assert.Equal(0x0451u, rig.Read(0, PxTFD));                   // ERR = ABRT, STS = DRDY | DSC | ERR
        Assert.Equal(PxIS_TFES | PxIS_DHRS, rig.Read(0, PxIS));
        Assert.Equal(1u << 5, rig.Read(0, PxCI));                     // §6.2.2.1: the failed slot stays issued ...
        Assert.Equal(5u, (rig.Read(0, PxCMD) & PxCMD_CCS_Mask) >> PxCMD_CCS_Shift); // ... and CCS names it
        var rfis = rig.ReceivedFis(0)[RFIS..];
        Assert.Equal(new byte[] { SataFis.TypeRegisterD2H, SataFis.InterruptBit, 0x51, AtaError.ABRT }, rfis[..4].ToArray());

        rig.Run(0, 6, AtaCommands.FLUSH_CACHE_EXT);                    // the command list is stopped
        Assert.Equal((1u << 5) | (1u << 6), rig.Read(0, PxCI));
        Assert.Equal(0L, disk.GetCommandCount(AtaCommands.FLUSH_CACHE_EXT));

        rig.Write(0, PxCMD, rig.Read(0, PxCMD) & ~PxCMD_ST);         // recovery: clearing ST clears PxCI
        Assert.Equal(0u, rig.Read(0, PxCI));
        rig.Write(0, PxIS, 0xFFFF_FFFF);
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | PxCMD_ST);
        rig.Run(0, 6, AtaCommands.FLUSH_CACHE_EXT);
        Assert.Equal(0u, rig.Read(0, PxCI));
        Assert.Equal(0x50u, rig.Read(0, PxTFD));
        Assert.Equal(1L, disk.GetCommandCount(AtaCommands.FLUSH_CACHE_EXT));
        Assert.Equal(1L, disk.GetCommandCount(AtaCommands.READ_LOG_EXT));
    }

    [Theory]
    [InlineData(AtaCommands.READ_FPDMA_QUEUED)]
    [InlineData(AtaCommands.IDENTIFY_PACKET_DEVICE)]
    [InlineData(AtaCommands.SMART)]
    [InlineData(AtaCommands.FLUSH_CACHE)]
    [InlineData(AtaCommands.CHECK_POWER_MODE)]
    [InlineData(AtaCommands.SECURITY_FREEZE_LOCK)]
    [InlineData((byte)0x00)]
    public void CommandsTheDiskDoesNotImplement_AreAborted(byte command)
    {
        var (rig, _) = Started();
        using var _ = rig;
        rig.Run(0, 0, command);
        Assert.Equal(((uint)AtaError.ABRT << 8) | 0x51, rig.Read(0, PxTFD));
        Assert.NotEqual(0u, rig.Read(0, PxIS) & PxIS_TFES);
    }

    [Fact]
    public void ReadDmaExt_PastTheEndOfTheDisk_AnswersIdnf()
    {
        var (rig, disk) = Started(new SataDiskOptions { CapacitySectors = 1000 });
        using var _ = rig;
        rig.Run(0, 0, AtaCommands.READ_DMA_EXT, lba: 999, count: 2, prds: [new(rig.MapBuffer(new byte[1024]).PhysicalAddress, 1024)]);
        Assert.Equal(((uint)AtaError.IDNF << 8) | 0x51, rig.Read(0, PxTFD));
        Assert.Equal(1000, disk.CapacitySectors);
    }

    [Fact]
    public void SetFeatures_KnownSubcommandsChangeIdentify_UnknownOnesAbort()
    {
        var (rig, disk) = Started();
        using var _ = rig;
        rig.Run(0, 0, AtaCommands.SET_FEATURES, features: AtaSetFeatures.DisableWriteCache);
        rig.Run(0, 1, AtaCommands.SET_FEATURES, features: AtaSetFeatures.SetTransferMode, count: 0x44); // Ultra DMA 4
        Assert.Equal(0x50u, rig.Read(0, PxTFD));
        var identify = new byte[512];
        rig.Run(0, 2, AtaCommands.IDENTIFY_DEVICE, prds: [new(rig.MapBuffer(identify).PhysicalAddress, 512)]);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16LittleEndian(identify.AsSpan(85 * 2)) & (1 << 5));
        Assert.Equal(0x10, BinaryPrimitives.ReadUInt16LittleEndian(identify.AsSpan(88 * 2)) >> 8);

        rig.Run(0, 3, AtaCommands.SET_FEATURES, features: 0x05); // advanced power management: not supported
        Assert.Equal(((uint)AtaError.ABRT << 8) | 0x51, rig.Read(0, PxTFD));
        Assert.Equal(4L, disk.GetCommandCount(AtaCommands.SET_FEATURES) + disk.GetCommandCount(AtaCommands.IDENTIFY_DEVICE));
    }

    [Fact]
    public void FlushCacheExtAndStandbyImmediate_Succeed_AndAMediaAccessInStandbySpinsUpFirst()
    {
        var (rig, disk) = Started(new SataDiskOptions { SpinUpNanoseconds = 100 * Ms, CommandLatencyNanoseconds = 1 * Ms });
        using var _ = rig;
        rig.Engine.AdvanceBy(100 * Ms); // power-on spin-up
        rig.StartPort(0);
        rig.Run(0, 0, AtaCommands.FLUSH_CACHE_EXT);
        rig.Engine.AdvanceBy(1 * Ms);
        Assert.Equal(0u, rig.Read(0, PxCI));
        rig.Run(0, 1, AtaCommands.STANDBY_IMMEDIATE);
        rig.Engine.AdvanceBy(1 * Ms);
        Assert.True(disk.InStandby);

        var issued = rig.Engine.NowNanoseconds;
        rig.Run(0, 2, AtaCommands.READ_DMA_EXT, lba: 0, count: 1, prds: [new(rig.MapBuffer(new byte[512]).PhysicalAddress, 512)]);
        rig.Engine.AdvanceTo(issued + (101 * Ms) - 1);
        Assert.Equal(1u << 2, rig.Read(0, PxCI));
        rig.Engine.AdvanceTo(issued + (101 * Ms));
        Assert.Equal(0u, rig.Read(0, PxCI));
        Assert.False(disk.InStandby);
    }

    [Fact]
    public void CommandLatency_TheCommandCompletesExactlyThatLongAfterItIsIssued_BsyMeanwhile()
    {
        var (rig, _) = Started(new SataDiskOptions { CommandLatencyNanoseconds = 3 * Ms });
        using var _ = rig;
        rig.Engine.AdvanceBy(10 * Ms);
        rig.BuildCommand(0, 7, AtaCommands.FLUSH_CACHE_EXT);
        rig.Issue(0, 7);
        Assert.Equal(7u, (rig.Read(0, PxCMD) & PxCMD_CCS_Mask) >> PxCMD_CCS_Shift);
        Assert.NotEqual(0u, rig.Read(0, PxTFD) & PxTFD_STS_BSY);
        rig.Engine.AdvanceTo((13 * Ms) - 1);
        Assert.Equal(1u << 7, rig.Read(0, PxCI));
        rig.Engine.AdvanceTo(13 * Ms);
        Assert.Equal(0u, rig.Read(0, PxCI));
        Assert.Equal(0x50u, rig.Read(0, PxTFD));
    }

    [Fact]
    public void SeveralSlotsIssuedAtOnce_RunOneAtATimeInSlotOrder()
    {
        var (rig, disk) = Started(new SataDiskOptions { CommandLatencyNanoseconds = 1 * Ms });
        using var _ = rig;
        var buffer = rig.MapBuffer(new byte[512]).PhysicalAddress;
        rig.BuildCommand(0, 2, AtaCommands.READ_DMA_EXT, lba: 1, count: 1, prds: [new(buffer, 512)]);
        rig.BuildCommand(0, 9, AtaCommands.FLUSH_CACHE_EXT);
        rig.BuildCommand(0, 30, AtaCommands.STANDBY_IMMEDIATE);
        rig.Write(0, PxCI, (1u << 2) | (1u << 9) | (1u << 30));
        rig.Engine.AdvanceBy(1 * Ms);
        Assert.Equal((1u << 9) | (1u << 30), rig.Read(0, PxCI));
        rig.Engine.AdvanceBy(1 * Ms);
        Assert.Equal(1u << 30, rig.Read(0, PxCI));
        rig.Engine.AdvanceBy(1 * Ms);
        Assert.Equal(0u, rig.Read(0, PxCI));
        Assert.Equal(3L, rig.Hba.Ports[0].CommandsCompleted);
        Assert.True(disk.InStandby);
    }

    [Fact]
    public void Interrupt_GhcIeAndPxIeSet_TheLineRisesOncePerCompletionAndFallsWhenCleared()
    {
        var (rig, _) = Started(new SataDiskOptions { CommandLatencyNanoseconds = 2 * Ms });
        using var _ = rig;
        rig.Write(0, PxIE, PxIS_DHRS);
        rig.WriteGlobal(GHC, GHC_AE | GHC_IE);
        rig.Run(0, 0, AtaCommands.FLUSH_CACHE_EXT);
        Assert.Empty(rig.Interrupts);
        rig.Engine.AdvanceBy(2 * Ms);
        Assert.Equal([2 * Ms], rig.Interrupts);
        Assert.True(rig.Hba.Interrupt.IsAsserted);
        Assert.Equal(1u, rig.ReadGlobal(IS));

        // The interrupt service routine: clear PxIS, then IS.
        rig.Write(0, PxIS, rig.Read(0, PxIS));
        rig.WriteGlobal(IS, 1);
        Assert.False(rig.Hba.Interrupt.IsAsserted);

        rig.Run(0, 1, AtaCommands.FLUSH_CACHE_EXT);
        rig.Engine.AdvanceBy(2 * Ms);
        Assert.Equal([2 * Ms, 4 * Ms], rig.Interrupts);
        Assert.Equal(2L, rig.Hba.Interrupt.Deliveries);
    }

    [Fact]
    public void Interrupt_GhcIeClear_StatusIsKeptAndTheLineRisesWhenIeIsSet()
    {
        var (rig, _) = Started();
        using var _ = rig;
        rig.Write(0, PxIE, PxIS_DHRS);
        rig.Run(0, 0, AtaCommands.FLUSH_CACHE_EXT);
        Assert.Equal(1u, rig.ReadGlobal(IS));
        Assert.False(rig.Hba.Interrupt.IsAsserted);
        Assert.Empty(rig.Interrupts);

        rig.WriteGlobal(GHC, GHC_AE | GHC_IE);
        rig.Settle();
        Assert.Single(rig.Interrupts);
    }

    [Fact]
    public void Interrupt_PxIeClear_NoIsBitAndNoLine()
    {
        var (rig, _) = Started();
        using var _ = rig;
        rig.WriteGlobal(GHC, GHC_AE | GHC_IE);
        rig.Write(0, PxIE, PxIS_PSS); // DHRS not enabled
        rig.Run(0, 0, AtaCommands.FLUSH_CACHE_EXT);
        Assert.Equal(PxIS_DHRS, rig.Read(0, PxIS));
        Assert.Equal(0u, rig.ReadGlobal(IS));
        Assert.Empty(rig.Interrupts);
    }

    [Fact]
    public void Interrupt_PciInterruptDisable_MasksTheLineButNotTheStatus()
    {
        var (rig, _) = Started();
        using var _ = rig;
        var pci = rig.Hba.PciConfiguration;
        pci.WriteUInt16(PciConfigurationSpace.CommandOffset, (ushort)(pci.Command | PciConfigurationSpace.CommandInterruptDisable));
        rig.Write(0, PxIE, PxIS_DHRS);
        rig.WriteGlobal(GHC, GHC_AE | GHC_IE);
        rig.Run(0, 0, AtaCommands.FLUSH_CACHE_EXT);
        Assert.False(rig.Hba.Interrupt.IsAsserted);
        Assert.NotEqual(0, pci.ReadUInt16(PciConfigurationSpace.StatusOffset) & PciConfigurationSpace.StatusInterruptStatus);

        pci.WriteUInt16(PciConfigurationSpace.CommandOffset, (ushort)(pci.Command & ~PciConfigurationSpace.CommandInterruptDisable));
        rig.Settle();
        Assert.Single(rig.Interrupts);
    }

    [Fact]
    public void CommandTableAtAnUnmappedAddress_IsAHostBusFatalError()
    {
        var (rig, disk) = Started();
        using var _ = rig;
        rig.BuildCommand(0, 1, AtaCommands.FLUSH_CACHE_EXT);
        BinaryPrimitives.WriteUInt32LittleEndian(rig.Control(AhciRig.CommandListOffset(0) + 32 + HeaderCTBAU, 4), 0x7777); // nothing is mapped there
        rig.Issue(0, 1);
        rig.Settle();
        Assert.Equal(PxIS_HBFS, rig.Read(0, PxIS));
        Assert.Equal(1u << 1, rig.Read(0, PxCI));
        Assert.Equal(0L, disk.GetCommandCount(AtaCommands.FLUSH_CACHE_EXT));
    }

    [Fact]
    public void DataBufferThatWasUnmapped_IsAHostBusFatalError()
    {
        var (rig, _) = Started();
        using var _ = rig;
        var range = rig.Map.Map(new byte[512]);
        rig.Map.Unmap(range);
        rig.Run(0, 0, AtaCommands.READ_DMA_EXT, lba: 0, count: 1, prds: [new(range.PhysicalAddress, 512)]);
        Assert.Equal(PxIS_HBFS, rig.Read(0, PxIS));
        Assert.Equal(1u, rig.Read(0, PxCI));
    }

    [Fact]
    public void DataBufferUnmappedWhileTheCommandWaitsForItsLatency_IsAHostBusFatalErrorNotAWrite()
    {
        var (rig, _) = Started(new SataDiskOptions { CommandLatencyNanoseconds = 5 * Ms });
        using var _ = rig;
        var buffer = new byte[512];
        var range = rig.Map.Map(buffer);
        rig.Run(0, 0, AtaCommands.READ_DMA_EXT, lba: 0, count: 1, prds: [new(range.PhysicalAddress, 512)]);
        rig.Map.Unmap(range);
        rig.Engine.AdvanceBy(5 * Ms);
        Assert.Equal(PxIS_HBFS, rig.Read(0, PxIS));
        Assert.Equal(1u, rig.Read(0, PxCI));
    }

    [Fact]
    public void PrdtSmallerThanTheData_IsAnOverflow()
    {
        var (rig, _) = Started();
        using var _ = rig;
        rig.Run(0, 0, AtaCommands.READ_DMA_EXT, lba: 0, count: 8, prds: [new(rig.MapBuffer(new byte[1024]).PhysicalAddress, 1024)]);
        Assert.Equal(PxIS_OFS, rig.Read(0, PxIS));
        Assert.Equal(1u, rig.Read(0, PxCI));
        Assert.Equal(1024u, rig.ByteCount(0, 0));
    }

    [Fact]
    public void PrdWithTheInterruptBit_SetsDescriptorProcessed()
    {
        var (rig, _) = Started();
        using var _ = rig;
        var buffer = rig.MapBuffer(new byte[1024]).PhysicalAddress;
        rig.Run(0, 0, AtaCommands.READ_DMA_EXT, lba: 0, count: 2, prds: [new(buffer, 512, Interrupt: true), new(buffer + 512, 512)]);
        Assert.Equal(PxIS_DHRS | PxIS_DPS, rig.Read(0, PxIS));
    }

    [Fact]
    public void SoftReset_AfterCloTheSrstPairOfFises_TheDiskSendsItsSignatureAgain()
    {
        var (rig, _) = Started();
        using var _ = rig;
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | PxCMD_CLO);
        rig.BuildCommand(0, 0, 0, headerFlags: HeaderR | HeaderC, control: SataFis.ControlSRST, isCommand: false);
        rig.Issue(0, 0);
        rig.Settle();
        Assert.Equal(0u, rig.Read(0, PxCI)); // C: cleared once sent

        rig.BuildCommand(0, 1, 0, control: 0, isCommand: false);
        rig.Issue(0, 1);
        rig.Settle();
        Assert.Equal(0u, rig.Read(0, PxCI));
        Assert.Equal(0x0150u, rig.Read(0, PxTFD));
        Assert.Equal(SIG_ATA, rig.Read(0, PxSIG));

        rig.Run(0, 2, AtaCommands.FLUSH_CACHE_EXT); // and takes commands again
        Assert.Equal(0u, rig.Read(0, PxCI));
    }

    [Fact]
    public void NoLink_IssuedCommandsWait()
    {
        using var rig = new AhciRig();
        rig.StartPort(2); // an empty port can still be started
        rig.BuildCommand(2, 0, AtaCommands.FLUSH_CACHE_EXT);
        rig.Issue(2, 0);
        rig.Engine.AdvanceBy(10 * Ms);
        Assert.Equal(1u, rig.Read(2, PxCI));
        Assert.Equal(0u, rig.Read(2, PxIS));
    }
}
