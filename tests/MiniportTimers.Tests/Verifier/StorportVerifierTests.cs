using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Verifier;

/// <summary>The Storport verifier: each check trips on the misuse and stays quiet on the legal sequence.</summary>
public class StorportVerifierTests
{
    private static BugCheckException Single(StorportTestBed bed) => Assert.Single(bed.Host.BugChecks).BugCheck;

    [Fact]
    public void TimerCallbackPastTheDpcWatchdog_BugChecks0x133AndStopsTheAdapter()
    {
        var bed = new StorportTestBed();
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => StorPortStallExecution(150_000), null, 10, 0);
        bed.AdvanceMicroseconds(10);
        var bc = Single(bed);
        Assert.Equal((BugCheckCodes.DPC_WATCHDOG_VIOLATION, 0ul, 150_000ul, 100_000ul), (bc.Code, bc.Parameter1, bc.Parameter2, bc.Parameter3));
        Assert.Equal(AdapterState.Faulted, bed.Adapter.State);
    }

    [Fact]
    public void TimerCallbackWithinTheDpcWatchdog_Passes()
    {
        var bed = new StorportTestBed();
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => StorPortStallExecution(50_000), null, 10, 0);
        bed.AdvanceMicroseconds(10);
        Assert.Empty(bed.Host.BugChecks);
    }

    [Fact]
    public void DpcPastAConfiguredWatchdog_BugChecks0x133()
    {
        var bed = new StorportTestBed(new StorportHostOptions { DpcWatchdogMicroseconds = 1_000 });
        var dpc = new STOR_DPC();
        StorPortInitializeDpc(bed.Ext, dpc, (_, _, _, _) => StorPortStallExecution(2_000));
        StorPortIssueDpc(bed.Ext, dpc, null, null);
        bed.AdvanceMicroseconds(0);
        Assert.Equal(BugCheckCodes.DPC_WATCHDOG_VIOLATION, Single(bed).Code);
    }

    [Fact]
    public void RemovalWithATimerStillQueued_BugChecksTimerOrDpcInvalid()
    {
        var bed = new StorportTestBed();
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => { }, null, 1_000, 0);
        bed.Adapter.Remove();
        var bc = Single(bed);
        Assert.Equal((BugCheckCodes.TIMER_OR_DPC_INVALID, VerifierRules.TimerObject), (bc.Code, bc.Parameter1));
        Assert.Equal(AdapterState.Removed, bed.Adapter.State);
    }

    [Fact]
    public void RemovalAfterTheMiniportCancelledAndFreedItsTimers_Passes()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        HW_TIMER_EX cb = (_, _) => { };
        StorPortRequestTimer(bed.Ext, t, cb, null, 1_000, 0);
        StorPortNotification(RequestTimerCall, bed.Ext, _ => { }, 1_000);
        bed.StartIo = (ext, srb) =>
        {
            StorPortFreeTimer(ext, t);
            StorPortNotification(RequestTimerCall, ext, null, 0);
        };
        bed.Adapter.Remove();
        Assert.Empty(bed.Host.BugChecks);
        Assert.Empty(bed.Host.Findings);
    }

    [Fact]
    public void StartIoLockAcquiredWhileHoldingTheInterruptLock_BugChecksLockOrder()
    {
        var bed = new StorportTestBed();
        bed.Interrupt = ext =>
        {
            var h = default(STOR_LOCK_HANDLE);
            StorPortAcquireSpinLock(ext, StartIoLock, null, ref h);
        };
        bed.Adapter.RaiseInterrupt();
        var bc = Single(bed);
        Assert.Equal((BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.LockOrder), (bc.Code, bc.Parameter1));
    }

    [Fact]
    public void StartIoThenInterruptFromADpc_TheDocumentedOrder_Passes()
    {
        var bed = new StorportTestBed();
        var dpc = new STOR_DPC();
        StorPortInitializeDpc(bed.Ext, dpc, (_, ext, _, _) =>
        {
            var startIo = default(STOR_LOCK_HANDLE);
            var interrupt = default(STOR_LOCK_HANDLE);
            StorPortAcquireSpinLock(ext, StartIoLock, null, ref startIo);
            StorPortAcquireSpinLock(ext, InterruptLock, null, ref interrupt);
            StorPortReleaseSpinLock(ext, ref interrupt);
            StorPortReleaseSpinLock(ext, ref startIo);
        });
        StorPortIssueDpc(bed.Ext, dpc, null, null);
        bed.AdvanceMicroseconds(0);
        Assert.Empty(bed.Host.BugChecks);
    }

    [Fact]
    public void DpcLockInsideHwStorTimer_BugChecksForbiddenLock()
    {
        var bed = new StorportTestBed();
        StorPortNotification(RequestTimerCall, bed.Ext, ext =>
        {
            var h = default(STOR_LOCK_HANDLE);
            StorPortAcquireSpinLock(ext, DpcLock, null, ref h);
        }, 10);
        bed.AdvanceMicroseconds(10);
        var bc = Single(bed);
        Assert.Equal((BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.ForbiddenLockInTimerCallback), (bc.Code, bc.Parameter1));
    }

    [Fact]
    public void InterruptLockReleasedAfterLoweringIrql_BugChecksReleaseAtWrongIrql()
    {
        var bed = new StorportTestBed();
        var dpc = new STOR_DPC();
        StorPortInitializeDpc(bed.Ext, dpc, (_, ext, _, _) =>
        {
            var h = default(STOR_LOCK_HANDLE);
            StorPortAcquireSpinLock(ext, InterruptLock, null, ref h);
            Ke.KeLowerIrql(KIRQL.DISPATCH_LEVEL);
            StorPortReleaseSpinLock(ext, ref h);
        });
        StorPortIssueDpc(bed.Ext, dpc, null, null);
        bed.AdvanceMicroseconds(0);
        var bc = Single(bed);
        Assert.Equal((BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.ReleaseAtWrongIrql), (bc.Code, bc.Parameter1));
        Assert.False(bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread);
    }

    [Fact]
    public void VerifierOff_TheSameMisuseRaisesNothing()
    {
        var bed = new StorportTestBed(new StorportHostOptions { Verifier = false });
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => StorPortStallExecution(150_000), null, 10, 0);
        StorPortNotification(RequestTimerCall, bed.Ext, ext =>
        {
            var h = default(STOR_LOCK_HANDLE);
            StorPortAcquireSpinLock(ext, DpcLock, null, ref h);
            StorPortReleaseSpinLock(ext, ref h);
        }, 20);
        bed.AdvanceMicroseconds(200_000);
        Assert.Empty(bed.Host.BugChecks);
    }
}
