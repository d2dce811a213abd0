namespace MiniportTimers.Cli.Run;

/// <summary>
/// The options of <c>run</c>, parsed (<see cref="DurationGiven"/>: --duration-ms was on the command line, not its
/// default). <see cref="NvmeReadyMilliseconds"/>, <see cref="NvmeNeverReady"/> and <see cref="SurpriseRemoveMilliseconds"/>
/// apply to <c>--device nvme</c> (null: the defaults, 200 ms to ready and no removal).
/// </summary>
internal sealed record RunSettings(bool Virtual, int Adapters, int Ports, int Seed, long DurationMilliseconds, string? NeverReadyPort, string? JsonPath, IReadOnlyList<string>? Samples = null, string? TracePath = null, long? WindowsTickMicroseconds = null, IReadOnlyList<string>? Drivers = null, int DriverAdapters = 1, bool DriverDebug = false, bool TraceAllLocks = false, int Dispatchers = 1, int RealTimePriority = 0, bool DurationGiven = true, string? Device = null, long? NvmeReadyMilliseconds = null, bool NvmeNeverReady = false, long? SurpriseRemoveMilliseconds = null)
{
    /// <summary>The samples <c>run</c> knows, in the order it runs and reports them.</summary>
    public static readonly IReadOnlyList<string> AllSamples = ["storahci", "nvme", "nvme-win7", "netvmini", "pcnet", "e100bex"];

    /// <summary>The devices <c>--device</c> names: pcnet for an NDIS driver, ahci (the default) or nvme for a Storport driver.</summary>
    public static readonly IReadOnlyList<string> Devices = ["pcnet", "ahci", "nvme"];

    /// <summary>The default run length: long enough for pcnet's 5 s media poll to fire twice.</summary>
    public const long DefaultDurationMilliseconds = 11_000;
}
