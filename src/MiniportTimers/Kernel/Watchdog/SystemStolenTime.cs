using System.Buffers.Text;
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;

namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// The stolen-time source of a real process: <see cref="GC.GetTotalPauseDuration"/> for garbage-collection pauses and,
/// on Linux, <c>/proc/thread-self/schedstat</c> (time on a CPU and time waiting on a run queue, ns) and the state
/// letter of <c>/proc/self/task/TID/stat</c> for preemption. Elsewhere, or where the kernel does not publish them, the
/// scheduler's figures read as 0 and only GC pauses are taken off (documented on
/// <see cref="KernelHostOptions.DpcWatchdogMicroseconds"/>).
/// </summary>
/// <remarks>
/// Cost: a schedstat read is a system call (about 1 µs on a VM), so a callback's start reuses the calling thread's last
/// reading while it is younger than the caller allows (the DPC watchdog allows 1 ms): at most one read per millisecond
/// per dispatch thread. The baseline may thus be up to that old, which can only excuse up to that much run delay from
/// just before the callback began, never charge extra. Thread safety: the per-thread state is the calling thread's
/// <see cref="OwnSchedulerStats"/>, a slot of its <see cref="ThreadFrame"/>, which also closes the handle once the thread ends.
/// </remarks>
internal sealed class SystemStolenTime : IStolenTimeSource
{
    /// <summary>The one instance.</summary>
    public static readonly SystemStolenTime Instance = new();

    private SystemStolenTime()
    {
    }

    /// <summary>The calling thread's own reader: its frame's slot.</summary>
    private static OwnSchedulerStats Own()
    {
        var frame = ThreadFrame.Current;
        return frame.Scheduler ??= new OwnSchedulerStats();
    }

    /// <inheritdoc />
    public long GcPauseNanoseconds() => GC.GetTotalPauseDuration().Ticks * 100;

    /// <inheritdoc />
    public int CurrentThreadId()
    {
        var own = Own();
        if (own.ThreadId == 0 && OperatingSystem.IsLinux())
        {
            try
            {
                own.ThreadId = Engine.Waiting.LinuxNative.GetTid();
            }
            catch (EntryPointNotFoundException)
            {
                own.ThreadId = -1;
            }
            catch (DllNotFoundException)
            {
                own.ThreadId = -1;
            }
        }

        return Math.Max(0, own.ThreadId);
    }

