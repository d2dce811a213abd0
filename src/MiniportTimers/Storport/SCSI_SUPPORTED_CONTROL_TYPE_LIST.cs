namespace MiniportTimers.Storport;

/// <summary>
/// The Parameters of HwStorAdapterControl(ScsiQuerySupportedControlTypes) (ns-storport-scsi_supported_control_type_list):
/// Storport hands the miniport a list of <see cref="MaxControlType"/> entries, all false, and the miniport sets the
/// entry of each control type it implements. Storport asks once, after the HBA is initialized and before the first I/O.
/// </summary>
/// <remarks>Not thread-safe: the miniport fills it during the one HwStorAdapterControl call.</remarks>
public sealed class SCSI_SUPPORTED_CONTROL_TYPE_LIST
{
    /// <summary>Storport's ScsiAdapterControlMax (storport.h): the number of adapter control types a list covers.</summary>
    public const int ScsiAdapterControlMax = 26;

    private readonly bool[] _supported;

    /// <summary>Creates a list of <paramref name="maxControlType"/> entries, all false.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxControlType"/> is negative.</exception>
    public SCSI_SUPPORTED_CONTROL_TYPE_LIST(int maxControlType = ScsiAdapterControlMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxControlType);
        _supported = new bool[maxControlType];
    }

    /// <summary>The number of entries: a miniport sets none at or beyond it.</summary>
    public int MaxControlType => _supported.Length;

    /// <summary>The entries, indexed by control type (fixed size).</summary>
    public IList<bool> SupportedTypeList => _supported;

    /// <summary>True when the miniport reported <paramref name="controlType"/>.</summary>
    public bool IsSupported(SCSI_ADAPTER_CONTROL_TYPE controlType) => (int)controlType >= 0 && (int)controlType < _supported.Length && _supported[(int)controlType];
}
