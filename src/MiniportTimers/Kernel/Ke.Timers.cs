using MiniportTimers.Engine;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Kernel;

public static partial class Ke
{
    /// <summary>NotificationTimer (0), for <c>using static</c>.</summary>
    public const TIMER_TYPE NotificationTimer = TIMER_TYPE.NotificationTimer;

    /// <summary>SynchronizationTimer (1), for <c>using static</c>.</summary>
    public const TIMER_TYPE SynchronizationTimer = TIMER_TYPE.SynchronizationTimer;

    /// <summary>
    /// Binds the calling thread to <paramref name="engine"/> until the result is disposed, so Ke/Ex timers and DPCs
    /// initialized meanwhile run on it; bug checks in their routines go to <paramref name="onBugCheck"/>. Inside a miniport
    /// routine of a host this is not needed: they bind to that host's engine and adapter.
    /// </summary>
    /// <param name="engine">The engine the objects run on.</param>
    /// <param name="onBugCheck">Where a bug check in their routines goes (null: the engine's CallbackFaulted).</param>
    /// <param name="systemTimeAtEngineZero100ns">The epoch for absolute due times (null: <see cref="KernelHostOptions.DefaultSystemTimeAtEngineZero100ns"/>).</param>
    public static IDisposable UseEngine(TimerEngine engine, Action<BugCheckException>? onBugCheck = null, long? systemTimeAtEngineZero100ns = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return KernelContext.Bind(new KernelScope(engine, onBugCheck, null, systemTimeAtEngineZero100ns ?? KernelTime.DefaultSystemTimeAtEngineZero100ns, null));
    }

    /// <summary>System time (100 ns since 1601, as KeQuerySystemTime) at an engine time: engine time 0 is <see cref="KernelHostOptions.DefaultSystemTimeAtEngineZero100ns"/>.</summary>
    public static long SystemTime100ns(long engineNanoseconds) => KernelTime.SystemTime100ns(engineNanoseconds, KernelTime.DefaultSystemTimeAtEngineZero100ns);

    /// <summary>Initializes a timer: not queued, not signalled, no period (KeInitializeTimerEx). IRQL: any.</summary>
    /// <exception cref="InvalidOperationException">No engine is bound (call from a host routine or inside <see cref="UseEngine"/>).</exception>
    /// <exception cref="BugCheckException">TIMER_OR_DPC_INVALID (0xC7, P1 = 0: a timer object) when the timer is still
    /// queued, as Driver Verifier raises it; the old arming is cancelled first, so it never fires.</exception>
    public static void KeInitializeTimerEx(KTIMER Timer, TIMER_TYPE Type)
    {
        ArgumentNullException.ThrowIfNull(Timer);
        Timer.Initialize(Type);
    }

    /// <summary>KeInitializeTimer: a notification timer.</summary>
    public static void KeInitializeTimer(KTIMER Timer) => KeInitializeTimerEx(Timer, TIMER_TYPE.NotificationTimer);

    /// <summary>
    /// Arms a timer (KeSetTimerEx): <paramref name="dueTime100ns"/> in 100 ns units, negative = relative, otherwise
    /// absolute system time on the epoch of the host the timer was initialized in (a past time expires at once, decision A15); <paramref name="periodMilliseconds"/> 0 = one-shot,
    /// else periodic (phase kept, A13). On expiry the timer is signalled and <paramref name="Dpc"/>, if any, is queued with
    /// the system time as its arguments. A pending arming is replaced.
    /// </summary>
    /// <returns>TRUE if the timer was already queued.</returns>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL.</remarks>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above DISPATCH_LEVEL.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative period or a due time beyond the engine's range.</exception>
    public static bool KeSetTimerEx(KTIMER Timer, long dueTime100ns, int periodMilliseconds, KDPC? Dpc) =>
        SetTimer(Timer, dueTime100ns, periodMilliseconds, 0, Dpc, nameof(KeSetTimerEx));

    /// <summary>KeSetTimer: <see cref="KeSetTimerEx"/> with no period.</summary>
    /// <returns>TRUE if the timer was already queued.</returns>
    public static bool KeSetTimer(KTIMER Timer, long dueTime100ns, KDPC? Dpc) => SetTimer(Timer, dueTime100ns, 0, 0, Dpc, nameof(KeSetTimer));

    /// <summary>
    /// KeSetCoalescableTimer: <see cref="KeSetTimerEx"/> plus a tolerance in ms: each expiry lands in [due, due +
    /// <paramref name="tolerableDelayMilliseconds"/>], never early; 0 is KeSetTimerEx. The period is a ULONG: every value
    /// up to 4,294,967,295 ms (about 49.7 days) is accepted.
    /// </summary>
    /// <returns>TRUE if the timer was already queued.</returns>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL.</exception>
    public static bool KeSetCoalescableTimer(KTIMER Timer, long dueTime100ns, uint periodMilliseconds, uint tolerableDelayMilliseconds, KDPC? Dpc) =>
        SetTimer(Timer, dueTime100ns, periodMilliseconds, tolerableDelayMilliseconds, Dpc, nameof(KeSetCoalescableTimer));

