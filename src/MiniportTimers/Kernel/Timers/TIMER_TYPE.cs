namespace MiniportTimers.Kernel.Timers;

/// <summary>The kind of a KTIMER (wdm.h values).</summary>
public enum TIMER_TYPE
{
    /// <summary>0: stays signalled after it expires until it is set again.</summary>
    NotificationTimer = 0,

    /// <summary>1: a satisfied wait resets it (reading its state here does).</summary>
    SynchronizationTimer = 1,
}
