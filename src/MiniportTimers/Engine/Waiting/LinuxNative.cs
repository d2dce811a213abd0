using System.Runtime.InteropServices;

namespace MiniportTimers.Engine.Waiting;

/// <summary>The few Linux system calls the library needs (glibc/musl "libc"): the precise waiter's, and the DPC watchdog's thread id.</summary>
internal static partial class LinuxNative
{
    public const int CLOCK_MONOTONIC = 1;
    public const int TFD_CLOEXEC = 0x80000;
    public const int TFD_TIMER_ABSTIME = 1;
    public const int PR_SET_TIMERSLACK = 29;
    public const int EINTR = 4;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long TvSec;
        public long TvNsec;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Itimerspec
    {
        public Timespec Interval;
        public Timespec Value;
    }

    [LibraryImport("libc", EntryPoint = "timerfd_create", SetLastError = true)]
    public static partial int TimerFdCreate(int clockId, int flags);

    [LibraryImport("libc", EntryPoint = "timerfd_settime", SetLastError = true)]
    public static partial int TimerFdSetTime(int fd, int flags, in Itimerspec newValue, IntPtr oldValue);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, out ulong value, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "clock_gettime", SetLastError = true)]
    public static partial int ClockGetTime(int clockId, out Timespec value);

    /// <summary>The calling thread's kernel id (glibc 2.30+), for its /proc/self/task entry.</summary>
    [LibraryImport("libc", EntryPoint = "gettid")]
    public static partial int GetTid();

    public const int SCHED_FIFO = 1;

    /// <summary>Sets the scheduling policy of thread <paramref name="pid"/> (0: the calling thread) and its priority.</summary>
    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    public static partial int SchedSetScheduler(int pid, int policy, in int priority);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>CLOCK_MONOTONIC now, in ns.</summary>
    public static long MonotonicNowNanoseconds()
    {
        if (ClockGetTime(CLOCK_MONOTONIC, out var ts) != 0)
        {
            throw new InvalidOperationException($"clock_gettime failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return checked((ts.TvSec * TimeUnits.NanosecondsPerSecond) + ts.TvNsec);
    }
}
