namespace MiniportTimers.Kernel.Timers;

/// <summary>ExSetTimer's parameters (wdm.h): Version, and NoWakeTolerance in 100 ns (EX_TIMER_UNLIMITED_TOLERANCE = -1).</summary>
public sealed class EXT_SET_PARAMETERS
{
    /// <summary>The structure version (0).</summary>
    public uint Version { get; set; }

    /// <summary>For a NO_WAKE timer: how late it may fire without waking an idle processor, 100 ns; -1 = unlimited.</summary>
    public long NoWakeTolerance { get; set; }
}
