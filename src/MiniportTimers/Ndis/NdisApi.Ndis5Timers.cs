using MiniportTimers.Engine;
using MiniportTimers.Hosting;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis.Timers;

namespace MiniportTimers.Ndis;

public static partial class NdisApi
{
    // ============================================================================================================
    // NDIS 5 miniport timers (semantics §2.1)
    // ============================================================================================================

    /// <summary>
    /// Binds <paramref name="timer"/> to <paramref name="timerFunction"/> and <paramref name="functionContext"/> for the
    /// adapter (NdisMInitializeTimer). Must come before any other call on the timer.
    /// </summary>
    /// <remarks>IRQL: PASSIVE_LEVEL (MiniportInitialize). Thread safety: not with other calls on the same timer.</remarks>
    /// <exception cref="BugCheckException">IRQL_NOT_LESS_OR_EQUAL (0x0A) above PASSIVE_LEVEL.</exception>
    /// <exception cref="ArgumentException">The adapter handle is not an adapter of a host.</exception>
    /// <exception cref="BugCheckException">With the verifier: TIMER_OR_DPC_INVALID (0xC7) when the timer is still queued.</exception>
    public static void NdisMInitializeTimer(NDIS_MINIPORT_TIMER timer, NdisMiniportAdapter miniportAdapterHandle, NDIS_TIMER_FUNCTION timerFunction, object? functionContext)
    {
        ArgumentNullException.ThrowIfNull(timer);
        ArgumentNullException.ThrowIfNull(miniportAdapterHandle);
        ArgumentNullException.ThrowIfNull(timerFunction);
        Ke.RequireIrqlAtMost(KIRQL.PASSIVE_LEVEL, nameof(NdisMInitializeTimer));
        if (timer.Timer is { IsQueued: true } queued)
        {
            queued.Host.Misuse(queued.NdisOwner?.Name ?? MiniportHost.DriverTrack, Misuses.NdisTimerInitializedWhileQueued, "NdisMInitializeTimer on a timer that is still queued", "NdisMInitializeTimer on a timer that is still queued: the host cancelled the old arming.");
        }

        // The timer may have belonged to another adapter (or another host) before: that adapter stops tracking it, or its
        // halt would cancel this adapter's timer and report it as still queued.
        var previousOwner = timer.Timer?.NdisOwner;
        if (timer.Timer is { } existing && existing.Host == miniportAdapterHandle.Host)
        {
            existing.Rebind(timerFunction, functionContext, miniportAdapterHandle);
        }
        else
        {
            timer.Timer?.Rebind(timerFunction, functionContext, null); // cancels it on its old host's engine
            timer.Timer = new NdisTimer(miniportAdapterHandle.Host, "NdisMTimer", timer, timerFunction, functionContext, miniportAdapterHandle);
        }

        if (previousOwner is not null && previousOwner != miniportAdapterHandle)
        {
            previousOwner.Timers.Untrack(timer.Timer);
        }

        miniportAdapterHandle.Timers.TryTrack(timer.Timer);
    }

    /// <summary>
    /// Arms a one-shot expiry after <paramref name="millisecondsToDelay"/> ms (NdisMSetTimer). Setting a queued timer
    /// cancels and replaces its due time (decision A4). 0 ms fires at the next dispatch.
    /// </summary>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL. The callback runs at DISPATCH_LEVEL.</remarks>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL.</exception>
    /// <exception cref="InvalidOperationException">The timer was never initialized with NdisMInitializeTimer.</exception>
    public static void NdisMSetTimer(NDIS_MINIPORT_TIMER timer, uint millisecondsToDelay)
    {
        var t = Ndis5Timer(timer, nameof(NdisMSetTimer));
        t.Set(RelativeDue(t.NdisHost, millisecondsToDelay * TimeUnits.NanosecondsPerMillisecond), 0, 0, null);
    }

    /// <summary>
    /// Arms a periodic timer: first expiry after <paramref name="millisecondsPeriod"/> ms, then every period, phase kept
    /// (decision A13), until cancelled (NdisMSetPeriodicTimer). Setting it again, also after a cancel, is legal (nvnet).
    /// </summary>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL.</remarks>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="millisecondsPeriod"/> is 0.</exception>
    public static void NdisMSetPeriodicTimer(NDIS_MINIPORT_TIMER timer, uint millisecondsPeriod)
    {
        var t = Ndis5Timer(timer, nameof(NdisMSetPeriodicTimer));
        ArgumentOutOfRangeException.ThrowIfZero(millisecondsPeriod);
        var period = millisecondsPeriod * TimeUnits.NanosecondsPerMillisecond;
        t.Set(RelativeDue(t.NdisHost, period), period, 0, null);
    }

    /// <summary>
    /// Dequeues the timer (NdisMCancelTimer). <paramref name="timerCancelled"/> is TRUE if it was queued and is now
    /// dequeued; FALSE if it was never set or had already fired. Does not wait for a callback that is running or whose
    /// expiry was already taken: that callback may still run once (decision A14).
    /// </summary>
    /// <remarks>IRQL: &lt;= DISPATCH_LEVEL.</remarks>
    /// <exception cref="BugCheckException">0x0A above DISPATCH_LEVEL.</exception>
    public static void NdisMCancelTimer(NDIS_MINIPORT_TIMER timer, out bool timerCancelled)
    {
        timerCancelled = Ndis5Timer(timer, nameof(NdisMCancelTimer)).Cancel();
    }

    private static NdisTimer Ndis5Timer(NDIS_MINIPORT_TIMER timer, string routine)
    {
        ArgumentNullException.ThrowIfNull(timer);
        Ke.RequireIrqlAtMost(KIRQL.DISPATCH_LEVEL, routine);
        return timer.Timer ?? throw new InvalidOperationException($"{routine}: call NdisMInitializeTimer first.");
    }

    private static long RelativeDue(NdisHost host, long delayNanoseconds) =>
        Math.Min(TimerEngine.MaxTimeNanoseconds, host.Engine.NowNanoseconds + delayNanoseconds);
}
