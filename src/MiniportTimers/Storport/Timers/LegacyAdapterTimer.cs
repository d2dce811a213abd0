using MiniportTimers.Engine;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Storport.Timers;

/// <summary>
/// The adapter's single legacy timer: StorPortNotification(RequestTimerCall, ext, HwStorTimer, µs). A new request
/// replaces a pending one, whatever its routine (decision A4); 0 µs or a null routine cancels (decision A18).
/// </summary>
internal sealed class LegacyAdapterTimer(StorportAdapter adapter) : PortTimer(adapter, "RequestTimerCall")
{
    public void Request(HW_TIMER? hwStorTimer, uint miniportTimerValueMicroseconds)
    {
        using (HostLock.Enter(Gate))
        {
            if (hwStorTimer is null || miniportTimerValueMicroseconds == 0)
            {
                CancelLocked();
                return;
            }

            // A ULONG of µs always fits the engine's clock. The engine re-arm replaces a pending request in place.
            TimeUnits.TryMicrosecondsToNanoseconds(miniportTimerValueMicroseconds, out var delayNanoseconds);
            RequestLocked(hwStorTimer, null, delayNanoseconds, 0);
        }
    }

    protected override void InvokeCallback(Delegate callback, object? context, long startNanoseconds) =>
        ((HW_TIMER)callback)(Adapter.DeviceExtension);
}
