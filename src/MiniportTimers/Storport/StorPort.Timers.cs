using MiniportTimers.Kernel;

namespace MiniportTimers.Storport;

public static partial class StorPort
{
    /// <summary>
    /// Creates a timer context for the adapter (nf-storport-storportinitializetimer; a wrapper of
    /// StorPortExtendedFunction(ExtFunctionInitializeTimer = 32)). The timer starts idle; the callback is bound by
    /// <see cref="StorPortRequestTimer"/>. Recommended in HwStorFindAdapter; legal at run time too (storahci initializes
    /// its bus-change timer from a DPC).
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension (the object the host created).</param>
    /// <param name="timerHandle">Receives the new handle; null on failure.</param>
    /// <returns>
    /// STOR_STATUS_SUCCESS (0x0); STOR_STATUS_INVALID_PARAMETER (0xC1000006) for an unknown or removed extension;
    /// STOR_STATUS_INVALID_IRQL (0xC1000008) above DISPATCH_LEVEL; STOR_STATUS_NOT_IMPLEMENTED (0xC1000002) in Windows 7
    /// mode; STOR_STATUS_INVALID_DEVICE_STATE (0xC1000009) after a bug check stopped the adapter;
    /// STOR_STATUS_UNSUCCESSFUL (0xC1000001) only when <see cref="StorportHostOptions.MaxTimersPerAdapter"/> is reached.
    /// Checks run in that order: parameters, IRQL, mode, state, allocation.
    /// </returns>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. Thread-safe.</remarks>
    public static uint StorPortInitializeTimer(object? hwDeviceExtension, out StorPortTimerHandle? timerHandle)
    {
        timerHandle = null;
        if (ResolveAdapter(hwDeviceExtension) is not { } adapter)
        {
            return STOR_STATUS_INVALID_PARAMETER;
        }

        if (Ke.KeGetCurrentIrql() > KIRQL.DISPATCH_LEVEL)
        {
            return STOR_STATUS_INVALID_IRQL;
        }

        if (adapter.Host.Options.Windows7Mode)
        {
            return STOR_STATUS_NOT_IMPLEMENTED;
        }

        if (adapter.State == AdapterState.Faulted)
        {
            return STOR_STATUS_INVALID_DEVICE_STATE;
        }

        return adapter.InitializeTimer(out timerHandle);
    }

    /// <summary>
    /// Requests a one-shot call of <paramref name="timerCallback"/> after <paramref name="timerValueMicroseconds"/>, or
    /// cancels the pending request when that is 0 (nf-storport-storportrequesttimer; ExtFunctionRequestTimer = 33).
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="timerHandle">A handle from <see cref="StorPortInitializeTimer"/> on the same adapter, not freed.</param>
    /// <param name="timerCallback">The PHW_TIMER_EX routine; required even to cancel (the storahci sample cancels with its real callback).</param>
    /// <param name="callbackContext">Passed to the callback; the latest successful request's context wins.</param>
    /// <param name="timerValueMicroseconds">Relative timeout in µs; 0 cancels; at most <see cref="Engine.TimerEngine.MaxTimeNanoseconds"/>/1000.</param>
    /// <param name="tolerableDelayMicroseconds">How late the callback may run, µs; values below 32 mean 0 (decision A1).</param>
    /// <returns>
    /// STOR_STATUS_SUCCESS (scheduled, or cancelled for 0 — also on an idle timer, decision A2);
    /// STOR_STATUS_BUSY (0xC100000C) when a previous request is still pending: a re-arm does not replace it (A4);
    /// STOR_STATUS_INVALID_PARAMETER for a null extension, handle or callback, a foreign or freed handle, or a value too
    /// large; STOR_STATUS_NOT_IMPLEMENTED in Windows 7 mode; STOR_STATUS_INVALID_DEVICE_STATE after a bug check.
    /// </returns>
    /// <remarks>
    /// IRQL: any. Above DISPATCH_LEVEL the request is recorded at once (so BUSY is answered at once) and the timer is
    /// set when the thread drops to DISPATCH_LEVEL, its delay counted from then, as Windows queues the request and sets
    /// the timer when it applies it (decision A16 as refined by issue 10: a 1 ms request made at DIRQL at t = 0 and
    /// applied at t = 3 ms fires at t = 4 ms).
    /// The callback runs at DISPATCH_LEVEL holding the StartIo lock, and the Interrupt lock in half duplex (A8).
    /// BUSY clears before the callback runs, so the callback can re-arm (A5). Thread-safe.
    /// </remarks>
    public static uint StorPortRequestTimer(object? hwDeviceExtension, StorPortTimerHandle? timerHandle, HW_TIMER_EX? timerCallback, object? callbackContext, ulong timerValueMicroseconds, ulong tolerableDelayMicroseconds)
    {
        // The common case: the handle's own adapter's extension. Its host is not in Windows 7 mode (StorPortInitializeTimer
        // refused to make the timer there, and host options are immutable) and the handle is its own, so the checks below
        // come down to the adapter's state, read once (issue 27: the DDI path).
        if (timerHandle is { Timer.Adapter: { } handleAdapter } && timerCallback is not null && ReferenceEquals(handleAdapter.DeviceExtension, hwDeviceExtension))
        {
            var state = handleAdapter.State;
            if (state != AdapterState.Removed)
            {
                return state == AdapterState.Faulted
                    ? STOR_STATUS_INVALID_DEVICE_STATE
                    : timerHandle.Timer.Request(timerCallback, callbackContext, timerValueMicroseconds, tolerableDelayMicroseconds);
            }
        }

        // The handle knows its adapter: when the extension is that adapter's, no lookup is needed.
        var adapter = timerHandle is { Timer.Adapter: { } own } && ReferenceEquals(own.DeviceExtension, hwDeviceExtension) && own.State != AdapterState.Removed
            ? own
            : ResolveAdapter(hwDeviceExtension);
        if (adapter is null || timerHandle is null || timerCallback is null)
        {
            return STOR_STATUS_INVALID_PARAMETER;
        }

        if (adapter.Host.Options.Windows7Mode)
        {
            return STOR_STATUS_NOT_IMPLEMENTED;
        }

        if (!ReferenceEquals(timerHandle.Timer.Adapter, adapter))
        {
            return STOR_STATUS_INVALID_PARAMETER;
        }

        if (adapter.State == AdapterState.Faulted)
        {
            return STOR_STATUS_INVALID_DEVICE_STATE;
        }

        return timerHandle.Timer.Request(timerCallback, callbackContext, timerValueMicroseconds, tolerableDelayMicroseconds);
    }

