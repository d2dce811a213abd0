using System.Diagnostics;

namespace MiniportTimers.Cli.Bench;

/// <summary>Process CPU time over a wall-clock span: the share of one core the process burned while measuring.</summary>
internal sealed class CpuMeter
{
    private readonly TimeSpan _cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
    private readonly long _wall0 = Stopwatch.GetTimestamp();

    /// <summary>CPU time / wall time, in % of one core.</summary>
    public double PercentOfOneCore()
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpu0;
        var wall = Stopwatch.GetElapsedTime(_wall0);
        return wall.TotalMilliseconds <= 0 ? 0 : 100.0 * cpu.TotalMilliseconds / wall.TotalMilliseconds;
    }
}
