using System.Diagnostics;
using MiniportTimers.Cli.Shell;
using Spectre.Console;

namespace MiniportTimers.Tests.Cli.Shell;

/// <summary>
/// Issue 25: what an output is decides progress, colour and width. A terminal gets them (NO_COLOR turns colour off,
/// not progress); anything redirected is plain text at 132 columns with no escape code at all. Before, Spectre's
/// legacy (non-ANSI) console made System.Console write stray ESC[39;49m colour resets into a terminal around every
/// table title, and nothing was coloured.
/// </summary>
[Collection(nameof(MiniportTimers.Tests.Reliability.LifecycleFuzz))] // starts processes: not beside the stress run's descriptor count
public class TerminalTests
{
    [Fact]
    public void NoColor_TurnsColourOff_ButNotTheTerminal()
    {
        Assert.Equal(new Terminal(true, false, 100), Terminal.For(true, name => name == "NO_COLOR" ? "1" : null, () => 100));
        Assert.Equal(new Terminal(true, true, 100), Terminal.For(true, name => name == "NO_COLOR" ? string.Empty : null, () => 100)); // set but empty: colour (no-color.org)
        Assert.Equal(Terminal.Redirected, Terminal.For(false, _ => null, () => 100));
        Assert.Equal(Terminal.MinimumWidth, Terminal.For(true, _ => null, () => 10).Width);
        Assert.Equal(Terminal.Redirected, Terminal.Detect(new StringWriter()));
        Assert.Equal(new Terminal(false, false, 132), Terminal.Redirected);
    }

    [Fact]
    public void APlainConsole_WritesNoEscapeCode_EvenForStyledText()
    {
        using var text = new StringWriter();
        var console = Terminal.Redirected.CreateConsole(text);
        console.Write(new Table().Border(TableBorder.Ascii).Title("Timers").AddColumn("Kind").AddRow("x"));
        console.MarkupLine(Terminal.Redirected.Paint("INVARIANT FAILURE: x", "bold red"));
        console.MarkupLine("[red]bug check[/]");
        Assert.DoesNotContain('\u001b', text.ToString());
        Assert.Contains("INVARIANT FAILURE: x", text.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The tool on a real pseudo-terminal (util-linux's <c>script</c>), 100 columns wide: live progress, then a report
    /// whose lines fit, with no ESC[39;49m; NO_COLOR leaves no colour code in the report.
    /// </summary>
    [ScriptFact]
    public void OnAPseudoTerminal_TheRunShowsProgress_FitsItsWidth_AndWritesNoStrayColourResets()
    {
        var tool = Path.Combine(AppContext.BaseDirectory, "miniport-timers.dll");
        var transcript = Path.Combine(Directory.CreateTempSubdirectory("mpt-tty-").FullName, "tty.txt");
        var command = $"stty cols 100 rows 40; NO_COLOR=1 dotnet '{tool}' run --sample pcnet --duration-ms 1500";
        using (var script = Process.Start(new ProcessStartInfo("script", ["-qec", command, transcript]) { RedirectStandardOutput = true, RedirectStandardInput = true })!)
        {
            script.StandardOutput.ReadToEnd();
            Assert.True(script.WaitForExit(TimeSpan.FromMinutes(2)));
        }

        var tty = File.ReadAllText(transcript);
        Assert.DoesNotContain("\u001b[39;49m", tty, StringComparison.Ordinal);
        Assert.Contains("s to go", tty, StringComparison.Ordinal); // the live view, cleared at the end
        var report = tty[tty.IndexOf("1 miniport (pcnet)", StringComparison.Ordinal)..];
        Assert.DoesNotMatch("\u001b\\[[0-9;]*[0-9]m", report.Replace("\u001b[0m", string.Empty, StringComparison.Ordinal)); // NO_COLOR: no colour code
        Assert.All(report.Split('\n').Where(l => !l.StartsWith("Script ", StringComparison.Ordinal)), l => Assert.True(l.TrimEnd('\r').Length <= 100, l));
        Assert.Contains("MediaDetectionCallback", report, StringComparison.Ordinal);
    }
}

/// <summary>A fact that needs util-linux's <c>script</c> (a pseudo-terminal): skipped where it is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ScriptFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when <c>script</c> is not on the PATH.</summary>
    public ScriptFactAttribute()
    {
        var found = OperatingSystem.IsLinux() && (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator).Any(folder => File.Exists(Path.Combine(folder, "script")));
        if (!found)
        {
            Skip = "needs util-linux's script (a pseudo-terminal)";
        }
    }
}
