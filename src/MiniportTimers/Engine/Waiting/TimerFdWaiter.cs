using System.Runtime.InteropServices;

namespace MiniportTimers.Engine.Waiting;

/// <summary>
/// Linux: sleeps in read(2) on a timerfd armed with an absolute CLOCK_MONOTONIC deadline (TFD_TIMER_ABSTIME), the
/// kernel's hrtimer path, with the dispatch thread's timer slack set to 1 ns (the default 50 µs slack would otherwise
/// set the floor). Moving the deadline from another thread is one timerfd_settime call; a deadline in the past wakes the
/// reader at once. No deadline = the timerfd is disarmed and the thread sleeps without wake-ups.
/// </summary>
internal sealed class TimerFdWaiter : IDeadlineWaiter
{
    private readonly int _fd;

    /// <summary>CLOCK_MONOTONIC minus the engine clock, ns, measured once (0 when the engine reads CLOCK_MONOTONIC itself).</summary>
    private readonly long _monotonicOffsetNanoseconds;

    private TimerFdWaiter(int fd, Func<long> engineNow)
    {
        _fd = fd;
        _monotonicOffsetNanoseconds = MeasureOffset(engineNow);
    }

    public string Name => "timerfd";

    /// <summary>
    /// CLOCK_MONOTONIC minus the engine clock. Each sample reads the engine clock first, so it errs towards later
    /// deadlines (by the gap between the two reads), never earlier ones: an early mapping would wake the dispatcher
    /// before anything is due and make it spin. Both calls are warmed up first (the first P/Invoke resolves libc, which
    /// takes hundreds of µs), and the smallest of several samples is the tightest bound.
    /// </summary>
    private static long MeasureOffset(Func<long> engineNow)
    {
        _ = engineNow();
        _ = LinuxNative.MonotonicNowNanoseconds();
        var best = long.MaxValue;
        for (var i = 0; i < 16; i++)
        {
            var engineBefore = engineNow();
            best = Math.Min(best, LinuxNative.MonotonicNowNanoseconds() - engineBefore);
        }

        return best;
    }

    /// <summary>Creates the waiter, or returns null where timerfd is not available.</summary>
    public static TimerFdWaiter? TryCreate(Func<long> engineNow)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            var fd = LinuxNative.TimerFdCreate(LinuxNative.CLOCK_MONOTONIC, LinuxNative.TFD_CLOEXEC);
            return fd < 0 ? null : new TimerFdWaiter(fd, engineNow);
        }
        catch (DllNotFoundException)
        {
            return null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Sets the calling thread's timer slack to 1 ns. Call from the dispatch thread.</summary>
    public static void SetCurrentThreadTimerSlackToMinimum()
    {
        if (OperatingSystem.IsLinux())
        {
            _ = LinuxNative.Prctl(LinuxNative.PR_SET_TIMERSLACK, 1, 0, 0, 0);
        }
    }

    public void SetDeadline(long deadlineNanoseconds)
    {
        var spec = default(LinuxNative.Itimerspec);
        if (deadlineNanoseconds != long.MaxValue)
        {
            // Engine ns → absolute CLOCK_MONOTONIC ns. An all-zero it_value would disarm the timer, so a deadline at or
            // before the origin becomes 1 ns: long past, it fires at once.
            var monotonic = Math.Max(1, deadlineNanoseconds + _monotonicOffsetNanoseconds);
            spec.Value.TvSec = monotonic / TimeUnits.NanosecondsPerSecond;
            spec.Value.TvNsec = monotonic % TimeUnits.NanosecondsPerSecond;
        }

        if (LinuxNative.TimerFdSetTime(_fd, LinuxNative.TFD_TIMER_ABSTIME, spec, IntPtr.Zero) != 0)
        {
            throw new InvalidOperationException($"timerfd_settime failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public void Wait()
    {
        while (true)
        {
            var n = LinuxNative.Read(_fd, out _, sizeof(ulong));
            if (n == sizeof(ulong) || Marshal.GetLastPInvokeError() != LinuxNative.EINTR)
            {
                return;
            }
        }
    }

    /// <summary>True once the descriptor has been closed (by the dispatch thread as it ends).</summary>
    internal bool IsClosed => Volatile.Read(ref _closed) != 0;

    private int _closed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            _ = LinuxNative.Close(_fd);
        }
    }
}
