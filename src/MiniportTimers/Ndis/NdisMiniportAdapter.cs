using MiniportTimers.Engine;
using MiniportTimers.Hosting;
using MiniportTimers.Hosting.Routines;
using MiniportTimers.Hosting.Timers;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis.Timers;

namespace MiniportTimers.Ndis;

/// <summary>
/// One NDIS miniport adapter, and its NDIS_HANDLE MiniportAdapterHandle: pass this object where a DDI takes the
/// adapter handle. The host calls the miniport's handlers at their documented IRQL (Initialize, Halt, Pause, Restart at
/// PASSIVE_LEVEL; Reset, OID requests and sends at DISPATCH_LEVEL) with no NDIS lock held. A bug check in any of them,
/// or in a timer callback of this adapter, stops this adapter only.
/// </summary>
/// <remarks>Thread safety: every public member may be called from any thread at PASSIVE_LEVEL.</remarks>
public sealed partial class NdisMiniportAdapter : HostedAdapter
{
    private readonly object _gate = new();
    private readonly NDIS_MINIPORT_DRIVER_CHARACTERISTICS _handlers;

    /// <summary>The miniport's handlers, as it registered them.</summary>
    internal NDIS_MINIPORT_DRIVER_CHARACTERISTICS Handlers => _handlers;

    private int _state = (int)NdisAdapterState.Initializing;

    internal NdisMiniportAdapter(NdisHost host, string name, NDIS_MINIPORT_DRIVER_CHARACTERISTICS handlers)
        : base(host, name)
    {
        Host = host;
        _handlers = handlers;
    }

    /// <summary>The host.</summary>
    public NdisHost Host { get; }

    /// <summary>
    /// The adapter's device (<see cref="NdisHost.AddAdapter(Devices.Pci.IPciDevice?)"/>): its PCI configuration space,
    /// port ranges, shared memory and line interrupt as the miniport reaches them; null for an adapter without hardware.
    /// </summary>
    public Devices.Pci.AdapterHardware? Hardware { get; internal set; }

    /// <summary>Shared memory blocks the miniport had not freed when MiniportHalt returned (the host then freed them); -1 before halt.</summary>
    public int SharedMemoryLeftAtHalt { get; private set; } = -1;

    /// <summary>The MiniportAdapterContext the miniport registered with NdisMSetMiniportAttributes.</summary>
    public object? MiniportAdapterContext { get; internal set; }

    /// <summary>The adapter's state.</summary>
    public NdisAdapterState State => (NdisAdapterState)Volatile.Read(ref _state);

    /// <summary>True while a reset the miniport pended has not completed.</summary>
    public bool ResetInProgress { get; private set; }

    /// <summary>The adapter's timers (NDIS 5 timers initialized for it, timer objects allocated for it).</summary>
    internal AdapterTimerTable<NdisTimer> Timers { get; } = new();

    internal override bool IsLive => State is NdisAdapterState.Initializing or NdisAdapterState.Running or NdisAdapterState.Pausing or NdisAdapterState.Paused;

    /// <inheritdoc/>
    private protected override HostedRoutine KernelObjectRoutine => NdisRoutines.Of(NdisRoutine.KernelDpc);

    /// <summary>Timer callbacks: DISPATCH_LEVEL, no NDIS lock held.</summary>
    internal override (HostedRoutine Routine, RoutineLocks Locks) TimerCallbackRoutine => (NdisRoutines.Of(NdisRoutine.TimerCallback), RoutineLocks.None);

    private object Context => MiniportAdapterContext ?? this;

    // ------------------------------------------------------------------------------------------------------------
    // What NDIS does to the miniport
    // ------------------------------------------------------------------------------------------------------------

    internal void Initialize(object? driverContext)
    {
        var status = NdisApi.NDIS_STATUS_FAILURE;
        if (!Run(NdisRoutines.Of(NdisRoutine.MiniportInitializeEx), KIRQL.PASSIVE_LEVEL, () => status = _handlers.InitializeHandlerEx!(this, driverContext)) || status != NdisApi.NDIS_STATUS_SUCCESS)
        {
            TrySetState(NdisAdapterState.Failed, NdisAdapterState.Initializing);
            Host.Release(this); // NDIS never halts an adapter whose MiniportInitializeEx failed: it is gone now
            return;
        }

        TrySetState(NdisAdapterState.Paused, NdisAdapterState.Initializing);
        Restart();
        StartHangCheck();
    }

    private EngineTimer? _hangCheck;
    private long _hangChecks;

    /// <summary>How many times the host called MiniportCheckForHangEx.</summary>
    public long HangChecks => Interlocked.Read(ref _hangChecks);

