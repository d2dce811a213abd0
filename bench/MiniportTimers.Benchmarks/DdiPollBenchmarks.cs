using BenchmarkDotNet.Attributes;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Bench;

namespace MiniportTimers.Benchmarks;

/// <summary>
/// The poll loop real drivers write, on the virtual engine: a callback requesting its own timer again from inside its
/// call (StorPortRequestTimer in HW_TIMER_EX, RequestTimerCall in HwStorTimer), one fire per operation, beside an engine
/// timer re-armed from its own callback; verifier on and off (<c>bench --only ddi</c>'s "request from its own callback"
/// rows).
/// </summary>
[MemoryDiagnoser]
public class DdiPollBenchmarks
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
    public void Cleanup()
    {
        _fixture.StopPolls();
        _engine.Dispose();
    }

    [Benchmark(Baseline = true, Description = "engine timer re-armed in its callback + fire")]
    public void Engine() => _fixture.EnginePollFire();

    [Benchmark(Description = "StorPortRequestTimer in HW_TIMER_EX + fire")]
    public void StorPortRequestTimer() => _fixture.StorPortRequestTimerPollFire();

    [Benchmark(Description = "RequestTimerCall in HwStorTimer + fire")]
    public void RequestTimerCall() => _fixture.RequestTimerCallPollFire();
}