    /// <summary>
    /// Dequeues a timer (KeCancelTimer). Does not dequeue a DPC its expiry already queued, nor wait for one running.
    /// </summary>
    /// <returns>TRUE if the timer was queued.</returns>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL.</exception>
    public static bool KeCancelTimer(KTIMER Timer)
    {
        ArgumentNullException.ThrowIfNull(Timer);
        RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, nameof(KeCancelTimer));
        return Timer.Cancel();
    }

    /// <summary>KeReadStateTimer: TRUE once the timer has expired since it was last set (a synchronization timer resets on the read).</summary>
    public static bool KeReadStateTimer(KTIMER Timer)
    {
        ArgumentNullException.ThrowIfNull(Timer);
        return Timer.ReadState();
    }

    /// <summary>Initializes a DPC with its routine and context (KeInitializeDpc). IRQL: any.</summary>
    /// <exception cref="InvalidOperationException">No engine is bound.</exception>
    /// <exception cref="BugCheckException">TIMER_OR_DPC_INVALID (0xC7, P1 = 1: a DPC object) when the DPC is still
    /// queued; it is removed from the queue first, so its routine does not run for that queuing.</exception>
    public static void KeInitializeDpc(KDPC Dpc, KDEFERRED_ROUTINE DeferredRoutine, object? DeferredContext)
    {
        ArgumentNullException.ThrowIfNull(Dpc);
        ArgumentNullException.ThrowIfNull(DeferredRoutine);
        Dpc.Initialize(DeferredRoutine, DeferredContext);
    }

    /// <summary>Queues a DPC (KeInsertQueueDpc); its routine runs soon at DISPATCH_LEVEL.</summary>
    /// <returns>TRUE if newly queued; FALSE if it was already queued (the arguments are then not updated).</returns>
    /// <remarks>IRQL: any.</remarks>
    public static bool KeInsertQueueDpc(KDPC Dpc, object? SystemArgument1, object? SystemArgument2)
    {
        ArgumentNullException.ThrowIfNull(Dpc);
        return Dpc.Insert(SystemArgument1, SystemArgument2);
    }

    /// <summary>Removes a queued DPC (KeRemoveQueueDpc). Cannot stop one already running.</summary>
    /// <returns>TRUE if it was queued and is now removed.</returns>
    public static bool KeRemoveQueueDpc(KDPC Dpc)
    {
        ArgumentNullException.ThrowIfNull(Dpc);
        return Dpc.Remove();
    }

    /// <summary>Sets where the DPC is queued (KeSetImportanceDpc). Recorded on the DPC; this host runs its DPCs first in, first out.</summary>
    /// <remarks>IRQL: any. Call before queuing the DPC.</remarks>
    public static void KeSetImportanceDpc(KDPC Dpc, KDPC_IMPORTANCE Importance)
    {
        ArgumentNullException.ThrowIfNull(Dpc);
        if (!Enum.IsDefined(Importance))
        {
            throw new ArgumentOutOfRangeException(nameof(Importance), Importance, "KeSetImportanceDpc: not a KDPC_IMPORTANCE value (0-3).");
        }

        Dpc.Importance = Importance;
    }

    /// <summary>
    /// Sets the processor the DPC runs on (KeSetTargetProcessorDpc / KeSetTargetProcessorDpcEx): the engine dispatcher
    /// its routine runs on from its next queuing, and the one a KTIMER that names this DPC fires on. The host's
    /// processors are its engine's dispatchers (<see cref="TimerEngine.DispatcherCount"/>: one on a virtual engine).
    /// </summary>
    /// <returns>STATUS_SUCCESS (0), or STATUS_INVALID_PARAMETER (0xC000000D) for a processor the host does not have, or for
    /// a DPC never initialized (it has no engine yet).</returns>
    /// <remarks>IRQL: any. Call before queuing the DPC, as Windows requires.</remarks>
    public static uint KeSetTargetProcessorDpc(KDPC Dpc, int Number)
    {
        ArgumentNullException.ThrowIfNull(Dpc);
        if (Dpc.Engine is not { } engine || Number < 0 || Number >= engine.DispatcherCount)
        {
            return 0xC000000D;
        }

        Dpc.TargetProcessor = Number;
        return 0;
    }

    private static bool SetTimer(KTIMER timer, long dueTime100ns, long periodMilliseconds, uint toleranceMilliseconds, KDPC? dpc, string routine)
    {
        ArgumentNullException.ThrowIfNull(timer);
        RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, routine);
        ArgumentOutOfRangeException.ThrowIfNegative(periodMilliseconds);
        var engine = timer.RequireEngine(routine);
        var due = KernelTime.AbsoluteDue(engine, dueTime100ns, timer.SystemTimeAtEngineZero100ns, nameof(dueTime100ns));
        return timer.Set(due, periodMilliseconds * TimeUnits.NanosecondsPerMillisecond, toleranceMilliseconds * TimeUnits.NanosecondsPerMillisecond, dpc);
    }
}
