using System.Runtime.InteropServices;
using MiniportTimers.Devices.Ahci;
using static MiniportTimers.Devices.Ahci.AhciRegisters;

namespace MiniportTimers.Tests.Devices.Ahci;

/// <summary>AHCI 1.3.1 chapter 3: reset values, access types (read-only, read/write, write 1 to clear), reserved registers, and the register space as memory.</summary>
public class AhciRegisterTests
{
    [Fact]
    public void GenericHostControl_AfterPowerOn_HoldsTheResetValues()
    {
        using var rig = new AhciRig();
        var cap = rig.ReadGlobal(CAP);
        Assert.NotEqual(0u, cap & CAP_S64A);
        Assert.Equal(0u, cap & CAP_SNCQ);
        Assert.Equal(3u, cap & CAP_NP_Mask);                              // 4 ports, 0-based
        Assert.Equal(31u, (cap & CAP_NCS_Mask) >> CAP_NCS_Shift);         // 32 slots, 0-based
        Assert.Equal(3u, (cap & CAP_ISS_Mask) >> CAP_ISS_Shift);          // Gen 3
        Assert.Equal(CAP_SAM | CAP_SCLO | CAP_SSC | CAP_PSC | CAP_SALP | CAP_SSNTF, cap & (CAP_SAM | CAP_SCLO | CAP_SSC | CAP_PSC | CAP_SALP | CAP_SSNTF));
        Assert.Equal(0u, cap & (CAP_SSS | CAP_SMPS | CAP_SPM | CAP_FBSS | CAP_CCCS | CAP_EMS | CAP_SXS | CAP_SAL));
        Assert.Equal(0u, rig.ReadGlobal(CAP2));
        Assert.Equal(GHC_AE, rig.ReadGlobal(GHC));
        Assert.Equal(0u, rig.ReadGlobal(IS));
        Assert.Equal(0xFu, rig.ReadGlobal(PI));
        Assert.Equal(0x0001_0300u, rig.ReadGlobal(VS));
    }

    [Fact]
    public void EmptyPort_AfterPowerOn_HoldsTheResetValues()
    {
        using var rig = new AhciRig();
        foreach (var register in new[] { PxCLB, PxCLBU, PxFB, PxFBU, PxIS, PxIE, PxSSTS, PxSCTL, PxSERR, PxSACT, PxCI, PxSNTF })
        {
            Assert.Equal(0u, rig.Read(0, register));
        }

        Assert.Equal(PxCMD_SUD | PxCMD_POD, rig.Read(0, PxCMD));
        Assert.Equal(0x7Fu, rig.Read(0, PxTFD));
        Assert.Equal(0xFFFF_FFFFu, rig.Read(0, PxSIG));
    }

    [Fact]
    public void Options_PortsSlotsAndHotPlugBits_ShowInCapAndPxCmd()
    {
        using var rig = new AhciRig(new AhciHbaOptions { PortCount = 6, CommandSlots = 8, HotPlugCapablePorts = 0b10, StaggeredSpinUp = true });
        var cap = rig.ReadGlobal(CAP);
        Assert.Equal(5u, cap & CAP_NP_Mask);
        Assert.Equal(7u, (cap & CAP_NCS_Mask) >> CAP_NCS_Shift);
        Assert.NotEqual(0u, cap & CAP_SSS);
        Assert.Equal(0x3Fu, rig.ReadGlobal(PI));
        Assert.Equal(PxCMD_POD, rig.Read(0, PxCMD));                // SUD resets to 0 with staggered spin-up
        Assert.Equal(PxCMD_POD | PxCMD_HPCP, rig.Read(1, PxCMD));
    }

    [Fact]
    public void ReservedAndUnimplementedRegisters_ReadZeroAndIgnoreWrites()
    {
        using var rig = new AhciRig();
        foreach (var offset in new[] { CCC_CTL, CCC_PORTS, EM_LOC, EM_CTL, BOHC, 0x2C, 0xA0, 0xFC, PortRegister(0, 0x1C), PortRegister(0, PxFBS), PortRegister(0, PxDEVSLP), PortRegister(0, 0x70), PortRegister(4, PxCMD), PortRegister(31, PxCLB), 0x1FFC })
        {
            rig.WriteGlobal(offset, 0xFFFF_FFFF);
            Assert.Equal(0u, rig.ReadGlobal(offset));
        }
    }

    [Fact]
    public void ReadOnlyRegisters_IgnoreWrites()
    {
        using var rig = new AhciRig();
        var cap = rig.ReadGlobal(CAP);
        foreach (var offset in new[] { CAP, PI, VS, CAP2 })
        {
            var before = rig.ReadGlobal(offset);
            rig.WriteGlobal(offset, ~before);
            Assert.Equal(before, rig.ReadGlobal(offset));
        }

        rig.Write(0, PxTFD, 0);
        rig.Write(0, PxSIG, 0);
        rig.Write(0, PxSSTS, 0x123);
        Assert.Equal(0x7Fu, rig.Read(0, PxTFD));
        Assert.Equal(0xFFFF_FFFFu, rig.Read(0, PxSIG));
        Assert.Equal(0u, rig.Read(0, PxSSTS));
        Assert.Equal(cap, rig.ReadGlobal(CAP));
    }

