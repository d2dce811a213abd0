namespace MiniportTimers.Engine;

/// <summary>One expiry of an <see cref="EngineTimer"/>, as handed to its callback.</summary>
/// <param name="DueNanoseconds">The due time of the expiry, in engine nanoseconds (the clock of the engine that fired it).</param>
/// <param name="FiredAtNanoseconds">The engine clock when the expiry was taken from the queue, in nanoseconds; never less than <paramref name="DueNanoseconds"/>.</param>
/// <param name="ArmSequence">The value of <see cref="EngineTimer.ArmSequence"/> for the arming that produced this expiry; a host compares it to tell a stale expiry from a current one.</param>
/// <param name="Overruns">Periodic timers only: how many whole periods this expiry skipped because the dispatcher was late (decision A13: missed periods are not replayed). 0 for one-shot timers.</param>
public readonly record struct TimerFiring(long DueNanoseconds, long FiredAtNanoseconds, long ArmSequence, long Overruns)
{
    /// <summary>
    /// The engine clock when the dispatcher that took this expiry last woke up (from its OS wait or its short spin) and
    /// began taking expiries, in nanoseconds; at most <see cref="FiredAtNanoseconds"/>. Above <see cref="DueNanoseconds"/>:
    /// the dispatcher was asleep at the due time and woke this late past it; at or below it: it was awake, and the rest of
    /// the lateness up to the take went to other callbacks before this one (issue 27: the run report's attribution of a
    /// timer's worst fire). 0 when the firing was not made by a dispatcher.
    /// </summary>
    public long WokeAtNanoseconds { get; init; }

    /// <summary>
    /// The deadline the dispatcher had programmed for the sleep (or spin) that ended at <see cref="WokeAtNanoseconds"/>,
    /// engine nanoseconds: the earliest latest-allowed time of its pending timers then (an arming thread's lowering
    /// included). At or before <see cref="DueNanoseconds"/>, the dispatcher asked to wake in time and the OS woke it late;
    /// after it, the dispatcher's own deadline was past the due time (a tolerable delay allows that). 0 when unknown: no
    /// deadline was programmed (a wake-up for new armings), or the firing was not made by a real-clock dispatcher.
    /// </summary>
    public long SleptUntilNanoseconds { get; init; }

    /// <summary>
    /// The dispatcher's time asleep so far, engine nanoseconds: the sum over its OS waits that ended at or after their
    /// deadline of each wait's stretch up to that deadline. Its thread could not wait for a CPU there, so a reading of its
    /// run-queue wait taken before those sleeps is still a baseline after them (issue 27: the host's CPU-wait baseline,
    /// which otherwise took a fresh, cold system call in the first callback after a long sleep). Grows only; 0 when the
    /// firing was not made by a real-clock dispatcher.
    /// </summary>
    public long DispatcherSleptNanoseconds { get; init; }

    /// <summary>Fire time minus due time, in nanoseconds (never negative).</summary>
    public long LatenessNanoseconds => FiredAtNanoseconds - DueNanoseconds;
}
