using System.CommandLine;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Native;

namespace MiniportTimers.Cli.Soak;

/// <summary>
/// <c>soak</c> (hidden; issue 21 §4): flat memory of the native bridge, measured on the virtual clock with our C
/// drivers (native/build, <c>make -C native</c>). <c>soak native --cycles N</c>: load/run/halt/unload cycles;
/// <c>soak native-adapters --adapters N</c>: adapters added and removed on one host, per stack;
/// <c>soak native-timers --timers N</c>: timer objects allocated and freed. Each prints a table of checkpoints (managed
/// heap, GC heap, RSS, the bridge's map entries) and the growth per unit over the second half, and exits 1
/// (<see cref="ExitCodes.RunFailed"/>) when a bridge map grew, a released object stayed alive, a run raised a bug
/// check, or the managed bytes per unit passed the documented bound. docs/reliability.md records the figures.
/// </summary>
internal static class SoakCommand
{
    /// <summary>The default bound on managed bytes per load/run/halt/unload cycle (docs/reliability.md).</summary>
    public const long DefaultMaxBytesPerCycle = 1_024;

    /// <summary>The default bound on managed bytes per adapter added and removed (docs/reliability.md).</summary>
    public const long DefaultMaxBytesPerAdapter = 32;

    /// <summary>The default bound on managed bytes per timer object allocated and freed (docs/reliability.md).</summary>
    public const long DefaultMaxBytesPerTimer = 8;

    public static Command Create()
    {
        var command = new Command("soak", "Measure that the native bridge's memory stays flat (load/run/halt/unload cycles, adapters, timers) with our C drivers on the virtual clock.")
        {
            Hidden = true,
        };
        var drivers = new Option<string[]>("--driver") { Description = $"Only these drivers in each cycle (repeatable; default: {string.Join(", ", NativeSoakDrivers.All)}).", AllowMultipleArgumentsPerToken = true, HelpName = "name" };
        drivers.AcceptOnlyFromAmong(NativeSoakDrivers.All);
        var cycles = Part("native", "--cycles", "Load/run/halt/unload cycles.", 1_000, DefaultMaxBytesPerCycle, "cycle", (build, n, max, o, parse) =>
            Run(new NativeCycleSoak(build, parse.GetValue(drivers) is { Length: > 0 } only ? only : NativeSoakDrivers.All), n, max, o));
        cycles.Options.Add(drivers);
        command.Subcommands.Add(cycles);
        command.Subcommands.Add(Part("native-adapters", "--adapters", "Adapters added and removed on one host, for each of the three drivers.", 10_000, DefaultMaxBytesPerAdapter, "adapter", (build, n, max, o, _) =>
        {
            var flat = true;
            foreach (var soak in new Func<ISoakWorkload>[]
            {
                () => new StorportAdapterSoak(build),
                () => new NdisAdapterSoak(build, NativeSoakDrivers.NdisTimers, resident: false),
                () => new NdisAdapterSoak(build, NativeSoakDrivers.NdisDatapath, resident: true),
            })
            {
                flat &= Run(soak(), n, max, o);
                o.WriteLine();
            }

            return flat;
        }));
        command.Subcommands.Add(Part("native-timers", "--timers", "Timer objects allocated by a C driver and freed (EX_TIMERs deleted in their own callbacks).", 100_000, DefaultMaxBytesPerTimer, "timer", (build, n, max, o, _) => Run(new TimerSoak(build), n, max, o)));
        return command;
    }

    private static Command Part(string name, string countOption, string description, long defaultCount, long defaultMax, string unit, Func<string, long, long, TextWriter, ParseResult, bool> run)
    {
        var count = new Option<long>(countOption) { Description = $"How many {unit}s (checkpoints at every tenth; the second half is judged).", DefaultValueFactory = _ => defaultCount };
        count.WholeNumber(1L, 100_000_000L);
        var max = new Option<long>("--max-bytes") { Description = $"The most managed bytes one {unit} may leave behind over the second half (judged from {SoakRunner.MinimumJudgedUnits} {unit}s in it).", DefaultValueFactory = _ => defaultMax, HelpName = "bytes" };
        max.AtLeast(0);
        var build = new Option<string?>("--native-build") { Description = "The folder with storport_timers.so, ndis6_timers.so and ndis6_datapath.so (default: native/build above the current folder).", HelpName = "folder" };
        var command = new Command(name, description) { count, max, build };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            if (NativeSoakDrivers.FindBuild(parse.GetValue(build)) is not { } folder)
            {
                error.WriteLine($"miniport-timers: soak: {string.Join(", ", NativeSoakDrivers.All.Select(d => d + ".so"))} not found in {parse.GetValue(build) ?? "native/build"}: run `make -C native` or pass --native-build FOLDER.");
                return ExitCodes.Usage;
            }

            output.WriteLine($"soak {name} on {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}; drivers from {folder}");
            try
            {
                return run(folder, parse.GetValue(count), parse.GetValue(max), output, parse) ? ExitCodes.Success : ExitCodes.RunFailed;
            }
            catch (NativeDriverException ex)
            {
                error.WriteLine($"miniport-timers: soak: {ex.Message}");
                return ExitCodes.RunFailed;
            }
        });
        return command;
    }

    private static bool Run(ISoakWorkload workload, long units, long maxBytesPerUnit, TextWriter output)
    {
        try
        {
            return SoakRunner.Run(workload, units, maxBytesPerUnit, output);
        }
        finally
        {
            (workload as IDisposable)?.Dispose();
        }
    }
}
