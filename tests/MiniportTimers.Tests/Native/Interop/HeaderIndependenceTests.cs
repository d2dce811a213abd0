namespace MiniportTimers.Tests.Native.Interop;

/// <summary>
/// The headers a driver includes are ours alone (docs/native.md, "Building your driver"): each compiles by itself
/// with the flags of native/toolchain.mk, and everything it pulls in is under native/include or is the C compiler's
/// and C library's own (its default search list). Before session fifteen ata.h and scsi.h included mingw-w64's DDK
/// headers, so a machine with only the .NET SDK and gcc failed every storage test; this is the test that fails if a
/// header reaches outside again.
/// </summary>
public class HeaderIndependenceTests
{
    /// <summary>The headers a driver names in its #include lines (native/include, not the host's own mpt/ or
    /// ndis.h's parts under ndis/, which ndis.h includes in order).</summary>
    public static TheoryData<string> DriverHeaders()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(NativeBuild.NativeFolder, "include"), "*.h").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (name != "poppack.h") // restores the packing pshpack*.h pushed: it is only ever included after one
            {
                data.Add(name);
            }
        }

        return data;
    }

    [NativeTheory]
    [MemberData(nameof(DriverHeaders))]
    public void EachHeader_CompilesAlone_AndIncludesNothingButOursAndTheCLibrary(string header)
    {
        var folder = Directory.CreateTempSubdirectory("mpt-header").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "one.c"), $"#include \"{header}\"\n");
            // -fsyntax-only compiles it; -MD -MF writes every file it read to deps.txt as it does.
            File.WriteAllText(
                Path.Combine(folder, "Makefile"),
                $"include {NativeBuild.NativeFolder}/toolchain.mk\ncheck:\n\t$(MPT_CC) $(MPT_CFLAGS) -Werror -fsyntax-only -MD -MF deps.txt one.c\n");
            var (exitCode, output) = NativeProcess.Run("make", "-s", "-C", folder);
            Assert.True(exitCode == 0, $"{header} does not compile alone with the toolchain's flags:\n{output}");

            var searchList = CompilerSearchList();
            var deps = File.ReadAllText(Path.Combine(folder, "deps.txt"))
                .Replace("\\\n", " ", StringComparison.Ordinal)
                .Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries)
                .Skip(2) // "one.o:" and "one.c"
                .Select(Path.GetFullPath)
                .ToList();
            var ours = Path.GetFullPath(Path.Combine(NativeBuild.NativeFolder, "include")) + Path.DirectorySeparatorChar;
            Assert.Contains(deps, d => d == ours + header);
            var outside = deps.Where(d => !d.StartsWith(ours, StringComparison.Ordinal) && !searchList.Any(s => d.StartsWith(s, StringComparison.Ordinal))).ToList();
            Assert.True(outside.Count == 0, $"{header} reads files that are neither ours nor the C library's: {string.Join(", ", outside)}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>gcc's default #include &lt;...&gt; search list: the compiler's and the C library's own folders.</summary>
    private static List<string> CompilerSearchList()
    {
        var (exitCode, output) = NativeProcess.Run("gcc", "-E", "-Wp,-v", "-x", "c", "/dev/null");
        Assert.Equal(0, exitCode);
        var lines = output.Split('\n');
        var start = Array.FindIndex(lines, l => l.StartsWith("#include <...> search starts here:", StringComparison.Ordinal));
        var end = Array.FindIndex(lines, l => l.StartsWith("End of search list.", StringComparison.Ordinal));
        Assert.True(start >= 0 && end > start, "gcc -E -v printed no search list:\n" + output);
        var list = lines[(start + 1)..end].Select(l => Path.GetFullPath(l.Trim()) + Path.DirectorySeparatorChar).ToList();
        Assert.DoesNotContain(list, l => l.Contains("mingw", StringComparison.Ordinal));
        return list;
    }
}
