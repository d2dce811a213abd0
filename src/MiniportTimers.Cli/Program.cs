using System.CommandLine;
using MiniportTimers.Cli.Bench;
using MiniportTimers.Cli.Run;
using MiniportTimers.Cli.Stress;

var root = new RootCommand("MiniportTimers: Windows miniport timer services (Storport, NDIS) in user mode, on a precise timer engine.")
{
    RunCommand.Create(),
    BenchCommand.Create(),
    StressCommand.Create(),
};
return root.Parse(args).Invoke();
