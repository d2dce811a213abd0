using MiniportTimers.Cli.Shell;

return CliApp.Run(args, Console.Out, Console.Error);