    /// <summary>NDIS calls MiniportCheckForHangEx periodically (<see cref="NdisHostOptions.CheckForHangIntervalMilliseconds"/>), at DISPATCH_LEVEL, no lock held.</summary>
    private void StartHangCheck()
    {
        var interval = Host.Options.CheckForHangIntervalMilliseconds * TimeUnits.NanosecondsPerMillisecond;
        if (_handlers.CheckForHangHandlerEx is null || interval <= 0 || !IsLive)
        {
            return;
        }

        var engine = Host.Engine;
        _hangCheck = engine.CreateTimer(static (t, in firing) => ((NdisMiniportAdapter)t.State!).CheckForHang(firing.DueNanoseconds), this);
        engine.Arm(_hangCheck, checked(engine.NowNanoseconds + interval));
    }

    private void CheckForHang(long dueNanoseconds)
    {
        if (!IsLive || _hangCheck is not { } timer || _handlers.CheckForHangHandlerEx is not { } check)
        {
            return;
        }

        if (State == NdisAdapterState.Running && !ResetInProgress)
        {
            var hung = false;
            Interlocked.Increment(ref _hangChecks);
            Run(NdisRoutines.Of(NdisRoutine.MiniportCheckForHangEx), KIRQL.DISPATCH_LEVEL, () => hung = check(Context));
            if (hung && IsLive)
            {
                Reset();
            }
        }

        if (IsLive)
        {
            try
            {
                Host.Engine.Arm(timer, checked(dueNanoseconds + (Host.Options.CheckForHangIntervalMilliseconds * TimeUnits.NanosecondsPerMillisecond)));
            }
            catch (ObjectDisposedException)
            {
                // the host's engine is gone
            }
        }
    }

    private void StopHangCheck()
    {
        if (_hangCheck is { } timer)
        {
            Host.Engine.Cancel(timer);
        }
    }

    /// <summary>Calls MiniportPause (PASSIVE_LEVEL). A NDIS_STATUS_PENDING answer leaves the adapter <see cref="NdisAdapterState.Pausing"/> until NdisMPauseComplete.</summary>
    /// <returns>What MiniportPause returned, or NDIS_STATUS_FAILURE when the adapter is not running.</returns>
    public uint Pause()
    {
        if (!TrySetState(NdisAdapterState.Pausing, NdisAdapterState.Running))
        {
            return NdisApi.NDIS_STATUS_FAILURE;
        }

        var status = NdisApi.NDIS_STATUS_SUCCESS;
        if (_handlers.PauseHandler is { } pause)
        {
            Run(NdisRoutines.Of(NdisRoutine.MiniportPause), KIRQL.PASSIVE_LEVEL, () => status = pause(Context));
        }

        if (status != NdisApi.NDIS_STATUS_PENDING)
        {
            TrySetState(NdisAdapterState.Paused, NdisAdapterState.Pausing);
        }

        return status;
    }

    /// <summary>Calls MiniportRestart (PASSIVE_LEVEL) on a paused adapter.</summary>
    /// <returns>What MiniportRestart returned (SUCCESS without a handler); NDIS_STATUS_FAILURE when not paused.</returns>
    public uint Restart()
    {
        if (State != NdisAdapterState.Paused)
        {
            return NdisApi.NDIS_STATUS_FAILURE;
        }

        var status = NdisApi.NDIS_STATUS_SUCCESS;
        if (_handlers.RestartHandler is { } restart)
        {
            Run(NdisRoutines.Of(NdisRoutine.MiniportRestart), KIRQL.PASSIVE_LEVEL, () => status = restart(Context));
        }

        if (status == NdisApi.NDIS_STATUS_SUCCESS)
        {
            TrySetState(NdisAdapterState.Running, NdisAdapterState.Paused);
        }

        return status;
    }

    /// <summary>Calls MiniportResetEx at DISPATCH_LEVEL. NDIS_STATUS_PENDING: NdisMResetComplete follows.</summary>
    /// <returns>What the handler returned; NDIS_STATUS_NOT_SUPPORTED without one; NDIS_STATUS_FAILURE when not live.</returns>
    public uint Reset()
    {
        if (!IsLive)
        {
            return NdisApi.NDIS_STATUS_FAILURE;
        }

        if (_handlers.ResetHandlerEx is not { } reset)
        {
            return NdisApi.NDIS_STATUS_NOT_SUPPORTED;
        }

        var status = NdisApi.NDIS_STATUS_FAILURE;
        ResetInProgress = true;
        Run(NdisRoutines.Of(NdisRoutine.MiniportResetEx), KIRQL.DISPATCH_LEVEL, () => status = reset(Context, out _));
        if (status != NdisApi.NDIS_STATUS_PENDING)
        {
            ResetInProgress = false;
        }

        return status;
    }

