namespace MiniportTimers.Ndis;

/// <summary>What NdisMRegisterInterruptEx registers (NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, the line-based members).</summary>
public sealed class NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS
{
    /// <summary>MiniportInterrupt: required.</summary>
    public MINIPORT_ISR? InterruptHandler { get; set; }

    /// <summary>MiniportInterruptDPC: required.</summary>
    public MINIPORT_INTERRUPT_DPC? InterruptDpcHandler { get; set; }
}
