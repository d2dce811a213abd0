namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// A DPC's importance (KDPC_IMPORTANCE, wdm.h; KeSetImportanceDpc). Windows queues a HighImportance DPC at the head of
/// the processor's DPC queue and the others at the tail; this host records it (<see cref="KDPC.Importance"/>) and runs
/// its one DPC queue in the order DPCs were queued, whatever their importance.
/// </summary>
public enum KDPC_IMPORTANCE
{
    /// <summary>0: queued at the tail; may not request an interrupt.</summary>
    LowImportance = 0,

    /// <summary>1: the default; queued at the tail.</summary>
    MediumImportance = 1,

    /// <summary>2: queued at the head on Windows.</summary>
    HighImportance = 2,

    /// <summary>3: queued at the tail; requests processing at once on Windows.</summary>
    MediumHighImportance = 3,
}
