using MiniportTimers.Engine;
using MiniportTimers.Hosting;
using MiniportTimers.Hosting.Routines;
using MiniportTimers.Hosting.Timers;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;

namespace MiniportTimers.Ndis.Timers;

/// <summary>
/// The timer under both NDIS timer kinds (an NDIS_MINIPORT_TIMER, an NDIS 6 timer object), made as Windows makes it: a
/// <see cref="KTIMER"/> and a <see cref="KDPC"/> whose deferred routine is NDIS's own, which calls the miniport's timer
/// function (semantics §2; issue 26 §2). NdisMInitializeTimer and NdisAllocateTimerObject are KeInitializeTimer plus
/// KeInitializeDpc; a set is KeSetTimerEx with the DPC; a cancel is KeCancelTimer; a free is KeCancelTimer then
/// KeFlushQueuedDpcs. So every rule is the KTIMER's: a set replaces a pending one and reports whether one was queued; a
/// cancel dequeues and reports it and does not stop an expiry already taken from the queue
/// (<see cref="ExpiryRule.RunOnceAfterCancel"/>, decision A14: that callback may still run once); a periodic timer keeps
/// its phase (A13); only a free guarantees that no callback starts afterwards (at PASSIVE_LEVEL on another thread it
/// waits for a running one; the interleaving is on <see cref="TimerCore"/>). The report row, trace, Windows tick and
/// free-wait are the KTIMER's core's.
/// </summary>
/// <remarks>
/// <para>
/// What NDIS adds, as the DPC's owner (<see cref="IDpcOwner"/>): the expiry runs through the adapter's routine runner
/// (DISPATCH_LEVEL, the adapter's watchdogs, and a bug check stops that adapter), or as driver-level code once the
/// adapter has halted; the row is named after the miniport's function, with the kind "NdisMTimer" or "NdisTimerObject";
/// the timer fires on the adapter's processor. The objects bind to the adapter's kernel scope (or the host's driver
/// scope), whatever scope the allocating code runs in.
/// </para>
/// <para>
/// The function context: NdisSetTimerObject stores its FunctionContext in the timer object and the DPC reads it when it
/// runs, as NDIS does (the NDIS_TIMER holds it). So a set that races an expiry already taken gives that expiry's callback
/// the new context; the DDI leaves that race to the driver. NDIS's own bookkeeping (function, contexts, owner) is under
/// <see cref="_gate"/>, never held while the miniport runs.
/// </para>
/// </remarks>
internal sealed class NdisTimer : IDpcOwner, IAdapterTimer
{
    private readonly object _gate = new();
    private readonly KTIMER _timer = new();
    private readonly KDPC _dpc = new();
    private NDIS_TIMER_FUNCTION _function;
    private object? _defaultContext;
    private object? _functionContext;
    private NdisMiniportAdapter? _owner;
    private string? _leftAllocatedBy;

    public NdisTimer(NdisHost host, string kind, object handle, NDIS_TIMER_FUNCTION function, object? defaultContext, NdisMiniportAdapter? owner, bool allocatedWithAdapterHandle = false)
    {
        NdisHost = host;
        Handle = handle;
        _function = function;
        _defaultContext = defaultContext;
        _functionContext = defaultContext;
        _owner = owner;
        AllocatedWithAdapterHandle = allocatedWithAdapterHandle;
        var scope = owner?.Scope ?? host.DriverScope;
        _timer.InitializeOwned(TIMER_TYPE.NotificationTimer, scope, kind);
        _dpc.InitializeOwned(this, scope);
    }

    /// <summary>True for a timer object allocated with a MiniportAdapterHandle: the adapter's halt must free it. False for the driver handle's objects and NDIS 5 timers.</summary>
    public bool AllocatedWithAdapterHandle { get; }

    /// <summary>The adapter that halted with this timer object still allocated (null: none did). A snapshot.</summary>
    public string? LeftAllocatedBy => Volatile.Read(ref _leftAllocatedBy);

    /// <summary>The host, typed.</summary>
    public NdisHost NdisHost { get; }

    /// <summary>The host whose engine the timer runs on.</summary>
    public MiniportHost Host => NdisHost;

    /// <summary>The timer kind in reports: "NdisMTimer" or "NdisTimerObject".</summary>
    public string Kind => _timer.Kind;

    /// <summary>SystemSpecific1 of the callback: the NDIS_MINIPORT_TIMER or the timer object handle.</summary>
    public object Handle { get; }

