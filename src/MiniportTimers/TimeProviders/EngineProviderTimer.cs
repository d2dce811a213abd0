using System.Diagnostics;
using MiniportTimers.Engine;

namespace MiniportTimers.TimeProviders;

/// <summary>
/// The <see cref="ITimer"/> of an <see cref="EngineTimeProvider"/>: one engine timer and the user's callback. The engine
/// references it only while it is armed, so an idle timer nobody references is collected, and an armed one keeps firing
/// (as TimeProvider.System's). A <see cref="VirtualTimeProvider"/> hands it out behind an
/// <see cref="EngineProviderTimerHandle"/>, which the engine never references, so that there a timer nobody references
/// any more is collected and stops, armed or not, as FakeTimeProvider's does.
/// </summary>
/// <remarks>
/// <para>
/// Re-entry (virtual engines): no callback runs inside itself. An expiry of this timer that a nested advance reaches
/// while its callback runs further up the same thread (the callback called Advance, SetUtcNow, an auto-advancing read,
/// or Change with a due time of 0) does not run there. A periodic timer's expiry is skipped: the timer goes on at its
/// next period after the clock, keeping its phase (FakeTimeProvider moves its next wake-up past the clock too), so a
/// periodic callback that advances by its own period runs once per outer advance instead of recursing until the stack
/// overflows. A one-shot expiry (the callback re-armed its own timer, or changed it to a due time of 0) runs once the
/// callback returns, on the same thread, at the clock then; a callback that re-arms and advances every time therefore
/// loops, as it does on FakeTimeProvider, but never deepens the stack.
/// </para>
/// <para>
/// Times: validated as System.Threading.Timer and FakeTimeProvider validate them, on the whole milliseconds
/// (<c>(long)TotalMilliseconds</c>): -1 ms (including anything from -1 ms to -2 ms exclusive) is infinite, a value above
/// -1 ms and below 0 is 0, 0 to 4 294 967 294 ms are accepted; the value itself keeps its sub-millisecond precision. A due
/// time of 0 on a virtual provider runs the callback before CreateTimer or Change returns, as TimeProvider.CreateTimer
/// documents ("invoked immediately"); on a real engine it is dispatched at once.
/// </para>
/// <para>
/// Synchronization rules: <c>_gate</c> guards <c>_disposed</c>, <c>_running</c>, the deferred expiry, the dispose waiter
/// and every arm and cancel; it is never held while the callback runs. An expiry handed to the thread pool carries its arm sequence; if the
/// timer was changed, cancelled or disposed before the work item runs, it is dropped. A callback already running when
/// Change or Dispose returns may still finish (as System.Threading.Timer's may); DisposeAsync completes only when none
/// runs any more:
/// </para>
/// <code>
///   expiry (pool or dispatcher)            DisposeAsync
///   lock: disposed? drop : running++       lock: disposed = true; cancel; running == 0 ? done : waiter = new
///   callback(state)
///   lock: running--; 0 and waiter? ──────► waiter completes
/// </code>
/// <para>
/// Why it is not on the kernel's timer core (<c>Kernel/Timers/TimerCore</c>, issue 26 §2), which every miniport timer
/// kind (Storport, NDIS, KTIMER, EX_TIMER) stands on: the two implement different contracts, and this one belongs to a
/// layer that may use only the Engine. The core's contract is the kernel's: a callback runs in DPC context at
/// DISPATCH_LEVEL on the dispatcher, under a host's scope, locks and DPC watchdogs; a free waits with a monitor wait only
/// at PASSIVE_LEVEL; expiries follow the Windows clock tick; a bug check stops an adapter; arms and fires are a host's
/// report rows. This one's is .NET's <see cref="ITimer"/>: no IRQL, host or adapter; callbacks on the thread pool on a
/// real engine (a callback may block, as System.Threading.Timer's may, without holding up a dispatcher); an
/// asynchronous <see cref="DisposeAsync"/> instead of a blocking free; millisecond validation and the "infinite"
/// sentinel; the re-entry rule of a virtual advance; and collection of an unreferenced timer. What the two share is the
/// engine timer itself (arm, cancel, the arm sequence that tells a stale expiry), which is already one piece of code, in
/// the Engine. Putting this timer on the core would pull the Kernel layer (IRQL state, the kernel's locks) under a layer
/// the architecture keeps on the Engine alone and give .NET callers a contract they did not ask for.
/// </para>
/// </remarks>
internal sealed class EngineProviderTimer : ITimer
{
    /// <summary>The largest due time or period TimeProvider accepts, ms (0xFFFFFFFE).</summary>
    private const long MaxMilliseconds = 0xFFFFFFFE;

    private readonly object _gate = new();
    private readonly EngineTimeProvider _provider;
    private readonly EngineTimer _timer;
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private bool _disposed;
    private int _running;

    /// <summary>
    /// Virtual engines: the managed ids of the threads this timer's callback runs on, up their stacks (see "Re-entry";
    /// under <c>_gate</c>). Usually one at most; several only when other threads advance the clock while it runs. Made
    /// on the first run, so a run allocates nothing after that.
    /// </summary>
    private List<int>? _runningThreads;
    private TaskCompletionSource? _disposeWaiter;

    /// <summary>True while an expiry that came due inside this timer's own callback waits for it to return (see "Re-entry").</summary>
    private bool _hasDeferred;

    /// <summary>The arm sequence of that expiry: it runs only if the timer was not changed since.</summary>
    private long _deferredSequence;

