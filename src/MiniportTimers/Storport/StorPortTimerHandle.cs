using MiniportTimers.Storport.Timers;

namespace MiniportTimers.Storport;

/// <summary>
/// The opaque TimerHandle that StorPortInitializeTimer returns (a PVOID in storport.h). Pass it to StorPortRequestTimer
/// and StorPortFreeTimer on the same adapter; after StorPortFreeTimer it is invalid.
/// </summary>
public sealed class StorPortTimerHandle
{
    internal StorPortTimerHandle(ExtendedPortTimer timer) => Timer = timer;

    internal ExtendedPortTimer Timer { get; }
}
