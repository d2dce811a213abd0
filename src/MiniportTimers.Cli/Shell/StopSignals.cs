using System.Runtime.InteropServices;

namespace MiniportTimers.Cli.Shell;

/// <summary>Which signal stopped a run.</summary>
internal enum StopSignal
{
    /// <summary>Ctrl-C (SIGINT): exit code 130.</summary>
    Interrupt,

    /// <summary>SIGTERM: exit code 143.</summary>
    Terminate,
}

/// <summary>A cancellation token that also says which signal cancelled it.</summary>
internal sealed class StopToken(Func<StopSignal?> signal, CancellationToken token)
{
    public CancellationToken Token { get; } = token;

    public StopSignal? Signal => signal();
}

/// <summary>
/// Ctrl-C and SIGTERM for the whole process: the first one cancels <see cref="Token"/> instead of killing the process,
/// so a real-clock run stops its hosts, prints its partial report and writes its outputs; a second one ends the process
/// at once (the default behaviour).
/// </summary>
internal static class StopSignals
{
    private static readonly CancellationTokenSource Source = new();
    private static int s_signal = -1;
    private static PosixSignalRegistration? s_interrupt;
    private static PosixSignalRegistration? s_terminate;

    /// <summary>The process's stop token (registers the handlers on first use).</summary>
    public static StopToken Token
    {
        get
        {
            s_interrupt ??= PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
            s_terminate ??= PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
            return new StopToken(() => Volatile.Read(ref s_signal) is var s and >= 0 ? (StopSignal)s : null, Source.Token);
        }
    }

    public static int ExitCode(this StopSignal signal) => signal == StopSignal.Interrupt ? ExitCodes.Interrupted : ExitCodes.Terminated;

    /// <summary>In the measured child (<see cref="Run.UntieredRun.IsChild"/>), a second signal this soon after the first is
    /// the same keypress: the terminal's copy and the parent's forwarded one.</summary>
    private const long DuplicateWindowMilliseconds = 500;

    private static long s_firstAtTimestamp;

    private static void Handle(PosixSignalContext context)
    {
        var signal = context.Signal == PosixSignal.SIGINT ? StopSignal.Interrupt : StopSignal.Terminate;
        if (Interlocked.CompareExchange(ref s_signal, (int)signal, -1) == -1)
        {
            Volatile.Write(ref s_firstAtTimestamp, System.Diagnostics.Stopwatch.GetTimestamp());
            context.Cancel = true; // keep the process: the run ends itself and writes what it has
            Source.Cancel();
        }
        else if (Run.UntieredRun.IsChild && System.Diagnostics.Stopwatch.GetElapsedTime(Volatile.Read(ref s_firstAtTimestamp)).TotalMilliseconds < DuplicateWindowMilliseconds)
        {
            context.Cancel = true; // the forwarded copy of the first: not a second stop
        }
    }
}
