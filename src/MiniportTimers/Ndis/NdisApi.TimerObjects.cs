using MiniportTimers.Engine;
using MiniportTimers.Hosting;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis.Timers;

namespace MiniportTimers.Ndis;

public static partial class NdisApi
{
    // ============================================================================================================
    // NDIS 6 timer objects (semantics §2.2)
    // ============================================================================================================

    /// <summary>Allocates a timer object (NdisAllocateTimerObject).</summary>
    /// <param name="ndisHandle">The NdisDriverHandle or a MiniportAdapterHandle.</param>
    /// <param name="timerCharacteristics">Header type 0x97, revision 1, size ≥ 24, and a TimerFunction.</param>
    /// <param name="timerObject">Receives the handle; null on failure.</param>
    /// <returns>
    /// NDIS_STATUS_SUCCESS; NDIS_STATUS_BAD_CHARACTERISTICS (0xC0010005) for a wrong header type, revision or size, a
    /// null TimerFunction or null characteristics; NDIS_STATUS_FAILURE (0xC0000001) for an unknown handle.
    /// </returns>
    /// <remarks>
    /// IRQL: &lt;= DISPATCH_LEVEL. A timer allocated with the driver handle from inside an adapter's handler belongs to
    /// that adapter for fault isolation (a bug check in its callback stops that adapter).
    /// </remarks>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL.</exception>
    public static uint NdisAllocateTimerObject(object? ndisHandle, NDIS_TIMER_CHARACTERISTICS? timerCharacteristics, out NdisTimerObject? timerObject)
    {
        timerObject = null;
        Ke.RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, nameof(NdisAllocateTimerObject));
        var (host, owner) = ndisHandle switch
        {
            NdisMiniportAdapter a => (a.Host, a),
            NdisDriverHandle d => (d.Host, NdisRoutines.CurrentAdapter is { } current && current.Host == d.Host ? current : null),
            _ => ((NdisHost?)null, (NdisMiniportAdapter?)null),
        };
        if (timerCharacteristics is not { TimerFunction: { } function } c
            || c.Header.Type != NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS
            || c.Header.Revision != NDIS_TIMER_CHARACTERISTICS_REVISION_1
            || c.Header.Size < NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1)
        {
            return NDIS_STATUS_BAD_CHARACTERISTICS;
        }

        if (host is null)
        {
            return NDIS_STATUS_FAILURE;
        }

