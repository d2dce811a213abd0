using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Hosting.Timers;

/// <summary>
/// The kernel's timer core (<see cref="TimerCore"/>) as both stacks' timers use it (Storport's extended and legacy
/// timers, NDIS 5 miniport timers, NDIS 6 timer objects): a timer of a host, recorded in the host's rows and trace
/// (<see cref="HostTimerRecords"/>), quantized to the host's Windows clock tick, pinned to its adapter's processor, whose
/// expiry runs through its adapter's routine runner (the adapter's locks and watchdogs, <see cref="HostedAdapter.RunTimerExpiry"/>),
/// or as the host's driver-level code when it has no adapter. The state machine, the free-wait and the accounting are
/// the core's; the interleaving of an expiry with a free is drawn there.
/// </summary>
internal abstract class HostedTimer : TimerCore, IAdapterTimer
{
    private protected HostedTimer(MiniportHost host, string kind, ExpiryRule rule)
        : base(host.Engine, kind, rule, fixedRecords: host.TimerRecords)
    {
        Host = host;
        _windowsClockTickMicroseconds = host.HostOptions.WindowsClockTickMicroseconds;
        _records = host.TimerRecords;
    }

    // The host's options are immutable (init-only): read once, not through the host on every arm.
    private readonly long? _windowsClockTickMicroseconds;

    // The host's records (one per host, for its lifetime): read once, not through the host on every arm, cancel and fire.
    private readonly ITimerRecords _records;

    /// <inheritdoc/>
    bool IAdapterTimer.Abandon() => Abandon();

    /// <summary>The host whose engine the timer runs on.</summary>
    public MiniportHost Host { get; }

    /// <summary>The adapter whose routine runner runs the callback, and which a fault in it stops (null: a driver-level timer).</summary>
    public abstract HostedAdapter? Owner { get; }

    /// <inheritdoc/>
    protected override ITimerRecords Records => _records;

    /// <inheritdoc/>
    protected override string Track => Owner?.Name ?? MiniportHost.DriverTrack;

    /// <inheritdoc/>
    protected override long? WindowsClockTickMicroseconds => _windowsClockTickMicroseconds;

    /// <inheritdoc/>
    protected override int? TargetDispatcher => Owner?.Processor;

    /// <summary>The routine a driver-level timer's callback runs as (a timer without an owner).</summary>
    private protected virtual Routines.HostedRoutine DriverTimerRoutine => throw new InvalidOperationException($"A {Kind} timer has no owner adapter.");

    /// <inheritdoc/>
    protected override void RunExpiry(in TimerFiring firing)
    {
        if (Owner is { } owner)
        {
            owner.RunTimerExpiry(this, firing);
        }
        else
        {
            var f = firing;
            Host.RunDriverRoutine(DriverTimerRoutine, KIRQL.DISPATCH_LEVEL, (Timer: this, f), static (in s) => s.Timer.InvokeIfCurrent(s.f));
        }
    }
}
