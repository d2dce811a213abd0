using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Kernel.Ke;

namespace MiniportTimers.Tests.Kernel;

/// <summary>Issue 12 §3: the clock reads and executive spin locks on the flat C# surface (C miniports reach them through the bridge).</summary>
public class KeClockAndSpinLockTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public void ClockReads_FollowTheVirtualEngine_AndTheScopesEpoch()
    {
        using var engine = new VirtualTimerEngine();
        var epoch = KernelHostOptions.DefaultSystemTimeAtEngineZero100ns + 1_000_000;
        using (UseEngine(engine, systemTimeAtEngineZero100ns: epoch))
        {
            engine.AdvanceBy(5 * Ms);
            Assert.Equal(50_000ul, KeQueryInterruptTime());
            KeQuerySystemTime(out var now);
            KeQuerySystemTimePrecise(out var precise);
            Assert.Equal((epoch + 50_000, epoch + 50_000), (now, precise));
            KeStallExecutionProcessor(250);
            Assert.Equal(52_500ul, KeQueryInterruptTime()); // a stall moves virtual time
        }

        Assert.Throws<InvalidOperationException>(() => KeQueryInterruptTime()); // no engine outside a scope
    }

    [Fact]
    public void AStallBelowDispatchLevel_RunsWhatComesDue_AndAtDispatchLevel_FiresNothing()
    {
        // Issue 24: a PASSIVE_LEVEL stall loop (nvmewin's HwPassiveInitialize) must see its timer and its device's timer
        // fire meanwhile, as a Windows DPC preempts it; at DISPATCH_LEVEL the stalled CPU fires nothing until later.
        using var engine = new VirtualTimerEngine();
        using (UseEngine(engine))
        {
            var firedAtNanoseconds = new List<long>();
            var timer = engine.CreateTimer((t, in _) => firedAtNanoseconds.Add(engine.NowNanoseconds));
            Assert.False(engine.Arm(timer, 2 * Ms)); // it was idle
            KeStallExecutionProcessor(5_000); // PASSIVE_LEVEL
            Assert.Equal([2 * Ms], firedAtNanoseconds); // fired on time, inside the stall
            Assert.Equal(5 * Ms, engine.NowNanoseconds);

            Assert.False(engine.Arm(timer, 7 * Ms));
            KeRaiseIrql(KIRQL.DISPATCH_LEVEL, out var old);
            KeStallExecutionProcessor(5_000);
            KeLowerIrql(old);
            Assert.Equal([2 * Ms], firedAtNanoseconds); // nothing fired during the stall at DISPATCH_LEVEL
            Assert.Equal(10 * Ms, engine.NowNanoseconds);
            engine.AdvanceBy(0);
            Assert.Equal([2 * Ms, 10 * Ms], firedAtNanoseconds); // it fires late, at the next advance
        }
    }

    [Fact]
    public void StorPortQuerySystemTime_UsesTheHostsEpoch_AndRejectsAnUnknownExtension()
    {
        var epoch = KernelHostOptions.DefaultSystemTimeAtEngineZero100ns + 7;
        var bed = new StorportTestBed(new StorportHostOptions { SystemTimeAtEngineZero100ns = epoch });
        bed.AdvanceMicroseconds(3_000);
        Assert.Equal(StorPort.STOR_STATUS_SUCCESS, StorPort.StorPortQuerySystemTime(bed.Ext, out var time));
        Assert.Equal(epoch + 30_000, time);
        Assert.Equal(StorPort.STOR_STATUS_INVALID_PARAMETER, StorPort.StorPortQuerySystemTime(new object(), out var none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void SpinLocks_RaiseAndRestoreTheIrql_AndAtDpcLevelRequiresDispatch()
    {
        KeInitializeSpinLock(out var spinLock);
        KeAcquireSpinLock(spinLock, out var old);
        Assert.Equal((KIRQL.PASSIVE_LEVEL, KIRQL.DISPATCH_LEVEL, true), (old, KeGetCurrentIrql(), spinLock.IsOwnedByCurrentThread));
        KeReleaseSpinLock(spinLock, old);
        Assert.Equal((KIRQL.PASSIVE_LEVEL, false), (KeGetCurrentIrql(), spinLock.IsOwnedByCurrentThread));

        var bugCheck = Assert.Throws<BugCheckException>(() => KeAcquireSpinLockAtDpcLevel(spinLock));
        Assert.Equal(BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, bugCheck.Code);

        KeAcquireSpinLock(spinLock, out old);
        var again = Assert.Throws<BugCheckException>(() => KeAcquireSpinLockAtDpcLevel(spinLock));
        Assert.Equal(BugCheckCodes.SPIN_LOCK_ALREADY_OWNED, again.Code);
        KeReleaseSpinLock(spinLock, old);
    }
}

/// <summary>Issue 12 §3: the remaining clock reads and NDIS spin locks on the flat C# surface, and the lock-held queries.</summary>
public class FlatSurfaceAdditionsTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public void PerformanceCounterAndTickCount_FollowTheEngine_AndTheHostsTick()
    {
        using var engine = new VirtualTimerEngine();
        using (UseEngine(engine))
        {
            engine.AdvanceBy(40 * Ms);
            Assert.Equal(400_000, KeQueryPerformanceCounter(out var frequency));
            Assert.Equal(10_000_000, frequency);
            Assert.Equal(156_250u, KeQueryTimeIncrement()); // Windows' default clock: 15.625 ms
            KeQueryTickCount(out var ticks);
            Assert.Equal(2, ticks); // 40 ms / 15.625 ms
            Assert.Equal(10u, Ex.ExSetTimerResolution(10_000, true)); // precise: 1 µs, whatever is asked
        }

        var bed = new StorportTestBed(new StorportHostOptions { WindowsClockTickMicroseconds = 1_000 });
        uint resolution = 0;
        long count = -1;
        bed.StartIo = (_, _) =>
        {
            resolution = Ex.ExSetTimerResolution(10_000, true);
            KeQueryTickCount(out count);
        };
        bed.AdvanceMicroseconds(5_500);
        bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK());
        Assert.Equal((10_000u, 5L), (resolution, count)); // the host's 1 ms tick
    }

    [Fact]
    public void NdisSpinLocks_SaveAndRestoreTheIrql_AndTheDprFormsNeedDispatch()
    {
        MiniportTimers.Ndis.NdisApi.NdisAllocateSpinLock(out var spinLock);
        MiniportTimers.Ndis.NdisApi.NdisAcquireSpinLock(spinLock);
        Assert.Equal((KIRQL.DISPATCH_LEVEL, KIRQL.PASSIVE_LEVEL), (KeGetCurrentIrql(), spinLock.OldIrql));
        MiniportTimers.Ndis.NdisApi.NdisReleaseSpinLock(spinLock);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
        Assert.Equal(BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, Assert.Throws<BugCheckException>(() => MiniportTimers.Ndis.NdisApi.NdisDprAcquireSpinLock(spinLock)).Code);
        KeRaiseIrql(KIRQL.DISPATCH_LEVEL, out var old);
        MiniportTimers.Ndis.NdisApi.NdisDprAcquireSpinLock(spinLock);
        MiniportTimers.Ndis.NdisApi.NdisDprReleaseSpinLock(spinLock);
        KeLowerIrql(old);
        MiniportTimers.Ndis.NdisApi.NdisFreeSpinLock(spinLock);
        Assert.True(spinLock.IsFreed);
    }

    [Fact]
    public void ATestCanAsk_WhetherTheCurrentThreadHoldsAnAdaptersPortLocks()
    {
        var bed = new StorportTestBed();
        (bool StartIo, bool Interrupt) inTimer = default, inInterrupt = default;
        Assert.Equal(StorPort.STOR_STATUS_SUCCESS, StorPort.StorPortInitializeTimer(bed.Ext, out var timer));
        StorPort.StorPortRequestTimer(bed.Ext, timer, (_, _) => inTimer = (bed.Adapter.IsStartIoLockHeldByCurrentThread, bed.Adapter.IsInterruptLockHeldByCurrentThread), null, 1_000, 0);
        bed.Interrupt = _ => inInterrupt = (bed.Adapter.IsStartIoLockHeldByCurrentThread, bed.Adapter.IsInterruptLockHeldByCurrentThread);
        bed.AdvanceMicroseconds(1_000);
        bed.Adapter.RaiseInterrupt();
        Assert.Equal((true, false), inTimer);      // full duplex: the StartIo lock only
        Assert.Equal((false, true), inInterrupt);  // HwStorInterrupt: the Interrupt lock
        Assert.Equal((false, false), (bed.Adapter.IsStartIoLockHeldByCurrentThread, bed.Adapter.IsInterruptLockHeldByCurrentThread));
    }
}
