using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Hosting;
using MiniportTimers.Hosting.Routines;
using MiniportTimers.Hosting.Timers;
using MiniportTimers.Kernel;
using MiniportTimers.Storport.Timers;

namespace MiniportTimers.Storport;

/// <summary>
/// One host bus adapter on a <see cref="StorportHost"/>: its device extension, its three port locks, its timers, and
/// the calls Storport makes into the miniport (StartIo, interrupts, adapter and unit control, timer and DPC callbacks),
/// each at the IRQL and under the locks Windows documents.
/// </summary>
/// <remarks>
/// <para>Lock rules (storport.h, StorPortAcquireSpinLock remarks; semantics §1.4-§1.5):</para>
/// <list type="table">
/// <item><term>HwStorStartIo</term><description>DISPATCH_LEVEL + StartIo lock (none with concurrent channels &gt; 1); half duplex adds the Interrupt lock.</description></item>
/// <item><term>HwStorInterrupt, HwStorInitialize</term><description>device IRQL + Interrupt lock.</description></item>
/// <item><term>Timer callbacks</term><description>DISPATCH_LEVEL + StartIo lock, always; half duplex adds the Interrupt lock (decision A8).</description></item>
/// <item><term>DPC routines, HwStorUnitControl(ScsiUnitPoFxPowerActive)</term><description>DISPATCH_LEVEL, no port lock.</description></item>
/// <item><term>HwStorFindAdapter, HwStorAdapterControl</term><description>PASSIVE_LEVEL, no port lock.</description></item>
/// </list>
/// <para>
/// A bug check raised in any of these stops this adapter only (state <see cref="AdapterState.Faulted"/>, every timer
/// cancelled) and is recorded in <see cref="StorportHost.BugChecks"/>. Thread safety: every public member may be called
/// from any thread at PASSIVE_LEVEL.
/// </para>
/// </remarks>
public sealed class StorportAdapter : HostedAdapter
{
    private readonly object _stateChangeGate = new();
    private readonly HW_INITIALIZATION_DATA _miniport;
    private int _state = (int)AdapterState.Created;
    private PERF_CONFIGURATION_DATA? _perf;
    private long _stateChangeBusyUntilNanoseconds = -1;

    internal StorportAdapter(StorportHost host, string name, HW_INITIALIZATION_DATA miniport, object deviceExtension)
        : base(host, name)
    {
        Host = host;
        _miniport = miniport;
        DeviceExtension = deviceExtension;
        ConfigInfo = new PORT_CONFIGURATION_INFORMATION { InterruptIrql = host.Options.InterruptIrql };
        StartIoSpinLock = new KSpinLock($"{name}.StartIoLock");
        DpcSpinLock = new KSpinLock($"{name}.DpcLock");
        InterruptSpinLock = new KSpinLock($"{name}.InterruptLock", host.Options.InterruptIrql);
        LegacyTimer = new LegacyAdapterTimer(this);
        Pause = new AdapterPause(this);
        AdapterRegistry.Register(deviceExtension, this);
    }

    /// <summary>The host that created the adapter.</summary>
    public StorportHost Host { get; }

    /// <summary>The device extension the miniport's factory created: the HwDeviceExtension of every DDI call for this adapter.</summary>
    public object DeviceExtension { get; }

    /// <summary>The configuration HwStorFindAdapter filled in.</summary>
    public PORT_CONFIGURATION_INFORMATION ConfigInfo { get; }

    /// <summary>The adapter's state.</summary>
    public AdapterState State => (AdapterState)Volatile.Read(ref _state);

    /// <summary>True in StorSynchronizeHalfDuplex mode: StartIo and timer callbacks also hold the Interrupt lock.</summary>
    public bool IsHalfDuplex => ConfigInfo.SynchronizationModel == STOR_SYNCHRONIZATION_MODEL.StorSynchronizeHalfDuplex;

