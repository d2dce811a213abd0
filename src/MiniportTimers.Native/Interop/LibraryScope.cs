using System.Collections.Concurrent;

namespace MiniportTimers.Native.Interop;

/// <summary>
/// The symbols a driver .so may take from other objects when dlopen binds it: those exported by the C library this
/// process runs on and its companions a gcc build may reference (libm, libgcc_s, the dynamic loader), and by the
/// libraries the driver names as DT_NEEDED (and theirs, breadth first), found as the loader finds them: already mapped
/// in this process, else in the driver's DT_RUNPATH/DT_RPATH ($ORIGIN expanded), LD_LIBRARY_PATH, the C library's
/// folder and the system folders. Each library file is read once per process. Thread-safe.
/// </summary>
internal static class LibraryScope
{
    /// <summary>The C library and the companions a plain gcc build may reference (libm, libgcc_s, ld-linux).</summary>
    private static readonly string[] CLibrary = ["libc.so.6", "libm.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2"];

    private const int MaximumLibraries = 64;

    private static readonly Lazy<Dictionary<string, string>> Mapped = new(ReadMappedObjects);
    private static readonly ConcurrentDictionary<string, Library?> Libraries = new(StringComparer.Ordinal);

    /// <summary>
    /// The names of <paramref name="image"/>'s undefined symbols that no library in its scope exports, in table order;
    /// null when the scope cannot be known (the process's C library, or a DT_NEEDED library, was not found): then
    /// dlopen's immediate binding is the only check.
    /// </summary>
    /// <param name="image">The driver.</param>
    /// <param name="folder">The driver's folder ($ORIGIN).</param>
    public static IReadOnlyList<string>? Unresolved(ElfImage image, string folder)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!Mapped.Value.TryGetValue("libc.so.6", out var libc))
        {
            return null;
        }

        var cFolder = Path.GetDirectoryName(libc) ?? "/";
        var scope = new List<IReadOnlySet<string>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<(string Name, string Origin, IReadOnlyList<string> SearchPaths, bool Required)>();
        foreach (var name in CLibrary)
        {
            queue.Enqueue((name, cFolder, [], name == "libc.so.6"));
        }

        foreach (var name in image.Needed)
        {
            queue.Enqueue((name, folder, image.SearchPaths, true));
        }

        while (queue.TryDequeue(out var next))
        {
            if (names.Contains(next.Name))
            {
                continue;
            }

            if (Locate(next.Name, next.Origin, next.SearchPaths, cFolder) is not { } path || Load(path) is not { } library)
            {
                if (next.Required)
                {
                    return null; // dlopen will say which library it did not find
                }

                continue;
            }

            names.Add(next.Name);
            if (!paths.Add(path))
            {
                continue;
            }

            if (paths.Count > MaximumLibraries)
            {
                return null;
            }

            scope.Add(library.Exports);
            foreach (var needed in library.Needed)
            {
                queue.Enqueue((needed, Path.GetDirectoryName(path) ?? "/", library.SearchPaths, true));
            }
        }

        return [.. image.Undefined.Where(symbol => !image.Exports.Contains(symbol) && !scope.Exists(exports => exports.Contains(symbol)))];
    }

    /// <summary>The file dlopen would open for DT_NEEDED <paramref name="name"/>, or null.</summary>
    private static string? Locate(string name, string origin, IReadOnlyList<string> searchPaths, string cFolder)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(name) ? name : null;
        }

        if (Mapped.Value.TryGetValue(name, out var mapped))
        {
            return mapped;
        }

        var folders = searchPaths.Select(p => p.Replace("${ORIGIN}", origin, StringComparison.Ordinal).Replace("$ORIGIN", origin, StringComparison.Ordinal))
            .Concat((Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
            .Concat([cFolder, "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"]);
        return folders.Select(f => Path.Combine(f, name)).FirstOrDefault(File.Exists);
    }

    private static Library? Load(string path) =>
        Libraries.GetOrAdd(path, static p => ElfImage.Read(p, out _) is { } image ? new Library(image.Exports, image.Needed, image.SearchPaths) : null);

    /// <summary>Every object mapped into this process, by file name (and by path), from /proc/self/maps.</summary>
    private static Dictionary<string, string> ReadMappedObjects()
    {
        var mapped = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var slash = line.IndexOf('/', StringComparison.Ordinal);
                if (slash < 0 || line.EndsWith(" (deleted)", StringComparison.Ordinal))
                {
                    continue;
                }

                var path = line[slash..];
                mapped.TryAdd(Path.GetFileName(path), path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or /proc is not mounted: the scope is unknown (Unresolved answers null).
        }

        return mapped;
    }

    private sealed record Library(IReadOnlySet<string> Exports, IReadOnlyList<string> Needed, IReadOnlyList<string> SearchPaths);
}
