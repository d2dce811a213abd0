namespace MiniportTimers.Cli.Shell;

/// <summary>The tool's exit codes, one meaning each (listed in <c>--help</c> and the README).</summary>
internal static class ExitCodes
{
    /// <summary>0: the run finished with no bug check and no invariant failure; every output was written.</summary>
    public const int Success = 0;

    /// <summary>1: the run ended, but a miniport raised a bug check, an invariant failed, a stress check found a violation, or a bench part could not be measured.</summary>
    public const int RunFailed = 1;

    /// <summary>2: bad usage: an unknown option or a bad value, or a --driver that does not load (a broken file, or a DriverEntry that fails), reported before any work starts.</summary>
    public const int Usage = 2;

    /// <summary>3: an output (--json, --trace, bench's folder) could not be written; the others were written.</summary>
    public const int OutputError = 3;

    /// <summary>130: stopped by Ctrl-C (SIGINT) after writing the partial report and outputs.</summary>
    public const int Interrupted = 130;

    /// <summary>143: stopped by SIGTERM after writing the partial report and outputs.</summary>
    public const int Terminated = 143;

    /// <summary>The list printed under <c>--help</c>.</summary>
    public const string HelpText = "Exit codes: 0 success; 1 a bug check, invariant failure or stress violation in the run, or a bench part that could not be measured; 2 bad usage or a --driver that does not load; 3 an output could not be written; 130 Ctrl-C; 143 SIGTERM.";
}