    [Fact]
    public void BaseAddressRegisters_ReservedLowBits_ReadZero()
    {
        using var rig = new AhciRig();
        rig.Write(0, PxCLB, 0xFFFF_FFFF);
        rig.Write(0, PxFB, 0xFFFF_FFFF);
        rig.Write(0, PxCLBU, 0x1234_5678);
        Assert.Equal(0xFFFF_FC00u, rig.Read(0, PxCLB));  // 1 KiB aligned
        Assert.Equal(0xFFFF_FF00u, rig.Read(0, PxFB));   // 256-byte aligned
        Assert.Equal(0x1234_5678u, rig.Read(0, PxCLBU)); // CAP.S64A: read/write
    }

    [Fact]
    public void PxIE_AllOnes_ReadsBackTheImplementedEnables()
    {
        using var rig = new AhciRig();
        rig.Write(0, PxIE, 0xFFFF_FFFF);
        Assert.Equal(0x7DC0_007Fu, rig.Read(0, PxIE)); // no DMPE (CAP.SMPS = 0), no CPDE (PxCMD.CPD = 0), reserved bits 0
    }

    [Fact]
    public void PxCmd_FreAndSt_FrAndCrFollowAtOnce()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0);
        rig.ProgramPort(0);
        Assert.Equal(PxCMD_FRE | PxCMD_FR, rig.Read(0, PxCMD) & (PxCMD_FRE | PxCMD_FR));
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | PxCMD_ST);
        Assert.Equal(PxCMD_ST | PxCMD_CR, rig.Read(0, PxCMD) & (PxCMD_ST | PxCMD_CR));
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) & ~PxCMD_ST);
        Assert.Equal(0u, rig.Read(0, PxCMD) & (PxCMD_ST | PxCMD_CR));
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) & ~PxCMD_FRE);
        Assert.Equal(0u, rig.Read(0, PxCMD) & (PxCMD_FRE | PxCMD_FR));
        Assert.Equal(PxCMD_SUD | PxCMD_POD, rig.Read(0, PxCMD)); // read-only 1 without staggered spin-up or cold presence detect
        rig.Write(0, PxCMD, 0);
        Assert.Equal(PxCMD_SUD | PxCMD_POD, rig.Read(0, PxCMD));
    }

    [Fact]
    public void PxCmd_Clo_ClearsBsyAndDrqThenReadsZero()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0, new() { NeverReady = true });
        Assert.Equal(0x80u, rig.Read(0, PxTFD));
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | PxCMD_CLO);
        Assert.Equal(0u, rig.Read(0, PxTFD) & 0x88);
        Assert.Equal(0u, rig.Read(0, PxCMD) & PxCMD_CLO);
    }

    [Fact]
    public void PxCi_WrittenWhileStIsClear_IsIgnored()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0);
        rig.ProgramPort(0);
        rig.Write(0, PxCI, 1);
        rig.Write(0, PxSACT, 1);
        Assert.Equal(0u, rig.Read(0, PxCI));
        Assert.Equal(0u, rig.Read(0, PxSACT));
    }

    [Fact]
    public void PxSerr_WriteOneToClear_ClearsOnlyThoseBitsAndTheirPxIsReflections()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0); // COMINIT (DIAG.X) and PhyRdy (DIAG.N)
        Assert.Equal(PxSERR_DIAG_X | PxSERR_DIAG_N, rig.Read(0, PxSERR));
        Assert.Equal(PxIS_PCS | PxIS_PRCS, rig.Read(0, PxIS));

        rig.Write(0, PxIS, 0xFFFF_FFFF); // PCS and PRCS are read-only here: they follow PxSERR
        Assert.Equal(PxIS_PCS | PxIS_PRCS, rig.Read(0, PxIS));

        rig.Write(0, PxSERR, 0);
        Assert.Equal(PxSERR_DIAG_X | PxSERR_DIAG_N, rig.Read(0, PxSERR));
        rig.Write(0, PxSERR, PxSERR_DIAG_N);
        Assert.Equal(PxSERR_DIAG_X, rig.Read(0, PxSERR));
        Assert.Equal(PxIS_PCS, rig.Read(0, PxIS));
        rig.Write(0, PxSERR, 0xFFFF_FFFF);
        Assert.Equal(0u, rig.Read(0, PxSERR));
        Assert.Equal(0u, rig.Read(0, PxIS));
    }

    [Fact]
    public void PxIs_WriteOneToClear_ClearsOnlyTheBitsWritten()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0);
        rig.Write(0, PxSERR, 0xFFFF_FFFF);
        rig.StartPort(0);
        rig.Run(0, 0, MiniportTimers.Devices.Ata.AtaCommands.FLUSH_CACHE_EXT);
        rig.Run(0, 1, MiniportTimers.Devices.Ata.AtaCommands.IDENTIFY_DEVICE, prds: [new(rig.MapBuffer(new byte[512]).PhysicalAddress, 512)]);
        Assert.Equal(PxIS_DHRS | PxIS_PSS, rig.Read(0, PxIS));
        rig.Write(0, PxIS, 0);
        Assert.Equal(PxIS_DHRS | PxIS_PSS, rig.Read(0, PxIS));
        rig.Write(0, PxIS, PxIS_DHRS);
        Assert.Equal(PxIS_PSS, rig.Read(0, PxIS));
        rig.Write(0, PxIS, PxIS_PSS);
        Assert.Equal(0u, rig.Read(0, PxIS));
    }

    [Fact]
    public void Is_WriteOneToClear_SetsAgainWhileThePortStillHasAnEnabledStatus()
    {
        using var rig = new AhciRig();
        rig.Write(0, PxIE, PxIS_PCS);
        rig.AttachDisk(0);
        Assert.Equal(1u, rig.ReadGlobal(IS));
        rig.WriteGlobal(IS, 1);
        Assert.Equal(1u, rig.ReadGlobal(IS)); // PxIS.PCS is still set and enabled
        rig.Write(0, PxSERR, PxSERR_DIAG_X);
        Assert.Equal(1u, rig.ReadGlobal(IS)); // clearing PxIS does not clear IS
        rig.WriteGlobal(IS, 1);
        Assert.Equal(0u, rig.ReadGlobal(IS));
    }

    [Fact]
    public void GhcHr_ResetsTheHbaAndReadsZeroAtOnce_KeepingTheBaseAddresses()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0);
        rig.StartPort(0);
        rig.WriteGlobal(GHC, GHC_AE | GHC_IE);
        rig.Write(0, PxIE, 0xFFFF_FFFF);
        var clb = rig.Read(0, PxCLB);
        var fb = rig.Read(0, PxFB);

        rig.WriteGlobal(GHC, GHC_HR);

        Assert.Equal(GHC_AE, rig.ReadGlobal(GHC)); // HR cleared (the reset is done), IE reset
        Assert.Equal(1, rig.Hba.HbaResetCount);
        Assert.Equal(clb, rig.Read(0, PxCLB));
        Assert.Equal(fb, rig.Read(0, PxFB));
        Assert.Equal(0u, rig.Read(0, PxIE));
        Assert.Equal(PxCMD_SUD | PxCMD_POD, rig.Read(0, PxCMD)); // ST, FRE, CR, FR cleared
        Assert.Equal(0u, rig.Read(0, PxSCTL));
        // Without staggered spin-up the reset sends a COMRESET: the disk comes back (no delays configured).
        Assert.Equal(0x133u, rig.Read(0, PxSSTS));
        Assert.Equal(0x150u, rig.Read(0, PxTFD));
        Assert.Equal(SIG_ATA, rig.Read(0, PxSIG));
    }

    [Fact]
    public void GhcIe_IsReadWriteAndAeIsReadOnlyOne()
    {
        using var rig = new AhciRig();
        rig.WriteGlobal(GHC, GHC_IE);
        Assert.Equal(GHC_AE | GHC_IE, rig.ReadGlobal(GHC));
        rig.WriteGlobal(GHC, 0);
        Assert.Equal(GHC_AE, rig.ReadGlobal(GHC));
    }

    [Fact]
    public void RegisterSpace_ReadStraightFromMemory_SeesWhatReadRegisterSees()
    {
        using var rig = new AhciRig(new AhciHbaOptions { HotPlugCapablePorts = 1 });
        rig.AttachDisk(0);
        rig.ProgramPort(0);
        foreach (var offset in new[] { CAP, GHC, PI, VS, PortRegister(0, PxCMD), PortRegister(0, PxSSTS), PortRegister(0, PxTFD), PortRegister(0, PxSIG), PortRegister(0, PxCLB) })
        {
            Assert.Equal(rig.Hba.ReadRegister32(offset), unchecked((uint)Marshal.ReadInt32(rig.Hba.RegisterBase + offset)));
        }

        // storahci's util.h reads Px->CMD.HPCP straight from memory.
        Assert.NotEqual(0u, unchecked((uint)Marshal.ReadInt32(rig.Hba.RegisterBase + PortRegister(0, PxCMD))) & PxCMD_HPCP);
        Assert.Equal(0x0300, rig.Hba.ReadRegister16(VS));
        Assert.Equal(0x0001, rig.Hba.ReadRegister16(VS + 2));
        Assert.Equal(0x03, rig.Hba.ReadRegister8(VS + 1));
    }

    [Fact]
    public void Access_MisalignedOrOutside_Throws()
    {
        using var rig = new AhciRig();
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Hba.ReadRegister32(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Hba.WriteRegister32(0x2000, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Hba.ReadRegister16(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => rig.Hba.ReadRegister8(-1));
    }
}