        var handle = new NdisTimerObject();
        handle.Timer = new NdisTimer(host, "NdisTimerObject", handle, function, c.FunctionContext, owner, allocatedWithAdapterHandle: ndisHandle is NdisMiniportAdapter);
        owner?.Timers.TryTrack(handle.Timer);
        timerObject = handle;
        return NDIS_STATUS_SUCCESS;
    }

    /// <summary>
    /// Arms the timer object (NdisSetTimerObject). Re-setting a queued timer is an implicit cancel and re-arm.
    /// </summary>
    /// <param name="timerObject">The timer.</param>
    /// <param name="dueTime100ns">100 ns units. Negative: relative to now. Positive or 0: absolute system time
    /// (<see cref="Kernel.KernelHostOptions.SystemTimeAtEngineZero100ns"/> is engine time 0); a time already past fires at the
    /// next dispatch (decision A15).</param>
    /// <param name="millisecondsPeriod">0 for one-shot; otherwise the period in ms (phase kept, decision A13).</param>
    /// <param name="functionContext">The context for the callback; null means the default from the characteristics.</param>
    /// <returns>TRUE if the timer was already queued (this call replaced it), else FALSE.</returns>
    /// <remarks>
    /// IRQL: &lt;= DISPATCH_LEVEL. The callback runs at DISPATCH_LEVEL. Setting a timer object whose adapter went away
    /// (halted with it still allocated, or stopped by a bug check) is reported: with the verifier a bug check, without it
    /// a finding, after which a leaked timer object fires as driver-level code.
    /// </remarks>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL; with the verifier 0xC4 (<see cref="VerifierRules.TimerArmedAfterItsAdapterWentAway"/>) when the timer object's adapter went away.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative period, or a due time beyond the engine's range; other timers are untouched.</exception>
    /// <exception cref="BugCheckException">(Freed timer object) with the verifier 0xC4 (<see cref="VerifierRules.FreedTimerUsed"/>); without it a finding, and FALSE with nothing armed.</exception>
    public static bool NdisSetTimerObject(NdisTimerObject timerObject, long dueTime100ns, int millisecondsPeriod, object? functionContext) =>
        SetTimerObject(timerObject, dueTime100ns, millisecondsPeriod, functionContext, 0, nameof(NdisSetTimerObject));

    /// <summary>
    /// NdisSetTimerObject with a tolerance (NdisSetCoalescableTimerObject, NDIS 6.20): each expiry may come up to
    /// <paramref name="toleranceMilliseconds"/> late so that wake-ups coalesce; never early.
    /// </summary>
    /// <param name="timerObject">The timer.</param>
    /// <param name="dueTime100ns">100 ns units; negative relative, otherwise absolute system time (see NdisSetTimerObject).</param>
    /// <param name="millisecondsPeriod">0 for one-shot; otherwise the period in ms.</param>
    /// <param name="functionContext">The context for the callback; null means the default.</param>
    /// <param name="toleranceMilliseconds">How late each expiry may come, ms.</param>
    /// <returns>TRUE if the timer was already queued.</returns>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL; with the verifier 0xC4 (<see cref="VerifierRules.TimerArmedAfterItsAdapterWentAway"/>) when the timer object's adapter went away.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative period, or a due time beyond the engine's range.</exception>
    public static bool NdisSetCoalescableTimerObject(NdisTimerObject timerObject, long dueTime100ns, int millisecondsPeriod, object? functionContext, uint toleranceMilliseconds) =>
        SetTimerObject(timerObject, dueTime100ns, millisecondsPeriod, functionContext, toleranceMilliseconds, nameof(NdisSetCoalescableTimerObject));

    /// <summary>Both set DDIs; <paramref name="routine"/> names the one called in any bug check.</summary>
    private static bool SetTimerObject(NdisTimerObject timerObject, long dueTime100ns, int millisecondsPeriod, object? functionContext, uint toleranceMilliseconds, string routine)
    {
        if (Ndis6Timer(timerObject, routine) is not { } t)
        {
            return false; // a freed timer object, verifier off (Misuses.FreedTimerUsed)
        }

        ArgumentOutOfRangeException.ThrowIfNegative(millisecondsPeriod);
        var due = KernelTime.AbsoluteDue(t.Host.Engine, dueTime100ns, t.NdisHost.Options.SystemTimeAtEngineZero100ns, nameof(dueTime100ns));
        ReportArmAfterItsAdapterWentAway(t, routine);
        return t.Set(due, millisecondsPeriod * TimeUnits.NanosecondsPerMillisecond, toleranceMilliseconds * TimeUnits.NanosecondsPerMillisecond, functionContext);
    }

    /// <summary>
    /// Dequeues the timer object (NdisCancelTimerObject). For a periodic timer it also flushes queued DPCs, so on return
    /// no callback of it is queued or running anywhere; for a one-shot timer it does not wait.
    /// </summary>
    /// <returns>TRUE if the timer was queued and is now dequeued, else FALSE.</returns>
    /// <remarks>
    /// IRQL: one-shot &lt;= DISPATCH_LEVEL; periodic PASSIVE_LEVEL. A periodic cancel above PASSIVE_LEVEL still cancels
    /// but cannot wait (decision A10); the verifier then raises 0xC4 (<see cref="VerifierRules.PeriodicCancelAbovePassive"/>),
    /// without it the call is reported as a finding.
    /// </remarks>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL; with the verifier 0xC4 as above, or 0xC4 (<see cref="VerifierRules.FreedTimerUsed"/>) on a freed timer.</exception>
    public static bool NdisCancelTimerObject(NdisTimerObject timerObject)
    {
        if (Ndis6Timer(timerObject, nameof(NdisCancelTimerObject)) is not { } t)
        {
            return false; // a freed timer object, verifier off (Misuses.FreedTimerUsed)
        }

        var cancelled = t.Cancel();
        if (t.IsPeriodic)
        {
            var irql = Ke.KeGetCurrentIrql();
            if (irql == KIRQL.PASSIVE_LEVEL)
            {
                t.Host.Engine.FlushDispatched();
            }
            else
            {
                t.Host.Misuse(
                    t.NdisOwner?.Name ?? MiniportHost.DriverTrack,
                    Misuses.PeriodicCancelAbovePassive,
                    $"NdisCancelTimerObject on a periodic timer at {irql.IrqlName()}; it must be called at PASSIVE_LEVEL (the timer was cancelled)",
                    $"NdisCancelTimerObject on a periodic timer at {irql.IrqlName()}; it must be called at PASSIVE_LEVEL. Cancelled without waiting for a running callback.",
                    (ulong)irql);
            }
        }

        return cancelled;
    }

    /// <summary>
    /// Frees the timer object (NdisFreeTimerObject): cancels it; no callback starts afterwards; at PASSIVE_LEVEL a
    /// callback running on another thread is waited for (decision A9). Freeing a queued timer (the documentation says to
    /// cancel first) or freeing twice: with the verifier a bug check, without it a finding.
    /// </summary>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL.</remarks>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL; with the verifier TIMER_OR_DPC_INVALID (0xC7) for a queued timer (after cancelling it) or 0xC4 (<see cref="VerifierRules.FreedTimerUsed"/>) for a double free.</exception>
    public static void NdisFreeTimerObject(NdisTimerObject timerObject)
    {
        ArgumentNullException.ThrowIfNull(timerObject);
        Ke.RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, nameof(NdisFreeTimerObject));
        var t = timerObject.Timer;
        var where = t.NdisOwner?.Name ?? MiniportHost.DriverTrack;
        var wasQueued = t.IsQueued;
        if (!t.Free())
        {
            TimerObjectFreedTwice(t.NdisHost, where);
            return;
        }

        t.NdisOwner?.Timers.Untrack(t);
        if (wasQueued)
        {
            t.Host.Misuse(
                where,
                Misuses.TimerFreedWhileQueued,
                "NdisFreeTimerObject on a timer that was still queued (the host cancelled it)",
                "NdisFreeTimerObject on a queued timer; cancel it first.");
        }
    }

    /// <summary>
    /// A set of a timer object whose adapter went away is never silent (issue 21 §5): with the verifier 0xC4
    /// (<see cref="VerifierRules.TimerArmedAfterItsAdapterWentAway"/>) in the caller's routine, without it a finding naming
    /// <paramref name="routine"/>. A timer object its adapter left allocated at halt then runs as driver-level code, as it
    /// would on Windows; one of an adapter a bug check stopped does not run (the stopped adapter runs no code).
    /// </summary>
    private static void ReportArmAfterItsAdapterWentAway(NdisTimer t, string routine)
    {
        string problem, outcome;
        if (t.LeftAllocatedBy is { } halted)
        {
            problem = $"{routine} on a timer object that adapter {halted} left allocated when it halted";
            outcome = "the callback runs as driver-level code";
        }
        else if (t.NdisOwner is { IsLive: false } gone)
        {
            problem = $"{routine} on a timer object of adapter {gone.Name}, which {(gone.State == NdisAdapterState.Faulted ? "was stopped by a bug check" : gone.State == NdisAdapterState.Failed ? "failed to initialize" : "halted")}";
            outcome = "the callback will not run";
        }
        else
        {
            return;
        }

        t.Host.Misuse(
            NdisRoutines.CurrentAdapter?.Name ?? MiniportHost.DriverTrack,
            Misuses.TimerArmedAfterItsAdapterWentAway,
            problem,
            $"{problem}; {outcome}.");
    }

    /// <summary>The live timer of <paramref name="timerObject"/>; null for a freed one with the verifier off (after the finding).</summary>
    private static NdisTimer? Ndis6Timer(NdisTimerObject timerObject, string routine)
    {
        ArgumentNullException.ThrowIfNull(timerObject);
        Ke.RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, routine);
        var t = timerObject.Timer;
        if (t.IsFreed)
        {
            FreedTimerObjectUsed(t.NdisHost, routine);
            return null;
        }

        return t;
    }

    /// <summary>
    /// The answer to a use of a freed timer object (other than a second free), for every surface: the C# object here, a
    /// native driver's stale generation-tagged handle in the bridge, which no longer holds the object.
    /// </summary>
    /// <remarks>Without the verifier a finding (<see cref="Misuses.FreedTimerUsed"/>), and the caller answers FALSE: nothing armed or cancelled.</remarks>
    /// <exception cref="BugCheckException">With the verifier: DRIVER_VERIFIER_DETECTED_VIOLATION (0xC4, <see cref="VerifierRules.FreedTimerUsed"/>).</exception>
    internal static void FreedTimerObjectUsed(NdisHost host, string routine) =>
        host.Misuse(
            NdisRoutines.CurrentAdapter?.Name ?? MiniportHost.DriverTrack,
            Misuses.FreedTimerUsed,
            $"{routine} on a freed timer object",
            $"{routine} on a freed timer object: nothing armed or cancelled, FALSE returned.");

    /// <summary>
    /// NdisFreeTimerObject on a timer object already freed, for every surface (see <see cref="FreedTimerObjectUsed"/>): the
    /// host's misuse decision, charged to <paramref name="where"/> (an adapter's name, or the driver's track).
    /// </summary>
    /// <exception cref="BugCheckException">With the verifier: 0xC4, <see cref="VerifierRules.FreedTimerUsed"/>.</exception>
    internal static void TimerObjectFreedTwice(NdisHost host, string where) =>
        host.Misuse(
            where,
            Misuses.TimerFreedTwice,
            "NdisFreeTimerObject on a timer object already freed",
            "NdisFreeTimerObject on a timer object already freed.");
}
