namespace MiniportTimers.Engine;

/// <summary>One expiry of an <see cref="EngineTimer"/>, as handed to its callback.</summary>
/// <param name="DueNanoseconds">The due time of the expiry, in engine nanoseconds (the clock of the engine that fired it).</param>
/// <param name="FiredAtNanoseconds">The engine clock when the expiry was taken from the queue, in nanoseconds; never less than <paramref name="DueNanoseconds"/>.</param>
/// <param name="ArmSequence">The value of <see cref="EngineTimer.ArmSequence"/> for the arming that produced this expiry; a host compares it to tell a stale expiry from a current one.</param>
/// <param name="Overruns">Periodic timers only: how many whole periods this expiry skipped because the dispatcher was late (decision A13: missed periods are not replayed). 0 for one-shot timers.</param>
public readonly record struct TimerFiring(long DueNanoseconds, long FiredAtNanoseconds, long ArmSequence, long Overruns)
{
    /// <summary>Fire time minus due time, in nanoseconds (never negative).</summary>
    public long LatenessNanoseconds => FiredAtNanoseconds - DueNanoseconds;
}
