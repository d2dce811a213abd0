using System.Globalization;
using System.Text.RegularExpressions;
using MiniportTimers.Cli.Run;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Devices.Nvme;
using MiniportTimers.Engine;
using MiniportTimers.Native;
using MiniportTimers.Native.Storport;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Native.Storport;

/// <summary>
/// Issue 24's acceptance on our own C NVMe Storport miniport (native/miniports/storport_nvme.c, and its Windows 7 build
/// storport_nvme_win7.so) against the emulated NVMe controller of <c>run --device nvme</c>: the start state machine on
/// the legacy timer every 5 ms until CSTS.RDY, the give-up at CAP.TO × 500 ms, 1,000 checked reads and writes through
/// SCSI CDBs, the 1 s surprise-removal poll, the Windows 7 build's shared legacy timer (the last request wins), every
/// timer cancelled or freed at stop, and the CLI's options. Everything on the virtual clock, at exact times; the driver
/// prints its times in 100 ns units (KeQueryInterruptTime).
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed partial class NativeStorportNvmeTests : IDisposable
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private const long Duration = 11_000 * Ms;
    private const long PollMs = 5;               // the legacy timer's 5 ms (nvmewin's CheckbackInterval)
    private const long RemovalPollMs = 1_000;    // the surprise-removal poll
    private const long ReadyMs = 200;
    private const byte SRB_STATUS_NO_DEVICE = 0x08;
    private const byte SRB_STATUS_BUS_RESET = 0x0E;

    private readonly List<IDisposable> _disposables = [];

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    [NativeFact]
    public void ReadyAt200ms_NvmeRunningRunsOnTheLegacyTimerEvery5ms_40Times_ThenTheAdminCommandsBringUpTheIoQueues()
    {
        var run = Run(new StorportScenarioOptions { Device = StorportScenarioDeviceKind.Nvme });
        var controller = run.Scenario.Nvme.Controller;

        // HwFindAdapter read the PCI configuration (class 01/08/02), mapped BAR0 and read CAP (TO 20: 10 s).
        Assert.Equal($"NvmeHwFindAdapter: vendor 1234 device 4e56 BAR0 0xfebc0000 VS 0x00010300 CAP 0x{controller.Capabilities:x} TO 20 DSTRD 0 I/O depth 64", Lines(run, "NvmeHwFindAdapter").Single());
        Assert.Equal("CC.EN set at 0, CAP.TO 20 (10000 ms)", Lines(run, "CC.EN set").Single());

        // NvmeRunning every 5 ms at exact virtual times, until CSTS.RDY at 200 ms: 40 calls, all in WaitOnRDY.
        var fires = Fires(run);
        Assert.Equal(Enumerable.Range(1, (int)(ReadyMs / PollMs)).Select(k => k * PollMs * 10_000).ToList(), fires.Select(f => f.At).ToList());
        Assert.All(fires, f => Assert.Equal("WaitOnRDY", f.State));
        Assert.Equal(ReadyMs * Ms, controller.ReadyAtNanoseconds);
        Assert.Equal($"CSTS.RDY after {ReadyMs} ms at {ReadyMs * 10_000}", Lines(run, "CSTS.RDY after").Single());

        // Then, all at 200 ms (the controller answers within the doorbell write): Identify Controller and Namespace, Set
        // Features (Number of Queues), Create I/O CQ, Create I/O SQ, each advanced from the completion DPC.
        Assert.Equal(2, controller.GetAdminCommandCount(NvmeOpcodes.Identify));
        Assert.Equal(1, controller.GetAdminCommandCount(NvmeOpcodes.SetFeatures));
        Assert.Equal(1, controller.GetAdminCommandCount(NvmeOpcodes.CreateIoCompletionQueue));
        Assert.Equal(1, controller.GetAdminCommandCount(NvmeOpcodes.CreateIoSubmissionQueue));
        Assert.Equal(0, controller.InvalidDoorbellWriteCount);
        Assert.Equal($"start complete: namespace {StorportScenarioOptions.DefaultNvmeNamespaceBlocks} blocks of 512 bytes, MDTS 5, queues 0x00000000, model 'MiniportTimers emulated NVMe' serial 'MT-NVME-0001' firmware '1.0' after 40 legacy timer calls at {ReadyMs * 10_000}", Lines(run, "start complete").Single());

        // The report's row: 40 fires; the DPC's four re-requests each replaced the pending one (nvmewin's arbiter); the
        // last, pending at the start's end, was cancelled. The removal poll then ran on its own timer every second.
        var running = Assert.Single(run.Host.TimerActivity.Rows, r => r.Callback == "NvmeRunning");
        Assert.Equal(("RequestTimerCall", 45L, 40L, 4L, 1L), (running.Kind, running.Arms, running.Fires, running.Replaced, running.Cancels));
        Assert.Equal(0, running.Lateness.MaxNanoseconds);
        var removal = Assert.Single(run.Host.TimerActivity.Rows, r => r.Callback == "NvmeIsDeviceRemoved");
        Assert.Equal(("StorPortRequestTimer", (Duration / Ms - ReadyMs) / RemovalPollMs), (removal.Kind, removal.Fires));

        // The unit Storport enumerated: vendor "NVMe", the model's first 16 characters, the namespace's size.
        Assert.Equal([(0, "NVMe MiniportTimers e", StorportScenarioOptions.DefaultNvmeNamespaceBlocks)], run.Scenario.Units);
        Assert.Equal(4, StorportScenarioFacts.Of([run.Scenario], run.Host).Single(f => f.Key == StorportScenarioFacts.LegacyReplacedLabel).Value);
        AssertClean(run);
    }

    [NativeFact]
    public void AThousandReadsAndWrites_ThroughScsiCdbs_CompareEqualWithTheNamespace_AndSynchronizeCacheIsAnNvmeFlush()
    {
        var run = Run(new StorportScenarioOptions { Device = StorportScenarioDeviceKind.Nvme });
        var controller = run.Scenario.Nvme.Controller;

        Assert.Equal(1_000, run.Scenario.Reads + run.Scenario.Writes);
        Assert.True(run.Scenario.Reads > 300 && run.Scenario.Writes > 300);
        Assert.Equal(0, run.Scenario.DataMismatches);
        Assert.Equal(run.Scenario.Reads, controller.GetIoCommandCount(NvmeOpcodes.Read)); // each READ (10) one NVMe Read
        Assert.Equal(run.Scenario.Writes, controller.GetIoCommandCount(NvmeOpcodes.Write));
        Assert.Equal((1L, 1L), (run.Scenario.Flushes, controller.GetIoCommandCount(NvmeOpcodes.Flush)));
        Assert.True(controller.Namespace.AllocatedBytes > 0);
        Assert.True(run.Scenario.BusyRetries > 0); // SRB_STATUS_BUSY while the controller starts, retried by "Storport"
        AssertClean(run);
    }

    [NativeFact]
    public void ANeverReadyController_IsGivenUpAtCapTimesFiveHundredMs_TheUnitIsReportedWithoutADevice_WithNoBugCheck()
    {
        var run = Run(new StorportScenarioOptions { Device = StorportScenarioDeviceKind.Nvme, NvmeNeverReady = true });
        var timeoutMs = ((run.Scenario.Nvme.Controller.Capabilities >> 24) & 0xFF) * 500;
        Assert.Equal(10_000UL, timeoutMs);

        var fires = Fires(run);
        Assert.Equal(Enumerable.Range(1, (int)(timeoutMs / PollMs)).Select(k => k * PollMs * 10_000).ToList(), fires.Select(f => f.At).ToList());
        Assert.Equal($"start given up in WaitOnRDY after {timeoutMs} ms: CSTS.RDY not set within CAP.TO at {timeoutMs * 10_000}", Lines(run, "start given up").Single());
        Assert.Equal(-1, run.Scenario.Nvme.Controller.ReadyAtNanoseconds);
        Assert.Equal(0, run.Scenario.Nvme.Controller.GetAdminCommandCount(NvmeOpcodes.Identify));
        Assert.Equal([(0, SRB_STATUS_NO_DEVICE)], run.Scenario.EmptyBuses);
        Assert.Empty(run.Scenario.Units);
        Assert.DoesNotContain(run.Host.TimerActivity.Rows, r => r.Callback == "NvmeIsDeviceRemoved" && r.Arms > 0);
        AssertClean(run);
    }

    [NativeFact]
    public void ASurpriseRemovalAt5s_IsCaughtByTheNext1sPoll_TheOutstandingReadsFail_AndThePollFreesItsOwnTimer()
    {
        var run = Run(new StorportScenarioOptions { Device = StorportScenarioDeviceKind.Nvme, SurpriseRemoveNanoseconds = 5_000 * Ms }, remove: false);
        var nvme = run.Scenario.Nvme;

        // Polls at 1.2, 2.2, 3.2, 4.2 s see the controller; the one at 5.2 s reads CSTS as all ones.
        var caughtMs = ReadyMs + (5 * RemovalPollMs);
        Assert.Equal(5_000 * Ms, nvme.RemovedAtNanoseconds);
        Assert.Equal(NvmeScenarioDevice.ReadsInFlightAtRemoval, nvme.OutstandingAtRemoval);
        Assert.Equal((4L, 0L, caughtMs * Ms, SRB_STATUS_NO_DEVICE), (nvme.OutstandingFailed, nvme.OutstandingSucceeded, nvme.OutstandingFailedAtNanoseconds, nvme.OutstandingFailureStatus));
        Assert.Equal($"surprise removal: CSTS 0xffffffff at poll 5, 4 outstanding requests failed at {caughtMs * 10_000}", Lines(run, "surprise removal").Single());
        Assert.Equal($"RemovalTimer freed in its callback status 0x00000000 at {caughtMs * 10_000}", Lines(run, "RemovalTimer freed").Single());
        Assert.Equal(5, Assert.Single(run.Host.TimerActivity.Rows, r => r.Callback == "NvmeIsDeviceRemoved").Fires);

        // The timer is gone; a request now ends at once with SRB_STATUS_NO_DEVICE.
        var adapter = run.Scenario.Adapter!;
        Assert.Equal(0, adapter.LiveTimerCount);
        SCSI_REQUEST_BLOCK? done = null;
        Assert.NotNull(run.Scenario.Submit(0, StorportDriverScenario.Read10(0, 1), new byte[512], StorPort.SRB_FLAGS_DATA_IN, s => done = s));
        run.Engine.AdvanceBy(0);
        Assert.Equal(SRB_STATUS_NO_DEVICE, done!.SrbStatus);
        adapter.Remove();
        Assert.Equal($"ScsiStopAdapter: legacy timer cancelled, 0 timers freed, 0 requests ended, CSTS 0xffffffff at {Duration / 100}", Lines(run, "ScsiStopAdapter").Single());
        AssertClean(run);
    }

    [NativeFact]
    public void TheWindows7Build_SharesTheLegacyTimer_ThePollsRequestReplacesNvmeRunnings_TheLastRequestWins()
    {
        // On a Windows 7 host (no StorPortInitializeTimer): the build needs only the legacy timer.
        var run = Run(new StorportScenarioOptions { Device = StorportScenarioDeviceKind.Nvme, SurpriseRemoveNanoseconds = 5_000 * Ms }, driver: "storport_nvme_win7", hostOptions: new StorportHostOptions { Windows7Mode = true });

        // The start is the same: 40 calls of NvmeRunning 5 ms apart, four re-requests from the DPC.
        Assert.Equal(Enumerable.Range(1, (int)(ReadyMs / PollMs)).Select(k => k * PollMs * 10_000).ToList(), Fires(run).Select(f => f.At).ToList());
        var running = Assert.Single(run.Host.TimerActivity.Rows, r => r.Callback == "NvmeRunning");
        Assert.Equal(("RequestTimerCall", 40L, 4L, 0L), (running.Kind, running.Fires, running.Replaced, running.Cancels));

        // At the start's end NvmeRunning's request (armed for 205 ms) was still pending: the poll's request replaced it,
        // on the one legacy timer. NvmeRunning never ran again; the poll ran each second and caught the removal at 5.2 s.
        var removal = Assert.Single(run.Host.TimerActivity.Rows, r => r.Callback == "NvmeIsDeviceRemoved");
        Assert.Equal(("RequestTimerCall", 1L, 5L), (removal.Kind, removal.Replaced, removal.Fires));
        Assert.Equal(5, StorportScenarioFacts.Of([run.Scenario], run.Host).Single(f => f.Key == StorportScenarioFacts.LegacyReplacedLabel).Value);
        Assert.Equal((4L, (ReadyMs + (5 * RemovalPollMs)) * Ms), (run.Scenario.Nvme.OutstandingFailed, run.Scenario.Nvme.OutstandingFailedAtNanoseconds));
        Assert.Empty(Lines(run, "RemovalTimer"));
        Assert.Equal(1_000, run.Scenario.Reads + run.Scenario.Writes);
        Assert.Equal(0, run.Scenario.DataMismatches);
        AssertClean(run);
    }

    [NativeFact]
    public void TheWindows7Build_StoppedWithThePollPending_CancelsItOnTheLegacyTimer()
    {
        var run = Run(new StorportScenarioOptions { Device = StorportScenarioDeviceKind.Nvme }, driver: "storport_nvme_win7", remove: false);
        var adapter = run.Scenario.Adapter!;
        Assert.True(adapter.LegacyTimer.IsPending); // the poll, due at 11.2 s
        Assert.Equal(0, adapter.LiveTimerCount);
        adapter.Remove();
        Assert.False(adapter.LegacyTimer.IsPending);
        Assert.Equal(1, Assert.Single(run.Host.TimerActivity.Rows, r => r.Callback == "NvmeIsDeviceRemoved").Cancels);
        run.Engine.AdvanceBy(2_000 * Ms);
        Assert.Equal(10, Assert.Single(run.Host.TimerActivity.Rows, r => r.Callback == "NvmeIsDeviceRemoved").Fires); // 1.2 s to 10.2 s, none after
        AssertClean(run);
    }

    [NativeFact]
    public void StoppedWhileWaitingForReady_TheLegacyTimerIsCancelled_TheRemovalTimerFreed_AndNothingFiresAfter()
    {
        var run = Run(new StorportScenarioOptions { Device = StorportScenarioDeviceKind.Nvme, NvmeReadyNanoseconds = 1_000 * Ms }, durationNanoseconds: 102 * Ms, remove: false);
        var adapter = run.Scenario.Adapter!;
        Assert.True(adapter.LegacyTimer.IsPending); // NvmeRunning, due at 105 ms
        Assert.Equal(1, adapter.LiveTimerCount);    // the removal poll's timer, made in HwFindAdapter, not requested yet
        adapter.Remove();
        Assert.False(adapter.LegacyTimer.IsPending);
        Assert.Equal(0, adapter.LiveTimerCount);
        Assert.Equal($"ScsiStopAdapter: legacy timer cancelled, 1 timers freed, 0 requests ended, CSTS 0x00000000 at {102 * Ms / 100}", Lines(run, "ScsiStopAdapter").Single());
        var firesBefore = Fires(run).Count;
        Assert.Equal(20, firesBefore);
        run.Engine.AdvanceBy(1_000 * Ms);
        Assert.Equal(firesBefore, Fires(run).Count);
        Assert.Equal(1, Assert.Single(run.Host.TimerActivity.Rows, r => r.Callback == "NvmeRunning").Cancels);
        AssertClean(run);
    }

    [NativeFact]
    public void StoppedWithIoInFlight_EndsItWithBusReset_AndShutsTheControllerDown()
    {
        var run = Run(new StorportScenarioOptions { Device = StorportScenarioDeviceKind.Nvme, IosPerDisk = 10 }, durationNanoseconds: 1_000 * Ms, remove: false);
        var controller = run.Scenario.Nvme.Controller;
        controller.CommandLatencyNanoseconds = 100 * Ms;
        var statuses = new List<byte>();
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(run.Scenario.Submit(0, StorportDriverScenario.Read10(64 * i, 8), new byte[4096], StorPort.SRB_FLAGS_DATA_IN, s => statuses.Add(s.SrbStatus)));
        }

        run.Engine.AdvanceBy(10 * Ms);
        Assert.Empty(statuses);
        var adapter = run.Scenario.Adapter!;
        adapter.Stop(); // ScsiStopAdapter; its completions are delivered on the dispatcher
        run.Engine.AdvanceBy(0);
        Assert.Equal([SRB_STATUS_BUS_RESET, SRB_STATUS_BUS_RESET, SRB_STATUS_BUS_RESET], statuses);
        Assert.Equal(NvmeRegisters.CSTS_SHST_Complete, controller.ReadRegister32(NvmeRegisters.CSTS) & NvmeRegisters.CSTS_SHST_Mask); // §7.6.2 normal shutdown
        Assert.Equal($"ScsiStopAdapter: legacy timer cancelled, 1 timers freed, 3 requests ended, CSTS 0x00000009 at {1_010 * Ms / 100}", Lines(run, "ScsiStopAdapter").First());
        run.Engine.AdvanceBy(200 * Ms); // the controller's own latency runs out: nothing reaches the stopped driver
        Assert.Equal(3, statuses.Count);
        adapter.Remove();
        AssertClean(run);
    }

    [NativeFact]
    public void LargeReadsAndWrites16_GoThroughAPrpList_ReadCapacity10Answers_AndRequestsPastTheEndAreRefused()
    {
        var run = Run(new StorportScenarioOptions { Device = StorportScenarioDeviceKind.Nvme, IosPerDisk = 1 }, durationNanoseconds: 1_000 * Ms, remove: false);
        var controller = run.Scenario.Nvme.Controller;
        var statuses = new List<byte>();
        void Send(byte[] cdb, byte[] data, uint flags) =>
            Assert.NotNull(run.Scenario.Submit(0, cdb, data, flags, s => statuses.Add(s.SrbStatus)));
        static byte[] Cdb16(byte opcode, long lba, int blocks)
        {
            var cdb = new byte[16];
            cdb[0] = opcode;
            System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(cdb.AsSpan(2), lba);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(cdb.AsSpan(10), blocks);
            return cdb;
        }

        // 128 KiB (the MaximumTransferLength) and 64 KiB, written with WRITE (16) and read back with READ (16) into
        // other buffers: more than two pages each, so PRP2 points at a PRP list (§4.3).
        var random = new Random(24);
        foreach (var (lba, bytes) in new[] { (1_000_000L, 128 * 1024), (77L, 64 * 1024) })
        {
            var written = new byte[bytes];
            random.NextBytes(written);
            Send(Cdb16(0x8A, lba, bytes / 512), written, StorPort.SRB_FLAGS_DATA_OUT);
            run.Engine.AdvanceBy(0);
            var image = new byte[bytes];
            controller.Namespace.ReadBlocks(lba, image);
            Assert.Equal(written, image);
            var read = new byte[bytes];
            Send(Cdb16(0x88, lba, bytes / 512), read, StorPort.SRB_FLAGS_DATA_IN);
            run.Engine.AdvanceBy(0);
            Assert.Equal(written, read);
        }

        // READ CAPACITY (10): the last LBA and 512; past the end and past MaximumTransferLength: refused, not sent.
        var capacity = new byte[8];
        Send([0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], capacity, StorPort.SRB_FLAGS_DATA_IN);
        var commandsBefore = controller.GetIoCommandCount(NvmeOpcodes.Read);
        Send(Cdb16(0x88, StorportScenarioOptions.DefaultNvmeNamespaceBlocks - 4, 8), new byte[4096], StorPort.SRB_FLAGS_DATA_IN);
        Send(Cdb16(0x88, 0, 512), new byte[256 * 1024], StorPort.SRB_FLAGS_DATA_IN);
        run.Engine.AdvanceBy(0);
        Assert.Equal(Enumerable.Repeat(StorPort.SRB_STATUS_SUCCESS, 5).Concat([StorPort.SRB_STATUS_INVALID_REQUEST, StorPort.SRB_STATUS_INVALID_REQUEST]), statuses);
        Assert.Equal((uint)(StorportScenarioOptions.DefaultNvmeNamespaceBlocks - 1), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(capacity));
        Assert.Equal(512u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(capacity.AsSpan(4)));
        Assert.Equal(commandsBefore, controller.GetIoCommandCount(NvmeOpcodes.Read));
        Assert.Equal(0, controller.InvalidDoorbellWriteCount);
        run.Scenario.Adapter!.Remove();
        AssertClean(run);
    }

    [NativeFact]
    public void Run_DeviceNvme_OnTheCommandLine_ReportsTheControllerAndTheLegacyTimer_AndExitsZero()
    {
        var driver = NativeBuild.Driver("storport_nvme_win7") + ":storport";
        var (code, stdout, stderr) = Cli("run", "--virtual", "--driver", driver, "--device", "nvme", "--surprise-remove-ms", "5000", "--nvme-ready-ms", "100");
        Assert.True(code == ExitCodes.Success, stdout + stderr);
        stdout = stdout.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal); // the facts wrap at 132 columns
        Assert.Contains("NVMe ready at ms: 100,", stdout, StringComparison.Ordinal);
        Assert.Contains("NVMe surprise removed at ms: 5,000,", stdout, StringComparison.Ordinal);
        Assert.Contains("outstanding I/O failed at ms: 5,100,", stdout, StringComparison.Ordinal);
        Assert.Matches(@"reads checked: [\d,]+, writes checked: [\d,]+, data mismatches: 0", stdout);
        Assert.Contains("outstanding I/O at removal: 4, outstanding I/O failed: 4", stdout, StringComparison.Ordinal);
        Assert.Contains("legacy timer requests that replaced a pending one: 5", stdout, StringComparison.Ordinal);
        Assert.Matches(@"\| RequestTimerCall \| NvmeIsDeviceRemoved \|\s+5 \|\s+5 \|\s+0 \|\s+1 \|", stdout);
        Assert.Contains("Bug checks in all: 0", stdout, StringComparison.Ordinal);
    }

    [NativeTheory]
    [InlineData("--never-ready", "--never-ready: applies to the NVMe controller: add --device nvme")]
    [InlineData("--nvme-ready-ms 100 --surprise-remove-ms 5000", "--nvme-ready-ms, --surprise-remove-ms: apply to the NVMe controller")]
    [InlineData("--device ahci --never-ready", "--never-ready: applies to the NVMe controller")]
    [InlineData("--device nvme --nvme-ready-ms 10 --never-ready", "--nvme-ready-ms and --never-ready")]
    [InlineData("--device nvme --nvme-ready-ms 60001", "--nvme-ready-ms: 60001 is out of range")]
    [InlineData("--device nvme --nvme-ready-ms abc", "--nvme-ready-ms: 'abc'")]
    [InlineData("--device nvme --surprise-remove-ms 0", "--surprise-remove-ms: 0 is out of range")]
    [InlineData("--device nvme --surprise-remove-ms 11000", "--surprise-remove-ms: 11,000 ms is not within the 11,000 ms run")]
    [InlineData("--device nvme --surprise-remove-ms 3000 --duration-ms 2000", "--surprise-remove-ms: 3,000 ms is not within the 2,000 ms run")]
    [InlineData("--device nvme --never-ready-port 0:1", "--never-ready-port: names an AHCI port; with --device nvme use --never-ready")]
    [InlineData("--device sata", "--device: 'sata' is not one of pcnet, ahci, nvme")]
    [InlineData("--device pcnet", "is a Storport driver; its device is ahci or nvme")]
    public void Run_BadNvmeOptions_AreRejectedBeforeAnyWork_WithExitCode2(string arguments, string detail)
    {
        var (code, stdout, stderr) = Cli(["run", "--virtual", "--driver", NativeBuild.Driver("storport_nvme") + ":storport", .. arguments.Split(' ')]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Empty(stdout);
        Assert.Contains(detail, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [NativeFact]
    public void Run_DeviceNvme_WithoutADriver_AndTheHelp_NameTheOptions()
    {
        var (code, _, stderr) = Cli("run", "--virtual", "--device", "nvme");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("--device nvme: the device is for a Storport --driver; none is given.", stderr, StringComparison.Ordinal);
        var (_, help, _) = Cli("run", "--help");
        foreach (var option in new[] { "--device <pcnet|ahci|nvme>", "--nvme-ready-ms <ms>", "--never-ready", "--surprise-remove-ms <ms>" })
        {
            Assert.Contains(option, help, StringComparison.Ordinal);
        }
    }

    [NativeFact]
    public void TheDriverDisposedWithItsAdapterStillThere_AbandonsIt_AndNothingRunsOnTheFreedExtensionAfter()
    {
        // A harness that disposes the driver before removing its adapter (the run did so when it missed the adapter: a
        // SIGSEGV with 2 dispatchers). The 1 s removal poll is armed: it must not fire into the freed device extension.
        var run = Run(new StorportScenarioOptions { Device = StorportScenarioDeviceKind.Nvme, IosPerDisk = 10 }, durationNanoseconds: 2_500 * Ms, remove: false);
        long Fires() => Assert.Single(run.Host.TimerActivity.Rows, r => r.Callback == "NvmeIsDeviceRemoved").Fires;
        var fires = Fires();
        Assert.True(fires > 0, "the poll ran before");
        run.Driver.Dispose();
        Assert.Equal(AdapterState.Removed, run.Scenario.Adapter!.State);
        run.Engine.AdvanceBy(3 * RemovalPollMs * Ms);
        Assert.Equal(fires, Fires());
        Assert.Empty(run.Host.BugChecks);
    }

    [NativeFact]
    public void RealClock_TwoDispatchers_TheRunCompletesWithNoBugCheck_AndTheIoChecked()
    {
        // Before: the workload's time-0 events ran on both dispatchers in no order, the run missed the adapter (added
        // after it looked), never removed it, freed its extension under its armed poll, and died with SIGSEGV about
        // half the time. Generous: only the outcome, not the timing.
        var (code, stdout, stderr) = Cli("run", "--driver", NativeBuild.Driver("storport_nvme") + ":storport", "--device", "nvme", "--dispatchers", "2", "--duration-ms", "1500");
        Assert.True(code == 0, stderr + stdout);
        var report = WhiteSpace().Replace(stdout, " "); // the report wraps its lines
        Assert.Contains("Bug checks in all: 0", report, StringComparison.Ordinal);
        Assert.Contains("data mismatches: 0,", report, StringComparison.Ordinal);
        Assert.Contains("Verifier findings: 0", report, StringComparison.Ordinal);
        Assert.Matches("reads checked: [1-9]", report);
    }

    private static (int Code, string Stdout, string Stderr) Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = CliApp.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private (StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine, StorportDriverScenario Scenario) Run(StorportScenarioOptions options, long durationNanoseconds = Duration, bool remove = true, string driver = "storport_nvme", StorportHostOptions? hostOptions = null)
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new StorportHost(engine, hostOptions ?? new StorportHostOptions());
        var native = NativeStorportDriver.Load(NativeBuild.Driver(driver), host);
        _disposables.Add(native);
        var scenario = new StorportDriverScenario(host, options);
        scenario.Schedule(new Workload(engine, 0, 24), durationNanoseconds);
        engine.AdvanceTo(durationNanoseconds);
        if (remove)
        {
            scenario.Adapter?.Remove();
        }

        return (host, native, engine, scenario);
    }

    private static void AssertClean((StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine, StorportDriverScenario Scenario) run)
    {
        Assert.Empty(run.Scenario.Failures);
        Assert.Empty(run.Host.BugChecks);
        Assert.Empty(run.Host.Findings);
        Assert.Equal(0, run.Driver.DebugPrintsDropped);
        if (run.Scenario.Adapter is { State: AdapterState.Removed } adapter)
        {
            Assert.Equal(0, adapter.LiveTimerCount);
            Assert.False(adapter.LegacyTimer.IsPending);
        }
    }

    private static List<string> Lines((StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine, StorportDriverScenario Scenario) run, string containing) =>
        [.. run.Driver.DebugOutput.Where(l => l.Contains(containing, StringComparison.Ordinal)).Select(l => l.TrimEnd())];

    private static List<(string State, long At)> Fires((StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine, StorportDriverScenario Scenario) run) =>
        [.. run.Driver.DebugOutput.Select(l => FirePattern().Match(l)).Where(m => m.Success).Select(m => (m.Groups[1].Value, long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))];

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"^NvmeRunning (\w+) fire \d+ at (\d+)")]
    private static partial Regex FirePattern();
}
