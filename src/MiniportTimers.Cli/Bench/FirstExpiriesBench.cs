using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using MiniportTimers.Engine;
using MiniportTimers.Ndis;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// `bench --only first` (issue 15's first calls): the lateness of the first ten expiries of a fresh process, with the
/// engine's warm-up (the default) and without it. Each figure comes from a new process of this same tool (its hidden
/// `first-expiries` command): an NDIS host on a real engine, one NDIS 6 timer object, ten one-shots 1 ms apart, the
/// lateness of each taken at the start of its callback (from 1 ms after NdisSetTimerObject returned: a lower bound).
/// </summary>
internal static class FirstExpiriesBench
{
    private const string CommandName = "first-expiries";
    private const int Count = 10;

    public static IEnumerable<BenchRow> Run()
    {
        foreach (var warm in new[] { false, true })
        {
            var approach = warm ? "ours, warmed up (default)" : "ours, cold (warm-up off)";
            if (Child(warm, out var problem) is not { } lateness)
            {
                yield return new BenchRow("first", "first ten expiries", approach, double.NaN, "µs", $"the child process failed: {problem}", Failed: true);
                continue;
            }

            for (var i = 0; i < lateness.Length; i++)
            {
                yield return new BenchRow("first", $"lateness of expiry {i + 1} of a fresh process", approach, lateness[i], "µs");
            }
        }
    }

    /// <summary>
    /// How to start this tool again as a child. Run by its own executable (the apphost <c>dotnet run</c> starts, the
    /// shim of an installed .NET tool, a published executable): that executable, with no .dll argument (it would take
    /// one as the command's first word). Run by the <c>dotnet</c> muxer (<c>dotnet miniport-timers.dll</c>) or hosted
    /// in another program (a test host): the muxer with this tool's .dll.
    /// </summary>
    internal static ProcessStartInfo ChildStart()
    {
        var tool = typeof(FirstExpiriesBench).Assembly;
        var process = Environment.ProcessPath;
        if (Assembly.GetEntryAssembly() == tool && process is not null && !IsMuxer(process))
        {
            return new ProcessStartInfo(process);
        }

        var muxer = process is not null && IsMuxer(process) ? process : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = new ProcessStartInfo(muxer);
        start.ArgumentList.Add(tool.Location);
        return start;
    }

    private static bool IsMuxer(string path) => Path.GetFileNameWithoutExtension(path).Equals("dotnet", StringComparison.OrdinalIgnoreCase);

    /// <summary>The hidden command a child process runs: prints the ten latenesses, µs, on one line.</summary>
    public static Command CreateHiddenCommand()
    {
        var cold = new Option<bool>("--cold") { Description = "Turn the engine's warm-up off." };
        var command = new Command(CommandName, "Measure the first ten expiries of this process (bench --only first runs it).") { cold };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            if (parse.GetValue(cold))
            {
                AppContext.SetSwitch("MiniportTimers.Engine.DisableWarmUp", true);
            }

            parse.InvocationConfiguration.Output.WriteLine(string.Join(' ', Measure().Select(l => l.ToString("0.0", CultureInfo.InvariantCulture))));
            return 0;
        });
        return command;
    }

    private static double[] Measure()
    {
        using var engine = new RealTimeTimerEngine("first expiries");
        var host = new NdisHost(engine);
        var lateness = new double[Count];
        var fired = 0;
        using var done = new ManualResetEventSlim();
        long due = 0;
        NdisTimerObject? timer = null;
        host.NdisMRegisterMiniportDriver(
            new NDIS_MINIPORT_DRIVER_CHARACTERISTICS
            {
                InitializeHandlerEx = (handle, _) =>
                {
                    NdisApi.NdisMSetMiniportAttributes(handle, new object());
                    NdisApi.NdisAllocateTimerObject(handle, NDIS_TIMER_CHARACTERISTICS.For((_, _, _, _) =>
                    {
                        lateness[fired] = (engine.NowNanoseconds - Volatile.Read(ref due)) / 1_000.0;
                        if (++fired == Count)
                        {
                            done.Set();
                        }
                    }, null), out timer);
                    return NdisApi.NDIS_STATUS_SUCCESS;
                },
                HaltHandlerEx = _ => { },
                PauseHandler = _ => NdisApi.NDIS_STATUS_SUCCESS,
            },
            null,
            out _);
        host.AddAdapter();
        for (var i = 0; i < Count; i++)
        {
            var before = fired;
            Volatile.Write(ref due, long.MaxValue); // a callback before the due is known would show as early, not late
            NdisApi.NdisSetTimerObject(timer!, -10_000, 0, null); // 1 ms relative, in 100 ns units

            // The due time is taken inside the call (its first call compiles the whole NDIS path): after it returns,
            // now + 1 ms is at or after it, so the lateness below is a lower bound, exact to the call's return.
            Volatile.Write(ref due, engine.NowNanoseconds + TimeUnits.NanosecondsPerMillisecond);
            SpinWait.SpinUntil(() => Volatile.Read(ref fired) > before, TimeSpan.FromSeconds(5));
        }

        done.Wait(TimeSpan.FromSeconds(5));
        return lateness;
    }

    /// <summary>Runs this tool again as a child with the hidden command; its ten latenesses, or null with the reason.</summary>
    private static double[]? Child(bool warm, out string problem)
    {
        var start = ChildStart();
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.ArgumentList.Add(CommandName);
        if (!warm)
        {
            start.ArgumentList.Add("--cold");
        }

        try
        {
            using var child = Process.Start(start);
            if (child is null)
            {
                problem = $"'{start.FileName}' did not start";
                return null;
            }

            var error = child.StandardError.ReadToEndAsync();
            var line = child.StandardOutput.ReadToEnd();
            if (!child.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                child.Kill(entireProcessTree: true);
                problem = "it did not finish within 2 minutes";
                return null;
            }

            var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (child.ExitCode == 0 && values.Length == Count)
            {
                problem = string.Empty;
                return [.. values.Select(v => double.Parse(v, CultureInfo.InvariantCulture))];
            }

            var said = error.GetAwaiter().GetResult().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
            problem = $"{Path.GetFileName(start.FileName)} exited with {child.ExitCode}{(said is null ? string.Empty : $": {said}")}";
            return null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            problem = $"'{start.FileName}' could not be started: {ex.Message}";
            return null;
        }
    }
}
