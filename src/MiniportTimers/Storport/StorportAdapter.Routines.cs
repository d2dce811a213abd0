using MiniportTimers.Hosting.Routines;
using MiniportTimers.Kernel;

namespace MiniportTimers.Storport;

public sealed partial class StorportAdapter
{
    // What Storport does to the miniport: each routine at its documented IRQL and under its documented port locks,
    // through the hosting layer's runner.

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

    /// <summary>
    /// Runs HwStorBuildIo (if the miniport has one: DISPATCH_LEVEL, no port lock), then HwStorStartIo for
    /// <paramref name="srb"/> (no pause check). On an adapter with a device the data buffer is mapped in the device's
    /// address map first and stays mapped until the request completes.
    /// </summary>
    internal bool DeliverRequest(SCSI_REQUEST_BLOCK srb)
    {
        if (State != AdapterState.Started)
        {
            return false;
        }

        if (Hardware is { } hardware && !srb.DataBuffer.IsEmpty && srb.MappedDataBuffer is null)
        {
            srb.MappedDataBuffer = hardware.AddressMap.Map(srb.DataBuffer);
            _outstanding.TryAdd(srb, 0);
        }

        if (_miniport.HwBuildIo is { } buildIo)
        {
            var build = true;
            if (!RunRoutine(MiniportRoutine.HwBuildIo, KIRQL.DISPATCH_LEVEL, takeStartIo: false, takeInterrupt: false, () => build = buildIo(DeviceExtension, srb)))
            {
                return false;
            }

            if (!build)
            {
                return true; // completed in HwStorBuildIo
            }
        }

        return RunRoutine(MiniportRoutine.HwStartIo, KIRQL.DISPATCH_LEVEL, StartIoTakesStartIoLock, IsHalfDuplex, () => _miniport.HwStartIo!(DeviceExtension, srb));
    }

    /// <summary>
    /// The device's line rose (engine dispatcher, no lock of ours held): HwStorInterrupt runs at the device IRQL under
    /// the Interrupt lock, again while the line stays asserted and the routine claims it, as a level-triggered
    /// interrupt controller re-delivers (bounded, so a routine that claims without clearing cannot hang the dispatcher).
    /// </summary>
    private void OnLineInterrupt()
    {
        const int MaxRedeliveries = 64;
        var line = Hardware!.Device.Interrupt;
        for (var i = 0; i < MaxRedeliveries && IsLive && RaiseInterrupt() && line.IsAsserted; i++)
        {
        }
    }

    /// <summary>Unmaps the data buffers and releases the port contexts of requests the miniport never completed (adapter removal).</summary>
    private void FreeRequestMemory()
    {
        foreach (var srb in _outstanding.Keys)
        {
            ReleaseRequestMemory(srb);
        }
    }

    /// <summary>Requests whose data buffer is mapped in the device's address map (adapters with a device).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<SCSI_REQUEST_BLOCK, byte> _outstanding = new(ReferenceEqualityComparer.Instance);

    /// <summary>At completion (or removal): unmaps the request's data buffer and releases its port context. Idempotent.</summary>
    internal void ReleaseRequestMemory(SCSI_REQUEST_BLOCK srb)
    {
        _outstanding.TryRemove(srb, out _);
        if (srb.MappedDataBuffer is { } range && Hardware is { } hardware)
        {
            srb.MappedDataBuffer = null;
            hardware.AddressMap.Unmap(range);
        }

        if (srb.PortContext is { } context)
        {
            srb.PortContext = null;
            context.Dispose();
        }
    }

    /// <summary>
    /// Delivers one interrupt at the device IRQL holding the Interrupt lock: HwStorInterrupt, or, when the miniport
    /// took message-signaled interrupts (<see cref="MessageSignaledInterruptGranted"/>), its HwMSInterruptRoutine with
    /// message 0. Call at or below DISPATCH_LEVEL.
    /// </summary>
    /// <returns>What the routine returned (false also when the adapter is not live).</returns>
    public bool RaiseInterrupt()
    {
        if (!IsLive)
        {
            return false;
        }

        var claimed = false;
        if (MessageSignaledInterruptGranted && ConfigInfo.HwMSInterruptRoutine is { } messageRoutine)
        {
            RunRoutine(MiniportRoutine.HwInterrupt, KIRQL.DISPATCH_LEVEL, takeStartIo: false, takeInterrupt: true, () => claimed = messageRoutine(DeviceExtension, 0));
        }
        else
        {
            RunRoutine(MiniportRoutine.HwInterrupt, KIRQL.DISPATCH_LEVEL, takeStartIo: false, takeInterrupt: true, () => claimed = _miniport.HwInterrupt!(DeviceExtension));
        }

        return claimed;
    }

