using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// A DPC object (KDPC): initialized with KeInitializeDpc, queued with KeInsertQueueDpc (at most once at a time), removed
/// with KeRemoveQueueDpc; its routine runs on the engine's dispatcher at DISPATCH_LEVEL. Thread-safe.
/// </summary>
public sealed class KDPC : KernelObject
{
    private DpcQueueEntry? _queue;

    /// <summary>Where Windows would queue it (KeSetImportanceDpc); recorded: this host's one DPC queue is first in, first out.</summary>
    public KDPC_IMPORTANCE Importance { get; internal set; } = KDPC_IMPORTANCE.MediumImportance;

    /// <summary>The processor (engine dispatcher) it is to run on (KeSetTargetProcessorDpc); null until set: then it runs on the dispatcher of the CPU that queues it.</summary>
    public int? TargetProcessor { get; internal set; }

    internal KDEFERRED_ROUTINE? Routine { get; private set; }

    internal object? DeferredContext { get; private set; }

    /// <summary>The host component that owns this DPC (NDIS's timer DPC), or null for a driver's DPC. Set once, at initialization.</summary>
    internal IDpcOwner? Owner { get; private set; }

    internal void Initialize(KDEFERRED_ROUTINE routine, object? deferredContext)
    {
        if (_queue is { } old && old.Remove())
        {
            VerifierDecision.InKernel(Misuses.KeDpcInitializedWhileQueued, "KeInitializeDpc on a DPC that is still queued", "KeInitializeDpc on a DPC that is still queued: the host removed it from the queue.");
        }

        Bind(nameof(Ke.KeInitializeDpc));
        Routine = routine;
        DeferredContext = deferredContext;
        _queue = new DpcQueueEntry(Engine!, static d => ((KDPC)d).Run(), this);
    }

    /// <summary>
    /// KeInitializeDpc as a component of the host calls it for its own DPC (<see cref="IDpcOwner"/>: NDIS's timer DPC), bound
    /// to <paramref name="scope"/>: its deferred routine is the owner's. Called once, on a new object.
    /// </summary>
    internal void InitializeOwned(IDpcOwner owner, KernelScope scope)
    {
        System.Diagnostics.Debug.Assert(_queue is null && Owner is null, "an owned DPC is initialized once, new");
        BindTo(scope);
        Owner = owner;
        Routine = OwnedRoutine;
        _queue = new DpcQueueEntry(Engine!, static d => ((KDPC)d).Run(), this);
    }

    /// <summary>An owned DPC's routine, were it queued with KeInsertQueueDpc: the owner's, with the system time unboxed.</summary>
    private static void OwnedRoutine(KDPC dpc, object? deferredContext, object? systemArgument1, object? systemArgument2) =>
        dpc.Owner!.RunDeferredRoutine(dpc, ((long)(systemArgument2 as uint? ?? 0) << 32) | (systemArgument1 as uint? ?? 0));

    /// <summary>Queues the DPC unless it is queued; the arguments are taken only when it is newly queued.</summary>
    internal bool Insert(object? systemArgument1, object? systemArgument2) =>
        (_queue ?? throw new InvalidOperationException("KeInsertQueueDpc: the DPC was never initialized.")).Insert(systemArgument1, systemArgument2, TargetProcessor);

    /// <summary>True while queued (a snapshot).</summary>
    internal bool IsQueued => _queue is { IsQueued: true };

    internal bool Remove() => _queue is { } queue && queue.Remove();

    private void Run()
    {
        if (Routine is { } routine && _queue is { } queue)
        {
            RunAtDispatch((Dpc: this, routine, queue), static (in s) => s.routine(s.Dpc, s.Dpc.DeferredContext, s.queue.SystemArgument1, s.queue.SystemArgument2));
        }
    }
}
