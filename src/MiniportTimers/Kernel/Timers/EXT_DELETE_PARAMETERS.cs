namespace MiniportTimers.Kernel.Timers;

/// <summary>ExDeleteTimer's parameters (wdm.h): a callback run once the timer is deleted.</summary>
public sealed class EXT_DELETE_PARAMETERS
{
    /// <summary>The structure version (0).</summary>
    public uint Version { get; set; }

    /// <summary>Called once the timer is deleted.</summary>
    public EXT_DELETE_CALLBACK? DeleteCallback { get; set; }

    /// <summary>Passed to <see cref="DeleteCallback"/>.</summary>
    public object? DeleteContext { get; set; }
}
