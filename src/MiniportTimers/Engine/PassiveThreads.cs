using System.Runtime.InteropServices;
using MiniportTimers.Engine.Waiting;

namespace MiniportTimers.Engine;

/// <summary>
/// Threads that do, beside a real-clock engine, what Windows does at PASSIVE_LEVEL on a system worker thread: a PnP
/// start (HwFindAdapter and HwInitialize, MiniportInitializeEx), NDIS's MiniportPause and MiniportRestart. On Windows
/// a DPC preempts such a thread on its CPU (DISPATCH_LEVEL is above PASSIVE_LEVEL); here the dispatch threads are
/// ordinary threads, and a busy passive thread shared the cores with them as an equal: on a 2-core machine the device
/// starts at the beginning of a run (1-7 ms of CPU each, one thread per sample) delayed the timers due meanwhile
/// (issue 27, session ten). <see cref="LowerCurrentThread"/> puts the calling thread below the dispatch threads in the
/// OS scheduler, so that a dispatcher that wakes preempts it.
/// </summary>
/// <remarks>
/// What it does, by OS: Linux, nice <see cref="LinuxNiceValue"/> (or the thread's own, when that is lower already) for the calling thread only (setpriority(2) with
/// PRIO_PROCESS and the thread's kernel id: the fair scheduler then gives a waking nice-0 dispatcher the CPU ahead of
/// it, and about three quarters of a contended core); Windows, <see cref="ThreadPriority.BelowNormal"/>; elsewhere
/// nothing. It never needs a privilege (a thread may always lower its own priority) and never stops the thread from
/// running: on an idle core it runs at full speed. Not undone: call it on a thread that does passive work only.
/// Thread safety: affects the calling thread only. Any IRQL-free thread; never on a dispatch thread (its timers would
/// then wait behind ordinary threads).
/// </remarks>
public static class PassiveThreads
{
    /// <summary>The nice value a passive thread gets on Linux (0 is an ordinary thread's, 19 the lowest).</summary>
    public const int LinuxNiceValue = 5;

    /// <summary>
    /// Lowers the calling thread's scheduling priority below the dispatch threads' (see the type's remarks).
    /// </summary>
    /// <returns>True when the OS took the new priority; false where there is none to set (not Linux or Windows) or the
    /// OS refused it (the thread then runs on as it was).</returns>
    public static bool LowerCurrentThread()
    {
        if (OperatingSystem.IsLinux())
        {
            var tid = LinuxNative.GetTid();
            var nice = LinuxNative.GetPriority(LinuxNative.PRIO_PROCESS, tid);
            if (Marshal.GetLastPInvokeError() != 0)
            {
                return false;
            }

            return nice >= LinuxNiceValue || LinuxNative.SetPriority(LinuxNative.PRIO_PROCESS, tid, LinuxNiceValue) == 0; // never raises a thread already lower
        }

        if (OperatingSystem.IsWindows())
        {
            Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
            return true;
        }

        return false;
    }
}
