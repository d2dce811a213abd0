namespace MiniportTimers.Kernel;

/// <summary>
/// Every misuse the verifier decides (<see cref="VerifierDecision"/>), each with its bug check and its verifier-off
/// answer written once. The decisions, and why each one is what Windows does, are in docs/conformance.md ("Verifier").
/// A row with <see cref="VerifierOffAnswer.Finding"/> is one Windows without Driver Verifier does not check: it goes on
/// (and the emulation records a finding, since what Windows then does to its lists is undefined); a row with
/// <see cref="VerifierOffAnswer.SameBugCheck"/> is checked by the routine itself.
/// </summary>
internal static class Misuses
{
    /// <summary>NdisCancelTimerObject on a periodic timer above PASSIVE_LEVEL (decision A10).</summary>
    public static readonly Misuse PeriodicCancelAbovePassive = new(
        "PeriodicCancelAbovePassive", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.PeriodicCancelAbovePassive, "P2 the caller's IRQL",
        VerifierOffAnswer.Finding, "the timer is cancelled without waiting for a running callback; the call returns whether it was queued");

    /// <summary>NdisFreeTimerObject on a queued timer object.</summary>
    public static readonly Misuse TimerFreedWhileQueued = new(
        "TimerFreedWhileQueued", BugCheckCodes.TIMER_OR_DPC_INVALID, VerifierRules.TimerObject, "P2-P4 0 (no addresses)",
        VerifierOffAnswer.Finding, "the host cancels the timer, then frees it");

    /// <summary>NdisSetTimerObject (or the coalescable one) on a timer object whose adapter halted with it allocated, or was stopped by a bug check.</summary>
    public static readonly Misuse TimerArmedAfterItsAdapterWentAway = new(
        "TimerArmedAfterItsAdapterWentAway", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.TimerArmedAfterItsAdapterWentAway, "P2-P4 0",
        VerifierOffAnswer.Finding, "the timer is armed: a halted adapter's timer fires as driver-level code, a stopped adapter's never runs");

    /// <summary>NdisSetTimerObject or NdisCancelTimerObject on a freed timer object (the C# object, or a native driver's stale handle).</summary>
    public static readonly Misuse FreedTimerUsed = new(
        "FreedTimerUsed", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.FreedTimerUsed, "P2-P4 0",
        VerifierOffAnswer.Finding, "nothing is armed or cancelled; the call returns FALSE (the timer was not queued)");

    /// <summary>NdisFreeTimerObject on a timer object already freed.</summary>
    public static readonly Misuse TimerFreedTwice = new(
        "TimerFreedTwice", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.FreedTimerUsed, "P2-P4 0",
        VerifierOffAnswer.Finding, "the second free does nothing");

    /// <summary>NdisMOidRequestComplete for a request that is not the adapter's outstanding one.</summary>
    public static readonly Misuse OidCompletedTwice = new(
        "OidCompletedTwice", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.OidRequestNotOutstanding, "P2 the OID",
        VerifierOffAnswer.Finding, "the completion is ignored");

    /// <summary>After MiniportHaltEx, a timer object allocated with the adapter's handle still allocated (recorded under "Halt").</summary>
    public static readonly Misuse TimerObjectNotFreedAtHalt = new(
        "TimerObjectNotFreedAtHalt", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.TimerObjectNotFreedAtHalt, "P2-P4 0",
        VerifierOffAnswer.Finding, "the timer object stays allocated and runs as driver-level code from then on");

    /// <summary>After MiniportHalt, shared memory (NdisMAllocateSharedMemory) still allocated (recorded under "Halt").</summary>
    public static readonly Misuse SharedMemoryNotFreedAtHalt = new(
        "SharedMemoryNotFreedAtHalt", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.SharedMemoryNotFreedAtHalt, "P2 the blocks left",
        VerifierOffAnswer.Finding, "the host frees the blocks");

    /// <summary>An adapter halted with a timer still queued (recorded under "Halt").</summary>
    public static readonly Misuse TimerQueuedAtHalt = new(
        "TimerQueuedAtHalt", BugCheckCodes.TIMER_OR_DPC_INVALID, VerifierRules.TimerObject, "P2-P4 0",
        VerifierOffAnswer.Finding, "the host cancels the timer");

    /// <summary>An adapter removed with a timer still queued (recorded under "Removal").</summary>
    public static readonly Misuse TimerQueuedAtRemoval = new(
        "TimerQueuedAtRemoval", BugCheckCodes.TIMER_OR_DPC_INVALID, VerifierRules.TimerObject, "P2-P4 0",
        VerifierOffAnswer.Finding, "the host cancels the timer");

