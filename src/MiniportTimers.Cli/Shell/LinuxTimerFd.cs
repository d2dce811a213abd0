using System.Runtime.InteropServices;

namespace MiniportTimers.Cli.Shell;

/// <summary>
/// The timerfd calls the CLI's floor measurements make (the run's OS-floor probe, bench's floor at every interval): the
/// primitive the engine's dispatcher sleeps on, used bare, so the engine's lateness can be read against it. Linux only.
/// </summary>
internal static partial class LinuxTimerFd
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1; // TFD_TIMER_ABSTIME
    private const int SchedFifo = 1;

    /// <summary>A CLOCK_MONOTONIC timerfd; negative on failure.</summary>
    public static int Create() => TimerfdCreate(ClockMonotonic, 0);

    /// <summary>Arms <paramref name="fd"/> at absolute CLOCK_MONOTONIC <paramref name="atNanoseconds"/>, then every <paramref name="periodNanoseconds"/> (0: once).</summary>
    public static bool SetAbsolute(int fd, long atNanoseconds, long periodNanoseconds) =>
        TimerfdSettime(fd, TimerAbsoluteTime, new ItimerSpec(new Timespec(periodNanoseconds / 1_000_000_000, periodNanoseconds % 1_000_000_000), new Timespec(atNanoseconds / 1_000_000_000, atNanoseconds % 1_000_000_000)), IntPtr.Zero) == 0;

    /// <summary>Puts the calling thread in SCHED_FIFO at <paramref name="priority"/>; false when the OS refuses.</summary>
    public static bool TrySetFifo(int priority) => SchedSetScheduler(0, SchedFifo, priority) == 0;

    [LibraryImport("libc", EntryPoint = "read")]
    public static unsafe partial nint Read(int fd, void* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    public static partial int Close(int fd);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Timespec(long Seconds, long Nanoseconds);

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct ItimerSpec(Timespec Interval, Timespec Value);

    [LibraryImport("libc", EntryPoint = "timerfd_create")]
    private static partial int TimerfdCreate(int clockId, int flags);

    [LibraryImport("libc", EntryPoint = "timerfd_settime")]
    private static partial int TimerfdSettime(int fd, int flags, in ItimerSpec newValue, IntPtr oldValue);

    [LibraryImport("libc", EntryPoint = "sched_setscheduler")]
    private static partial int SchedSetScheduler(int pid, int policy, in int priority);
}
