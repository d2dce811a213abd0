using MiniportTimers.Engine;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Kernel;

/// <summary>
/// The executive timer routines (ExAllocateTimer, ExSetTimer, ExCancelTimer, ExDeleteTimer; Windows 8.1+), with the
/// names and values of wdm.h, for <c>using static MiniportTimers.Kernel.Ex;</c>. Due times and periods are in 100 ns.
/// </summary>
public static class Ex
{
    /// <summary>0x4: a high-resolution timer (needs a relative due time).</summary>
    public const uint EX_TIMER_HIGH_RESOLUTION = 0x4;

    /// <summary>0x8: a timer that need not wake an idle processor (see EXT_SET_PARAMETERS.NoWakeTolerance).</summary>
    public const uint EX_TIMER_NO_WAKE = 0x8;

    /// <summary>0x80000000: a notification timer.</summary>
    public const uint EX_TIMER_NOTIFICATION = 0x80000000;

    /// <summary>-1: NoWakeTolerance meaning "never wake for this timer".</summary>
    public const long EX_TIMER_UNLIMITED_TOLERANCE = -1;

    private const uint ValidAttributes = EX_TIMER_HIGH_RESOLUTION | EX_TIMER_NO_WAKE | EX_TIMER_NOTIFICATION;

    /// <summary>
    /// Allocates an executive timer (ExAllocateTimer). <paramref name="Callback"/> runs at DISPATCH_LEVEL on each expiry.
    /// </summary>
    /// <returns>The timer, or null for unknown attribute bits (as the user-mode twin NtCreateTimer2 rejects them).</returns>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL.</remarks>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL; DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4, <see cref="VerifierRules.ExTimerMisuse"/>) for HIGH_RESOLUTION together with NO_WAKE, which Windows bug-checks (the spec does not name its code).</exception>
    /// <exception cref="InvalidOperationException">No engine is bound (call from a host routine or inside <see cref="Ke.UseEngine"/>).</exception>
    public static EX_TIMER? ExAllocateTimer(EXT_CALLBACK? Callback, object? CallbackContext, uint Attributes)
    {
        Ke.RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, nameof(ExAllocateTimer));
        if ((Attributes & ~ValidAttributes) != 0)
        {
            return null;
        }

        if ((Attributes & EX_TIMER_HIGH_RESOLUTION) != 0 && (Attributes & EX_TIMER_NO_WAKE) != 0)
        {
            throw Misuse("ExAllocateTimer with EX_TIMER_HIGH_RESOLUTION and EX_TIMER_NO_WAKE together");
        }

