using MiniportTimers.Kernel;
using MiniportTimers.Engine;
using MiniportTimers.Kernel.Timers;

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

        if (timerValueMicroseconds == 0)
        {
            // "0 cancels"; idempotent on an idle timer (decision A2): one read then, else one compare-exchange and no lock
            // (TimerCore's diagram (2)).
            if (Freed)
            {
                return StorPort.STOR_STATUS_INVALID_PARAMETER;
            }

            CancelPending();
            return StorPort.STOR_STATUS_SUCCESS;
        }

        // A claim that sets "pending" unless a request is pending (BUSY) or the timer is freed (TimerCore's diagram (1), (4)).
        var claimed = ClaimUnless(TimerState.Pending | TimerState.Freed, alsoSet: TimerState.Pending);
        if ((claimed & TimerState.Owned) == 0)
        {
            if ((claimed & TimerState.Freed) != 0)
            {
                return StorPort.STOR_STATUS_INVALID_PARAMETER;
            }

            ActivityFor(callback).CountBusy();
            return StorPort.STOR_STATUS_BUSY; // a re-arm does not replace a pending request (decision A4)
        }

        try
        {
            RequestLocked(callback, context, delayNanoseconds, toleranceNanoseconds, IrqlState.Current);
        }
        finally
        {
            Release(claimed);
        }

        return StorPort.STOR_STATUS_SUCCESS;
    }

    /// <summary>StorPortFreeTimer after the parameter checks.</summary>
    public uint Free()
    {
        if (!FreeOnce())
        {
            return StorPort.STOR_STATUS_UNSUCCESSFUL; // double free
        }

        WaitForRunningCallback(); // at PASSIVE_LEVEL, on another thread than the callback's (decision A9)
        Adapter.Timers.Untrack(this);
        return StorPort.STOR_STATUS_SUCCESS;
    }

    /// <summary>Marks the timer freed on the miniport's behalf (adapter removal found it still allocated).</summary>
    public void FreeOnRemoval() => FreeOnce();

    /// <summary>Frees under a claim (TimerCore's diagram (3)); false if it was freed already.</summary>
    private bool FreeOnce()
    {
        var claimed = ClaimUnless(TimerState.Freed, alsoSet: 0);
        if ((claimed & TimerState.Owned) == 0)
        {
            return false;
        }

        var final = claimed;
        try
        {
            final = FreeClaimed(claimed);
        }
        finally
        {
            Release(final);
        }

        return true;
    }

    protected override void InvokeCallback(Delegate callback, object? context, long startNanoseconds) =>
        ((HW_TIMER_EX)callback)(Adapter.DeviceExtension, context);
}
