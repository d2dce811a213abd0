using MiniportTimers.Engine;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Ndis;

namespace MiniportTimers.Tests.Native.Ndis;

/// <summary>
/// Issue 12: our own C NDIS 6 virtual NIC (native/miniports/ndis6_datapath.c) uses the services netvmini needs beyond
/// its timers: OID requests, sends completed from a due-time-0 timer object, receives indicated between two adapters
/// and returned, pause and reset pended on a busy-check timer, a work item completing an OID request, configuration,
/// NET_BUFFER_LIST pools, lookaside lists, read-write locks, NdisMSleep and MiniportDriverUnload. Virtual clock,
/// exact times (KeQueryInterruptTime in the driver's prints is in 100 ns).
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed class NativeNdisDatapathTests : IDisposable
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private const uint OID_GEN_VENDOR_ID = 0x0001010C;
    private const uint OID_802_3_CURRENT_ADDRESS = 0x01010102;
    private const uint OID_GEN_XMIT_OK = 0x00020101;
    private const uint OID_GEN_RCV_OK = 0x00020102;
    private const uint OID_GEN_CURRENT_PACKET_FILTER = 0x0001010E;
    private const uint OID_GEN_LINK_PARAMETERS = 0x00010208;
    private readonly List<IDisposable> _disposables = [];

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    [NativeFact]
    public void OidQueries_AnswerInPlace_AndAShortBufferGetsBufferTooShortWithBytesNeeded()
    {
        var (host, _, _) = Start(adapters: 2);
        var vendor = Query(host.Adapters[0], OID_GEN_VENDOR_ID, 4);
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, vendor.Status);
        Assert.Equal((4u, 0x00FFFFFFu), (vendor.BytesWritten, BitConverter.ToUInt32(vendor.InformationBuffer.Span)));

        var shortBuffer = Query(host.Adapters[0], OID_GEN_VENDOR_ID, 2);
        Assert.Equal((NdisApi.NDIS_STATUS_BUFFER_TOO_SHORT, 4u, 0u), (shortBuffer.Status!.Value, shortBuffer.BytesNeeded, shortBuffer.BytesWritten));

        // Each adapter's address comes from its instance: the configuration has no NetworkAddress.
        Assert.Equal(new byte[] { 2, 0, 0, 0, 0, 2 }, Query(host.Adapters[1], OID_802_3_CURRENT_ADDRESS, 6).InformationBuffer.ToArray());
        Assert.Equal(NdisApi.NDIS_STATUS_NOT_SUPPORTED, host.Adapters[0].OidRequest(new NDIS_OID_REQUEST { Oid = 0x00010101, InformationBuffer = new byte[64] }));
    }

    [NativeFact]
    public void Sends_CompleteFromTheDueTimeZeroTimer_TheOtherAdapterReceives_AndTheProtocolReturnsThem1msLater()
    {
        var (host, driver, engine) = Start(adapters: 2);
        var (sender, receiver) = (host.Adapters[0], host.Adapters[1]);
        engine.AdvanceBy(5 * Ms);
        var sends = Enumerable.Range(0, 3).Select(i => new NET_BUFFER_LIST { Tag = i, Data = Frame(i) }).ToList();
        sends.ForEach(nbl => Assert.True(sender.Send(nbl)));
        Assert.Equal(0, host.CountCompletions("SendComplete")); // the timer has not fired yet: due time 0 is "next dispatch"

        engine.AdvanceBy(0);
        Assert.Equal(3, host.CountCompletions("SendComplete", NdisApi.NDIS_STATUS_SUCCESS, fromTimerCallback: true));
        Assert.All(sends, nbl => Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, nbl.Status));
        Assert.Equal((3L, 0L), (receiver.ReceivedNetBufferLists, receiver.ReturnedNetBufferLists));
        Assert.Contains("Receive 3 at 50000 (DPC limit 7 ticks)", Lines(driver)); // 100 ms watchdog in 15.625 ms ticks
        Assert.Contains("SendComplete 3 at 50000", Lines(driver));

        engine.AdvanceBy(Ms - 1);
        Assert.Equal(0L, receiver.ReturnedNetBufferLists);
        engine.AdvanceBy(1);
        Assert.Equal(3L, receiver.ReturnedNetBufferLists);
        Assert.Contains("Return 3 at 60000", Lines(driver));
        Assert.Equal(3UL, BitConverter.ToUInt64(Query(sender, OID_GEN_XMIT_OK, 8).InformationBuffer.Span));
        Assert.Equal(3UL, BitConverter.ToUInt64(Query(receiver, OID_GEN_RCV_OK, 8).InformationBuffer.Span));
        Assert.Empty(host.Diagnostics.BugChecks);
    }

    [NativeFact]
    public void APauseWhileReceivesAreHeld_Pends_AndCompletesFromTheBusyCheckTimer_100msLater()
    {
        var (host, driver, engine) = Start(adapters: 2);
        var receiver = host.Adapters[1];
        engine.AdvanceBy(10 * Ms);
        host.Adapters[0].Send(new NET_BUFFER_LIST { Tag = 1, Data = Frame(1) });
        engine.AdvanceBy(Ms / 2); // indicated at 10 ms, returned at 11 ms: pause in between
        Assert.Equal(NdisApi.NDIS_STATUS_PENDING, receiver.Pause());
        Assert.Equal(NdisAdapterState.Pausing, receiver.State);
        engine.AdvanceBy((100 * Ms) - 1);
        Assert.Equal(NdisAdapterState.Pausing, receiver.State);
        engine.AdvanceBy(1);
        Assert.Equal(NdisAdapterState.Paused, receiver.State);
        Assert.Contains("BusyCheck done at 1105000", Lines(driver));
        Assert.Equal(1, host.CountCompletions("PauseComplete", fromTimerCallback: true));
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, receiver.Restart());
    }

    [NativeFact]
    public void AResetWithSendsOutstanding_Pends_AndCompletesFromTheBusyCheckTimer()
    {
        var (host, _, engine) = Start(adapters: 1);
        var adapter = host.Adapters[0];
        adapter.Send(new NET_BUFFER_LIST { Tag = 1, Data = Frame(1) });
        Assert.Equal(NdisApi.NDIS_STATUS_PENDING, adapter.Reset()); // the send is still outstanding
        Assert.True(adapter.ResetInProgress);
        engine.AdvanceBy(100 * Ms);
        Assert.False(adapter.ResetInProgress);
        Assert.Equal(1, host.CountCompletions("ResetComplete", NdisApi.NDIS_STATUS_SUCCESS, fromTimerCallback: true));
        Assert.Equal(1, host.CountCompletions("SendComplete", NdisApi.NDIS_STATUS_RESET_IN_PROGRESS));
    }

    [NativeFact]
    public void ASetThatPends_CompletesFromAnIoWorkItemAtPassiveLevel_AndTheNextRequestWaitsForIt()
    {
        var (host, driver, engine) = Start(adapters: 1);
        var adapter = host.Adapters[0];
        var link = new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestSetInformation, Oid = OID_GEN_LINK_PARAMETERS, InformationBuffer = new byte[40] };
        Assert.Equal(NdisApi.NDIS_STATUS_PENDING, adapter.OidRequest(link));
        Assert.Null(link.Status);
        var filter = new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestSetInformation, Oid = OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer = BitConverter.GetBytes(0x0Bu) };
        Assert.Equal(NdisApi.NDIS_STATUS_PENDING, adapter.OidRequest(filter)); // one request at a time: queued behind the link set

        engine.AdvanceBy(0);
        Assert.Equal((NdisApi.NDIS_STATUS_SUCCESS, 40u), (link.Status!.Value, link.BytesRead));
        Assert.Contains("LinkParameters applied at 0 irql 0", Lines(driver));
        Assert.Equal((NdisApi.NDIS_STATUS_SUCCESS, 4u), (filter.Status!.Value, filter.BytesRead)); // delivered once the first completed
        // Both completed after their OidRequest returned PENDING: the pended one and the one queued behind it.
        Assert.Equal(2, host.CountCompletions("OidRequestComplete", NdisApi.NDIS_STATUS_SUCCESS));
    }

    [NativeFact]
    public void Configuration_IsEmptyUntilWritten_WritesReadBackCaseInsensitively()
    {
        var (_, driver, _) = Start(adapters: 2);
        Assert.Contains("Configuration: busy check 100 ms, instance 1 read back 1, network address absent", Lines(driver));
        Assert.Contains("Configuration: busy check 100 ms, instance 2 read back 2, network address absent", Lines(driver));
    }

    [NativeFact]
    public void HaltWithReceivesHeld_WaitsWithNdisMSleep_ThenUnloadDeregisters()
    {
        var (host, driver, engine) = Start(adapters: 2);
        host.Adapters[0].Send(new NET_BUFFER_LIST { Tag = 1, Data = Frame(1) });
        engine.AdvanceBy(0);
        host.Adapters[1].Halt(); // the protocol holds its receive until 1 ms: the halt sleeps 1 ms on the virtual clock
        Assert.Contains("Halt 2 at 10000 after 1 waits", Lines(driver));
        host.Adapters[0].Halt();
        Assert.True(driver.Unload());
        Assert.Contains("Unload", Lines(driver));
        Assert.Throws<InvalidOperationException>(() => host.AddAdapter()); // deregistered
        Assert.Empty(host.Diagnostics.BugChecks);
        Assert.Equal(0, host.Diagnostics.FindingCount);
    }

    private static List<string> Lines(NativeNdisDriver driver) => [.. driver.DebugOutput.Select(l => l.TrimEnd('\n'))];

    private static NDIS_OID_REQUEST Query(NdisMiniportAdapter adapter, uint oid, int length)
    {
        var request = new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestQueryInformation, Oid = oid, InformationBuffer = new byte[length] };
        adapter.OidRequest(request);
        return request;
    }

    private static byte[] Frame(int i)
    {
        var frame = new byte[60];
        frame.AsSpan(0, 6).Fill(0xFF);
        (frame[6], frame[11], frame[12], frame[13]) = (0x02, (byte)i, 0x88, 0xB5);
        return frame;
    }

    private (NdisHost Host, NativeNdisDriver Driver, VirtualTimerEngine Engine) Start(int adapters)
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new NdisHost(engine);
        var driver = NativeNdisDriver.Load(NativeBuild.Driver("ndis6_datapath"), host);
        Assert.Equal(0, driver.DriverEntryStatus);
        for (var i = 0; i < adapters; i++)
        {
            Assert.Equal(NdisAdapterState.Running, host.AddAdapter().State);
        }

        return (host, driver, engine);
    }
}
