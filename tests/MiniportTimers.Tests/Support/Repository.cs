namespace MiniportTimers.Tests.Support;

/// <summary>Where the repository's files are, for tests that read them (docs, sources).</summary>
internal static class Repository
{
    /// <summary>The repository's root: the first folder up from the test assembly that holds MiniportTimers.slnx.</summary>
    /// <exception cref="InvalidOperationException">No such folder (the tests run outside a checkout).</exception>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MiniportTimers.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Repository root not found.");
    }

    /// <summary>The C# files under <paramref name="relativeFolder"/>, build output (bin, obj) left out, as paths relative to it with '/'.</summary>
    public static IEnumerable<string> SourceFiles(string relativeFolder)
    {
        var folder = Path.Combine(Root(), relativeFolder);
        return Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal));
    }
}
