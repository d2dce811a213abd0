using BenchmarkDotNet.Attributes;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Bench;

namespace MiniportTimers.Benchmarks;

/// <summary>
/// What the fire benchmarks share: the DDI fixture on a virtual engine (each callback runs on the benchmark thread, so its
/// cost and allocations are measured), made once per verifier setting.
/// </summary>
[MemoryDiagnoser]
public abstract class VirtualDdiBenchmarks
{
    private VirtualTimerEngine _engine = null!;

    /// <summary>The fixture on the virtual engine.</summary>
    protected DdiPathFixture Fixture { get; private set; } = null!;

    /// <summary>The hosts' verifier.</summary>
    [Params(true, false)]
    public bool Verifier { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = new VirtualTimerEngine();
        Fixture = new DdiPathFixture(_engine, Verifier);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Fixture.StopPolls();
        _engine.Dispose();
    }
}
