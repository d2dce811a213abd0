namespace MiniportTimers.Storport;

/// <summary>
/// The flat Storport DDI surface, with the names and values of storport.h and srb.h, so that ported C reads line for
/// line after <c>using static MiniportTimers.Storport.StorPort;</c>. This part holds the constants.
/// </summary>
public static partial class StorPort
{
    // ---- STOR_STATUS_* (storport.h). ULONG values returned by the extended routines; not NTSTATUS. ----

    /// <summary>0x00000000: the routine succeeded.</summary>
    public const uint STOR_STATUS_SUCCESS = 0x00000000;

    /// <summary>0xC1000001: failed (for StorPortFreeTimer: the timer is already free; for StorPortInitializeTimer: the configured timer cap is reached).</summary>
    public const uint STOR_STATUS_UNSUCCESSFUL = 0xC1000001;

    /// <summary>0xC1000002: the routine is not implemented (Windows 7 mode, decision A17).</summary>
    public const uint STOR_STATUS_NOT_IMPLEMENTED = 0xC1000002;

    /// <summary>0xC1000003: an allocation failed.</summary>
    public const uint STOR_STATUS_INSUFFICIENT_RESOURCES = 0xC1000003;

    /// <summary>0xC1000004: a buffer is too small.</summary>
    public const uint STOR_STATUS_BUFFER_TOO_SMALL = 0xC1000004;

    /// <summary>0xC1000005: access denied.</summary>
    public const uint STOR_STATUS_ACCESS_DENIED = 0xC1000005;

    /// <summary>0xC1000006: a parameter is NULL or invalid (an unknown device extension, a foreign or freed timer handle, a value out of range).</summary>
    public const uint STOR_STATUS_INVALID_PARAMETER = 0xC1000006;

    /// <summary>0xC1000007: the request is not valid for this device.</summary>
    public const uint STOR_STATUS_INVALID_DEVICE_REQUEST = 0xC1000007;

    /// <summary>0xC1000008: called above the IRQL the routine allows.</summary>
    public const uint STOR_STATUS_INVALID_IRQL = 0xC1000008;

    /// <summary>0xC1000009: the adapter is in a state that does not allow the call (stopped after a bug check, or removed).</summary>
    public const uint STOR_STATUS_INVALID_DEVICE_STATE = 0xC1000009;

    /// <summary>0xC100000A: a buffer size is invalid.</summary>
    public const uint STOR_STATUS_INVALID_BUFFER_SIZE = 0xC100000A;

    /// <summary>0xC100000B: the structure version is not supported.</summary>
    public const uint STOR_STATUS_UNSUPPORTED_VERSION = 0xC100000B;

    /// <summary>0xC100000C: StorPortRequestTimer on a timer whose previous request is still pending (decision A4).</summary>
    public const uint STOR_STATUS_BUSY = 0xC100000C;

    // ---- HwFindAdapter results (SP_RETURN_*, srb.h) ----

    /// <summary>0: no adapter found.</summary>
    public const uint SP_RETURN_NOT_FOUND = 0;

    /// <summary>1: the adapter was found and configured.</summary>
    public const uint SP_RETURN_FOUND = 1;

    /// <summary>2: an error occurred.</summary>
    public const uint SP_RETURN_ERROR = 2;

    /// <summary>3: the configuration is bad.</summary>
    public const uint SP_RETURN_BAD_CONFIG = 3;

    // ---- SRB flags (srb.h): SCSI_REQUEST_BLOCK.SrbFlags ----

    /// <summary>0x40: the request reads data from the device into its buffer.</summary>
    public const uint SRB_FLAGS_DATA_IN = 0x40;

    /// <summary>0x80: the request writes its buffer to the device.</summary>
    public const uint SRB_FLAGS_DATA_OUT = 0x80;

    /// <summary>0x00: the request moves no data.</summary>
    public const uint SRB_FLAGS_NO_DATA_TRANSFER = 0x00;

    // ---- SRB functions (srb.h) ----

    /// <summary>0x00: a SCSI command (CDB).</summary>
    public const byte SRB_FUNCTION_EXECUTE_SCSI = 0x00;

    /// <summary>0x07: shutdown.</summary>
    public const byte SRB_FUNCTION_SHUTDOWN = 0x07;

    /// <summary>0x08: flush.</summary>
    public const byte SRB_FUNCTION_FLUSH = 0x08;

    /// <summary>0x12: bus reset.</summary>
    public const byte SRB_FUNCTION_RESET_BUS = 0x12;

    /// <summary>0x24: a power request (<see cref="SCSI_REQUEST_BLOCK.DevicePowerState"/>).</summary>
    public const byte SRB_FUNCTION_POWER = 0x24;

    /// <summary>0x25: a PnP request (<see cref="SCSI_REQUEST_BLOCK.PnPAction"/>).</summary>
    public const byte SRB_FUNCTION_PNP = 0x25;

