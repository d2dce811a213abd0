using System.Diagnostics;
using MiniportTimers.Engine.Waiting;

namespace MiniportTimers.Engine;

/// <summary>
/// A <see cref="TimerEngine"/> on the machine's monotonic clock, with one dispatch thread per dispatcher (one by default,
/// one per CPU when asked for), each of which sleeps until the earliest latest-allowed deadline of its own timers and fires
/// them in due order. Sub-millisecond due times are honoured: on Linux the
/// thread sleeps on an absolute CLOCK_MONOTONIC timerfd with 1 ns timer slack; on Windows on a high-resolution waitable
/// timer; elsewhere a millisecond fallback is used (see <see cref="WaitPrimitive"/>). With nothing pending the thread sleeps with no deadline at all: no idle wake-ups.
/// </summary>
/// <remarks>
/// Thread safety: Arm and Cancel are lock-free and safe from any thread and from callbacks. Each dispatcher runs its
/// callbacks one at a time on its thread, never under a lock; a callback that blocks delays the other timers of its own
/// dispatcher (see <see cref="EngineStatistics.LongestCallbackNanoseconds"/>) and no other dispatcher's or engine's.
/// With several dispatchers, timers of different dispatchers fire concurrently and in no order relative to each other
/// (as DPCs on different processors do); an idle timer goes, as it is armed, to the next dispatcher in the arming
/// thread's rotation (so a burst armed from one thread spreads over them all) and stays there while pending, or to the
/// one it was pinned to (<see cref="TimerEngine.TrySetTargetDispatcher"/>). Dispose stops the thread (waiting
/// for a running callback unless called from one, where the thread ends when the callback returns) and closes the OS
/// timer; pending timers never fire; Cancel stays safe afterwards, Arm throws <see cref="ObjectDisposedException"/>.
/// There is no finalizer: an engine never disposed keeps its thread and OS timer until the process exits.
/// </remarks>
public sealed class RealTimeTimerEngine : TimerEngine
{
    // Stopwatch ticks → ns. On Linux Stopwatch reads CLOCK_MONOTONIC in ns (frequency 1e9); on Windows it ticks in
    // 100 ns (frequency 1e7). Both divide 1e9 evenly, so a whole multiplier converts exactly.
    private static readonly long NanosecondsPerStopwatchTick = TimeUnits.NanosecondsPerSecond / Stopwatch.Frequency;
    private static readonly bool StopwatchIsNanoseconds = TimeUnits.NanosecondsPerSecond % Stopwatch.Frequency == 0;

    private readonly long _originTimestamp = Stopwatch.GetTimestamp();
    private readonly Dispatcher[] _dispatchers;
    private readonly long _spinNanoseconds;

    /// <summary>
    /// A wait this short (20 µs) is spun, never slept: a sleep costs the dispatcher more CPU than that (a timerfd_settime
    /// and a read, two context switches: 15-25 µs of CPU a wake-up on the 2-core VM, docs/benchmarks.md "session eight"),
    /// and the OS would wake it about that late anyway (the floor's p50 at 100 µs is 6 µs, at 1 ms 29 µs). A dense stream
    /// of expiries (one every µs) is then fired as it comes due, not in batches of the OS's lateness.
    /// </summary>
    internal const long ShortWaitNanoseconds = 20 * TimeUnits.NanosecondsPerMicrosecond;

    /// <summary>
    /// Arming threads inside a call to the waiter (OnEarliestDeadlineLowered, OnDrainNeeded). Dispose waits for it to
    /// reach 0 before it wakes the dispatcher for the last time, and only the dispatch thread closes the waiter, after
    /// its loop ends: so no arming thread's write lands after the final wake-up (which would put the dispatcher back to
    /// sleep until that deadline) or on a closed descriptor (errno 9), or on a reused one (another engine's timer).
    /// <code>
    ///   arming thread                         Dispose
    ///   users++ (full fence)                  disposed = 1 (full fence)
    ///   disposed ? users--, return            wait until users == 0
    ///   waiter.SetDeadline(d); users--        waiter.SetDeadline(0): the last write; finalWakeWritten = 1
    ///                                         dispatcher: sees disposed, waits for finalWakeWritten, closes the waiter
    /// </code>
    /// (Dekker: each side writes with a full fence, then reads the other's word, so at least one sees the other.)
    /// </summary>
    private int _waiterUsers;

