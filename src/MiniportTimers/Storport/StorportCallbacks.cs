namespace MiniportTimers.Storport;

// The miniport routine types of storport.h. PVOID DeviceExtension is the extension object the host created.

/// <summary>HwStorFindAdapter: configure the adapter; PASSIVE_LEVEL. Returns SP_RETURN_*.</summary>
public delegate uint HW_FIND_ADAPTER(object DeviceExtension, object? HwContext, object? BusInformation, string? ArgumentString, PORT_CONFIGURATION_INFORMATION ConfigInfo, out bool Reserved3);

/// <summary>HwStorInitialize: initialize the hardware; device IRQL holding the Interrupt lock. Returns TRUE on success.</summary>
public delegate bool HW_INITIALIZE(object DeviceExtension);

/// <summary>HwStorStartIo: start a request; DISPATCH_LEVEL holding the StartIo lock (unless concurrent channels &gt; 1). Returns TRUE.</summary>
public delegate bool HW_STARTIO(object DeviceExtension, SCSI_REQUEST_BLOCK Srb);

/// <summary>HwStorBuildIo (nc-storport-hw_buildio): prepares <paramref name="Srb"/> at DISPATCH_LEVEL with no port lock held. Return true to have HwStorStartIo called, false when the routine completed the request itself.</summary>
public delegate bool HW_BUILDIO(object DeviceExtension, SCSI_REQUEST_BLOCK Srb);

/// <summary>HwStorInterrupt: service an interrupt; device IRQL holding the Interrupt lock. Returns TRUE if the adapter interrupted.</summary>
public delegate bool HW_INTERRUPT(object DeviceExtension);

/// <summary>
/// HwMSInterruptRoutine (HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE, storport.h): the miniport's handler of a message-signaled
/// interrupt, set in PORT_CONFIGURATION_INFORMATION by HwStorFindAdapter. Runs at the device IRQL holding the message's
/// lock (the Interrupt lock: this host grants one message). Returns TRUE when the interrupt was the adapter's.
/// </summary>
/// <param name="DeviceExtension">The adapter's device extension.</param>
/// <param name="MessageId">The message, 0-based (always 0 here: one message is granted).</param>
public delegate bool HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE(object DeviceExtension, uint MessageId);

/// <summary>HwStorAdapterControl: stop, restart, query; called with no port lock held. Returns SCSI_ADAPTER_CONTROL_STATUS (0 = success).</summary>
public delegate uint HW_ADAPTER_CONTROL(object DeviceExtension, SCSI_ADAPTER_CONTROL_TYPE ControlType, object? Parameters);

/// <summary>HwStorUnitControl: unit power and PnP events. Returns SCSI_UNIT_CONTROL_STATUS (0 = success).</summary>
public delegate uint HW_UNIT_CONTROL(object DeviceExtension, SCSI_UNIT_CONTROL_TYPE ControlType, object? Parameters);

/// <summary>
/// HwStorTimer, the legacy timer routine of StorPortNotification(RequestTimerCall, ...). Runs at DISPATCH_LEVEL holding
/// the StartIo lock (half duplex: also the Interrupt lock, at the device IRQL). (nc-storport-hw_timer)
/// </summary>
public delegate void HW_TIMER(object DeviceExtension);

/// <summary>
/// PHW_TIMER_EX, the routine of StorPortRequestTimer. Runs like HwStorTimer (decision A8): DISPATCH_LEVEL holding the
/// StartIo lock, plus the Interrupt lock in half duplex. <paramref name="Context"/> is the CallbackContext of the latest
/// successful request.
/// </summary>
public delegate void HW_TIMER_EX(object DeviceExtension, object? Context);

/// <summary>HwStorDpcRoutine: a miniport DPC issued with StorPortIssueDpc; DISPATCH_LEVEL, no port lock.</summary>
public delegate void HW_DPC_ROUTINE(STOR_DPC Dpc, object HwDeviceExtension, object? SystemArgument1, object? SystemArgument2);

/// <summary>
/// The routine StorPortSynchronizeAccess runs synchronized with HwStorInterrupt: at the device IRQL holding the
/// Interrupt lock. Its return value is StorPortSynchronizeAccess's. (nf-storport-storportsynchronizeaccess)
/// </summary>
public delegate bool STOR_SYNCHRONIZED_ACCESS(object HwDeviceExtension, object? Context);

/// <summary>
/// HwStorPassiveInitializeRoutine: runs once at PASSIVE_LEVEL, with no port lock, after HwStorInitialize returns, when
/// HwStorInitialize called StorPortEnablePassiveInitialization. FALSE fails the adapter's start.
/// (nc-storport-hw_passive_initialize_routine)
/// </summary>
public delegate bool HW_PASSIVE_INITIALIZE_ROUTINE(object DeviceExtension);
