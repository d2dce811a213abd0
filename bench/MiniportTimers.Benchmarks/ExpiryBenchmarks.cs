using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using MiniportTimers.Engine;

namespace MiniportTimers.Benchmarks;

/// <summary>
/// Expiry cost (issue 15), per expiry, with 10,000 and 1,000,000 pending: one virtual AdvanceTo over N one-shots with
/// random due times in 100 ms (filing, cascading and firing, empty callbacks), and the real engine firing N one-shots all
/// already due (the time until the last callback ran). The arming is in the iteration setup, not measured.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5, invocationCount: 1)]
public class ExpiryBenchmarks
{
    private const long WindowNanoseconds = 100 * TimeUnits.NanosecondsPerMillisecond;

    private VirtualTimerEngine _virtual = null!;
    private RealTimeTimerEngine _real = null!;
    private EngineTimer[] _realTimers = [];
    private long _fired;

    /// <summary>Timers pending when the expiries start.</summary>
    [Params(10_000, 1_000_000)]
    public int Pending { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _real = new RealTimeTimerEngine("benchmark expiry");
        _realTimers = [.. Enumerable.Range(0, Pending).Select(_ => _real.CreateTimer((_, in _) => Interlocked.Increment(ref _fired)))];
    }

    [GlobalCleanup]
    public void Cleanup() => _real.Dispose();

    [IterationSetup(Target = nameof(VirtualAdvanceTo))]
    public void ArmVirtual()
    {
        _virtual = new VirtualTimerEngine();
        var rng = new Random(15);
        for (var i = 0; i < Pending; i++)
        {
            _virtual.Arm(_virtual.CreateTimer(static (_, in _) => { }), 1 + (long)(rng.NextDouble() * WindowNanoseconds));
        }
    }

    [IterationCleanup(Target = nameof(VirtualAdvanceTo))]
    public void DisposeVirtual() => _virtual.Dispose();

    [Benchmark(Description = "virtual AdvanceTo over all N (divide by N)")]
    public int VirtualAdvanceTo() => _virtual.AdvanceTo(WindowNanoseconds + 1);

    [IterationSetup(Target = nameof(RealBurst))]
    public void ArmReal()
    {
        // Due in 1 s, in random order, so that the dispatcher has filed them all before they come due.
        _fired = 0;
        var rng = new Random(15);
        var at = _real.NowNanoseconds + TimeUnits.NanosecondsPerSecond;
        foreach (var t in _realTimers)
        {
            _real.Arm(t, at + rng.Next(1_000));
        }

        while (_real.NowNanoseconds < at)
        {
            Thread.Sleep(1);
        }
    }

    [Benchmark(Description = "real engine, N due at once: until the last callback (divide by N)")]
    public long RealBurst()
    {
        var spin = default(SpinWait);
        while (Volatile.Read(ref _fired) < Pending)
        {
            spin.SpinOnce(-1);
        }

        return _fired;
    }
}
