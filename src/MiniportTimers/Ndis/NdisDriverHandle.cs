namespace MiniportTimers.Ndis;

/// <summary>The NdisDriverHandle that NdisMRegisterMiniportDriver returns.</summary>
public sealed class NdisDriverHandle
{
    internal NdisDriverHandle(NdisHost host) => Host = host;

    internal NdisHost Host { get; }
}
