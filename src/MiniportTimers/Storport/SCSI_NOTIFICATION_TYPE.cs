namespace MiniportTimers.Storport;

/// <summary>The first argument of StorPortNotification (storport.h values).</summary>
public enum SCSI_NOTIFICATION_TYPE
{
    /// <summary>0: complete an SRB.</summary>
    RequestComplete = 0,

    /// <summary>1: ready for the next request.</summary>
    NextRequest = 1,

    /// <summary>2: ready for the next request to a logical unit.</summary>
    NextLuRequest = 2,

    /// <summary>3: a bus reset was detected.</summary>
    ResetDetected = 3,

    /// <summary>6: request the adapter's single legacy timer (HwStorTimer).</summary>
    RequestTimerCall = 6,

    /// <summary>7: a bus change was detected.</summary>
    BusChangeDetected = 7,

    /// <summary>0x1000: enable passive initialization.</summary>
    EnablePassiveInitialization = 0x1000,

    /// <summary>0x1001: initialize a DPC.</summary>
    InitializeDpc = 0x1001,

    /// <summary>0x1002: issue a DPC.</summary>
    IssueDpc = 0x1002,

    /// <summary>0x1003: acquire a spin lock.</summary>
    AcquireSpinLock = 0x1003,

    /// <summary>0x1004: release a spin lock.</summary>
    ReleaseSpinLock = 0x1004,

    /// <summary>0x1005: state change detected (Windows 8).</summary>
    StateChangeDetectedCall = 0x1005,
}
