namespace MiniportTimers.Engine;

/// <summary>
/// The arming parameters a plain one-shot timer does without: tolerance, period and, on a virtual engine, the arm-call
/// ticket. Allocated by the first arming that needs them and kept by the timer (in <see cref="EngineTimer.Owner"/>), so
/// re-arming allocates nothing. Written under the timer's WritingBit, read by the dispatcher in a sequence-checked
/// snapshot.
/// </summary>
internal sealed class ArmParameters(TimerEngine engine)
{
    /// <summary>The engine the timer belongs to.</summary>
    public readonly TimerEngine Engine = engine;

    /// <summary>How late the current arming may fire, ns (deadline = due + tolerance).</summary>
    public long ToleranceNanoseconds;

    /// <summary>Period of the current arming, ns; 0 = one-shot.</summary>
    public long PeriodNanoseconds;

    /// <summary>Virtual engines: the engine-wide ticket of the latest Arm call or periodic re-key (ties fire in ticket order).</summary>
    public long ArmTicket;
}
