namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// Running-callback tracking and the free-wait, the one copy under every timer kind (Storport, NDIS, EX_TIMER): how many
/// callbacks of a timer have committed to run and not returned, and on which thread the latest runs. A free (or delete)
/// at PASSIVE_LEVEL waits for them on the owner's gate, except on the callback's own thread (a callback may free its own
/// timer), where waiting would deadlock.
/// </summary>
/// <remarks>
/// A mutable struct kept in a field of its owner; every member is called with the owner's gate held (the gate is a
/// <see cref="Monitor"/> object, never held while user code runs). Invariant: the count is never negative.
/// </remarks>
internal struct RunningCallbacks
{
    private int _count;
    private Thread? _thread;

    /// <summary>True when a callback is running on the calling thread.</summary>
    public readonly bool OnCurrentThread => _count > 0 && ReferenceEquals(_thread, Thread.CurrentThread);

    /// <summary>A callback committed to run on the calling thread. Under the gate.</summary>
    public void Enter()
    {
        _count++;
        _thread = Thread.CurrentThread;
    }

    /// <summary>The callback returned: wakes the waiters of <paramref name="gate"/>. Under the gate.</summary>
    public void Exit(object gate)
    {
        System.Diagnostics.Debug.Assert(_count > 0, "a callback returned that never entered");
        _count--;
        _thread = null;
        Monitor.PulseAll(gate);
    }

    /// <summary>Waits, releasing <paramref name="gate"/> meanwhile, until no callback runs on another thread. Under the gate.</summary>
    public readonly void WaitForReturn(object gate)
    {
        while (_count > 0 && !ReferenceEquals(_thread, Thread.CurrentThread))
        {
            Monitor.Wait(gate);
        }
    }
}
