using MiniportTimers.Engine;
using MiniportTimers.Ndis;
using MiniportTimers.Samples.Harness;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// What NDIS does to a native NDIS 6 miniport's adapters during <c>run --driver</c>, on the run's clock: OID requests,
/// sends, a pause and a restart, a reset, more OID requests; halt and MiniportDriverUnload come at the end. Each step
/// is one a protocol or NDIS itself takes; steps a driver has no handler for are skipped (NDIS_STATUS_NOT_SUPPORTED).
/// Sends go out of the first adapter as broadcast frames, so a driver whose instances form a hub (netvmini) indicates
/// them on the others; the pause and the reset come at the instant of a send, while it is outstanding, so a driver
/// that pends them while busy (netvmini) completes them from its timers.
/// </summary>
/// <remarks>Timeline (ms from the start): 0 initialize; 10 OIDs; 20 sends from the first adapter; 20.5 every adapter paused (the protocol still holds the receives: NdisHostOptions.ReceiveReturnDelayMicroseconds); 300 every adapter restarted; 400 sends, then every adapter reset; 900 OIDs.</remarks>
internal sealed class NdisDriverScenario(IReadOnlyList<NdisMiniportAdapter> adapters)
{
    /// <summary>OID_GEN_CURRENT_PACKET_FILTER: directed, multicast, broadcast (NDIS_PACKET_TYPE_*).</summary>
    private const uint OID_GEN_CURRENT_PACKET_FILTER = 0x0001010E;
    private const uint PacketFilter = 0x00000001 | 0x00000002 | 0x00000008;
    private const int SendsPerBurst = 8;

    /// <summary>Queried at 10 ms and 900 ms: the general, 802.3 and statistics OIDs every NDIS 6 Ethernet miniport answers.</summary>
    private static readonly uint[] QueriedOids =
    [
        0x0001010C, // OID_GEN_VENDOR_ID
        0x0001010D, // OID_GEN_VENDOR_DESCRIPTION
        0x00010116, // OID_GEN_VENDOR_DRIVER_VERSION
        0x00010106, // OID_GEN_MAXIMUM_FRAME_SIZE
        0x00010111, // OID_GEN_MAXIMUM_TOTAL_SIZE
        0x01010101, // OID_802_3_PERMANENT_ADDRESS
        0x01010102, // OID_802_3_CURRENT_ADDRESS
        0x00020101, // OID_GEN_XMIT_OK
        0x00020102, // OID_GEN_RCV_OK
        0x00020106, // OID_GEN_STATISTICS
    ];

    private long _oidsSucceeded;
    private long _oidsFailed;
    private long _sends;
    private long _restartsFailed;

    public long OidsSucceeded => Interlocked.Read(ref _oidsSucceeded);

    public long OidsFailed => Interlocked.Read(ref _oidsFailed);

    public long Sends => Interlocked.Read(ref _sends);

    public long RestartsFailed => Interlocked.Read(ref _restartsFailed);

    /// <summary>Puts the steps on <paramref name="workload"/>'s timeline.</summary>
    public void Schedule(Workload workload)
    {
        // The steps share the adapters' state and follow each other (a send burst at 20 ms, the pause 0.5 ms later): on
        // several dispatchers they run one at a time in due order on dispatcher 0, not dealt over the dispatchers.
        ArgumentNullException.ThrowIfNull(workload);
        workload = workload.PinnedTo(0);
        workload.At(10 * TimeUnits.NanosecondsPerMillisecond, () => ForEach(a =>
        {
            Set(a, OID_GEN_CURRENT_PACKET_FILTER, BitConverter.GetBytes(PacketFilter));
            Query(a);
        }));
        workload.At(20 * TimeUnits.NanosecondsPerMillisecond, () => First(a => SendBurst(a, 1)));
        workload.At(20_500 * TimeUnits.NanosecondsPerMicrosecond, () => ForEach(a => a.Pause()));
        workload.At(300 * TimeUnits.NanosecondsPerMillisecond, () => ForEach(a =>
        {
            if (a.State != NdisAdapterState.Paused || a.Restart() != NdisApi.NDIS_STATUS_SUCCESS)
            {
                Interlocked.Increment(ref _restartsFailed);
            }
        }));
        workload.At(400 * TimeUnits.NanosecondsPerMillisecond, () =>
        {
            First(a => SendBurst(a, 2));
            ForEach(a => a.Reset());
        });
        workload.At(900 * TimeUnits.NanosecondsPerMillisecond, () => ForEach(Query));
    }

    private void ForEach(Action<NdisMiniportAdapter> step)
    {
        foreach (var adapter in adapters)
        {
            step(adapter);
        }
    }

    private void First(Action<NdisMiniportAdapter> step)
    {
        if (adapters.Count > 0)
        {
            step(adapters[0]);
        }
    }

    private void Query(NdisMiniportAdapter adapter)
    {
        foreach (var oid in QueriedOids)
        {
            Count(adapter.OidRequest(new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestQueryInformation, Oid = oid, InformationBuffer = new byte[512] }));
        }
    }

    private void Set(NdisMiniportAdapter adapter, uint oid, byte[] value) =>
        Count(adapter.OidRequest(new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestSetInformation, Oid = oid, InformationBuffer = value }));

    private void Count(uint status)
    {
        if (status == NdisApi.NDIS_STATUS_SUCCESS)
        {
            Interlocked.Increment(ref _oidsSucceeded);
        }
        else if (status != NdisApi.NDIS_STATUS_PENDING && status != NdisApi.NDIS_STATUS_NOT_SUPPORTED)
        {
            Interlocked.Increment(ref _oidsFailed);
        }
    }

    /// <summary>Broadcast Ethernet frames of 60 bytes (the minimum without FCS), EtherType 0x88B5 (local experimental).</summary>
    private void SendBurst(NdisMiniportAdapter adapter, int burst)
    {
        for (var i = 0; i < SendsPerBurst; i++)
        {
            var frame = new byte[60];
            frame.AsSpan(0, 6).Fill(0xFF);
            frame[6] = 0x02; // a locally administered source
            frame[11] = (byte)i;
            (frame[12], frame[13], frame[14]) = (0x88, 0xB5, (byte)burst);
            if (adapter.Send(new NET_BUFFER_LIST { Tag = (burst * 100) + i, Data = frame }))
            {
                Interlocked.Increment(ref _sends);
            }
        }
    }
}
