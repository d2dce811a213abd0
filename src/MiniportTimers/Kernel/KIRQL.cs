namespace MiniportTimers.Kernel;

/// <summary>
/// Interrupt request levels with their x64 values (wdm.h). Device levels (DIRQL) are 3 to 12 and have no names; cast
/// a number to KIRQL for them. Each thread of the emulation has a current IRQL (<see cref="Ke.KeGetCurrentIrql"/>).
/// </summary>
public enum KIRQL : byte
{
    /// <summary>0: ordinary thread execution; PASSIVE_LEVEL.</summary>
    PASSIVE_LEVEL = 0,

    /// <summary>0: the same level under its other name.</summary>
    LOW_LEVEL = 0,

    /// <summary>1: APC delivery disabled.</summary>
    APC_LEVEL = 1,

    /// <summary>2: DPCs and timer callbacks run here; thread scheduling is off.</summary>
    DISPATCH_LEVEL = 2,

    /// <summary>5: corrected machine-check interrupt level.</summary>
    CMCI_LEVEL = 5,

    /// <summary>12: the highest device level on x64.</summary>
    SYNCH_LEVEL = 12,

    /// <summary>13: the clock interrupt.</summary>
    CLOCK_LEVEL = 13,

    /// <summary>14: inter-processor interrupts.</summary>
    IPI_LEVEL = 14,

    /// <summary>14: DRS level.</summary>
    DRS_LEVEL = 14,

    /// <summary>14: power failure.</summary>
    POWER_LEVEL = 14,

    /// <summary>15: profiling.</summary>
    PROFILE_LEVEL = 15,

    /// <summary>15: everything masked.</summary>
    HIGH_LEVEL = 15,
}

/// <summary>IRQL names for diagnostics, as Windows writes them.</summary>
public static class KirqlNames
{
    /// <summary>
    /// The name Windows gives the level: PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL, "DIRQL n" for the device levels 3 to 11,
    /// SYNCH_LEVEL, CLOCK_LEVEL, IPI_LEVEL, HIGH_LEVEL. (The enum's ToString picks among equal-valued aliases and printed
    /// device IRQL 5 as CMCI_LEVEL and 15 as PROFILE_LEVEL.)
    /// </summary>
    public static string IrqlName(this KIRQL irql) => (byte)irql switch
    {
        0 => "PASSIVE_LEVEL",
        1 => "APC_LEVEL",
        2 => "DISPATCH_LEVEL",
        >= 3 and <= 11 => $"DIRQL {(byte)irql}",
        12 => "SYNCH_LEVEL",
        13 => "CLOCK_LEVEL",
        14 => "IPI_LEVEL",
        15 => "HIGH_LEVEL",
        _ => $"IRQL {(byte)irql}",
    };
}
