namespace MiniportTimers.Storport;

/// <summary>The Parameters of HwStorUnitControl(ScsiUnitPoFxPowerActive): which unit, and whether it is now active.</summary>
/// <param name="PathId">The unit's bus (for storahci: the port number).</param>
/// <param name="TargetId">The unit's target.</param>
/// <param name="Lun">The unit's logical unit number.</param>
/// <param name="Active">True: the unit became active; false: it became idle.</param>
public sealed record STOR_POFX_ACTIVE_CONTEXT(byte PathId, byte TargetId, byte Lun, bool Active);
