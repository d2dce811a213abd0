namespace MiniportTimers.Cli.Run;

/// <summary>The options of <c>run</c>, parsed.</summary>
internal sealed record RunSettings(bool Virtual, int Adapters, int Ports, int Seed, long DurationMilliseconds, string? NeverReadyPort, string? JsonPath);
