using MiniportTimers.Cli.Run;
using MiniportTimers.Cli.Shell;

// A real-clock run is measured in a child of the tool with tiered compilation off (UntieredRun).
if (UntieredRun.Plan(args, Environment.GetEnvironmentVariable, Environment.ProcessPath, typeof(CliApp).Assembly.Location) is { } child
    && UntieredRun.Execute(child) is { } exitCode)
{
    return exitCode;
}

return CliApp.Run(args, Console.Out, Console.Error);
