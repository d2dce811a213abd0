namespace MiniportTimers.Storport;

/// <summary>The Parameters of HwStorUnitControl(ScsiUnitPoFxPowerInfo) (ns-storport-_stor_pofx_unit_power_info): which unit, and whether its idle power management is enabled.</summary>
/// <param name="PathId">The unit's bus (for storahci: the port number).</param>
/// <param name="TargetId">The unit's target.</param>
/// <param name="Lun">The unit's logical unit number.</param>
/// <param name="IdlePowerEnabled">True: the unit may register its power framework component (StorPortInitializePoFxPower with its address).</param>
public sealed record STOR_POFX_UNIT_POWER_INFO(byte PathId, byte TargetId, byte Lun, bool IdlePowerEnabled);