    /// <summary>
    /// False when the miniport asked for concurrent channels (STOR_PERF_CONCURRENT_CHANNELS with ConcurrentChannels
    /// &gt; 1): Storport then calls HwStorStartIo without the StartIo lock. Timer callbacks hold it regardless (§1.5).
    /// </summary>
    public bool StartIoTakesStartIoLock =>
        _perf is not { } perf || (perf.Flags & StorPort.STOR_PERF_CONCURRENT_CHANNELS) == 0 || perf.ConcurrentChannels <= 1;

    /// <summary>StorPortInitializeTimer handles allocated and not yet freed.</summary>
    public int LiveTimerCount => Timers.Count;

    /// <summary>The adapter's StorPortInitializeTimer timers (the legacy timer is <see cref="LegacyTimer"/>).</summary>
    internal AdapterTimerTable<ExtendedPortTimer> Timers { get; } = new();

    internal KSpinLock StartIoSpinLock { get; }

    internal KSpinLock DpcSpinLock { get; }

    internal KSpinLock InterruptSpinLock { get; }

    internal LegacyAdapterTimer LegacyTimer { get; }

    /// <summary>True while the adapter may run miniport code and arm timers.</summary>
    internal override bool IsLive => State is AdapterState.Created or AdapterState.Started or AdapterState.Stopped;

    /// <inheritdoc/>
    private protected override HostedRoutine KernelObjectRoutine => StorportRoutines.Of(MiniportRoutine.DpcRoutine);

    /// <summary>Timer callbacks: DISPATCH_LEVEL holding the StartIo lock, and the Interrupt lock in half duplex (§1.5, A8).</summary>
    internal override (HostedRoutine Routine, RoutineLocks Locks) TimerCallbackRoutine =>
        (StorportRoutines.Of(MiniportRoutine.TimerCallback), IsHalfDuplex ? RoutineLocks.StartIo | RoutineLocks.Interrupt : RoutineLocks.StartIo);

    // ------------------------------------------------------------------------------------------------------------
    // What Storport does to the miniport
    // ------------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Runs HwStorFindAdapter (PASSIVE_LEVEL), HwStorInitialize (device IRQL, Interrupt lock) and, if HwStorInitialize
    /// enabled it, HwStorPassiveInitializeRoutine (PASSIVE_LEVEL, no lock).
    /// </summary>
    /// <returns>True when both succeeded and the adapter is <see cref="AdapterState.Started"/>.</returns>
    internal bool Start(object? hwContext, string? argumentString)
    {
        uint found = StorPort.SP_RETURN_ERROR;
        var ok = RunRoutine(MiniportRoutine.HwFindAdapter, KIRQL.PASSIVE_LEVEL, takeStartIo: false, takeInterrupt: false, () =>
            found = _miniport.HwFindAdapter!(DeviceExtension, hwContext, null, argumentString, ConfigInfo, out _));
        if (!ok || found != StorPort.SP_RETURN_FOUND)
        {
            TrySetState(AdapterState.Failed, AdapterState.Created);
            return false;
        }

        var initialized = false;
        ok = RunRoutine(MiniportRoutine.HwInitialize, KIRQL.DISPATCH_LEVEL, takeStartIo: false, takeInterrupt: true, () =>
            initialized = _miniport.HwInitialize!(DeviceExtension));
        if (!ok || !initialized)
        {
            TrySetState(AdapterState.Failed, AdapterState.Created);
            return false;
        }

        if (PassiveInitializeRoutine is { } passive)
        {
            var passed = false;
            ok = RunRoutine(MiniportRoutine.HwPassiveInitialize, KIRQL.PASSIVE_LEVEL, takeStartIo: false, takeInterrupt: false, () => passed = passive(DeviceExtension));
            if (!ok || !passed)
            {
                TrySetState(AdapterState.Failed, AdapterState.Created);
                return false;
            }
        }

        return TrySetState(AdapterState.Started, AdapterState.Created);
    }

