using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// One thread's view of its own scheduler statistics (a slot of its <see cref="ThreadFrame"/>): its OS thread id, its
/// open <c>/proc/thread-self/schedstat</c> handle, and its last reading for <see cref="SystemStolenTime.RecentSchedulerStats(long)"/>.
/// </summary>
/// <remarks>
/// <para>
/// Descriptors: a handle is closed once its thread has ended, not when a collection finalizes it. .NET has no
/// thread-exit callback, so every reader that opens a handle joins a process-wide list, and each open first closes the
/// handles of the readers whose thread is no longer alive. The process therefore holds one descriptor per live thread
/// that ran a watched callback on a real clock, plus at most those of the threads that ended since the last open
/// (an engine's dispatch threads end when it is disposed; the next engine's first watched callbacks close theirs).
/// Before this, every ended dispatch thread kept its descriptor until a GC ran its finalizer: +40 over 20 engines.
/// </para>
/// <para>Thread safety: the reading and the handle are used by their own thread only; the list is guarded by its lock,
/// and a handle is disposed by another thread only after its own thread has ended.</para>
/// </remarks>
internal sealed class OwnSchedulerStats
{
    /// <summary>Readers holding an open handle (guarded by itself).</summary>
    private static readonly List<OwnSchedulerStats> s_open = [];

    private readonly Thread _thread = Thread.CurrentThread;
    private SafeFileHandle? _schedstat;
    private bool _opened;

    /// <summary>The thread's OS id (0: not yet read; -1: the platform does not say).</summary>
    public int ThreadId;

    /// <summary>The last reading <see cref="SystemStolenTime.RecentSchedulerStats(long)"/> took.</summary>
    public SchedulerStats LastStats;

    /// <summary>When it was taken (Stopwatch timestamp; 0: never).</summary>
    public long LastReadTimestamp;

    /// <summary>The reading before <see cref="LastStats"/> (kept at each refresh: a late fire's CPU wait since before its due time, issue 27).</summary>
    public SchedulerStats PreviousStats;

    /// <summary>When it was taken (Stopwatch timestamp; 0: never).</summary>
    public long PreviousReadTimestamp;

    /// <summary>
    /// The thread's time asleep so far, ns, as its dispatcher last reported it (<see cref="Engine.TimerFiring.DispatcherSleptNanoseconds"/>;
    /// 0 on a thread that is not a dispatcher). A sleeping thread accrues no run-queue wait: the sleep since
    /// <see cref="LastStats"/> does not count in that reading's age (<see cref="SystemStolenTime.RecentSchedulerStats(long, long)"/>).
    /// </summary>
    public long SleptNanoseconds;

    /// <summary><see cref="SleptNanoseconds"/> when <see cref="LastStats"/> was taken.</summary>
    public long SleptAtLastReadNanoseconds;

    /// <summary>Readings of the thread's own schedstat so far (each a system call: for tests and the cost notes of issue 27).</summary>
    public long Reads;

    /// <summary>The thread's own schedstat handle, opened on first use (null where it cannot be opened).</summary>
    public SafeFileHandle? Schedstat()
    {
        Debug.Assert(ReferenceEquals(Thread.CurrentThread, _thread), "only its own thread reads through it");
        if (!_opened)
        {
            _opened = true;
            Open();
        }

        return _schedstat;
    }

    /// <summary>Readers of ended threads whose handle is still open (for tests): 0 right after any open.</summary>
    internal static int OpenOfEndedThreads()
    {
        lock (s_open)
        {
            return s_open.Count(r => !r._thread.IsAlive);
        }
    }

    private void Open()
    {
        lock (s_open)
        {
            // Close the handles of the threads that have ended since the last open (the list is short: one per live reader).
            for (var i = s_open.Count - 1; i >= 0; i--)
            {
                var reader = s_open[i];
                if (!reader._thread.IsAlive)
                {
                    reader._schedstat?.Dispose();
                    s_open.RemoveAt(i);
                }
            }

            _schedstat = SystemStolenTime.TryOpen("/proc/thread-self/schedstat");
            if (_schedstat is not null)
            {
                s_open.Add(this);
            }
        }
    }
}
