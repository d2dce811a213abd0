using BenchmarkDotNet.Attributes;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Bench;

namespace MiniportTimers.Benchmarks;

/// <summary>
/// A request and its fire through each timer DDI on the virtual engine (the callback runs on the benchmark thread, so
/// the fire's own cost and allocations are measured), beside the engine's Arm and fire; verifier on and off.
/// </summary>
[MemoryDiagnoser]
public class DdiFireBenchmarks
{
    private VirtualTimerEngine _engine = null!;
    private DdiPathFixture _fixture = null!;

    /// <summary>The hosts' verifier.</summary>
    [Params(true, false)]
    public bool Verifier { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = new VirtualTimerEngine();
        _fixture = new DdiPathFixture(_engine, Verifier);
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(Baseline = true, Description = "engine Arm + fire")]
    public void Engine() => _fixture.EngineArmFire();

    [Benchmark(Description = "StorPortRequestTimer + HW_TIMER_EX")]
    public void StorPortRequestTimer() => _fixture.StorPortRequestTimerFire();

    [Benchmark(Description = "RequestTimerCall + HwStorTimer")]
    public void RequestTimerCall() => _fixture.RequestTimerCallFire();

    [Benchmark(Description = "NdisMSetTimer + callback")]
    public void NdisMSetTimer() => _fixture.NdisMSetTimerFire();

    [Benchmark(Description = "NdisSetTimerObject + callback")]
    public void NdisSetTimerObject() => _fixture.NdisSetTimerObjectFire();
}
