using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// The DPC watchdog's arithmetic: how long a callback has run, and DPC_WATCHDOG_VIOLATION (0x133) once that passes the
/// allotment. On a virtual clock the run time is the engine time that passed (only StorPortStallExecution and the like
/// move it inside a callback). On a real clock it is the elapsed engine time minus the time the callback could not run:
/// GC pauses, on Linux the thread's run-queue delay (<see cref="IStolenTimeSource"/>; seen from the watchdog thread, a
/// runnable callback is charged its CPU time, since a wait in progress is not yet in the run delay), and its waits for the library's
/// own internal locks, whose holder can only be slow by being preempted (<see cref="HostLock"/>). So a GC pause or an
/// oversubscribed machine never stops a correct adapter, while a callback that spins or blocks past the allotment
/// still trips it (blocked time is not stolen: the thread is not runnable then).
/// </summary>
/// <remarks>
/// Cost per callback: one engine clock read and one GC counter read at the start and the end; the run-delay baseline
/// is a per-thread value (the thread frame's) refreshed by a system call at most once a millisecond per thread; a run-delay read at the
/// end only when the elapsed time, less GC pauses, is already past the allotment.
/// </remarks>
internal static class DpcWatchdog
{
    /// <summary>How old a thread's run-delay baseline may be at a callback's start, ns.</summary>
    private const long BaselineMaxAgeNanoseconds = TimeUnits.NanosecondsPerMillisecond;

    /// <summary>Notes the start of a watched callback on the calling thread.</summary>
    public static WatchdogStamp Begin(TimerEngine engine, IStolenTimeSource stolen)
    {
        if (engine.IsVirtual)
        {
            return new WatchdogStamp(engine.NowNanoseconds, 0, default, 0, null, 0);
        }

        // Order matters: every read of a stolen-time counter is a call out of managed code, where a thread stops while a
        // GC runs. Read them all before the clock, so a pause that lands on one of these calls falls before the start
        // (uncounted on both sides) rather than after the clock and before the GC counter (counted, never excused).
        var threadId = stolen.CurrentThreadId();
        var scheduler = stolen.RecentSchedulerStats(BaselineMaxAgeNanoseconds);
        var lockWaits = ThreadFrame.Current.LockWaits;
        var lockWaited = lockWaits.WaitedNanoseconds();
        var gc = stolen.GcPauseNanoseconds();
        return new WatchdogStamp(engine.NowNanoseconds, gc, scheduler, threadId, lockWaits, lockWaited);
    }

    /// <summary>
    /// How long the callback of <paramref name="stamp"/> has run by <paramref name="nowNanoseconds"/>: exact up to
    /// <paramref name="limitNanoseconds"/>; above it, with the run delay taken off as well.
    /// </summary>
    /// <param name="engine">The engine whose clock the stamp was taken on.</param>
    /// <param name="stolen">The stolen-time source.</param>
    /// <param name="stamp">The callback's start.</param>
    /// <param name="nowNanoseconds">Engine time now, ns, read before this call: the counters read after it can only
    /// excuse more, never less.</param>
    /// <param name="limitNanoseconds">The allotment, ns: below it the cheap figure (elapsed less GC pauses) is final.</param>
    /// <param name="ownThread">True when called on the callback's thread (at its return); false from a watchdog thread.</param>
    public static WatchdogCharge Charge(TimerEngine engine, IStolenTimeSource stolen, in WatchdogStamp stamp, long nowNanoseconds, long limitNanoseconds, bool ownThread)
    {
        var elapsed = nowNanoseconds - stamp.StartNanoseconds;
        if (engine.IsVirtual)
        {
            return new WatchdogCharge(elapsed, 0, 0, 0);
        }

        var gc = Math.Max(0, stolen.GcPauseNanoseconds() - stamp.GcPauseNanoseconds);
        var lockWait = stamp.LockWaits is { } lockWaits ? Math.Max(0, lockWaits.WaitedNanoseconds() - stamp.LockWaitNanoseconds) : 0;
        long runDelay = 0;
        if (elapsed - gc - lockWait > limitNanoseconds && stamp.ThreadId != 0)
        {
            var now = stolen.SchedulerStats(stamp.ThreadId, ownThread);
            runDelay = Math.Max(0, now.RunDelayNanoseconds - stamp.Scheduler.RunDelayNanoseconds);
            if (!ownThread && stolen.IsRunnable(stamp.ThreadId))
            {
                // Seen from another thread, a runnable callback may be waiting for a CPU right now, and that wait is not in
                // the run delay until it ends: charge such a callback its CPU time (less GC pauses, which may be its own
                // GC work), and count everything else of the elapsed time as waiting.
                var onCpu = Math.Max(0, now.OnCpuNanoseconds - stamp.Scheduler.OnCpuNanoseconds - gc);
                runDelay = Math.Max(runDelay, elapsed - gc - lockWait - onCpu);
            }
        }

        return new WatchdogCharge(elapsed, gc, runDelay, lockWait);
    }

