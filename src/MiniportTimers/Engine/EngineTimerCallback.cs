namespace MiniportTimers.Engine;

/// <summary>
/// The routine an <see cref="EngineTimer"/> runs when it fires.
/// </summary>
/// <param name="timer">The timer that fired. Its <see cref="EngineTimer.State"/> is the state given at creation.</param>
/// <param name="firing">When the timer was due and when the engine fired it, both in engine nanoseconds.</param>
/// <remarks>
/// Runs on the engine's dispatch thread (real clock) or on the thread calling
/// <see cref="VirtualTimerEngine.AdvanceBy(long)"/> (virtual clock), never under an engine lock. It may call
/// <see cref="TimerEngine.Arm"/>, <see cref="TimerEngine.Cancel"/> and <see cref="TimerEngine.CreateTimer"/> re-entrantly.
/// An exception it throws is caught, counted in <see cref="EngineStatistics.CallbackFaults"/> and reported through
/// <see cref="TimerEngine.CallbackFaulted"/>; it never stops the dispatcher.
/// </remarks>
public delegate void EngineTimerCallback(EngineTimer timer, in TimerFiring firing);
