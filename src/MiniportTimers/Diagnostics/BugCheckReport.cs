using MiniportTimers.Kernel;

namespace MiniportTimers.Diagnostics;

/// <summary>A bug check the host caught: which adapter, in which routine, and the bug check itself.</summary>
/// <param name="Adapter">The adapter's name.</param>
/// <param name="Routine">The miniport routine or DDI that faulted.</param>
/// <param name="AtNanoseconds">Engine time of the fault, ns.</param>
/// <param name="BugCheck">The bug check with its code and parameters.</param>
public sealed record BugCheckReport(string Adapter, string Routine, long AtNanoseconds, BugCheckException BugCheck);
