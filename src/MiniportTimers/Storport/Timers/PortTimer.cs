using MiniportTimers.Hosting;
using MiniportTimers.Hosting.Timers;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Storport.Timers;

/// <summary>
/// What the two Storport timer kinds add to the hosting layer's <see cref="HostedTimer"/>: the adapter they belong to,
/// requests whose delay counts from when they are applied (above DISPATCH_LEVEL, when the IRQL drops), and the call of the
/// miniport's routine with its device extension. The core gives them "request pending" (BUSY), commit-or-drop
/// (<see cref="ExpiryRule.DropAfterCancel"/>, decision A3), the free-wait (A9) and the accounting; an expiry runs through
/// the adapter's routine runner at DISPATCH_LEVEL holding the StartIo lock (and the Interrupt lock in half duplex, A8).
/// </summary>
internal abstract class PortTimer(StorportAdapter adapter, string kind) : HostedTimer(adapter.Host, kind, ExpiryRule.DropAfterCancel)
{
    /// <summary>The adapter the timer belongs to.</summary>
    public StorportAdapter Adapter { get; } = adapter;

    /// <inheritdoc/>
    public override HostedAdapter Owner => Adapter;

    /// <summary>
    /// Records a request and arms the engine timer, now or, above DISPATCH_LEVEL, when the thread drops to
    /// DISPATCH_LEVEL (decisions A11, A16). The request is answered at once (BUSY from then on), but, as in Windows, the
    /// timer is set when the request is applied: the delay counts from then (a 1 ms request made at DIRQL at t = 0 and
    /// applied when the IRQL drops at t = 3 ms fires at t = 4 ms). Call under a claim that set "pending"
    /// (<see cref="TimerCore.ClaimUnless"/>). <paramref name="irql"/> is the calling thread's IRQL, read by the caller
    /// (the legacy routine has read the thread frame already, for its adapter).
    /// </summary>
    protected void RequestLocked(Delegate callback, object? context, long delayNanoseconds, long toleranceNanoseconds, KIRQL irql)
    {
        BeginRequestLocked(callback, context);
        if (irql <= KIRQL.DISPATCH_LEVEL)
        {
            ArmFromNowLocked(delayNanoseconds, toleranceNanoseconds);
        }
        else
        {
            ApplyWhenIrqlDrops(RequestGeneration, delayNanoseconds, toleranceNanoseconds);
        }
    }

    /// <summary>Above DISPATCH_LEVEL: applied when this thread drops to DISPATCH_LEVEL, unless cancelled or replaced by then (only this path allocates).</summary>
    private void ApplyWhenIrqlDrops(long generation, long delayNanoseconds, long toleranceNanoseconds) =>
        IrqlState.RunAtOrBelowDispatch(() =>
        {
            // Unless freed meanwhile; a cancel clears "pending", a newer request changes the generation.
            var claimed = ClaimUnless(TimerState.Freed, alsoSet: 0);
            if ((claimed & TimerState.Owned) == 0)
            {
                return;
            }

            try
            {
                if (IsPendingLocked && generation == RequestGeneration)
                {
                    ArmFromNowLocked(delayNanoseconds, toleranceNanoseconds);
                }
            }
            finally
            {
                Release(claimed);
            }
        });

    /// <summary>Sets the engine timer <paramref name="delayNanoseconds"/> from now (the requested due time lateness counts from).</summary>
    private void ArmFromNowLocked(long delayNanoseconds, long toleranceNanoseconds)
    {
        var now = Host.Engine.NowNanoseconds;
        ArmEngineLocked(Math.Min(MiniportTimers.Engine.TimerEngine.MaxTimeNanoseconds, now + delayNanoseconds), 0, toleranceNanoseconds);
    }
}
