using System.Buffers.Text;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// The stolen-time source of a real process: <see cref="GC.GetTotalPauseDuration"/> for garbage-collection pauses and,
/// on Linux, the second field of <c>/proc/thread-self/schedstat</c> (time spent waiting on a run queue, ns) for
/// preemption. Elsewhere, or where the kernel does not publish schedstat, run delay reads as 0 and only GC pauses are
/// taken off (documented on <see cref="KernelHostOptions.DpcWatchdogMicroseconds"/>).
/// </summary>
/// <remarks>
/// Cost: a schedstat read is a system call (about 1 µs on a VM), so a callback's start reuses the calling thread's last
/// reading while it is younger than the caller allows (the DPC watchdog allows 1 ms): at most one read per millisecond
/// per dispatch thread. The baseline may thus be up to that old, which can only excuse up to that much run delay from
/// just before the callback began, never charge extra. Thread safety: per-thread state is thread-static.
/// </remarks>
internal sealed partial class SystemStolenTime : IStolenTimeSource
{
    /// <summary>The one instance.</summary>
    public static readonly SystemStolenTime Instance = new();

    [ThreadStatic]
    private static SafeFileHandle? t_ownSchedstat;

    [ThreadStatic]
    private static bool t_ownSchedstatTried;

    [ThreadStatic]
    private static int t_threadId;

    [ThreadStatic]
    private static long t_lastRunDelay;

    [ThreadStatic]
    private static long t_lastReadTimestamp;

    private SystemStolenTime()
    {
    }

    /// <inheritdoc />
    public long GcPauseNanoseconds() => GC.GetTotalPauseDuration().Ticks * 100;

    /// <inheritdoc />
    public int CurrentThreadId()
    {
        if (t_threadId == 0 && OperatingSystem.IsLinux())
        {
            try
            {
                t_threadId = GetTid();
            }
            catch (EntryPointNotFoundException)
            {
                t_threadId = -1;
            }
            catch (DllNotFoundException)
            {
                t_threadId = -1;
            }
        }

        return Math.Max(0, t_threadId);
    }

    /// <inheritdoc />
    public long RunDelayNanoseconds(int threadId, bool ownThread)
    {
        if (threadId <= 0)
        {
            return 0;
        }

        if (ownThread)
        {
            if (!t_ownSchedstatTried)
            {
                t_ownSchedstatTried = true;
                t_ownSchedstat = TryOpen("/proc/thread-self/schedstat");
            }

            return t_ownSchedstat is { } own ? Read(own) : 0;
        }

        using var other = TryOpen($"/proc/self/task/{threadId}/schedstat");
        return other is null ? 0 : Read(other);
    }

    /// <inheritdoc />
    public long RecentRunDelayNanoseconds(long maxAgeNanoseconds)
    {
        var now = Stopwatch.GetTimestamp();
        if (t_lastReadTimestamp == 0 || Stopwatch.GetElapsedTime(t_lastReadTimestamp, now).Ticks * 100 > maxAgeNanoseconds)
        {
            t_lastRunDelay = RunDelayNanoseconds(CurrentThreadId(), ownThread: true);
            t_lastReadTimestamp = now;
        }

        return t_lastRunDelay;
    }

    private static SafeFileHandle? TryOpen(string path)
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

    /// <summary>"run-ns wait-ns timeslices\n": the second number.</summary>
    private static long Read(SafeFileHandle handle)
    {
        Span<byte> buffer = stackalloc byte[96];
        int length;
        try
        {
            length = RandomAccess.Read(handle, buffer, 0);
        }
        catch (IOException)
        {
            return 0; // the thread has ended
        }

        var text = buffer[..length];
        var space = text.IndexOf((byte)' ');
        if (space < 0)
        {
            return 0;
        }

        text = text[(space + 1)..];
        return Utf8Parser.TryParse(text, out long waitNanoseconds, out _) ? waitNanoseconds : 0;
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
