using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Ndis.Timers;

/// <summary>semantics.md §2.1: NDIS 5 miniport timers, and decisions A4, A13, A14, A15.</summary>
public class NdisMiniportTimerTests
{
    private static NDIS_MINIPORT_TIMER NewTimer(NdisTestBed bed, NDIS_TIMER_FUNCTION function, object? context = null)
    {
        var timer = new NDIS_MINIPORT_TIMER();
        NdisMInitializeTimer(timer, bed.Adapter, function, context);
        return timer;
    }

    [Fact]
    public void NdisMSetTimer_Milliseconds_FiresOnceAfterTheDelay()
    {
        var bed = new NdisTestBed();
        var fired = new List<long>();
        var t = NewTimer(bed, (_, _, _, _) => fired.Add(bed.NowMs));
        NdisMSetTimer(t, 100);
        bed.AdvanceMs(99);
        Assert.Empty(fired);
        bed.AdvanceMs(1_000);
        Assert.Equal([100L], fired);
    }

    [Fact]
    public void A4_NdisMSetTimerWhileQueued_CancelsAndReplacesTheDueTime()
    {
        var bed = new NdisTestBed();
        var fired = new List<long>();
        var t = NewTimer(bed, (_, _, _, _) => fired.Add(bed.NowMs));
        NdisMSetTimer(t, 100);
        bed.AdvanceMs(50);
        NdisMSetTimer(t, 100);
        bed.AdvanceMs(1_000);
        Assert.Equal([150L], fired);
    }

    [Fact]
    public void A15_NdisMSetTimerZero_FiresAtTheNextDispatch()
    {
        var bed = new NdisTestBed();
        var fired = 0;
        NdisMSetTimer(NewTimer(bed, (_, _, _, _) => fired++), 0);
        bed.AdvanceMs(0);
        Assert.Equal(1, fired);
    }

    [Fact]
    public void NdisMSetPeriodicTimer_FirstExpiryAfterOnePeriodThenEveryPeriod()
    {
        var bed = new NdisTestBed();
        var fired = new List<long>();
        NdisMSetPeriodicTimer(NewTimer(bed, (_, _, _, _) => fired.Add(bed.NowMs)), 5_000);
        bed.AdvanceMs(20_000);
        Assert.Equal([5_000L, 10_000, 15_000, 20_000], fired);
    }

    [Fact]
    public void A13_Periodic5ms_ThousandthCallbackSeesExactly5000ms()
    {
        var bed = new NdisTestBed();
        var fired = new List<long>();
        NdisMSetPeriodicTimer(NewTimer(bed, (_, _, _, _) => fired.Add(bed.Engine.NowNanoseconds)), 5);
        for (var i = 0; i < 1_000; i++)
        {
            bed.AdvanceMs(5);
        }

        Assert.Equal(1_000, fired.Count);
        Assert.Equal(5_000 * TimeUnits.NanosecondsPerMillisecond, fired[999]);
    }

    [Fact]
    public void NdisMCancelTimer_Queued_ReportsTrueAndTheCallbackNeverRuns()
    {
        var bed = new NdisTestBed();
        var fired = false;
        var t = NewTimer(bed, (_, _, _, _) => fired = true);
        NdisMSetTimer(t, 100);
        NdisMCancelTimer(t, out var cancelled);
        bed.AdvanceMs(1_000);
        Assert.True(cancelled);
        Assert.False(fired);
    }

    [Fact]
    public void NdisMCancelTimer_NeverSetOrAlreadyFired_ReportsFalse()
    {
        var bed = new NdisTestBed();
        var t = NewTimer(bed, (_, _, _, _) => { });
        NdisMCancelTimer(t, out var neverSet);
        NdisMSetTimer(t, 10);
        bed.AdvanceMs(10);
        NdisMCancelTimer(t, out var fired);
        Assert.False(neverSet);
        Assert.False(fired);
    }

    [Fact]
    public void A14_CancelOfAnExpiryAlreadyTaken_ReportsFalseAndTheCallbackCompletes()
    {
        var bed = new NdisTestBed();
        var steps = new List<string>();
        NDIS_MINIPORT_TIMER? t = null;
        t = NewTimer(bed, (_, _, _, _) =>
        {
            steps.Add("start");
            NdisMCancelTimer(t!, out var cancelled);
            steps.Add(cancelled ? "TRUE" : "FALSE");
            steps.Add("end");
        });
        NdisMSetTimer(t, 10);
        bed.AdvanceMs(10);
        Assert.Equal(["start", "FALSE", "end"], steps);
    }

