namespace MiniportTimers.Engine;

/// <summary>
/// One callback a dispatcher ran, as its engine measured it: the timer and the engine clock at the callback's start and
/// end, ns. <see cref="TimerEngine.LongestCallbackSinceWakeUp"/> gives the longest of those a dispatcher ran since its
/// latest wake-up, which is what a late fire of the same wake-up waited behind (issue 27: the run report's attribution
/// names it). Immutable; the timer is kept only for its name (<see cref="CallbackNames.Of(EngineTimer)"/>).
/// </summary>
/// <param name="Timer">The timer whose callback ran; null for none.</param>
/// <param name="StartNanoseconds">The engine clock when the callback started (the take, on a real engine), ns.</param>
/// <param name="EndNanoseconds">The engine clock when it returned, ns; ≥ <paramref name="StartNanoseconds"/>.</param>
internal readonly record struct CallbackSpan(EngineTimer? Timer, long StartNanoseconds, long EndNanoseconds)
{
    /// <summary>How long it ran, ns (0 for none).</summary>
    public long Nanoseconds => Timer is null ? 0 : EndNanoseconds - StartNanoseconds;

    /// <summary>The part of it inside [<paramref name="fromNanoseconds"/>, <paramref name="toNanoseconds"/>], ns; 0 for none or no overlap.</summary>
    public long OverlapNanoseconds(long fromNanoseconds, long toNanoseconds) =>
        Timer is null ? 0 : Math.Max(0, Math.Min(EndNanoseconds, toNanoseconds) - Math.Max(StartNanoseconds, fromNanoseconds));
}
