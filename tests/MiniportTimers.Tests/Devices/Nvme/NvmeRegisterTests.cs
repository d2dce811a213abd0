using MiniportTimers.Devices.Nvme;
using MiniportTimers.Devices.Pci;
using static MiniportTimers.Devices.Nvme.NvmeRegisters;

namespace MiniportTimers.Tests.Devices.Nvme;

/// <summary>NVM Express 1.3 §2 (PCI header) and §3.1 (registers), §7.6.1 initialization, §7.3.2 reset, §7.6.2 shutdown, and surprise removal.</summary>
public class NvmeRegisterTests
{
    [Fact]
    public void PciHeader_HasTheNvmeClassCodeAnd64BitBar0()
    {
        using var rig = new NvmeRig();
        var config = rig.Controller.PciConfiguration;
        Assert.Equal((0x01, 0x08, 0x02), ((int)config.ClassCode.BaseClass, (int)config.ClassCode.SubClass, (int)config.ClassCode.ProgIf));
        Assert.Equal(NvmeControllerOptions.DefaultVendorId, config.VendorId);
        Assert.Equal(NvmeControllerOptions.DefaultDeviceId, config.DeviceId);
        Assert.Equal(0xFEBC_0004u, config.BaseAddress(0)); // memory, 64-bit (type 10b), not prefetchable
        Assert.Equal(0u, config.BaseAddress(1));           // MUBAR
        Assert.Equal(0x01, config.ReadByte(PciConfigurationSpace.InterruptPinOffset));

        // BAR sizing: all ones reads back the 16 KiB size with the flag bits.
        config.WriteUInt32(PciConfigurationSpace.BaseAddressOffset, uint.MaxValue);
        Assert.Equal(0xFFFF_C004u, config.BaseAddress(0));
        config.WriteUInt32(PciConfigurationSpace.BaseAddressOffset + 4, uint.MaxValue);
        Assert.Equal(uint.MaxValue, config.BaseAddress(1));

        var bar = Assert.Single(rig.Controller.Bars);
        Assert.Equal((0, 0xFEBC_0000UL, (long)RegisterSpaceLength, false, rig.Controller.RegisterBase), (bar.Index, bar.BaseAddress, bar.Length, bar.IsIoSpace, bar.MemoryView));
    }

