namespace MiniportTimers.Ndis;

/// <summary>
/// An NDIS 6 OID request (NDIS_OID_REQUEST, reduced to what a miniport reads and answers): the host hands it to
/// MiniportOidRequest (<see cref="NdisMiniportAdapter.OidRequest"/>); the miniport answers in place and completes it by
/// returning a status or, after NDIS_STATUS_PENDING, with <see cref="NdisApi.NdisMOidRequestComplete"/>.
/// </summary>
/// <remarks>Thread safety: one request belongs to one miniport call at a time, as in NDIS.</remarks>
public sealed class NDIS_OID_REQUEST
{
    /// <summary>NdisRequestQueryInformation (0), NdisRequestSetInformation (1), NdisRequestQueryStatistics (2) or NdisRequestMethod (12).</summary>
    public uint RequestType { get; init; }

    /// <summary>The OID (ntddndis.h values, for example OID_GEN_VENDOR_ID 0x0001010C).</summary>
    public uint Oid { get; init; }

    /// <summary>The NDIS port, 0 for the default port.</summary>
    public uint PortNumber { get; init; }

    /// <summary>The buffer: the answer of a query, the input of a set, both of a method. Its length is InformationBufferLength.</summary>
    public Memory<byte> InformationBuffer { get; init; }

    /// <summary>Method requests: bytes of input at the buffer's start.</summary>
    public uint InputBufferLength { get; init; }

    /// <summary>Method requests: the method's identifier.</summary>
    public uint MethodId { get; init; }

    /// <summary>Set by the miniport: bytes of the answer (queries, methods).</summary>
    public uint BytesWritten { get; set; }

    /// <summary>Set by the miniport: bytes of input it used (sets, methods).</summary>
    public uint BytesRead { get; set; }

    /// <summary>Set by the miniport when the buffer is too short: the bytes it needs.</summary>
    public uint BytesNeeded { get; set; }

    /// <summary>The completion status; null while the request is outstanding.</summary>
    public uint? Status { get; internal set; }

    /// <summary>What the issuer names the request with (NDIS_OID_REQUEST.RequestId).</summary>
    public object? RequestId { get; init; }

    /// <summary>Anything the issuer keeps with the request (the native bridge keeps the C request here).</summary>
    public object? Tag { get; init; }
}
