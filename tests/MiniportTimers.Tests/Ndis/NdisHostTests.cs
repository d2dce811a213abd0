using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Ndis;

/// <summary>The NDIS host: pended pause and reset completed from timer callbacks, halt, flush.</summary>
public class NdisHostTests
{
    [Fact]
    public void PausePended_CompletedFromATimerCallback_AdapterEndsPaused()
    {
        var bed = new NdisTestBed();
        NdisTimerObject? t = null;
        bed.Pause = ctx =>
        {
            t = bed.NewTimerObject((_, c, _, _) => NdisMPauseComplete(((NdisTestBed.AdapterContext)c!).Handle), ctx);
            NdisSetTimerObject(t, -100 * 10_000, 0, null);
            return NDIS_STATUS_PENDING;
        };
        Assert.Equal(NDIS_STATUS_PENDING, bed.Adapter.Pause());
        Assert.Equal(NdisAdapterState.Pausing, bed.Adapter.State);
        bed.AdvanceMs(100);
        Assert.Equal(NdisAdapterState.Paused, bed.Adapter.State);
        var completion = Assert.Single(bed.Host.Completions);
        Assert.Equal(("PauseComplete", true, 100L), (completion.Kind, completion.FromTimerCallback, completion.AtNanoseconds / 1_000_000));
        Assert.Equal(NDIS_STATUS_SUCCESS, bed.Adapter.Restart());
        Assert.Equal(NdisAdapterState.Running, bed.Adapter.State);
    }

    [Fact]
    public void ResetPended_CompletedLater_ResetInProgressUntilThen()
    {
        var bed = new NdisTestBed();
        KIRQL resetIrql = 0;
        bed.Reset = ctx =>
        {
            resetIrql = Ke.KeGetCurrentIrql();
            var t = bed.NewTimerObject((_, _, _, _) => NdisMResetComplete(ctx.Handle, NDIS_STATUS_SUCCESS, false));
            NdisSetTimerObject(t, -50 * 10_000, 0, null);
            return NDIS_STATUS_PENDING;
        };
        Assert.Equal(NDIS_STATUS_PENDING, bed.Adapter.Reset());
        Assert.True(bed.Adapter.ResetInProgress);
        bed.AdvanceMs(50);
        Assert.False(bed.Adapter.ResetInProgress);
        Assert.Equal(KIRQL.DISPATCH_LEVEL, resetIrql);
        Assert.Equal("ResetComplete", Assert.Single(bed.Host.Completions).Kind);
    }

    [Fact]
    public void Halt_WithATimerStillQueued_VerifierOff_CancelsItAndReportsAFinding()
    {
        var bed = new NdisTestBed(options: new NdisHostOptions { Verifier = false });
        var fired = false;
        NdisSetTimerObject(bed.NewTimerObject((_, _, _, _) => fired = true), -10_000, 0, null);
        bed.Adapter.Halt();
        bed.AdvanceMs(10);
        Assert.False(fired);
        Assert.Equal(NdisAdapterState.Halted, bed.Adapter.State);
        Assert.Equal("TimerQueuedAtHalt", Assert.Single(bed.Host.Diagnostics.Findings).Rule);
    }

    [Fact]
    public void KeFlushQueuedDpcs_AbovePassive_BugChecks()
    {
        StorportTestBed.AtIrql(KIRQL.DISPATCH_LEVEL, () => Assert.Equal(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, Assert.Throws<BugCheckException>(Ke.KeFlushQueuedDpcs).Code));
    }

    [Fact]
    public void StatusIndications_AreRecordedInOrder()
    {
        var bed = new NdisTestBed();
        NdisMIndicateStatusEx(bed.Adapter, NDIS_STATUS_LINK_STATE);
        NdisMIndicateStatus(bed.Adapter, NDIS_STATUS_MEDIA_DISCONNECT);
        NdisMIndicateStatusComplete(bed.Adapter);
        Assert.Equal([NDIS_STATUS_LINK_STATE, NDIS_STATUS_MEDIA_DISCONNECT], bed.Host.Indications.Select(i => i.StatusCode));
    }

    [Fact]
    public void OidRequests_AreDeliveredOneAtATime_TheQueuedOneAfterTheOutstandingCompletes()
    {
        var engine = new MiniportTimers.Engine.VirtualTimerEngine();
        var host = new NdisHost(engine);
        var delivered = new List<uint>();
        var pendFirst = true;
        NdisMiniportAdapter? handle = null;
        host.NdisMRegisterMiniportDriver(
            new NDIS_MINIPORT_DRIVER_CHARACTERISTICS
            {
                InitializeHandlerEx = (h, _) =>
                {
                    handle = h;
                    return NDIS_STATUS_SUCCESS;
                },
                HaltHandlerEx = _ => { },
                QueryInformationHandler = (_, oid) =>
                {
                    delivered.Add(oid);
                    var pend = pendFirst;
                    pendFirst = false;
                    return pend ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS;
                },
            },
            null,
            out _);
        var adapter = host.AddAdapter();
        Assert.Equal(NDIS_STATUS_PENDING, adapter.QueryInformation(1));
        Assert.Equal(NDIS_STATUS_PENDING, adapter.QueryInformation(2)); // queued: not delivered yet
        Assert.Equal([1u], delivered);
        NdisMQueryInformationComplete(handle!, NDIS_STATUS_SUCCESS);
        Assert.Equal([1u, 2u], delivered);
        Assert.Equal(2, host.Completions.Count(c => c.Kind == "QueryInformationComplete"));
        Assert.Equal(NDIS_STATUS_SUCCESS, adapter.QueryInformation(3)); // nothing outstanding: answered at once
    }

    [Fact]
    public void NdisResetEvent_ReturnsASignalledEventToNotSignalled()
    {
        var e = new NDIS_EVENT();
        NdisApi.NdisInitializeEvent(e);
        NdisApi.NdisSetEvent(e);
        Assert.True(NdisApi.NdisWaitEvent(e, 1)); // 0 would mean "without limit"
        NdisApi.NdisResetEvent(e);
        Assert.False(NdisApi.NdisWaitEvent(e, 1));
    }
}
