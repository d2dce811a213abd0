using MiniportTimers.Engine;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Storport.Timers;

/// <summary>
/// A timer of StorPortInitializeTimer / StorPortRequestTimer / StorPortFreeTimer: one-shot, BUSY while a request is
/// pending, cancelled by a request of 0 µs, freed once.
/// </summary>
internal sealed class ExtendedPortTimer : PortTimer
{
    /// <summary>Tolerable delays below this many µs mean 0 (StorPortRequestTimer remarks; decision A1).</summary>
    public const ulong MinimumTolerableDelayMicroseconds = 32;

    public ExtendedPortTimer(StorportAdapter adapter)
        : base(adapter, "StorPortRequestTimer") => Handle = new StorPortTimerHandle(this);

    public StorPortTimerHandle Handle { get; }

    /// <summary>StorPortRequestTimer after the parameter checks: cancel (0 µs), BUSY, or arm.</summary>
    public uint Request(HW_TIMER_EX callback, object? context, ulong timerValueMicroseconds, ulong tolerableDelayMicroseconds)
    {
        // Both values are µs (storport.h); a value too large for the engine's clock is an invalid parameter.
        if (!TimeUnits.TryMicrosecondsToNanoseconds(timerValueMicroseconds, out var delayNanoseconds))
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        long toleranceNanoseconds = 0; // below the minimum: 0, nothing to convert (the common case)
        if (tolerableDelayMicroseconds >= MinimumTolerableDelayMicroseconds && !TimeUnits.TryMicrosecondsToNanoseconds(tolerableDelayMicroseconds, out toleranceNanoseconds))
        {
            return StorPort.STOR_STATUS_INVALID_PARAMETER;
        }

        using (HostLock.Enter(Gate))
        {
            if (Freed)
            {
                return StorPort.STOR_STATUS_INVALID_PARAMETER;
            }

            if (timerValueMicroseconds == 0)
            {
                CancelLocked(); // "0 cancels"; idempotent on an idle timer (decision A2)
                return StorPort.STOR_STATUS_SUCCESS;
            }

            if (IsPendingLocked)
            {
                ActivityFor(callback).CountBusy();
                return StorPort.STOR_STATUS_BUSY; // a re-arm does not replace a pending request (decision A4)
            }

            RequestLocked(callback, context, delayNanoseconds, toleranceNanoseconds);
            return StorPort.STOR_STATUS_SUCCESS;
        }
    }

    /// <summary>StorPortFreeTimer after the parameter checks.</summary>
    public uint Free()
    {
        using (HostLock.Enter(Gate))
        {
            if (Freed)
            {
                return StorPort.STOR_STATUS_UNSUCCESSFUL; // double free
            }

            Freed = true;
            CancelLocked();
            WaitForRunningCallbackLocked();
        }

        Adapter.Timers.Untrack(this);
        return StorPort.STOR_STATUS_SUCCESS;
    }

    /// <summary>Marks the timer freed on the miniport's behalf (adapter removal found it still allocated).</summary>
    public void FreeOnRemoval()
    {
        using (HostLock.Enter(Gate))
        {
            Freed = true;
            CancelLocked();
        }
    }

    protected override void InvokeCallback(Delegate callback, object? context, long startNanoseconds) =>
        ((HW_TIMER_EX)callback)(Adapter.DeviceExtension, context);
}
