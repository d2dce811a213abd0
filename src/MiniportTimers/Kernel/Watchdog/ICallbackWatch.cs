namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// The stuck-callback watch of one adapter (implemented by the hosting layer): publishes a watched callback's start so a
/// watchdog thread can report a callback that never returns, and tells the returning callback whether that report was
/// already made (one report per run).
/// </summary>
internal interface ICallbackWatch
{
    /// <summary>Stamps the start of a watched callback on the calling thread and publishes it.</summary>
    /// <param name="routine">The routine's name, for the report.</param>
    WatchdogStamp Begin(string routine);

    /// <summary>The callback returned: unpublishes it.</summary>
    /// <returns>True if the watchdog thread already reported this run (the return check must not report it again).</returns>
    bool End();
}