    /// <inheritdoc />
    public SchedulerStats SchedulerStats(int threadId, bool ownThread)
    {
        if (threadId <= 0)
        {
            return default;
        }

        if (ownThread)
        {
            var reader = Own();
            if (reader.Schedstat() is not { } own)
            {
                return default;
            }

            reader.Reads++;
            return ReadSchedstat(own);
        }

        using var other = TryOpen($"/proc/self/task/{threadId}/schedstat");
        return other is null ? default : ReadSchedstat(other);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The age counts the time the thread could have waited on a run queue: its sleep since the reading, as its
    /// dispatcher reported it (<see cref="RecentSchedulerStats(long, long)"/>), is taken off (issue 27: after a
    /// dispatcher's long sleep the reading is seconds old by the wall clock but still a valid baseline, and a fresh one
    /// cost its first callback 20-50 µs of cold system call).
    /// </remarks>
    public SchedulerStats RecentSchedulerStats(long maxAgeNanoseconds) => Recent(Own(), maxAgeNanoseconds);

    /// <summary>
    /// <see cref="RecentSchedulerStats(long)"/> on a dispatcher thread about to run an expiry, which first records the
    /// dispatcher's time asleep so far (<see cref="Engine.TimerFiring.DispatcherSleptNanoseconds"/>): the sleep since the
    /// last reading does not count in its age, for this call and for the later ones of the same expiry (the DPC
    /// watchdog's stamp). The baseline's error bound is unchanged: at most <paramref name="maxAgeNanoseconds"/> of time in
    /// which the thread could wait (awake, or runnable after a wake-up) lies between the reading and now.
    /// </summary>
    public SchedulerStats RecentSchedulerStats(long maxAgeNanoseconds, long dispatcherSleptNanoseconds)
    {
        var own = Own();
        own.SleptNanoseconds = dispatcherSleptNanoseconds;
        return Recent(own, maxAgeNanoseconds);
    }

    private SchedulerStats Recent(OwnSchedulerStats own, long maxAgeNanoseconds)
    {
        var now = Stopwatch.GetTimestamp();
        var ageNanoseconds = Stopwatch.GetElapsedTime(own.LastReadTimestamp, now).Ticks * 100 - Math.Max(0, own.SleptNanoseconds - own.SleptAtLastReadNanoseconds);
        if (own.LastReadTimestamp == 0 || ageNanoseconds > maxAgeNanoseconds)
        {
            (own.PreviousStats, own.PreviousReadTimestamp) = (own.LastStats, own.LastReadTimestamp);
            own.LastStats = SchedulerStats(CurrentThreadId(), ownThread: true);
            own.LastReadTimestamp = now;
            own.SleptAtLastReadNanoseconds = own.SleptNanoseconds;
        }

        return own.LastStats;
    }

    /// <summary>
    /// The calling thread's run-queue wait, ns, from the latest of its recent readings (<see cref="RecentSchedulerStats(long)"/>:
    /// the last one and the one before it) taken at least <paramref name="sinceNanosecondsAgo"/> ago, to now; -1 when
    /// neither is that old (or schedstat is not published). A sleeping thread accrues no run-queue wait, so an older
    /// reading bounds the wait of the stretch as well, from above. The fresh reading it takes is given back in
    /// <paramref name="now"/> (default where schedstat is not published): one system call serves a caller that needs both
    /// (a row's new worst fire: its CPU wait since the due time and its dispatch path's baseline; issue 27: two cold
    /// reads there were 5-10 µs on the fire path).
    /// </summary>
    public long RunDelaySince(long sinceNanosecondsAgo, out SchedulerStats now)
    {
        var timestamp = Stopwatch.GetTimestamp();
        var own = Own();
        var baseline = own.LastReadTimestamp != 0 && Stopwatch.GetElapsedTime(own.LastReadTimestamp, timestamp).Ticks * 100 >= sinceNanosecondsAgo ? own.LastStats
            : own.PreviousReadTimestamp != 0 && Stopwatch.GetElapsedTime(own.PreviousReadTimestamp, timestamp).Ticks * 100 >= sinceNanosecondsAgo ? own.PreviousStats
            : (SchedulerStats?)null;
        now = SchedulerStats(CurrentThreadId(), ownThread: true);
        if (baseline is not { } before || own.Schedstat() is null)
        {
            return -1;
        }

        return Math.Max(0, now.RunDelayNanoseconds - before.RunDelayNanoseconds);
    }

    /// <inheritdoc />
    public bool IsRunnable(int threadId)
    {
        if (threadId <= 0)
        {
            return false;
        }

        using var stat = TryOpen($"/proc/self/task/{threadId}/stat");
        if (stat is null)
        {
            return false;
        }

        // "tid (comm) S ...": the state follows the last ')' (a thread name may itself hold parentheses).
        Span<byte> buffer = stackalloc byte[256];
        int length;
        try
        {
            length = RandomAccess.Read(stat, buffer, 0);
        }
        catch (IOException)
        {
            return false;
        }

        var text = buffer[..length];
        var close = text.LastIndexOf((byte)')');
        return close >= 0 && close + 2 < text.Length && text[close + 2] == (byte)'R';
    }

    /// <summary>Opens <paramref name="path"/> for reading, or null where it does not exist or may not be read.</summary>
    internal static SafeFileHandle? TryOpen(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>"run-ns wait-ns timeslices\n": the first two numbers.</summary>
    private static SchedulerStats ReadSchedstat(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[96];
        int length;
        try
        {
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (IOException)
        {
            return default; // the thread has ended
        }

        var text = buffer[..length];
        if (!Utf8Parser.TryParse(text, out long onCpu, out var used) || used >= text.Length)
        {
            return default;
        }

        text = text[(used + 1)..];
        return Utf8Parser.TryParse(text, out long runDelay, out _) ? new SchedulerStats(onCpu, runDelay) : default;
    }
}
