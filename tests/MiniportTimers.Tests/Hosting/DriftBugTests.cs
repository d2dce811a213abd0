using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Ndis;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Ndis;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Kernel.Ex;
using static MiniportTimers.Kernel.Ke;
using static MiniportTimers.Ndis.NdisApi;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Hosting;

/// <summary>Issue 10, the bugs the copies' drift produced: each test failed before its fix.</summary>
public class DriftBugTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public void Bug1_OneEpochPerHost_KeSetTimerExExSetTimerAndNdisSetTimerObject_AgreeOnAnAbsoluteDueTime()
    {
        var epoch2030 = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc).ToFileTimeUtc();
        var fired = new List<(string Ddi, long At)>();
        KTIMER? keTimer = null;
        KDPC? keDpc = null;
        EX_TIMER? exTimer = null;
        var bed = new NdisTestBed(options: new NdisHostOptions { SystemTimeAtEngineZero100ns = epoch2030 });
        var engine = bed.Virtual;
        using (UseEngine(engine, null, epoch2030))
        {
            // Objects initialized where the host's epoch is in force (inside a host routine it is the host's own).
            keTimer = new KTIMER();
            keDpc = new KDPC();
            KeInitializeTimer(keTimer);
            KeInitializeDpc(keDpc, (_, _, _, _) => fired.Add(("KeSetTimerEx", engine.NowNanoseconds)), null);
            exTimer = ExAllocateTimer((_, _) => fired.Add(("ExSetTimer", engine.NowNanoseconds)), null, 0);
        }

        var oneSecondIn = epoch2030 + 10_000_000; // absolute: the host's epoch + 1 s
        KeSetTimerEx(keTimer, oneSecondIn, 0, keDpc);
        ExSetTimer(exTimer!, oneSecondIn, 0, null);
        NdisSetTimerObject(bed.NewTimerObject((_, _, _, _) => fired.Add(("NdisSetTimerObject", engine.NowNanoseconds))), oneSecondIn, 0, null);
        engine.AdvanceBy(2_000 * Ms);
        Assert.Equal(3, fired.Count);
        Assert.All(fired, f => Assert.Equal(1_000 * Ms, f.At)); // before: Ke/Ex used 2026 and waited 126,230,401 s
    }

    [Fact]
    public void Bug1_KeObjectsInitializedInsideAnNdisRoutine_TakeTheHostsEpoch()
    {
        var epoch2030 = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc).ToFileTimeUtc();
        var timer = new KTIMER();
        var inside = new NdisTestBed(options: new NdisHostOptions { SystemTimeAtEngineZero100ns = epoch2030 });
        inside.Reset = _ =>
        {
            KeInitializeTimer(timer); // runs inside MiniportResetEx: the host's context
            return NDIS_STATUS_SUCCESS;
        };
        inside.Adapter.Reset();
        KeSetTimerEx(timer, epoch2030 + 5_000_000, 0, null); // the host's epoch + 0.5 s
        inside.Virtual.AdvanceBy(499 * Ms);
        Assert.False(KeReadStateTimer(timer));
        inside.Virtual.AdvanceBy(1 * Ms);
        Assert.True(KeReadStateTimer(timer));
    }

    [Fact]
    public async Task Bug3_StorPortIssueDpc_TwoRacingCallers_ExactlyOneIsToldTrue_AndItsArgumentsReachTheRoutine()
    {
        var bed = new StorportTestBed();
        var dpc = new STOR_DPC();
        var seen = new List<object?>();
        StorPortInitializeDpc(bed.Ext, dpc, (_, _, a1, _) => seen.Add(a1));
        for (var round = 0; round < 2_000; round++)
        {
            using var go = new Barrier(2);
            var a = Task.Run(() => { go.SignalAndWait(); return StorPortIssueDpc(bed.Ext, dpc, "a", null); });
            var b = Task.Run(() => { go.SignalAndWait(); return StorPortIssueDpc(bed.Ext, dpc, "b", null); });
            var (ra, rb) = (await a, await b);
            Assert.True(ra ^ rb, $"round {round}: exactly one caller queues the DPC (a {ra}, b {rb})");
            seen.Clear();
            bed.AdvanceMicroseconds(0);
            Assert.Equal([ra ? "a" : "b"], seen); // before: the loser could overwrite the winner's arguments
        }
    }

    [Fact]
    public void Bug7_NdisSetCoalescableTimerObject_ReportsItsOwnName()
    {
        var bed = new NdisTestBed();
        var timer = bed.NewTimerObject((_, _, _, _) => { });
        NdisFreeTimerObject(timer);
        var bc = Assert.Throws<BugCheckException>(() => NdisSetCoalescableTimerObject(timer, -10_000, 0, null, 5));
        Assert.Contains("NdisSetCoalescableTimerObject", bc.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("NdisSetTimerObject ", bc.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bug6_ARequestMadeAboveDispatch_CountsItsDelayFromWhenItIsApplied()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var firedAt = -1L;
        uint status = 1;
        bed.Interrupt = ext =>
        {
            status = StorPortRequestTimer(ext, t, (_, _) => firedAt = bed.NowMicroseconds, null, 1_000, 0); // 1 ms at t = 0
            StorPortStallExecution(3_000); // the interrupt routine runs 3 ms more at DIRQL
        };
        Assert.True(bed.Adapter.RaiseInterrupt()); // the IRQL drops at t = 3 ms: the request is applied then
        Assert.Equal(STOR_STATUS_SUCCESS, status);
        Assert.Equal(3_000, bed.NowMicroseconds);
        bed.AdvanceMicroseconds(999);
        Assert.Equal(-1, firedAt); // before: it fired at once, 2 ms "late" from the call
        bed.AdvanceMicroseconds(1);
        Assert.Equal(4_000, firedAt);
        Assert.Equal(0, bed.Host.TimerActivity.Rows.Single().Lateness.MaxNanoseconds); // lateness counts from the applied due time
    }

    [Fact]
    public void Bug6_TheLegacyRequestTimerCallFromHwStorInterrupt_TheSame()
    {
        var bed = new StorportTestBed();
        var firedAt = -1L;
        bed.Interrupt = ext =>
        {
            StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, ext, _ => firedAt = bed.NowMicroseconds, 1_000);
            StorPortStallExecution(3_000);
        };
        Assert.True(bed.Adapter.RaiseInterrupt());
        bed.AdvanceMicroseconds(999);
        Assert.Equal(-1, firedAt);
        bed.AdvanceMicroseconds(1);
        Assert.Equal(4_000, firedAt);
    }

    [Fact]
    public void Bug4_ABugCheckThatLandsAfterTheHaltReturned_LeavesTheNdisAdapterHalted()
    {
        var bed = new NdisTestBed();
        NdisSetTimerObject(bed.NewTimerObject((_, _, _, _) =>
        {
            bed.Adapter.Halt(); // the halt runs to its end while this callback is still on the dispatcher
            throw new BugCheckException(BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, 0, 0, 0, 0, "lands after the halt returned");
        }), -10_000, 0, null);
        bed.AdvanceMs(1);
        Assert.Equal(NdisAdapterState.Halted, bed.Adapter.State); // before: Faulted, overwriting the halt
        Assert.Contains(bed.Host.Diagnostics.BugChecks, b => b.BugCheck.Message.Contains("lands after the halt returned", StringComparison.Ordinal));
    }

    [Fact]
    public void Bug4_ABugCheckThatLandsAfterTheRemovalReturned_LeavesTheStorportAdapterRemoved()
    {
        var bed = new StorportTestBed();
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) =>
        {
            bed.Adapter.Remove();
            throw new BugCheckException(BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, 0, 0, 0, 0, "lands after the removal returned");
        }, null, 10, 0);
        bed.AdvanceMicroseconds(10);
        Assert.Equal(AdapterState.Removed, bed.Adapter.State);
    }

    [Fact]
    public void Bug2_TraceTracks_AreKeyedByHostAndAdapter()
    {
        var recorder = new MiniportTimers.Diagnostics.TraceRecorder();
        var engine = new VirtualTimerEngine();
        var first = new StorportHost(engine) { Trace = recorder.ForHost("storahci") };
        var second = new StorportHost(engine) { Trace = recorder.ForHost("nvme") };
        var ext1 = MiniportTimers.Samples.Harness.NullMiniport.Start(first);
        var ext2 = MiniportTimers.Samples.Harness.NullMiniport.Start(second);
        Assert.Equal(first.Adapters[0].Name, second.Adapters[0].Name); // both "adapter0"
        StorPortInitializeTimer(ext1, out var t1);
        StorPortInitializeTimer(ext2, out var t2);
        StorPortRequestTimer(ext1, t1, (_, _) => { }, null, 10, 0);
        StorPortRequestTimer(ext2, t2, (_, _) => { }, null, 10, 0);
        engine.AdvanceBy(Ms);
        using var stream = new MemoryStream();
        recorder.WriteTo(stream);
        using var json = System.Text.Json.JsonDocument.Parse(stream.ToArray());
        var trackNames = json.RootElement.GetProperty("traceEvents").EnumerateArray()
            .Where(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name" && e.GetProperty("pid").GetInt32() == 1)
            .Select(e => e.GetProperty("args").GetProperty("name").GetString())
            .ToList();
        Assert.Equal(["storahci/adapter0", "nvme/adapter0"], trackNames); // before: one shared "adapter0" track
    }

    [Fact]
    public void Bug8_ADriverLevelNdisTimerCallbackPastTheWatchdog_BugChecks0x133()
    {
        var bed = new NdisTestBed();
        Assert.Equal(NDIS_STATUS_SUCCESS, NdisAllocateTimerObject(bed.Driver, NDIS_TIMER_CHARACTERISTICS.For((_, _, _, _) => bed.Virtual.Stall(150 * Ms), null), out var timer));
        NdisSetTimerObject(timer!, -10_000, 0, null);
        bed.AdvanceMs(2);
        var report = Assert.Single(bed.Host.Diagnostics.BugChecks); // before: driver-level timers had no DPC watchdog
        Assert.Equal((BugCheckCodes.DPC_WATCHDOG_VIOLATION, "driver"), (report.BugCheck.Code, report.Adapter));
    }

    [Fact]
    public void Bug8_AKeDpcOfAnNdisAdapterPastTheWatchdog_BugChecks0x133AndStopsTheAdapter()
    {
        var bed = new NdisTestBed();
        var dpc = new KDPC();
        bed.Reset = _ =>
        {
            KeInitializeDpc(dpc, (_, _, _, _) => bed.Virtual.Stall(150 * Ms), null); // initialized in the adapter's routine
            KeInsertQueueDpc(dpc, null, null);
            return NDIS_STATUS_SUCCESS;
        };
        bed.Adapter.Reset();
        bed.AdvanceMs(1);
        var report = Assert.Single(bed.Host.Diagnostics.BugChecks); // before: Ke/Ex DPCs had no DPC watchdog
        Assert.Equal(BugCheckCodes.DPC_WATCHDOG_VIOLATION, report.BugCheck.Code);
        Assert.Equal(NdisAdapterState.Faulted, bed.Adapter.State);
    }

    [Fact]
    public void Bug8_AKeDpcWithinTheWatchdog_Passes_AndABareUseEngineScopeHasNoWatchdog()
    {
        var bed = new NdisTestBed();
        var dpc = new KDPC();
        var ran = 0;
        bed.Reset = _ =>
        {
            KeInitializeDpc(dpc, (_, _, _, _) => { bed.Virtual.Stall(50 * Ms); ran++; }, null);
            KeInsertQueueDpc(dpc, null, null);
            return NDIS_STATUS_SUCCESS;
        };
        bed.Adapter.Reset();
        bed.AdvanceMs(1);
        Assert.Equal(1, ran);
        Assert.Empty(bed.Host.Diagnostics.BugChecks);

        var engine = new VirtualTimerEngine();
        var faults = new List<BugCheckException>();
        using (UseEngine(engine, faults.Add))
        {
            var bare = new KDPC();
            KeInitializeDpc(bare, (_, _, _, _) => engine.Stall(150 * Ms), null);
            KeInsertQueueDpc(bare, null, null);
        }

        engine.AdvanceBy(Ms);
        Assert.Empty(faults); // no host, no verifier: nothing to check against
    }
}
