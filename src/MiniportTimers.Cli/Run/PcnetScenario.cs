using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Pcnet;
using MiniportTimers.Engine;
using MiniportTimers.Ndis;
using MiniportTimers.Samples.Harness;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// <c>run --driver X.so:ndis --device pcnet</c> (issue 23): each adapter of an NDIS driver gets an emulated PCnet-PCI II
/// (ports at C000h + 100h per adapter, MAC 00-0C-29-00-00-0n), all on one hub, cables unplugged at power-on; then the
/// acceptance timeline on the virtual clock:
/// <list type="bullet">
/// <item>7 s: the cables come up; 17 s: they go down (a driver polling the link every 5 s indicates MEDIA_CONNECT at
/// 10 s and MEDIA_DISCONNECT at 20 s);</item>
/// <item>1 ms after each 5 s tick: OID_GEN_MEDIA_CONNECT_STATUS on every adapter, compared with its last indication;</item>
/// <item>12 s: the packet filter is set, and the first adapter sends <see cref="Sends"/> frames to the second one's
/// address; each frame the second indicates is compared with what was sent;</item>
/// <item>14 s: every adapter is reset;</item>
/// <item>the end of the run: halt (the run's <c>Finish</c>), where the shared memory left is counted.</item>
/// </list>
/// </summary>
internal sealed class PcnetScenario
{
    private const long S = TimeUnits.NanosecondsPerSecond;
    private const uint OID_GEN_MEDIA_CONNECT_STATUS = 0x00010114;
    private const uint OID_GEN_CURRENT_PACKET_FILTER = 0x0001010E;
    private const uint OID_802_3_CURRENT_ADDRESS = 0x01010102;
    private const int FrameCount = 8;
    private readonly IReadOnlyList<NdisMiniportAdapter> _adapters;
    private readonly List<Pcnet> _nics = [];
    private readonly List<byte[]> _sent = [];
    private readonly List<byte[]> _received = [];
    private readonly List<string> _events = [];

    public PcnetScenario(IReadOnlyList<NdisMiniportAdapter> adapters) => _adapters = adapters;

    /// <summary>Frames handed to the first adapter.</summary>
    public long Sends { get; private set; }

    /// <summary>Frames the second adapter indicated with the bytes that were sent (its FCS aside).</summary>
    public long ReceivedIntact { get; private set; }

    /// <summary>OID_GEN_MEDIA_CONNECT_STATUS answers that agreed with the adapter's last indication.</summary>
    public long OidAgreements { get; private set; }

    /// <summary>OID_GEN_MEDIA_CONNECT_STATUS answers that did not (or failed).</summary>
    public long OidDisagreements { get; private set; }

    /// <summary>Resets that returned or completed with NDIS_STATUS_SUCCESS.</summary>
    public long ResetsSucceeded { get; private set; }

    /// <summary>What happened, one line each, in order (printed with the run's debug output).</summary>
    public IReadOnlyList<string> Events => _events;

    /// <summary>Creates the NIC of adapter <paramref name="index"/> on <paramref name="hub"/>, on the 32-bit <paramref name="map"/>.</summary>
    public Pcnet CreateNic(TimerEngine engine, HostAddressMap map, PcnetHub hub, int index)
    {
        var nic = new Pcnet(engine, map, new PcnetOptions
        {
            MacAddress = [0x00, 0x0C, 0x29, 0x00, 0x00, (byte)(index + 1)],
            IoBase = (ushort)(0xC000 + (0x100 * index)),
            LinkUp = false,
        });
        hub.Attach(nic);
        _nics.Add(nic);
        return nic;
    }

