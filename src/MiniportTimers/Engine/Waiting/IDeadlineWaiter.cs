namespace MiniportTimers.Engine.Waiting;

/// <summary>
/// The dispatch thread's sleep: blocks until an absolute deadline on the engine clock passes, or until the deadline is
/// moved earlier from another thread. One waiter serves one dispatch thread.
/// </summary>
internal interface IDeadlineWaiter : IDisposable
{
    /// <summary>A short name for reports ("timerfd", "monitor").</summary>
    string Name { get; }

    /// <summary>
    /// Sets the deadline, engine ns (<see cref="long.MaxValue"/> = none: sleep until the next change). Safe from any
    /// thread; a deadline already in the past wakes the waiter at once.
    /// </summary>
    void SetDeadline(long deadlineNanoseconds);

    /// <summary>Blocks the dispatch thread until the current deadline passes or <see cref="SetDeadline"/> moves it.</summary>
    void Wait();
}
