using MiniportTimers.Devices.Ahci;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Sata;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Storahci;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Samples;

/// <summary>The storahci sample end to end (real-drivers.md S1, S1b, S1c), on the virtual clock unless named otherwise.</summary>
public class StorahciSampleTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public void DefaultScenario_AllPortsStartAndEveryTimerPathIsTaken()
    {
        var result = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario());
        Assert.True(result.Completed);
        Assert.Equal(16, result.PortsStarted);
        Assert.Empty(result.Host.BugChecks);
        Assert.Empty(result.Host.Findings); // removal freed every timer the driver had
        var c = result.Counters;
        Assert.True(c.Slumbers > 0, "LPM timer ran out at least once");
        Assert.True(c.LpmRequests > c.Slumbers, "some LPM requests were cancelled by activity");
        Assert.Equal(0, c.UnexpectedBusy);
        Assert.True(c.BusChangeRetries > 0 && c.BusChangeDone > 0 && c.BusChangeTimerInits > 0);
        Assert.Equal(4, c.PowerDowns);
        var requests = result.Host.RequestActivity;
        Assert.Equal(requests.Submitted, requests.Completed);
        Assert.True(requests.CompletedIn(MiniportRoutine.TimerCallback) >= 16, "the early TEST UNIT READYs completed from the start timer callback");
        Assert.Empty(result.Host.Adapters); // every adapter was removed, and the host released it
        var lpm = result.Timers.Single(t => t.Callback == nameof(LinkPowerManagement.AhciAutoPartialToSlumber));
        Assert.True(lpm.Cancels > 0);
        // The 20 ms tolerable delay is used; a callback may start a little later still when earlier callbacks of the
        // same coalesced wake-up stalled (the slumber path stalls 5 µs, which moves the virtual clock).
        Assert.InRange(lpm.Lateness.MaxNanoseconds, 15 * Ms, 21 * Ms);
        var start = result.Timers.Single(t => t.Callback == nameof(PortStart.P_Running_Callback));
        Assert.Equal(0, start.Lateness.PercentileNanoseconds(50)); // no tolerance: on time, but for ...
        Assert.InRange(start.Lateness.MaxNanoseconds, 0, 50 * TimeUnits.NanosecondsPerMicrosecond); // ... stalls ahead of it
    }

    [Fact]
    public void PortsOfAnAdapter_StartOneAfterAnother()
    {
        // No workload: each port's first attempt begins exactly when the previous port's attempt ends.
        var scenario = new StorahciScenario { Adapters = 1, PortsPerAdapter = 4 };
        var engine = new VirtualTimerEngine();
        var host = StartOnly(engine, scenario, out var ext);
        engine.AdvanceBy(5_000 * Ms);
        for (var p = 1; p < ext.Ports.Count; p++)
        {
            Assert.Equal(ext.Ports[p - 1].FinishedAttemptAtNanoseconds, ext.Ports[p].StartedAttemptAtNanoseconds);
        }

        Assert.All(ext.Ports, p => Assert.Equal(PortOutcome.Running, p.Outcome));
        Assert.Empty(host.BugChecks);
    }

    [Fact]
    public void NeverReadyPort_GivesUpAfter60SecondsOfVirtualTimeAndTheNextPortStartsThen()
    {
        var result = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario { Adapters = 1, PortsPerAdapter = 2, NeverReadyPort = "0:0", DurationMilliseconds = 70_000 });
        var stuck = result.Ports.Single(p => p.Port == 0);
        var next = result.Ports.Single(p => p.Port == 1);
        Assert.Equal(PortOutcome.Failed, stuck.Outcome);
        Assert.InRange(stuck.StartMilliseconds, 60_000, 61_100);
        Assert.Equal(PortOutcome.Running, next.Outcome);
        Assert.True(next.FinishedAtMilliseconds > 60_000);
        Assert.Empty(result.Host.BugChecks);
        Assert.True(result.Completed);
    }

    [Fact]
    public void EmptyPort_IsReportedEmptyAndTheChainGoesOn()
    {
        var result = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario { Adapters = 1, PortsPerAdapter = 3, EmptyPort = "0:0", DurationMilliseconds = 1_000 });
        Assert.Equal(PortOutcome.NoDevice, result.Ports[0].Outcome);
        Assert.Equal(2, result.PortsStarted);
        Assert.InRange(result.Ports[0].StartMilliseconds, 30, 30); // three 10 ms DET polls, then no device
    }

    [Fact]
    public void SameSeed_GivesTheSameRun()
    {
        static string Fingerprint(StorahciResult r) =>
            string.Join(";", r.Ports.Select(p => $"{p.Adapter}/{p.Port}/{p.Outcome}/{p.StartMilliseconds}/{p.FinishedAtMilliseconds}"))
            + "|" + string.Join(";", r.Timers.Select(t => $"{t.Callback}/{t.Arms}/{t.Fires}/{t.Cancels}/{t.Busy}/{t.Lateness.PercentileNanoseconds(50)}/{t.Lateness.MaxNanoseconds}"))
            + "|" + r.Host.RequestActivity.Completed + "|" + r.Counters;
        var a = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario { Seed = 7 });
        var b = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario { Seed = 7 });
        var c = StorahciRun.Execute(new VirtualTimerEngine(), new StorahciScenario { Seed = 8 });
        Assert.Equal(Fingerprint(a), Fingerprint(b));
        Assert.NotEqual(Fingerprint(a), Fingerprint(c));
    }

    [Fact]
    public void Lpm_IdleActiveIdleInsideTheInterval_SecondRequestSucceedsAndSlumberFollows()
    {
        var engine = new VirtualTimerEngine();
        var host = StartOnly(engine, new StorahciScenario { Adapters = 1, PortsPerAdapter = 1 }, out var ext);
        engine.AdvanceBy(1_000 * Ms);
        var adapter = host.Adapters[0];
        void Active(bool a) => adapter.UnitControl(SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerActive, new STOR_POFX_ACTIVE_CONTEXT(0, 0, 0, a));
        Active(false);
        engine.AdvanceBy(30 * Ms);
        Active(true);
        engine.AdvanceBy(10 * Ms);
        Active(false);
        engine.AdvanceBy(99 * Ms);
        Assert.Equal(0, ext.Counters.Slumbers);
        engine.AdvanceBy(30 * Ms); // interval 100 ms + tolerable delay 20 ms from the second idle
        Assert.Equal(1, ext.Counters.Slumbers);
        Assert.Equal(0, ext.Counters.UnexpectedBusy);
        Assert.Equal("Slumber", ext.Ports[0].LinkPower); // PxSSTS.IPM = 6 on the HBA
    }

    [Fact]
    public void ResetWhileTheStartTimerIsPending_RequestIsBusyAndThePendingCallbackFinishesTheStart()
    {
        var engine = new VirtualTimerEngine();
        var scenario = new StorahciScenario { Adapters = 1, PortsPerAdapter = 1 };
        var host = StartOnly(engine, scenario, out var ext);
        var port = ext.Ports[0];
        Assert.Equal(PortOutcome.Starting, port.Outcome); // the first poll is pending
        host.Adapters[0].SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_RESET_BUS, PathId = 0 });
        engine.AdvanceBy(2_000 * Ms);
        Assert.Equal(PortOutcome.Running, port.Outcome);
        Assert.True(host.TimerActivity.Rows.Single(r => r.Callback == nameof(PortStart.P_Running_Callback)).Busy >= 1);
        Assert.Empty(host.BugChecks);
    }

    [Fact]
    public void PowerDownDuringStart_CancelsTheStartTimerAndPowerUpStartsAgain()
    {
        var engine = new VirtualTimerEngine();
        var host = StartOnly(engine, new StorahciScenario { Adapters = 1, PortsPerAdapter = 1 }, out var ext);
        var adapter = host.Adapters[0];
        Assert.Equal(PortOutcome.Starting, ext.Ports[0].Outcome); // the disk's link is still coming up: a poll is pending
        adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_POWER, PathId = 0, DevicePowerState = 3 });
        Assert.Equal(1, host.TimerActivity.Rows.Single(r => r.Callback == nameof(PortStart.P_Running_Callback)).Cancels); // cancelled at once
        engine.AdvanceBy(1_000 * Ms);
        Assert.Equal(PortOutcome.Stopped, ext.Ports[0].Outcome);
        adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_POWER, PathId = 0, DevicePowerState = 0 });
        engine.AdvanceBy(1_000 * Ms);
        Assert.Equal(PortOutcome.Running, ext.Ports[0].Outcome);
        Assert.Equal(1, host.TimerActivity.Rows.Single(r => r.Callback == nameof(PortStart.P_Running_Callback)).Cancels);
    }

    [Fact]
    public void RealClock_ShortRun_AllPortsStartWithNoBugCheck()
    {
        using var engine = new RealTimeTimerEngine();
        var result = StorahciRun.Execute(engine, new StorahciScenario { Adapters = 2, PortsPerAdapter = 2, DurationMilliseconds = 1_500 });
        Assert.True(result.Completed);
        Assert.Equal(4, result.PortsStarted);
        Assert.Empty(result.Host.BugChecks);
        Assert.All(result.Timers, t => Assert.Equal(0, t.Lateness.EarlyCount));
        Assert.Equal(result.Host.RequestActivity.Submitted, result.Host.RequestActivity.Completed);
    }

    [Fact]
    public void FourPortHba_DisksOn0And2_Port1StaysBusy_Port3Empty_OnTheDeviceModel()
    {
        // Issue 22's acceptance HBA: port 1's disk never leaves BSY (COMRESET at 1 s, given up at 60 s), port 3 is empty
        // (given up after its DET polls), and each port starts only when the one before it is done.
        var engine = new VirtualTimerEngine();
        var scenario = new StorahciScenario { Adapters = 1, PortsPerAdapter = 4, NeverReadyPort = "0:1", EmptyPort = "0:3" };
        var host = StartOnly(engine, scenario, out var ext, out var hbas);
        engine.AdvanceBy(65_000 * Ms);

        var ports = ext.Ports;
        Assert.Equal([PortOutcome.Running, PortOutcome.Failed, PortOutcome.Running, PortOutcome.NoDevice], ports.Select(p => p.Outcome));
        for (var p = 1; p < ports.Count; p++)
        {
            Assert.Equal(ports[p - 1].FinishedAttemptAtNanoseconds, ports[p].StartedAttemptAtNanoseconds);
        }

        var stuck = ports[1];
        var model = hbas[0].Ports[1];
        Assert.Equal(1, model.ComResetCount); // one COMRESET, through PxSCTL.DET
        Assert.InRange(model.LastComResetAtNanoseconds - stuck.StartedAttemptAtNanoseconds, 980 * Ms, 1_040 * Ms);
        Assert.InRange(stuck.FinishedAttemptAtNanoseconds - stuck.StartedAttemptAtNanoseconds, 59_950 * Ms, 60_050 * Ms); // the polls' weighted total passed 60 s
        Assert.NotEqual(0u, model.ReadRegister32(AhciRegisters.PxTFD) & AhciRegisters.PxTFD_STS_BSY); // still BSY: the disk never answered
        Assert.Equal(0u, model.ReadRegister32(AhciRegisters.PxCMD) & AhciRegisters.PxCMD_ST); // and the driver never started its command list

        Assert.Equal(30 * Ms, ports[3].FinishedAttemptAtNanoseconds - ports[3].StartedAttemptAtNanoseconds); // three 10 ms DET polls
        Assert.Equal(0, hbas[0].Ports[3].ComResetCount);
        Assert.All(ext.Ports.Where(p => p.Outcome == PortOutcome.Running).Select(p => p.PortNumber), p => Assert.NotEqual(0u, hbas[0].Ports[p].ReadRegister32(AhciRegisters.PxCMD) & AhciRegisters.PxCMD_CR));

        // P_Running_Callback re-armed itself every 20 ms of BSY for 60 s: about 3,000 times.
        var start = host.TimerActivity.Rows.Single(r => r.Callback == nameof(PortStart.P_Running_Callback));
        Assert.InRange(start.Fires, 2_950, 3_100);
        Assert.Empty(host.BugChecks);
    }

    [Fact]
    public void ReadsAndWritesThroughTheModel_CompareEqualWithTheDiskImages()
    {
        var engine = new VirtualTimerEngine();
        var host = StartOnly(engine, new StorahciScenario { Adapters = 1, PortsPerAdapter = 4, Seed = 3 }, out var ext, out var hbas);
        engine.AdvanceBy(2_000 * Ms);
        Assert.All(ext.Ports, p => Assert.Equal(PortOutcome.Running, p.Outcome));
        var adapter = host.Adapters[0];
        var rng = new Random(11);
        var requests = new List<SCSI_REQUEST_BLOCK>();
        for (var i = 0; i < 300; i++)
        {
            var port = rng.Next(4);
            var disk = hbas[0].Ports[port].Device!;
            var blocks = (ushort)rng.Next(1, 65);
            var lba = (uint)rng.Next(0, 100_000);
            var data = new byte[blocks * Io.SectorSize];
            rng.NextBytes(data);
            var write = Srb(port, StorahciRun.ReadWriteCdb(Io.Write10, lba, blocks), data, Io.SRB_FLAGS_DATA_OUT);
            adapter.SubmitRequest(write);
            engine.AdvanceBy(Ms); // command latencies are 100-500 µs
            Assert.Equal(SRB_STATUS_SUCCESS, write.SrbStatus);
            var image = new byte[data.Length];
            disk.ReadSectors(lba, image);
            Assert.Equal(data, image);

            // Overwrite part of it behind the driver's back, then read through the driver: the read returns the image.
            var other = new byte[Io.SectorSize];
            rng.NextBytes(other);
            disk.WriteSectors(lba, other);
            other.CopyTo(image, 0);
            var back = new byte[data.Length];
            var read = Srb(port, StorahciRun.ReadWriteCdb(Io.Read10, lba, blocks), back, Io.SRB_FLAGS_DATA_IN);
            adapter.SubmitRequest(read);
            requests.Add(read);
            engine.AdvanceBy(Ms);
            Assert.Equal(SRB_STATUS_SUCCESS, read.SrbStatus);
            Assert.Equal(image, back);
            Assert.Equal(MiniportRoutine.HwInterrupt, read.CompletedIn);
        }

        // SYNCHRONIZE CACHE arrives at the disk as FLUSH CACHE EXT.
        var flushesBefore = hbas[0].Ports[2].Device!.GetCommandCount(MiniportTimers.Devices.Ata.AtaCommands.FLUSH_CACHE_EXT);
        var sync = Srb(2, [Io.SynchronizeCache10, 0, 0, 0, 0, 0, 0, 0, 0, 0], Memory<byte>.Empty, 0);
        adapter.SubmitRequest(sync);
        engine.AdvanceBy(Ms);
        Assert.Equal(SRB_STATUS_SUCCESS, sync.SrbStatus);
        Assert.Equal(flushesBefore + 1, hbas[0].Ports[2].Device!.GetCommandCount(MiniportTimers.Devices.Ata.AtaCommands.FLUSH_CACHE_EXT));

        // INQUIRY and READ CAPACITY answer the disk's identity and size (from IDENTIFY DEVICE).
        var disk0 = hbas[0].Ports[0].Device!;
        var inquiry = Srb(0, [Io.Inquiry, 0, 0, 0, 36, 0], new byte[36], Io.SRB_FLAGS_DATA_IN);
        var capacity = Srb(0, [Io.ReadCapacity10, 0, 0, 0, 0, 0, 0, 0, 0, 0], new byte[8], Io.SRB_FLAGS_DATA_IN);
        adapter.SubmitRequest(inquiry);
        adapter.SubmitRequest(capacity);
        engine.AdvanceBy(Ms);
        Assert.Equal("ATA     ", System.Text.Encoding.ASCII.GetString(inquiry.DataBuffer.Span[8..16]));
        Assert.Equal(disk0.Options.Model[..16], System.Text.Encoding.ASCII.GetString(inquiry.DataBuffer.Span[16..32]));
        Assert.Equal((uint)(disk0.CapacitySectors - 1), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(capacity.DataBuffer.Span));

        // A read past the end: the disk answers IDNF (PxIS.TFES); the request fails with CHECK CONDITION and the port goes on.
        var past = Srb(0, StorahciRun.ReadWriteCdb(Io.Read10, (uint)(disk0.CapacitySectors - 1), 2), new byte[1024], Io.SRB_FLAGS_DATA_IN);
        adapter.SubmitRequest(past);
        engine.AdvanceBy(Ms);
        Assert.Equal((SRB_STATUS_ERROR, (byte)0x02), (past.SrbStatus, past.ScsiStatus));
        var after = Srb(0, StorahciRun.ReadWriteCdb(Io.Read10, 0, 1), new byte[512], Io.SRB_FLAGS_DATA_IN);
        adapter.SubmitRequest(after);
        engine.AdvanceBy(Ms);
        Assert.Equal(SRB_STATUS_SUCCESS, after.SrbStatus);

        Assert.Equal(host.RequestActivity.Submitted, host.RequestActivity.Completed);
        Assert.Empty(host.BugChecks);
    }

    [Fact]
    public void HotUnplugAndPlug_TakesTheBusChangePath_AndThePortRunsAgain()
    {
        var engine = new VirtualTimerEngine();
        var host = StartOnly(engine, new StorahciScenario { Adapters = 1, PortsPerAdapter = 2 }, out var ext, out var hbas);
        engine.AdvanceBy(1_000 * Ms);
        var adapter = host.Adapters[0];
        var port = hbas[0].Ports[1];
        port.Device!.CommandLatencyNanoseconds = 5 * Ms;
        var inFlight = Srb(1, StorahciRun.ReadWriteCdb(Io.Read10, 8, 8), new byte[4096], Io.SRB_FLAGS_DATA_IN);
        adapter.SubmitRequest(inFlight);
        engine.AdvanceBy(Ms);

        var disk = port.Detach()!; // PhyRdy drops: PxSERR.DIAG.N, PxIS.PRCS
        engine.AdvanceBy(Ms);
        Assert.Equal(SRB_STATUS_NO_DEVICE, inFlight.SrbStatus); // the bus-change DPC failed what the HBA will never finish
        Assert.Equal(PortOutcome.NoDevice, ext.Ports[1].Outcome);
        Assert.Equal(1, ext.Counters.BusChangeDone);

        port.Attach(disk); // COMINIT: PxSERR.DIAG.X, PxIS.PCS; the second notification is refused while the first is processed
        engine.AdvanceBy(1_000 * Ms);
        Assert.Equal(PortOutcome.Running, ext.Ports[1].Outcome);
        Assert.True(ext.Counters.BusChangeRetries >= 1);
        Assert.Equal(2, ext.Counters.BusChangeDone);
        Assert.Equal(1, ext.Counters.BusChangeTimerInits);
        Assert.True(host.TimerActivity.Rows.Single(r => r.Callback == nameof(BusChange.AhciBusChangeTimerCallback)).Fires >= 1);

        var read = Srb(1, StorahciRun.ReadWriteCdb(Io.Read10, 8, 8), new byte[4096], Io.SRB_FLAGS_DATA_IN);
        adapter.SubmitRequest(read);
        engine.AdvanceBy(10 * Ms);
        Assert.Equal(SRB_STATUS_SUCCESS, read.SrbStatus);
        Assert.Empty(host.BugChecks);
    }

    [Fact]
    public void DefaultRun_ChecksItsReadsInquiriesAndCapacitiesAgainstTheDisks()
    {
        var run = new StorahciRun(new StorahciScenario { Adapters = 2, PortsPerAdapter = 4, DurationMilliseconds = 2_000 });
        Assert.True(MiniportTimers.Samples.Harness.SampleRunner.Run(new VirtualTimerEngine(), [run], 2_000, seed: 1));
        var (checkedCount, held) = run.DataChecks;
        Assert.True(checkedCount > 400, $"{checkedCount} checked");
        Assert.Equal(checkedCount, held);
        Assert.Empty(run.InvariantFailures);
        Assert.All(run.Hbas, h => Assert.All(h.Ports, p => Assert.True(p.CommandsCompleted > 0)));
    }

    private static SCSI_REQUEST_BLOCK Srb(int port, byte[] cdb, Memory<byte> buffer, uint flags) => new()
    {
        Function = SRB_FUNCTION_EXECUTE_SCSI,
        PathId = (byte)port,
        Cdb = cdb,
        DataBuffer = buffer,
        DataTransferLength = (uint)buffer.Length,
        SrbFlags = flags,
    };

    /// <summary>A host with the storahci miniport and its adapters (device-model HBAs with the scenario's disks) created, but no workload: the test drives it.</summary>
    private static StorportHost StartOnly(VirtualTimerEngine engine, StorahciScenario scenario, out AhciAdapterExtension first) =>
        StartOnly(engine, scenario, out first, out _);

    private static StorportHost StartOnly(VirtualTimerEngine engine, StorahciScenario scenario, out AhciAdapterExtension first, out List<AhciHba> hbas)
    {
        var host = new StorportHost(engine);
        var map = new HostAddressMap();
        hbas = [];
        host.StorPortInitialize(StorahciMiniport.CreateInitializationData(scenario.LpmIntervalMilliseconds, () => engine.NowNanoseconds));
        for (var i = 0; i < scenario.Adapters; i++)
        {
            var hba = new AhciHba(engine, map, new AhciHbaOptions { PortCount = scenario.PortsPerAdapter });
            var disks = scenario.PortDisks(i);
            for (var p = 0; p < disks.Count; p++)
            {
                if (disks[p] is { } options)
                {
                    hba.Ports[p].Attach(new SataDisk(options));
                }
            }

            hbas.Add(hba);
            host.AddAdapter($"hba{i}", hba);
        }

        first = (AhciAdapterExtension)host.Adapters[0].DeviceExtension;
        return host;
    }
}
