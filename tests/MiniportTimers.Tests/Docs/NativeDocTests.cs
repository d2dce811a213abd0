using System.Text.RegularExpressions;
using MiniportTimers.Tests.Native;

namespace MiniportTimers.Tests.Docs;

/// <summary>Issue 12 §8: docs/native.md lists every routine native/include declares, with where it is implemented.</summary>
public partial class NativeDocTests
{
    [Fact]
    public void NativeMd_ListsEveryRoutineTheHeadersDeclare()
    {
        var headers = Directory.GetFiles(Path.Combine(NativeBuild.NativeFolder, "include"), "*.h", SearchOption.AllDirectories);
        var declared = headers
            .SelectMany(h => File.ReadAllLines(h))
            .Where(l => !l.TrimStart().StartsWith("typedef", StringComparison.Ordinal) && !l.TrimStart().StartsWith('#'))
            .SelectMany(l => Declaration().Matches(l).Select(m => m.Groups[1].Value))
            .Distinct()
            .ToList();
        Assert.True(declared.Count >= 40, $"the headers declare {declared.Count} routines; the pattern lost some");
        var doc = File.ReadAllText(Path.Combine(NativeBuild.NativeFolder, "..", "docs", "native.md"));
        var missing = declared.Where(r => !doc.Contains($"`{r}`", StringComparison.Ordinal)).ToList();
        Assert.Empty(missing);
    }

    [GeneratedRegex(@"^(?:__attribute__\(\(noreturn\)\) )?[A-Za-z_][A-Za-z_0-9 \*]*[ \*]((?:Ke|Ex|Dbg|StorPort|Ndis)[A-Za-z0-9_]*)\(")]
    private static partial Regex Declaration();
}
