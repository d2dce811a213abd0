using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport;

/// <summary>The host side: StartIo and interrupt locking (§1.5), removal (A6), Windows 7 mode (A17), faults.</summary>
public class StorportAdapterTests
{
    private static void Nop(object ext, object? ctx)
    {
    }

    [Fact]
    public void SubmitRequest_HwStartIoRunsAtDispatchUnderStartIoLock()
    {
        var bed = new StorportTestBed();
        (KIRQL, bool, bool) seen = default;
        bed.StartIo = (_, _) => seen = (Ke.KeGetCurrentIrql(), bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread, bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread);
        Assert.True(bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK()));
        Assert.Equal((KIRQL.DISPATCH_LEVEL, true, false), seen);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
    }

    [Fact]
    public void SubmitRequest_HalfDuplex_HwStartIoAlsoHoldsInterruptLock()
    {
        var bed = new StorportTestBed(model: StorSynchronizeHalfDuplex);
        (bool, bool) seen = default;
        bed.StartIo = (_, _) => seen = (bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread, bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread);
        bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK());
        Assert.Equal((true, true), seen);
    }

    [Fact]
    public void ConcurrentChannels_HwStartIoWithoutStartIoLock_TimerCallbackStillHoldsIt()
    {
        var perf = new PERF_CONFIGURATION_DATA { Version = STOR_PERF_VERSION_2, Flags = STOR_PERF_CONCURRENT_CHANNELS, ConcurrentChannels = 2 };
        var bed = new StorportTestBed(perf: perf);
        bool? startIoHeld = null, timerHeld = null;
        bed.StartIo = (_, _) => startIoHeld = bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread;
        bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK());
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => timerHeld = bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread, null, 10, 0);
        bed.AdvanceMicroseconds(10);
        Assert.False(bed.Adapter.StartIoTakesStartIoLock);
        Assert.Equal((false, true), (startIoHeld, timerHeld));
    }

    [Fact]
    public void ConcurrentChannelsOfOne_HwStartIoKeepsTheStartIoLock()
    {
        var perf = new PERF_CONFIGURATION_DATA { Flags = STOR_PERF_CONCURRENT_CHANNELS, ConcurrentChannels = 1 };
        var bed = new StorportTestBed(perf: perf);
        Assert.True(bed.Adapter.StartIoTakesStartIoLock);
    }

    [Fact]
    public void RaiseInterrupt_HwInterruptRunsAtDeviceIrqlUnderInterruptLock()
    {
        var bed = new StorportTestBed();
        (KIRQL, bool) seen = default;
        bed.Interrupt = _ => seen = (Ke.KeGetCurrentIrql(), bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread);
        Assert.True(bed.Adapter.RaiseInterrupt());
        Assert.Equal(((KIRQL)5, true), seen);
    }

    [Fact]
    public void RequestComplete_FromStartIoInterruptAndTimer_RecordedWithTheirRoutine()
    {
        var bed = new StorportTestBed();
        var queued = new Queue<SCSI_REQUEST_BLOCK>();
        bed.StartIo = (ext, srb) =>
        {
            if (srb.Tag == 0)
            {
                srb.SrbStatus = SRB_STATUS_SUCCESS;
                StorPortNotification(RequestComplete, ext, srb);
            }
            else
            {
                queued.Enqueue(srb);
            }
        };
        bed.Interrupt = ext => StorPortNotification(RequestComplete, ext, queued.Dequeue());
        var srbs = Enumerable.Range(0, 3).Select(i => new SCSI_REQUEST_BLOCK { Tag = i }).ToList();
        srbs.ForEach(s => bed.Adapter.SubmitRequest(s));
        bed.Adapter.RaiseInterrupt();
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (e, _) => StorPortNotification(RequestComplete, e, queued.Dequeue()), null, 10, 0);
        bed.AdvanceMicroseconds(10);
        Assert.Equal([MiniportRoutine.HwStartIo, MiniportRoutine.HwInterrupt, MiniportRoutine.TimerCallback], srbs.Select(s => s.CompletedIn));
        Assert.Equal(3, bed.Host.RequestActivity.Completed);
        Assert.Equal(1, bed.Host.RequestActivity.CompletedIn(MiniportRoutine.TimerCallback));
    }

    [Fact]
    public void RequestComplete_Twice_IsAVerifierFinding()
    {
        var bed = new StorportTestBed();
        var srb = new SCSI_REQUEST_BLOCK();
        StorPortNotification(RequestComplete, bed.Ext, srb);
        StorPortNotification(RequestComplete, bed.Ext, srb);
        Assert.Equal("RequestCompletedTwice", Assert.Single(bed.Host.Findings).Rule);
    }

    [Fact]
    public void A6_Remove_VerifierOff_CancelsEveryTimerAndReportsEachHandleNeverFreed()
    {
        var bed = new StorportTestBed(new StorportHostOptions { Verifier = false });
        var fired = 0;
        var freedByMiniport = bed.NewTimer();
        var forgotten1 = bed.NewTimer();
        var forgotten2 = bed.NewTimer();
        StorPortRequestTimer(bed.Ext, freedByMiniport, (_, _) => fired++, null, 1_000, 0);
        StorPortRequestTimer(bed.Ext, forgotten1, (_, _) => fired++, null, 1_000, 0);
        StorPortNotification(RequestTimerCall, bed.Ext, _ => fired++, 1_000);
        bed.StartIo = (ext, srb) =>
        {
            if (srb.Function == SRB_FUNCTION_PNP && srb.PnPAction == StorRemoveDevice)
            {
                StorPortFreeTimer(ext, freedByMiniport);
            }
        };
        bed.Adapter.Remove();
        bed.AdvanceMicroseconds(10_000);
        Assert.Equal(0, fired);
        Assert.Equal(AdapterState.Removed, bed.Adapter.State);
        Assert.Equal(2, bed.Host.Findings.Count(f => f.Rule == "TimerNotFreed"));
        Assert.Equal(0, bed.Engine.PendingCount);
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortRequestTimer(bed.Ext, forgotten2, Nop, null, 10, 0));
        Assert.Empty(bed.Host.BugChecks);
    }

    [Fact]
    public void A6_RemoveAfterAFailedStart_CancelsTheRequestsItsStartMade_WithoutA0xC7_AndStillReportsTheUnfreedHandle()
    {
        // Storport sends no ScsiStopAdapter to an adapter whose start failed and the host runs none of its timers, so the
        // miniport had no routine in which to cancel them (OFA nvmewin's give-up). Verifier on.
        var host = new StorportHost(new MiniportTimers.Engine.VirtualTimerEngine());
        var fired = 0;
        var statuses = new List<uint>();
        Assert.Equal(0u, host.StorPortInitialize(new HW_INITIALIZATION_DATA
        {
            DeviceExtensionFactory = () => new TestExtension(),
            HwFindAdapter = (object ext, object? ctx, object? bus, string? args, PORT_CONFIGURATION_INFORMATION config, out bool again) =>
            {
                again = false;
                return SP_RETURN_FOUND;
            },
            HwInitialize = ext => StorPortEnablePassiveInitialization(ext, ext =>
            {
                StorPortNotification(RequestTimerCall, ext, _ => fired++, 5_000);
                statuses.Add(StorPortInitializeTimer(ext, out var handle));
                statuses.Add(StorPortRequestTimer(ext, handle, (_, _) => fired++, null, 5_000, 0));
                return false; // HwPassiveInitialize fails the start with both requests pending
            }),
            HwStartIo = (_, _) => true,
            HwInterrupt = _ => true,
            HwAdapterControl = (_, _, _) => 0,
        }));
        var adapter = host.AddAdapter();
        Assert.Equal([STOR_STATUS_SUCCESS, STOR_STATUS_SUCCESS], statuses);
        Assert.Equal(AdapterState.Failed, adapter.State);
        adapter.Remove();
        ((MiniportTimers.Engine.VirtualTimerEngine)host.Engine).AdvanceBy(100 * MiniportTimers.Engine.TimeUnits.NanosecondsPerMillisecond);
        Assert.Equal(0, fired);
        Assert.Empty(host.BugChecks);
        Assert.Equal(0, host.Engine.PendingCount);
        Assert.Equal("TimerNotFreed", Assert.Single(host.Findings).Rule);
    }

    [Fact]
    public void A6_Stop_CancelsTimersAndSendsScsiStopAdapter()
    {
        var bed = new StorportTestBed();
        var controls = new List<SCSI_ADAPTER_CONTROL_TYPE>();
        bed.AdapterControl = (_, type) => controls.Add(type);
        var fired = false;
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => fired = true, null, 1_000, 0);
        bed.Adapter.Stop();
        bed.AdvanceMicroseconds(5_000);
        Assert.False(fired);
        Assert.Equal([SCSI_ADAPTER_CONTROL_TYPE.ScsiStopAdapter], controls);
        Assert.True(bed.Adapter.Restart());
        Assert.Equal(AdapterState.Started, bed.Adapter.State);
    }

    [Fact]
    public void A17_Windows7Mode_ExtendedTimerRoutinesReturnNotImplementedLegacyStillWorks()
    {
        var bed = new StorportTestBed(new StorportHostOptions { Windows7Mode = true });
        Assert.Equal(STOR_STATUS_NOT_IMPLEMENTED, StorPortInitializeTimer(bed.Ext, out var h));
        Assert.Null(h);
        var fired = false;
        StorPortNotification(RequestTimerCall, bed.Ext, _ => fired = true, 100);
        bed.AdvanceMicroseconds(100);
        Assert.True(fired);
        Assert.Equal(0xC1000002u, STOR_STATUS_NOT_IMPLEMENTED);
    }

    [Fact]
    public void A17_Windows7Mode_RequestAndFreeReturnNotImplemented()
    {
        var normal = new StorportTestBed();
        var handle = normal.NewTimer();
        var win7 = new StorportTestBed(new StorportHostOptions { Windows7Mode = true });
        Assert.Equal(STOR_STATUS_NOT_IMPLEMENTED, StorPortRequestTimer(win7.Ext, handle, Nop, null, 10, 0));
        Assert.Equal(STOR_STATUS_NOT_IMPLEMENTED, StorPortFreeTimer(win7.Ext, handle));
    }

    [Fact]
    public void BugCheckInTimerCallback_StopsThatAdapterOnly()
    {
        var bed = new StorportTestBed(adapters: 2);
        var a0 = bed.Created[0];
        var a1 = bed.Created[1];
        var survivorFires = 0;
        var laterFires = 0;
        StorPortRequestTimer(a0.DeviceExtension, bed.NewTimer(a0), (_, _) => throw new BugCheckException(BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, 1, 2, 3, 4, "test"), null, 100, 0);
        StorPortRequestTimer(a0.DeviceExtension, bed.NewTimer(a0), (_, _) => laterFires++, null, 200, 0);
        HW_TIMER? tick = null;
        tick = e =>
        {
            survivorFires++;
            StorPortNotification(RequestTimerCall, e, tick, 100);
        };
        StorPortNotification(RequestTimerCall, a1.DeviceExtension, tick, 100);
        bed.AdvanceMicroseconds(1_000);
        Assert.Equal(AdapterState.Faulted, a0.State);
        Assert.Equal(AdapterState.Started, a1.State);
        Assert.Equal(0, laterFires);
        Assert.Equal(10, survivorFires);
        var report = Assert.Single(bed.Host.BugChecks);
        Assert.Equal((a0.Name, "TimerCallback", 0xC4u, 1ul, 4ul), (report.Adapter, report.Routine, report.BugCheck.Code, report.BugCheck.Parameter1, report.BugCheck.Parameter4));
        Assert.Equal(STOR_STATUS_INVALID_DEVICE_STATE, StorPortInitializeTimer(a0.DeviceExtension, out _));
        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
    }

    [Fact]
    public void ExceptionInCallback_IsKmodeExceptionNotHandledAndLocksAreReleased()
    {
        var bed = new StorportTestBed();
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => throw new InvalidOperationException("bad driver"), null, 10, 0);
        bed.AdvanceMicroseconds(10);
        Assert.Equal(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, Assert.Single(bed.Host.BugChecks).BugCheck.Code);
        Assert.False(bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread);
    }

    [Fact]
    public void StorPortAcquireSpinLock_InterruptLockInsideTimerCallback_RaisesToDeviceIrql()
    {
        var bed = new StorportTestBed();
        KIRQL inside = 0, after = 0;
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (e, _) =>
        {
            var h = default(STOR_LOCK_HANDLE);
            StorPortAcquireSpinLock(e, InterruptLock, null, ref h);
            inside = Ke.KeGetCurrentIrql();
            StorPortReleaseSpinLock(e, ref h);
            after = Ke.KeGetCurrentIrql();
        }, null, 10, 0);
        bed.AdvanceMicroseconds(10);
        Assert.Equal(((KIRQL)5, KIRQL.DISPATCH_LEVEL), (inside, after));
        Assert.Empty(bed.Host.BugChecks);
    }

    [Fact]
    public void StorPortAcquireSpinLock_StartIoLockInsideTimerCallback_BugChecksAlreadyOwned()
    {
        var bed = new StorportTestBed();
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (e, _) =>
        {
            var h = default(STOR_LOCK_HANDLE);
            StorPortAcquireSpinLock(e, StartIoLock, null, ref h);
        }, null, 10, 0);
        bed.AdvanceMicroseconds(10);
        Assert.Equal(BugCheckCodes.SPIN_LOCK_ALREADY_OWNED, Assert.Single(bed.Host.BugChecks).BugCheck.Code);
    }

    [Fact]
    public void StorPortIssueDpc_RunsAtDispatchWithoutPortLocks_QueuedOnlyOnce()
    {
        var bed = new StorportTestBed();
        var dpc = new STOR_DPC();
        var runs = new List<(KIRQL, bool, object?)>();
        StorPortInitializeDpc(bed.Ext, dpc, (_, _, a1, _) => runs.Add((Ke.KeGetCurrentIrql(), bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread, a1)));
        Assert.True(StorPortIssueDpc(bed.Ext, dpc, "a", null));
        Assert.False(StorPortIssueDpc(bed.Ext, dpc, "b", null));
        bed.AdvanceMicroseconds(0);
        Assert.Equal([(KIRQL.DISPATCH_LEVEL, false, (object?)"a")], runs);
        Assert.True(StorPortIssueDpc(bed.Ext, dpc, "c", null));
    }

    [Fact]
    public void StorPortStateChangeDetected_SecondWhileProcessing_IsRefusedUntilProcessingEnds()
    {
        var bed = new StorportTestBed(new StorportHostOptions { StateChangeProcessingMicroseconds = 1_000 });
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortStateChangeDetected(bed.Ext, STATE_CHANGE_BUS, 0, 0));
        Assert.Equal(STOR_STATUS_UNSUCCESSFUL, StorPortStateChangeDetected(bed.Ext, STATE_CHANGE_BUS, 0, 0));
        bed.AdvanceMicroseconds(1_000);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortStateChangeDetected(bed.Ext, STATE_CHANGE_BUS, 0, 0));
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortStateChangeDetected(bed.Ext, 0, 0, 0));
    }

    [Fact]
    public void StorPortStallExecution_OnVirtualClock_MovesTheClockSoTimersFireLate()
    {
        var bed = new StorportTestBed();
        var lateness = -1L;
        var due = 0L;
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (e, _) => StorPortStallExecution(10_000), null, 100, 0);
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => lateness = bed.NowMicroseconds - due, null, 200, 0);
        due = 200;
        bed.AdvanceMicroseconds(300);
        Assert.Equal(9_900, lateness);
    }
}