    /// <summary>
    /// Hands <paramref name="srb"/> to HwStorStartIo at DISPATCH_LEVEL under the StartIo lock (unless concurrent
    /// channels &gt; 1), plus the Interrupt lock in half duplex. Call at PASSIVE_LEVEL or DISPATCH_LEVEL.
    /// </summary>
    /// <returns>
    /// False when the adapter is not started (the request is not delivered) or StartIo raised a bug check. True when
    /// StartIo accepted it, or when the adapter is paused (StorPortPause) and holds it until the pause ends.
    /// </returns>
    public bool SubmitRequest(SCSI_REQUEST_BLOCK srb)
    {
        ArgumentNullException.ThrowIfNull(srb);
        if (State != AdapterState.Started)
        {
            return false;
        }

        Host.RequestActivity.CountSubmitted();
        return Pause.TryHold(srb) || DeliverRequest(srb);
    }

    /// <summary>True while StorPortPause holds this adapter's requests (until its timeout or StorPortResume).</summary>
    public bool IsPaused => Pause.IsPaused;

    /// <summary>Requests submitted while paused that have not reached HwStorStartIo yet.</summary>
    public int HeldRequestCount => Pause.HeldCount;

    internal AdapterPause Pause { get; }

    /// <summary>Set by StorPortEnablePassiveInitialization from HwStorInitialize; run once after it.</summary>
    internal HW_PASSIVE_INITIALIZE_ROUTINE? PassiveInitializeRoutine { get; set; }

    /// <summary>Runs HwStorStartIo for <paramref name="srb"/> (no pause check).</summary>
    internal bool DeliverRequest(SCSI_REQUEST_BLOCK srb) =>
        State == AdapterState.Started
        && RunRoutine(MiniportRoutine.HwStartIo, KIRQL.DISPATCH_LEVEL, StartIoTakesStartIoLock, IsHalfDuplex, () => _miniport.HwStartIo!(DeviceExtension, srb));

    /// <summary>Delivers one interrupt: HwStorInterrupt at the device IRQL holding the Interrupt lock. Call at or below DISPATCH_LEVEL.</summary>
    /// <returns>What HwStorInterrupt returned (false also when the adapter is not live).</returns>
    public bool RaiseInterrupt()
    {
        if (!IsLive)
        {
            return false;
        }

        var claimed = false;
        RunRoutine(MiniportRoutine.HwInterrupt, KIRQL.DISPATCH_LEVEL, takeStartIo: false, takeInterrupt: true, () => claimed = _miniport.HwInterrupt!(DeviceExtension));
        return claimed;
    }

    /// <summary>Calls HwStorUnitControl at DISPATCH_LEVEL with no lock (the level of ScsiUnitPoFxPowerActive).</summary>
    /// <returns>The miniport's SCSI_UNIT_CONTROL_STATUS, or 1 (unsuccessful) when it has no HwStorUnitControl or the adapter is not started.</returns>
    public uint UnitControl(SCSI_UNIT_CONTROL_TYPE controlType, object? parameters)
    {
        if (State != AdapterState.Started || _miniport.HwUnitControl is not { } unitControl)
        {
            return 1;
        }

        uint status = 1;
        RunRoutine(MiniportRoutine.HwUnitControl, KIRQL.DISPATCH_LEVEL, takeStartIo: false, takeInterrupt: false, () => status = unitControl(DeviceExtension, controlType, parameters));
        return status;
    }

    /// <summary>Sends ScsiStopAdapter (PASSIVE_LEVEL, no lock), then cancels every timer the miniport left armed (decision A6).</summary>
    public void Stop()
    {
        if (State != AdapterState.Started)
        {
            return;
        }

        AdapterControl(SCSI_ADAPTER_CONTROL_TYPE.ScsiStopAdapter);
        TrySetState(AdapterState.Stopped, AdapterState.Started);
        CancelAllTimers();
    }

