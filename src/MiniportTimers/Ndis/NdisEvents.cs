namespace MiniportTimers.Ndis;

/// <summary>A status indication a miniport made (NdisMIndicateStatusEx, or NdisMIndicateStatus in NDIS 5).</summary>
/// <param name="Adapter">The adapter's name.</param>
/// <param name="StatusCode">NDIS_STATUS_MEDIA_CONNECT, NDIS_STATUS_LINK_STATE, …</param>
/// <param name="AtNanoseconds">Engine time, ns.</param>
public sealed record NdisIndication(string Adapter, uint StatusCode, long AtNanoseconds);

/// <summary>A completion a miniport reported for an operation it had returned NDIS_STATUS_PENDING for (or a send).</summary>
/// <param name="Adapter">The adapter's name.</param>
/// <param name="Kind">"PauseComplete", "ResetComplete", "QueryInformationComplete", "SetInformationComplete", "SendComplete".</param>
/// <param name="Status">The status it completed with.</param>
/// <param name="AtNanoseconds">Engine time, ns.</param>
/// <param name="FromTimerCallback">True when it was completed from inside a timer callback.</param>
public sealed record NdisCompletion(string Adapter, string Kind, uint Status, long AtNanoseconds, bool FromTimerCallback);