    /// <summary>Puts the steps on <paramref name="workload"/>'s timeline.</summary>
    public void Schedule(Workload workload)
    {
        // The steps share the NICs' and adapters' state (the link, the frames sent, the reset): on several dispatchers they
        // run one at a time in due order on dispatcher 0, not dealt over the dispatchers.
        ArgumentNullException.ThrowIfNull(workload);
        workload = workload.PinnedTo(0);
        workload.At(7 * S, () => Link(true));
        workload.At(17 * S, () => Link(false));
        for (var tick = 5 * S; tick <= 25 * S; tick += 5 * S)
        {
            workload.At(tick + TimeUnits.NanosecondsPerMillisecond, CheckMediaStatus);
        }

        workload.At(12 * S, SendFrames);
        workload.At(14 * S, () =>
        {
            foreach (var adapter in _adapters)
            {
                var status = adapter.Reset();
                Log($"{adapter.Name}: MiniportReset returned 0x{status:X8}");
                if (status == NdisApi.NDIS_STATUS_SUCCESS)
                {
                    ResetsSucceeded++;
                }
            }
        });
    }

    private void Log(string line) =>
        _events.Add($"{(_adapters.Count > 0 ? _adapters[0].Host.Engine.NowNanoseconds / 1000.0 : 0):N3} µs: {line}");

    private static string MediaState(uint state) => state == 0 ? "NdisMediaStateConnected" : "NdisMediaStateDisconnected";

    private void Link(bool up)
    {
        _nics.ForEach(n => n.SetLink(up));
        Log($"cables {(up ? "plugged in" : "unplugged")}");
    }

    private void CheckMediaStatus()
    {
        foreach (var adapter in _adapters)
        {
            var buffer = new byte[4];
            var status = adapter.OidRequest(new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestQueryInformation, Oid = OID_GEN_MEDIA_CONNECT_STATUS, InformationBuffer = buffer });
            var last = adapter.Host.Indications.LastOrDefault(i => i.Adapter == adapter.Name && i.StatusCode is NdisApi.NDIS_STATUS_MEDIA_CONNECT or NdisApi.NDIS_STATUS_MEDIA_DISCONNECT);
            var expected = last?.StatusCode == NdisApi.NDIS_STATUS_MEDIA_CONNECT ? 0u : 1u; // NdisMediaStateConnected, NdisMediaStateDisconnected
            var answer = BitConverter.ToUInt32(buffer);
            if (status == NdisApi.NDIS_STATUS_SUCCESS && answer == expected)
            {
                OidAgreements++;
            }
            else
            {
                OidDisagreements++;
                Log($"{adapter.Name}: OID_GEN_MEDIA_CONNECT_STATUS answered 0x{status:X8} {MediaState(answer)}, but its last media indication says {MediaState(expected)}");
            }
        }
    }

    private void SendFrames()
    {
        if (_adapters.Count < 2)
        {
            return;
        }

        foreach (var adapter in _adapters)
        {
            adapter.OidRequest(new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestSetInformation, Oid = OID_GEN_CURRENT_PACKET_FILTER, InformationBuffer = BitConverter.GetBytes(0x0000000Bu) }); // directed, multicast, broadcast
        }

        var destination = new byte[6];
        _adapters[1].OidRequest(new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestQueryInformation, Oid = OID_802_3_CURRENT_ADDRESS, InformationBuffer = destination });
        _adapters[1].NetBufferListsIndicated += (_, nbl) =>
        {
            for (var n = nbl; n is not null; n = n.Next)
            {
                _received.Add(n.Data.ToArray());
                if (_sent.Exists(s => n.Data.Length >= s.Length && n.Data.Span[..s.Length].SequenceEqual(s)))
                {
                    ReceivedIntact++;
                }
            }
        };
        for (var i = 0; i < FrameCount; i++)
        {
            var frame = new byte[64 + (16 * i)];
            destination.CopyTo(frame, 0);
            _nics[0].Options.MacAddress.CopyTo(frame, 6);
            frame[12] = 0x88;
            frame[13] = 0xB5; // local experimental EtherType
            for (var b = 14; b < frame.Length; b++)
            {
                frame[b] = unchecked((byte)(b + (31 * i)));
            }

            _sent.Add(frame);
            Sends++;
            _adapters[0].Send(new NET_BUFFER_LIST { Tag = i + 1, Data = frame });
        }

        Log($"{_adapters[0].Name}: {FrameCount} frames sent to {Convert.ToHexString(destination)}");
    }
}