    /// <summary>
    /// True when the adapter's interrupts are message-signaled: its miniport set HwMSInterruptRoutine in HwStorFindAdapter
    /// and it has a device. One message is granted (message 0); StorPortGetMSIInfo answers it.
    /// </summary>
    internal bool MessageSignaledInterruptGranted => ConfigInfo.HwMSInterruptRoutine is not null && Hardware is not null;

    /// <summary>Calls HwStorUnitControl with no lock: at DISPATCH_LEVEL for ScsiUnitPoFxPowerActive, at PASSIVE_LEVEL for the other types (ScsiUnitPoFxPowerInfo, the queries). Call at PASSIVE_LEVEL.</summary>
    /// <returns>The miniport's SCSI_UNIT_CONTROL_STATUS, or 1 (unsuccessful) when it has no HwStorUnitControl or the adapter is not started.</returns>
    public uint UnitControl(SCSI_UNIT_CONTROL_TYPE controlType, object? parameters)
    {
        if (State != AdapterState.Started || _miniport.HwUnitControl is not { } unitControl)
        {
            return 1;
        }

        uint status = 1;
        var irql = controlType == SCSI_UNIT_CONTROL_TYPE.ScsiUnitPoFxPowerActive ? KIRQL.DISPATCH_LEVEL : KIRQL.PASSIVE_LEVEL; // ScsiUnitPoFxPowerInfo and the queries: PASSIVE_LEVEL
        RunRoutine(MiniportRoutine.HwUnitControl, irql, takeStartIo: false, takeInterrupt: false, () => status = unitControl(DeviceExtension, controlType, parameters));
        return status;
    }

    private uint AdapterControl(SCSI_ADAPTER_CONTROL_TYPE controlType, object? parameters = null)
    {
        uint status = 1;
        RunRoutine(MiniportRoutine.HwAdapterControl, KIRQL.PASSIVE_LEVEL, takeStartIo: false, takeInterrupt: false, () => status = _miniport.HwAdapterControl!(DeviceExtension, controlType, parameters));
        return status;
    }

    /// <summary>
    /// The miniport registered power settings (StorPortSetPowerSettingNotificationGuids): once the registering routine
    /// returned, each one <see cref="StorportHostOptions.PowerSettings"/> has a value for is sent in a
    /// HwStorAdapterControl(ScsiPowerSettingNotification) at PASSIVE_LEVEL, on the engine's dispatcher.
    /// </summary>
    internal void PowerSettingsRegistered(IReadOnlyList<Guid> guids)
    {
        lock (_powerSettingsGate)
        {
            _registeredPowerSettings = [.. guids];
        }

        var engine = Host.Engine;
        engine.Arm(engine.CreateTimer(static (t, in _) => ((StorportAdapter)t.State!).NotifyPowerSettings(), this), engine.NowNanoseconds);
    }

    /// <summary>
    /// Sends each power setting the miniport registered (StorPortSetPowerSettingNotificationGuids) that
    /// <see cref="StorportHostOptions.PowerSettings"/> has a value for, in a HwStorAdapterControl(ScsiPowerSettingNotification)
    /// at PASSIVE_LEVEL with no lock, as the power manager does when the power plan changes. Call at PASSIVE_LEVEL.
    /// </summary>
    /// <returns>How many settings were sent (0 when none is registered, or the adapter is neither created nor started).</returns>
    public int NotifyPowerSettings()
    {
        Guid[] registered;
        lock (_powerSettingsGate)
        {
            registered = _registeredPowerSettings;
        }

        var sent = 0;
        foreach (var guid in registered)
        {
            if (Host.Options.PowerSettings.TryGetValue(guid, out var value) && State is AdapterState.Created or AdapterState.Started)
            {
                AdapterControl(SCSI_ADAPTER_CONTROL_TYPE.ScsiPowerSettingNotification, new STOR_POWER_SETTING_INFO(guid, value));
                sent++;
            }
        }

        return sent;
    }

    private readonly object _powerSettingsGate = new();
    private Guid[] _registeredPowerSettings = [];

