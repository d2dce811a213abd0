namespace MiniportTimers.Kernel.Watchdog;

/// <summary>
/// The DPC watchdog's limits and what the running DPC has left (KDPC_WATCHDOG_INFORMATION; KeQueryDpcWatchdogInformation).
/// Units: clock ticks (<see cref="Ke.KeQueryTimeIncrement"/> 100 ns each). The counts count down to 0 while a DPC runs.
/// </summary>
/// <param name="DpcTimeLimit">The single-DPC allotment, ticks; 0 when the watchdog is off (the verifier off).</param>
/// <param name="DpcTimeCount">What the running DPC has left of it, ticks (the whole allotment outside a DPC).</param>
/// <param name="DpcWatchdogLimit">The cumulative allotment, ticks: the same as <paramref name="DpcTimeLimit"/> here (one bracket per DPC).</param>
/// <param name="DpcWatchdogCount">What is left of it, ticks.</param>
public readonly record struct KDPC_WATCHDOG_INFORMATION(uint DpcTimeLimit, uint DpcTimeCount, uint DpcWatchdogLimit, uint DpcWatchdogCount);