    /// <summary>An adapter removed with a KDPC in its device extension still queued (recorded under "Removal").</summary>
    public static readonly Misuse DpcQueuedAtRemoval = new(
        "DpcQueuedAtRemoval", BugCheckCodes.TIMER_OR_DPC_INVALID, VerifierRules.DpcObject, "P2-P4 0",
        VerifierOffAnswer.Finding, "the host removes the DPC from its queue");

    /// <summary>A Storport port lock acquired out of the documented order (DPC or StartIo after Interrupt).</summary>
    public static readonly Misuse LockOrder = new(
        "LockOrder", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.LockOrder, "P2 the STOR_SPINLOCK acquired",
        VerifierOffAnswer.Finding, "the acquire goes on, and the kernel's own check stops it: IRQL_NOT_GREATER_OR_EQUAL (0x09), as KeAcquireSpinLock raising to DISPATCH_LEVEL from the device IRQL does on Windows");

    /// <summary>Inside HwStorTimer, a lock the StorPortAcquireSpinLock table forbids there (the DPC lock).</summary>
    public static readonly Misuse ForbiddenLockInTimerCallback = new(
        "ForbiddenLockInTimerCallback", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.ForbiddenLockInTimerCallback, "P2 the STOR_SPINLOCK acquired",
        VerifierOffAnswer.Finding, "the lock is acquired");

    /// <summary>StorPortReleaseSpinLock at an IRQL other than the one the acquire raised to.</summary>
    public static readonly Misuse ReleaseAtWrongIrql = new(
        "ReleaseAtWrongIrql", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.ReleaseAtWrongIrql, "P2 the IRQL at the release, P3 the lock's IRQL",
        VerifierOffAnswer.Finding, "the lock is released and the IRQL restored to the one before the acquire");

    /// <summary>NdisMInitializeTimer on a timer that is still queued.</summary>
    public static readonly Misuse NdisTimerInitializedWhileQueued = new(
        "NdisTimerInitializedWhileQueued", BugCheckCodes.TIMER_OR_DPC_INVALID, VerifierRules.TimerObject, "P2-P4 0",
        VerifierOffAnswer.Finding, "the host cancels the old arming, then initializes the timer");

    /// <summary>KeInitializeTimer(Ex) on a KTIMER that is still queued.</summary>
    public static readonly Misuse KeTimerInitializedWhileQueued = new(
        "KeTimerInitializedWhileQueued", BugCheckCodes.TIMER_OR_DPC_INVALID, VerifierRules.TimerObject, "P2-P4 0",
        VerifierOffAnswer.Finding, "the host cancels the old arming, then initializes the timer");

    /// <summary>KeInitializeDpc on a KDPC that is still queued.</summary>
    public static readonly Misuse KeDpcInitializedWhileQueued = new(
        "KeDpcInitializedWhileQueued", BugCheckCodes.TIMER_OR_DPC_INVALID, VerifierRules.DpcObject, "P2-P4 0",
        VerifierOffAnswer.Finding, "the host removes the DPC from its queue, then initializes it");

    /// <summary>NdisFreeSpinLock on a lock the calling thread holds.</summary>
    public static readonly Misuse SpinLockFreedWhileHeld = new(
        "SpinLockFreedWhileHeld", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.SpinLockFreedWhileHeld, "P2-P4 0",
        VerifierOffAnswer.Finding, "the lock is freed (NdisFreeSpinLock releases nothing)");

    /// <summary>An executive timer used against its contract (ExAllocateTimer, ExSetTimer, ExDeleteTimer, a deleted timer's handle).</summary>
    public static readonly Misuse ExTimerMisuse = new(
        "ExTimerMisuse", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.ExTimerMisuse, "P2 the handle (native) or 0",
        VerifierOffAnswer.SameBugCheck, "the same bug check: the Ex timer routines check their arguments themselves");

    /// <summary>Every row, in the order above.</summary>
    public static readonly Misuse[] All =
    [
        PeriodicCancelAbovePassive, TimerFreedWhileQueued, TimerArmedAfterItsAdapterWentAway, FreedTimerUsed, TimerFreedTwice,
        OidCompletedTwice, TimerObjectNotFreedAtHalt, SharedMemoryNotFreedAtHalt, TimerQueuedAtHalt, TimerQueuedAtRemoval,
        DpcQueuedAtRemoval, LockOrder, ForbiddenLockInTimerCallback, ReleaseAtWrongIrql, NdisTimerInitializedWhileQueued,
        KeTimerInitializedWhileQueued, KeDpcInitializedWhileQueued, SpinLockFreedWhileHeld, ExTimerMisuse,
    ];
}
