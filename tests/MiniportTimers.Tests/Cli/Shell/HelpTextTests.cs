using System.Text.RegularExpressions;
using MiniportTimers.Cli.Shell;

namespace MiniportTimers.Tests.Cli.Shell;

/// <summary>Issue 25: no option's help says its default twice (before: "Default 1. [default: 1]" for --dispatchers).</summary>
public class HelpTextTests
{
    [Theory]
    [InlineData("run")]
    [InlineData("bench")]
    [InlineData("stress")]
    public void NoOption_SaysItsDefaultTwice(string command)
    {
        using var help = new StringWriter();
        Assert.Equal(0, CliApp.Run([command, "--help"], help, TextWriter.Null));
        Assert.DoesNotMatch(new Regex(@"Default[^.\n]*\.\s*\[default:", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1)), help.ToString());
        Assert.Contains("[default: ", help.ToString(), StringComparison.Ordinal);
    }
}
