using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using MiniportTimers.Tests.Native;

namespace MiniportTimers.Tests.Docs;

/// <summary>
/// Issue 13: every C# block of the README and of the package README compiles (Roslyn, as a program with top-level
/// statements and the SDK's implicit usings, against the library) and runs to its end without an exception.
/// </summary>
public partial class ReadmeCodeTests
{
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var file in new[] { "README.md", Path.Combine("docs", "package", "README.md") })
        {
            for (var i = 0; i < CodeBlocks(file).Count; i++)
            {
                data.Add(file, i);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public async Task CSharpBlock_CompilesAndRuns(string file, int index)
    {
        var code = CodeBlocks(file)[index];
        var implicitUsings = "global using System; global using System.IO; global using System.Linq; global using System.Collections.Generic; global using System.Threading; global using System.Threading.Tasks;";
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(MiniportTimers.Engine.TimerEngine).Assembly.Location)
            .Distinct()
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(
            $"readme_block_{index}",
            [CSharpSyntaxTree.ParseText(code, parse), CSharpSyntaxTree.ParseText(implicitUsings, parse)],
            references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        var result = compilation.Emit(image);
        Assert.True(result.Success, $"{file}, C# block {index + 1} does not compile:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        image.Position = 0;
        var context = new AssemblyLoadContext($"readme-{index}", isCollectible: true);
        try
        {
            var entry = context.LoadFromStream(image).EntryPoint!;
            var returned = entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [Array.Empty<string>()]);
            if (returned is Task task)
            {
                await task.WaitAsync(TimeSpan.FromSeconds(60));
            }
        }
        catch (TargetInvocationException ex)
        {
            Assert.Fail($"{file}, C# block {index + 1} threw {ex.InnerException}");
        }
        finally
        {
            context.Unload();
        }
    }

    private static List<string> CodeBlocks(string file) =>
        [.. CSharpBlock().Matches(File.ReadAllText(Path.Combine(NativeBuild.NativeFolder, "..", file))).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"```csharp\r?\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