    // ---- SRB status (srb.h) ----

    /// <summary>0x00: still in progress.</summary>
    public const byte SRB_STATUS_PENDING = 0x00;

    /// <summary>0x01: completed successfully.</summary>
    public const byte SRB_STATUS_SUCCESS = 0x01;

    /// <summary>0x02: aborted.</summary>
    public const byte SRB_STATUS_ABORTED = 0x02;

    /// <summary>0x04: error.</summary>
    public const byte SRB_STATUS_ERROR = 0x04;

    /// <summary>0x05: busy.</summary>
    public const byte SRB_STATUS_BUSY = 0x05;

    /// <summary>0x06: invalid request.</summary>
    public const byte SRB_STATUS_INVALID_REQUEST = 0x06;

    /// <summary>0x08: no device at this address.</summary>
    public const byte SRB_STATUS_NO_DEVICE = 0x08;

    // ---- STOR_PNP_ACTION (storport.h) ----

    /// <summary>0x0: start device.</summary>
    public const int StorStartDevice = 0x0;

    /// <summary>0x2: remove device.</summary>
    public const int StorRemoveDevice = 0x2;

    /// <summary>0x4: stop device.</summary>
    public const int StorStopDevice = 0x4;

    /// <summary>0x17: surprise removal.</summary>
    public const int StorSurpriseRemoval = 0x17;

    // ---- PERF_CONFIGURATION_DATA.Flags (storport.h) ----

    /// <summary>0x1: DPC redirection.</summary>
    public const uint STOR_PERF_DPC_REDIRECTION = 0x1;

    /// <summary>0x2: concurrent channels: with ConcurrentChannels &gt; 1 Storport no longer takes the StartIo lock around HwStorStartIo (semantics §1.5).</summary>
    public const uint STOR_PERF_CONCURRENT_CHANNELS = 0x2;

    /// <summary>0x4: interrupt message ranges.</summary>
    public const uint STOR_PERF_INTERRUPT_MESSAGE_RANGES = 0x4;

    /// <summary>0x8: advanced configuration locality.</summary>
    public const uint STOR_PERF_ADV_CONFIG_LOCALITY = 0x8;

    /// <summary>0x10: optimize for completion during StartIo.</summary>
    public const uint STOR_PERF_OPTIMIZE_FOR_COMPLETION_DURING_STARTIO = 0x10;

    /// <summary>0x20: DPC redirection to the current CPU.</summary>
    public const uint STOR_PERF_DPC_REDIRECTION_CURRENT_CPU = 0x20;

    /// <summary>2: PERF_CONFIGURATION_DATA version 2 (the first with concurrent channels).</summary>
    public const uint STOR_PERF_VERSION_2 = 2;

    /// <summary>3.</summary>
    public const uint STOR_PERF_VERSION_3 = 3;

    /// <summary>4.</summary>
    public const uint STOR_PERF_VERSION_4 = 4;

    // ---- Enumerations re-exported as constants, so `using static` brings the header spelling into scope ----

    /// <summary>6: StorPortNotification(RequestTimerCall, ...) requests the adapter's single legacy timer.</summary>
    public const SCSI_NOTIFICATION_TYPE RequestTimerCall = SCSI_NOTIFICATION_TYPE.RequestTimerCall;

    /// <summary>0: StorPortNotification(RequestComplete, ...) completes an SRB.</summary>
    public const SCSI_NOTIFICATION_TYPE RequestComplete = SCSI_NOTIFICATION_TYPE.RequestComplete;

    /// <summary>1: StorPortNotification(NextRequest, ...) (accepted; Storport ignores it).</summary>
    public const SCSI_NOTIFICATION_TYPE NextRequest = SCSI_NOTIFICATION_TYPE.NextRequest;

    /// <summary>1: the DPC lock.</summary>
    public const STOR_SPINLOCK DpcLock = STOR_SPINLOCK.DpcLock;

    /// <summary>2: the StartIo lock.</summary>
    public const STOR_SPINLOCK StartIoLock = STOR_SPINLOCK.StartIoLock;

    /// <summary>3: the Interrupt lock.</summary>
    public const STOR_SPINLOCK InterruptLock = STOR_SPINLOCK.InterruptLock;

    /// <summary>0: half duplex: StartIo and timer callbacks also hold the Interrupt lock.</summary>
    public const STOR_SYNCHRONIZATION_MODEL StorSynchronizeHalfDuplex = STOR_SYNCHRONIZATION_MODEL.StorSynchronizeHalfDuplex;

    /// <summary>1: full duplex.</summary>
    public const STOR_SYNCHRONIZATION_MODEL StorSynchronizeFullDuplex = STOR_SYNCHRONIZATION_MODEL.StorSynchronizeFullDuplex;
}
