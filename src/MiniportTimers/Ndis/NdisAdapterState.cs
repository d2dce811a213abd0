namespace MiniportTimers.Ndis;

/// <summary>The life of an NDIS miniport adapter on an <see cref="NdisHost"/>.</summary>
public enum NdisAdapterState
{
    /// <summary>MiniportInitializeEx is running.</summary>
    Initializing,

    /// <summary>MiniportInitializeEx failed.</summary>
    Failed,

    /// <summary>Running: sends and requests flow.</summary>
    Running,

    /// <summary>MiniportPause returned NDIS_STATUS_PENDING; NdisMPauseComplete ends it.</summary>
    Pausing,

    /// <summary>Paused.</summary>
    Paused,

    /// <summary>A bug check stopped the adapter; its timers are cancelled and nothing of it runs again.</summary>
    Faulted,

    /// <summary>Halted.</summary>
    Halted,
}