    /// <summary>The adapter a fault in the callback stops (null: a driver-level timer with no adapter routine running at allocation).</summary>
    public NdisMiniportAdapter? NdisOwner => Volatile.Read(ref _owner);

    /// <summary>The adapter whose routine runner runs the callback (null: a driver-level timer).</summary>
    public HostedAdapter? Owner => NdisOwner;

    /// <summary>True while the engine has the timer queued (a snapshot).</summary>
    public bool IsQueued => _timer.IsQueued;

    /// <summary>True after a free (a snapshot).</summary>
    public bool IsFreed => _timer.IsFreed;

    /// <summary>True when the latest set was periodic (a snapshot).</summary>
    public bool IsPeriodic => _timer.IsPeriodic;

    /// <inheritdoc/>
    Delegate IDpcOwner.RowCallback => Volatile.Read(ref _function);

    /// <inheritdoc/>
    int? IDpcOwner.Processor => NdisOwner?.Processor;

    /// <summary>NdisMInitializeTimer again on the same storage: dequeues it and rebinds the routine, context and adapter.</summary>
    public void Rebind(NDIS_TIMER_FUNCTION function, object? context, NdisMiniportAdapter? owner)
    {
        _timer.Reset();
        lock (_gate)
        {
            Volatile.Write(ref _function, function);
            _defaultContext = context;
            Volatile.Write(ref _functionContext, context);
            Volatile.Write(ref _owner, owner);
            var scope = owner?.Scope ?? NdisHost.DriverScope;
            _timer.Rebind(scope);
            _dpc.Rebind(scope);
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
        lock (_gate)
        {
            if (!ReferenceEquals(_owner, adapter))
            {
                return false;
            }

            Volatile.Write(ref _owner, null);
            _timer.Rebind(NdisHost.DriverScope);
            _dpc.Rebind(NdisHost.DriverScope);
            if (!AllocatedWithAdapterHandle || _timer.IsFreed)
            {
                return false;
            }

            Volatile.Write(ref _leftAllocatedBy, adapter.Name);
            return true;
        }
    }

    /// <summary>
    /// Arms (or re-arms) the timer at an absolute engine time (KeSetTimerEx with NDIS's DPC): first due at
    /// <paramref name="dueNanoseconds"/>, then every <paramref name="periodNanoseconds"/> (0: one-shot), up to
    /// <paramref name="toleranceNanoseconds"/> late. <paramref name="functionContext"/> (null: the one given at
    /// initialization) is what the callback receives.
    /// </summary>
    /// <returns>True if it was queued: the earlier arming is replaced.</returns>
    public bool Set(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds, object? functionContext)
    {
        Volatile.Write(ref _functionContext, functionContext ?? Volatile.Read(ref _defaultContext));
        return _timer.Set(dueNanoseconds, periodNanoseconds, toleranceNanoseconds, _dpc);
    }

    /// <summary>KeCancelTimer: dequeues the timer. Returns true if it was queued. Does not wait for, or stop, an expiry already taken.</summary>
    /// <remarks>Without a gate (<see cref="TimerCore.CancelQueued"/>: the interleaving with a set and an expiry).</remarks>
    public bool Cancel() => _timer.Cancel();

    /// <summary>Frees the timer: KeCancelTimer, then at PASSIVE_LEVEL on another thread waits for a running callback (KeFlushQueuedDpcs).</summary>
    /// <returns>False when it was already freed.</returns>
    public bool Free() => _timer.Free();

    /// <inheritdoc/>
    public bool Abandon() => _timer.Abandon();

    /// <inheritdoc/>
    void IDpcOwner.RunExpiry(TimerCore timer, in TimerFiring firing)
    {
        if (NdisOwner is { } owner)
        {
            owner.RunTimerExpiry(timer, firing);
        }
        else
        {
            var f = firing;
            Host.RunDriverRoutine(NdisRoutines.Of(NdisRoutine.TimerCallback), KIRQL.DISPATCH_LEVEL, (Timer: timer, f), static (in s) => s.Timer.InvokeIfCurrent(s.f));
        }
    }

    /// <inheritdoc/>
    void IDpcOwner.RunDeferredRoutine(KDPC dpc, long systemTime100ns) =>
        Volatile.Read(ref _function)(Handle, Volatile.Read(ref _functionContext), (nuint)(uint)(systemTime100ns & 0xFFFFFFFF), (nuint)(uint)(systemTime100ns >> 32));
}