        return new EX_TIMER(Callback, CallbackContext, Attributes);
    }

    /// <summary>A zeroed EXT_SET_PARAMETERS (Version 0, NoWakeTolerance 0), as ExInitializeSetTimerParameters makes it.</summary>
    public static EXT_SET_PARAMETERS ExInitializeSetTimerParameters() => new();

    /// <summary>
    /// Arms an executive timer (ExSetTimer): <paramref name="dueTime100ns"/> negative = relative, otherwise absolute system
    /// time; <paramref name="period100ns"/> 0 = one-shot. A NO_WAKE timer may fire up to Parameters.NoWakeTolerance late
    /// (EX_TIMER_UNLIMITED_TOLERANCE: only when something else wakes the dispatcher). A pending arming is replaced.
    /// </summary>
    /// <returns>TRUE if it cancelled a pending arming that had not yet expired.</returns>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL.</remarks>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL; 0xC4 (<see cref="VerifierRules.ExTimerMisuse"/>) for a high-resolution timer with an absolute due time, a period above MAXLONG, or a deleted timer.</exception>
    public static bool ExSetTimer(EX_TIMER Timer, long dueTime100ns, long period100ns, EXT_SET_PARAMETERS? Parameters)
    {
        ArgumentNullException.ThrowIfNull(Timer);
        Ke.RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, nameof(ExSetTimer));
        if (Timer.IsDeleted)
        {
            throw Misuse("ExSetTimer on a deleted timer");
        }

        if (Timer.IsHighResolution && dueTime100ns >= 0)
        {
            throw Misuse("ExSetTimer on a high-resolution timer with an absolute due time");
        }

        if (period100ns < 0 || period100ns > int.MaxValue)
        {
            throw Misuse($"ExSetTimer with a period of {period100ns} (100 ns units); it must be 0 to MAXLONG");
        }

        var engine = Timer.RequireEngine(nameof(ExSetTimer));
        var due = KernelTime.AbsoluteDue(engine, dueTime100ns, Timer.SystemTimeAtEngineZero100ns, nameof(dueTime100ns));
        long tolerance = 0;
        if (Timer.IsNoWake && Parameters is { NoWakeTolerance: var noWake and not 0 })
        {
            tolerance = noWake == EX_TIMER_UNLIMITED_TOLERANCE
                ? TimerEngine.MaxTimeNanoseconds - due
                : Math.Max(0, noWake) >= (TimerEngine.MaxTimeNanoseconds - due) / TimeUnits.NanosecondsPer100ns
                    ? TimerEngine.MaxTimeNanoseconds - due // beyond the engine's horizon: as good as unlimited (no overflow)
                    : Math.Max(0, noWake) * TimeUnits.NanosecondsPer100ns;
        }

        return Timer.Set(due, period100ns * TimeUnits.NanosecondsPer100ns, tolerance);
    }

    /// <summary>Cancels an executive timer (ExCancelTimer).</summary>
    /// <returns>TRUE if a pending arming was cancelled.</returns>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL.</exception>
    public static bool ExCancelTimer(EX_TIMER Timer, object? Parameters)
    {
        ArgumentNullException.ThrowIfNull(Timer);
        _ = Parameters;
        Ke.RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, nameof(ExCancelTimer));
        return Timer.Cancel();
    }

    /// <summary>
    /// Deletes an executive timer (ExDeleteTimer). <paramref name="Cancel"/> TRUE cancels a pending arming first; FALSE
    /// lets it expire once. <paramref name="Wait"/> TRUE (needs Cancel, PASSIVE or APC level, and not from the timer's own
    /// callback) waits for an expiry in progress. Parameters.DeleteCallback, if any, runs once the timer is deleted.
    /// </summary>
    /// <returns>TRUE only when Cancel is TRUE and a pending arming was cancelled; FALSE whenever Cancel is FALSE.</returns>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL, or above APC_LEVEL with Wait; 0xC4 (<see cref="VerifierRules.ExTimerMisuse"/>) for Wait without Cancel, or Wait from the timer's own callback.</exception>
    public static bool ExDeleteTimer(EX_TIMER Timer, bool Cancel, bool Wait, EXT_DELETE_PARAMETERS? Parameters)
    {
        ArgumentNullException.ThrowIfNull(Timer);
        Ke.RequireIrqlAtMost(Wait ? KIRQL.APC_LEVEL : KIRQL.DISPATCH_LEVEL, nameof(ExDeleteTimer));
        if (Wait && !Cancel)
        {
            throw Misuse("ExDeleteTimer with Wait = TRUE and Cancel = FALSE");
        }

        if (Wait && Timer.InOwnCallback)
        {
            throw Misuse("ExDeleteTimer with Wait = TRUE from the timer's own callback");
        }

        var cancelled = Cancel && Timer.Cancel();
        Timer.Delete(Wait);
        Parameters?.DeleteCallback?.Invoke(Parameters.DeleteContext);
        return cancelled;
    }

    private static BugCheckException Misuse(string detail) =>
        VerifierDecision.Decide(KernelContext.Current?.HostOptions, Misuses.ExTimerMisuse, 0, 0, 0, detail)!; // SameBugCheck: never null

    /// <summary>
    /// The timer resolution (ExSetTimerResolution), 100 ns units. The engine is always precise, so a request changes
    /// nothing: the result is what timers of the calling host get, 10 (1 µs) in precise mode, or the host's Windows clock
    /// tick when it set one (<see cref="KernelHostOptions.WindowsClockTickMicroseconds"/>; timeBeginPeriod's effect is
    /// that option, chosen per host).
    /// </summary>
    /// <param name="DesiredTime">The resolution asked for, 100 ns units (ignored, see above).</param>
    /// <param name="SetResolution">TRUE to ask, FALSE to release a request (ignored, see above).</param>
    /// <returns>The resolution in effect, 100 ns units.</returns>
    /// <remarks>IRQL: PASSIVE_LEVEL in Windows; any here. Thread-safe.</remarks>
    public static uint ExSetTimerResolution(uint DesiredTime, bool SetResolution)
    {
        _ = (DesiredTime, SetResolution);
        return KernelContext.Current?.HostOptions?.WindowsClockTickMicroseconds is { } tick ? (uint)(tick * 10) : 10u;
    }
}
