using BenchmarkDotNet.Attributes;

namespace MiniportTimers.Benchmarks;

/// <summary>
/// The poll loop real drivers write, on the virtual engine: a callback requesting its own timer again from inside its
/// call (StorPortRequestTimer in HW_TIMER_EX, RequestTimerCall in HwStorTimer), one fire per operation, beside an engine
/// timer re-armed from its own callback; verifier on and off (<c>bench --only ddi</c>'s "request from its own callback"
/// rows).
/// </summary>
public class DdiPollBenchmarks : VirtualDdiBenchmarks
{
    [Benchmark(Baseline = true, Description = "engine timer re-armed in its callback + fire")]
    public void Engine() => Fixture.EnginePollFire();

    [Benchmark(Description = "StorPortRequestTimer in HW_TIMER_EX + fire")]
    public void StorPortRequestTimer() => Fixture.StorPortRequestTimerPollFire();

    [Benchmark(Description = "RequestTimerCall in HwStorTimer + fire")]
    public void RequestTimerCall() => Fixture.RequestTimerCallPollFire();
}
