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

    /// <summary>
    /// MiniportCheckForHangEx / MiniportCheckForHang: the host calls it at DISPATCH_LEVEL every
    /// <see cref="NdisHostOptions.CheckForHangIntervalMilliseconds"/> (2 s, NDIS's default) while the adapter runs; TRUE
    /// makes the host reset the adapter, as NDIS does.
    /// </summary>
    public MINIPORT_CHECK_FOR_HANG? CheckForHangHandlerEx { get; set; }

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

    /// <summary>MiniportISR (NDIS 5, W_ISR_HANDLER): with NdisMRegisterInterrupt's RequestIsr, runs at the device IRQL for each interrupt.</summary>
    public W_ISR_HANDLER? ISRHandler { get; set; }

    /// <summary>MiniportHandleInterrupt (NDIS 5, W_HANDLE_INTERRUPT_HANDLER): the interrupt's deferred work, at DISPATCH_LEVEL.</summary>
    public W_HANDLE_INTERRUPT_HANDLER? HandleInterruptHandler { get; set; }

    /// <summary>MiniportDisableInterrupt (NDIS 5): without RequestIsr, NDIS calls it at the device IRQL instead of MiniportISR.</summary>
    public W_DISABLE_INTERRUPT_HANDLER? DisableInterruptHandler { get; set; }

    /// <summary>MiniportEnableInterrupt (NDIS 5): without RequestIsr, NDIS calls it at the device IRQL after MiniportHandleInterrupt.</summary>
    public W_ENABLE_INTERRUPT_HANDLER? EnableInterruptHandler { get; set; }
}
