namespace MiniportTimers.Engine;

/// <summary>
/// Implemented by a timer's state object (<see cref="EngineTimer.State"/>) that knows better than reflection what the
/// timer runs: a hosted timer names the miniport's routine and its DDI ("P_Running_Callback (StorPortRequestTimer)"),
/// where reflection would name the host's shared expiry method. Read by <see cref="CallbackNames.Of(EngineTimer)"/>, for
/// reports only, on any thread; the implementation must be thread-safe and must not block.
/// </summary>
internal interface IReportedCallback
{
    /// <summary>What the timer runs, for a report; null when not known yet (then reflection names it).</summary>
    string? ReportedCallbackName { get; }
}
