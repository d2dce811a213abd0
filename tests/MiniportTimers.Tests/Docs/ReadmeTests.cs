using System.Text.RegularExpressions;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Tests.Native;

namespace MiniportTimers.Tests.Docs;

/// <summary>
/// Issue 25, the README as a newcomer reads it: its sample output is the output of the command it names, run now (before:
/// an old hand-made excerpt, markdown tables with "p50 us" and no Replaced column); it says how to reference the
/// library; it says "about a second" for the built tool and about a minute for a cold <c>dotnet run</c>; the folder
/// its <c>pack -o ./feed</c> makes is ignored by git.
/// </summary>
public partial class ReadmeTests
{
    private static string Root => Path.Combine(NativeBuild.NativeFolder, "..");

    private static string Readme => File.ReadAllText(Path.Combine(Root, "README.md")).ReplaceLineEndings("\n");

    [Fact]
    public void TheSampleOutput_IsWhatItsCommandPrintsToday()
    {
        var match = SampleOutput().Match(Readme);
        Assert.True(match.Success, "README.md has no 'The output of a real run, `miniport-timers …`' followed by a text block");
        var args = match.Groups["command"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        using var stdout = new StringWriter();
        Assert.Equal(0, CliApp.Run(args, stdout, TextWriter.Null)); // a writer, not a terminal: the plain 132-column report
        var expected = match.Groups["output"].Value;
        var actual = stdout.ToString().ReplaceLineEndings("\n");
        Assert.True(expected == actual, $"README.md's sample output is stale: replace its block with the output of `miniport-timers {match.Groups["command"].Value}` (redirected to a file):\n{actual}");
    }

    [Fact]
    public void ItSaysHowToReferenceTheLibrary_AsAPackageOrAProject()
    {
        var version = typeof(MiniportTimers.Engine.TimerEngine).Assembly.GetName().Version!;
        Assert.Contains($"dotnet add package MiniportTimers --version {version.Major}.{version.Minor}.{version.Build}", Readme, StringComparison.Ordinal);
        Assert.Contains("dotnet pack src/MiniportTimers ", Readme, StringComparison.Ordinal);
        Assert.Matches(@"<ProjectReference Include=""[^""]*src/MiniportTimers/MiniportTimers\.csproj"" />", Readme);
        Assert.True(File.Exists(Path.Combine(Root, "src", "MiniportTimers", "MiniportTimers.csproj")));
    }

    [Fact]
    public void ItSaysHowLongAVirtualRunTakes_BuiltAndCold()
    {
        Assert.Contains("`run --virtual` is done in about a second with the built tool", Readme, StringComparison.Ordinal);
        Assert.Contains("A cold `dotnet run` restores and builds first and takes about a minute", Readme, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFeedFolderOfItsPackCommand_IsIgnoredByGit()
    {
        Assert.Contains("-o ./feed", Readme, StringComparison.Ordinal);
        Assert.Contains("feed/", File.ReadAllLines(Path.Combine(Root, ".gitignore")));
    }

    [GeneratedRegex(@"The output of a real run, `miniport-timers (?<command>[^`]+)`[^\n]*\n(?:[^\n]*\n)*?```text\n(?<output>.*?)```", RegexOptions.Singleline)]
    private static partial Regex SampleOutput();
}
