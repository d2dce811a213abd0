using Spectre.Console;

namespace MiniportTimers.Cli.Shell;

/// <summary>
/// What one of the tool's outputs is connected to, decided once per run: a terminal gets live progress, colour (unless
/// <c>NO_COLOR</c> is set) and reports that fit its width; anything else (a file, a pipe, a test's writer) gets plain
/// text at <see cref="RedirectedWidth"/> columns with no escape code at all, so a virtual run stays byte-for-byte
/// repeatable.
/// </summary>
/// <param name="IsInteractive">A terminal a person watches: live progress is drawn on it (and cleared after).</param>
/// <param name="Colour">Failures, bug checks and findings are coloured (a terminal, and <c>NO_COLOR</c> not set).</param>
/// <param name="Width">Columns the reports fit into.</param>
internal sealed record Terminal(bool IsInteractive, bool Colour, int Width)
{
    /// <summary>The width of a redirected report, columns.</summary>
    public const int RedirectedWidth = 132;

    /// <summary>The narrowest width a report is laid out for; a narrower terminal wraps it.</summary>
    public const int MinimumWidth = 40;

    /// <summary>Plain text at <see cref="RedirectedWidth"/> columns: no progress, no colour, no escape codes.</summary>
    public static Terminal Redirected { get; } = new(false, false, RedirectedWidth);

    /// <summary>
    /// What <paramref name="output"/> is: a terminal when it is the process's standard output or error and that stream
    /// is not redirected (and <c>TERM</c> is not <c>dumb</c>); anything else is <see cref="Redirected"/>.
    /// </summary>
    /// <param name="output">The writer a command prints to.</param>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    public static Terminal Detect(TextWriter output, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var console = ReferenceEquals(output, Console.Out) ? !Console.IsOutputRedirected
            : ReferenceEquals(output, Console.Error) && !Console.IsErrorRedirected;
        return For(console && environment("TERM") != "dumb", environment, WindowWidth);
    }

    /// <summary>The terminal of an interactive (or not) output, with <c>NO_COLOR</c> read from <paramref name="environment"/>.</summary>
    /// <param name="interactive">Whether the output is a terminal.</param>
    /// <param name="environment">Reads an environment variable.</param>
    /// <param name="width">The terminal's width, when it has one.</param>
    public static Terminal For(bool interactive, Func<string, string?> environment, Func<int?> width)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(width);
        if (!interactive)
        {
            return Redirected;
        }

        // https://no-color.org: set and not empty means no colour.
        var colour = string.IsNullOrEmpty(environment("NO_COLOR"));
        return new Terminal(true, colour, Math.Clamp(width() ?? RedirectedWidth, MinimumWidth, 400));
    }

    /// <summary>
    /// A Spectre console that writes to <paramref name="output"/> as this terminal allows: ANSI (cursor control for
    /// progress, colour when <see cref="Colour"/>) on a terminal; on anything else no escape code ever, not even the
    /// colour resets System.Console writes for Spectre's legacy (non-ANSI) backend.
    /// </summary>
    public IAnsiConsole CreateConsole(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            // ANSI with no colours is plain text for unstyled output; the legacy backend would call Console.ResetColor.
            Ansi = AnsiSupport.Yes,
            ColorSystem = Colour ? ColorSystemSupport.Standard : ColorSystemSupport.NoColors,
            Interactive = IsInteractive ? InteractionSupport.Yes : InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = Width;
        if (!IsInteractive)
        {
            console.Profile.Capabilities.Links = false;
        }

        return console;
    }

    /// <summary>Colours <paramref name="text"/> (escaped) with <paramref name="style"/> when this terminal has colour.</summary>
    public string Paint(string text, string style) =>
        Colour ? $"[{style}]{Markup.Escape(text)}[/]" : Markup.Escape(text);

    private static int? WindowWidth()
    {
        try
        {
            return Console.WindowWidth is > 0 and var width ? width : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
