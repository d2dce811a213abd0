using System.CommandLine;
using System.Text.Json;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using Spectre.Console;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// <c>run</c>: hosts the sample miniports (storahci, netvmini, pcnet, e100bex) side by side on one engine, on the real
/// clock or the virtual one, and prints what every timer did. Exit code 0 when nothing went wrong; 1 when a bug check
/// or an internal invariant failure happened; 2 for bad options.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var virtualClock = new Option<bool>("--virtual") { Description = "Run on the virtual clock: deterministic, done in about a second." };
        var samples = new Option<string[]>("--sample") { Description = $"Samples to host (repeatable): {string.Join(", ", RunSettings.AllSamples)}. Default: all.", AllowMultipleArgumentsPerToken = true };
        var adapters = new Option<int>("--adapters") { Description = "storahci adapters (HBAs).", DefaultValueFactory = _ => 4 };
        var ports = new Option<int>("--ports") { Description = "storahci ports per adapter (1-32).", DefaultValueFactory = _ => 4 };
        var seed = new Option<int>("--seed") { Description = "Seed of the device profiles and the workloads.", DefaultValueFactory = _ => 1 };
        var duration = new Option<long>("--duration-ms") { Description = "Length of the run in ms of engine time.", DefaultValueFactory = _ => RunSettings.DefaultDurationMilliseconds };
        var neverReady = new Option<string?>("--never-ready-port") { Description = "A storahci port whose device never leaves BSY, as adapter:port (e.g. 0:3); it gives up after 60 s." };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON to this path." };
        var windowsTick = new Option<string?>("--windows-tick")
        {
            Description = "Expire timers on a Windows clock tick, in ms (15.625 when given without a value; down to 0.5 as with timeBeginPeriod), to see what real Windows timing does.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var drivers = new Option<string[]>("--driver")
        {
            Description = "A native (C) miniport .so built with native/toolchain.mk to host (repeatable); its stack is detected, or named as PATH:storport or PATH:ndis. Without --sample, only the drivers run.",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "PATH.so[:storport|:ndis]",
        };
        var driverAdapters = new Option<int>("--driver-adapters")
        {
            Description = "Adapters of each --driver (1-16). An NDIS driver's adapters share one host, as a driver's instances share a machine (netvmini's instances form a hub).",
            DefaultValueFactory = _ => 1,
        };
        var driverDebug = new Option<bool>("--driver-debug") { Description = "Echo each --driver's DbgPrint output to stderr as it prints (Windows formatting: %lx is 32 bits, %ws wide)." };
        var trace = new Option<string?>("--trace") { Description = "Write the run as a Chrome trace event JSON file (open it in Perfetto: ui.perfetto.dev)." };
        var command = new Command("run", "Host the sample miniports and report arms, fires, cancels, BUSY returns and lateness per timer, with what each driver did.")
        {
            virtualClock, samples, drivers, driverAdapters, driverDebug, adapters, ports, seed, duration, neverReady, json, trace, windowsTick,
        };
        command.SetAction(parse => Execute(
            new RunSettings(
                parse.GetValue(virtualClock),
                parse.GetValue(adapters),
                parse.GetValue(ports),
                parse.GetValue(seed),
                parse.GetValue(duration),
                parse.GetValue(neverReady),
                parse.GetValue(json),
                parse.GetValue(samples),
                parse.GetValue(trace),
                WindowsTick(parse.GetResult(windowsTick) is not null, parse.GetValue(windowsTick)),
                parse.GetValue(drivers),
                parse.GetValue(driverAdapters),
                parse.GetValue(driverDebug)),
            Console.Out));
        return command;
    }

    /// <summary>--windows-tick: absent → precise; present without a value → 15.625 ms; otherwise the value in ms, as µs.</summary>
    private static long? WindowsTick(bool present, string? milliseconds) =>
        !present ? null
        : string.IsNullOrEmpty(milliseconds) ? Kernel.KernelHostOptions.DefaultWindowsClockTickMicroseconds
        : (long)Math.Round(double.Parse(milliseconds, System.Globalization.CultureInfo.InvariantCulture) * 1000);

    /// <summary>Runs and reports to <paramref name="output"/>. Returns the process exit code.</summary>
    public static int Execute(RunSettings settings, TextWriter output)
    {
        var hasDrivers = settings.Drivers is { Count: > 0 };
        var names = settings.Samples is { Count: > 0 } chosen ? chosen.Select(n => n.ToLowerInvariant()).Distinct().ToList() : hasDrivers ? [] : [.. RunSettings.AllSamples];
        var unknown = names.Except(RunSettings.AllSamples).ToList();
        if (settings.Adapters < 1 || settings.DriverAdapters is < 1 or > 16 || settings.Ports is < 1 or > 32 || settings.DurationMilliseconds < 100 || unknown.Count > 0
            || settings.WindowsTickMicroseconds is < Kernel.KernelHostOptions.MinimumWindowsClockTickMicroseconds or > 1_000_000)
        {
            output.WriteLine($"run: --adapters must be >= 1, --driver-adapters 1 to 16, --ports 1 to 32, --duration-ms >= 100, --windows-tick 0.5 to 1000 ms, --sample one of {string.Join(", ", RunSettings.AllSamples)}.");
            return 2;
        }

        var runs = names.OrderBy(n => RunSettings.AllSamples.ToList().IndexOf(n)).Select(n => SampleFactory.Create(n, settings)).ToList();
        foreach (var spec in settings.Drivers ?? [])
        {
            if (SampleFactory.CreateDriver(spec, settings, out var error) is not { } driverRun)
            {
                output.WriteLine(error);
                return 2;
            }

            runs.Add(driverRun);
        }

        var recorder = settings.TracePath is null ? null : new TraceRecorder();
        runs.ForEach(r => r.Trace = recorder?.ForHost(r.Name)); // tracks keyed by sample and adapter
        using var engine = settings.Virtual ? (TimerEngine)new VirtualTimerEngine() : new RealTimeTimerEngine();
        var completed = ShowsProgress(settings, output)
            ? RunWithProgress(engine, runs, settings)
            : SampleRunner.Run(engine, runs, settings.DurationMilliseconds, settings.Seed);
        var report = RunReport.From(runs, engine, settings, completed);
        RunReportRenderer.Write(report, output);
        if (recorder is not null && settings.TracePath is { } tracePath)
        {
            recorder.WriteTo(tracePath);
            output.WriteLine($"Trace ({recorder.Count:N0} events) written to {tracePath}: open it in Perfetto (ui.perfetto.dev) or chrome://tracing");
        }

        if (settings.JsonPath is { } path)
        {
            File.WriteAllText(path, JsonSerializer.Serialize(report, RunReport.JsonOptions));
            output.WriteLine($"JSON report written to {path}");
        }

        return report.BugCheckCount == 0 && report.InvariantFailures.Count == 0 ? 0 : 1;
    }

    /// <summary>A progress bar only for a real-clock run writing to an interactive terminal (never into redirected output or JSON).</summary>
    private static bool ShowsProgress(RunSettings settings, TextWriter output) =>
        !settings.Virtual && ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    private static bool RunWithProgress(TimerEngine engine, IReadOnlyList<ISampleRun> runs, RunSettings settings)
    {
        var start = engine.NowNanoseconds;
        var run = Task.Run(() => SampleRunner.Run(engine, runs, settings.DurationMilliseconds, settings.Seed));
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask($"Hosting {string.Join(", ", runs.Select(r => r.Name))}", maxValue: settings.DurationMilliseconds);
                while (!run.Wait(TimeSpan.FromMilliseconds(100)))
                {
                    task.Value = Math.Min(settings.DurationMilliseconds, (engine.NowNanoseconds - start) / TimeUnits.NanosecondsPerMillisecond);
                }

                task.Value = settings.DurationMilliseconds;
            });
        return run.GetAwaiter().GetResult();
    }
}