    /// <summary>1 once Dispose has made its final wake-up write: the dispatch thread closes the waiter only after it.</summary>
    private int _finalWakeWritten;

    /// <summary>Creates the engine and starts its dispatch threads.</summary>
    /// <param name="name">A name for the dispatch thread (shown in debuggers and traces); with several dispatchers each
    /// thread's name ends in its index.</param>
    /// <param name="forcePortableWait">True to use the millisecond fallback even where a precise primitive exists (for comparison).</param>
    /// <param name="spinNanoseconds">
    /// 0 (the default) to sleep until each deadline (a wait of 20 µs or less is always spun: a sleep would cost more CPU
    /// than the wait); at most 1 s. Otherwise the dispatcher wakes this many ns early and
    /// spins the rest of the way: lateness drops to the spin loop's whenever the OS wakes it less than this late, at the
    /// cost of a core busy for this long minus the OS's lateness before every wake-up (a 50 µs spin on a 1 ms periodic
    /// timer added about 2 % of a core on a 2-core VM; docs/benchmarks.md has the figures).
    /// </param>
    /// <param name="dispatchers">
    /// How many dispatch threads, 1 to 64. 1 (the default) fires every timer on one thread in one due order.
    /// <see cref="Environment.ProcessorCount"/> gives one per CPU: each arming thread deals idle timers over the
    /// dispatchers in turn (or a timer goes to the one it is pinned to), so a blocked callback delays only its own
    /// dispatcher's timers, and expiries spread over the cores even when one thread arms them all. Timers of one
    /// dispatcher fire in due order; of different ones, in no order relative to each other.
    /// </param>
    /// <param name="realTimePriority">
    /// 0 (the default): ordinary dispatch threads. 1 to 99: each dispatch thread asks for SCHED_FIFO at this priority
    /// (Linux), so its wake-ups preempt ordinary threads and reach the kernel's real-time floor, without a spin. Where
    /// the process may not (not root, no CAP_SYS_NICE, RLIMIT_RTPRIO too low) or off Linux, the threads stay ordinary:
    /// <see cref="SchedulingPolicy"/> says which happened and why. A real-time thread that never sleeps would starve the
    /// CPU's other threads (the kernel keeps 5 % for them), so callbacks on such an engine must be short.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="spinNanoseconds"/> is negative or above 1 s,
    /// <paramref name="dispatchers"/> is outside 1 to 64, or <paramref name="realTimePriority"/> outside 0 to 99.</exception>
    public RealTimeTimerEngine(string name = "MiniportTimers dispatcher", bool forcePortableWait = false, long spinNanoseconds = 0, int dispatchers = 1, int realTimePriority = 0)
        : base(CheckDispatchers(dispatchers))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(spinNanoseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(spinNanoseconds, TimeUnits.NanosecondsPerSecond);
        ArgumentOutOfRangeException.ThrowIfNegative(realTimePriority);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(realTimePriority, 99);
        _spinNanoseconds = spinNanoseconds;
        _realTimePriority = realTimePriority;
        DispatchWarmUp.EnsureWarm(); // the first real engine of a process: JIT the dispatch path before any expiry needs it
        PrepareRarePaths();
        _dispatchers = new Dispatcher[dispatchers];
        for (var i = 0; i < dispatchers; i++)
        {
            var waiter = forcePortableWait
                ? new MonitorWaiter(() => NowNanoseconds)
                : (IDeadlineWaiter?)TimerFdWaiter.TryCreate(() => NowNanoseconds) ?? (IDeadlineWaiter?)WaitableTimerWaiter.TryCreate(() => NowNanoseconds) ?? new MonitorWaiter(() => NowNanoseconds);
            var dispatcher = new Dispatcher(Queues[i], waiter);
            dispatcher.Thread = new Thread(() => DispatchLoop(dispatcher))
            {
                IsBackground = true,
                Name = dispatchers == 1 ? name : $"{name} {i}",
                Priority = ThreadPriority.AboveNormal,
            };
            _dispatchers[i] = dispatcher;
        }

        foreach (var dispatcher in _dispatchers)
        {
            dispatcher.Thread.Start();
        }

        // Each thread reports its policy as it starts: wait for them, so SchedulingPolicy is settled when this returns.
        foreach (var dispatcher in _dispatchers)
        {
            dispatcher.Started.Wait();
        }
    }

