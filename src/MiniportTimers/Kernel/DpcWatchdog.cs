using MiniportTimers.Engine;

namespace MiniportTimers.Kernel;

/// <summary>The DPC watchdog's check: a single DPC or timer callback that ran longer than its allotment.</summary>
internal static class DpcWatchdog
{
    /// <summary>
    /// Raises DPC_WATCHDOG_VIOLATION (0x133; P1 = 0, a single DPC over its allotment; P2 = its run time and P3 = the
    /// allotment, both in µs here) when <paramref name="ranNanoseconds"/> exceeds <paramref name="limitMicroseconds"/>.
    /// </summary>
    public static void Check(string routine, long ranNanoseconds, long limitMicroseconds)
    {
        var ranMicroseconds = ranNanoseconds / TimeUnits.NanosecondsPerMicrosecond;
        if (ranMicroseconds > limitMicroseconds)
        {
            throw new BugCheckException(BugCheckCodes.DPC_WATCHDOG_VIOLATION, 0, (ulong)ranMicroseconds, (ulong)limitMicroseconds, 0, $"{routine} ran {ranMicroseconds} µs at DISPATCH_LEVEL; the DPC watchdog allows {limitMicroseconds} µs");
        }
    }
}
