using MiniportTimers.Hosting.Timers;
using MiniportTimers.Storport;

namespace MiniportTimers.Native.Storport;

/// <summary>
/// A C routine of a native Storport miniport, as the delegate the host calls: each call goes through the driver's shim
/// trampoline (<see cref="DdiGuard"/>), and reports name it by its C name (<see cref="ICallbackName"/>). One wrapper
/// per routine address, so the host's accounting sees one callback.
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

    internal static nint Address(object deviceExtension) => ((NativeDeviceExtension)deviceExtension).Address;
}
