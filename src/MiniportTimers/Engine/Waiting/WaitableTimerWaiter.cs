using System.Runtime.InteropServices;

namespace MiniportTimers.Engine.Waiting;

/// <summary>
/// The precise waiter on Windows: a high-resolution waitable timer (CreateWaitableTimerExW with
/// CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, Windows 10 1803 and later), which is not bound to the 15.6 ms clock tick.
/// Due times are handed to it relative to now, in 100 ns units rounded up, so an OS wake-up is never early by more than
/// the two clocks' disagreement; the dispatcher re-checks every due time against its own clock anyway, so nothing
/// fires early. No deadline cancels the timer: no idle wake-ups.
/// </summary>
/// <remarks>Thread safety: <see cref="SetDeadline"/> from any thread (the last call wins, as with timerfd); <see cref="Wait"/> on the dispatch thread only.</remarks>
internal sealed class WaitableTimerWaiter : IDeadlineWaiter
{
    private readonly IntPtr _timer;
    private readonly Func<long> _engineNow;

    private WaitableTimerWaiter(IntPtr timer, Func<long> engineNow)
    {
        _timer = timer;
        _engineNow = engineNow;
    }

    /// <inheritdoc />
    public string Name => "waitable-timer";

    /// <summary>The high-resolution timer, or null off Windows or where the flag is not supported (before 1803).</summary>
    /// <param name="engineNow">The engine clock, ns.</param>
    public static WaitableTimerWaiter? TryCreate(Func<long> engineNow)
    {
        if (!OperatingSystem.IsWindows())
        {
            return null;
        }

        var timer = WindowsNative.CreateWaitableTimerEx(IntPtr.Zero, null, WindowsNative.CREATE_WAITABLE_TIMER_HIGH_RESOLUTION, WindowsNative.TIMER_ALL_ACCESS);
        return timer == IntPtr.Zero ? null : new WaitableTimerWaiter(timer, engineNow);
    }

    /// <inheritdoc />
    public void SetDeadline(long deadlineNanoseconds)
    {
        bool ok;
        if (deadlineNanoseconds == long.MaxValue)
        {
            ok = WindowsNative.CancelWaitableTimer(_timer);
        }
        else
        {
            var remaining = deadlineNanoseconds - _engineNow();
            var relative100ns = remaining <= 0 ? 1 : (remaining + TimeUnits.NanosecondsPer100ns - 1) / TimeUnits.NanosecondsPer100ns;
            ok = WindowsNative.SetWaitableTimerEx(_timer, -relative100ns, 0, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, 0);
        }

        if (!ok)
        {
            throw new InvalidOperationException($"Setting the waitable timer failed: error {Marshal.GetLastPInvokeError()}");
        }
    }

    /// <inheritdoc />
    public void Wait() => WindowsNative.WaitForSingleObject(_timer, WindowsNative.INFINITE);

    /// <inheritdoc />
    public void Dispose() => WindowsNative.CloseHandle(_timer);
}
