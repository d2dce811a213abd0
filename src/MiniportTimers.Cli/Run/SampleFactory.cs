using MiniportTimers.Samples.E100bex;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Samples.Netvmini;
using MiniportTimers.Samples.Pcnet;
using MiniportTimers.Samples.Storahci;

namespace MiniportTimers.Cli.Run;

/// <summary>Builds the sample runs <c>run</c> was asked for.</summary>
internal static class SampleFactory
{
    public static ISampleRun Create(string name, RunSettings s) => name switch
    {
        "storahci" => new StorahciRun(new StorahciScenario
        {
            Adapters = s.Adapters,
            PortsPerAdapter = s.Ports,
            Seed = s.Seed,
            DurationMilliseconds = s.DurationMilliseconds,
            NeverReadyPort = s.NeverReadyPort,
        }),
        "netvmini" => new NetvminiRun(),
        "pcnet" => new PcnetRun(),
        "e100bex" => new E100bexRun(seed: s.Seed),
        _ => throw new ArgumentException($"Unknown sample '{name}'. Known: {string.Join(", ", RunSettings.AllSamples)}.", nameof(name)),
    };
}
