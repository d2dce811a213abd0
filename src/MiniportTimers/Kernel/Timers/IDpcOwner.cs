using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// The owner of a KDPC that belongs to a component of the host, not to the driver: NDIS, whose NDIS_MINIPORT_TIMER and
/// timer object are, as on Windows, a KTIMER and a KDPC whose deferred routine is NDIS's own, which calls the miniport's
/// timer function (NdisMInitializeTimer is KeInitializeTimer plus KeInitializeDpc; NdisMSetTimer is KeSetTimer with that
/// DPC; NdisMCancelTimer is KeCancelTimer). The owner says what the kernel cannot know about such a DPC: where the timer
/// expiry that runs it runs (the adapter's routine runner: its IRQL, port locks and watchdogs, and the adapter a bug check
/// stops), what the KTIMER's report row is named after (the miniport's function, not NDIS's routine), the processor the
/// timer fires on, and the deferred routine itself, called with the system time unboxed (0 B per fire).
/// </summary>
/// <remarks>Implementations are thread-safe; every member is called without any lock of ours held.</remarks>
internal interface IDpcOwner
{
    /// <summary>The delegate the KTIMER's report row is named after (the miniport's timer function).</summary>
    Delegate RowCallback { get; }

    /// <summary>The processor (engine dispatcher) the timer fires on (null: the arming CPU's).</summary>
    int? Processor { get; }

    /// <summary>Runs one expiry of <paramref name="timer"/> where the owner's callbacks run; it must end in <see cref="TimerCore.InvokeIfCurrent"/>.</summary>
    void RunExpiry(TimerCore timer, in TimerFiring firing);

    /// <summary>The DPC's deferred routine, at DISPATCH_LEVEL inside <see cref="RunExpiry"/>, with the expiry's system time (100 ns since 1601).</summary>
    void RunDeferredRoutine(KDPC dpc, long systemTime100ns);
}
