using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using MiniportTimers.Tests.Ndis;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Verifier;

/// <summary>The NDIS verifier: each check trips on the misuse and stays quiet on the legal sequence.</summary>
public class NdisVerifierTests
{
    private static void Nop(object s1, object? ctx, nuint s2, nuint s3)
    {
    }

    [Fact]
    public void TimerCallbackPastTheDpcWatchdog_BugChecks0x133AndStopsTheAdapter()
    {
        var bed = new NdisTestBed();
        NdisSetTimerObject(bed.NewTimerObject((_, _, _, _) => bed.Virtual.Stall(150 * TimeUnits.NanosecondsPerMillisecond)), -10_000, 0, null);
        bed.AdvanceMs(1);
        Assert.Equal(BugCheckCodes.DPC_WATCHDOG_VIOLATION, Assert.Single(bed.Host.Diagnostics.BugChecks).BugCheck.Code);
        Assert.Equal(NdisAdapterState.Faulted, bed.Adapter.State);
    }

    [Fact]
    public void HaltWithATimerStillQueued_BugChecksTimerOrDpcInvalid()
    {
        var bed = new NdisTestBed();
        NdisSetTimerObject(bed.NewTimerObject(Nop), -10_000_000, 0, null);
        bed.Adapter.Halt();
        var report = Assert.Single(bed.Host.Diagnostics.BugChecks);
        Assert.Equal(("Halt", BugCheckCodes.TIMER_OR_DPC_INVALID), (report.Routine, report.BugCheck.Code));
    }

    [Fact]
    public void HaltAfterTheMiniportCancelledAndFreedItsTimer_Passes()
    {
        NdisTimerObject? t = null;
        var bed = new NdisTestBed
        {
            Halt = _ =>
            {
                NdisCancelTimerObject(t!);
                NdisFreeTimerObject(t!);
            },
        };
        t = bed.NewTimerObject(Nop);
        NdisSetTimerObject(t, -10_000_000, 0, null);
        bed.Adapter.Halt();
        Assert.Empty(bed.Host.Diagnostics.BugChecks);
        Assert.Empty(bed.Host.Diagnostics.Findings);
    }

    [Fact]
    public void FreeOfAQueuedTimerObject_BugChecksTimerOrDpcInvalidAfterCancellingIt()
    {
        var bed = new NdisTestBed();
        var fired = false;
        var t = bed.NewTimerObject((_, _, _, _) => fired = true);
        NdisSetTimerObject(t, -10_000, 0, null);
        Assert.Equal(BugCheckCodes.TIMER_OR_DPC_INVALID, Assert.Throws<BugCheckException>(() => NdisFreeTimerObject(t)).Code);
        bed.AdvanceMs(10);
        Assert.False(fired);
    }

    [Fact]
    public void DoubleFreeAndUseAfterFree_BugCheckFreedTimerUsed()
    {
        var bed = new NdisTestBed();
        var t = bed.NewTimerObject(Nop);
        NdisFreeTimerObject(t);
        Assert.Equal(VerifierRules.FreedTimerUsed, Assert.Throws<BugCheckException>(() => NdisFreeTimerObject(t)).Parameter1);
        Assert.Equal(VerifierRules.FreedTimerUsed, Assert.Throws<BugCheckException>(() => NdisSetTimerObject(t, -10_000, 0, null)).Parameter1);
        Assert.Equal(VerifierRules.FreedTimerUsed, Assert.Throws<BugCheckException>(() => NdisCancelTimerObject(t)).Parameter1);
    }

    [Fact]
    public void NdisMInitializeTimerOnAQueuedTimer_BugChecksTimerOrDpcInvalid_AfterCancelItIsLegal()
    {
        var bed = new NdisTestBed();
        var timer = new NDIS_MINIPORT_TIMER();
        NdisMInitializeTimer(timer, bed.Adapter, Nop, null);
        NdisMSetTimer(timer, 100);
        Assert.Equal(BugCheckCodes.TIMER_OR_DPC_INVALID, Assert.Throws<BugCheckException>(() => NdisMInitializeTimer(timer, bed.Adapter, Nop, null)).Code);
        NdisMCancelTimer(timer, out _);
        NdisMInitializeTimer(timer, bed.Adapter, Nop, null);
    }

    [Fact]
    public void PeriodicCancelAbovePassive_BugChecksA10ButTheTimerIsCancelled()
    {
        var bed = new NdisTestBed();
        var fired = 0;
        var t = bed.NewTimerObject((_, _, _, _) => fired++);
        NdisSetTimerObject(t, -10_000, 5, null);
        StorportTestBed.AtIrql(KIRQL.DISPATCH_LEVEL, () => Assert.Equal(VerifierRules.PeriodicCancelAbovePassive, Assert.Throws<BugCheckException>(() => NdisCancelTimerObject(t)).Parameter1));
        bed.AdvanceMs(100);
        Assert.Equal(0, fired);
    }

    [Fact]
    public void PeriodicCancelAtPassive_Passes()
    {
        var bed = new NdisTestBed();
        var t = bed.NewTimerObject(Nop);
        NdisSetTimerObject(t, -10_000, 5, null);
        Assert.True(NdisCancelTimerObject(t));
        NdisFreeTimerObject(t);
        Assert.Empty(bed.Host.Diagnostics.BugChecks);
    }
}
