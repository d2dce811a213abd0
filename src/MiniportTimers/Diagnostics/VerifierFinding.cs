namespace MiniportTimers.Diagnostics;

/// <summary>A misuse the host noticed that is not a bug check (for example a timer handle never freed before removal, decision A6).</summary>
/// <param name="Adapter">The adapter's name.</param>
/// <param name="Rule">A short rule name ("TimerNotFreed").</param>
/// <param name="Detail">What was seen.</param>
public sealed record VerifierFinding(string Adapter, string Rule, string Detail);