    public EngineProviderTimer(EngineTimeProvider provider, TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        _provider = provider;
        _callback = callback;
        _state = state;
        _timer = provider.Engine.CreateTimer(static (t, in f) => ((EngineProviderTimer)t.State!).OnExpired(f.ArmSequence), this);
        Change(dueTime, period);
    }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        var wholeMilliseconds = _provider is VirtualTimeProvider { TruncateTimersToMilliseconds: true };
        var due = ToNanoseconds(dueTime, nameof(dueTime), wholeMilliseconds);
        var every = ToNanoseconds(period, nameof(period), wholeMilliseconds);
        var runNow = false;
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            if (due < 0)
            {
                _provider.Engine.Cancel(_timer); // infinite due time: disarmed
            }
            else if (due == 0 && _provider.Engine.IsVirtual)
            {
                // Invoked immediately, below, on this thread; a period goes on from now.
                if (every > 0)
                {
                    _provider.Engine.ArmAfter(_timer, every, 0, every);
                }
                else
                {
                    _provider.Engine.Cancel(_timer);
                }

                runNow = true;
            }
            else
            {
                _provider.Engine.ArmAfter(_timer, due, 0, Math.Max(0, every)); // period 0 or infinite: one-shot
            }
        }

        if (runNow)
        {
            Run(_timer.ArmSequence, checkSequence: false, immediate: true);
        }

        return true;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _provider.Engine.Cancel(_timer);
        }
    }

    /// <summary>Disposes the timer; the task completes once no callback of it runs any more (Timer.DisposeAsync's contract).</summary>
    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _disposed = true;
            _provider.Engine.Cancel(_timer);
            if (_running == 0)
            {
                return default;
            }

            _disposeWaiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_disposeWaiter.Task);
        }
    }

    /// <summary>TimeSpan to ns; -1 for infinite. The range is checked on whole milliseconds (see the remarks).</summary>
    private static long ToNanoseconds(TimeSpan value, string paramName, bool wholeMilliseconds)
    {
        var milliseconds = (long)value.TotalMilliseconds;
        if (milliseconds < -1 || milliseconds > MaxMilliseconds)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "Must be between 0 and 4294967294 ms, or Timeout.InfiniteTimeSpan (-1 ms).");
        }

        if (milliseconds == -1)
        {
            return -1;
        }

        return wholeMilliseconds && milliseconds == 0
            ? 0 // FakeTimeProvider's rule, on request: below 1 ms runs at once
            : Math.Max(0, value.Ticks) * TimeUnits.NanosecondsPer100ns;
    }

    private void OnExpired(long armSequence)
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        if (_provider.RunCallbacksInline)
        {
            Run(armSequence, checkSequence: false);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Timer.Run(s.Sequence, checkSequence: true), (Timer: this, Sequence: armSequence), preferLocal: false);
        }
    }

    /// <summary>
    /// Runs the callback unless the timer was disposed (or, for a queued expiry, changed or cancelled since: its arm
    /// sequence moved on), counting it as running for DisposeAsync. On a virtual engine, an expiry reached from inside
    /// this timer's own callback is skipped or deferred instead (see "Re-entry" in the remarks).
    /// </summary>
    /// <param name="armSequence">The arm sequence of the expiry.</param>
    /// <param name="checkSequence">True for an expiry handed to the thread pool: dropped if the timer changed since.</param>
    /// <param name="immediate">True for the run a due time of 0 asks for (deferred, never skipped, on re-entry).</param>
    private void Run(long armSequence, bool checkSequence, bool immediate = false)
    {
        var virtualEngine = _provider.Engine.IsVirtual;
        var thread = Environment.CurrentManagedThreadId;
        lock (_gate)
        {
            if (virtualEngine && _runningThreads is { } running && running.Contains(thread))
            {
                DeferOrSkip(armSequence, immediate);
                return;
            }

            if (_disposed || (checkSequence && _timer.ArmSequence != armSequence))
            {
                return;
            }

            _running++;
            if (virtualEngine)
            {
                (_runningThreads ??= []).Add(thread);
            }
        }

        try
        {
            _callback(_state);
            while (virtualEngine && TakeDeferred())
            {
                _callback(_state); // a one-shot expiry that came due inside the callback: now, at the clock it left
            }
        }
        finally
        {
            TaskCompletionSource? done = null;
            lock (_gate)
            {
                if (virtualEngine)
                {
                    _runningThreads!.Remove(thread);
                }

                if (--_running == 0 && _disposeWaiter is { } waiter)
                {
                    done = waiter;
                }
            }

            done?.TrySetResult();
        }
    }

    /// <summary>
    /// An expiry reached from inside this timer's own callback (a nested advance on the same thread): a periodic timer's
    /// (the same arming goes on: the engine re-keyed it after the clock) is skipped; a one-shot's, or the run a due time
    /// of 0 asks for, waits for the callback to return (<see cref="TakeDeferred"/>).
    /// </summary>
    private void DeferOrSkip(long armSequence, bool immediate)
    {
        Debug.Assert(Monitor.IsEntered(_gate), "called under the gate");
        var periodicGoesOn = _timer.IsPending && _timer.ArmSequence == armSequence;
        if (!_disposed && (immediate || !periodicGoesOn))
        {
            _hasDeferred = true;
            _deferredSequence = armSequence;
        }
    }

    /// <summary>True (and cleared) if a deferred expiry waits and its arming is still the current one (no Change or Dispose since).</summary>
    private bool TakeDeferred()
    {
        lock (_gate)
        {
            var waiting = _hasDeferred;
            _hasDeferred = false;
            return waiting && !_disposed && _timer.ArmSequence == _deferredSequence;
        }
    }
}
