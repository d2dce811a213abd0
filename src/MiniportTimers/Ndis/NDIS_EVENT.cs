namespace MiniportTimers.Ndis;

/// <summary>An NDIS event (NdisInitializeEvent, NdisSetEvent, NdisResetEvent, NdisWaitEvent).</summary>
public sealed class NDIS_EVENT
{
    internal ManualResetEventSlim Event { get; } = new();
}
