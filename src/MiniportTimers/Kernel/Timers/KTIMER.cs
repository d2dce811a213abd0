using MiniportTimers.Engine;

namespace MiniportTimers.Kernel.Timers;

/// <summary>
/// A kernel timer (KTIMER), caller-allocated: KeInitializeTimerEx binds it; KeSetTimerEx and friends arm it; on expiry it
/// becomes signalled and its DPC (if it has one) runs with the system time as its arguments. Thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// It stands on the one timer core (<see cref="TimerCore"/>), so a KTIMER initialized in a host's routine gets what every
/// timer of the host gets: a row in the host's report (kind "KTIMER", named after the DPC's routine), trace events, the
/// host's Windows clock tick (<see cref="KernelHostOptions.WindowsClockTickMicroseconds"/>: a 1 ms timer on a 15.625 ms
/// tick fires at the next tick boundary, as on Windows, where KeQueryTimeIncrement reports that tick) and the pinning to
/// its DPC's processor. The core's rule is <see cref="ExpiryRule.RunOnceAfterCancel"/>: KeCancelTimer dequeues and says
/// whether the timer was queued; an expiry the dispatcher already took still runs.
/// </para>
/// <para>
/// The DPC of an expiry runs in that expiry, in the DPC's kernel scope at DISPATCH_LEVEL under the DPC watchdogs, as
/// Windows' timer expiration calls the DPC of a timer that expires on the current processor directly instead of queuing
/// it; a DPC that is already queued (KeInsertQueueDpc) is not run again by the expiry, as KeInsertQueueDpc would refuse
/// it. So an expiry is one pass of the dispatcher, not two.
/// </para>
/// <para>
/// NDIS's timers are KTIMERs too, as on Windows: an NDIS_MINIPORT_TIMER or timer object is a KTIMER with a KDPC whose
/// owner is NDIS (<see cref="InitializeOwned"/>, <see cref="IDpcOwner"/>): the owner's DPC runs its expiry through the
/// adapter's routine runner, and the row takes the NDIS kind and the miniport function's name. KeCancelTimer takes no
/// gate (<see cref="TimerCore.CancelQueued"/>'s interleaving).
/// </para>
/// </remarks>
public sealed class KTIMER : KernelObject
{
    private Core? _timer;

    /// <summary>Notification or synchronization.</summary>
    public TIMER_TYPE Type { get; private set; }

    internal void Initialize(TIMER_TYPE type)
    {
        // Re-initializing a queued timer would leave its old arming alive (it fired at the old due time, and a later
        // KeCancelTimer said FALSE): cancel it, then report what Driver Verifier reports.
        if (_timer is { } old && old.Abandon())
        {
            VerifierDecision.InKernel(Misuses.KeTimerInitializedWhileQueued, "KeInitializeTimer(Ex) on a timer that is still queued", "KeInitializeTimer(Ex) on a timer that is still queued: the host cancelled the old arming.");
        }

        Bind(nameof(Ke.KeInitializeTimerEx));
        Type = type;
        _timer = new Core(this, Engine!, "KTIMER");
    }

    /// <summary>
    /// KeInitializeTimerEx as a component of the host calls it for a timer of its own (NDIS's: an NDIS_MINIPORT_TIMER or a
    /// timer object is a KTIMER with a KDPC owned by NDIS, <see cref="IDpcOwner"/>), bound to <paramref name="scope"/> and
    /// reported as <paramref name="kind"/> ("NdisMTimer", "NdisTimerObject"). Called once, on a new object.
    /// </summary>
    internal void InitializeOwned(TIMER_TYPE type, KernelScope scope, string kind)
    {
        System.Diagnostics.Debug.Assert(_timer is null, "an owned timer is initialized once, new");
        BindTo(scope);
        Type = type;
        _timer = new Core(this, Engine!, kind);
    }

    /// <summary>True while the engine has the timer queued (a snapshot).</summary>
    internal bool IsQueued => _timer is { IsQueued: true };

    /// <summary>True after <see cref="Free"/> (a snapshot).</summary>
    internal bool IsFreed => _timer is { IsFreed: true };

    /// <summary>True when the latest set was periodic (a snapshot).</summary>
    internal bool IsPeriodic => _timer is { } timer && timer.IsPeriodic;

    /// <summary>The kind the timer is reported as.</summary>
    internal string Kind => _timer?.Kind ?? "KTIMER";

    /// <summary>
    /// What a host component does when the storage of its timer goes away (NdisFreeTimerObject: KeCancelTimer, then
    /// KeFlushQueuedDpcs): dequeues it, drops an expiry the dispatcher has taken but not yet committed, and at
    /// PASSIVE_LEVEL on another thread waits for a running callback (the interleaving is on <see cref="TimerCore"/>).
    /// </summary>
    /// <returns>False when it was already freed.</returns>
    internal bool Free() => _timer is { } timer && timer.Free();

    /// <summary>Cancels without waiting, counting the cancel: the owner is going away (halt, bug check).</summary>
    internal bool Abandon() => _timer is { } timer && timer.Abandon();

