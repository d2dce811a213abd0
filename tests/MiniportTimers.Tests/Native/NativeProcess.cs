using System.Diagnostics;

namespace MiniportTimers.Tests.Native;

/// <summary>Runs a tool of the C toolchain (make, gcc) or a program it built, for the native tests.</summary>
internal static class NativeProcess
{
    /// <summary>
    /// Runs <paramref name="file"/> to its end; returns its exit code and its standard output followed by its standard
    /// error. LD_PRELOAD is removed: under the sanitizer run libasan is preloaded into the test host only.
    /// </summary>
    public static (int ExitCode, string Output) Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.Environment.Remove("LD_PRELOAD");
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }
}
