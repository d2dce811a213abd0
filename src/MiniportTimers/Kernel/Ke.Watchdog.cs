using MiniportTimers.Engine;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Kernel;

public static partial class Ke
{
    /// <summary>
    /// The DPC watchdog's allotment and what the running DPC has left of it (KeQueryDpcWatchdogInformation), in clock
    /// ticks of <see cref="KeQueryTimeIncrement"/>. This host has one allotment per DPC-level callback
    /// (<see cref="KernelHostOptions.DpcWatchdogMicroseconds"/>), so the single-DPC and cumulative figures are the same;
    /// outside a DPC the counts are the whole allotment. With the verifier off the watchdog is off: every figure is 0.
    /// </summary>
    /// <param name="WatchdogInformation">Receives the figures.</param>
    /// <returns>STATUS_SUCCESS (0).</returns>
    /// <remarks>IRQL: any. Thread-safe.</remarks>
    public static uint KeQueryDpcWatchdogInformation(out KDPC_WATCHDOG_INFORMATION WatchdogInformation)
    {
        var scope = KernelContext.Current;
        if (scope is not { HostOptions: { Verifier: true } options })
        {
            WatchdogInformation = default;
            return 0;
        }

        var tickNanoseconds = KeQueryTimeIncrement() * TimeUnits.NanosecondsPer100ns;
        var limitNanoseconds = checked(options.DpcWatchdogMicroseconds * TimeUnits.NanosecondsPerMicrosecond);
        var limitTicks = (uint)Math.Min(uint.MaxValue, (limitNanoseconds + tickNanoseconds - 1) / tickNanoseconds);
        var ranNanoseconds = DpcWatchdog.RunningSinceNanoseconds is { } since ? Math.Max(0, scope.Engine.NowNanoseconds - since) : 0;
        var leftTicks = (uint)Math.Max(0, limitTicks - (ranNanoseconds / tickNanoseconds));
        WatchdogInformation = new KDPC_WATCHDOG_INFORMATION(limitTicks, leftTicks, limitTicks, leftTicks);
        return 0;
    }
}
