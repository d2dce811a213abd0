namespace MiniportTimers.Kernel.Timers;

/// <summary>KDEFERRED_ROUTINE: a DPC's routine, at DISPATCH_LEVEL. A timer's expiry queues its DPC with SystemArgument1/2 = the low and high 32 bits of the system time.</summary>
public delegate void KDEFERRED_ROUTINE(KDPC Dpc, object? DeferredContext, object? SystemArgument1, object? SystemArgument2);

/// <summary>EXT_CALLBACK: an EX_TIMER's routine, at DISPATCH_LEVEL.</summary>
public delegate void EXT_CALLBACK(EX_TIMER Timer, object? Context);

/// <summary>EXT_DELETE_CALLBACK: called once an EX_TIMER is deleted.</summary>
public delegate void EXT_DELETE_CALLBACK(object? Context);