    [Fact]
    public void AdapterHardware_MapsBar0ToTheRegisterMemory_AndRoutesAccessesToTheController()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { Bar0Address = 0x38_0000_0000 }); // above 4 GiB: MUBAR 38h
        Assert.Equal(0x0000_0004u, rig.Controller.PciConfiguration.BaseAddress(0));
        Assert.Equal(0x38u, rig.Controller.PciConfiguration.BaseAddress(1));
        using var hardware = new AdapterHardware(rig.Controller);
        var registers = hardware.MapDeviceBase(0x38_0000_0000, RegisterSpaceLength, inIoSpace: false);
        Assert.Equal(rig.Controller.RegisterBase, registers);
        Assert.Equal(0, hardware.MapDeviceBase(0x38_0000_0000, RegisterSpaceLength + 1, inIoSpace: false));
        hardware.Write("StorPortWriteRegisterUlong", registers + AQA, 4, 0x0003_0003);
        Assert.Equal(0x0003_0003u, hardware.Read("StorPortReadRegisterUlong", registers + AQA, 4));
        Assert.Equal(VS_1_3, hardware.Read("StorPortReadRegisterUlong", registers + VS, 4));
    }

    [Fact]
    public void Registers_AfterPowerOn_HoldTheResetValues()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { MaximumQueueEntries = 256, TimeoutUnits = 30, DoorbellStride = 1, Version = VS_1_2 });
        var cap = rig.Controller.ReadRegister64(CAP);
        Assert.Equal(255UL, cap & CAP_MQES_Mask);
        Assert.NotEqual(0UL, cap & CAP_CQR);
        Assert.Equal(30UL, (cap & CAP_TO_Mask) >> CAP_TO_Shift);
        Assert.Equal(1UL, (cap & CAP_DSTRD_Mask) >> CAP_DSTRD_Shift);
        Assert.NotEqual(0UL, cap & CAP_CSS_NVM);
        Assert.Equal(0UL, cap & CAP_NSSRS);
        Assert.Equal(0UL, (cap >> CAP_MPSMIN_Shift) & 0xF);
        Assert.Equal(4UL, (cap >> CAP_MPSMAX_Shift) & 0xF);
        Assert.Equal(rig.Controller.Capabilities, cap);
        Assert.Equal(VS_1_2, rig.Read(VS));
        foreach (var offset in new[] { INTMS, INTMC, CC, CSTS, NSSR, AQA, ASQ, ASQ + 4, ACQ, ACQ + 4, CMBLOC, CMBSZ })
        {
            Assert.Equal(0u, rig.Read(offset));
        }
    }

    [Fact]
    public void ReadOnlyAndReservedRegisters_IgnoreWrites_DoorbellsReadZero()
    {
        using var rig = new NvmeRig();
        var cap = rig.Controller.ReadRegister64(CAP);
        foreach (var offset in new[] { CAP, CAP + 4, VS, CSTS, NSSR, CMBLOC, CMBSZ, 0x40, 0xFFC })
        {
            var before = rig.Read(offset);
            rig.Write(offset, ~before);
            Assert.Equal(before, rig.Read(offset));
        }

        Assert.Equal(cap, rig.Controller.ReadRegister64(CAP));
        rig.Write(ASQ, 0x1234_5FFF);           // bits 11:0 reserved
        Assert.Equal(0x1234_5000u, rig.Read(ASQ));
        rig.Write(AQA, 0xFFFF_FFFF);
        Assert.Equal(AQA_ASQS_Mask | AQA_ACQS_Mask, rig.Read(AQA));
        rig.Write(DoorbellBase, 5);           // disabled controller: ignored and counted
        Assert.Equal(0u, rig.Read(DoorbellBase));
        Assert.Equal(1, rig.Controller.InvalidDoorbellWriteCount);
    }

    [Fact]
    public void Registers_AreReadableFromTheMemoryView_AndThroughReadBar()
    {
        using var rig = new NvmeRig();
        rig.Write(AQA, 0x000F_000F);
        Assert.Equal(0x000F_000F, System.Runtime.InteropServices.Marshal.ReadInt32(rig.Controller.RegisterBase, AQA));
        Assert.Equal(0x000Fu, rig.Controller.ReadBar(0, AQA + 2, 2));
        Assert.Equal(0x01u, rig.Controller.ReadBar(0, VS + 2, 1)); // MJR
        Assert.Equal(0x03u, rig.Controller.ReadBar(0, VS + 1, 1)); // MNR
        rig.Controller.WriteBar(0, AQA + 2, 2, 0x0003);
        Assert.Equal(0x0003_000Fu, rig.Read(AQA));
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Controller.ReadBar(1, 0, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Controller.ReadBar(0, RegisterSpaceLength, 4));
    }

    [Fact]
    public void Enable_SetsReadyAfterTheConfiguredTime()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { ReadyNanoseconds = 200_000_000 });
        rig.Engine.AdvanceBy(1_000_000);
        rig.Enable();
        Assert.Equal(0u, rig.Read(CSTS));
        rig.Engine.AdvanceTo(200_999_999);
        Assert.Equal(0u, rig.Read(CSTS) & CSTS_RDY);
        rig.Engine.AdvanceTo(201_000_000);
        Assert.Equal(CSTS_RDY, rig.Read(CSTS));
    }

    [Fact]
    public void Enable_WithNoReadyTime_IsReadyWithinTheWrite()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        Assert.Equal(0, rig.Engine.NowNanoseconds);
    }

    [Fact]
    public void NeverReady_KeepsRdyClear_UntilAResetAndAnEnableWithItCleared()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { NeverReady = true, TimeoutUnits = 4 });
        rig.Enable();
        rig.Engine.AdvanceBy(2_000_000_000); // CAP.TO × 500 ms and beyond
        Assert.Equal(0u, rig.Read(CSTS));
        rig.Write(DoorbellBase, 1);          // the admin queue is not processed before RDY
        Assert.Equal(1, rig.Controller.InvalidDoorbellWriteCount);
        rig.Write(CC, 0);
        rig.Controller.NeverReady = false;
        rig.EnableReady();
    }

    [Fact]
    public void Enable_WithAConfigurationTheControllerCannotRun_SetsCfs()
    {
        foreach (var bad in new[] { 1u << CC_CSS_Shift, 1u << CC_AMS_Shift, 5u << CC_MPS_Shift })
        {
            using var rig = new NvmeRig();
            rig.Enable(extraCc: bad);
            Assert.Equal(CSTS_CFS, rig.Read(CSTS));
            rig.Write(CC, 0);                   // a controller reset clears CFS
            Assert.Equal(0u, rig.Read(CSTS));
            rig.EnableReady();
        }

        using var noQueue = new NvmeRig();
        noQueue.Write(CC, CC_EN);                // AQA, ASQ, ACQ never programmed
        Assert.Equal(CSTS_CFS, noQueue.Read(CSTS));
    }

    [Fact]
    public void ControllerReset_ClearsReadyAndQueues_AndKeepsTheAdminQueueRegisters()
    {
        using var rig = new NvmeRig();
        rig.EnableReady();
        rig.CreateIoQueuePair();
        rig.Write(INTMS, 1);
        rig.Write(CC, rig.Read(CC) & ~CC_EN);
        Assert.Equal(0u, rig.Read(CSTS));
        Assert.Equal(0u, rig.Read(INTMS));
        Assert.Equal(1, rig.Controller.ControllerResetCount);
        Assert.Equal(rig.Physical(NvmeRig.AdminSq), rig.Controller.ReadRegister64(ASQ));
        Assert.Equal(0x0007_0007u, rig.Read(AQA));

        // Re-enabled, the admin queue starts from slot 0 with phase 1 again, and I/O queue 1 no longer exists.
        rig.EnableReady();
        var delete = rig.Admin(new NvmeRig.Command(NvmeOpcodes.DeleteIoSubmissionQueue) { Cdw10 = 1 });
        Assert.Equal(NvmeStatus.InvalidQueueIdentifier, delete.Status);
        Assert.Equal(1, delete.SubmissionQueueHead);
        var before = rig.Controller.InvalidDoorbellWriteCount;
        rig.Write(SubmissionQueueTailDoorbell(1, 0), 1);
        Assert.Equal(before + 1, rig.Controller.InvalidDoorbellWriteCount);
    }

    [Fact]
    public void ShutdownNotification_ReportsShutdownComplete()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { ShutdownNanoseconds = 3_000_000 });
        rig.EnableReady();
        rig.Write(CC, rig.Read(CC) | CC_SHN_Normal);
        Assert.Equal(CSTS_SHST_Occurring, rig.Read(CSTS) & CSTS_SHST_Mask);
        rig.Engine.AdvanceBy(2_999_999);
        Assert.Equal(CSTS_SHST_Occurring, rig.Read(CSTS) & CSTS_SHST_Mask);
        rig.Engine.AdvanceBy(1);
        Assert.Equal(CSTS_SHST_Complete | CSTS_RDY, rig.Read(CSTS));

        using var immediate = new NvmeRig();
        immediate.EnableReady();
        immediate.Write(CC, immediate.Read(CC) | CC_SHN_Abrupt);
        Assert.Equal(CSTS_SHST_Complete, immediate.Read(CSTS) & CSTS_SHST_Mask);
        immediate.Write(CC, 0);
        Assert.Equal(0u, immediate.Read(CSTS));
    }

    [Fact]
    public void DoorbellStride_PlacesTheDoorbellsFourShiftedByDstrdApart()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { DoorbellStride = 2 });
        Assert.Equal(0x1000 + 16, CompletionQueueHeadDoorbell(0, 2));
        Assert.Equal(0x1000 + 32, SubmissionQueueTailDoorbell(1, 2));
        rig.EnableReady();
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Admin(new NvmeRig.Command(NvmeOpcodes.Identify) { Cdw10 = 1, Prp1 = rig.Physical(NvmeRig.Scratch) }).Status);
        rig.CreateIoQueuePair();
        Assert.Equal(NvmeStatus.SuccessfulCompletion, rig.Run(1, new NvmeRig.Command(NvmeOpcodes.Flush) { Nsid = 1 }).Status);
        Assert.Equal(0, rig.Controller.InvalidDoorbellWriteCount);
        rig.Write(DoorbellBase + 4, 1);        // between two doorbells: nothing there
        Assert.Equal(1, rig.Controller.InvalidDoorbellWriteCount);
        rig.Write(SubmissionQueueTailDoorbell(1, 2), 16); // past the queue's 16 entries
        Assert.Equal(2, rig.Controller.InvalidDoorbellWriteCount);
    }

    [Fact]
    public void InterruptMask_SetAndClear_ReadTheMask()
    {
        using var rig = new NvmeRig();
        rig.Write(INTMS, 0xFFFF_FFFF);
        Assert.Equal(1u, rig.Read(INTMS)); // pin-based: vector 0 only
        Assert.Equal(1u, rig.Read(INTMC));
        rig.Write(INTMC, 1);
        Assert.Equal(0u, rig.Read(INTMS));
        Assert.Equal(0u, rig.Read(INTMC));
    }

    [Fact]
    public void SurpriseRemoval_EveryReadReturnsAllOnes_AndWritesAreIgnored()
    {
        using var rig = new NvmeRig(new NvmeControllerOptions { CommandLatencyNanoseconds = 1_000_000 });
        rig.EnableReady();
        rig.Submit(0, new NvmeRig.Command(NvmeOpcodes.Identify) { Cdw10 = 1, Prp1 = rig.Physical(NvmeRig.Scratch) });
        rig.Controller.SurpriseRemove();
        Assert.True(rig.Controller.IsRemoved);
        foreach (var offset in new[] { CAP, CAP + 4, VS, CC, CSTS, AQA, DoorbellBase, RegisterSpaceLength - 4 })
        {
            Assert.Equal(uint.MaxValue, rig.Read(offset));
            Assert.Equal(uint.MaxValue, rig.Controller.ReadBar(0, offset, 4));
        }

        Assert.Equal(0xFFFFu, rig.Controller.ReadBar(0, 2, 2));
        var config = new byte[PciConfigurationSpace.Length];
        rig.Controller.PciConfiguration.Read(0, config);
        Assert.All(config, b => Assert.Equal(0xFF, b));
        rig.Controller.PciConfiguration.WriteUInt16(PciConfigurationSpace.CommandOffset, 0);
        Assert.Equal(0xFFFFu, rig.Controller.PciConfiguration.Command);

        rig.Write(CC, 0);
        rig.Write(DoorbellBase, 0);
        Assert.Equal(uint.MaxValue, rig.Read(CSTS));
        rig.Engine.AdvanceBy(10_000_000);   // the command in flight never completes, nothing is written
        Assert.Null(rig.Poll(0, ringHeadDoorbell: false));
        Assert.True(rig.Memory(NvmeRig.Scratch, 4096).IndexOfAnyExcept((byte)0) < 0);
        Assert.False(rig.Controller.Interrupt.IsAsserted);
        Assert.Empty(rig.Interrupts);
    }
}
