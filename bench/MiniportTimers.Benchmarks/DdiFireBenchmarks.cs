using BenchmarkDotNet.Attributes;

namespace MiniportTimers.Benchmarks;

/// <summary>
/// A request and its fire through each timer DDI on the virtual engine (the callback runs on the benchmark thread, so
/// the fire's own cost and allocations are measured), beside the engine's Arm and fire; verifier on and off.
/// </summary>
public class DdiFireBenchmarks : VirtualDdiBenchmarks
{
    [Benchmark(Baseline = true, Description = "engine Arm + fire")]
    public void Engine() => Fixture.EngineArmFire();

    [Benchmark(Description = "StorPortRequestTimer + HW_TIMER_EX")]
    public void StorPortRequestTimer() => Fixture.StorPortRequestTimerFire();

    [Benchmark(Description = "RequestTimerCall + HwStorTimer")]
    public void RequestTimerCall() => Fixture.RequestTimerCallFire();

    [Benchmark(Description = "NdisMSetTimer + callback")]
    public void NdisMSetTimer() => Fixture.NdisMSetTimerFire();

    [Benchmark(Description = "NdisSetTimerObject + callback")]
    public void NdisSetTimerObject() => Fixture.NdisSetTimerObjectFire();
}
