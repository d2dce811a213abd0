using System.Diagnostics;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using MiniportTimers.Tests.Ndis;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Reliability;

/// <summary>Issue 11, NDIS bookkeeping defects 9-11: each test failed before its fix.</summary>
public class NdisDefectTests
{
    [Fact]
    public void Defect09_MiniportTimerReinitializedForAnotherAdapter_IsNoLongerTrackedByTheFirst()
    {
        var bed = new NdisTestBed(adapters: 2);
        var (first, second) = (bed.Created[0], bed.Created[1]);
        var timer = new NDIS_MINIPORT_TIMER();
        var fired = new List<object?>();
        NdisMInitializeTimer(timer, first, (_, ctx, _, _) => fired.Add(ctx), "first");
        NdisMInitializeTimer(timer, second, (_, ctx, _, _) => fired.Add(ctx), "second");
        NdisMSetTimer(timer, 100);

        first.Halt(); // before the fix: cancelled the second adapter's timer and raised a bogus 0xC7
        Assert.Empty(bed.Host.Diagnostics.BugChecks);
        Assert.Equal(NdisAdapterState.Halted, first.State);

        bed.AdvanceMs(100);
        Assert.Equal(["second"], fired);
        Assert.Equal(NdisAdapterState.Running, second.State);
    }

    [Fact]
    public void Defect09_TheSecondAdaptersHaltStillSeesTheTimer()
    {
        var bed = new NdisTestBed(adapters: 2);
        var timer = new NDIS_MINIPORT_TIMER();
        NdisMInitializeTimer(timer, bed.Created[0], (_, _, _, _) => { }, null);
        NdisMInitializeTimer(timer, bed.Created[1], (_, _, _, _) => { }, null);
        NdisMSetTimer(timer, 100);
        bed.Created[1].Halt();
        var bc = Assert.Single(bed.Host.Diagnostics.BugChecks);
        Assert.Equal(BugCheckCodes.TIMER_OR_DPC_INVALID, bc.BugCheck.Code);
        Assert.Equal("nic1", bc.Adapter);
    }

    [Fact]
    public void Defect10_TimerObjectAllocateAndFree_StayConstantTimeAtAQuarterMillionLiveTimers()
    {
        // Before the fix each allocate and free searched a list of every live timer: 80,000 took 2.9 s and the cost grew
        // with the square, so a quarter million took about half a minute. Generous bound; the point is the growth.
        var bed = new NdisTestBed();
        const int count = 250_000;
        var timers = new NdisTimerObject[count];
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            timers[i] = bed.NewTimerObject((_, _, _, _) => { });
        }

        for (var i = 0; i < count; i++)
        {
            NdisFreeTimerObject(timers[i]);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"{count:N0} allocations and frees took {watch.Elapsed}");
        bed.Adapter.Halt();
        Assert.Empty(bed.Host.Diagnostics.BugChecks);
        Assert.Empty(bed.Host.Diagnostics.Findings);
    }

    [Fact]
    public void Defect11_CompletionsAndIndications_AreCountedExactly_ButOnlyARecentWindowIsKept()
    {
        var bed = new NdisTestBed(options: new NdisHostOptions { RecentRecordsPerKind = 100 });
        NdisMResetComplete(bed.Adapter, NDIS_STATUS_SUCCESS, false); // a rare record, made first
        var nbl = new NET_BUFFER_LIST { Status = NDIS_STATUS_SUCCESS };
        for (var i = 0; i < 1_000_000; i++)
        {
            NdisMSendNetBufferListsComplete(bed.Adapter, nbl);
            NdisMIndicateStatusEx(bed.Adapter, NDIS_STATUS_LINK_STATE);
        }

        Assert.Equal(1_000_001, bed.Host.CompletionCount);
        Assert.Equal(1_000_000, bed.Host.CountCompletions("SendComplete", NDIS_STATUS_SUCCESS, fromTimerCallback: false));
        Assert.Equal(1, bed.Host.CountCompletions("ResetComplete"));
        Assert.Equal(1_000_000, bed.Host.IndicationCount);
        Assert.Equal(1_000_000, bed.Host.CountIndications(NDIS_STATUS_LINK_STATE));

        // Kept: the last 100 of each kind; the rare reset completion is not pushed out by a million sends.
        var completions = bed.Host.Completions;
        Assert.Equal(101, completions.Count);
        Assert.Equal("ResetComplete", completions[0].Kind);
        Assert.Equal(100, bed.Host.Indications.Count);
    }

    [Fact]
    public void Defect11_VerifierOffFindings_AreCountedExactly_ButOnlyARecentWindowIsKept()
    {
        var bed = new NdisTestBed(options: new NdisHostOptions { Verifier = false, RecentRecordsPerKind = 50 });
        var timer = bed.NewTimerObject((_, _, _, _) => { });
        NdisFreeTimerObject(timer);
        for (var i = 0; i < 200_000; i++)
        {
            NdisFreeTimerObject(timer);
        }

        Assert.Equal(200_000, bed.Host.Diagnostics.FindingCount);
        Assert.Equal(200_000, bed.Host.Diagnostics.CountFindings("TimerFreedTwice"));
        Assert.Equal(50, bed.Host.Diagnostics.Findings.Count);
    }

    [Fact]
    public void Defect11_RecentRecordsPerKind_BelowOne_IsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new NdisHostOptions { RecentRecordsPerKind = 0 });
}
