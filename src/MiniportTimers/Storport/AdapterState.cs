namespace MiniportTimers.Storport;

/// <summary>The life of an adapter on a <see cref="StorportHost"/>.</summary>
public enum AdapterState
{
    /// <summary>Created; HwStorFindAdapter not yet run.</summary>
    Created,

    /// <summary>HwStorFindAdapter and HwStorInitialize succeeded; requests flow.</summary>
    Started,

    /// <summary>HwStorFindAdapter or HwStorInitialize failed.</summary>
    Failed,

    /// <summary>ScsiStopAdapter was sent; ScsiRestartAdapter brings it back.</summary>
    Stopped,

    /// <summary>A bug check stopped the adapter; its timers are cancelled and nothing of it runs again.</summary>
    Faulted,

    /// <summary>Removed; its device extension is no longer valid for DDI calls.</summary>
    Removed,
}
