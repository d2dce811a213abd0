using MiniportTimers.Engine;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Hosting.Watchdog;

/// <summary>
/// One adapter's (or a host's driver-level code's) slot for the stuck-callback watchdog on a real clock: the DPC-level
/// callback running now and when it started. The dispatcher publishes a start (<see cref="Begin"/>) and clears it
/// (<see cref="End"/>); the host's <see cref="StuckCallbackWatchdog"/> thread reads it (<see cref="Check"/>) and, once
/// the callback has run past the allotment without returning, raises DPC_WATCHDOG_VIOLATION (0x133) for the owner.
/// </summary>
/// <remarks>
/// Synchronization rules: the start is published with a full fence after the stamp is written; the watchdog uses the
/// stamp only if the start it read is still the published one. One report per run: the trip flag (an interlocked
/// exchange) decides whether the watchdog thread or the returning callback reports it:
/// <code>
///   dispatcher                         watchdog thread
///   callback starts, since = t0
///   (blocked)                          now - t0 &gt; limit: trip 0 -&gt; 1, report 0x133, owner stopped
///   callback returns: since = none,
///   trip 1 -&gt; 0: no second report
/// </code>
/// </remarks>
internal sealed class CallbackWatch(MiniportHost host, HostedAdapter? owner) : ICallbackWatch
{
    private const long NotWatched = long.MinValue;

    private long _sinceNanoseconds = NotWatched; // written by the dispatcher, read by the watchdog thread
    private string _routine = "";
    private WatchdogStamp _stamp;                // written before _sinceNanoseconds publishes it
    private int _tripped;                        // 1 once the watchdog reported the run in progress

    /// <inheritdoc/>
    public WatchdogStamp Begin(string routine)
    {
        // The watchdog thread starts on first use, before the stamp: that work is the library's, not the callback's.
        host.EnsureStuckCallbackWatchdog();
        var stamp = DpcWatchdog.Begin(host.Engine, host.HostOptions.StolenTime);
        _routine = routine;
        _stamp = stamp;
        Interlocked.Exchange(ref _sinceNanoseconds, stamp.StartNanoseconds); // full fence: see StuckCallbackWatchdog
        host.Watchdog?.NoteCallbackStarted();
        return stamp;
    }

    /// <inheritdoc/>
    public bool End()
    {
        Volatile.Write(ref _sinceNanoseconds, NotWatched);
        return Interlocked.Exchange(ref _tripped, 0) == 1;
    }

    /// <summary>
    /// Called by the watchdog thread: reports DPC_WATCHDOG_VIOLATION and stops the owner when the running callback has
    /// gone past <paramref name="limitMicroseconds"/> without returning (once per run).
    /// </summary>
    /// <returns>True if a watched callback is running.</returns>
    public bool Check(long nowNanoseconds, long limitMicroseconds)
    {
        var since = Volatile.Read(ref _sinceNanoseconds);
        if (since == NotWatched)
        {
            return false;
        }

        var limitNanoseconds = limitMicroseconds * TimeUnits.NanosecondsPerMicrosecond;
        if (nowNanoseconds - since <= limitNanoseconds)
        {
            return true; // the common case: not even the elapsed time is past the allotment
        }

        // The stamp was written before since was published; a newer run may have replaced both since: use it only if
        // it still belongs to the run whose start was read.
        var stamp = _stamp;
        var routine = _routine;
        if (stamp.StartNanoseconds != since || Volatile.Read(ref _sinceNanoseconds) != since)
        {
            return true;
        }

        var charge = DpcWatchdog.Charge(host.Engine, host.HostOptions.StolenTime, stamp, nowNanoseconds, limitNanoseconds, ownThread: false);
        if (charge.RanMicroseconds <= limitMicroseconds || Interlocked.CompareExchange(ref _tripped, 1, 0) != 0)
        {
            return true;
        }

        var bugCheck = DpcWatchdog.Violation(routine, charge, limitMicroseconds, returned: false);
        if (owner is not null)
        {
            owner.Fault(routine, bugCheck);
        }
        else
        {
            host.ReportBugCheck(MiniportHost.DriverTrack, routine, bugCheck);
        }

        return true;
    }
}