    /// <summary>
    /// Runs <paramref name="body"/> as a watched DPC-level callback of <paramref name="scope"/>: with the host's verifier
    /// on, stamps its start (through the adapter's stuck-callback watch where there is one, so a watchdog thread can report
    /// it while it runs) and raises DPC_WATCHDOG_VIOLATION at its return if it ran past the allotment and was not reported
    /// already; with no host or the verifier off it just runs it. The one bracket of every DPC-level callback: timer
    /// callbacks and DPCs of both stacks, and Ke/Ex DPCs and timers.
    /// </summary>
    public static void RunWatched<TState>(string routine, KernelScope? scope, in TState state, StateAction<TState> body) =>
        RunWatched(ThreadFrame.Current, routine, scope, in state, body);

    /// <summary><see cref="RunWatched{TState}(string, KernelScope?, in TState, StateAction{TState})"/> on the calling thread's <paramref name="frame"/>.</summary>
    public static void RunWatched<TState>(ThreadFrame frame, string routine, KernelScope? scope, in TState state, StateAction<TState> body)
    {
        if (scope is not { HostOptions: { Verifier: true } options })
        {
            body(in state);
            return;
        }

        var engine = scope.Engine;
        if (engine.IsVirtual)
        {
            RunWatchedVirtual(frame, routine, engine, options.DpcWatchdogMicroseconds, in state, body);
            return;
        }

        var watch = scope.Watch;
        var stamp = watch is null ? Begin(engine, options.StolenTime) : watch.Begin(routine);
        var outer = frame.DpcRunningSinceNanoseconds;
        frame.DpcRunningSinceNanoseconds = stamp.StartNanoseconds; // what KeQueryDpcWatchdogInformation counts from: the watchdog's own start
        var reported = false;
        try
        {
            body(in state);
        }
        finally
        {
            frame.DpcRunningSinceNanoseconds = outer;
            reported = watch is not null && watch.End();
        }

        if (!reported)
        {
            CheckOnReturn(routine, engine, options.StolenTime, stamp, options.DpcWatchdogMicroseconds);
        }
    }

    /// <summary>
    /// <see cref="RunWatched{TState}(ThreadFrame, string, KernelScope?, in TState, StateAction{TState})"/> on a virtual clock: no
    /// stuck-callback watch (virtual time cannot pass inside a callback unless it moves the clock) and nothing stolen
    /// (no GC pause, CPU wait or lock wait is virtual time), so the return check is the elapsed engine time against the
    /// limit: what <see cref="CheckOnReturn"/> charges there, without its stamp and counters (the DDI path, issue 27).
    /// </summary>
    private static void RunWatchedVirtual<TState>(ThreadFrame frame, string routine, TimerEngine engine, long limitMicroseconds, in TState state, StateAction<TState> body)
    {
        var start = engine.NowNanoseconds;
        var outer = frame.DpcRunningSinceNanoseconds;
        frame.DpcRunningSinceNanoseconds = start;
        try
        {
            body(in state);
        }
        finally
        {
            frame.DpcRunningSinceNanoseconds = outer;
        }

        var charge = new WatchdogCharge(engine.NowNanoseconds - start, 0, 0, 0);
        if (charge.RanMicroseconds > limitMicroseconds)
        {
            throw Violation(routine, charge, limitMicroseconds, returned: true);
        }
    }

    /// <summary>The running DPC's start (engine ns), or null outside a watched DPC-level callback (KeQueryDpcWatchdogInformation): the thread frame's stamp.</summary>
    public static long? RunningSinceNanoseconds => ThreadFrame.Current.DpcRunningSinceNanoseconds;

    /// <summary>
    /// At a watched callback's return: raises DPC_WATCHDOG_VIOLATION (0x133; P1 = 0, a single DPC over its allotment;
    /// P2 = its run time and P3 = the allotment, both in µs here) when it ran longer than <paramref name="limitMicroseconds"/>.
    /// </summary>
    public static void CheckOnReturn(string routine, TimerEngine engine, IStolenTimeSource stolen, in WatchdogStamp stamp, long limitMicroseconds)
    {
        var charge = Charge(engine, stolen, stamp, engine.NowNanoseconds, limitMicroseconds * TimeUnits.NanosecondsPerMicrosecond, ownThread: true);
        if (charge.RanMicroseconds > limitMicroseconds)
        {
            throw Violation(routine, charge, limitMicroseconds, returned: true);
        }
    }

    /// <summary>The bug check for a callback charged <paramref name="charge"/>.</summary>
    public static BugCheckException Violation(string routine, in WatchdogCharge charge, long limitMicroseconds, bool returned)
    {
        var ranMicroseconds = charge.RanMicroseconds;
        var what = returned ? $"{routine} ran {ranMicroseconds} µs at DISPATCH_LEVEL" : $"{routine} has run {ranMicroseconds} µs at DISPATCH_LEVEL and has not returned";
        return BugCheck.Create(BugCheckCodes.DPC_WATCHDOG_VIOLATION, 0, (ulong)ranMicroseconds, (ulong)limitMicroseconds, 0, $"{what}{charge.Breakdown}; the DPC watchdog allows {limitMicroseconds} µs");
    }
}
