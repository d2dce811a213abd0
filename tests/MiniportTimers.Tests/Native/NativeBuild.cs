using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MiniportTimers.Tests.Native;

/// <summary>
/// Builds the repository's own C miniports once per test run with native/Makefile (which takes its flags from
/// native/toolchain.mk, the one place they live) into the test output folder, and hands out their paths.
/// With <c>MPT_NATIVE_SANITIZE=1</c> the same tests load the drivers built with AddressSanitizer and UBSan instead
/// (<c>make -C native sanitize-drivers</c>, native/build/asan); the test process must then have libasan preloaded, as
/// <c>make -C native sanitize</c> runs it (docs/native.md, "Sanitizers and the formatter fuzz").
/// </summary>
internal static class NativeBuild
{
    /// <summary>The environment variable that selects the sanitized drivers.</summary>
    public const string SanitizeVariable = "MPT_NATIVE_SANITIZE";

    private static readonly Lazy<string> Output = new(Build);

    /// <summary>Why native tests cannot run here, or null.</summary>
    public static string? Unavailable { get; } = Probe();

    /// <summary>The path of the built <paramref name="name"/>.so (for example "storport_timers").</summary>
    public static string Driver(string name) => Path.Combine(Output.Value, name + ".so");

    /// <summary>The repository's native/ folder.</summary>
    public static string NativeFolder { get; } = FindNativeFolder();

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != System.Runtime.InteropServices.Architecture.X64)
        {
            return "needs Linux on x64 (the headers model Windows x64)";
        }

        foreach (var tool in new[] { "gcc", "make" })
        {
            var found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(d => File.Exists(Path.Combine(d, tool)));
            if (!found)
            {
                return $"needs {tool} on the PATH";
            }
        }

        return null;
    }

    private static string Build()
    {
        var output = Path.Combine(NativeFolder, "build"); // native/Makefile's default: a CI or README build beforehand makes this a no-op
        var target = "all";
        if (Environment.GetEnvironmentVariable(SanitizeVariable) == "1")
        {
            // A sanitized driver dlopen'ed into a process without libasan loaded first makes ASan end the process with
            // "ASan runtime does not come first": say what is missing instead.
            if (!(Environment.GetEnvironmentVariable("LD_PRELOAD") ?? string.Empty).Contains("libasan", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"{SanitizeVariable}=1 loads drivers built with AddressSanitizer: run the tests with LD_PRELOAD=$(gcc -print-file-name=libasan.so), as make -C native sanitize does");
            }

            target = "sanitize-drivers"; // into $(OUT)/asan
        }

        var start = new ProcessStartInfo("make", ["-C", NativeFolder, $"OUT={output}", target])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Remove("LD_PRELOAD"); // make and gcc need no sanitizer runtime
        using var make = Process.Start(start) ?? throw new InvalidOperationException("make did not start");
        var stdout = make.StandardOutput.ReadToEndAsync();
        var stderr = make.StandardError.ReadToEnd();
        make.WaitForExit();
        if (make.ExitCode != 0)
        {
            throw new InvalidOperationException($"building the C miniports failed (make exit {make.ExitCode}):\n{stdout.Result}\n{stderr}");
        }

        return target == "all" ? output : Path.Combine(output, "asan");
    }

    private static string FindNativeFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "native");
            if (File.Exists(Path.Combine(candidate, "toolchain.mk")))
            {
                return candidate;
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "native"); // not found: the build reports it
    }
}
