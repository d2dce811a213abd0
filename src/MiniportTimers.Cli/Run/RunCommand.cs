using System.CommandLine;
using System.Text.Json;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;

namespace MiniportTimers.Cli.Run;

/// <summary>
/// <c>run</c>: hosts the sample miniports (storahci, netvmini, pcnet, e100bex) and native drivers side by side on one
/// engine, on the real clock or the virtual one, and prints what every timer did. Every option is checked before any
/// work starts; Ctrl-C or SIGTERM stops a real-clock run early with a partial report and the outputs asked for. Exit
/// codes: <see cref="ExitCodes"/>.
/// </summary>
internal static class RunCommand
{
    private const int DefaultAdapters = 4;
    private const int DefaultPorts = 4;

    /// <summary>The <c>run</c> command; <paramref name="terminals"/> says what each output is (default: <see cref="Terminal.Detect"/>).</summary>
    public static Command Create(Func<TextWriter, Terminal>? terminals = null)
    {
        var virtualClock = new Option<bool>("--virtual") { Description = "Run on the virtual clock: deterministic, done in about a second with the built tool (a cold 'dotnet run' builds first: about a minute)." };
        var samples = new Option<string[]>("--sample") { Description = $"Samples to host (repeatable): {string.Join(", ", RunSettings.AllSamples)}. Default: all (none when --driver is given).", AllowMultipleArgumentsPerToken = true, HelpName = "name" }.OneOf(RunSettings.AllSamples);
        var adapters = new Option<int>("--adapters") { Description = "storahci adapters (HBAs), 1-64.", DefaultValueFactory = _ => DefaultAdapters, HelpName = "n" }.WholeNumber(1, 64);
        var ports = new Option<int>("--ports") { Description = "storahci ports per adapter, 1-32.", DefaultValueFactory = _ => DefaultPorts, HelpName = "n" }.WholeNumber(1, 32);
        var seed = new Option<int>("--seed") { Description = "Seed of the device profiles and the workloads.", DefaultValueFactory = _ => 1, HelpName = "n" }.WholeNumber(int.MinValue, int.MaxValue);
        var duration = new Option<long>("--duration-ms")
        {
            Description = $"Length of the run in ms of engine time ({RunLimits.MinimumDurationMilliseconds:N0} to {RunLimits.MaximumDurationMilliseconds:N0}). {RunLimits.HelpText}",
            DefaultValueFactory = _ => RunSettings.DefaultDurationMilliseconds,
            HelpName = "ms",
        }.WholeNumber(RunLimits.MinimumDurationMilliseconds, RunLimits.MaximumDurationMilliseconds);
        var neverReadyPort = new Option<string?>("--never-ready-port") { Description = "A storahci port whose device never leaves BSY, as adapter:port counted from 0 (e.g. 0:3): its start gives up after 60 s of polling. Without --duration-ms the run is extended to cover the give-up (to about 65 s, or 2 to 2.5 minutes for ports 2 and 3, whose starts the workload restarts); with a shorter --duration-ms a warning says the port will still be starting.", HelpName = "adapter:port" };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON to this file ('-': standard output; the text report then goes to standard error).", HelpName = "path|-" }.WritableOutput();
        var windowsTick = new Option<long?>("--windows-tick")
        {
            Description = "Expire timers on a Windows clock tick, in ms (15.625 when given without a value; 0.5 to 1000, as with timeBeginPeriod), to see what real Windows timing does.",
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "ms",
        }.MillisecondsAsMicroseconds(0.5, 1000, Kernel.KernelHostOptions.DefaultWindowsClockTickMicroseconds);
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
            HelpName = "n",
        }.WholeNumber(1, 16);
        var device = new Option<string?>("--device")
        {
            Description = "The device each adapter of a --driver gets. NDIS: pcnet (an emulated AMD PCnet-PCI II; the adapters share a hub; cables up at 7 s and down at 17 s, sends at 12 s, resets at 14 s). Storport: ahci (the default: a 4-port AHCI HBA with SATA disks) or nvme (an NVMe 1.3 controller with a 1 GiB RAM namespace, ready at 200 ms; see --nvme-ready-ms, --never-ready, --surprise-remove-ms). docs/devices.md.",
            HelpName = "pcnet|ahci|nvme",
        };
        device.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !RunSettings.Devices.Contains(t.Value, StringComparer.Ordinal)))
            {
                result.AddError($"{device.Name}: '{token.Value}' is not one of {string.Join(", ", RunSettings.Devices)}.");
            }
        });
        device.CompletionSources.Add([.. RunSettings.Devices]);
        var nvmeReadyMs = new Option<long?>("--nvme-ready-ms")
        {
            Description = $"With --device nvme: the controller's time from CC.EN to CSTS.RDY, in ms (0 to {MaximumNvmeReadyMilliseconds:N0}; default {StorportScenarioOptions.DefaultNvmeReadyNanoseconds / TimeUnits.NanosecondsPerMillisecond}). Past CAP.TO x 500 ms (10,000) the driver gives up.",
            HelpName = "ms",
        }.WholeNumber(0L, MaximumNvmeReadyMilliseconds);
        var neverReady = new Option<bool>("--never-ready") { Description = "With --device nvme: the controller never sets CSTS.RDY; the driver gives up after CAP.TO x 500 ms (10,000 ms, within the default run)." };
        var surpriseRemoveMs = new Option<long?>("--surprise-remove-ms")
        {
            Description = "With --device nvme: surprise-remove the controller this many ms into the run (its registers then read all ones); 4 reads are outstanding then, and must fail. Within --duration-ms.",
            HelpName = "ms",
        }.WholeNumber(1L, RunLimits.MaximumDurationMilliseconds);
        var driverDebug = new Option<bool>("--driver-debug") { Description = "Echo each --driver's DbgPrint output to stderr as it prints (Windows formatting: %lx is 32 bits, %ws wide)." };
        var trace = new Option<string?>("--trace") { Description = "Write the run as a Chrome trace event JSON file (open it in Perfetto: ui.perfetto.dev). Lock holds that took no time are left out unless --trace-all-locks.", HelpName = "path" }.WritableOutput();
        var dispatchers = new Option<int>("--dispatchers") { Description = "Dispatch threads of the real-clock engine, 1-64 (e.g. the number of CPUs): the adapters are spread over them round-robin, so one adapter's blocked callback delays only the adapters on its dispatcher.", DefaultValueFactory = _ => 1, HelpName = "n" }.WholeNumber(1, 64);
        var realTimePriority = new Option<int?>("--real-time-priority") { Description = "Run the real-clock engine's dispatch threads on SCHED_FIFO at this priority, 1-99 (Linux, where the process may; the report says whether it did).", HelpName = "1-99" }.WholeNumber(1, 99);
        var traceAllLocks = new Option<bool>("--trace-all-locks") { Description = "Keep zero-length lock holds in the --trace file (on the virtual clock most holds take no time)." };
        var command = new Command("run", "Host the sample miniports and report arms, fires, cancels, BUSY returns and lateness per timer, with what each driver did.")
        {
            virtualClock, samples, drivers, driverAdapters, device, nvmeReadyMs, neverReady, surpriseRemoveMs, driverDebug, adapters, ports, seed, duration, neverReadyPort, json, trace, traceAllLocks, windowsTick, dispatchers, realTimePriority,
        };
        command.Validators.Add(result =>
        {
            // An option left out has no result here: its default applies. One given but unparsable has its own message
            // already: the checks that need its value are left out.
            bool Known<T>(Option<T> option, T whenLeftOut, out T value)
            {
                if (result.GetResult(option) is null)
                {
                    value = whenLeftOut;
                    return true;
                }

                var known = result.TryGetValue(option, out var given);
                value = given!;
                return known;
            }

            var sampleNames = result.GetValue(samples);
            var driverSpecs = result.GetValue(drivers);
            var adaptersKnown = Known(adapters, DefaultAdapters, out var adapterCount);
            var portsKnown = Known(ports, DefaultPorts, out var portCount);
            if (adaptersKnown && portsKnown && result.GetValue(neverReadyPort) is { } port && NeverReadyPortProblem(port, adapterCount, portCount, sampleNames) is { } problem)
            {
                result.AddError($"--never-ready-port: {problem}");
            }

            Known(duration, RunSettings.DefaultDurationMilliseconds, out var runLength);
            foreach (var nvmeProblem in NvmeOptionProblems(
                result.GetValue(device),
                driverSpecs is { Length: > 0 },
                result.GetResult(nvmeReadyMs) is not null && Known(nvmeReadyMs, default, out _),
                Known(neverReady, false, out var neverReadyGiven) && neverReadyGiven,
                Known(surpriseRemoveMs, null, out var removeAt) ? removeAt : null,
                result.GetValue(neverReadyPort) is not null && (sampleNames is not { Length: > 0 } || !sampleNames.Contains("storahci", StringComparer.OrdinalIgnoreCase)),
                runLength))
            {
                result.AddError(nvmeProblem);
            }

            var isVirtual = result.TryGetValue(virtualClock, out var v) && v;
            if (isVirtual && ((Known(dispatchers, 1, out var dispatcherCount) && dispatcherCount > 1) || (Known(realTimePriority, null, out var priority) && priority is not null)))
            {
                result.AddError("--dispatchers and --real-time-priority apply to the real clock: a virtual run is one deterministic sequence on one dispatcher (leave out --virtual).");
            }

            if (result.GetValue(trace) == OutputPath.StandardOutput)
            {
                result.AddError("--trace: '-' is not accepted: the trace is a file for Perfetto (use --json - for standard output).");
            }

            // A missing file here; what is wrong inside one (docs/native.md, "What is checked before loading") when the
            // command runs, before any work: one line naming the file and the reason.
            foreach (var spec in driverSpecs ?? [])
            {
                if (NativeDriverRun.MissingFile(spec) is { } driverProblem)
                {
                    result.AddError($"--driver: {driverProblem}");
                }
            }

            if (Known(duration, RunSettings.DefaultDurationMilliseconds, out var length) && Known(windowsTick, null, out var tick)
                && RunLimits.DurationProblem(length, result.GetResult(duration) is { Implicit: false }, ChosenSamples(sampleNames, driverSpecs is { Length: > 0 }), tick) is { } tooShort)
            {
                result.AddError($"--duration-ms: {tooShort}");
            }
        });
        command.SetAction((parse, cancel) => Task.FromResult(Execute(
            new RunSettings(
                parse.GetValue(virtualClock),
                parse.GetValue(adapters),
                parse.GetValue(ports),
                parse.GetValue(seed),
                parse.GetValue(duration),
                parse.GetValue(neverReadyPort),
                parse.GetValue(json),
                parse.GetValue(samples),
                parse.GetValue(trace),
                parse.GetValue(windowsTick),
                parse.GetValue(drivers),
                parse.GetValue(driverAdapters),
                parse.GetValue(driverDebug),
                parse.GetValue(traceAllLocks),
                parse.GetValue(dispatchers),
                parse.GetValue(realTimePriority) ?? 0,
                DurationGiven: parse.GetResult(duration) is { Implicit: false },
                Device: parse.GetValue(device),
                NvmeReadyMilliseconds: parse.GetValue(nvmeReadyMs),
                NvmeNeverReady: parse.GetValue(neverReady),
                SurpriseRemoveMilliseconds: parse.GetValue(surpriseRemoveMs)),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            StopSignals.Token,
            terminals)));
        return command;
    }

    /// <summary>The samples a run hosts: those named, else all of them, or none when only drivers are given.</summary>
    private static List<string> ChosenSamples(IReadOnlyList<string>? named, bool hasDrivers) =>
        named is { Count: > 0 } ? [.. named.Select(n => n.ToLowerInvariant()).Distinct()] : hasDrivers ? [] : [.. RunSettings.AllSamples];

    /// <summary>When a driver gives up on a never-ready NVMe controller: CAP.TO x 500 ms with the model's CAP.TO of 20.</summary>
    private const long NvmeGiveUpMilliseconds = 20 * 500;

    /// <summary>The largest --nvme-ready-ms: a minute (a driver gives up long before, at CAP.TO x 500 ms).</summary>
    private const long MaximumNvmeReadyMilliseconds = 60_000;

    /// <summary>
    /// What is wrong with the NVMe options taken together: they need --device nvme (and a --driver to drive it); a
    /// controller cannot be both never ready and ready at a time; the removal must fall within the run; and the AHCI
    /// --never-ready-port names no port of an NVMe controller.
    /// </summary>
    internal static IEnumerable<string> NvmeOptionProblems(string? device, bool hasDrivers, bool readyGiven, bool neverReady, long? surpriseRemoveMilliseconds, bool neverReadyPortForDriver, long durationMilliseconds)
    {
        var nvmeOptions = new[] { (readyGiven, "--nvme-ready-ms"), (neverReady, "--never-ready"), (surpriseRemoveMilliseconds is not null, "--surprise-remove-ms") }.Where(o => o.Item1).Select(o => o.Item2).ToList();
        if (nvmeOptions.Count > 0 && device != "nvme")
        {
            yield return $"{string.Join(", ", nvmeOptions)}: {(nvmeOptions.Count == 1 ? "applies" : "apply")} to the NVMe controller: add --device nvme (with a Storport --driver).";
        }

        if (device is "ahci" or "nvme" && !hasDrivers)
        {
            yield return $"--device {device}: the device is for a Storport --driver; none is given.";
        }

        if (readyGiven && neverReady)
        {
            yield return "--nvme-ready-ms and --never-ready: a controller that never sets CSTS.RDY has no time to ready; give one of them.";
        }

        if (surpriseRemoveMilliseconds is { } removeAt && removeAt >= durationMilliseconds)
        {
            yield return $"--surprise-remove-ms: {removeAt:N0} ms is not within the {durationMilliseconds:N0} ms run; give less than --duration-ms.";
        }

        if (device == "nvme" && neverReadyPortForDriver)
        {
            yield return "--never-ready-port: names an AHCI port; with --device nvme use --never-ready.";
        }
    }

    /// <summary>Why <paramref name="text"/> is not a usable --never-ready-port, or null.</summary>
    private static string? NeverReadyPortProblem(string text, int adapters, int ports, string[]? samples)
    {
        if (!OptionRules.TryParseAdapterPort(text, out var adapter, out var port))
        {
            return $"'{text}' is not adapter:port (two whole numbers, e.g. 0:3).";
        }

        if (adapter >= adapters || port >= ports)
        {
            return $"'{text}' names no port: there {(adapters == 1 ? "is 1 adapter" : $"are {adapters} adapters")} (0-{adapters - 1}) of {ports} port{(ports == 1 ? string.Empty : "s")} (0-{ports - 1}).";
        }

        return samples is { Length: > 0 } && !samples.Contains("storahci", StringComparer.OrdinalIgnoreCase)
            ? $"'{text}' is a storahci port, and storahci is not among the samples."
            : null;
    }

    /// <summary>Runs and reports to <paramref name="output"/>; problems go to <paramref name="error"/>. Returns the process exit code (<see cref="ExitCodes"/>).</summary>
    /// <param name="settings">The run.</param>
    /// <param name="output">The text report (and the JSON with --json -).</param>
    /// <param name="error">Messages; defaults to <paramref name="output"/>.</param>
    /// <param name="stop">Set by Ctrl-C or SIGTERM (<see cref="StopSignals"/>): a real-clock run ends early, with a partial report.</param>
    /// <param name="terminals">What each output is (progress, colour, width); default <see cref="Terminal.Detect"/>.</param>
    public static int Execute(RunSettings settings, TextWriter output, TextWriter? error = null, StopToken? stop = null, Func<TextWriter, Terminal>? terminals = null)
    {
        error ??= output;
        terminals ??= writer => Terminal.Detect(writer);
        var hasDrivers = settings.Drivers is { Count: > 0 };
        var names = ChosenSamples(settings.Samples, hasDrivers);
        var unknown = names.Except(RunSettings.AllSamples).ToList();
        if (settings.Adapters < 1 || settings.DriverAdapters is < 1 or > 16 || settings.Ports is < 1 or > 32 || settings.DurationMilliseconds < RunLimits.MinimumDurationMilliseconds || unknown.Count > 0
            || settings.WindowsTickMicroseconds is < Kernel.KernelHostOptions.MinimumWindowsClockTickMicroseconds or > 1_000_000)
        {
            error.WriteLine($"run: --adapters must be >= 1, --driver-adapters 1 to 16, --ports 1 to 32, --duration-ms >= {RunLimits.MinimumDurationMilliseconds}, --windows-tick 0.5 to 1000 ms, --sample one of {string.Join(", ", RunSettings.AllSamples)}.");
            return ExitCodes.Usage;
        }

        if (RunLimits.DurationProblem(settings.DurationMilliseconds, settings.DurationGiven, names, settings.WindowsTickMicroseconds) is { } tooShort)
        {
            error.WriteLine($"run: --duration-ms: {tooShort}");
            return ExitCodes.Usage;
        }

        var deviceProblem = settings.Device is { } named && !RunSettings.Devices.Contains(named) ? $"--device: '{named}' is not one of {string.Join(", ", RunSettings.Devices)}." : null;
        if ((deviceProblem ?? NvmeOptionProblems(settings.Device, hasDrivers, settings.NvmeReadyMilliseconds is not null, settings.NvmeNeverReady, settings.SurpriseRemoveMilliseconds, settings.NeverReadyPort is not null && !names.Contains("storahci"), settings.DurationMilliseconds).FirstOrDefault()) is { } optionProblem)
        {
            error.WriteLine($"run: {optionProblem}");
            return ExitCodes.Usage;
        }

        var notes = new List<string>();
        if (settings.NvmeNeverReady && settings.DurationMilliseconds < NvmeGiveUpMilliseconds)
        {
            var note = $"--never-ready: the driver gives up on the controller after CAP.TO x 500 ms ({NvmeGiveUpMilliseconds:N0} ms), after this {settings.DurationMilliseconds:N0} ms run ends: it is reported still starting. Give --duration-ms {NvmeGiveUpMilliseconds + 1_000} or more to see the give-up.";
            error.WriteLine($"run: warning: {note}");
            notes.Add(note);
        }

        if (settings.NeverReadyPort is { } neverReady && names.Contains("storahci") && OptionRules.TryParseAdapterPort(neverReady, out _, out var neverReadyPort))
        {
            var needed = RunLimits.NeverReadyGiveUpMilliseconds(neverReadyPort, settings.Ports, settings.WindowsTickMicroseconds);
            if (settings.DurationMilliseconds < needed)
            {
                var note = settings.DurationGiven
                    ? $"--never-ready-port {neverReady}: its start gives up after 60 s of polling, which this port reaches about {needed:N0} ms into the run, after this {settings.DurationMilliseconds:N0} ms run ends: the port is reported still starting. Leave --duration-ms out (the run is then extended to cover it), or give {needed} or more."
                    : $"the run lasts {needed:N0} ms instead of the default {RunSettings.DefaultDurationMilliseconds:N0} ms, so that --never-ready-port {neverReady} reaches its start's 60 s give-up (the workload restarts the starts of ports 2 and 3 during the run).";
                settings = settings.DurationGiven ? settings : settings with { DurationMilliseconds = needed };
                error.WriteLine($"run: {(settings.DurationGiven ? "warning" : "note")}: {note}");
                notes.Add(note);
            }
        }

        var runs = names.OrderBy(n => RunSettings.AllSamples.ToList().IndexOf(n)).Select(n => SampleFactory.Create(n, settings)).ToList();
        foreach (var spec in settings.Drivers ?? [])
        {
            if (SampleFactory.CreateDriver(spec, settings, out var problem) is not { } driverRun)
            {
                error.WriteLine(problem);
                return ExitCodes.Usage;
            }

            runs.Add(driverRun);
        }

        // With --json -, standard output carries the JSON alone: the text report goes to the error stream.
        var text = settings.JsonPath == OutputPath.StandardOutput ? error : output;
        var terminal = terminals(text);
        var recorder = settings.TracePath is null ? null : new TraceRecorder { OmitZeroLengthLockHolds = !settings.TraceAllLocks };
        runs.ForEach(r => r.Trace = recorder?.ForHost(r.Name)); // tracks keyed by sample and adapter
        JitSettle? jitSettle = null;
        RehearsalReport? rehearsal = null;
        if (!settings.Virtual)
        {
            rehearsal = RunRehearsal.Run(settings, names); // the samples' first calls, before the real engine's clock starts
            jitSettle = UntieredRun.TieringOff ? null : RunJit.SettleTierUp(stop?.Token ?? CancellationToken.None); // and their tier-1 versions, compiled in the background
        }

        using var engine = settings.Virtual ? (TimerEngine)new VirtualTimerEngine() : new RealTimeTimerEngine(dispatchers: settings.Dispatchers, realTimePriority: settings.RealTimePriority);
        var faults = new CallbackFaults();
        engine.CallbackFaulted += faults.Record;
        foreach (var driverRun in runs.OfType<NativeDriverRun>())
        {
            try
            {
                driverRun.Load(engine); // DriverEntry, before any work: a driver that does not load is bad usage
            }
            catch (Native.NativeDriverException ex)
            {
                error.WriteLine($"run: --driver: {ex.Message}");
                return ExitCodes.Usage;
            }
        }

        var cancel = settings.Virtual ? CancellationToken.None : stop?.Token ?? CancellationToken.None;
        var startedAtUtc = DateTimeOffset.UtcNow;
        using var collections = settings.Virtual ? null : RunCollections.Start(); // SustainedLowLatency while it runs
        var jit = settings.Virtual ? null : RunJit.Start(); // what is still compiled during the measured part
        using var floorProbe = settings.Virtual ? null : OsFloorProbe.TryStart(); // the OS wake-up floor, measured beside the run
        var completed = terminal.IsInteractive
            ? RunProgress.Run(terminal.CreateConsole(text), engine, runs, settings, cancel)
            : SampleRunner.Run(engine, runs, settings.DurationMilliseconds, settings.Seed, cancel);
        var stoppedBy = cancel.IsCancellationRequested ? stop?.Signal : null;
        var report = RunReport.From(runs, engine, settings, completed, stoppedBy, startedAtUtc, floorProbe?.Finish(), notes, collections?.Finish(), jit?.Finish(rehearsal, jitSettle));
        if (faults.Descriptions is { Count: > 0 } described)
        {
            report = report with { InvariantFailures = [.. report.InvariantFailures, .. described] };
        }

        RunReportRenderer.Write(report, text, terminal);
        var outputFailed = false;
        if (recorder is not null && settings.TracePath is { } tracePath)
        {
            if (OutputPath.TryWrite(tracePath, recorder.WriteTo) is { } problem)
            {
                error.WriteLine($"run: --trace: {problem}");
                outputFailed = true;
            }
            else
            {
                text.WriteLine($"Trace ({recorder.Count:N0} events) written to {tracePath}: open it in Perfetto (ui.perfetto.dev) or chrome://tracing");
            }
        }

        if (settings.JsonPath is { } path)
        {
            if (OutputPath.TryWrite(path, JsonSerializer.Serialize(report, RunReport.JsonOptions) + Environment.NewLine, output) is { } problem)
            {
                error.WriteLine($"run: --json: {problem}");
                outputFailed = true;
            }
            else if (path != OutputPath.StandardOutput)
            {
                text.WriteLine($"JSON report written to {path}");
            }
        }

        return stoppedBy is { } signal ? signal.ExitCode()
            : outputFailed ? ExitCodes.OutputError
            : report.BugCheckCount == 0 && report.InvariantFailures.Count == 0 ? ExitCodes.Success
            : ExitCodes.RunFailed;
    }
}
