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
    public void TimerEx(object deviceExtension, object? context)
    {
        int faulted;
        var outer = DdiGuard.Enter(Driver);
        try
        {
            Driver.Shim.CallTimerEx(Routine, Address(deviceExtension), context is nint c ? c : 0, &faulted);
        }
        finally
        {
            DdiGuard.Exit(outer);
        }

        DdiGuard.ThrowIfFaulted(faulted, CallbackName);
    }

    /// <summary>PHW_TIMER: (extension).</summary>
    public void Timer(object deviceExtension)
    {
        int faulted;
        var outer = DdiGuard.Enter(Driver);
        try
        {
            Driver.Shim.CallTimer(Routine, Address(deviceExtension), &faulted);
        }
        finally
        {
            DdiGuard.Exit(outer);
        }

        DdiGuard.ThrowIfFaulted(faulted, CallbackName);
    }

    /// <summary>A routine taking the extension and returning BOOLEAN (HwStorInitialize, HwStorInterrupt, HwStorPassiveInitializeRoutine).</summary>
    public bool Boolean(object deviceExtension)
    {
        int faulted;
        byte result;
        var outer = DdiGuard.Enter(Driver);
        try
        {
            result = Driver.Shim.CallBoolean(Routine, Address(deviceExtension), &faulted);
        }
        finally
        {
            DdiGuard.Exit(outer);
        }

        DdiGuard.ThrowIfFaulted(faulted, CallbackName);
        return result != 0;
    }

    /// <summary>NDIS_TIMER_FUNCTION: (timer, context, system time low, high); the timer is the native storage or handle.</summary>
    public void NdisTimer(object systemSpecific1, object? functionContext, nuint systemSpecific2, nuint systemSpecific3)
    {
        int faulted;
        var outer = DdiGuard.Enter(Driver);
        try
        {
            Driver.Shim.CallVoid4(Routine, MiniportTimers.Native.Ndis.NativeNdisObjects.NativeTimer(systemSpecific1), functionContext is nint c ? c : 0, (nint)systemSpecific2, (nint)systemSpecific3, &faulted);
        }
        finally
        {
            DdiGuard.Exit(outer);
        }

        DdiGuard.ThrowIfFaulted(faulted, CallbackName);
    }

    /// <summary>KDEFERRED_ROUTINE: (DPC storage, context, argument 1, argument 2).</summary>
    public void DeferredRoutine(MiniportTimers.Kernel.Timers.KDPC dpc, object? deferredContext, object? systemArgument1, object? systemArgument2)
    {
        int faulted;
        var outer = DdiGuard.Enter(Driver);
        try
        {
            Driver.Shim.CallVoid4(Routine, MiniportTimers.Native.Kernel.NativeKernelObjects.Storage(dpc), Pointer(deferredContext), Pointer(systemArgument1), Pointer(systemArgument2), &faulted);
        }
        finally
        {
            DdiGuard.Exit(outer);
        }

        DdiGuard.ThrowIfFaulted(faulted, CallbackName);
    }

    /// <summary>EXT_CALLBACK: (timer handle, context).</summary>
    public void ExTimerCallback(MiniportTimers.Kernel.Timers.EX_TIMER timer, object? context)
    {
        int faulted;
        var outer = DdiGuard.Enter(Driver);
        try
        {
            Driver.Shim.CallTimerEx(Routine, MiniportTimers.Native.Kernel.NativeKernelObjects.Storage(timer), Pointer(context), &faulted);
        }
        finally
        {
            DdiGuard.Exit(outer);
        }

        DdiGuard.ThrowIfFaulted(faulted, CallbackName);
    }

    /// <summary>EXT_DELETE_CALLBACK: (context).</summary>
    public void ExDeleteCallback(object? context)
    {
        int faulted;
        var outer = DdiGuard.Enter(Driver);
        try
        {
            Driver.Shim.CallTimer(Routine, Pointer(context), &faulted);
        }
        finally
        {
            DdiGuard.Exit(outer);
        }

        DdiGuard.ThrowIfFaulted(faulted, CallbackName);
    }

    /// <summary>A PVOID the host carried as an object: a native value (nint), a system-time part (uint), or nothing.</summary>
    internal static nint Pointer(object? value) => value switch
    {
        nint n => n,
        uint u => (nint)u,
        _ => 0,
    };

    internal static nint Address(object deviceExtension) => ((NativeDeviceExtension)deviceExtension).Address;
}
