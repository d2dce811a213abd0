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
