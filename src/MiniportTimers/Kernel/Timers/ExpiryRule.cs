namespace MiniportTimers.Kernel.Timers;

/// <summary>What a cancel does to an expiry the dispatcher has already taken from the queue.</summary>
internal enum ExpiryRule
{
    /// <summary>
    /// Storport (decision A3): a request is pending until its callback commits to run; a cancel, re-arm or free before
    /// that point wins, and the taken expiry is dropped (counted as stale). BUSY is "pending".
    /// </summary>
    DropAfterCancel,

    /// <summary>
    /// A KTIMER bound to a KDPC (NDIS, decision A14): a cancel dequeues and reports whether the timer was queued; an
    /// expiry already taken still runs once. Only a free stops it.
    /// </summary>
    RunOnceAfterCancel,
}
