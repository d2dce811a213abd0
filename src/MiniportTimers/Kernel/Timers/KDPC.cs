using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// A DPC object (KDPC): initialized with KeInitializeDpc, queued with KeInsertQueueDpc (at most once at a time), removed
/// with KeRemoveQueueDpc; its routine runs on the engine's dispatcher at DISPATCH_LEVEL. Thread-safe.
/// </summary>
public sealed class KDPC : KernelObject
{
    private EngineTimer? _queue;

    internal KDEFERRED_ROUTINE? Routine { get; private set; }

    internal object? DeferredContext { get; private set; }

    internal object? SystemArgument1 { get; private set; }

    internal object? SystemArgument2 { get; private set; }

    internal void Initialize(KDEFERRED_ROUTINE routine, object? deferredContext)
    {
        if (_queue is { } old && old.Engine.Cancel(old))
        {
            throw new BugCheckException(BugCheckCodes.TIMER_OR_DPC_INVALID, VerifierRules.DpcObject, 0, 0, 0, "KeInitializeDpc on a DPC that is still queued");
        }

        Bind(nameof(Ke.KeInitializeDpc));
        Routine = routine;
        DeferredContext = deferredContext;
        _queue = Engine!.CreateTimer(static (t, in _) => ((KDPC)t.State!).Run(), this);
    }

    /// <summary>Queues the DPC unless it is queued; the arguments are taken only when it is newly queued.</summary>
    internal bool Insert(object? systemArgument1, object? systemArgument2)
    {
        var queue = _queue ?? throw new InvalidOperationException("KeInsertQueueDpc: the DPC was never initialized.");
        lock (queue)
        {
            if (queue.IsPending)
            {
                return false;
            }

            SystemArgument1 = systemArgument1;
            SystemArgument2 = systemArgument2;
            queue.Engine.Arm(queue, queue.Engine.NowNanoseconds);
            return true;
        }
    }

    internal bool Remove() => _queue is { } queue && queue.Engine.Cancel(queue);

    private void Run()
    {
        if (Routine is { } routine)
        {
            RunAtDispatch(() => routine(this, DeferredContext, SystemArgument1, SystemArgument2));
        }
    }
}