    /// <summary>Re-initialization by its host component (NdisMInitializeTimer again): dequeued, not counted as a cancel, no longer freed.</summary>
    internal void Reset() => _timer?.Reset();

    /// <summary>Arms at an absolute engine time; returns whether it was queued (implicit cancel).</summary>
    internal bool Set(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds, KDPC? dpc) =>
        (_timer ?? throw new InvalidOperationException("The timer was never initialized (KeInitializeTimerEx).")).Set(dueNanoseconds, periodNanoseconds, toleranceNanoseconds, dpc);

    internal bool Cancel() => _timer is { } timer && timer.Cancel();

    /// <summary>KeReadStateTimer: signalled? A synchronization timer is reset by the read (a satisfied wait).</summary>
    internal bool ReadState() => _timer is { } timer && timer.ReadState(Type == TIMER_TYPE.SynchronizationTimer);

    /// <summary>The KTIMER's core: its signal state and the DPC of its latest set, under the core's claim (TimerCore diagram (7)).</summary>
    private sealed class Core(KTIMER owner, TimerEngine engine, string kind) : TimerCore(engine, kind, ExpiryRule.RunOnceAfterCancel)
    {
        private static readonly Action NoDpcCallback = NoDpc;

        private bool _signaled;

        // The DPC of the latest set (null: none). Written under the claim; read without it by RunExpiry, which only picks the
        // scope the expiry runs in (the DPC that runs is the committed one, InvokeCallback's context).
        private KDPC? _dpc;

        protected override ITimerRecords Records => owner.Scope!.TimerRecords;

        protected override string Track => owner.Scope!.Track;

        // Read once: a rebinding (KernelObject.Rebind) moves the object to another scope of the same host, whose options
        // (and so its tick) are the same.
        private readonly long? _windowsClockTickMicroseconds = owner.Scope!.HostOptions?.WindowsClockTickMicroseconds;

        protected override long? WindowsClockTickMicroseconds => _windowsClockTickMicroseconds;

        // The DPC's processor: Windows runs it there (an owned DPC's: its owner's, an NDIS adapter's processor).
        protected override int? TargetDispatcher => Volatile.Read(ref _dpc) is { } dpc ? dpc.Owner?.Processor ?? dpc.TargetProcessor : null;

        public bool Set(long dueNanoseconds, long periodNanoseconds, long toleranceNanoseconds, KDPC? dpc)
        {
            using (ClaimFields())
            {
                _signaled = false;
                Volatile.Write(ref _dpc, dpc);
                BeginRequestLocked(dpc?.Owner?.RowCallback ?? dpc?.Routine ?? (Delegate)NoDpcCallback, dpc);
                return ArmEngineLocked(dueNanoseconds, periodNanoseconds, toleranceNanoseconds);
            }
        }

        /// <summary>KeCancelTimer: dequeues without the gate (<see cref="TimerCore.CancelQueued"/>'s diagram).</summary>
        public bool Cancel() => CancelQueued();

        public bool Free()
        {
            using (ClaimFields())
            {
                if (Freed)
                {
                    return false;
                }

                Freed = true;
                DequeueLocked(out _);
            }

            WaitForRunningCallback(); // after letting go: the callback's return waits for no claim of ours
            return true;
        }

        public void Reset()
        {
            using (ClaimFields())
            {
                DequeueLocked(out _);
                Freed = false;
            }
        }

        public bool ReadState(bool reset)
        {
            using (ClaimFields())
            {
                var signaled = _signaled;
                if (reset)
                {
                    _signaled = false;
                }

                return signaled;
            }
        }

        protected override void RunExpiry(in TimerFiring firing)
        {
            var dpc = Volatile.Read(ref _dpc);
            if (dpc is { Owner: { } dpcOwner })
            {
                dpcOwner.RunExpiry(this, firing); // NDIS's DPC: through the adapter's routine runner
            }
            else if (dpc is { Scope: not null })
            {
                dpc.RunAtDispatch((Timer: this, Firing: firing), static (in s) => s.Timer.InvokeIfCurrent(s.Firing));
            }
            else
            {
                InvokeIfCurrent(firing); // no DPC: the expiry only signals the timer; no miniport code runs
            }
        }

        /// <summary>The expiry signals the timer as it commits, under the commit's claim (a set after it clears the signal again, as on Windows).</summary>
        protected override void OnCommitLocked() => _signaled = true;

        protected override void InvokeCallback(Delegate callback, object? context, long startNanoseconds)
        {
            if (context is KDPC { Routine: { } routine, IsQueued: false } dpc)
            {
                var systemTime = KernelTime.SystemTime100ns(startNanoseconds, owner.SystemTimeAtEngineZero100ns);
                if (dpc.Owner is { } dpcOwner)
                {
                    dpcOwner.RunDeferredRoutine(dpc, systemTime); // the owner's routine, the time unboxed
                }
                else
                {
                    routine(dpc, dpc.DeferredContext, (uint)(systemTime & 0xFFFFFFFF), (uint)(systemTime >> 32));
                }
            }
        }

        /// <summary>The row name of a timer set without a DPC (its expiry only signals it).</summary>
        private static void NoDpc()
        {
        }
    }
}
