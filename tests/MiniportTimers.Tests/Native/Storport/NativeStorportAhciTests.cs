using System.Buffers.Binary;
using System.Globalization;
using System.Text.RegularExpressions;
using MiniportTimers.Cli.Run;
using MiniportTimers.Devices.Sata;
using MiniportTimers.Engine;
using MiniportTimers.Native;
using MiniportTimers.Native.Storport;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Native.Storport;

/// <summary>
/// Issue 22 item 5: our own C AHCI Storport miniport (native/miniports/storport_ahci.c) on the host's Storport I/O path
/// (extended SRBs, HwBuildIo, the SRB extension, scatter-gather lists, the uncached extension, register access, the
/// line interrupt, a STOR_DPC, StorPortStateChangeDetected) against the emulated AHCI HBA of the Storport driver
/// scenario: a 4-port HBA with disks on ports 0 and 2, port 1 never ready, port 3 empty. Everything on the virtual
/// clock, at exact times. The driver prints its times in 100 ns units (KeQueryInterruptTime).
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed partial class NativeStorportAhciTests : IDisposable
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private const long Duration = 70_000 * Ms;
    private const byte SRB_STATUS_NO_DEVICE = 0x08;
    private const byte IDE_COMMAND_READ_DMA_EXT = 0x25;
    private const byte IDE_COMMAND_WRITE_DMA_EXT = 0x35;
    private const byte IDE_COMMAND_FLUSH_CACHE_EXT = 0xEA;

    // The driver's start cadence (storport_ahci.c): DET every 10 ms (3 polls), BSY/DRQ every 20 ms, a COMRESET at 1 s
    // of BSY held 1 ms (a stall: the virtual clock moves by it), the port given up at 60 s of BSY.
    private const long DetPollMs = 10;
    private const long BsyPollMs = 20;
    private const long ComResetAtMs = 1_000;
    private const long ComResetHoldMs = 1;
    private const long GiveUpAtMs = 60_000;

    private readonly List<IDisposable> _disposables = [];

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    [NativeFact]
    public void Enumeration_FindsTheDisksOnPorts0And2_WithTheirIdentityAndSize_AndReportsPorts1And3WithoutADevice()
    {
        var run = Run(new StorportScenarioOptions { NeverReadyPort = 1, CapacitySectors = 3_000_000, IosPerDisk = 10, HotPlugPort = null });

        var model = new SataDiskOptions().Model;
        var identity = "ATA " + model[..16].Trim(); // INQUIRY: vendor "ATA", product the first 16 characters of IDENTIFY's model
        Assert.Equal([(0, identity, 3_000_000L), (2, identity, 3_000_000L)], run.Scenario.Units);
        Assert.Equal([(1, SRB_STATUS_NO_DEVICE), (3, SRB_STATUS_NO_DEVICE)], run.Scenario.EmptyBuses);
        Assert.Equal(2, run.Scenario.Inquiries);
        Assert.Equal(2, run.Scenario.CapacitiesRead);
        Assert.True(run.Scenario.BusyRetries > 0); // SRB_STATUS_BUSY while the ports start, retried by "Storport"

        // HwFindAdapter read the PCI configuration (class 01/06/01), mapped ABAR from the access ranges, and made one bus per port.
        Assert.Equal("AhciHwFindAdapter: vendor 1234 device ac13 ABAR 0xfebf0000 VS 0x00010300 CAP 0x" + run.Scenario.Hba.ReadRegister32(0).ToString("x8", CultureInfo.InvariantCulture) + " PI 0x0000000f buses 4 slots 32", Lines(run, "AhciHwFindAdapter").Single());
        Assert.Equal(4, run.Scenario.Adapter!.ConfigInfo.NumberOfBuses);

        // Once initialized, Storport asked which adapter control types it implements, with a list of Storport's 26.
        Assert.Equal("ScsiQuerySupportedControlTypes: MaxControlType 26 at 0", Lines(run, "ScsiQuerySupportedControlTypes").Single());
        var supported = run.Scenario.Adapter.SupportedControlTypes!;
        Assert.Equal([SCSI_ADAPTER_CONTROL_TYPE.ScsiQuerySupportedControlTypes, SCSI_ADAPTER_CONTROL_TYPE.ScsiStopAdapter, SCSI_ADAPTER_CONTROL_TYPE.ScsiRestartAdapter], Enumerable.Range(0, supported.MaxControlType).Where(i => supported.SupportedTypeList[i]).Select(i => (SCSI_ADAPTER_CONTROL_TYPE)i));
        Assert.Equal("port 0 running: model 'MiniportTimers SATA RAM disk' serial 'MPT0000000000000' firmware '1.0' sectors 3000000 at 600000", Lines(run, "port 0 running").Single());
        AssertClean(run);
    }

    [NativeFact]
    public void PortStart_PollsAtExactVirtualTimes_TheNeverReadyPortIsResetAt1sAndGivenUpAt60s_AndOnlyThenDoPorts2And3Start()
    {
        var run = Run(new StorportScenarioOptions { NeverReadyPort = 1, IosPerDisk = 10, HotPlugPort = null });
        var fires = Fires(run);

        // Port 0 starts with HwPassiveInitialize at 0; its disk is BSY for its 50 ms spin-up: polls at 20, 40, 60 ms.
        var spinUpMs = new StorportScenarioOptions().SpinUpNanoseconds / Ms;
        var port0Ready = (spinUpMs + BsyPollMs - 1) / BsyPollMs * BsyPollMs;
        Assert.Equal(Enumerable.Range(1, (int)(port0Ready / BsyPollMs)).Select(k => k * BsyPollMs * 10_000).ToList(), fires.Where(f => f.Port == 0).Select(f => f.At).ToList());
        Assert.Equal($"port 0 running: model 'MiniportTimers SATA RAM disk' serial 'MPT0000000000000' firmware '1.0' sectors {new StorportScenarioOptions().CapacitySectors} at {port0Ready * 10_000}", Lines(run, "port 0 running").Single());

        // Port 1 starts when port 0 is running, and stays BSY: 3,000 re-arms 20 ms apart, a COMRESET at 1 s of BSY.
        Assert.Equal($"port 1 start at {port0Ready * 10_000}", Lines(run, "port 1 start").Single());
        var comResetAt = port0Ready + ComResetAtMs + ComResetHoldMs;
        var expected = Enumerable.Range(1, (int)(GiveUpAtMs / BsyPollMs)).Select(k =>
            k <= ComResetAtMs / BsyPollMs ? port0Ready + (k * BsyPollMs) : comResetAt + ((k - (ComResetAtMs / BsyPollMs)) * BsyPollMs)).Select(ms => ms * 10_000).ToList();
        var port1 = fires.Where(f => f.Port == 1).ToList();
        Assert.Equal(3_000, port1.Count);
        Assert.Equal(expected, port1.Select(f => f.At).ToList());
        Assert.All(port1, f => Assert.Equal("WaitOnBSYDRQ", f.State));
        Assert.Equal($"port 1 COMRESET 1 at {comResetAt * 10_000}", Lines(run, "port 1 COMRESET").Single());
        var givenUp = expected[^1];
        Assert.Equal($"port 1 given up in WaitOnBSYDRQ after 60000 ms BSY, 1 COMRESETs at {givenUp}", Lines(run, "port 1 given up").Single());

        // Only then: port 2 (its disk long ready: IDENTIFY at once), then port 3, empty after its 3 DET polls.
        Assert.Equal($"port 2 start at {givenUp}", Lines(run, "port 2 start").Single());
        Assert.Equal($"port 3 start at {givenUp}", Lines(run, "port 3 start").Single());
        Assert.DoesNotContain(fires, f => f.Port == 2);
        Assert.Equal(Enumerable.Range(1, 3).Select(k => givenUp + (k * DetPollMs * 10_000)).ToList(), fires.Where(f => f.Port == 3).Select(f => f.At).ToList());
        Assert.Equal($"port 3 empty after 3 DET polls at {givenUp + (3 * DetPollMs * 10_000)}", Lines(run, "port 3 empty").Single());

        // The report: one row for the C callback, every fire on time, and the IDENTIFY timeouts of ports 0 and 2 cancelled with 0.
        var row = Assert.Single(run.Host.TimerActivity.Rows, r => r.Callback == "AhciPortStartTimer");
        Assert.Equal((3L + 3_000 + 3, 2L), (row.Fires, row.Cancels));
        Assert.Equal(0, row.Lateness.MaxNanoseconds);
        AssertClean(run);
    }

    [NativeFact]
    public void ReadsAndWrites_OfRandomLbas_CompareEqualWithTheDiskImages_AndSynchronizeCacheArrivesAsFlushCacheExt()
    {
        var run = Run(new StorportScenarioOptions { NeverReadyPort = 1, IosPerDisk = 500, HotPlugPort = null });

        Assert.Equal(1_000, run.Scenario.Reads + run.Scenario.Writes);
        Assert.True(run.Scenario.Reads > 300 && run.Scenario.Writes > 300);
        Assert.Equal(0, run.Scenario.DataMismatches);
        Assert.Equal(2, run.Scenario.Flushes);
        foreach (var port in new[] { 0, 2 })
        {
            var disk = run.Scenario.Hba.Ports[port].Device!;
            Assert.Equal(500, disk.GetCommandCount(IDE_COMMAND_READ_DMA_EXT) + disk.GetCommandCount(IDE_COMMAND_WRITE_DMA_EXT)); // each READ/WRITE (10) one DMA EXT command
            Assert.Equal(1, disk.GetCommandCount(IDE_COMMAND_FLUSH_CACHE_EXT));
        }

        Assert.Equal(0, run.Scenario.Hba.Ports[1].Device!.GetCommandCount(IDE_COMMAND_READ_DMA_EXT)); // the given-up port got no I/O
        Assert.Equal(0, NativeStorportDriver.RequestCount);
        AssertClean(run);
    }

    [NativeFact]
    public void HotUnplugAndPlug_TakeTheStateChangePath_TheBusChangeTimerRetriesEvery100ms_AndIsFreedOnceStorportTakesIt()
    {
        var run = Run(new StorportScenarioOptions { NeverReadyPort = 1, IosPerDisk = 10, HotPlugPort = 2, ReplugDelayNanoseconds = 1_000 * Ms });
        const long unplug = (Duration - (3_000 * Ms)) / 100;
        const long plug = (Duration - (2_000 * Ms)) / 100;
        const long retry = 100 * Ms / 100;
        var busy = (long)run.Host.Options.StateChangeProcessingMicroseconds * 10; // Storport refuses the next change for this long (STOR_STATUS_UNSUCCESSFUL)

        // Unplug: PhyRdy change (PxIS.PRCS) -> the DPC tells Storport at once and starts the port again; it is empty
        // after its 3 DET polls, and that second change is refused until Storport is done with the first.
        var emptyAt = unplug + (3 * DetPollMs * 10_000);
        var unplugChanges = Changes(run).Where(c => c.At >= unplug && c.At < plug).ToList();
        Assert.Equal($"port 2 hot plug: PxIS 0x00400000 DET 0 in Running at {unplug}", Lines(run, "port 2 hot plug").First());
        var expectedUnplug = new List<(long At, uint Status)> { (unplug, StorPort.STOR_STATUS_SUCCESS) };
        for (var at = emptyAt; ; at += retry)
        {
            var taken = at >= unplug + busy;
            expectedUnplug.Add((at, taken ? StorPort.STOR_STATUS_SUCCESS : StorPort.STOR_STATUS_UNSUCCESSFUL));
            if (taken)
            {
                break;
            }
        }

        Assert.Equal(expectedUnplug, unplugChanges);
        Assert.Equal($"port 2 empty after 3 DET polls at {emptyAt}", Lines(run, "port 2 empty").Single());

        // Plug: COMINIT and PhyRdy (PCS, PRCS) -> told at once; the port starts, the disk spins up, IDENTIFY; the
        // second change is refused, retried every 100 ms until taken.
        var spinUpMs = new StorportScenarioOptions().SpinUpNanoseconds / Ms;
        var runningAt = plug + ((spinUpMs + BsyPollMs - 1) / BsyPollMs * BsyPollMs * 10_000);
        Assert.Equal($"port 2 hot plug: PxIS 0x00400040 DET 3 in Empty at {plug}", Lines(run, "port 2 hot plug").Last());
        var expectedPlug = new List<(long At, uint Status)> { (plug, StorPort.STOR_STATUS_SUCCESS) };
        for (var at = runningAt; ; at += retry)
        {
            var taken = at >= plug + busy;
            expectedPlug.Add((at, taken ? StorPort.STOR_STATUS_SUCCESS : StorPort.STOR_STATUS_UNSUCCESSFUL));
            if (taken)
            {
                break;
            }
        }

        Assert.Equal(expectedPlug, Changes(run).Where(c => c.At >= plug).ToList());

        // The BusChangeTimer: made when a change is refused, freed from its own callback once one is taken (twice).
        Assert.Equal(2, Lines(run, "BusChangeTimer created status 0x00000000").Count);
        Assert.Equal(new List<long> { expectedUnplug[^1].At, expectedPlug[^1].At }, Lines(run, "BusChangeTimer freed status 0x00000000").Select(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)).ToList());
        var retries = Assert.Single(run.Host.TimerActivity.Rows, r => r.Callback == "AhciBusChangeTimer");
        Assert.Equal(expectedUnplug.Count - 2 + expectedPlug.Count - 2, retries.Fires);
        Assert.Equal(4, Lines(run, "state change taken: bus 2 type 1 status 0x00000000").Count); // HW_STATE_CHANGE ran for each change taken

        // After the plug the disk is enumerated again with its size; the scenario saw both events.
        Assert.Equal(2, run.Scenario.HotPlugs);
        Assert.Contains(run.Scenario.Units, u => u.Bus == 2 && u.Sectors == run.Scenario.Hba.Ports[2].Device!.CapacitySectors);
        AssertClean(run);
    }

    [NativeFact]
    public void Removal_FreesEveryTimer_AndLeavesNothingBehind()
    {
        var run = Run(new StorportScenarioOptions { NeverReadyPort = 1, IosPerDisk = 10, HotPlugPort = 2 }, remove: false);
        var adapter = run.Scenario.Adapter!;
        Assert.Equal(4, adapter.LiveTimerCount); // one start timer per port; the BusChangeTimer was freed once it succeeded
        adapter.Remove();
        Assert.Equal($"ScsiStopAdapter: 4 timers freed at {Duration / 100}", Lines(run, "ScsiStopAdapter").Single());
        Assert.Equal(AdapterState.Removed, adapter.State);
        Assert.Equal(0, adapter.LiveTimerCount);
        Assert.Equal(0, NativeStorportDriver.RequestCount);
        AssertClean(run);
    }

    [NativeFact]
    public void RemovalWhilePort1IsStillStarting_FreesItsQueuedTimer_WithoutAFinding()
    {
        var run = Run(new StorportScenarioOptions { NeverReadyPort = 1, IosPerDisk = 10, HotPlugPort = null }, durationNanoseconds: 30_000 * Ms, remove: false);
        var adapter = run.Scenario.Adapter!;
        Assert.Empty(Lines(run, "port 1 given up"));
        Assert.Contains(run.Host.TimerActivity.Rows, r => r.Callback == "AhciPortStartTimer" && r.Fires > 1_000);
        adapter.Remove(); // port 1's start timer is queued 20 ms ahead: ScsiStopAdapter frees it
        Assert.Equal($"ScsiStopAdapter: 4 timers freed at {30_000 * Ms / 100}", Lines(run, "ScsiStopAdapter").Single());
        Assert.Equal(0, adapter.LiveTimerCount);
        run.Engine.AdvanceBy(1_000 * Ms);
        Assert.DoesNotContain(Fires(run), f => f.At > 30_000 * Ms / 100);
        AssertClean(run);
    }

    [NativeFact]
    public void StopAndRestart_FreeTheTimers_ThenStartThePortsAgain_AndIoStillReachesTheDisk()
    {
        var run = Run(new StorportScenarioOptions { NeverReadyPort = null, IosPerDisk = 10, HotPlugPort = null }, durationNanoseconds: 2_000 * Ms, remove: false);
        var adapter = run.Scenario.Adapter!;
        adapter.Stop();
        Assert.Equal(0, adapter.LiveTimerCount);
        Assert.Equal($"ScsiStopAdapter: 4 timers freed at {2_000 * Ms / 100}", Lines(run, "ScsiStopAdapter").Single());
        Assert.True(adapter.Restart());
        Assert.Equal(4, adapter.LiveTimerCount);
        run.Engine.AdvanceBy(1_000 * Ms);
        Assert.Equal(2, Lines(run, "port 1 running").Count); // once at the start, once after the restart

        var image = new byte[4096];
        new Random(22).NextBytes(image);
        run.Scenario.Hba.Ports[1].Device!.WriteSectors(1234, image);
        var data = new byte[4096];
        SCSI_REQUEST_BLOCK? done = null;
        Assert.True(adapter.SubmitRequest(ReadRequest(1, 1234, data, s => done = s)));
        run.Engine.AdvanceBy(0);
        Assert.Equal(StorPort.SRB_STATUS_SUCCESS, done!.SrbStatus);
        Assert.Equal(image, data);
        adapter.Remove();
        AssertClean(run);
    }

    [NativeFact]
    public void EightReadsAtOnce_TakeEightCommandSlots_AndEachCompletesThroughTheInterruptWhenTheDiskAnswers()
    {
        var run = Run(new StorportScenarioOptions { NeverReadyPort = null, IosPerDisk = 1, HotPlugPort = null }, durationNanoseconds: 1_000 * Ms, remove: false);
        var adapter = run.Scenario.Adapter!;
        var disk = run.Scenario.Hba.Ports[0].Device!;
        disk.CommandLatencyNanoseconds = 1 * Ms; // commands run one at a time (no NCQ): 1 ms each
        var random = new Random(22);
        var images = new List<byte[]>();
        var completions = new List<(int Index, long At, byte Status)>();
        var buffers = new List<byte[]>();
        var start = run.Engine.NowNanoseconds;
        for (var i = 0; i < 8; i++)
        {
            var image = new byte[4096];
            random.NextBytes(image);
            disk.WriteSectors(1000 * (i + 1), image);
            images.Add(image);
            var data = new byte[4096];
            buffers.Add(data);
            var index = i;
            Assert.True(adapter.SubmitRequest(ReadRequest(0, (uint)(1000 * (i + 1)), data, s => completions.Add((index, run.Engine.NowNanoseconds, s.SrbStatus)))));
        }

        Assert.Equal(0xFFu, run.Scenario.Hba.ReadRegister32(0x100 + 0x38)); // PxCI of port 0: eight slots issued
        run.Engine.AdvanceBy(20 * Ms);
        Assert.Equal(Enumerable.Range(1, 8).Select(k => start + (k * Ms)).ToList(), completions.Select(c => c.At).ToList());
        Assert.Equal(Enumerable.Range(0, 8).ToList(), completions.Select(c => c.Index).Order().ToList());
        Assert.All(completions, c => Assert.Equal(StorPort.SRB_STATUS_SUCCESS, c.Status));
        Assert.All(Enumerable.Range(0, 8), i => Assert.Equal(images[i], buffers[i]));
        adapter.Remove();
        AssertClean(run);
    }

    [NativeFact]
    public void AnUnplugWithAReadInFlight_EndsItWithNoDevice_AndThePortIsEmptyAfterItsDetPolls()
    {
        var run = Run(new StorportScenarioOptions { NeverReadyPort = null, IosPerDisk = 1, HotPlugPort = null }, durationNanoseconds: 1_000 * Ms, remove: false);
        var adapter = run.Scenario.Adapter!;
        run.Scenario.Hba.Ports[2].Device!.CommandLatencyNanoseconds = 10 * Ms;
        SCSI_REQUEST_BLOCK? done = null;
        long doneAt = 0;
        Assert.True(adapter.SubmitRequest(ReadRequest(2, 42, new byte[4096], s => (done, doneAt) = (s, run.Engine.NowNanoseconds))));
        run.Engine.AdvanceBy(5 * Ms);
        Assert.Null(done);
        var unplug = run.Engine.NowNanoseconds;
        Assert.NotNull(run.Scenario.Hba.Ports[2].Detach());
        run.Engine.AdvanceBy(0); // the interrupt, then the DPC
        Assert.Equal((SRB_STATUS_NO_DEVICE, unplug), (done!.SrbStatus, doneAt));
        run.Engine.AdvanceBy(1_000 * Ms);
        Assert.Equal($"port 2 empty after 3 DET polls at {(unplug / 100) + (3 * DetPollMs * 10_000)}", Lines(run, "port 2 empty").Single());
        adapter.Remove();
        AssertClean(run);
    }

    [NativeFact]
    public void RequestsTheMiniportRefuses_CompleteInHwBuildIoOrHwStartIo_WithTheirSrbStatus()
    {
        var run = Run(new StorportScenarioOptions { NeverReadyPort = null, IosPerDisk = 1, HotPlugPort = null }, durationNanoseconds: 1_000 * Ms, remove: false);
        var adapter = run.Scenario.Adapter!;
        var sectors = (uint)run.Scenario.Hba.Ports[0].Device!.CapacitySectors;
        var statuses = new List<byte>();
        var readsBefore = run.Scenario.Hba.Ports[0].Device!.GetCommandCount(IDE_COMMAND_READ_DMA_EXT);
        SCSI_REQUEST_BLOCK Request(int bus, byte[] cdb, int length) =>
            new() { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, PathId = (byte)bus, Cdb = cdb, DataBuffer = new byte[length], DataTransferLength = (uint)length, SrbFlags = 0x40, CompletionRoutine = s => statuses.Add(s.SrbStatus) };

        Assert.True(adapter.SubmitRequest(Request(0, [0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0], 0)));               // READ (10) of 0 blocks: done in HwBuildIo
        Assert.True(adapter.SubmitRequest(ReadRequest(0, sectors - 4, new byte[4096], s => statuses.Add(s.SrbStatus)))); // past the end: refused in HwStartIo
        Assert.True(adapter.SubmitRequest(ReadRequest(5, 0, new byte[512], s => statuses.Add(s.SrbStatus))));           // no port 5: HwBuildIo
        Assert.True(adapter.SubmitRequest(Request(0, [0x12, 0x01, 0x80, 0, 96, 0], 96)));                 // INQUIRY with EVPD: no VPD pages
        Assert.True(adapter.SubmitRequest(Request(0, [0x00, 0, 0, 0, 0, 0], 0)));                         // TEST UNIT READY
        Assert.True(adapter.SubmitRequest(Request(3, [0x00, 0, 0, 0, 0, 0], 0)));                         // the empty port
        run.Engine.AdvanceBy(0);
        Assert.Equal([StorPort.SRB_STATUS_SUCCESS, StorPort.SRB_STATUS_INVALID_REQUEST, SRB_STATUS_NO_DEVICE, StorPort.SRB_STATUS_INVALID_REQUEST, StorPort.SRB_STATUS_SUCCESS, SRB_STATUS_NO_DEVICE], statuses);
        Assert.Equal(readsBefore, run.Scenario.Hba.Ports[0].Device!.GetCommandCount(IDE_COMMAND_READ_DMA_EXT)); // none of them reached the disk
        adapter.Remove();
        AssertClean(run);
    }

    [NativeFact]
    public void AnAbortedAtaCommand_EndsWithSrbStatusError_ThePortRecovers_AndTheCommandsDroppedWithItAreRetried()
    {
        var run = Run(new StorportScenarioOptions { NeverReadyPort = null, IosPerDisk = 1, HotPlugPort = null }, durationNanoseconds: 1_000 * Ms, remove: false);
        var adapter = run.Scenario.Adapter!;
        var disk = run.Scenario.Hba.Ports[0].Device!;
        var image = new byte[4096];
        new Random(22).NextBytes(image);
        disk.WriteSectors(77, image);

        // CHECK POWER MODE (E5h) through ATA PASS-THROUGH (16), non-data: the disk aborts it (ABRT), the HBA reports a
        // task file error and stops the command list (§6.2.2); the miniport clears ST, the errors, and starts again.
        var statuses = new Dictionary<string, byte>();
        SCSI_REQUEST_BLOCK PassThrough(byte command, byte features, string name) =>
            new() { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, PathId = 0, Cdb = [0x85, 3 << 1, 0, 0, features, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, command, 0], CompletionRoutine = s => statuses[name] = s.SrbStatus };
        Assert.True(adapter.SubmitRequest(PassThrough(0xE5, 0, "check power mode")));
        run.Engine.AdvanceBy(0);
        Assert.Equal(0x04, statuses["check power mode"]); // SRB_STATUS_ERROR
        Assert.Matches(@"^port 0 error: PxIS 0x40000001 TFD 0x00000451 slot \d+ at \d+$", Lines(run, "port 0 error").Single()); // TFES + DHRS; Error 04h (ABRT), Status 51h
        Assert.Equal(1, disk.GetCommandCount(0xE5));

        // The port works again: SET FEATURES (enable write cache) through the same path, then a read.
        Assert.True(adapter.SubmitRequest(PassThrough(0xEF, 0x02, "set features")));
        var data = new byte[4096];
        Assert.True(adapter.SubmitRequest(ReadRequest(0, 77, data, s => statuses["read"] = s.SrbStatus)));
        run.Engine.AdvanceBy(0);
        Assert.Equal((StorPort.SRB_STATUS_SUCCESS, StorPort.SRB_STATUS_SUCCESS), (statuses["set features"], statuses["read"]));
        Assert.Equal(image, data);

        // An aborted command among others: it ends in error; the others end either done (before it) or BUSY (dropped
        // with ST), and the BUSY ones succeed when sent again, as Storport sends them.
        var results = new byte[3];
        var buffers = new[] { new byte[4096], new byte[4096] };
        var readsBefore = disk.GetCommandCount(IDE_COMMAND_READ_DMA_EXT);
        Assert.True(adapter.SubmitRequest(ReadRequest(0, 77, buffers[0], s => results[0] = s.SrbStatus)));
        Assert.True(adapter.SubmitRequest(PassThrough(0xE5, 0, "again")));
        Assert.True(adapter.SubmitRequest(ReadRequest(0, 77, buffers[1], s => results[2] = s.SrbStatus)));
        run.Engine.AdvanceBy(0);
        Assert.Equal(0x04, statuses["again"]);
        Assert.All(new[] { results[0], results[2] }, r => Assert.Contains(r, new[] { StorPort.SRB_STATUS_SUCCESS, (byte)0x05 }));
        var done = new[] { results[0], results[2] }.Count(r => r == StorPort.SRB_STATUS_SUCCESS);
        Assert.Equal(readsBefore + done, disk.GetCommandCount(IDE_COMMAND_READ_DMA_EXT));
        for (var i = 0; i < 2; i++)
        {
            if (results[i * 2] == 0x05)
            {
                Assert.True(adapter.SubmitRequest(ReadRequest(0, 77, buffers[i], s => results[i * 2] = s.SrbStatus)));
                run.Engine.AdvanceBy(0);
            }

            Assert.Equal(StorPort.SRB_STATUS_SUCCESS, results[i * 2]);
            Assert.Equal(image, buffers[i]);
        }

        adapter.Remove();
        AssertClean(run);
    }

    [NativeFact]
    public void OnTheRealClock_TheSameDriverStartsItsPorts_EnumeratesAndChecksItsIo_GenerousBounds()
    {
        using var engine = new RealTimeTimerEngine("native-ahci");
        var host = new StorportHost(engine);
        var driver = NativeStorportDriver.Load(NativeBuild.Driver("storport_ahci"), host);
        _disposables.Add(driver);
        var scenario = new StorportDriverScenario(host, new StorportScenarioOptions { NeverReadyPort = null, IosPerDisk = 50, HotPlugPort = null });
        using var finished = new ManualResetEventSlim();
        var workload = new Workload(engine, engine.NowNanoseconds, 22);
        scenario.Schedule(workload, 2_000 * Ms);
        workload.At(2_000 * Ms, () =>
        {
            scenario.Adapter?.Remove(); // on the dispatcher, as the run's end does
            finished.Set();
        });
        Assert.True(finished.Wait(TimeSpan.FromSeconds(60)), "the run ended on the real clock");

        Assert.Equal([0, 1, 2], scenario.Units.Select(u => u.Bus));
        Assert.Equal([(3, SRB_STATUS_NO_DEVICE)], scenario.EmptyBuses);
        Assert.Equal(150, scenario.Reads + scenario.Writes);
        Assert.Equal(0, scenario.DataMismatches);
        Assert.Equal(3, scenario.Flushes);
        Assert.Empty(scenario.Failures);
        Assert.Empty(host.BugChecks);
        Assert.Empty(host.Findings);
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("ScsiStopAdapter: 4 timers freed", StringComparison.Ordinal));
    }

    private (StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine, StorportDriverScenario Scenario) Run(StorportScenarioOptions options, long durationNanoseconds = Duration, bool remove = true)
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new StorportHost(engine);
        var driver = NativeStorportDriver.Load(NativeBuild.Driver("storport_ahci"), host);
        _disposables.Add(driver);
        var scenario = new StorportDriverScenario(host, options);
        scenario.Schedule(new Workload(engine, 0, 22), durationNanoseconds);
        engine.AdvanceTo(durationNanoseconds);
        if (remove)
        {
            scenario.Adapter?.Remove();
        }

        return (host, driver, engine, scenario);
    }

    private static SCSI_REQUEST_BLOCK ReadRequest(int bus, uint lba, byte[] data, Action<SCSI_REQUEST_BLOCK> completed)
    {
        byte[] cdb = [0x28, 0, 0, 0, 0, 0, 0, 0, (byte)(data.Length / 512), 0]; // READ (10)
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(2), lba);
        return new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, PathId = (byte)bus, Cdb = cdb, DataBuffer = data, DataTransferLength = (uint)data.Length, SrbFlags = 0x40, CompletionRoutine = completed };
    }

    private static void AssertClean((StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine, StorportDriverScenario Scenario) run)
    {
        Assert.Empty(run.Scenario.Failures);
        Assert.Empty(run.Host.BugChecks);
        Assert.Empty(run.Host.Findings);
        Assert.Equal(0, run.Driver.DebugPrintsDropped);
    }

    private static List<string> Lines((StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine, StorportDriverScenario Scenario) run, string containing) =>
        [.. run.Driver.DebugOutput.Where(l => l.Contains(containing, StringComparison.Ordinal)).Select(l => l.TrimEnd())];

    private static List<(int Port, string State, long At)> Fires((StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine, StorportDriverScenario Scenario) run) =>
        [.. run.Driver.DebugOutput.Select(l => FirePattern().Match(l)).Where(m => m.Success).Select(m => (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value, long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)))];

    private static List<(long At, uint Status)> Changes((StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine, StorportDriverScenario Scenario) run) =>
        [.. run.Driver.DebugOutput.Select(l => ChangePattern().Match(l)).Where(m => m.Success).Select(m => (long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), uint.Parse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)))];

    [GeneratedRegex(@"^AhciPortStartTimer port (\d+) (\w+) fire \d+ at (\d+)")]
    private static partial Regex FirePattern();

    [GeneratedRegex(@"^StorPortStateChangeDetected bus 2 status 0x([0-9a-f]{8}) at (\d+)")]
    private static partial Regex ChangePattern();
}
