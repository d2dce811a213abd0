namespace MiniportTimers.Storport;

/// <summary>The control types of HwStorUnitControl that the host issues (storport.h values).</summary>
public enum SCSI_UNIT_CONTROL_TYPE
{
    /// <summary>0: which unit control types the miniport supports.</summary>
    ScsiQuerySupportedUnitControlTypes = 0,

    /// <summary>4: whether the unit's idle power management is enabled (PASSIVE_LEVEL, no lock). Parameters: <see cref="STOR_POFX_UNIT_POWER_INFO"/>.</summary>
    ScsiUnitPoFxPowerInfo = 4,

    /// <summary>6: the unit became active or idle (DISPATCH_LEVEL, no lock). Parameters: <see cref="STOR_POFX_ACTIVE_CONTEXT"/>.</summary>
    ScsiUnitPoFxPowerActive = 6,
}