    [Fact]
    public void NdisMSetPeriodicTimer_AfterCancel_RunsAgain()
    {
        // nvnet's reset: cancel, flush, then NdisMSetPeriodicTimer again on the same timer (real-drivers.md N4).
        var bed = new NdisTestBed();
        var fired = new List<long>();
        var t = NewTimer(bed, (_, _, _, _) => fired.Add(bed.NowMs));
        NdisMSetPeriodicTimer(t, 100);
        bed.AdvanceMs(250);
        NdisMCancelTimer(t, out var cancelled);
        Ke.KeFlushQueuedDpcs();
        NdisMSetPeriodicTimer(t, 100);
        bed.AdvanceMs(250);
        Assert.True(cancelled);
        Assert.Equal([100L, 200, 350, 450], fired);
    }

    [Fact]
    public void Callback_GetsTheTimerTheContextAndTheSystemTimeAtDispatchLevel()
    {
        var bed = new NdisTestBed();
        (object S1, object? Ctx, nuint S2, nuint S3, KIRQL Irql) seen = default;
        var t = NewTimer(bed, (s1, ctx, s2, s3) => seen = (s1, ctx, s2, s3, Ke.KeGetCurrentIrql()), "ctx");
        NdisMSetTimer(t, 7);
        bed.AdvanceMs(7);
        var systemTime = bed.Host.SystemTime100ns(7 * TimeUnits.NanosecondsPerMillisecond);
        Assert.Same(t, seen.S1);
        Assert.Equal("ctx", seen.Ctx);
        Assert.Equal((nuint)(uint)(systemTime & 0xFFFFFFFF), seen.S2);
        Assert.Equal((nuint)(uint)(systemTime >> 32), seen.S3);
        Assert.Equal(KIRQL.DISPATCH_LEVEL, seen.Irql);
    }

    [Fact]
    public void NdisMInitializeTimer_AbovePassive_BugChecksIrqlNotLessOrEqual()
    {
        var bed = new NdisTestBed();
        BugCheckException? bc = null;
        StorportTestBed.AtIrql(KIRQL.DISPATCH_LEVEL, () => bc = Assert.Throws<BugCheckException>(() => NdisMInitializeTimer(new NDIS_MINIPORT_TIMER(), bed.Adapter, (_, _, _, _) => { }, null)));
        Assert.Equal(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, bc!.Code);
        Assert.Equal((ulong)KIRQL.DISPATCH_LEVEL, bc.Parameter2);
    }

    [Fact]
    public void NdisMSetTimer_AboveDispatch_BugChecks()
    {
        var bed = new NdisTestBed();
        var t = NewTimer(bed, (_, _, _, _) => { });
        StorportTestBed.AtIrql((KIRQL)5, () => Assert.Equal(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, Assert.Throws<BugCheckException>(() => NdisMSetTimer(t, 1)).Code));
    }

    [Fact]
    public void NdisMInitializeTimerFromACallback_BugCheckStopsThatAdapterOnly()
    {
        var bed = new NdisTestBed(adapters: 2);
        var other = bed.Created[1];
        var otherFires = 0;
        var bad = NewTimer(bed, (_, _, _, _) => NdisMInitializeTimer(new NDIS_MINIPORT_TIMER(), bed.Adapter, (_, _, _, _) => { }, null));
        var good = new NDIS_MINIPORT_TIMER();
        NdisMInitializeTimer(good, other, (_, _, _, _) => otherFires++, null);
        NdisMSetTimer(bad, 10);
        NdisMSetPeriodicTimer(good, 10);
        bed.AdvanceMs(100);
        Assert.Equal(NdisAdapterState.Faulted, bed.Adapter.State);
        Assert.Equal(NdisAdapterState.Running, other.State);
        Assert.Equal(10, otherFires);
        var report = Assert.Single(bed.Host.Diagnostics.BugChecks);
        Assert.Equal((bed.Adapter.Name, "TimerCallback", BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL), (report.Adapter, report.Routine, report.BugCheck.Code));
    }

    [Fact]
    public void NdisMSetTimer_Uninitialized_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => NdisMSetTimer(new NDIS_MINIPORT_TIMER(), 1));
    }
}
