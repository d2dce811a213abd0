using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
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
            if (Child(warm) is not { } lateness)
            {
                yield return new BenchRow("first", "first ten expiries", approach, double.NaN, "µs", "the child process failed");
                continue;
            }

            for (var i = 0; i < lateness.Length; i++)
            {
                yield return new BenchRow("first", $"lateness of expiry {i + 1} of a fresh process", approach, lateness[i], "µs");
            }
        }
    }

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

    /// <summary>Runs this tool again as a child with the hidden command; its ten latenesses, or null.</summary>
    private static double[]? Child(bool warm)
    {
        var entry = Environment.GetCommandLineArgs()[0]; // the tool's dll (under `dotnet`) or its apphost
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (entry.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(entry);
        }

        start.ArgumentList.Add(CommandName);
        if (!warm)
        {
            start.ArgumentList.Add("--cold");
        }

        using var child = Process.Start(start);
        if (child is null)
        {
            return null;
        }

        var line = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return child.ExitCode == 0 && values.Length == Count
            ? [.. values.Select(v => double.Parse(v, CultureInfo.InvariantCulture))]
            : null;
    }
}
