using System.CommandLine;
using MiniportTimers.Cli.Run;

var root = new RootCommand("MiniportTimers: Windows miniport timer services (Storport) in user mode, on a precise timer engine.")
{
    RunCommand.Create(),
};
return root.Parse(args).Invoke();
