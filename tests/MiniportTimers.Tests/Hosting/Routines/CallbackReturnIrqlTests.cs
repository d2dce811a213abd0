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

namespace MiniportTimers.Tests.Hosting.Routines;

/// <summary>
/// Issue 21 §5: a DPC or timer callback that returns at another IRQL than it was called at stops the machine on Windows
/// (the DPC retire loop checks the IRQL after each routine): IRQL_NOT_GREATER_OR_EQUAL (0x09), P1 the IRQL it returned
/// at, P2 the IRQL it was called at. A work item's routine that returns at DISPATCH_LEVEL or above is
/// WORKER_THREAD_RETURNED_AT_BAD_IRQL (0xE1). Kernel checks, not verifier ones: the same with the verifier off. All on the
/// virtual clock; every case also checks that the host put the thread back at its IRQL.
/// </summary>
public class CallbackReturnIrqlTests
{
    private const KIRQL DeviceIrql = (KIRQL)5;

    private static void Raise(KIRQL to) => KeRaiseIrql(to, out _);

    private static (uint Code, ulong P1, ulong P2, ulong P3, ulong P4) Parameters(BugCheckException bc) =>
        (bc.Code, bc.Parameter1, bc.Parameter2, bc.Parameter3, bc.Parameter4);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void StorportTimerExCallback_ReturningRaised_Is0x09_AndStopsThatAdapterOnly(bool verifier)
    {
        var bed = new StorportTestBed(new StorportHostOptions { Verifier = verifier }, adapters: 2);
        var other = new List<long>();
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => Raise(DeviceIrql), null, 10, 0));
        var second = bed.Created[1];
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(second.DeviceExtension, bed.NewTimer(second), (_, _) => other.Add(bed.NowMicroseconds), null, 20, 0));

        bed.AdvanceMicroseconds(20);

        var report = Assert.Single(bed.Host.BugChecks);
        Assert.Equal(("adapter0", "TimerCallback"), (report.Adapter, report.Routine));
        Assert.Equal((BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 5ul, 2ul, 0ul, 0ul), Parameters(report.BugCheck));
        Assert.Contains("returned at DIRQL 5", report.BugCheck.Detail, StringComparison.Ordinal);
        Assert.Equal(AdapterState.Faulted, bed.Adapter.State);
        Assert.Equal(AdapterState.Started, second.State);
        Assert.Equal([20L], other);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void StorportTimerCallback_ThatLowersBelowDispatchAndReturns_Is0x09WithTheLowerIrql()
    {
        var bed = new StorportTestBed();
        StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, bed.Ext, _ => KeLowerIrql(KIRQL.PASSIVE_LEVEL), 10);
        bed.AdvanceMicroseconds(10);
        Assert.Equal((BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 0ul, 2ul, 0ul, 0ul), Parameters(Assert.Single(bed.Host.BugChecks).BugCheck));
        Assert.Equal(AdapterState.Faulted, bed.Adapter.State);
    }

    [Fact]
    public void HalfDuplexHwStorTimer_IsCalledAtTheDeviceIrql_SoReturningAtDispatchIsTheMismatch()
    {
        var bed = new StorportTestBed(model: STOR_SYNCHRONIZATION_MODEL.StorSynchronizeHalfDuplex);
        StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, bed.Ext, _ => KeLowerIrql(KIRQL.DISPATCH_LEVEL), 10);
        bed.AdvanceMicroseconds(10);
        var bc = Assert.Single(bed.Host.BugChecks).BugCheck;
        Assert.Equal((BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 2ul, (ulong)bed.Host.Options.InterruptIrql), (bc.Code, bc.Parameter1, bc.Parameter2));
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void StorPortDpcRoutine_ReturningRaised_Is0x09()
    {
        var bed = new StorportTestBed(new StorportHostOptions { Verifier = false });
        var dpc = new STOR_DPC();
        StorPortInitializeDpc(bed.Ext, dpc, (_, _, _, _) => Raise(KIRQL.HIGH_LEVEL));
        Assert.True(StorPortIssueDpc(bed.Ext, dpc, null, null));
        bed.AdvanceMicroseconds(0);
        var report = Assert.Single(bed.Host.BugChecks);
        Assert.Equal(("DpcRoutine", BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 15ul, 2ul), (report.Routine, report.BugCheck.Code, report.BugCheck.Parameter1, report.BugCheck.Parameter2));
    }

    [Fact]
    public void ACallbackThatRaisesAndLowersAgain_Passes()
    {
        var bed = new StorportTestBed();
        var seen = new List<KIRQL>();
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) =>
        {
            KeRaiseIrql(DeviceIrql, out var old);
            seen.Add(KeGetCurrentIrql());
            KeLowerIrql(old);
        }, null, 10, 0);
        bed.AdvanceMicroseconds(10);
        Assert.Equal([DeviceIrql], seen);
        Assert.Empty(bed.Host.BugChecks);
        Assert.Equal(AdapterState.Started, bed.Adapter.State);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NdisTimerObjectCallback_ReturningRaised_Is0x09(bool verifier)
    {
        var bed = new NdisTestBed(options: new NdisHostOptions { Verifier = verifier });
        NdisSetTimerObject(bed.NewTimerObject((_, _, _, _) => Raise(DeviceIrql)), -10_000, 0, null);
        bed.AdvanceMs(1);
        var report = Assert.Single(bed.Host.Diagnostics.BugChecks);
        Assert.Equal(("TimerCallback", BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 5ul, 2ul), (report.Routine, report.BugCheck.Code, report.BugCheck.Parameter1, report.BugCheck.Parameter2));
        Assert.Equal(NdisAdapterState.Faulted, bed.Adapter.State);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void Ndis5TimerCallback_ReturningRaised_Is0x09()
    {
        var bed = new NdisTestBed();
        var timer = new NDIS_MINIPORT_TIMER();
        bed.Initialize = handle => NdisMInitializeTimer(timer, handle, (_, _, _, _) => Raise(DeviceIrql), null);
        var adapter = bed.Host.AddAdapter();
        NdisMSetTimer(timer, 5);
        bed.AdvanceMs(5);
        var report = Assert.Single(bed.Host.Diagnostics.BugChecks);
        Assert.Equal((adapter.Name, BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL), (report.Adapter, report.BugCheck.Code));
        Assert.Equal(NdisAdapterState.Faulted, adapter.State);
    }

    [Fact]
    public void DriverLevelNdisTimer_ReturningRaised_Is0x09_ReportedUnderTheDriver()
    {
        var bed = new NdisTestBed(adapters: 0);
        NdisSetTimerObject(bed.NewTimerObject((_, _, _, _) => Raise(DeviceIrql), handle: bed.Driver), -10_000, 0, null);
        bed.AdvanceMs(1);
        var report = Assert.Single(bed.Host.Diagnostics.BugChecks);
        Assert.Equal(("driver", "TimerCallback", BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL), (report.Adapter, report.Routine, report.BugCheck.Code));
    }

    [Fact]
    public void KeDpcRoutine_ReturningRaised_Is0x09_AndStopsTheAdapterWhoseRoutineInitializedIt()
    {
        var bed = new StorportTestBed(adapters: 2);
        var dpc = new KDPC();
        bed.StartIo = (_, _) =>
        {
            KeInitializeDpc(dpc, (_, _, _, _) => Raise(KIRQL.HIGH_LEVEL), null);
            KeInsertQueueDpc(dpc, null, null);
        };
        bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK());
        bed.AdvanceMicroseconds(0);
        var report = Assert.Single(bed.Host.BugChecks);
        Assert.Equal(("adapter0", BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 15ul, 2ul), (report.Adapter, report.BugCheck.Code, report.BugCheck.Parameter1, report.BugCheck.Parameter2));
        Assert.Equal(AdapterState.Faulted, bed.Adapter.State);
        Assert.Equal(AdapterState.Started, bed.Created[1].State);
    }

    [Fact]
    public void ExTimerCallback_ReturningRaised_Is0x09()
    {
        var bed = new NdisTestBed(options: new NdisHostOptions { Verifier = false });
        bed.Reset = _ =>
        {
            var timer = ExAllocateTimer((_, _) => Raise(DeviceIrql), null, 0)!;
            ExSetTimer(timer, -10_000, 0, null);
            return NDIS_STATUS_SUCCESS;
        };
        bed.Adapter.Reset();
        bed.AdvanceMs(1);
        var report = Assert.Single(bed.Host.Diagnostics.BugChecks);
        Assert.Equal((bed.Adapter.Name, BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 5ul, 2ul), (report.Adapter, report.BugCheck.Code, report.BugCheck.Parameter1, report.BugCheck.Parameter2));
        Assert.Equal(NdisAdapterState.Faulted, bed.Adapter.State);
    }

    [Fact]
    public void KeDpcInABareUseEngineScope_ReturningRaised_CountsAsACallbackFaultOfThatEngine()
    {
        using var engine = new MiniportTimers.Engine.VirtualTimerEngine();
        BugCheckException? seen = null;
        engine.CallbackFaulted += (_, ex) => seen = ex as BugCheckException;
        var dpc = new KDPC();
        using (UseEngine(engine))
        {
            KeInitializeDpc(dpc, (_, _, _, _) => Raise(DeviceIrql), null);
            KeInsertQueueDpc(dpc, null, null);
        }

        engine.AdvanceBy(0);
        Assert.Equal((BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 5ul, 2ul), (seen!.Code, seen.Parameter1, seen.Parameter2));
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void NdisInterruptDpc_ReturningRaised_Is0x09()
    {
        var bed = new NdisTestBed();
        Assert.Equal(NDIS_STATUS_SUCCESS, NdisMRegisterInterruptEx(bed.Adapter, null, new NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS
        {
            InterruptHandler = (object _, out bool queue, out uint targets) =>
            {
                (queue, targets) = (true, 0);
                return true;
            },
            InterruptDpcHandler = (_, _) => Raise(DeviceIrql),
        }, out _));
        Assert.True(bed.Adapter.RaiseInterrupt());
        bed.AdvanceMs(0);
        var report = Assert.Single(bed.Host.Diagnostics.BugChecks);
        Assert.Equal(("MiniportInterruptDPC", BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 5ul, 2ul), (report.Routine, report.BugCheck.Code, report.BugCheck.Parameter1, report.BugCheck.Parameter2));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void NdisIoWorkItem_ReturningAtDispatch_IsWorkerThreadReturnedAtBadIrql0xE1(bool verifier)
    {
        var bed = new NdisTestBed(options: new NdisHostOptions { Verifier = verifier });
        NdisQueueIoWorkItem(NdisAllocateIoWorkItem(bed.Adapter)!, (_, _) => Raise(KIRQL.DISPATCH_LEVEL), null);
        bed.AdvanceMs(0);
        var report = Assert.Single(bed.Host.Diagnostics.BugChecks);
        Assert.Equal("WorkItem", report.Routine);
        Assert.Equal((BugCheckCodes.WORKER_THREAD_RETURNED_AT_BAD_IRQL, 0ul, 2ul, 0ul, 0ul), Parameters(report.BugCheck));
        Assert.Equal(NdisAdapterState.Faulted, bed.Adapter.State);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void NdisWorkItem_ReturningAtApcLevel_IsNotABugCheck_AsWindowsChecksOnlyDispatchAndAbove()
    {
        var bed = new NdisTestBed();
        var workItem = new NDIS_WORK_ITEM();
        var ran = 0;
        bed.Reset = _ =>
        {
            NdisInitializeWorkItem(workItem, (_, _) =>
            {
                ran++;
                Raise(KIRQL.APC_LEVEL);
            }, null);
            NdisScheduleWorkItem(workItem);
            return NDIS_STATUS_SUCCESS;
        };
        bed.Adapter.Reset();
        bed.AdvanceMs(0);
        Assert.Equal(1, ran);
        Assert.Empty(bed.Host.Diagnostics.BugChecks);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
    }

    [Fact]
    public void APassiveLevelMiniportHandler_ReturningRaised_IsPutBackWithoutABugCheck()
    {
        // Windows checks the IRQL at a DPC's and a work item's return, not at the return of a miniport handler NDIS or
        // Storport calls at PASSIVE_LEVEL (Static Driver Verifier's IrqlReturn/SpChangeIrql rules catch those at build time).
        var bed = new NdisTestBed();
        bed.Pause = _ =>
        {
            Raise(KIRQL.DISPATCH_LEVEL);
            return NDIS_STATUS_SUCCESS;
        };
        Assert.Equal(NDIS_STATUS_SUCCESS, bed.Adapter.Pause());
        Assert.Empty(bed.Host.Diagnostics.BugChecks);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
    }
}
