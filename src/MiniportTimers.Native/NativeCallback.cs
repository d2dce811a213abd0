using MiniportTimers.Hosting.Timers;

namespace MiniportTimers.Native;

/// <summary>
/// A C routine of a native miniport (either stack), as the delegates the host calls: each call goes through the
/// driver's shim trampoline (<see cref="DdiGuard"/>), and reports name it by its C name (<see cref="ICallbackName"/>).
/// One wrapper per routine address and driver, so the host's accounting sees one callback.
/// </summary>
internal sealed unsafe class NativeCallback(NativeDriver driver, nint routine) : ICallbackName
{
    public NativeDriver Driver { get; } = driver;

    public nint Routine { get; } = routine;

    public string CallbackName { get; } = driver.NameOf(routine);

    /// <summary>PHW_TIMER_EX: (extension, context).</summary>
    public void TimerEx(object deviceExtension, object? context) =>
        DdiGuard.Call(Driver, CallbackName, (Routine, Address(deviceExtension), Pointer(context)), static (d, s, f) =>
        {
            d.Shim.CallTimerEx(s.Routine, s.Item2, s.Item3, f);
            return 0;
        });

    /// <summary>PHW_TIMER: (extension).</summary>
    public void Timer(object deviceExtension) =>
        DdiGuard.Call(Driver, CallbackName, (Routine, Address(deviceExtension)), static (d, s, f) =>
        {
            d.Shim.CallTimer(s.Routine, s.Item2, f);
            return 0;
        });

    /// <summary>HwMSInterruptRoutine: the extension and the 0-based message; BOOLEAN.</summary>
    public bool MessageSignaledInterrupt(object deviceExtension, uint messageId) =>
        DdiGuard.Call(Driver, CallbackName, (Routine, Address(deviceExtension), messageId), static (d, s, f) => d.Shim.CallMessageInterrupt(s.Routine, s.Item2, s.messageId, f)) != 0;

    /// <summary>A routine taking the extension and returning BOOLEAN (HwStorInitialize, HwStorInterrupt, HwStorPassiveInitializeRoutine).</summary>
    public bool Boolean(object deviceExtension) =>
        DdiGuard.Call(Driver, CallbackName, (Routine, Address(deviceExtension)), static (d, s, f) => d.Shim.CallBoolean(s.Routine, s.Item2, f)) != 0;

    /// <summary>NDIS_TIMER_FUNCTION: (timer, context, system time low, high); the timer is the native storage or handle.</summary>
    public void NdisTimer(object systemSpecific1, object? functionContext, nuint systemSpecific2, nuint systemSpecific3) =>
        Void4(MiniportTimers.Native.Ndis.NativeNdisObjects.NativeTimer(systemSpecific1), Pointer(functionContext), (nint)systemSpecific2, (nint)systemSpecific3);

    /// <summary>KDEFERRED_ROUTINE: (DPC storage, context, argument 1, argument 2).</summary>
    public void DeferredRoutine(MiniportTimers.Kernel.Timers.KDPC dpc, object? deferredContext, object? systemArgument1, object? systemArgument2) =>
        Void4(MiniportTimers.Native.Kernel.NativeKernelObjects.Storage(dpc), Pointer(deferredContext), Pointer(systemArgument1), Pointer(systemArgument2));

    /// <summary>EXT_CALLBACK: (timer handle, context).</summary>
    public void ExTimerCallback(MiniportTimers.Kernel.Timers.EX_TIMER timer, object? context) =>
        DdiGuard.Call(Driver, CallbackName, (Routine, MiniportTimers.Native.Kernel.NativeKernelObjects.Storage(timer), Pointer(context)), static (d, s, f) =>
        {
            d.Shim.CallTimerEx(s.Routine, s.Item2, s.Item3, f);
            return 0;
        });

    /// <summary>EXT_DELETE_CALLBACK: (context).</summary>
    public void ExDeleteCallback(object? context) =>
        DdiGuard.Call(Driver, CallbackName, (Routine, Pointer(context)), static (d, s, f) =>
        {
            d.Shim.CallTimer(s.Routine, s.Item2, f);
            return 0;
        });

    /// <summary>MiniportInterrupt: (context, out queue the DPC, out target processors).</summary>
    public bool Isr(object interruptContext, out bool queueDefaultInterruptDpc, out uint targetProcessors)
    {
        var (claimed, queue, targets) = DdiGuard.Call(Driver, CallbackName, (Routine, Pointer(interruptContext)), static (d, s, f) =>
        {
            byte queueDpc = 0;
            uint processors = 0;
            var result = d.Shim.CallIsr(s.Routine, s.Item2, &queueDpc, &processors, f);
            return (result != 0, queueDpc != 0, processors);
        });
        (queueDefaultInterruptDpc, targetProcessors) = (queue, targets);
        return claimed;
    }

    /// <summary>MiniportInterruptDPC: (context, DPC context, reserved, reserved).</summary>
    public void InterruptDpc(object interruptContext, object? dpcContext) => Void4(Pointer(interruptContext), Pointer(dpcContext), 0, 0);

    /// <summary>A routine run with the interrupt synchronized: BOOLEAN (context).</summary>
    public bool Synchronize(object? context) =>
        DdiGuard.Call(Driver, CallbackName, (Routine, Pointer(context)), static (d, s, f) => d.Shim.CallBoolean(s.Routine, s.Item2, f)) != 0;

    /// <summary>NDIS_IO_WORKITEM_FUNCTION: (context, the work item's handle as C saw it).</summary>
    public void IoWorkItem(object? workItemContext, MiniportTimers.Ndis.NDIS_IO_WORKITEM workItem) =>
        DdiGuard.Call(Driver, CallbackName, (Routine, Pointer(workItemContext), MiniportTimers.Native.Ndis.NativeNdisObjects.IoWorkItemHandle(workItem)), static (d, s, f) =>
        {
            d.Shim.CallVoid2(s.Routine, s.Item2, s.Item3, f);
            return 0;
        });

    /// <summary>A routine of four pointers returning nothing.</summary>
    private void Void4(nint a, nint b, nint c, nint e) =>
        DdiGuard.Call(Driver, CallbackName, (Routine, a, b, c, e), static (d, s, f) =>
        {
            d.Shim.CallVoid4(s.Routine, s.a, s.b, s.c, s.e, f);
            return 0;
        });

    /// <summary>A PVOID as the host's DDIs take it: null for NULL, otherwise the boxed value (the inverse of <see cref="Pointer"/>).</summary>
#pragma warning disable CA1859 // the host's DDIs take a PVOID as object?: object is the point
    internal static object? Boxed(nint value) => value == 0 ? null : value;
#pragma warning restore CA1859

    /// <summary>A PVOID the host carried as an object: a native value (nint), a system-time part (uint), or nothing.</summary>
    internal static nint Pointer(object? value) => value switch
    {
        nint n => n,
        uint u => (nint)u,
        _ => 0,
    };

    internal static nint Address(object deviceExtension) => ((NativeDeviceExtension)deviceExtension).Address;
}
