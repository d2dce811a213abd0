using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using MiniportTimers.Cli.Bench;
using MiniportTimers.Cli.Run;
using MiniportTimers.Cli.Soak;
using MiniportTimers.Cli.Stress;

namespace MiniportTimers.Cli.Shell;

/// <summary>
/// The tool's entry: parses, rejects bad usage before any work with one message per problem on stderr (exit code 2),
/// runs the command, and turns anything unexpected into one line on stderr, never a stack trace.
/// </summary>
internal static class CliApp
{
    /// <summary>The tool's commands; <paramref name="terminals"/> says what each output is (default: <see cref="Terminal.Detect"/>).</summary>
    public static RootCommand CreateRoot(Func<TextWriter, Terminal>? terminals = null)
    {
        terminals ??= writer => Terminal.Detect(writer);
        var root = new RootCommand($"MiniportTimers: Windows miniport timer services (Storport, NDIS) in user mode, on a precise timer engine.{Environment.NewLine}{ExitCodes.HelpText}")
        {
            RunCommand.Create(terminals),
            BenchCommand.Create(terminals),
            StressCommand.Create(terminals),
            FirstExpiriesBench.CreateHiddenCommand(),
            SoakCommand.Create(),
        };
        return root;
    }

    /// <summary>
    /// Help as System.CommandLine writes it, with <c>[&lt;value&gt;]</c> for the options whose value may be left out
    /// (<c>--windows-tick [&lt;ms&gt;]</c>); the description column keeps its place where the padding allows.
    /// </summary>
    private static string WithOptionalValues(string help, Command root)
    {
        foreach (var option in root.Subcommands.SelectMany(c => c.Options).Where(o => o.Arity is { MinimumNumberOfValues: 0, MaximumNumberOfValues: 1 } && o.ValueType != typeof(bool)))
        {
            var label = $"{option.Name} <{option.HelpName ?? option.Name.TrimStart('-')}>";
            help = help.Replace(label + "  ", $"{option.Name} [<{option.HelpName ?? option.Name.TrimStart('-')}>]", StringComparison.Ordinal);
        }

        return help;
    }

    /// <summary>
    /// The parse errors, one message each, every one naming the option it is about: a value given to a switch
    /// (<c>--virtual abc</c>, <c>--virtual=abc</c>) is left unmatched by System.CommandLine, whose message then names only
    /// the value; it is reported here under the switch's name instead.
    /// </summary>
    private static List<string> Problems(ParseResult parse, string[] args)
    {
        var switches = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in parse.CommandResult.Command.Options.Where(o => o.ValueType == typeof(bool) && o is not HelpOption and not VersionOption))
        {
            foreach (var name in option.Aliases.Append(option.Name))
            {
                switches.TryAdd(name, option.Name);
            }
        }

        var unmatched = parse.UnmatchedTokens.ToHashSet(StringComparer.Ordinal);
        var explained = new HashSet<string>(StringComparer.Ordinal);
        var explainedSwitches = new HashSet<string>(StringComparer.Ordinal);
        var messages = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            // --switch=value, or --switch value (a value, not the next option)
            var (name, value) = args[i].Split('=', 2) is [var n, var v] ? (n, v)
                : (args[i], i + 1 < args.Length && !args[i + 1].StartsWith('-') ? args[i + 1] : null);
            if (switches.TryGetValue(name, out var option) && value is not null && unmatched.Contains(value) && explained.Add(value))
            {
                messages.Add($"{option}: '{value}' is not a value it takes (a switch: give it alone, or as {option}=true or {option}=false).");
                explainedSwitches.Add(option);
            }
        }

        // System.CommandLine's message for an unmatched token quotes it: those explained above are not repeated. Nor are
        // the checks of a switch given a bad value: they read it as set, which the user did not say.
        messages.AddRange(parse.Errors.Select(e => e.Message)
            .Where(m => !explained.Any(token => m.Contains($"'{token}'", StringComparison.Ordinal)))
            .Where(m => !explainedSwitches.Any(option => m.StartsWith($"{option}: ", StringComparison.Ordinal))));
        return messages;
    }

    /// <summary>The tool's version: the one version of the library, the CLI and the package (Directory.Build.props).</summary>
    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;

    /// <summary>Runs the tool with <paramref name="args"/>; returns the exit code (<see cref="ExitCodes"/>).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="terminals">What each output is: progress, colour and width (default: <see cref="Terminal.Detect"/>).</param>
    public static int Run(string[] args, TextWriter output, TextWriter error, Func<TextWriter, Terminal>? terminals = null)
    {
        var parse = CreateRoot(terminals).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in Problems(parse, args))
            {
                error.WriteLine($"miniport-timers: {problem}");
            }

            error.WriteLine("See 'miniport-timers --help' or 'miniport-timers COMMAND --help'.");
            return ExitCodes.Usage;
        }

        if (parse.RootCommandResult.Command.Options.OfType<VersionOption>().FirstOrDefault() is { } versionOption && parse.GetResult(versionOption) is not null)
        {
            output.WriteLine(Version);
            return ExitCodes.Success;
        }

        if (parse.Action is HelpAction)
        {
            using var help = new StringWriter();
            parse.Invoke(new InvocationConfiguration { Output = help, Error = error });
            output.Write(WithOptionalValues(help.ToString(), parse.RootCommandResult.Command));
            return ExitCodes.Success;
        }

        try
        {
            // Our own Ctrl-C/SIGTERM handling (StopSignals) replaces System.CommandLine's process-termination timeout.
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null, Output = output, Error = error });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"miniport-timers: {ex.Message}");
            return ExitCodes.OutputError;
        }
        catch (Exception ex)
        {
            error.WriteLine($"miniport-timers: the run failed: {ex.GetType().Name}: {ex.Message}");
            return ExitCodes.RunFailed;
        }
    }
}
