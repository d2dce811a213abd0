namespace MiniportTimers.Engine;

/// <summary>
/// The arming parameters a one-shot timer on a real engine does without: the period and, on a virtual engine, the
/// arm-call ticket (the tolerance lives in the timer's <see cref="EngineTimer.ArmCode"/>). Allocated by the first
/// arming that needs them and kept by the timer (in <see cref="EngineTimer.Owner"/>), so re-arming allocates nothing.
/// Written under the timer's WritingBit, read by the dispatcher in a sequence-checked snapshot.
/// </summary>
internal sealed class ArmParameters(TimerEngine engine)
{
    /// <summary>The engine the timer belongs to.</summary>
    public readonly TimerEngine Engine = engine;

    /// <summary>Period of the current arming, ns, while the timer's arm code has its periodic bit (else stale: a one-shot arming on a real engine does not write it).</summary>
    public long PeriodNanoseconds;

    /// <summary>Virtual engines: the engine-wide ticket of the latest Arm call or periodic re-key (ties fire in ticket order).</summary>
    public long ArmTicket;
}
