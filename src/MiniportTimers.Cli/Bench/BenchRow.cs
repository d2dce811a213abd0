namespace MiniportTimers.Cli.Bench;

/// <summary>
/// One measured figure: what, by which approach, its value and unit, and the reference it is compared with. A row with
/// <see cref="Failed"/> stands for a measurement that could not be made (its note says why): bench then exits 1.
/// </summary>
internal sealed record BenchRow(string Group, string Metric, string Approach, double Value, string Unit, string? Note = null, bool Failed = false);
