using System.Runtime.InteropServices;

namespace MiniportTimers.Engine.Waiting;

/// <summary>The few Win32 calls the high-resolution waiter needs (kernel32).</summary>
internal static partial class WindowsNative
{
    /// <summary>CreateWaitableTimerExW flag: a high-resolution timer (Windows 10 1803 and later).</summary>
    public const uint CREATE_WAITABLE_TIMER_HIGH_RESOLUTION = 0x2;

    /// <summary>The access right to set, cancel and wait on a timer.</summary>
    public const uint TIMER_ALL_ACCESS = 0x1F0003;

    public const uint INFINITE = 0xFFFFFFFF;

    [LibraryImport("kernel32.dll", EntryPoint = "CreateWaitableTimerExW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    public static partial IntPtr CreateWaitableTimerEx(IntPtr timerAttributes, string? timerName, uint flags, uint desiredAccess);

    /// <summary>Due time in 100 ns units: negative = relative to now, positive = absolute.</summary>
    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool SetWaitableTimerEx(IntPtr timer, in long dueTime100ns, int periodMilliseconds, IntPtr completionRoutine, IntPtr completionArgument, IntPtr wakeContext, uint tolerableDelayMilliseconds);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CancelWaitableTimer(IntPtr timer);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    public static partial uint WaitForSingleObject(IntPtr handle, uint milliseconds);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    public static partial bool CloseHandle(IntPtr handle);
}
