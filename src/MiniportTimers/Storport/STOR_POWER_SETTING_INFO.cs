namespace MiniportTimers.Storport;

/// <summary>The Parameters of HwStorAdapterControl(ScsiPowerSettingNotification) (ns-storport-_stor_power_setting_info): a registered power setting and its value.</summary>
/// <param name="PowerSettingGuid">The power setting (one the miniport registered with StorPortSetPowerSettingNotificationGuids).</param>
/// <param name="Value">Its value, a ULONG (ValueLength 4).</param>
public sealed record STOR_POWER_SETTING_INFO(Guid PowerSettingGuid, uint Value);
