namespace MiniportTimers.Hosting.Timers;

/// <summary>
/// What an adapter's timer table needs of a timer of either stack (a Storport <see cref="HostedTimer"/>, an NDIS timer made
/// of a KTIMER and a KDPC): to cancel it when the adapter goes away. Thread-safe.
/// </summary>
internal interface IAdapterTimer
{
    /// <summary>Cancels without waiting, counting the cancel: the adapter is going away (removal, halt, bug check).</summary>
    /// <returns>True if a request was pending or the timer was queued (the timer kind's cancel rule).</returns>
    bool Abandon();
}