    /// <summary>
    /// Frees a timer (nf-storport-storportfreetimer; ExtFunctionFreeTimer = 34). A pending request is cancelled; after a
    /// successful free the callback never starts again (decision A9). Legal from inside the timer's own callback.
    /// </summary>
    /// <param name="hwDeviceExtension">The adapter's device extension.</param>
    /// <param name="timerHandle">The handle to free.</param>
    /// <returns>
    /// STOR_STATUS_SUCCESS; STOR_STATUS_UNSUCCESSFUL (0xC1000001) when the timer is already free (double free);
    /// STOR_STATUS_INVALID_PARAMETER for a null or unknown extension, a null handle or another adapter's handle;
    /// STOR_STATUS_INVALID_IRQL above DISPATCH_LEVEL; STOR_STATUS_NOT_IMPLEMENTED in Windows 7 mode.
    /// </returns>
    /// <remarks>
    /// IRQL: &lt;= DISPATCH_LEVEL. At PASSIVE_LEVEL, if the callback is running on another thread, waits for it to
    /// return (as the Windows 7 shim flushes DPCs); at DISPATCH_LEVEL it may still be finishing when this returns.
    /// Thread-safe.
    /// </remarks>
    public static uint StorPortFreeTimer(object? hwDeviceExtension, StorPortTimerHandle? timerHandle)
    {
        var status = CheckFreeTimer(hwDeviceExtension, timerHandle is not null, out var adapter);
        if (status != STOR_STATUS_SUCCESS)
        {
            return status;
        }

        if (!ReferenceEquals(timerHandle!.Timer.Adapter, adapter))
        {
            return STOR_STATUS_INVALID_PARAMETER;
        }

        return timerHandle.Timer.Free();
    }

    /// <summary>
    /// StorPortFreeTimer of a handle already freed, for a surface that no longer holds the handle's object (the native
    /// bridge's generation-tagged handles): the same checks in the same order as <see cref="StorPortFreeTimer"/>, then the
    /// status a second free of a C# handle gives.
    /// </summary>
    /// <returns>STOR_STATUS_INVALID_PARAMETER, STOR_STATUS_INVALID_IRQL or STOR_STATUS_NOT_IMPLEMENTED as <see cref="StorPortFreeTimer"/>; otherwise STOR_STATUS_UNSUCCESSFUL.</returns>
    internal static uint StorPortFreeTimerOfFreedHandle(object? hwDeviceExtension)
    {
        var status = CheckFreeTimer(hwDeviceExtension, handleGiven: true, out _);
        return status != STOR_STATUS_SUCCESS ? status : STOR_STATUS_UNSUCCESSFUL;
    }

    private static uint CheckFreeTimer(object? hwDeviceExtension, bool handleGiven, out StorportAdapter? adapter)
    {
        adapter = ResolveAdapter(hwDeviceExtension);
        if (adapter is null || !handleGiven)
        {
            return STOR_STATUS_INVALID_PARAMETER;
        }

        if (Ke.KeGetCurrentIrql() > KIRQL.DISPATCH_LEVEL)
        {
            return STOR_STATUS_INVALID_IRQL;
        }

        return adapter.Host.Options.Windows7Mode ? STOR_STATUS_NOT_IMPLEMENTED : STOR_STATUS_SUCCESS;
    }

    private static StorportAdapter? ResolveAdapter(object? hwDeviceExtension) =>
        AdapterRegistry.Find(hwDeviceExtension) is { State: not AdapterState.Removed } adapter ? adapter : null;
}
