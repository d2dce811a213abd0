using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// A real-clock <c>run</c> is measured in a child process of the tool whose JIT compiles each method once, optimized,
/// at its first call: the tool starts itself again with <c>DOTNET_TieredCompilation=0</c> and waits for it (issue 27,
/// session ten). Tiered compilation first runs a method unoptimized and re-compiles it, on a background thread, after
/// 30 calls and again with its profile; with the rehearsal (<see cref="RunRehearsal"/>) 170-300 such re-compilations
/// were still left inside the measured 11 s, and on the 2-core VM the worst timer of a quiet run fired 1.5-2.5 ms late
/// (4-12× the OS floor's p99), against 0.14-0.64 ms without tiering in the same minutes (docs/benchmarks.md, "The run
/// on the real clock", session ten). Only the measurement changes: the process that prints the report is the child, with
/// the same arguments, standard streams and exit code. <c>bench</c> and the virtual clock keep tiered compilation (the
/// engine's fire is a third cheaper with its profile). The child also gets a gen0 budget as large as the run's no-GC
/// region (<c>DOTNET_GCgen0size</c>, unless the user set it), so that the heap memory the run allocates from is touched
/// before the run instead of during it (<see cref="RunCollections"/>, session eighteen).
/// </summary>
/// <remarks>
/// Not restarted: <c>run --virtual</c>, a run with a native <c>--driver</c> (it is not rehearsed, so its bridge's first
/// calls are compiled during the run, and an optimizing first compilation costs more than a quick one), help, any other command, a process that already has
/// <c>DOTNET_TieredCompilation</c> set (either way: the user's choice is kept, and the child is never restarted again),
/// <c>MINIPORT_TIMERS_TIERED=1</c> (the opt-out: measure in this process with tiering), Windows, and a host the tool cannot
/// name. Signals: the parent forwards SIGINT and SIGTERM to the child (a script or a service manager signals the
/// parent only); Ctrl-C on a terminal reaches the child directly as well (one process group), and the child takes the
/// forwarded copy as the same stop; either way the child writes its partial report.
/// </remarks>
internal static partial class UntieredRun
{
    /// <summary>The variable that turns tiered compilation off in the child (and that marks a child).</summary>
    public const string TieredCompilationVariable = "DOTNET_TieredCompilation";

    /// <summary>The opt-out: set to 1, a real-clock run is measured in the tool's own process, with tiering.</summary>
    public const string OptOutVariable = "MINIPORT_TIMERS_TIERED";

    /// <summary>The GC's gen0 budget in the child (<see cref="RunCollections.ChildGen0SizeHex"/>), unless the user set it.</summary>
    public const string Gen0SizeVariable = "DOTNET_GCgen0size";

    /// <summary>Set to 1 in the child: its stop signals may arrive twice (see <see cref="IsChild"/>).</summary>
    public const string ChildVariable = "MINIPORT_TIMERS_MEASURED_CHILD";

    /// <summary>
    /// True in the measured child. A Ctrl-C on a terminal reaches both processes (one process group) and the parent
    /// forwards what it gets, so one keypress is two SIGINTs in the child; the child's stop handling takes a second
    /// signal within <see cref="Shell.StopSignals"/>' duplicate window as the same one.
    /// </summary>
    public static bool IsChild => Environment.GetEnvironmentVariable(ChildVariable) == "1";

    /// <summary>True in a process whose tiered compilation was turned off by <see cref="TieredCompilationVariable"/>=0.</summary>
    public static bool TieringOff => Environment.GetEnvironmentVariable(TieredCompilationVariable) == "0";

    /// <summary>
    /// What to start instead of running <paramref name="args"/> here, or null to run them in this process.
    /// </summary>
    /// <param name="args">The tool's arguments.</param>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    /// <param name="processPath">This process's executable (<see cref="Environment.ProcessPath"/>).</param>
    /// <param name="entryAssemblyPath">The tool's own assembly, for a process started as <c>dotnet miniport-timers.dll</c>.</param>
    public static ProcessStartInfo? Plan(IReadOnlyList<string> args, Func<string, string?> environment, string? processPath, string? entryAssemblyPath)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(environment);
        if (OperatingSystem.IsWindows() || args.Count == 0 || args[0] != "run" || processPath is null)
        {
            return null;
        }

        if (args.Any(a => a is "--virtual" or "--driver" || a.StartsWith("--virtual=", StringComparison.Ordinal) || a.StartsWith("--driver=", StringComparison.Ordinal) || a is "-h" or "--help" or "-?" or "/?" or "/h"))
        {
            return null;
        }

        if (environment(TieredCompilationVariable) is not null || environment(OptOutVariable) == "1")
        {
            return null;
        }

        var start = new ProcessStartInfo(processPath) { UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            if (string.IsNullOrEmpty(entryAssemblyPath))
            {
                return null;
            }

            start.ArgumentList.Add(entryAssemblyPath);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment[TieredCompilationVariable] = "0";
        start.Environment[ChildVariable] = "1";
        if (environment(Gen0SizeVariable) is null)
        {
            start.Environment[Gen0SizeVariable] = RunCollections.ChildGen0SizeHex; // see RunCollections.TouchHeap; a user's own value is kept
        }

        return start;
    }

    /// <summary>Starts <paramref name="start"/> with this process's standard streams, waits for it and returns its exit code.</summary>
    /// <returns>The child's exit code; null when it could not be started (the caller then runs in this process).</returns>
    public static int? Execute(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        Process child;
        try
        {
            child = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
#pragma warning disable CA1031 // any failure to start means: measure here instead
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }

        using (child)
        {
            // Forwarded, so a signal sent to this process by its id stops the run too; from a terminal the child has its own
            // copy as well, which it takes as the same stop (IsChild).
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                _ = Kill(child.Id, SigInt);
            });
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                _ = Kill(child.Id, SigTerm);
            });
            child.WaitForExit();
            return child.ExitCode;
        }
    }

    private const int SigInt = 2;
    private const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
