using MiniportTimers.Hosting;
using MiniportTimers.Hosting.Routines;
using MiniportTimers.Hosting.Timers;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Ndis.Timers;

/// <summary>
/// The timer under both NDIS timer kinds, with the semantics of a KTIMER bound to a KDPC (the mapping semantics §2
/// suggests), on the hosting layer's <see cref="HostedTimer"/>: a set replaces a pending one and reports whether one was
/// queued; a cancel dequeues and reports it, and does not stop an expiry already taken from the queue
/// (<see cref="ExpiryRule.RunOnceAfterCancel"/>, decision A14: that callback may still run once); a periodic timer keeps
/// its phase (decision A13). Only a free guarantees that no callback starts afterwards (it waits, at PASSIVE_LEVEL on
/// another thread, for a running callback, as NdisFreeTimerObject after KeFlushQueuedDpcs; the interleaving is on
/// <see cref="HostedTimer"/>).
/// </summary>
internal sealed class NdisTimer : HostedTimer
{
    private NDIS_TIMER_FUNCTION _function;
    private object? _defaultContext;
    private NdisMiniportAdapter? _owner;
    private string? _leftAllocatedBy;

    public NdisTimer(NdisHost host, string kind, object handle, NDIS_TIMER_FUNCTION function, object? defaultContext, NdisMiniportAdapter? owner, bool allocatedWithAdapterHandle = false)
        : base(host, kind, ExpiryRule.RunOnceAfterCancel)
    {
        NdisHost = host;
        Handle = handle;
        _function = function;
        _defaultContext = defaultContext;
        _owner = owner;
        AllocatedWithAdapterHandle = allocatedWithAdapterHandle;
    }

    /// <summary>True for a timer object allocated with a MiniportAdapterHandle: the adapter's halt must free it. False for the driver handle's objects and NDIS 5 timers.</summary>
    public bool AllocatedWithAdapterHandle { get; }

    /// <summary>The adapter that halted with this timer object still allocated (null: none did). A snapshot.</summary>
    public string? LeftAllocatedBy
    {
        get
        {
            using (HostLock.Enter(Gate))
            {
                return _leftAllocatedBy;
            }
        }
    }

    /// <summary>The host, typed.</summary>
    public NdisHost NdisHost { get; }

    /// <summary>SystemSpecific1 of the callback: the NDIS_MINIPORT_TIMER or the timer object handle.</summary>
    public object Handle { get; }

    /// <summary>The adapter a fault in the callback stops (null: a driver-level timer with no adapter routine running at allocation).</summary>
    public NdisMiniportAdapter? NdisOwner => Volatile.Read(ref _owner);

    /// <inheritdoc/>
    public override HostedAdapter? Owner => NdisOwner;

    /// <summary>True when the latest set was periodic (a snapshot).</summary>
    public bool IsPeriodic
    {
        get
        {
            using (HostLock.Enter(Gate))
            {
                return IsPeriodicLocked;
            }
        }
    }

    /// <inheritdoc/>
    private protected override HostedRoutine DriverTimerRoutine => NdisRoutines.Of(NdisRoutine.TimerCallback);

    /// <summary>NdisMInitializeTimer again on the same storage: dequeues it and rebinds the routine, context and adapter.</summary>
    public void Rebind(NDIS_TIMER_FUNCTION function, object? context, NdisMiniportAdapter? owner)
    {
        using (HostLock.Enter(Gate))
        {
            DequeueLocked(out _);
            _function = function;
            _defaultContext = context;
            Volatile.Write(ref _owner, owner);
            Freed = false;
        }
    }

    /// <summary>
    /// The adapter that owned this timer object halted: from now on the timer runs as driver-level code (a timer object
    /// is the driver's storage, not the adapter's, and on Windows it still fires). A timer object allocated with the
    /// adapter's handle and not freed is remembered as left allocated by it, so that arming it again is reported.
    /// </summary>
    /// <returns>True when the timer object was allocated with the adapter's handle and is still allocated: a leak.</returns>
    public bool DetachFromHaltedAdapter(NdisMiniportAdapter adapter)
    {
        using (HostLock.Enter(Gate))
        {
            if (!ReferenceEquals(_owner, adapter))
            {
                return false;
            }

            Volatile.Write(ref _owner, null);
            if (!AllocatedWithAdapterHandle || Freed)
            {
                return false;
            }

            _leftAllocatedBy = adapter.Name;
            return true;
        }
    }

    /// <summary>Arms (or re-arms) the timer at an absolute engine time. Returns true if it was queued: the earlier arming is replaced.</summary>
    public bool Set(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds, object? functionContext)
    {
        using (HostLock.Enter(Gate))
        {
            BeginRequestLocked(_function, functionContext ?? _defaultContext);
            return ArmEngineLocked(dueNanoseconds, periodNanoseconds, toleranceNanoseconds);
        }
    }

    /// <summary>Dequeues the timer. Returns true if it was queued. Does not wait for, or stop, an expiry already taken.</summary>
    /// <remarks>Without the gate, as KeCancelTimer (<see cref="TimerCore.CancelQueued"/>: the interleaving with a set and an expiry).</remarks>
    public bool Cancel() => CancelQueued();

    /// <summary>Frees the timer: cancels it, and at PASSIVE_LEVEL on another thread waits for a running callback.</summary>
    /// <returns>False when it was already freed.</returns>
    public bool Free()
    {
        using (HostLock.Enter(Gate))
        {
            if (Freed)
            {
                return false;
            }

            Freed = true;
            DequeueLocked(out _);
            WaitForRunningCallbackLocked();
            return true;
        }
    }

    /// <inheritdoc/>
    protected override void InvokeCallback(Delegate callback, object? context, long startNanoseconds)
    {
        var systemTime = Host.SystemTime100ns(startNanoseconds);
        ((NDIS_TIMER_FUNCTION)callback)(Handle, context, (uint)(systemTime & 0xFFFFFFFF), (uint)(systemTime >> 32));
    }
}
