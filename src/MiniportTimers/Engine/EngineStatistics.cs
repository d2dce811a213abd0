namespace MiniportTimers.Engine;

/// <summary>A snapshot of an engine's counters since it was created.</summary>
/// <param name="Arms">Successful calls to <see cref="TimerEngine.Arm"/>.</param>
/// <param name="Cancels">Calls to <see cref="TimerEngine.Cancel"/> that removed a pending timer.</param>
/// <param name="Fires">Expiries handed to callbacks (each period of a periodic timer counts once).</param>
/// <param name="WakeUps">Times the dispatcher woke because a deadline passed (real clock) or moved its clock to a deadline (virtual clock).</param>
/// <param name="CallbackFaults">Callbacks that threw an exception.</param>
/// <param name="Pending">Timers pending at the moment of the snapshot.</param>
/// <param name="CoalescedFires">Expiries that fired without a wake-up of their own: they rode along with another timer's wake-up (or fired while the dispatcher was awake anyway).</param>
/// <param name="LongestCallbackNanoseconds">The longest a single callback ran, ns: every other timer of the engine waited that long behind it.</param>
public readonly record struct EngineStatistics(long Arms, long Cancels, long Fires, long WakeUps, long CallbackFaults, int Pending, long CoalescedFires, long LongestCallbackNanoseconds);
