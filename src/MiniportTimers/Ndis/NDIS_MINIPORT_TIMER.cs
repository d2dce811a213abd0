using MiniportTimers.Ndis.Timers;

namespace MiniportTimers.Ndis;

/// <summary>
/// An NDIS 5 miniport timer: caller-allocated resident storage, as in ndis.h. Bind it with NdisMInitializeTimer, then
/// NdisMSetTimer / NdisMSetPeriodicTimer / NdisMCancelTimer.
/// </summary>
public sealed class NDIS_MINIPORT_TIMER
{
    internal NdisTimer? Timer { get; set; }
}
