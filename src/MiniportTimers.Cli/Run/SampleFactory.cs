using MiniportTimers.Samples.E100bex;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Samples.Netvmini;
using MiniportTimers.Samples.Nvme;
using MiniportTimers.Samples.Pcnet;
using MiniportTimers.Samples.Storahci;

namespace MiniportTimers.Cli.Run;

/// <summary>Builds the sample runs <c>run</c> was asked for.</summary>
internal static class SampleFactory
{
    public static ISampleRun Create(string name, RunSettings s)
    {
        var storport = new Storport.StorportHostOptions { WindowsClockTickMicroseconds = s.WindowsTickMicroseconds };
        var ndis = new Ndis.NdisHostOptions { WindowsClockTickMicroseconds = s.WindowsTickMicroseconds };
        return Create(name, s, storport, ndis);
    }

    /// <summary>A native driver run for one --driver value, or null with the reason.</summary>
    public static ISampleRun? CreateDriver(string spec, RunSettings s, out string? error)
    {
        var run = NativeDriverRun.TryCreate(
            spec,
            new Storport.StorportHostOptions { WindowsClockTickMicroseconds = s.WindowsTickMicroseconds },
            new Ndis.NdisHostOptions { WindowsClockTickMicroseconds = s.WindowsTickMicroseconds },
            s.DriverAdapters,
            s.DriverDebug ? Console.Error : null,
            out error,
            s.Device);
        if (run is null)
        {
            return null;
        }

        if (s.NeverReadyPort is { } neverReady && Shell.OptionRules.TryParseAdapterPort(neverReady, out _, out var port))
        {
            run.ScenarioOptions = run.ScenarioOptions with { NeverReadyPort = port };
        }

        if (s.Device == "nvme")
        {
            const long ms = Engine.TimeUnits.NanosecondsPerMillisecond;
            run.ScenarioOptions = run.ScenarioOptions with
            {
                Device = StorportScenarioDeviceKind.Nvme,
                NvmeReadyNanoseconds = s.NvmeReadyMilliseconds is { } readyMs ? checked(readyMs * ms) : StorportScenarioOptions.DefaultNvmeReadyNanoseconds,
                NvmeNeverReady = s.NvmeNeverReady,
                SurpriseRemoveNanoseconds = s.SurpriseRemoveMilliseconds is { } removeMs ? checked(removeMs * ms) : null,
            };
        }

        return run;
    }

    private static ISampleRun Create(string name, RunSettings s, Storport.StorportHostOptions storport, Ndis.NdisHostOptions ndis) => name switch
    {
        "storahci" => new StorahciRun(new StorahciScenario
        {
            Adapters = s.Adapters,
            PortsPerAdapter = s.Ports,
            Seed = s.Seed,
            DurationMilliseconds = s.DurationMilliseconds,
            NeverReadyPort = s.NeverReadyPort,
        }, storport),
        "nvme" => new NvmeRun(s.Seed) { Options = storport },
        "nvme-win7" => new NvmeRun(s.Seed) { Options = storport with { Windows7Mode = true } },
        "netvmini" => new NetvminiRun { Options = ndis },
        "pcnet" => new PcnetRun { Options = ndis },
        "e100bex" => new E100bexRun(seed: s.Seed) { Options = ndis },
        _ => throw new ArgumentException($"Unknown sample '{name}'. Known: {string.Join(", ", RunSettings.AllSamples)}.", nameof(name)),
    };
}
