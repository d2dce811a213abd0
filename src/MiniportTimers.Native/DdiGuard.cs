using System.Diagnostics;
using System.Runtime.CompilerServices;
using MiniportTimers.Kernel;

namespace MiniportTimers.Native;

/// <summary>
/// How a bug check crosses the C boundary, both ways. Into C: the host calls a driver routine through a shim trampoline
/// with <see cref="Enter"/> marking whose C code the thread runs. Out of C: an export catches whatever a DDI raised
/// (<see cref="Fail"/>), records it for this thread and signals that driver's shim, which unwinds the C frames to the
/// trampoline; the host then raises the recorded bug check in managed code (<see cref="ThrowIfFaulted"/>), where the
/// hosting layer stops the adapter as for a C# miniport. An exception never escapes an [UnmanagedCallersOnly] export.
/// </summary>
/// <remarks>
/// Per-thread state: the native slots of the thread's <see cref="ThreadFrame"/> (<see cref="ThreadFrame.Driver"/>, which
/// only this class writes, always a <see cref="NativeDriver"/>; <see cref="ThreadFrame.PendingFault"/>). Calls nest (a
/// C routine calls a DDI that runs another C routine), so Enter returns the outer driver to restore.
/// </remarks>
internal static class DdiGuard
{
    /// <summary>The driver whose C code the calling thread runs, if any.</summary>
    public static NativeDriver? CurrentDriver => DriverOf(ThreadFrame.Current);

    /// <summary>The driver whose C code is calling <paramref name="routine"/>; a DDI called from C code the host did not call is refused.</summary>
    /// <exception cref="InvalidOperationException">No driver routine runs on this thread.</exception>
    public static NativeDriver RequireDriver(string routine) =>
        CurrentDriver ?? throw new InvalidOperationException($"{routine} was called from C code the host did not call.");

    private static NativeDriver? DriverOf(ThreadFrame frame)
    {
        Debug.Assert(frame.Driver is null or NativeDriver, "only DdiGuard writes the slot");
        return Unsafe.As<NativeDriver?>(frame.Driver);
    }

    /// <summary>The shape of one call through a shim trampoline: the driver, the call's arguments, and where the trampoline reports an unwind.</summary>
    public unsafe delegate TResult TrampolineCall<TState, TResult>(NativeDriver driver, TState state, int* faulted);

    /// <summary>
    /// Calls driver code through one of its shim's trampolines (<paramref name="call"/>, a static lambda): marks the driver
    /// as running on this thread for the DDIs it calls, restores the outer driver, and raises the bug check a DDI recorded
    /// if the C code was unwound. The one way the host calls into C.
    /// </summary>
    /// <exception cref="BugCheckException">The bug check a DDI called from <paramref name="routine"/> recorded.</exception>
    public static unsafe TResult Call<TState, TResult>(NativeDriver driver, string routine, TState state, TrampolineCall<TState, TResult> call)
    {
        int faulted;
        TResult result;
        var frame = ThreadFrame.Current;
        var outer = frame.Driver;
        frame.Driver = driver;
        try
        {
            result = call(driver, state, &faulted);
        }
        finally
        {
            frame.Driver = outer;
        }

        if (faulted != 0)
        {
            ThrowPending(frame, routine);
        }

        return result;
    }

    /// <summary>Marks <paramref name="driver"/> as running on this thread; returns the outer one for <see cref="Exit"/>.</summary>
    public static NativeDriver? Enter(NativeDriver driver)
    {
        var frame = ThreadFrame.Current;
        var outer = DriverOf(frame);
        frame.Driver = driver;
        return outer;
    }

    /// <summary>Restores the outer driver.</summary>
    public static void Exit(NativeDriver? outer) => ThreadFrame.Current.Driver = outer;

    /// <summary>
    /// An export caught <paramref name="exception"/> in <paramref name="routine"/>: record it as a bug check (a
    /// non-bug-check exception becomes KMODE_EXCEPTION_NOT_HANDLED, 0x1E) and tell the calling driver's shim to unwind.
    /// </summary>
    public static unsafe void Fail(Exception exception, string routine)
    {
        var frame = ThreadFrame.Current;
        frame.PendingFault = exception as BugCheckException
            ?? BugCheck.Unhandled(exception, $"{routine}: {exception.GetType().Name}: {exception.Message}");
        frame.Driver?.UnwindToTrampoline();
    }

    /// <summary>After a trampoline: raises the recorded bug check when the C code was unwound.</summary>
    /// <exception cref="BugCheckException">The bug check a DDI recorded.</exception>
    public static void ThrowIfFaulted(int faulted, string routine)
    {
        if (faulted != 0)
        {
            ThrowPending(ThreadFrame.Current, routine);
        }
    }

    private static void ThrowPending(ThreadFrame frame, string routine)
    {
        var pending = frame.PendingFault;
        frame.PendingFault = null;
        throw pending ?? BugCheck.Create(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, BugCheckCodes.ClrExceptionCode, 0, 0, 0, $"{routine} was unwound without a recorded bug check");
    }
}
