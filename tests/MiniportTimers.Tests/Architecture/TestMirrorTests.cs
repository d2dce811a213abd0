using System.Reflection;
using System.Text.RegularExpressions;
using MiniportTimers.Tests.Support;

namespace MiniportTimers.Tests.Architecture;

/// <summary>
/// Issue 26 §4: the tests mirror the source, as the README says. Every folder of the library, the native bridge and the
/// CLI that holds code has a tests folder of the same path (src/MiniportTimers/X is tests/…/X, src/MiniportTimers.Native/X
/// is tests/…/Native/X, src/MiniportTimers.Cli/X is tests/…/Cli/X) with tests in it, and every test file's namespace is
/// its folder. A file may test several classes; folders of tests with no source folder (Verifier, Reliability, …) are
/// free.
/// </summary>
public partial class TestMirrorTests
{
    private const string TestsFolder = "tests/MiniportTimers.Tests";

    /// <summary>Each source project and the tests folder its mirror starts at.</summary>
    private static readonly (string Source, string Mirror)[] Projects =
    [
        ("src/MiniportTimers", ""),
        ("src/MiniportTimers.Native", "Native"),
        ("src/MiniportTimers.Cli", "Cli"),
    ];

    [GeneratedRegex(@"^namespace\s+(?<ns>[\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileScopedNamespace();

    [Fact]
    public void EverySourceFolderWithCode_HasAMirrorTestsFolder_WithTestsInIt()
    {
        var namespacesWithTests = typeof(TestMirrorTests).Assembly.GetTypes()
            .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly).Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))
            .Select(t => t.Namespace)
            .ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        var folders = 0;
        foreach (var (source, mirror) in Projects)
        {
            foreach (var folder in Repository.SourceFiles(source).Select(f => Path.GetDirectoryName(f)!.Replace('\\', '/')).Distinct())
            {
                folders++;
                var mirrorFolder = string.Join('/', new[] { mirror, folder }.Where(p => p.Length > 0));
                var ns = string.Join('.', new[] { "MiniportTimers.Tests", mirrorFolder.Replace('/', '.') }.Where(p => p.Length > 0));
                if (!Directory.Exists(Path.Combine(Repository.Root(), TestsFolder, mirrorFolder)) || !namespacesWithTests.Contains(ns))
                {
                    missing.Add($"{source}/{folder} has no tests in {TestsFolder}/{mirrorFolder}");
                }
            }
        }

        Assert.True(folders > 30, $"only {folders} source folders were found: the walk no longer finds the sources");
        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public void EveryTestFile_IsInTheNamespaceOfItsFolder()
    {
        var wrong = new List<string>();
        foreach (var file in Repository.SourceFiles(TestsFolder))
        {
            var folder = Path.GetDirectoryName(file)!.Replace('\\', '/');
            var expected = string.Join('.', new[] { "MiniportTimers.Tests", folder.Replace('/', '.') }.Where(p => p.Length > 0));
            var match = FileScopedNamespace().Match(File.ReadAllText(Path.Combine(Repository.Root(), TestsFolder, file)));
            if (match.Success && match.Groups["ns"].Value != expected)
            {
                wrong.Add($"{file}: namespace {match.Groups["ns"].Value}, expected {expected}");
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
