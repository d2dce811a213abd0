using System.CommandLine;
using System.Text.Json;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Storahci;
using Spectre.Console;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// <c>run</c>: hosts the storahci sample miniport on the real clock (or the virtual one) and prints what every timer
/// did. Exit code 0 when nothing went wrong; 1 when a bug check or an internal invariant failure happened.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var virtualClock = new Option<bool>("--virtual") { Description = "Run on the virtual clock: deterministic, done in well under a second." };
        var adapters = new Option<int>("--adapters") { Description = "Adapters (HBAs) to host.", DefaultValueFactory = _ => 4 };
        var ports = new Option<int>("--ports") { Description = "Ports per adapter (1-32).", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Seed of the device profiles and the workload.", DefaultValueFactory = _ => 1 };
        var duration = new Option<long>("--duration-ms") { Description = "Length of the run in ms of engine time.", DefaultValueFactory = _ => 3_000 };
        var neverReady = new Option<string?>("--never-ready-port") { Description = "A port whose device never leaves BSY, as adapter:port (e.g. 0:3); it gives up after 60 s." };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON to this path." };
        var command = new Command("run", "Host the storahci sample miniport and report arms, fires, cancels, BUSY returns and lateness per timer.")
        {
            virtualClock, adapters, ports, seed, duration, neverReady, json,
        };
        command.SetAction(parse => Execute(
            new RunSettings(
                parse.GetValue(virtualClock),
                parse.GetValue(adapters),
                parse.GetValue(ports),
                parse.GetValue(seed),
                parse.GetValue(duration),
                parse.GetValue(neverReady),
                parse.GetValue(json)),
            Console.Out));
        return command;
    }

    /// <summary>Runs and reports to <paramref name="output"/>. Returns the process exit code.</summary>
    public static int Execute(RunSettings settings, TextWriter output)
    {
        if (settings.Adapters < 1 || settings.Ports is < 1 or > 32 || settings.DurationMilliseconds < 100)
        {
            output.WriteLine("run: --adapters must be >= 1, --ports 1 to 32, --duration-ms >= 100.");
            return 2;
        }

        var scenario = new StorahciScenario
        {
            Adapters = settings.Adapters,
            PortsPerAdapter = settings.Ports,
            Seed = settings.Seed,
            DurationMilliseconds = settings.DurationMilliseconds,
            NeverReadyPort = settings.NeverReadyPort,
        };

        using var engine = settings.Virtual ? (TimerEngine)new VirtualTimerEngine() : new RealTimeTimerEngine();
        var result = StorahciRun.Execute(engine, scenario);
        var report = RunReport.From(result, engine, scenario);
        RunReportRenderer.Write(report, output);
        if (settings.JsonPath is { } path)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(report, RunReport.JsonOptions));
            output.WriteLine($"JSON report written to {path}");
        }

        return report.BugChecks.Count == 0 && report.InvariantFailures.Count == 0 ? 0 : 1;
    }
}
