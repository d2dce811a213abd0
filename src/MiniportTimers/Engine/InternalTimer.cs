namespace MiniportTimers.Engine;

/// <summary>An engine-internal timer (a flush marker): it fires like any other but is left out of every statistic.</summary>
internal sealed class InternalTimer(TimerEngine engine, EngineTimerCallback callback, object? state)
    : DelegateEngineTimer(engine, callback, state);
