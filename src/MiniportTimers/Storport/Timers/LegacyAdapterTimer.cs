using MiniportTimers.Kernel;
using MiniportTimers.Engine;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Storport.Timers;

/// <summary>
/// The adapter's single legacy timer: StorPortNotification(RequestTimerCall, ext, HwStorTimer, µs). A new request
/// replaces a pending one, whatever its routine (decision A4); 0 µs or a null routine cancels (decision A18).
/// </summary>
internal sealed class LegacyAdapterTimer(StorportAdapter adapter) : PortTimer(adapter, "RequestTimerCall")
{
    /// <summary>A request (or, with 0 µs or no routine, a cancel) from a thread at <paramref name="irql"/>.</summary>
    public void Request(HW_TIMER? hwStorTimer, uint miniportTimerValueMicroseconds, KIRQL irql)
    {
        if (hwStorTimer is null || miniportTimerValueMicroseconds == 0)
        {
            CancelPending(); // one compare-exchange, no lock (TimerCore's diagram (2))
            return;
        }

        // A ULONG of µs always fits the engine's clock. The claim takes the timer whatever is pending (the replace, TimerCore's
        // diagram (5)); the engine re-arm replaces a pending request in place, and the old arming's taken expiry drops.
        TimeUnits.TryMicrosecondsToNanoseconds(miniportTimerValueMicroseconds, out var delayNanoseconds);
        var claimed = ClaimUnless(refuseIf: 0, alsoSet: TimerState.Pending);
        try
        {
            RequestLocked(hwStorTimer, null, delayNanoseconds, 0, irql);
        }
        finally
        {
            Release(claimed);
        }
    }

    protected override void InvokeCallback(Delegate callback, object? context, long startNanoseconds) =>
        ((HW_TIMER)callback)(Adapter.DeviceExtension);
}
