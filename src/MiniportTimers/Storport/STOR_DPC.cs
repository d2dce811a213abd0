using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Storport;

/// <summary>
/// A miniport DPC (STOR_DPC): initialized with StorPortInitializeDpc, queued with StorPortIssueDpc. It runs on the
/// adapter's dispatcher at DISPATCH_LEVEL with no port lock held; it can be queued only once at a time (KeInsertQueueDpc).
/// </summary>
public sealed class STOR_DPC
{
    internal StorportAdapter? Adapter { get; set; }

    internal HW_DPC_ROUTINE? Routine { get; set; }

    /// <summary>Its place in the queue (the DPC rule shared with KDPC); null until StorPortInitializeDpc.</summary>
    internal DpcQueueEntry? Queue { get; set; }
}
