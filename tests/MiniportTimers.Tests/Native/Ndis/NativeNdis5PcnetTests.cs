using System.Globalization;
using System.Text.RegularExpressions;
using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Pcnet;
using MiniportTimers.Engine;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Ndis;

namespace MiniportTimers.Tests.Native.Ndis;

/// <summary>
/// Issue 23: our own C NDIS 5.1 miniport (native/miniports/ndis5_pcnet.c), registered with NdisMRegisterMiniport, on two
/// emulated PCnet-PCI II NICs joined by a hub, on the virtual clock: the acceptance scenario's timer, link, sends,
/// reset and halt.
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed partial class NativeNdis5PcnetTests : IDisposable
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private const long S = 1000 * Ms;
    private readonly List<IDisposable> _disposables = [];

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    [NativeFact]
    public void Initialize_FindsTheCard_ReadsTheMacFromTheAprom_AndStartsTheChip()
    {
        var rig = Start(linkUp: true);
        Assert.All(rig.Host.Adapters, a => Assert.Equal(NdisAdapterState.Running, a.State));
        Assert.Contains(rig.Driver.DebugOutput, l => l.StartsWith("Initialize: PCnet at port c000 line 11 MAC 00-0c-29-00-00-01, CSR0 1f3, media connected", StringComparison.Ordinal));
        Assert.Contains(rig.Driver.DebugOutput, l => l.StartsWith("Initialize: PCnet at port c100 line 11 MAC 00-0c-29-00-00-02", StringComparison.Ordinal));
        var mac = new byte[6];
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, rig.Host.Adapters[1].OidRequest(new NDIS_OID_REQUEST { Oid = 0x01010101, InformationBuffer = mac }));
        Assert.Equal(rig.Nics[1].Options.MacAddress, mac);
        // IDON raised the line: MiniportISR and MiniportHandleInterrupt ran once on each NIC.
        rig.Engine.AdvanceBy(0);
        Assert.Equal(2, rig.Driver.DebugOutput.Count(l => l.StartsWith("IDON at 0", StringComparison.Ordinal)));
        Assert.Equal(0, rig.Nics[0].ReadCsr(0) & PcnetRegisters.CSR0_IDON);
    }

    [NativeFact]
    public void MediaTimer_FiresAtExactly5_10_15s_AtDispatch_AndIndicatesTheCableAtTheNextTick()
    {
        var rig = Start(linkUp: false);
        var indications = new List<(uint Status, long At)>();
        rig.Engine.AdvanceBy(7 * S);
        rig.Nics.ForEach(n => n.SetLink(true));                 // the cable comes up at 7 s
        rig.Engine.AdvanceBy(10 * S);
        rig.Nics.ForEach(n => n.SetLink(false));                // and goes down at 17 s
        rig.Engine.AdvanceBy(13 * S);

        Assert.Equal([5 * S / 100, 10 * S / 100, 15 * S / 100, 20 * S / 100, 25 * S / 100, 30 * S / 100], Ticks(rig, "MediaDetectionTimer", adapter: 0));
        Assert.All(rig.Driver.DebugOutput.Where(l => l.StartsWith("MediaDetectionTimer", StringComparison.Ordinal)), l => Assert.Contains(" irql 2 ", l, StringComparison.Ordinal));
        var first = rig.Host.Indications.Where(i => i.Adapter == rig.Host.Adapters[0].Name).Select(i => (i.StatusCode, i.AtNanoseconds)).ToList();
        Assert.Equal([((uint)NdisApi.NDIS_STATUS_MEDIA_CONNECT, 10 * S), ((uint)NdisApi.NDIS_STATUS_MEDIA_DISCONNECT, 20 * S)], first);
        Assert.Equal(1u, MediaConnectStatus(rig.Host.Adapters[0])); // NdisMediaStateDisconnected after 20 s

        var row = Assert.Single(rig.Host.Diagnostics.TimerActivity.Rows, r => r.Callback == "MediaDetectionTimer");
        Assert.Equal(("NdisMTimer", 12L), (row.Kind, row.Fires)); // two adapters, six ticks each
        Assert.Empty(rig.Host.Diagnostics.BugChecks);
        Assert.Empty(rig.Host.Diagnostics.Findings);
    }

    [NativeFact]
    public void OidMediaConnectStatus_AgreesWithEachIndication()
    {
        var rig = Start(linkUp: false);
        rig.Engine.AdvanceBy(7 * S);
        rig.Nics[0].SetLink(true);
        rig.Engine.AdvanceBy(3 * S - 1);
        Assert.Equal(1u, MediaConnectStatus(rig.Host.Adapters[0])); // not yet: the driver learns it at its 10 s tick
        rig.Engine.AdvanceBy(1);
        Assert.Equal(0u, MediaConnectStatus(rig.Host.Adapters[0])); // NdisMediaStateConnected
        Assert.Equal(1, rig.Host.CountIndications(NdisApi.NDIS_STATUS_MEDIA_CONNECT));
    }

    [NativeFact]
    public void Sends_LeaveThroughTheTxRing_AndTheOtherNicReceivesTheSameBytes()
    {
        var rig = Start(linkUp: true);
        rig.Engine.AdvanceBy(Ms);
        var received = new List<byte[]>();
        rig.Host.Adapters[1].NetBufferListsIndicated += (_, nbl) => received.Add(nbl.Data.ToArray());
        var frames = Enumerable.Range(1, 8).Select(i => Frame(rig.Nics[1].Options.MacAddress, rig.Nics[0].Options.MacAddress, i)).ToList();
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.True(rig.Host.Adapters[0].Send(new NET_BUFFER_LIST { Tag = i + 1, Data = frames[i] }));
        }

        rig.Engine.AdvanceBy(Ms);
        Assert.Equal(8, rig.Host.CountCompletions("SendComplete", NdisApi.NDIS_STATUS_SUCCESS));
        Assert.Equal((8L, 8L), (rig.Nics[0].FramesSent, rig.Nics[1].FramesReceived));
        Assert.Equal(frames.Select(f => Convert.ToHexString(f)), received.Select(f => Convert.ToHexString(f)));
        Assert.Empty(rig.Host.Diagnostics.BugChecks);
    }

    [NativeFact]
    public void ABurstLargerThanTheRing_IsHeldAfterResources_AndRetriedWhenTheMiniportSaysSendResourcesAvailable()
    {
        var rig = Start(linkUp: true);
        rig.Engine.AdvanceBy(Ms);
        var received = new List<byte[]>();
        rig.Host.Adapters[1].NetBufferListsIndicated += (_, nbl) => received.Add(nbl.Data.ToArray());
        var frames = Enumerable.Range(1, 40).Select(i => Frame(rig.Nics[1].Options.MacAddress, rig.Nics[0].Options.MacAddress, i)).ToList();
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.True(rig.Host.Adapters[0].Send(new NET_BUFFER_LIST { Tag = i + 1, Data = frames[i] }));
        }

        // The miniport's ring holds 15 frames: MiniportSend answered NDIS_STATUS_RESOURCES for the 16th, and NDIS held it
        // and the rest, in order, until MiniportHandleInterrupt's NdisMSendResourcesAvailable (TINT) let them through.
        Assert.Equal(15, rig.Host.CountCompletions("SendComplete"));
        rig.Engine.AdvanceBy(Ms);
        Assert.Equal(40, rig.Host.CountCompletions("SendComplete", NdisApi.NDIS_STATUS_SUCCESS));
        Assert.Equal(frames.Select(f => Convert.ToHexString(f)), received.Select(f => Convert.ToHexString(f)));
        Assert.Empty(rig.Host.Diagnostics.BugChecks);
    }

    [NativeFact]
    public void AResetCompletes_AndHaltCancelsTheTimer_NothingFiresAfterwards_SharedMemoryFreed()
    {
        var rig = Start(linkUp: true);
        rig.Engine.AdvanceBy(12 * S);
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, rig.Host.Adapters[0].Reset());
        var adapters = rig.Host.Adapters.ToList();
        adapters.ForEach(a => a.Halt());
        Assert.Equal(2, rig.Driver.DebugOutput.Count(l => l.StartsWith("Halt at 120000000: media timer cancelled 1 after 2 ticks", StringComparison.Ordinal)));
        Assert.All(adapters, a => Assert.Equal(0, a.SharedMemoryLeftAtHalt));
        var fires = rig.Host.Diagnostics.TimerActivity.Rows.Single(r => r.Callback == "MediaDetectionTimer").Fires;
        rig.Engine.AdvanceBy(20 * S);
        Assert.Equal(fires, rig.Host.Diagnostics.TimerActivity.Rows.Single(r => r.Callback == "MediaDetectionTimer").Fires);
        Assert.Empty(rig.Host.Diagnostics.BugChecks);
        Assert.Empty(rig.Host.Diagnostics.Findings);
    }

    [NativeFact]
    public void ASetInformationPended_CompletesWithNdisMSetInformationComplete_FromATimer10msLater()
    {
        var rig = Start(linkUp: true);
        rig.Engine.AdvanceBy(Ms);
        var request = new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestSetInformation, Oid = 0x0001010F, InformationBuffer = BitConverter.GetBytes(256u) };
        Assert.Equal(NdisApi.NDIS_STATUS_PENDING, rig.Host.Adapters[0].OidRequest(request));
        Assert.Null(request.Status);
        rig.Engine.AdvanceBy(10 * Ms);
        Assert.Equal((NdisApi.NDIS_STATUS_SUCCESS, 4u), (request.Status, request.BytesRead));
        Assert.Contains(rig.Driver.DebugOutput, l => l.StartsWith("RequestTimer completes the lookahead set (256) at 110000", StringComparison.Ordinal));
        Assert.Equal(1, rig.Host.CountCompletions("OidRequestComplete", NdisApi.NDIS_STATUS_SUCCESS, fromTimerCallback: true));
    }

    [NativeFact]
    public void CheckForHang_IsCalledEvery2s()
    {
        var rig = Start(linkUp: true);
        rig.Engine.AdvanceBy(9 * S);
        rig.Host.Adapters[0].Halt();
        Assert.Contains(rig.Driver.DebugOutput, l => l.Contains("0 received, ", StringComparison.Ordinal) && l.EndsWith("4 hang checks\n", StringComparison.Ordinal) || l.EndsWith("4 hang checks", StringComparison.Ordinal));
    }

    private static uint MediaConnectStatus(NdisMiniportAdapter adapter)
    {
        var buffer = new byte[4];
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, adapter.OidRequest(new NDIS_OID_REQUEST { Oid = 0x00010114, InformationBuffer = buffer }));
        return BitConverter.ToUInt32(buffer);
    }

    private static byte[] Frame(byte[] to, byte[] from, int n)
    {
        var frame = new byte[100 + n];
        to.CopyTo(frame, 0);
        from.CopyTo(frame, 6);
        frame[12] = 0x88;
        frame[13] = 0xB5; // local experimental EtherType
        for (var i = 14; i < frame.Length; i++)
        {
            frame[i] = unchecked((byte)(i * n));
        }

        return frame;
    }

    /// <summary>The tick times (in 100 ns, as KeQueryInterruptTime) of adapter <paramref name="adapter"/>'s timer lines.</summary>
    private static List<long> Ticks(Rig rig, string routine, int adapter) =>
        [.. rig.Driver.DebugOutput.Select(l => TickPattern().Match(l)).Where(m => m.Success && m.Groups[1].Value == routine)
            .Select(m => long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).Where((_, i) => i % 2 == adapter)];

    [GeneratedRegex(@"^(\w+) tick \d+ at (\d+)")]
    private static partial Regex TickPattern();

    private sealed record Rig(VirtualTimerEngine Engine, NdisHost Host, NativeNdisDriver Driver, List<Pcnet> Nics);

    private Rig Start(bool linkUp)
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new NdisHost(engine);
        var driver = NativeNdisDriver.Load(NativeBuild.Driver("ndis5_pcnet"), host);
        Assert.Equal(0, driver.DriverEntryStatus);
        var map = new HostAddressMap(0x0010_0000, 0x1_0000_0000); // a 32-bit DMA device: physical addresses below 4 GiB
        var hub = new PcnetHub();
        var nics = new List<Pcnet>();
        for (var i = 0; i < 2; i++)
        {
            var nic = new Pcnet(engine, map, new PcnetOptions { MacAddress = [0x00, 0x0C, 0x29, 0x00, 0x00, (byte)(i + 1)], IoBase = (ushort)(0xC000 + (0x100 * i)), LinkUp = linkUp });
            hub.Attach(nic);
            nics.Add(nic);
            host.AddAdapter(nic);
        }

        return new Rig(engine, host, driver, nics);
    }
}
