using MiniportTimers.Ndis.Timers;

namespace MiniportTimers.Ndis;

/// <summary>The NDIS_HANDLE of an NDIS 6 timer object (NdisAllocateTimerObject). Invalid after NdisFreeTimerObject.</summary>
public sealed class NdisTimerObject
{
    internal NdisTimerObject() => Timer = null!;

    internal NdisTimer Timer { get; set; }
}