    /// <summary>
    /// Queues <paramref name="body"/> as a work item (StorPortQueueWorkItem): it runs at PASSIVE_LEVEL with no port lock
    /// on the engine's dispatcher, as on a system worker thread, once the caller has returned; not at all once the
    /// adapter is no longer live. <paramref name="started"/> runs first, on the same thread (the worker may be queued again from then).
    /// </summary>
    internal void QueueWorkItem(Action started, Action body)
    {
        var engine = Host.Engine;
        var timer = engine.CreateTimer(static (t, in _) =>
        {
            var (adapter, started, body) = ((StorportAdapter, Action, Action))t.State!;
            started();
            if (adapter.IsLive)
            {
                adapter.RunRoutine(MiniportRoutine.WorkItem, KIRQL.PASSIVE_LEVEL, takeStartIo: false, takeInterrupt: false, body);
            }
        }, (this, started, body));
        engine.Arm(timer, engine.NowNanoseconds);
    }

    /// <summary>Runs a HwStateChange callback at DISPATCH_LEVEL holding the StartIo lock (nc-storport-hw_state_change: "called with the StartIo lock acquired by Storport").</summary>
    internal void RunStateChangeCallback(Action body)
    {
        if (IsLive)
        {
            RunRoutine(MiniportRoutine.HwStateChange, KIRQL.DISPATCH_LEVEL, takeStartIo: true, takeInterrupt: false, body);
        }
    }

    /// <summary>A queued STOR_DPC: DISPATCH_LEVEL, no port lock.</summary>
    internal void RunDpc(STOR_DPC dpc)
    {
        if (IsLive && dpc.Routine is not null)
        {
            Run(StorportRoutines.Of(MiniportRoutine.DpcRoutine), KIRQL.DISPATCH_LEVEL, RoutineLocks.None, (Adapter: this, dpc), static (in s) =>
                s.dpc.Routine!(s.dpc, s.Adapter.DeviceExtension, s.dpc.Queue!.SystemArgument1, s.dpc.Queue.SystemArgument2));
        }
    }

    /// <summary>Takes the StartIo lock, then the Interrupt lock, as asked (the documented order).</summary>
    internal override LockTicket AcquireRoutineLocks(ThreadFrame frame, RoutineLocks locks)
    {
        var heldSince = Host.Trace is null ? 0 : Host.Engine.NowNanoseconds;
        var startIoOld = (locks & RoutineLocks.StartIo) != 0 ? StartIoSpinLock.Acquire(frame) : default;
        var interruptOld = (locks & RoutineLocks.Interrupt) != 0 ? InterruptSpinLock.Acquire(frame) : default;
        return new LockTicket(startIoOld, interruptOld, heldSince);
    }

    /// <summary>Releases the routine's port locks still held (a bug check's cleanup may have released them), in reverse order, and traces the hold.</summary>
    internal override void ReleaseRoutineLocks(ThreadFrame frame, HostedRoutine routine, RoutineLocks locks, LockTicket ticket)
    {
        var startIo = (locks & RoutineLocks.StartIo) != 0;
        var interrupt = (locks & RoutineLocks.Interrupt) != 0;
        if (interrupt && InterruptSpinLock.IsOwnedBy(frame))
        {
            InterruptSpinLock.Release(frame, ticket.InterruptOldIrql);
        }

        if (Host.Trace is { } trace)
        {
            trace.LockHold(Name, startIo ? (interrupt ? "StartIo+Interrupt locks" : "StartIo lock") : "Interrupt lock", routine.Name, ticket.HeldSinceNanoseconds, Host.Engine.NowNanoseconds);
        }

        if (startIo && StartIoSpinLock.IsOwnedBy(frame))
        {
            StartIoSpinLock.Release(frame, ticket.StartIoOldIrql);
        }
    }

    /// <summary>
    /// Calls into the miniport through the hosting layer's runner: raises to <paramref name="irql"/>, takes the StartIo
    /// lock and then the Interrupt lock as asked (the documented order), marks the routine for the DDIs, and turns any
    /// fault into a bug check that stops this adapter.
    /// </summary>
    /// <returns>False when the routine raised a bug check.</returns>
    private bool RunRoutine(MiniportRoutine routine, KIRQL irql, bool takeStartIo, bool takeInterrupt, Action body) =>
        Run(StorportRoutines.Of(routine), irql, (takeStartIo ? RoutineLocks.StartIo : RoutineLocks.None) | (takeInterrupt ? RoutineLocks.Interrupt : RoutineLocks.None), body, static (in b) => b());
}
