using System.CommandLine;
using System.CommandLine.Help;
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
    public static RootCommand CreateRoot()
    {
        var root = new RootCommand($"MiniportTimers: Windows miniport timer services (Storport, NDIS) in user mode, on a precise timer engine.{Environment.NewLine}{ExitCodes.HelpText}")
        {
            RunCommand.Create(),
            BenchCommand.Create(),
            StressCommand.Create(),
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

    /// <summary>The tool's version: the one version of the library, the CLI and the package (Directory.Build.props).</summary>
    public static string Version =>
        typeof(CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;

    /// <summary>Runs the tool with <paramref name="args"/>; returns the exit code (<see cref="ExitCodes"/>).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parse = CreateRoot().Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var problem in parse.Errors)
            {
                error.WriteLine($"miniport-timers: {problem.Message}");
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
