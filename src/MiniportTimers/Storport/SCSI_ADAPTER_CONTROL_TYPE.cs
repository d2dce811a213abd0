namespace MiniportTimers.Storport;

/// <summary>The control types of HwStorAdapterControl (storport.h values).</summary>
public enum SCSI_ADAPTER_CONTROL_TYPE
{
    /// <summary>0: which control types the miniport supports.</summary>
    ScsiQuerySupportedControlTypes = 0,

    /// <summary>1: stop the adapter (called with no port lock held).</summary>
    ScsiStopAdapter = 1,

    /// <summary>2: restart the adapter.</summary>
    ScsiRestartAdapter = 2,

    /// <summary>3: set the boot configuration.</summary>
    ScsiSetBootConfig = 3,

    /// <summary>4: set the running configuration.</summary>
    ScsiSetRunningConfig = 4,

    /// <summary>5: a power setting the miniport registered (StorPortSetPowerSettingNotificationGuids) has a new value. Parameters: <see cref="STOR_POWER_SETTING_INFO"/>.</summary>
    ScsiPowerSettingNotification = 5,
}
