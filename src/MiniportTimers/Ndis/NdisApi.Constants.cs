namespace MiniportTimers.Ndis;

/// <summary>
/// The flat NDIS DDI surface, with the names and values of ndis.h, for <c>using static MiniportTimers.Ndis.NdisApi;</c>.
/// This part holds the constants.
/// </summary>
public static partial class NdisApi
{
    // ---- NDIS_STATUS (ndis.h; semantics §0.2) ----

    /// <summary>0x00000000 (STATUS_SUCCESS).</summary>
    public const uint NDIS_STATUS_SUCCESS = 0x00000000;

    /// <summary>0x00000103 (STATUS_PENDING): the operation completes later (NdisMPauseComplete, NdisMResetComplete, …).</summary>
    public const uint NDIS_STATUS_PENDING = 0x00000103;

    /// <summary>0xC0000001 (STATUS_UNSUCCESSFUL).</summary>
    public const uint NDIS_STATUS_FAILURE = 0xC0000001;

    /// <summary>0xC000009A (STATUS_INSUFFICIENT_RESOURCES).</summary>
    public const uint NDIS_STATUS_RESOURCES = 0xC000009A;

    /// <summary>0xC000000D (STATUS_INVALID_PARAMETER).</summary>
    public const uint NDIS_STATUS_INVALID_PARAMETER = 0xC000000D;

    /// <summary>0xC00000BB (STATUS_NOT_SUPPORTED).</summary>
    public const uint NDIS_STATUS_NOT_SUPPORTED = 0xC00000BB;

    /// <summary>0xC0010004.</summary>
    public const uint NDIS_STATUS_BAD_VERSION = 0xC0010004;

    /// <summary>0xC0010005: NdisAllocateTimerObject's characteristics are invalid.</summary>
    public const uint NDIS_STATUS_BAD_CHARACTERISTICS = 0xC0010005;

    /// <summary>0xC0010011: the adapter is not ready (e100bex completes a reset held during link detection with it).</summary>
    public const uint NDIS_STATUS_ADAPTER_NOT_READY = 0xC0010011;

    /// <summary>0x4001000B: status indication: media connected (NDIS 5).</summary>
    public const uint NDIS_STATUS_MEDIA_CONNECT = 0x4001000B;

    /// <summary>0x4001000C: status indication: media disconnected (NDIS 5).</summary>
    public const uint NDIS_STATUS_MEDIA_DISCONNECT = 0x4001000C;

    /// <summary>0x40010017: status indication: link state (NDIS 6).</summary>
    public const uint NDIS_STATUS_LINK_STATE = 0x40010017;

    // ---- Timer characteristics (semantics §0.4) ----

    /// <summary>0x97 (151): NDIS_OBJECT_HEADER.Type of NDIS_TIMER_CHARACTERISTICS.</summary>
    public const byte NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS = 0x97;

    /// <summary>1.</summary>
    public const byte NDIS_TIMER_CHARACTERISTICS_REVISION_1 = 1;

    /// <summary>24: RTL_SIZEOF_THROUGH_FIELD(NDIS_TIMER_CHARACTERISTICS, FunctionContext) on x64.</summary>
    public const ushort NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1 = 24;

    // ---- OIDs the samples use ----

    /// <summary>0x00010114: media connect status (query).</summary>
    public const uint OID_GEN_MEDIA_CONNECT_STATUS = 0x00010114;

    /// <summary>0x00010107: link speed (query).</summary>
    public const uint OID_GEN_LINK_SPEED = 0x00010107;

    /// <summary>0x0001010E: packet filter (set).</summary>
    public const uint OID_GEN_CURRENT_PACKET_FILTER = 0x0001010E;

    /// <summary>The header name of an NDIS_STATUS value, or its hex form.</summary>
    public static string NdisStatusName(uint status) => status switch
    {
        NDIS_STATUS_SUCCESS => nameof(NDIS_STATUS_SUCCESS),
        NDIS_STATUS_PENDING => nameof(NDIS_STATUS_PENDING),
        NDIS_STATUS_FAILURE => nameof(NDIS_STATUS_FAILURE),
        NDIS_STATUS_RESOURCES => nameof(NDIS_STATUS_RESOURCES),
        NDIS_STATUS_INVALID_PARAMETER => nameof(NDIS_STATUS_INVALID_PARAMETER),
        NDIS_STATUS_NOT_SUPPORTED => nameof(NDIS_STATUS_NOT_SUPPORTED),
        NDIS_STATUS_BAD_VERSION => nameof(NDIS_STATUS_BAD_VERSION),
        NDIS_STATUS_BAD_CHARACTERISTICS => nameof(NDIS_STATUS_BAD_CHARACTERISTICS),
        NDIS_STATUS_ADAPTER_NOT_READY => nameof(NDIS_STATUS_ADAPTER_NOT_READY),
        NDIS_STATUS_MEDIA_CONNECT => nameof(NDIS_STATUS_MEDIA_CONNECT),
        NDIS_STATUS_MEDIA_DISCONNECT => nameof(NDIS_STATUS_MEDIA_DISCONNECT),
        NDIS_STATUS_LINK_STATE => nameof(NDIS_STATUS_LINK_STATE),
        _ => $"0x{status:X8}",
    };

    // ---- NDIS 6 OID requests, sends and receives (ndis.h) ----

    /// <summary>0: NDIS_OID_REQUEST.RequestType of a query.</summary>
    public const uint NdisRequestQueryInformation = 0;

    /// <summary>1: NDIS_OID_REQUEST.RequestType of a set.</summary>
    public const uint NdisRequestSetInformation = 1;

    /// <summary>2: NDIS_OID_REQUEST.RequestType of a statistics query.</summary>
    public const uint NdisRequestQueryStatistics = 2;

    /// <summary>12: NDIS_OID_REQUEST.RequestType of a method request.</summary>
    public const uint NdisRequestMethod = 12;

    /// <summary>0xC0010014: the buffer of an OID request is too short (BytesNeeded says how long it must be).</summary>
    public const uint NDIS_STATUS_INVALID_LENGTH = 0xC0010014;

    /// <summary>0xC001000D: a reset is in progress (sends completed by a reset carry it).</summary>
    public const uint NDIS_STATUS_RESET_IN_PROGRESS = 0xC001000D;

    /// <summary>0xC0010016: the buffer of an OID request is too short.</summary>
    public const uint NDIS_STATUS_BUFFER_TOO_SHORT = 0xC0010016;

    /// <summary>0x00000001: MiniportSendNetBufferLists is called at DISPATCH_LEVEL (the host always sends at DISPATCH_LEVEL).</summary>
    public const uint NDIS_SEND_FLAGS_DISPATCH_LEVEL = 0x00000001;

    /// <summary>0x00000001: MiniportReturnNetBufferLists is called at DISPATCH_LEVEL (the host always returns at DISPATCH_LEVEL).</summary>
    public const uint NDIS_RETURN_FLAGS_DISPATCH_LEVEL = 0x00000001;

    /// <summary>0x00000001: NdisMIndicateReceiveNetBufferLists is called at DISPATCH_LEVEL.</summary>
    public const uint NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL = 0x00000001;

    /// <summary>0x00000002: the miniport reclaims the indicated NBLs when the indication returns (no MiniportReturnNetBufferLists).</summary>
    public const uint NDIS_RECEIVE_FLAGS_RESOURCES = 0x00000002;
}
