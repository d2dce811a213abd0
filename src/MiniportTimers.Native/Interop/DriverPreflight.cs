namespace MiniportTimers.Native.Interop;

/// <summary>
/// The checks a driver .so passes before it is loaded, so that no broken file can take the process down (docs/native.md,
/// "What is checked before loading"): it is a readable, complete ELF64 shared object for x86-64 (every segment and
/// section within the file: dlopen maps a truncated one, and touching the missing pages is SIGBUS); it exports the
/// shim's entry points; it defines DriverEntry; and every symbol it needs from elsewhere is exported by the C library
/// (or a library it names). dlopen's immediate binding then catches anything these missed, as an error, not mid-run.
/// </summary>
internal static class DriverPreflight
{
    /// <summary>The shim's entry points the host needs before anything else (native/shim/mpt_bridge.h).</summary>
    private static readonly string[] BridgeEntryPoints = ["MptSetDdiTable", "MptRaiseBugCheck", "MptCallDriverEntry"];

    private const int NamesListed = 8;

    /// <summary>Where docs/native.md says what the bridge implements and how to add a routine.</summary>
    internal const string DdiPointer =
        "the bridge does not implement it: docs/native.md lists every routine it does (\"Every routine the headers declare\") and how to add one (\"Adding a DDI\")";

    /// <summary>Throws unless the driver at <paramref name="path"/> (a full path) passes every check.</summary>
    /// <exception cref="NativeDriverException">The first check it fails: "PATH: reason".</exception>
    public static void Check(string path)
    {
        if (Problem(path) is { } problem)
        {
            throw new NativeDriverException($"{path}: {problem}");
        }
    }

    /// <summary>Why the driver at <paramref name="path"/> must not be loaded (a sentence without the path), or null.</summary>
    public static string? Problem(string path)
    {
        if (!File.Exists(path))
        {
            return Directory.Exists(path) ? "is a folder, not a driver .so" : "no such file";
        }

        if (ElfImage.Read(path, out var problem) is not { } image)
        {
            return problem;
        }

        var missing = BridgeEntryPoints.Where(e => !image.Exports.Contains(e)).ToList();
        if (missing.Count > 0)
        {
            return $"does not export {string.Join(", ", missing)}: it was not linked with native/shim/mpt_shim.c (build it with native/toolchain.mk: docs/native.md, \"Building your driver\")";
        }

        if (image.Undefined.Contains("DriverEntry") || (image.StaticDefinitions is { } defined && !defined.Contains("DriverEntry") && !image.Exports.Contains("DriverEntry")))
        {
            return "does not define DriverEntry, the routine the host runs first (NTSTATUS DriverEntry(PDRIVER_OBJECT, PUNICODE_STRING)); link with -Wl,-z,defs, as native/toolchain.mk does, to find this at build time";
        }

        return LibraryScope.Unresolved(image, System.IO.Path.GetDirectoryName(path) ?? "/") is { Count: > 0 } unresolved ? UnresolvedProblem(unresolved) : null;
    }

    /// <summary>The message for symbols nothing defines.</summary>
    internal static string UnresolvedProblem(IReadOnlyList<string> names)
    {
        var listed = string.Join(", ", names.Take(NamesListed)) + (names.Count > NamesListed ? $" and {names.Count - NamesListed} more" : string.Empty);
        var what = names.Count == 1 ? $"uses {listed}, which neither the driver, its shim nor the C library defines"
            : $"uses {names.Count} symbols that neither the driver, its shim nor the C library defines: {listed}";
        return $"{what}: {(names.Count == 1 ? DdiPointer : DdiPointer.Replace("implement it", "implement them", StringComparison.Ordinal))}; link with -Wl,-z,defs, as native/toolchain.mk does, to find this at build time";
    }
}
