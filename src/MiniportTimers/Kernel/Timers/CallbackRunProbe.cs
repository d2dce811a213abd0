using System.Runtime;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// The process counters at the start of one callback run, taken so that its end can say what the run's time went to
/// (the Diagnostics layer's CallbackRun, built from <see cref="Finish"/>): the collection count, the total GC pause time, the JIT time of the running thread and,
/// on a real clock, the thread's time waiting on a run queue. Reads of runtime counters and of the thread's last
/// schedstat reading (at most one system call a millisecond per thread, shared with the DPC watchdog: its baseline may
/// be up to 1 ms old, which can count at most 1 ms of run-queue wait from just before the run as the run's); no
/// allocation, no lock; a value type on the expiry path's stack. The end reads fresh figures only for a run that is the
/// longest of its row so far.
/// </summary>
internal readonly struct CallbackRunProbe
{
    /// <summary>How old the start's schedstat reading may be, ns (the DPC watchdog allows the same).</summary>
    private const long SchedulerStatsMaxAgeNanoseconds = 1_000_000;

    private readonly int _collections;
    private readonly long _pauseTicks;
    private readonly long _jitTicks;
    private readonly long _runDelayNanoseconds;
    private readonly long _spinLockWaitNanoseconds;
    private readonly bool _realClock;

    private CallbackRunProbe(int collections, long pauseTicks, long jitTicks, long runDelayNanoseconds, long spinLockWaitNanoseconds, bool realClock)
    {
        _collections = collections;
        _pauseTicks = pauseTicks;
        _jitTicks = jitTicks;
        _runDelayNanoseconds = runDelayNanoseconds;
        _spinLockWaitNanoseconds = spinLockWaitNanoseconds;
        _realClock = realClock;
    }

    /// <summary>The counters now, on the thread about to run the callback; <paramref name="realClock"/> adds the run-queue wait (meaningless on a virtual clock).</summary>
    /// <param name="realClock">True on a real clock.</param>
    /// <param name="dispatcherSleptNanoseconds">The dispatcher's time asleep so far (<see cref="Engine.TimerFiring.DispatcherSleptNanoseconds"/>;
    /// 0 off a dispatcher): its sleep since the thread's last schedstat reading does not age that reading.</param>
    public static CallbackRunProbe Start(bool realClock, long dispatcherSleptNanoseconds = 0) =>
        new(
            GC.CollectionCount(0),
            GC.GetTotalPauseDuration().Ticks,
            JitInfo.GetCompilationTime(currentThread: true).Ticks,
            realClock ? SystemStolenTime.Instance.RecentSchedulerStats(SchedulerStatsMaxAgeNanoseconds, dispatcherSleptNanoseconds).RunDelayNanoseconds : 0,
            realClock ? ThreadFrame.Current.SpinLockWaitNanoseconds : 0, // a virtual clock's fire path pays no frame lookup for it
            realClock);

    /// <summary>
    /// The counters now, like <see cref="Start"/> but with a fresh schedstat reading (one system call, real clock): the end
    /// of a stretch that <see cref="Until"/> measures from an earlier probe. For rare events only (a row's new worst fire).
    /// </summary>
    public static CallbackRunProbe Now(bool realClock) =>
        At(realClock, realClock ? SystemStolenTime.Instance.SchedulerStats(SystemStolenTime.Instance.CurrentThreadId(), ownThread: true) : default);

    /// <summary>
    /// <see cref="Now(bool)"/> on a real clock, with the thread's run-queue wait since <paramref name="sinceNanosecondsAgo"/>
    /// (<see cref="SystemStolenTime.RunDelaySince(long, out SchedulerStats)"/>: -1 when unknown) from the same schedstat reading: one system
    /// call for both (a row's new worst fire).
    /// </summary>
    public static CallbackRunProbe NowWithRunDelaySince(long sinceNanosecondsAgo, out long runDelaySinceNanoseconds)
    {
        runDelaySinceNanoseconds = SystemStolenTime.Instance.RunDelaySince(sinceNanosecondsAgo, out var stats);
        return At(realClock: true, stats);
    }

    private static CallbackRunProbe At(bool realClock, SchedulerStats stats) =>
        new(
            GC.CollectionCount(0),
            GC.GetTotalPauseDuration().Ticks,
            JitInfo.GetCompilationTime(currentThread: true).Ticks,
            realClock ? stats.RunDelayNanoseconds : 0,
            realClock ? ThreadFrame.Current.SpinLockWaitNanoseconds : 0,
            realClock);

    /// <summary>
    /// What happened between this probe and <paramref name="later"/>, both taken on the same thread, this one first: the
    /// figures of <see cref="Finish"/> for that stretch, each clamped at 0 (a probe taken out of order reads 0).
    /// </summary>
    public (int Collections, long CollectionPauseNanoseconds, long JitNanoseconds, long CpuWaitNanoseconds, long SpinLockWaitNanoseconds) Until(in CallbackRunProbe later)
    {
        var collections = Math.Max(0, later._collections - _collections);
        var pauseNanoseconds = collections == 0 ? 0 : checked((later._pauseTicks - _pauseTicks) * 100);
        var jitNanoseconds = checked((later._jitTicks - _jitTicks) * 100);
        var cpuWaitNanoseconds = _realClock && later._realClock ? later._runDelayNanoseconds - _runDelayNanoseconds : 0;
        var spinLockWaitNanoseconds = _realClock && later._realClock ? later._spinLockWaitNanoseconds - _spinLockWaitNanoseconds : 0;
        return (collections, Math.Max(0, pauseNanoseconds), Math.Max(0, jitNanoseconds), Math.Max(0, cpuWaitNanoseconds), Math.Max(0, spinLockWaitNanoseconds));
    }

    /// <summary>
    /// What happened since <see cref="Start"/> on the same thread: the collections, their pause time, the thread's JIT
    /// time and (real clock) its run-queue wait and its waits for spin locks another thread held, ns, each 0 or more.
    /// </summary>
    public (int Collections, long CollectionPauseNanoseconds, long JitNanoseconds, long CpuWaitNanoseconds, long SpinLockWaitNanoseconds) Finish()
    {
        // GC.CollectionCount(0) counts every collection (a gen1 or gen2 collection collects gen0 too).
        var collections = GC.CollectionCount(0) - _collections;
        var pauseNanoseconds = collections == 0 ? 0 : checked((GC.GetTotalPauseDuration().Ticks - _pauseTicks) * 100);
        var jitNanoseconds = checked((JitInfo.GetCompilationTime(currentThread: true).Ticks - _jitTicks) * 100);
        var stolen = SystemStolenTime.Instance;
        var cpuWaitNanoseconds = _realClock ? stolen.SchedulerStats(stolen.CurrentThreadId(), ownThread: true).RunDelayNanoseconds - _runDelayNanoseconds : 0;
        var spinLockWaitNanoseconds = _realClock ? ThreadFrame.Current.SpinLockWaitNanoseconds - _spinLockWaitNanoseconds : 0;
        return (collections, Math.Max(0, pauseNanoseconds), Math.Max(0, jitNanoseconds), Math.Max(0, cpuWaitNanoseconds), Math.Max(0, spinLockWaitNanoseconds));
    }
}