    /// <summary>Sends ScsiRestartAdapter to a stopped adapter.</summary>
    /// <returns>True when the miniport restarted it.</returns>
    public bool Restart()
    {
        if (State != AdapterState.Stopped)
        {
            return false;
        }

        var ok = AdapterControl(SCSI_ADAPTER_CONTROL_TYPE.ScsiRestartAdapter) == 0;
        return ok && TrySetState(AdapterState.Started, AdapterState.Stopped);
    }

    /// <summary>
    /// Removes the adapter: an SRB_FUNCTION_PNP StorRemoveDevice request through StartIo, ScsiStopAdapter, then every
    /// timer is cancelled (decision A6); each StorPortInitializeTimer handle the miniport never freed is reported in
    /// <see cref="StorportHost.Findings"/> and freed on its behalf. Afterwards the device extension is invalid for DDIs.
    /// </summary>
    public void Remove()
    {
        if (State is AdapterState.Removed)
        {
            return;
        }

        Pause.Reset(); // held requests die with the adapter; the remove request is not held
        if (State == AdapterState.Started)
        {
            Host.RequestActivity.CountSubmitted();
            DeliverRequest(new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_PNP, PnPAction = StorPort.StorRemoveDevice });
        }

        if (State is AdapterState.Started or AdapterState.Stopped)
        {
            AdapterControl(SCSI_ADAPTER_CONTROL_TYPE.ScsiStopAdapter);
        }

        // Windows frees the adapter's memory: a timer still queued in it is TIMER_OR_DPC_INVALID (a finding without the verifier).
        foreach (var queued in Timers.Snapshot().Cast<PortTimer>().Append(LegacyTimer).Where(t => t.IsPending))
        {
            ReportQueuedAtTeardown("Removal", queued.Kind, "when the adapter was removed", "TimerQueuedAtRemoval");
        }

        OneWayState.MoveTo(ref _state, (int)AdapterState.Removed, (int)AdapterState.Removed, (int)AdapterState.Removed); // from any state, once
        foreach (var timer in Timers.Snapshot())
        {
            Host.Diagnostics.Add(new VerifierFinding(Name, "TimerNotFreed", "A StorPortInitializeTimer handle was still allocated when the adapter was removed; the host freed it."));
            timer.FreeOnRemoval();
            Timers.Untrack(timer);
        }

