using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Ata;
using MiniportTimers.Devices.Sata;
using static MiniportTimers.Devices.Ahci.AhciRegisters;

namespace MiniportTimers.Tests.Devices.Ahci;

/// <summary>
/// The link and the disk's readiness on the virtual clock: COMRESET through PxSCTL.DET (§10.4.2), the disk's BSY time
/// after it, a disk that never gets ready, an empty port, hot unplug and plug (PxSERR.DIAG.N/X, PxIS.PRCS/PCS),
/// staggered spin-up, link speed and interface power states.
/// </summary>
public class AhciLinkTests
{
    private const long Ms = 1_000_000;

    /// <summary>DET 3, SPD Gen 3, IPM Active.</summary>
    private const uint LinkUpActive = 0x133;

    private static void ComReset(AhciRig rig, int port)
    {
        rig.Write(port, PxSCTL, 1);
        rig.Engine.Stall(Ms); // software holds DET = 1 for at least 1 ms, in a stall loop
        rig.Write(port, PxSCTL, 0);
    }

    [Fact]
    public void Attach_NoDelays_TheLinkComesUpAndTheDiskSendsItsSignatureAtOnce()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(2);
        Assert.Equal(LinkUpActive, rig.Read(2, PxSSTS));
        Assert.Equal(SIG_ATA, rig.Read(2, PxSIG));
        Assert.Equal(0x0150u, rig.Read(2, PxTFD)); // ERR 01h (diagnostics passed), STS DRDY | DSC
        Assert.Equal(PxSERR_DIAG_X | PxSERR_DIAG_N, rig.Read(2, PxSERR));
        Assert.Equal(PxIS_PCS | PxIS_PRCS, rig.Read(2, PxIS));
        Assert.Equal(0u, rig.Read(1, PxSSTS)); // the other ports stay empty
    }

    [Fact]
    public void ComReset_DetOneThenZero_TakesTheLinkDownThenBringsItUpWithTheSignature()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0);
        rig.ProgramPort(0);
        rig.Write(0, PxSERR, 0xFFFF_FFFF);

        rig.Write(0, PxSCTL, 1);
        Assert.Equal(0u, rig.Read(0, PxSSTS));
        Assert.Equal(PxTFD_Reset, rig.Read(0, PxTFD));
        Assert.Equal(PxSIG_Reset, rig.Read(0, PxSIG));
        Assert.Equal(PxSERR_DIAG_N, rig.Read(0, PxSERR)); // PhyRdy dropped

        rig.Write(0, PxSCTL, 0);
        Assert.Equal(LinkUpActive, rig.Read(0, PxSSTS)); // within the write: a stall-polling driver sees it
        Assert.Equal(SIG_ATA, rig.Read(0, PxSIG));
        Assert.Equal(0x0150u, rig.Read(0, PxTFD));
        Assert.Equal(PxSERR_DIAG_N | PxSERR_DIAG_X, rig.Read(0, PxSERR));

        // FRE was set: the signature FIS is in RFIS (type 34h, status 50h, error 01h, count 1, LBA low 1).
        var rfis = rig.ReceivedFis(0)[AhciMemoryStructures.RFIS..];
        Assert.Equal(new byte[] { 0x34, 0x00, 0x50, 0x01, 0x01, 0x00, 0x00 }, rfis[..7].ToArray());
        Assert.Equal(0x01, rfis[12]);
    }

    [Fact]
    public void ComResetCount_CountsSoftwareComResets_AtTheTimeDetWentToOne()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(1);
        Assert.Equal((0L, -1L), (rig.Hba.Ports[1].ComResetCount, rig.Hba.Ports[1].LastComResetAtNanoseconds)); // power-on is not one

        rig.Engine.AdvanceBy(7 * Ms);
        ComReset(rig, 1);
        rig.Write(1, PxSCTL, 0); // DET already 0: no COMRESET
        rig.Engine.AdvanceBy(3 * Ms);
        rig.Write(1, PxSCTL, 1);
        rig.Write(1, PxSCTL, 1); // DET stays 1: still the same COMRESET
        rig.Write(1, PxSCTL, 0);
        rig.WriteGlobal(GHC, GHC_HR); // an HBA reset's COMRESET is not software's PxSCTL.DET

        Assert.Equal(2, rig.Hba.Ports[1].ComResetCount);
        Assert.Equal(11 * Ms, rig.Hba.Ports[1].LastComResetAtNanoseconds); // 7 ms, + the 1 ms stall, + 3 ms
        Assert.Equal(0, rig.Hba.Ports[0].ComResetCount);
    }

    [Fact]
    public void SpinUp_AfterComReset_BsyForExactlyTheConfiguredTimeThenTheSignature()
    {
        using var rig = new AhciRig();
        var disk = rig.AttachDisk(1, new SataDiskOptions { SpinUpNanoseconds = 1_500 * Ms });
        rig.Engine.AdvanceBy(2_000 * Ms);
        Assert.Equal(0x0150u, rig.Read(1, PxTFD)); // power-on spin-up done

        ComReset(rig, 1);
        var released = rig.Engine.NowNanoseconds;
        Assert.Equal(LinkUpActive, rig.Read(1, PxSSTS));
        Assert.Equal(PxTFD_STS_BSY, rig.Read(1, PxTFD));
        Assert.Equal(PxSIG_Reset, rig.Read(1, PxSIG));

        rig.Engine.AdvanceTo(released + (1_500 * Ms) - 1);
        Assert.Equal(PxTFD_STS_BSY, rig.Read(1, PxTFD));
        rig.Engine.AdvanceTo(released + (1_500 * Ms));
        Assert.Equal(0x0150u, rig.Read(1, PxTFD));
        Assert.Equal(SIG_ATA, rig.Read(1, PxSIG));
        Assert.Null(rig.Engine.NextDueNanoseconds);
        Assert.NotNull(disk);
    }

    [Fact]
    public void LinkUpTime_DetReadsOneUntilThePhyIsReady()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0, new SataDiskOptions { LinkUpNanoseconds = 5 * Ms, SpinUpNanoseconds = 10 * Ms });
        Assert.Equal(1u, rig.Read(0, PxSSTS));
        Assert.Equal(PxTFD_STS_BSY, rig.Read(0, PxTFD));
        Assert.Equal(PxSERR_DIAG_X, rig.Read(0, PxSERR));
        rig.Engine.AdvanceBy(5 * Ms);
        Assert.Equal(LinkUpActive, rig.Read(0, PxSSTS));
        Assert.Equal(PxTFD_STS_BSY, rig.Read(0, PxTFD));
        rig.Engine.AdvanceBy(10 * Ms);
        Assert.Equal(0x0150u, rig.Read(0, PxTFD));
    }

    [Fact]
    public void NeverReady_StaysBsyThroughTimeAndComResets_UntilItIsToldOtherwise()
    {
        using var rig = new AhciRig();
        var disk = rig.AttachDisk(1, new SataDiskOptions { NeverReady = true });
        Assert.Equal(LinkUpActive, rig.Read(1, PxSSTS)); // present, link up ...
        rig.Engine.AdvanceBy(1_000 * Ms);
        ComReset(rig, 1);
        rig.Engine.AdvanceBy(60_000 * Ms);
        Assert.Equal(PxTFD_STS_BSY, rig.Read(1, PxTFD));  // ... but BSY for ever
        Assert.Equal(PxSIG_Reset, rig.Read(1, PxSIG));
        Assert.Null(rig.Engine.NextDueNanoseconds);       // and nothing pending: no timer keeps the clock busy

        disk.NeverReady = false;                          // on cue: the next COMRESET brings it up
        ComReset(rig, 1);
        Assert.Equal(0x0150u, rig.Read(1, PxTFD));
    }

    [Fact]
    public void EmptyPort_NoDeviceAnswers_EvenAfterAComReset()
    {
        using var rig = new AhciRig();
        ComReset(rig, 3);
        rig.Engine.AdvanceBy(100 * Ms);
        Assert.Equal(0u, rig.Read(3, PxSSTS));
        Assert.Equal(PxSIG_Reset, rig.Read(3, PxSIG));
        Assert.Equal(PxTFD_Reset, rig.Read(3, PxTFD));
        Assert.Equal(0u, rig.Read(3, PxSERR));
        Assert.Null(rig.Hba.Ports[3].Device);
    }

    [Fact]
    public void HotUnplug_PhyRdyDropsAndTheEnabledInterruptIsRaised()
    {
        using var rig = new AhciRig();
        var disk = rig.AttachDisk(0);
        rig.Write(0, PxSERR, 0xFFFF_FFFF);
        rig.Write(0, PxIE, PxIS_PRCS | PxIS_PCS);
        rig.WriteGlobal(GHC, GHC_AE | GHC_IE);
        rig.Settle();
        Assert.Empty(rig.Interrupts);

        Assert.Same(disk, rig.Hba.Ports[0].Detach());
        Assert.Equal(0u, rig.Read(0, PxSSTS));
        Assert.Equal(PxSERR_DIAG_N, rig.Read(0, PxSERR));
        Assert.Equal(PxIS_PRCS, rig.Read(0, PxIS));
        Assert.Equal(1u, rig.ReadGlobal(IS));
        Assert.True(rig.Hba.Interrupt.IsAsserted);
        Assert.Empty(rig.Interrupts); // delivered at the next dispatch, never inside the call that raised it
        rig.Settle();
        Assert.Single(rig.Interrupts);
        Assert.Null(rig.Hba.Ports[0].Detach());
    }

    [Fact]
    public void HotPlugLater_ComInitSetsDiagXAndPcs_ThenTheLinkAndTheSignatureFollow()
    {
        using var rig = new AhciRig();
        var disk = rig.AttachDisk(0);
        rig.Hba.Ports[0].Detach();
        rig.Write(0, PxSERR, 0xFFFF_FFFF);
        rig.Write(0, PxIE, PxIS_PCS);
        rig.WriteGlobal(GHC, GHC_AE | GHC_IE);
        rig.Engine.AdvanceBy(5_000 * Ms);

        disk.LinkUpNanoseconds = 2 * Ms;
        disk.SpinUpNanoseconds = 300 * Ms;
        rig.Hba.Ports[0].Attach(disk);
        Assert.Equal(PxSERR_DIAG_X, rig.Read(0, PxSERR));
        Assert.Equal(PxIS_PCS, rig.Read(0, PxIS));
        Assert.Equal(1u, rig.Read(0, PxSSTS));
        rig.Settle();
        Assert.Equal([5_000 * Ms], rig.Interrupts);

        rig.Engine.AdvanceBy(2 * Ms);
        Assert.Equal(LinkUpActive, rig.Read(0, PxSSTS));
        Assert.Equal(PxIS_PCS | PxIS_PRCS, rig.Read(0, PxIS));
        rig.Engine.AdvanceBy(300 * Ms);
        Assert.Equal(0x0150u, rig.Read(0, PxTFD));
        Assert.Single(rig.Interrupts); // PRCS is not enabled; the line stayed up from PCS: no second edge
    }

    [Fact]
    public void Attach_TwiceOrToTwoPorts_Throws()
    {
        using var rig = new AhciRig();
        var disk = rig.AttachDisk(0);
        Assert.Throws<InvalidOperationException>(() => rig.Hba.Ports[0].Attach(new SataDisk()));
        Assert.Throws<InvalidOperationException>(() => rig.Hba.Ports[1].Attach(disk));
    }

    [Fact]
    public void Detach_WhileACommandRuns_TheCommandNeverCompletes()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0, new SataDiskOptions { CommandLatencyNanoseconds = 10 * Ms });
        rig.StartPort(0);
        rig.Run(0, 4, AtaCommands.FLUSH_CACHE_EXT);
        rig.Hba.Ports[0].Detach();
        rig.Engine.AdvanceBy(100 * Ms);
        Assert.Equal(1u << 4, rig.Read(0, PxCI));
        Assert.Equal(0L, rig.Hba.Ports[0].CommandsCompleted);
    }

    [Fact]
    public void SctlDetFour_TakesThePhyOffline()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0);
        rig.Write(0, PxSCTL, 4);
        Assert.Equal(4u, rig.Read(0, PxSSTS));
        rig.Write(0, PxSCTL, 0);
        Assert.Equal(LinkUpActive, rig.Read(0, PxSSTS));
    }

    [Fact]
    public void SctlSpd_LimitsTheSpeedTheLinkComesUpAt()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0);
        rig.Write(0, PxSCTL, 0x11); // COMRESET, at most Gen 1
        rig.Write(0, PxSCTL, 0x10);
        Assert.Equal(0x113u, rig.Read(0, PxSSTS));
    }

    [Fact]
    public void StaggeredSpinUp_SudZero_TheDeviceIsOnlySeenUntilSoftwareSpinsItUp()
    {
        using var rig = new AhciRig(new AhciHbaOptions { StaggeredSpinUp = true });
        rig.AttachDisk(0);
        Assert.Equal(1u, rig.Read(0, PxSSTS));           // listen mode: presence, no communication
        Assert.Equal(PxSERR_DIAG_X, rig.Read(0, PxSERR));
        Assert.Equal(PxTFD_Reset, rig.Read(0, PxTFD));
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | PxCMD_SUD);
        Assert.Equal(LinkUpActive, rig.Read(0, PxSSTS));
        Assert.Equal(SIG_ATA, rig.Read(0, PxSIG));
    }

    [Fact]
    public void InterfaceCommunicationControl_PartialSlumberAndActive_AsSctlIpmAllows()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0);
        rig.ProgramPort(0);
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | (2u << PxCMD_ICC_Shift));
        Assert.Equal(2u, (rig.Read(0, PxSSTS) & PxSSTS_IPM_Mask) >> PxSSTS_IPM_Shift);
        Assert.Equal(0u, rig.Read(0, PxCMD) & PxCMD_ICC_Mask); // ICC reads Idle again

        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | (6u << PxCMD_ICC_Shift)); // Partial → Slumber directly: no effect
        Assert.Equal(2u, (rig.Read(0, PxSSTS) & PxSSTS_IPM_Mask) >> PxSSTS_IPM_Shift);
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | (1u << PxCMD_ICC_Shift));
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | (6u << PxCMD_ICC_Shift));
        Assert.Equal(6u, (rig.Read(0, PxSSTS) & PxSSTS_IPM_Mask) >> PxSSTS_IPM_Shift);

        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | (1u << PxCMD_ICC_Shift));
        rig.Write(0, PxSCTL, 0x300); // Partial and Slumber not allowed
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | (2u << PxCMD_ICC_Shift));
        Assert.Equal(1u, (rig.Read(0, PxSSTS) & PxSSTS_IPM_Mask) >> PxSSTS_IPM_Shift);
    }

    [Fact]
    public void AggressiveLinkPowerManagement_IdleAfterACommand_EntersPartialAndWakesForTheNext()
    {
        using var rig = new AhciRig();
        rig.AttachDisk(0);
        rig.StartPort(0);
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | PxCMD_ALPE);
        rig.Run(0, 0, AtaCommands.FLUSH_CACHE_EXT);
        Assert.Equal(2u, (rig.Read(0, PxSSTS) & PxSSTS_IPM_Mask) >> PxSSTS_IPM_Shift);
        rig.BuildCommand(0, 1, AtaCommands.FLUSH_CACHE_EXT);
        rig.Issue(0, 1);
        Assert.Equal(1u, (rig.Read(0, PxSSTS) & PxSSTS_IPM_Mask) >> PxSSTS_IPM_Shift); // woken to send the FIS
        rig.Settle();
        rig.Write(0, PxCMD, rig.Read(0, PxCMD) | PxCMD_ASP);
        rig.Run(0, 2, AtaCommands.FLUSH_CACHE_EXT);
        Assert.Equal(6u, (rig.Read(0, PxSSTS) & PxSSTS_IPM_Mask) >> PxSSTS_IPM_Shift);
    }
}