    /// <summary>Hands one send to MiniportSendNetBufferLists at DISPATCH_LEVEL; NdisMSendNetBufferListsComplete completes it.</summary>
    /// <returns>False when the adapter is not running or has no send handler.</returns>
    public bool Send(NET_BUFFER_LIST netBufferList)
    {
        ArgumentNullException.ThrowIfNull(netBufferList);
        if (State != NdisAdapterState.Running || _handlers.SendNetBufferListsHandler is not { } send)
        {
            return false;
        }

        return Run(NdisRoutines.Of(NdisRoutine.MiniportSendNetBufferLists), KIRQL.DISPATCH_LEVEL, () => send(Context, netBufferList));
    }

    /// <summary>
    /// Calls MiniportHaltEx (PASSIVE_LEVEL). Afterwards every timer of the adapter still queued is cancelled and
    /// reported (the miniport should have cancelled it; Windows would bug-check when its memory is freed), and every
    /// timer object allocated with the adapter's handle and not freed is reported as left allocated (MiniportHaltEx must
    /// free it): with the verifier a bug check recorded under "Halt", without it a finding; one report per timer, the
    /// queued one first. The adapter's timer objects then run as driver-level code: one armed again later fires, and the
    /// set is reported if the timer object was left allocated (<see cref="NdisApi.NdisSetTimerObject"/>). Nothing to do
    /// for an adapter whose initialization failed (the host released it then) or already halted.
    /// </summary>
    public void Halt()
    {
        if (State is NdisAdapterState.Halted or NdisAdapterState.Failed)
        {
            return;
        }

        var haltRan = State != NdisAdapterState.Faulted;
        StopHangCheck();
        if (haltRan)
        {
            Run(NdisRoutines.Of(NdisRoutine.MiniportHaltEx), KIRQL.PASSIVE_LEVEL, () => _handlers.HaltHandlerEx!(Context));
        }

        foreach (var timer in Timers.Snapshot())
        {
            var queued = timer.Cancel();
            if (queued)
            {
                ReportQueuedAtTeardown("Halt", timer.Kind, "after MiniportHaltEx returned", Misuses.TimerQueuedAtHalt);
            }

            if (timer.Handle is NdisTimerObject && timer.DetachFromHaltedAdapter(this) && haltRan && !queued)
            {
                HostCore.TeardownMisuse(
                    Name,
                    "Halt",
                    Misuses.TimerObjectNotFreedAtHalt,
                    "a timer object allocated with the adapter's handle was still allocated after MiniportHaltEx returned",
                    "A timer object allocated with the adapter's handle was still allocated after MiniportHaltEx returned; MiniportHaltEx must call NdisFreeTimerObject. It now runs as driver-level code.");
            }

            if (timer.Owner is null)
            {
                Timers.Untrack(timer);
            }
        }

        if (Hardware is { } hardware)
        {
            hardware.Device.Interrupt.Connect(null);
            SharedMemoryLeftAtHalt = hardware.DmaBlockCount;
            if (haltRan && SharedMemoryLeftAtHalt > 0)
            {
                HostCore.TeardownMisuse(
                    Name,
                    "Halt",
                    Misuses.SharedMemoryNotFreedAtHalt,
                    "shared memory was still allocated after MiniportHalt returned",
                    $"{SharedMemoryLeftAtHalt} block(s) of shared memory (NdisMAllocateSharedMemory) were still allocated after MiniportHalt returned; the host freed them.",
                    (ulong)SharedMemoryLeftAtHalt);
            }

            hardware.Dispose();
        }

        MoveToFinalState(NdisAdapterState.Halted);
        Host.Release(this);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Services for the DDIs
    // ------------------------------------------------------------------------------------------------------------

    internal void CompletePause()
    {
        TrySetState(NdisAdapterState.Paused, NdisAdapterState.Pausing);
    }

    internal void CompleteReset() => ResetInProgress = false;

    /// <summary>The registered interrupt, if any (NdisMRegisterInterruptEx).</summary>
    public NdisInterrupt? Interrupt { get; private set; }

    /// <summary>
    /// Delivers one interrupt: MiniportInterrupt at the device IRQL holding the interrupt lock; when it asks for it,
    /// MiniportInterruptDPC is queued (DISPATCH_LEVEL, on the engine's dispatcher). Call at or below DISPATCH_LEVEL.
    /// </summary>
    /// <returns>What MiniportInterrupt returned (FALSE also without a registered interrupt or when the adapter is not live).</returns>
    public bool RaiseInterrupt()
    {
        if (!IsLive || Interrupt is not { IsDeregistered: false } interrupt)
        {
            return false;
        }

        var (claimed, queueDpc, targets) = (false, false, 0u);
        Run(NdisRoutines.Of(NdisRoutine.MiniportInterrupt), interrupt.SpinLock.SynchronizeIrql, RoutineLocks.Interrupt, interrupt, (in i) =>
        {
            claimed = i.Isr(i.Context, out var queue, out var targetProcessors);
            (queueDpc, targets) = (queue, targetProcessors);
        });
        if (claimed && (queueDpc || targets != 0) && IsLive)
        {
            interrupt.Dpc.Insert(null, null, InterruptDpcProcessor(queueDpc, targets));
        }

        return claimed;
    }

    /// <summary>
    /// Where MiniportInterruptDPC runs: the adapter's processor for the default DPC; else the lowest processor of
    /// TargetProcessors that the host has (its engine's dispatchers). Windows queues a DPC on every targeted processor;
    /// this host queues the one DPC on the first of them.
    /// </summary>
    private int InterruptDpcProcessor(bool queueDefault, uint targetProcessors)
    {
        if (queueDefault || targetProcessors == 0)
        {
            return Processor;
        }

        var lowest = System.Numerics.BitOperations.TrailingZeroCount(targetProcessors);
        return lowest < Host.Engine.DispatcherCount ? lowest : Processor;
    }

    internal uint RegisterInterrupt(object? context, MINIPORT_ISR isr, MINIPORT_INTERRUPT_DPC dpc, out NdisInterrupt? handle)
    {
        lock (_gate)
        {
            if (Interrupt is { IsDeregistered: false })
            {
                handle = null;
                return NdisApi.NDIS_STATUS_RESOURCES;
            }

            handle = Interrupt = new NdisInterrupt(this, context ?? MiniportAdapterContext, isr, dpc, Host.Options.InterruptIrql);
        }

        // The device's INTx line (level-triggered): each rising edge runs the ISR; a line still asserted after the ISR
        // and its DPC gives no new edge, as with a level-triggered controller that the driver must clear.
        Hardware?.Device.Interrupt.Connect(() => RaiseInterrupt());
        return NdisApi.NDIS_STATUS_SUCCESS;
    }

    /// <summary>The queued interrupt DPC: MiniportInterruptDPC at DISPATCH_LEVEL, watched like every DPC.</summary>
    internal void RunInterruptDpc(NdisInterrupt interrupt)
    {
        if (IsLive && !interrupt.IsDeregistered)
        {
            Run(NdisRoutines.Of(NdisRoutine.MiniportInterruptDPC), KIRQL.DISPATCH_LEVEL, RoutineLocks.None, interrupt, static (in i) => i.DpcHandler(i.Context, null));
        }
    }

    /// <summary>The interrupt lock is the one routine lock an NDIS adapter has (MiniportInterrupt holds it).</summary>
    internal override LockTicket AcquireRoutineLocks(ThreadFrame frame, RoutineLocks locks) =>
        (locks & RoutineLocks.Interrupt) != 0 && Interrupt is { } interrupt ? new LockTicket(default, interrupt.SpinLock.Acquire(frame), 0) : default;

    internal override void ReleaseRoutineLocks(ThreadFrame frame, HostedRoutine routine, RoutineLocks locks, LockTicket ticket)
    {
        if ((locks & RoutineLocks.Interrupt) != 0 && Interrupt is { } interrupt && interrupt.SpinLock.IsOwnedBy(frame))
        {
            interrupt.SpinLock.Release(frame, ticket.InterruptOldIrql);
        }
    }

    internal void RunWorkItem(NDIS_WORK_ITEM workItem)
    {
        if (IsLive && workItem.Routine is not null)
        {
            Run(NdisRoutines.Of(NdisRoutine.WorkItem), KIRQL.PASSIVE_LEVEL, RoutineLocks.None, workItem, static (in w) => w.Routine!(w, w.Context));
        }
    }

    private bool TrySetState(NdisAdapterState to, NdisAdapterState from) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;

    /// <summary>Moves to Faulted or Halted, one way and atomically (<see cref="OneWayState"/>): Halted and Failed are final.</summary>
    private void MoveToFinalState(NdisAdapterState to) =>
        OneWayState.MoveTo(ref _state, (int)to, (int)NdisAdapterState.Halted, (int)NdisAdapterState.Failed);

    /// <inheritdoc/>
    private protected override void OnFaulted()
    {
        MoveToFinalState(NdisAdapterState.Faulted);
        StopHangCheck();
        Timers.AbandonAll();
    }

    /// <summary>Runs miniport code for this adapter at <paramref name="irql"/> through the hosting layer's runner; a bug check stops the adapter.</summary>
    /// <returns>False when the code raised a bug check.</returns>
    private bool Run(HostedRoutine routine, KIRQL irql, Action body) => Run(routine, irql, RoutineLocks.None, body, static (in b) => b());
}