        CancelAllTimers();
        Host.Release(this);
    }

    private uint AdapterControl(SCSI_ADAPTER_CONTROL_TYPE controlType)
    {
        uint status = 1;
        RunRoutine(MiniportRoutine.HwAdapterControl, KIRQL.PASSIVE_LEVEL, takeStartIo: false, takeInterrupt: false, () => status = _miniport.HwAdapterControl!(DeviceExtension, controlType, null));
        return status;
    }

    /// <summary>A queued STOR_DPC: DISPATCH_LEVEL, no port lock.</summary>
    internal void RunDpc(STOR_DPC dpc)
    {
        if (IsLive && dpc.Routine is not null)
        {
            Run(StorportRoutines.Of(MiniportRoutine.DpcRoutine), KIRQL.DISPATCH_LEVEL, RoutineLocks.None, (Adapter: this, dpc), static s =>
                s.dpc.Routine!(s.dpc, s.Adapter.DeviceExtension, s.dpc.Queue!.SystemArgument1, s.dpc.Queue.SystemArgument2));
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Services for the DDIs
    // ------------------------------------------------------------------------------------------------------------

    internal uint InitializeTimer(out StorPortTimerHandle? handle)
    {
        var timer = new ExtendedPortTimer(this);
        if (!Timers.TryTrack(timer, Host.Options.MaxTimersPerAdapter))
        {
            handle = null;
            return StorPort.STOR_STATUS_UNSUCCESSFUL; // decision A7: only under a configured cap
        }

        handle = timer.Handle;
        return StorPort.STOR_STATUS_SUCCESS;
    }

    internal void CompleteRequest(SCSI_REQUEST_BLOCK srb)
    {
        var routine = StorportRoutines.Current;
        if (srb.TryComplete(routine))
        {
            Host.RequestActivity.CountCompleted(routine);
        }
        else
        {
            Host.Diagnostics.Add(new VerifierFinding(Name, "RequestCompletedTwice", $"SRB tag {srb.Tag} was completed a second time."));
        }
    }

    /// <summary>StorPortStateChangeDetected: one notification at a time; the next is refused while the host re-enumerates.</summary>
    internal uint StateChangeDetected()
    {
        var now = Host.Engine.NowNanoseconds;
        lock (_stateChangeGate)
        {
            if (now < _stateChangeBusyUntilNanoseconds)
            {
                return StorPort.STOR_STATUS_BUSY;
            }

            TimeUnits.TryMicrosecondsToNanoseconds(Host.Options.StateChangeProcessingMicroseconds, out var processing);
            _stateChangeBusyUntilNanoseconds = now + processing;
        }

        return StorPort.STOR_STATUS_SUCCESS;
    }

    internal void SetPerfConfiguration(PERF_CONFIGURATION_DATA data) => _perf = data;

    /// <inheritdoc/>
    private protected override void OnFaulted()
    {
        OneWayState.MoveTo(ref _state, (int)AdapterState.Faulted, (int)AdapterState.Removed, (int)AdapterState.Failed); // never after removal
        CancelAllTimers();
    }

    private void CancelAllTimers()
    {
        LegacyTimer.Abandon();
        Timers.AbandonAll();
    }

    private bool TrySetState(AdapterState to, AdapterState from) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;

    /// <summary>Takes the StartIo lock, then the Interrupt lock, as asked (the documented order).</summary>
    internal override LockTicket AcquireRoutineLocks(RoutineLocks locks)
    {
        var heldSince = Host.Trace is null ? 0 : Host.Engine.NowNanoseconds;
        var startIoOld = (locks & RoutineLocks.StartIo) != 0 ? StartIoSpinLock.Acquire() : default;
        var interruptOld = (locks & RoutineLocks.Interrupt) != 0 ? InterruptSpinLock.Acquire() : default;
        return new LockTicket(startIoOld, interruptOld, heldSince);
    }

    /// <summary>Releases the routine's port locks still held (a bug check's cleanup may have released them), in reverse order, and traces the hold.</summary>
    internal override void ReleaseRoutineLocks(HostedRoutine routine, RoutineLocks locks, LockTicket ticket)
    {
        var startIo = (locks & RoutineLocks.StartIo) != 0;
        var interrupt = (locks & RoutineLocks.Interrupt) != 0;
        if (interrupt && InterruptSpinLock.IsOwnedByCurrentThread)
        {
            InterruptSpinLock.Release(ticket.InterruptOldIrql);
        }

        if (Host.Trace is { } trace)
        {
            trace.LockHold(Name, startIo ? (interrupt ? "StartIo+Interrupt locks" : "StartIo lock") : "Interrupt lock", routine.Name, ticket.HeldSinceNanoseconds, Host.Engine.NowNanoseconds);
        }

        if (startIo && StartIoSpinLock.IsOwnedByCurrentThread)
        {
            StartIoSpinLock.Release(ticket.StartIoOldIrql);
        }
    }

    /// <summary>
    /// Calls into the miniport through the hosting layer's runner: raises to <paramref name="irql"/>, takes the StartIo
    /// lock and then the Interrupt lock as asked (the documented order), marks the routine for the DDIs, and turns any
    /// fault into a bug check that stops this adapter.
    /// </summary>
    /// <returns>False when the routine raised a bug check.</returns>
    private bool RunRoutine(MiniportRoutine routine, KIRQL irql, bool takeStartIo, bool takeInterrupt, Action body) =>
        Run(StorportRoutines.Of(routine), irql, (takeStartIo ? RoutineLocks.StartIo : RoutineLocks.None) | (takeInterrupt ? RoutineLocks.Interrupt : RoutineLocks.None), body, static b => b());
}
