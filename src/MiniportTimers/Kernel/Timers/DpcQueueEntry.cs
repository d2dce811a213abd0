using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// A DPC's place in the queue, shared by every DPC kind (KDPC, STOR_DPC): an engine timer armed "now" while queued, and
/// the two system arguments of the queuing that put it there. Insert is KeInsertQueueDpc's rule: only a DPC that is not
/// queued is queued, and only then are its arguments taken; the check, the write and the arming are one step under the
/// entry's lock, so of two racing callers exactly one is told TRUE and its arguments are the ones the routine gets.
/// </summary>
/// <remarks>
/// Synchronization rules: <c>_gate</c> is held only around the check, the argument writes and the lock-free engine
/// arm, never around the routine. The routine reads the arguments when it runs; a queuing that lands after the
/// dispatcher took this expiry (the DPC is running, no longer queued) queues it again with its own arguments, as Windows
/// allows a running DPC to be queued again.
/// </remarks>
internal sealed class DpcQueueEntry
{
    private readonly object _gate = new();
    private readonly EngineTimer _timer;

    /// <summary>Creates the entry on <paramref name="engine"/>; <paramref name="run"/> gets <paramref name="owner"/> when the DPC runs.</summary>
    public DpcQueueEntry(TimerEngine engine, Action<object> run, object owner)
    {
        _timer = engine.CreateTimer(static (t, in _) => ((DpcQueueEntry)t.State!).Run(), this);
        Engine = engine;
        RunRoutine = run;
        Owner = owner;
    }

    /// <summary>The engine the DPC runs on.</summary>
    public TimerEngine Engine { get; }

    /// <summary>True while queued (a snapshot).</summary>
    public bool IsQueued => _timer.IsPending;

    /// <summary>The first system argument of the queuing that last succeeded.</summary>
    public object? SystemArgument1 { get; private set; }

    /// <summary>The second system argument of the queuing that last succeeded.</summary>
    public object? SystemArgument2 { get; private set; }

    private Action<object> RunRoutine { get; }

    private object Owner { get; }

    /// <summary>Queues the DPC unless it is queued; the arguments are taken only when it is newly queued.</summary>
    /// <returns>TRUE if newly queued; FALSE if it was already queued.</returns>
    /// <param name="systemArgument1">The first system argument.</param>
    /// <param name="systemArgument2">The second system argument.</param>
    /// <param name="targetProcessor">The dispatcher to run on (KeSetTargetProcessorDpc), or null for the queuing CPU's.</param>
    public bool Insert(object? systemArgument1, object? systemArgument2, int? targetProcessor = null)
    {
        lock (_gate)
        {
            if (_timer.IsPending)
            {
                return false;
            }

            SystemArgument1 = systemArgument1;
            SystemArgument2 = systemArgument2;
            if (targetProcessor is { } target && Engine.DispatcherCount > 1) // one dispatcher: nowhere else to run
            {
                Engine.TrySetTargetDispatcher(_timer, target);
            }

            Engine.Arm(_timer, Engine.NowNanoseconds);
            return true;
        }
    }

    /// <summary>Dequeues the DPC (KeRemoveQueueDpc); cannot stop one already running.</summary>
    /// <returns>TRUE if it was queued and is now removed.</returns>
    public bool Remove() => Engine.Cancel(_timer);

    private void Run() => RunRoutine(Owner);
}
