namespace MiniportTimers.Samples.Storahci;

/// <summary>How one port ended a run.</summary>
/// <param name="Adapter">Adapter number.</param>
/// <param name="Port">Port number.</param>
/// <param name="Outcome">The port's final state.</param>
/// <param name="StartMilliseconds">Duration of its latest start attempt, ms of engine time (from the direct start to the
/// end; for a port still <see cref="PortOutcome.Starting"/>, how long it has been starting so far).</param>
/// <param name="FinishedAtMilliseconds">Engine time when that attempt ended, ms since the run began; null while it is still starting.</param>
public sealed record PortReport(int Adapter, int Port, PortOutcome Outcome, double StartMilliseconds, double? FinishedAtMilliseconds);
