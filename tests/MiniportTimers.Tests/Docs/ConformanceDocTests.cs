using System.Reflection;
using System.Text.RegularExpressions;

namespace MiniportTimers.Tests.Docs;

/// <summary>
/// Issue 10: docs/conformance.md names only tests that exist. Every backticked test reference in it
/// (<c>Folder/ClassTests.Method</c>, <c>ClassTests.*</c> or <c>*Part*</c> wildcards, <c>…Method</c> for a method of the
/// row's class, a trailing <c>…</c> for a name prefix) must match a [Fact] or [Theory] of this assembly.
/// </summary>
public partial class ConformanceDocTests
{
    [GeneratedRegex(@"`(?<ref>[^`\s]+)`")]
    private static partial Regex Backticked();

    [GeneratedRegex(@"^(?<lead>…)?(?:(?:[\w]+/)*(?<class>\w+Tests)\.)?(?<method>[\w*]+)(?<prefix>…)?$")]
    private static partial Regex TestReference();

    private static string RepositoryRoot() => Support.Repository.Root();

    [Fact]
    public void EveryTestNamedInConformanceMd_Exists()
    {
        var tests = typeof(ConformanceDocTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any())
                .Select(m => (Class: t.Name, Method: m.Name)))
            .ToList();
        var classes = tests.Select(t => t.Class).ToHashSet(StringComparer.Ordinal);

        var missing = new List<string>();
        var checkedCount = 0;
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot(), "docs", "conformance.md")))
        {
            foreach (Match m in Backticked().Matches(line))
            {
                var text = m.Groups["ref"].Value;
                var r = TestReference().Match(text);
                if (!r.Success || (!r.Groups["lead"].Success && !r.Groups["class"].Success))
                {
                    continue; // not a test reference (a path, a command, an option)
                }

                checkedCount++;
                var cls = r.Groups["class"].Success ? r.Groups["class"].Value : null;
                var method = r.Groups["method"].Value;
                var prefix = r.Groups["prefix"].Success;
                if (cls is not null && !classes.Contains(cls))
                {
                    missing.Add($"{text} (no class {cls})");
                    continue;
                }

                // "*" anywhere is a wildcard ("*AbovePassive*"); a trailing "…" makes the name a prefix.
                var pattern = new Regex("^" + Regex.Escape(method).Replace("\\*", ".*", StringComparison.Ordinal) + (prefix ? "" : "$"), RegexOptions.CultureInvariant);
                var found = tests.Any(t => (cls is null || t.Class == cls) && pattern.IsMatch(t.Method));
                if (!found)
                {
                    missing.Add(text);
                }
            }
        }

        Assert.True(checkedCount > 100, $"only {checkedCount} test references were recognised: the pattern no longer matches the page");
        Assert.True(missing.Count == 0, $"docs/conformance.md names tests that do not exist:\n  {string.Join("\n  ", missing)}");
    }
}
