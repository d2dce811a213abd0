using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// An executive timer (EX_TIMER) from ExAllocateTimer: its callback runs at DISPATCH_LEVEL on expiry. ExDeleteTimer frees
/// it; afterwards it never runs again. Thread-safe.
/// </summary>
/// <remarks>
/// Synchronization rules: every field is under <c>_gate</c>, never held while the callback runs. An expiry commits when
/// it finds the timer not deleted and enters <see cref="RunningCallbacks"/>; a delete that takes the gate first wins.
/// A delete with wait (ExDeleteTimer Wait = TRUE) that comes after waits for the callback to return, unless it is that
/// callback deleting its own timer.
/// <code>
///   dispatcher (expiry)                 caller
///   lock gate                           ExDeleteTimer(Wait = TRUE)
///     deleted? ──yes──► drop              lock gate; deleted = true (or after this expiry)
///     running.Enter()                     running on another thread? ──► Monitor.Wait until it returns
///   unlock; callback(...)               unlock
///   lock; running.Exit (PulseAll)
/// </code>
/// </remarks>
public sealed class EX_TIMER : KernelObject
{
    private readonly object _gate = new();
    private readonly EngineTimer _timer;
    private bool _deleted;
    private bool _deleteAfterExpiry;
    private RunningCallbacks _running;

    internal EX_TIMER(EXT_CALLBACK? callback, object? context, uint attributes)
    {
        Bind(nameof(Ex.ExAllocateTimer));
        Callback = callback;
        Context = context;
        Attributes = attributes;
        _timer = Engine!.CreateTimer(static (t, in _) => ((EX_TIMER)t.State!).Expire(), this);
    }

    /// <summary>EX_TIMER_* attributes.</summary>
    public uint Attributes { get; }

    internal EXT_CALLBACK? Callback { get; }

    internal object? Context { get; }

    internal bool IsHighResolution => (Attributes & Ex.EX_TIMER_HIGH_RESOLUTION) != 0;

    internal bool IsNoWake => (Attributes & Ex.EX_TIMER_NO_WAKE) != 0;

    internal bool IsDeleted
    {
        get
        {
            lock (_gate)
            {
                return _deleted;
            }
        }
    }

    /// <summary>True when the calling thread is running this timer's callback.</summary>
    internal bool InOwnCallback
    {
        get
        {
            lock (_gate)
            {
                return _running.OnCurrentThread;
            }
        }
    }

    internal bool Set(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds) =>
        _timer.Engine.Arm(_timer, dueNanoseconds, toleranceNanoseconds, periodNanoseconds);

    internal bool Cancel() => _timer.Engine.Cancel(_timer);

    /// <summary>
    /// Deletes the timer. When it is still pending (ExDeleteTimer with Cancel = FALSE) its pending expiry runs once and
    /// then it is gone; otherwise it never runs again. With <paramref name="wait"/>, waits for a callback running on
    /// another thread.
    /// </summary>
    internal void Delete(bool wait)
    {
        lock (_gate)
        {
            if (_timer.IsPending)
            {
                _deleteAfterExpiry = true;
            }
            else
            {
                _deleted = true;
            }

            if (wait)
            {
                _running.WaitForReturn(_gate);
            }
        }
    }

    private void Expire()
    {
        lock (_gate)
        {
            if (_deleted)
            {
                return; // deleted: never runs again
            }

            if (_deleteAfterExpiry)
            {
                _deleted = true; // this was the pending expiry a Cancel = FALSE delete let through: the last one
                _timer.Engine.Cancel(_timer);
            }

            _running.Enter();
        }

        try
        {
            if (Callback is not null)
            {
                RunAtDispatch(this, static t => t.Callback!(t, t.Context));
            }
        }
        finally
        {
            lock (_gate)
            {
                _running.Exit(_gate);
            }
        }
    }
}
