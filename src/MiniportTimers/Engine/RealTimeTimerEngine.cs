using System.Diagnostics;
using MiniportTimers.Engine.Waiting;

namespace MiniportTimers.Engine;

/// <summary>
/// A <see cref="TimerEngine"/> on the machine's monotonic clock, with one dispatch thread that sleeps until the earliest
/// latest-allowed deadline and fires due timers in due order. Sub-millisecond due times are honoured: on Linux the
/// thread sleeps on an absolute CLOCK_MONOTONIC timerfd with 1 ns timer slack; elsewhere a millisecond fallback is used
/// (see <see cref="WaitPrimitive"/>). With nothing pending the thread sleeps with no deadline at all: no idle wake-ups.
/// </summary>
/// <remarks>
/// Thread safety: Arm and Cancel are safe from any thread and from callbacks. Callbacks run one at a time on the
/// dispatch thread, never under an engine lock; a callback that blocks delays every other timer of this engine.
/// Dispose stops the thread (waiting for a running callback unless called from one); pending timers never fire.
/// </remarks>
public sealed class RealTimeTimerEngine : TimerEngine
{
    // Stopwatch ticks → ns. On Linux Stopwatch reads CLOCK_MONOTONIC in ns (frequency 1e9); on Windows it ticks in
    // 100 ns (frequency 1e7). Both divide 1e9 evenly, so a whole multiplier converts exactly.
    private static readonly long NanosecondsPerStopwatchTick = TimeUnits.NanosecondsPerSecond / Stopwatch.Frequency;
    private static readonly bool StopwatchIsNanoseconds = TimeUnits.NanosecondsPerSecond % Stopwatch.Frequency == 0;

    private readonly long _originTimestamp = Stopwatch.GetTimestamp();
    private readonly IDeadlineWaiter _waiter;
    private readonly Thread _thread;

    /// <summary>The deadline the waiter is set to, engine ns; long.MaxValue = none. Guarded by SyncRoot.</summary>
    private long _programmedDeadline = long.MaxValue;

    /// <summary>Creates the engine and starts its dispatch thread.</summary>
    /// <param name="name">A name for the dispatch thread (shown in debuggers and traces).</param>
    /// <param name="forcePortableWait">True to use the millisecond fallback even where a precise primitive exists (for comparison).</param>
    public RealTimeTimerEngine(string name = "MiniportTimers dispatcher", bool forcePortableWait = false)
    {
        _waiter = (forcePortableWait ? null : TimerFdWaiter.TryCreate(() => NowNanoseconds)) ?? (IDeadlineWaiter)new MonitorWaiter(() => NowNanoseconds);
        _thread = new Thread(DispatchLoop) { IsBackground = true, Name = name, Priority = ThreadPriority.AboveNormal };
        _thread.Start();
    }

    /// <summary>The OS primitive the dispatch thread sleeps on: "timerfd" (Linux, precise) or "monitor" (portable, ms).</summary>
    public string WaitPrimitive => _waiter.Name;

    /// <summary>The managed thread id of the dispatch thread, where every callback runs.</summary>
    public int DispatchThreadId => _thread.ManagedThreadId;

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
        // _thread is null while the constructor still runs (the base constructor registers the engine process-wide).
        if (_thread is null || Environment.CurrentManagedThreadId == _thread.ManagedThreadId || IsDisposed)
        {
            return;
        }

        using var flushed = new ManualResetEventSlim();
        try
        {
            Arm(CreateTimer(static (t, in _) => ((ManualResetEventSlim)t.State!).Set(), flushed), NowNanoseconds);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        // A dispose that races the marker stops the thread before it fires: nothing is in flight then either.
        while (!flushed.Wait(TimeSpan.FromMilliseconds(50)))
        {
            if (IsDisposed)
            {
                return;
            }
        }
    }

    private protected override void OnEarliestDeadlineLowered(long deadlineNanoseconds)
    {
        // Under SyncRoot. Only an earlier deadline needs the sleeping thread's attention.
        if (deadlineNanoseconds < _programmedDeadline)
        {
            _programmedDeadline = deadlineNanoseconds;
            _waiter.SetDeadline(deadlineNanoseconds);
        }
    }

    private protected override void OnQueueEmptied()
    {
        // Under SyncRoot. Nothing pending: disarm, so an idle engine never wakes.
        _programmedDeadline = long.MaxValue;
        _waiter.SetDeadline(long.MaxValue);
    }

    private void DispatchLoop()
    {
        TimerFdWaiter.SetCurrentThreadTimerSlackToMinimum();
        while (!IsDisposed)
        {
            EngineTimer? timer;
            TimerFiring firing;
            lock (SyncRoot)
            {
                if (IsDisposed)
                {
                    return;
                }

                if (!TryTakeNextDueLocked(NowNanoseconds, out timer, out firing))
                {
                    var deadline = EarliestDeadlineLocked();
                    _programmedDeadline = deadline;
                    _waiter.SetDeadline(deadline);
                }
            }

            if (timer is not null)
            {
                Fire(timer, firing);
                continue;
            }

            _waiter.Wait();
            lock (SyncRoot)
            {
                CountWakeUpLocked();
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (IsDisposed)
        {
            return;
        }

        lock (SyncRoot)
        {
            base.Dispose(disposing);
            _waiter.SetDeadline(0); // wake the thread so it sees IsDisposed
        }

        if (disposing && Environment.CurrentManagedThreadId != _thread.ManagedThreadId)
        {
            _thread.Join();
            _waiter.Dispose();
        }
    }
}
