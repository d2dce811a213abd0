namespace MiniportTimers.Ndis;

/// <summary>What a miniport registers with NdisMRegisterMiniportDriver. Initialize and Halt are required; the rest optional.</summary>
public sealed class NDIS_MINIPORT_DRIVER_CHARACTERISTICS
{
    /// <summary>MiniportInitializeEx (NDIS 6) or MiniportInitialize (NDIS 5). Required.</summary>
    public MINIPORT_INITIALIZE? InitializeHandlerEx { get; set; }

    /// <summary>MiniportHaltEx / MiniportHalt. Required.</summary>
    public MINIPORT_HALT? HaltHandlerEx { get; set; }

    /// <summary>MiniportPause (NDIS 6).</summary>
    public MINIPORT_PAUSE? PauseHandler { get; set; }

    /// <summary>MiniportRestart (NDIS 6).</summary>
    public MINIPORT_RESTART? RestartHandler { get; set; }

    /// <summary>MiniportResetEx / MiniportReset.</summary>
    public MINIPORT_RESET? ResetHandlerEx { get; set; }

    /// <summary>MiniportQueryInformation (NDIS 5).</summary>
    public MINIPORT_OID? QueryInformationHandler { get; set; }

    /// <summary>MiniportSetInformation (NDIS 5).</summary>
    public MINIPORT_OID? SetInformationHandler { get; set; }

    /// <summary>MiniportSendNetBufferLists.</summary>
    public MINIPORT_SEND? SendNetBufferListsHandler { get; set; }

    /// <summary>MiniportOidRequest (NDIS 6): the host's <see cref="NdisMiniportAdapter.OidRequest"/> calls it.</summary>
    public MINIPORT_OID_REQUEST? OidRequestHandler { get; set; }

    /// <summary>MiniportReturnNetBufferLists (NDIS 6): the host returns indicated NBLs through it.</summary>
    public MINIPORT_RETURN_NET_BUFFER_LISTS? ReturnNetBufferListsHandler { get; set; }
}
