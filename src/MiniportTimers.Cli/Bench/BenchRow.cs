namespace MiniportTimers.Cli.Bench;

/// <summary>One measured figure: what, by which approach, its value and unit, and the reference it is compared with.</summary>
internal sealed record BenchRow(string Group, string Metric, string Approach, double Value, string Unit, string? Note = null);
