using System.Runtime.InteropServices;

namespace MiniportTimers.Engine.Waiting;

/// <summary>
/// The opt-in real-time dispatcher: the dispatch thread asks the OS for SCHED_FIFO at a given priority, so that its
/// wake-ups preempt every ordinary thread (the kernel's real-time floor, not the fair scheduler's). Linux only, and only
/// where the process may (root, CAP_SYS_NICE, or an RLIMIT_RTPRIO at least the priority); otherwise the thread stays
/// ordinary and the reason is reported. Never a spin: the thread still sleeps on its timerfd.
/// </summary>
internal static class RealTimeScheduling
{
    /// <summary>
    /// Puts the calling thread in SCHED_FIFO at <paramref name="priority"/> (1-99). Returns what the thread runs under:
    /// "SCHED_FIFO 80", or "ordinary (SCHED_FIFO 80 refused: errno 1, EPERM: ...)" / "ordinary (not Linux)".
    /// </summary>
    public static string TryApplyToCurrentThread(int priority)
    {
        if (!OperatingSystem.IsLinux())
        {
            return $"ordinary (SCHED_FIFO {priority} asked for: only on Linux)";
        }

        if (LinuxNative.SchedSetScheduler(0, LinuxNative.SCHED_FIFO, priority) == 0)
        {
            return $"SCHED_FIFO {priority}";
        }

        var errno = Marshal.GetLastPInvokeError();
        var why = errno == 1
            ? "EPERM: the process may not use real-time scheduling; run as root, grant CAP_SYS_NICE, or raise RLIMIT_RTPRIO (ulimit -r)"
            : Marshal.GetPInvokeErrorMessage(errno);
        return $"ordinary (SCHED_FIFO {priority} refused: errno {errno}, {why})";
    }
}
