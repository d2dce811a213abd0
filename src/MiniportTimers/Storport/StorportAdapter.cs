using MiniportTimers.Devices.Pci;
using MiniportTimers.Diagnostics;
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
public sealed partial class StorportAdapter : HostedAdapter
{
    private readonly object _stateChangeGate = new();
    private readonly HW_INITIALIZATION_DATA _miniport;
    private int _state = (int)AdapterState.Created;

    /// <summary>Set once by <see cref="AdapterRegistry.Forget"/> (removal, abandonment): the registry's lookup cache never holds this adapter again.</summary>
    internal bool ForgottenByRegistry;
    private PERF_CONFIGURATION_DATA? _perf;
    private long _stateChangeBusyUntilNanoseconds = -1;

    internal StorportAdapter(StorportHost host, string name, HW_INITIALIZATION_DATA miniport, object deviceExtension, AdapterHardware? hardware = null)
        : base(host, name)
    {
        Host = host;
        _miniport = miniport;
        DeviceExtension = deviceExtension;
        Hardware = hardware;
        ConfigInfo = new PORT_CONFIGURATION_INFORMATION { InterruptIrql = host.Options.InterruptIrql };
        if (hardware is not null)
        {
            ConfigInfo.AccessRanges = [.. hardware.Device.Bars.Select(b => new ACCESS_RANGE(b.BaseAddress, checked((uint)b.Length), !b.IsIoSpace))];
            ConfigInfo.BusInterruptLevel = hardware.Device.PciConfiguration.ReadByte(PciConfigurationSpace.InterruptLineOffset);
        }

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

    /// <summary>The adapter's device (its BARs, configuration space, interrupt and DMA memory), or null for an adapter without one.</summary>
    public AdapterHardware? Hardware { get; }

    /// <summary>The adapter's number on its host (0 for the first created): STOR_ADDR_BTL8.Port in the requests it gets, and what StorPortGetSystemPortNumber returns.</summary>
    public ushort SystemPortNumber { get; internal init; }

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

    /// <summary>True when the calling thread holds this adapter's StartIo lock (in a timer callback or HwStorStartIo, or after StorPortAcquireSpinLock).</summary>
    public bool IsStartIoLockHeldByCurrentThread => StartIoSpinLock.IsOwnedByCurrentThread;

    /// <summary>True when the calling thread holds this adapter's Interrupt lock (in HwStorInterrupt, StorPortSynchronizeAccess, a half-duplex callback).</summary>
    public bool IsInterruptLockHeldByCurrentThread => InterruptSpinLock.IsOwnedByCurrentThread;

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

        Hardware?.Device.Interrupt.Connect(OnLineInterrupt); // Storport connects the interrupt after HwStorFindAdapter, before HwStorInitialize

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

        // Storport asks which adapter control types the miniport implements once the HBA is initialized, before the
        // first I/O, with a list the miniport fills (HwStorAdapterControl, ScsiQuerySupportedControlTypes).
        var supported = new SCSI_SUPPORTED_CONTROL_TYPE_LIST();
        AdapterControl(SCSI_ADAPTER_CONTROL_TYPE.ScsiQuerySupportedControlTypes, supported);
        SupportedControlTypes = supported;
        return TrySetState(AdapterState.Started, AdapterState.Created);
    }

    /// <summary>
    /// What the miniport answered to HwStorAdapterControl(ScsiQuerySupportedControlTypes) once it was initialized; null
    /// before. Recorded only: the host sends ScsiStopAdapter and ScsiRestartAdapter whatever it says.
    /// </summary>
    public SCSI_SUPPORTED_CONTROL_TYPE_LIST? SupportedControlTypes { get; private set; }

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
            DeliverRequest(new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_PNP, PnPAction = StorPort.StorRemoveDevice, SrbPnPFlags = 1 /* SRB_PNP_FLAGS_ADAPTER_REQUEST */ });
        }

        if (State is AdapterState.Started or AdapterState.Stopped)
        {
            AdapterControl(SCSI_ADAPTER_CONTROL_TYPE.ScsiStopAdapter);
        }

        // Windows frees the adapter's memory: a timer still queued in it is TIMER_OR_DPC_INVALID (a finding without the
        // verifier). Not so for an adapter whose start failed: Storport sends no ScsiStopAdapter to what it never started,
        // and the host runs no timer of a failed adapter, so the miniport had no routine in which to cancel a request its
        // start made (OFA nvmewin's give-up re-requests NVMeRunning once more before HwPassiveInitialize returns FALSE).
        // The host cancels those below (decision A6) without a report; unfreed handles are still findings.
        var queuedAtRemoval = State == AdapterState.Failed ? [] : Timers.Snapshot().Cast<PortTimer>().Append(LegacyTimer).Where(t => t.IsPending);
        foreach (var queued in queuedAtRemoval)
        {
            ReportQueuedAtTeardown("Removal", queued.Kind, "when the adapter was removed", Misuses.TimerQueuedAtRemoval);
        }

        OneWayState.MoveTo(ref _state, (int)AdapterState.Removed, (int)AdapterState.Removed, (int)AdapterState.Removed); // from any state, once
        AdapterRegistry.Forget(this);
        foreach (var timer in Timers.Snapshot())
        {
            Host.Diagnostics.Add(new VerifierFinding(Name, "TimerNotFreed", "A StorPortInitializeTimer handle was still allocated when the adapter was removed; the host freed it."));
            timer.FreeOnRemoval();
            Timers.Untrack(timer);
        }

        CancelAllTimers();
        Hardware?.Device.Interrupt.Connect(null);
        Host.Release(this);
        if (Hardware is { } hardware)
        {
            FreeRequestMemory();
            hardware.Dispose(); // after the release: the bridge has freed what it kept in the device's memory
            Host.ForgetDevice(hardware.Device);
        }
    }


    /// <summary>
    /// The miniport's driver is unloaded while this adapter is still there (its host never removed it, or a harness
    /// disposed the driver first; Windows removes every device before it unloads a driver): the device extension's memory
    /// is about to go, so nothing of the miniport may run again. Cancels every timer without waiting, drops held
    /// requests and disconnects the interrupt, as a fault does but without a bug check and without calling the miniport;
    /// the adapter is <see cref="AdapterState.Removed"/> (a failed one stays <see cref="AdapterState.Failed"/>). The
    /// caller then waits for the callbacks already dispatched (<see cref="Engine.TimerEngine.FlushDispatched"/>) before
    /// it frees the memory. Idempotent. Call at PASSIVE_LEVEL.
    /// </summary>
    internal void AbandonAtUnload()
    {
        OneWayState.MoveTo(ref _state, (int)AdapterState.Removed, (int)AdapterState.Removed, (int)AdapterState.Failed);
        AdapterRegistry.Forget(this);
        Pause.Reset();
        CancelAllTimers();
        Hardware?.Device.Interrupt.Connect(null);
    }

    internal void SetPerfConfiguration(PERF_CONFIGURATION_DATA data) => _perf = data;

    /// <inheritdoc/>
    private protected override void OnFaulted()
    {
        OneWayState.MoveTo(ref _state, (int)AdapterState.Faulted, (int)AdapterState.Removed, (int)AdapterState.Failed); // never after removal
        CancelAllTimers();
        Hardware?.Device.Interrupt.Connect(null); // a faulted adapter's ISR is not run again
    }

    private void CancelAllTimers()
    {
        LegacyTimer.Abandon();
        Timers.AbandonAll();
    }

    private bool TrySetState(AdapterState to, AdapterState from) =>
        Interlocked.CompareExchange(ref _state, (int)to, (int)from) == (int)from;
}
