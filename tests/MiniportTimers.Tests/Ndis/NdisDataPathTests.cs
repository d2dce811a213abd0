using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using static MiniportTimers.Kernel.Ke;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Ndis;

/// <summary>
/// Issue 12 §3: the NDIS 6 services netvmini needs, on the flat C# surface too: OID requests (MiniportOidRequest,
/// NdisMOidRequestComplete), receive indications and their returns, I/O work items, NdisMSleep, and
/// NdisMDeregisterMiniportDriver. Virtual clock.
/// </summary>
public class NdisDataPathTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private const uint OID_GEN_VENDOR_ID = 0x0001010C;

    [Fact]
    public void OidRequests_OneAtATime_APendedOneCompletesWithNdisMOidRequestComplete_ThenTheQueuedOneRuns()
    {
        var bed = new NdisTestBed();
        var seen = new List<(uint Oid, KIRQL Irql)>();
        NDIS_OID_REQUEST? pended = null;
        bed.OidRequest = (_, request) =>
        {
            seen.Add((request.Oid, KeGetCurrentIrql()));
            if (request.Oid == 1)
            {
                pended = request;
                return NDIS_STATUS_PENDING;
            }

            BitConverter.TryWriteBytes(request.InformationBuffer.Span, 0x00FFFFFFu);
            request.BytesWritten = 4;
            return NDIS_STATUS_SUCCESS;
        };

        var first = new NDIS_OID_REQUEST { Oid = 1 };
        var second = new NDIS_OID_REQUEST { Oid = OID_GEN_VENDOR_ID, InformationBuffer = new byte[4] };
        Assert.Equal(NDIS_STATUS_PENDING, bed.Adapter.OidRequest(first));
        Assert.Equal(NDIS_STATUS_PENDING, bed.Adapter.OidRequest(second)); // queued behind the first
        Assert.Equal([(1u, KIRQL.PASSIVE_LEVEL)], seen);

        NdisMOidRequestComplete(bed.Adapter, pended!, NDIS_STATUS_SUCCESS);
        Assert.Equal((NDIS_STATUS_SUCCESS, NDIS_STATUS_SUCCESS, 4u), (first.Status, second.Status, second.BytesWritten));
        Assert.Equal(0x00FFFFFFu, BitConverter.ToUInt32(second.InformationBuffer.Span));
        Assert.Equal(2, bed.Host.CountCompletions("OidRequestComplete", NDIS_STATUS_SUCCESS));
    }

    [Fact]
    public void CompletingARequestThatIsNotOutstanding_IsABugCheckWithTheVerifier_AndAFindingWithout()
    {
        var bed = new NdisTestBed();
        bed.OidRequest = (_, _) => NDIS_STATUS_SUCCESS;
        var request = new NDIS_OID_REQUEST { Oid = OID_GEN_VENDOR_ID };
        Assert.Equal(NDIS_STATUS_SUCCESS, bed.Adapter.OidRequest(request));
        var bugCheck = Assert.Throws<BugCheckException>(() => NdisMOidRequestComplete(bed.Adapter, request, NDIS_STATUS_SUCCESS));
        Assert.Equal(BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, bugCheck.Code);

        var lenient = new NdisTestBed(options: new NdisHostOptions { Verifier = false });
        NdisMOidRequestComplete(lenient.Adapter, request, NDIS_STATUS_SUCCESS);
        Assert.Contains(lenient.Host.Diagnostics.Findings, f => f.Rule == "OidCompletedTwice");
        Assert.Equal(0, lenient.Host.CountCompletions("OidRequestComplete"));
    }

    [Fact]
    public void IndicatedReceives_AreReturnedAtDispatchAfterTheProtocolsDelay_UnlessTheMiniportKeepsThemWithResources()
    {
        var bed = new NdisTestBed(options: new NdisHostOptions { ReceiveReturnDelayMicroseconds = 2_500 });
        var returns = new List<(long AtNs, long Tag, int Count, KIRQL Irql, uint Flags)>();
        bed.Return = (_, first, flags) =>
        {
            var count = 0;
            for (var nbl = first; nbl is not null; nbl = nbl.Next)
            {
                count++;
            }

            returns.Add((bed.Engine.NowNanoseconds, first.Tag, count, KeGetCurrentIrql(), flags));
        };

        bed.AdvanceMs(1);
        var chain = new NET_BUFFER_LIST { Tag = 7, Next = new NET_BUFFER_LIST { Tag = 8 } };
        NdisMIndicateReceiveNetBufferLists(bed.Adapter, chain, 0, 2, 0);
        NdisMIndicateReceiveNetBufferLists(bed.Adapter, new NET_BUFFER_LIST { Tag = 9 }, 0, 1, NDIS_RECEIVE_FLAGS_RESOURCES);
        Assert.Equal(3, bed.Adapter.ReceivedNetBufferLists);
        bed.Virtual.AdvanceBy((2_500 * TimeUnits.NanosecondsPerMicrosecond) - 1);
        Assert.Empty(returns);
        bed.Virtual.AdvanceBy(1);
        Assert.Equal([(3_500_000L, 7L, 2, KIRQL.DISPATCH_LEVEL, NDIS_RETURN_FLAGS_DISPATCH_LEVEL)], returns);
        Assert.Equal(2, bed.Adapter.ReturnedNetBufferLists);
        bed.AdvanceMs(10);
        Assert.Single(returns); // the RESOURCES one stays the miniport's
    }

    [Fact]
    public void AnIoWorkItem_RunsOnceAtPassiveSoon_QueuingItTwiceOrFreeingItQueued_IsWorkerInvalid()
    {
        var bed = new NdisTestBed();
        var runs = new List<(object? Context, KIRQL Irql, long AtNs)>();
        var workItem = NdisAllocateIoWorkItem(bed.Adapter)!;
        NdisQueueIoWorkItem(workItem, (context, item) => runs.Add((context, KeGetCurrentIrql(), bed.Engine.NowNanoseconds)), "ctx");
        Assert.True(workItem.IsQueued);
        Assert.Equal(BugCheckCodes.WORKER_INVALID, Assert.Throws<BugCheckException>(() => NdisQueueIoWorkItem(workItem, (_, _) => { }, null)).Code);
        Assert.Equal(BugCheckCodes.WORKER_INVALID, Assert.Throws<BugCheckException>(() => NdisFreeIoWorkItem(workItem)).Code);

        bed.Virtual.AdvanceBy(0);
        Assert.Equal([("ctx", KIRQL.PASSIVE_LEVEL, 0L)], runs);
        Assert.False(workItem.IsQueued);
        NdisFreeIoWorkItem(workItem);
        Assert.Equal(BugCheckCodes.WORKER_INVALID, Assert.Throws<BugCheckException>(() => NdisQueueIoWorkItem(workItem, (_, _) => { }, null)).Code);
        Assert.Null(NdisAllocateIoWorkItem(new object())); // no adapter, no routine of one
    }

    [Fact]
    public void NdisMSleep_MovesTheVirtualClockInsideARoutine_AndRunsWhatFallsDue_ButNotAbovePassive()
    {
        var bed = new NdisTestBed(adapters: 0);
        var fired = new List<long>();
        bed.Initialize = adapter =>
        {
            var timer = bed.NewTimerObject((_, _, _, _) => fired.Add(bed.Engine.NowNanoseconds), handle: adapter);
            NdisSetTimerObject(timer, -5_000, 0, null); // 500 µs
            NdisMSleep(1_200);
            fired.Add(-bed.Engine.NowNanoseconds);
        };
        bed.Created.Add(bed.Host.AddAdapter());
        Assert.Equal([500_000L, -1_200_000L], fired);

        KeRaiseIrql(KIRQL.DISPATCH_LEVEL, out var old);
        try
        {
            Assert.Equal(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, Assert.Throws<BugCheckException>(() => NdisMSleep(1)).Code);
        }
        finally
        {
            KeLowerIrql(old);
        }
    }

    [Fact]
    public void Deregistering_StopsNewAdapters_AndAnotherHandleIsRefused()
    {
        var bed = new NdisTestBed();
        var other = new NdisTestBed();
        Assert.Throws<ArgumentException>(() => bed.Host.NdisMDeregisterMiniportDriver(other.Driver));
        bed.Host.NdisMDeregisterMiniportDriver(bed.Driver);
        Assert.Null(bed.Host.DriverHandle);
        Assert.Throws<InvalidOperationException>(() => bed.Host.AddAdapter());
        Assert.Equal(NdisAdapterState.Running, bed.Adapter.State); // adapters already there are not touched
    }
}
