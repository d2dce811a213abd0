using BenchmarkDotNet.Attributes;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Bench;

namespace MiniportTimers.Benchmarks;

/// <summary>
/// What each timer DDI costs on top of the engine under it (issue 10): a request (10 ms) and its cancel on the real
/// engine, beside the engine's own Arm + Cancel; verifier on and off. The fire side runs in <see cref="DdiFireBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class DdiPathBenchmarks
{
    private RealTimeTimerEngine _engine = null!;
    private DdiPathFixture _fixture = null!;

    /// <summary>The hosts' verifier.</summary>
    [Params(true, false)]
    public bool Verifier { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = new RealTimeTimerEngine("benchmark ddi");
        _fixture = new DdiPathFixture(_engine, Verifier);
    }

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    [Benchmark(Baseline = true, Description = "engine Arm + Cancel")]
    public bool Engine() => _fixture.EngineArmCancel();

    [Benchmark(Description = "StorPortRequestTimer(10 ms) + (0)")]
    public uint StorPortRequestTimer() => _fixture.StorPortRequestTimerCancel();

    [Benchmark(Description = "RequestTimerCall(10 ms) + (0)")]
    public void RequestTimerCall() => _fixture.RequestTimerCallCancel();

    [Benchmark(Description = "NdisMSetTimer + NdisMCancelTimer")]
    public bool NdisMSetTimer() => _fixture.NdisMSetTimerCancel();

    [Benchmark(Description = "NdisSetTimerObject + NdisCancelTimerObject")]
    public bool NdisSetTimerObject() => _fixture.NdisSetTimerObjectCancel();

    [Benchmark(Description = "KeSetTimerEx + KeCancelTimer")]
    public bool KeSetTimerEx() => _fixture.KeSetTimerExCancel();
}
