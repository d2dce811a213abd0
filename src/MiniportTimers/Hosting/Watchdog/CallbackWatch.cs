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
/// stamp only if the start it read is still the published one. One report per run: the trip word holds the start of
/// the run the watchdog claimed (compare-and-swap from none), and the returning callback takes it (exchange to none):
/// <code>
///   dispatcher                         watchdog thread
///   callback starts, since = t0
///   (blocked)                          now - t0 &gt; limit: trip none -&gt; t0, since still t0? report 0x133, owner stopped
///   callback returns: since = none,
///   trip t0 -&gt; none: it was mine: no second report
/// </code>
/// The watchdog judges slowly (it reads the scheduler's counters), so the run may return while it does:
/// <code>
///   dispatcher                         watchdog thread
///                                      reads since = t0, stamp; charges it (slow)
///   callback returns: since = none,
///   trip none -&gt; none: not mine: the return check judges the run
///                                      trip none -&gt; t0 (claimed), since still t0? no: trip t0 -&gt; none, no report
/// </code>
/// Had the return's exchange come between the claim and the re-check, it would have taken t0 (skipping the return
/// check) and the watchdog's undo would fail: then the watchdog reports. Either way exactly one side judges the run.
/// Before this rule a report could come for a run that had already returned (found by the CI run of issue 10).
/// </remarks>
internal sealed class CallbackWatch(MiniportHost host, HostedAdapter? owner) : ICallbackWatch
{
    private const long NotWatched = long.MinValue;

    private long _sinceNanoseconds = NotWatched; // written by the dispatcher, read by the watchdog thread
    private string _routine = "";
    private WatchdogStamp _stamp;                // written before _sinceNanoseconds publishes it
    private long _trippedRun = NotWatched;       // the start of the run the watchdog claimed, or NotWatched

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
        var run = Volatile.Read(ref _sinceNanoseconds); // only the dispatcher writes it
        Volatile.Write(ref _sinceNanoseconds, NotWatched);
        return run != NotWatched && Interlocked.Exchange(ref _trippedRun, NotWatched) == run;
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
        if (charge.RanMicroseconds <= limitMicroseconds || Interlocked.CompareExchange(ref _trippedRun, since, NotWatched) != NotWatched)
        {
            return true; // within the allotment, or this run is reported already
        }

        if (Volatile.Read(ref _sinceNanoseconds) != since && Interlocked.CompareExchange(ref _trippedRun, NotWatched, since) == since)
        {
            return true; // the run returned while it was judged: its own return check judges it (see the diagram above)
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