    private readonly int _realTimePriority;

    /// <summary>
    /// What the dispatch threads run under: "ordinary", "SCHED_FIFO n" (the real-time dispatcher), or "ordinary (SCHED_FIFO
    /// n refused: ...)" with the reason when the OS said no. Reports print it beside the lateness figures.
    /// </summary>
    public string SchedulingPolicy => _dispatchers[0].Policy;

    private static int CheckDispatchers(int dispatchers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dispatchers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dispatchers, EngineTimer.MaxQueues);
        return dispatchers;
    }

    /// <summary>The OS primitive the dispatch threads sleep on: "timerfd" (Linux, precise), "waitable-timer" (Windows 10 1803+,
    /// high resolution) or "monitor" (portable, ms).</summary>
    public string WaitPrimitive => _dispatchers[0].Waiter.Name;

    /// <summary>The first dispatch thread's name, as given to the constructor.</summary>
    internal string DispatcherName => _dispatchers[0].Thread.Name ?? string.Empty;

    /// <summary>The first dispatch thread's sleep primitive (tests check that Dispose closes it).</summary>
    internal IDeadlineWaiter Waiter => _dispatchers[0].Waiter;

    /// <summary>True on one of this engine's dispatch threads.</summary>
    private bool OnDispatchThread
    {
        get
        {
            var id = Environment.CurrentManagedThreadId;
            foreach (var dispatcher in _dispatchers)
            {
                if (dispatcher.Thread.ManagedThreadId == id)
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <inheritdoc />
    public override bool IsVirtual => false;

    /// <inheritdoc />
    public override long NowNanoseconds
    {
        get
        {
            var ticks = Stopwatch.GetTimestamp() - _originTimestamp;
            return StopwatchIsNanoseconds
                ? ticks * NanosecondsPerStopwatchTick
                : (long)(ticks * (TimeUnits.NanosecondsPerSecond / (double)Stopwatch.Frequency));
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Arms a marker timer due now; the dispatch thread fires in due order, one callback at a time, so when the marker
    /// fires every expiry due before it has run to completion.
    /// </remarks>
    public override void FlushDispatched()
    {
        // _dispatchers is null while the constructor still runs (the base constructor registers the engine process-wide).
        if (_dispatchers is null || OnDispatchThread || IsDisposed)
        {
            return;
        }

        // Nothing pending and no dispatcher taking or running anything: nothing is in flight (pending is read first; a
        // dispatcher marks itself busy before it claims an expiry, so a claimed one shows in one or the other).
        if (PendingCount == 0 && Array.TrueForAll(_dispatchers, d => Volatile.Read(ref d.Busy) == 0))
        {
            return;
        }

        // One marker per dispatcher, pinned there: each fires after every expiry its dispatcher had due before it.
        using var flushed = new CountdownEvent(_dispatchers.Length);
        try
        {
            for (var i = 0; i < _dispatchers.Length; i++)
            {
                var marker = CreateInternalTimer(static (t, in _) => ((CountdownEvent)t.State!).Signal(), flushed);
                TrySetTargetDispatcher(marker, i);
                Arm(marker, NowNanoseconds);
            }
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        // A dispose that races the markers stops the threads before they fire: nothing is in flight then either.
        while (!flushed.Wait(TimeSpan.FromMilliseconds(50)))
        {
            if (IsDisposed)
            {
                return;
            }
        }
    }

    /// <remarks>
    /// On the real-time dispatcher the arming thread does not program the deadline itself: it wakes the dispatcher at
    /// once, and the dispatcher programs its own timer. Linux files a timerfd's expiry on the CPU that set it, and a
    /// wake-up that must cross to another CPU (an inter-processor interrupt, a VM exit here) cost a SCHED_FIFO
    /// dispatcher 60 µs at the median against 33 µs for a timer set on the waiting thread's own CPU (2-core VM,
    /// docs/benchmarks.md "Below the ordinary floor"). The extra wake-up is early, so it costs CPU, never lateness.
    /// </remarks>
    internal override void OnEarliestDeadlineLowered(DispatchQueue queue, long deadlineNanoseconds) =>
        SetDeadlineFromArmingThread(queue, _realTimePriority > 0 ? 0 : Math.Max(0, deadlineNanoseconds - _spinNanoseconds));

    internal override void OnDrainNeeded(DispatchQueue queue) => SetDeadlineFromArmingThread(queue, 0);

    /// <summary>Moves a dispatcher's OS wake-up from an arming thread, unless the engine is disposed (see <see cref="_waiterUsers"/>).</summary>
    private void SetDeadlineFromArmingThread(DispatchQueue queue, long deadlineNanoseconds)
    {
        Interlocked.Increment(ref _waiterUsers);
        try
        {
            if (!IsDisposed)
            {
                _dispatchers[queue.Index].Waiter.SetDeadline(deadlineNanoseconds);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiterUsers);
        }
    }

    private void DispatchLoop(Dispatcher dispatcher)
    {
        try
        {
            RunDispatchLoop(dispatcher);
        }
        finally
        {
            // Dispose has set the flag and waited out every arming thread's waiter call before its final wake-ups; once
            // those writes are made too (the loop may have seen the flag just before them), this thread is its waiter's
            // last user, whether Dispose ran on another thread or inside a callback here.
            var spin = default(SpinWait);
            while (Volatile.Read(ref _finalWakeWritten) == 0)
            {
                spin.SpinOnce();
            }

            dispatcher.Waiter.Dispose();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] // see "First calls" in DispatchWarmUp
    private void RunDispatchLoop(Dispatcher dispatcher)
    {
        TimerFdWaiter.SetCurrentThreadTimerSlackToMinimum();
        dispatcher.Policy = _realTimePriority == 0 ? "ordinary" : RealTimeScheduling.TryApplyToCurrentThread(_realTimePriority);
        dispatcher.Started.Set();
        var queue = dispatcher.Queue;
        queue.DispatcherThreadId = Environment.CurrentManagedThreadId;
        var waiter = dispatcher.Waiter;
        var now = NowNanoseconds;
        while (!IsDisposed)
        {
            Volatile.Write(ref dispatcher.Busy, 1);
            if (queue.TryTakeNextDue(now, out var timer, out var firing))
            {
                now = Fire(queue, timer!, firing); // the clock after the callback: the next take's "now" (one read per expiry)
                continue;
            }

            Volatile.Write(ref dispatcher.Busy, 0);

            // A wait shorter than a sleep's own cost is spun (see ShortWaitNanoseconds); so is the optional last stretch.
            var deadline = queue.EarliestDeadline(now); // a stale entry's deadline after "now" is a bound to wake at, resolved then
            now = NowNanoseconds;
            if (deadline != long.MaxValue && deadline - now <= Math.Max(_spinNanoseconds, ShortWaitNanoseconds))
            {
                SpinUntil(queue, deadline);
                now = NowNanoseconds;
                continue;
            }

            // Publish, file what was pushed before the publish, program, re-read: see "Lost wake-ups" in TimerEngine.
            while (true)
            {
                queue.PublishProgrammedDeadline(deadline);
                var again = queue.EarliestDeadline(now);
                if (again >= deadline)
                {
                    break;
                }

                deadline = again;
            }

            while (true)
            {
                waiter.SetDeadline(deadline == long.MaxValue ? long.MaxValue : Math.Max(0, deadline - _spinNanoseconds));
                var lowered = queue.ProgrammedDeadline;
                if (lowered >= deadline)
                {
                    break;
                }

                deadline = lowered;
            }

            if (IsDisposed)
            {
                continue; // Dispose's wake-up may have been overwritten by the lines above
            }

            queue.TrimExcessBeforeSleep(now, deadline);
            var sleptSince = NowNanoseconds; // after the trim: the thread runs no more engine work before the wait
            waiter.Wait();
            now = NowNanoseconds;
            queue.CountWakeUp(queue.ProgrammedDeadline, sleptSince, now); // the deadline it slept to, lowered by arming threads included
        }

        queue.CountExpired(); // disposed mid-burst: the pending count is exact still
    }

    /// <summary>1 once this process compiled the real engine's rare paths (<see cref="PrepareRarePaths"/>).</summary>
    private static int s_rarePathsPrepared;

    /// <summary>
    /// Once per process (with the warm-up: the same switch turns it off): compiles the real engine's paths a thread first
    /// reaches only seconds into a run, before any timer is armed. <see cref="SpinUntil"/> runs at the first wait shorter
    /// than <see cref="ShortWaitNanoseconds"/>, with a timer due within 20 µs, and <see cref="OnDrainNeeded"/> on whichever
    /// thread arms the DrainBatch-th timer the dispatcher has not filed, which may be another dispatcher's callback: the
    /// `run` child, which compiles each method once (tiering off), compiled them mid-run (session thirteen, from the
    /// runtime's JIT summary), each a few hundred µs on a dispatcher's or a callback's time. The loop itself and the OS
    /// timer calls are compiled as each dispatch thread reaches its first sleep.
    /// </summary>
    private static void PrepareRarePaths()
    {
        if (DispatchWarmUp.IsDisabled || Interlocked.Exchange(ref s_rarePathsPrepared, 1) != 0)
        {
            return;
        }

        const System.Reflection.BindingFlags Instance = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic;
        var type = typeof(RealTimeTimerEngine);
        System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(type.GetMethod(nameof(SpinUntil), Instance)!.MethodHandle);
        System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(type.GetMethod(nameof(OnDrainNeeded), Instance)!.MethodHandle);
        System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(type.GetMethod(nameof(OnEarliestDeadlineLowered), Instance)!.MethodHandle);
        System.Runtime.CompilerServices.RuntimeHelpers.PrepareMethod(type.GetMethod(nameof(SetDeadlineFromArmingThread), Instance)!.MethodHandle);
    }

    /// <summary>
    /// The optional last stretch: spin until the deadline, or until a new arming may need attention. A pure spin (pause
    /// instructions): SpinWait.SpinOnce would yield the core after a few rounds, and a yield can hand it to another thread
    /// for a scheduler slice (that alone put the 1 ms p99 at 50 µs).
    /// </summary>
    private void SpinUntil(DispatchQueue queue, long deadline)
    {
        while (NowNanoseconds < deadline && !queue.HasSubmissions && !IsDisposed)
        {
            Thread.SpinWait(20);
        }

        queue.CountWakeUp(deadline);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!TryMarkDisposed())
        {
            return; // another Dispose got here first and makes the final wake-up
        }

        base.Dispose(disposing); // marked above with a full fence: from now no arming thread starts a waiter call (see _waiterUsers)
        var spin = default(SpinWait);
        while (Volatile.Read(ref _waiterUsers) != 0)
        {
            spin.SpinOnce(); // an arming thread is inside one timerfd_settime: microseconds
        }

        foreach (var dispatcher in _dispatchers)
        {
            dispatcher.Waiter.SetDeadline(0); // the last write from outside the dispatch thread: wake it so it sees IsDisposed
        }

        Volatile.Write(ref _finalWakeWritten, 1);
        if (disposing)
        {
            foreach (var dispatcher in _dispatchers)
            {
                if (Environment.CurrentManagedThreadId != dispatcher.Thread.ManagedThreadId)
                {
                    dispatcher.Thread.Join(); // the thread closes its waiter as it ends
                }
            }
        }
    }

    /// <summary>One dispatch thread: its queue, the OS timer it sleeps on, and whether it is taking or running an expiry.</summary>
    private sealed class Dispatcher(DispatchQueue queue, IDeadlineWaiter waiter)
    {
        public DispatchQueue Queue { get; } = queue;

        public IDeadlineWaiter Waiter { get; } = waiter;

        public Thread Thread { get; set; } = null!;

        /// <summary>1 while the dispatcher is taking or running an expiry (set before it claims one): a flush must wait then.</summary>
        public int Busy;

        /// <summary>Set once the thread has applied its scheduling policy.</summary>
        public ManualResetEventSlim Started { get; } = new();

        /// <summary>What the thread runs under (see <see cref="SchedulingPolicy"/>).</summary>
        public string Policy { get; set; } = "ordinary";
    }
}
