using System.Diagnostics;

namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// One thread's time spent waiting for the library's internal locks (<see cref="HostLock"/>): the total of finished
/// waits and the start of the one in progress. Written by its thread only; read by the stuck-callback watchdog's thread.
/// Each thread's is a slot of its <see cref="ThreadFrame"/>.
/// </summary>
internal sealed class LockWaitCounters
{
    private long _finishedNanoseconds;
    private long _waitingSinceTimestamp; // Stopwatch timestamp, 0 when not waiting

    /// <summary>The calling thread's counters (its frame's).</summary>
    public static LockWaitCounters Current => ThreadFrame.Current.LockWaits;

    /// <summary>Every wait so far, ns, including the one in progress. Never less than the true figure (a reader that races the
    /// end of a wait may count it twice for that instant: the watchdog then charges less, never more).</summary>
    public long WaitedNanoseconds()
    {
        var finished = Volatile.Read(ref _finishedNanoseconds);
        var since = Volatile.Read(ref _waitingSinceTimestamp);
        return since == 0 ? finished : finished + (long)Stopwatch.GetElapsedTime(since).TotalNanoseconds;
    }

    /// <summary>Marks the start of a wait (its own thread).</summary>
    public void BeginWait() => Volatile.Write(ref _waitingSinceTimestamp, Stopwatch.GetTimestamp());

    /// <summary>Ends the wait in progress: its time joins the total before the wait is cleared (its own thread).</summary>
    public void EndWait()
    {
        var since = _waitingSinceTimestamp;
        Volatile.Write(ref _finishedNanoseconds, _finishedNanoseconds + (long)Stopwatch.GetElapsedTime(since).TotalNanoseconds);
        Volatile.Write(ref _waitingSinceTimestamp, 0);
    }
}
