namespace MiniportTimers.Cli.Run;

/// <summary>The options of <c>run</c>, parsed (<see cref="DurationGiven"/>: --duration-ms was on the command line, not its default).</summary>
internal sealed record RunSettings(bool Virtual, int Adapters, int Ports, int Seed, long DurationMilliseconds, string? NeverReadyPort, string? JsonPath, IReadOnlyList<string>? Samples = null, string? TracePath = null, long? WindowsTickMicroseconds = null, IReadOnlyList<string>? Drivers = null, int DriverAdapters = 1, bool DriverDebug = false, bool TraceAllLocks = false, int Dispatchers = 1, int RealTimePriority = 0, bool DurationGiven = true, string? Device = null)
{
    /// <summary>The samples <c>run</c> knows, in the order it runs and reports them.</summary>
    public static readonly IReadOnlyList<string> AllSamples = ["storahci", "nvme", "nvme-win7", "netvmini", "pcnet", "e100bex"];

    /// <summary>The default run length: long enough for pcnet's 5 s media poll to fire twice.</summary>
    public const long DefaultDurationMilliseconds = 11_000;
}
