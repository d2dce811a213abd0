using BenchmarkDotNet.Attributes;
using MiniportTimers.Engine;

namespace MiniportTimers.Benchmarks;

/// <summary>
/// Per-operation costs, side by side with System.Threading.Timer: an arm+cancel pair on an existing timer (with 0 and
/// 1,000,000 other timers pending), and create+free.
/// </summary>
[MemoryDiagnoser]
public class ArmCancelBenchmarks
{
    private static readonly EngineTimerCallback EngineNop = (_, in _) => { };
    private static readonly TimerCallback Nop = _ => { };

    private RealTimeTimerEngine _engine = null!;
    private EngineTimer _timer = null!;
    private Timer _systemTimer = null!;
    private List<EngineTimer> _others = [];
    private long _due;

    /// <summary>Other timers pending while measuring.</summary>
    [Params(0, 1_000_000)]
    public int Pending { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = new RealTimeTimerEngine("benchmark");
        _timer = _engine.CreateTimer(EngineNop);
        _due = _engine.NowNanoseconds + (3_600L * TimeUnits.NanosecondsPerSecond);
        _others = [.. Enumerable.Range(0, Pending).Select(i =>
        {
            var t = _engine.CreateTimer(EngineNop);
            _engine.Arm(t, _due + i);
            return t;
        })];
        _engine.FlushDispatched();
        _systemTimer = new Timer(Nop, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _systemTimer.Dispose();
        _engine.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Timer.Change(1 h) + Change(Infinite)")]
    public void SystemTimerChangePair()
    {
        _systemTimer.Change(TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        _systemTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    [Benchmark(Description = "engine Arm + Cancel")]
    public bool EngineArmCancelPair()
    {
        _engine.Arm(_timer, _due);
        return _engine.Cancel(_timer);
    }

    [Benchmark(Description = "new Timer(1 h) + Dispose")]
    public void SystemTimerCreateFree() => new Timer(Nop, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan).Dispose();

    [Benchmark(Description = "engine CreateTimer + Arm + Cancel")]
    public bool EngineCreateFree()
    {
        var t = _engine.CreateTimer(EngineNop);
        _engine.Arm(t, _due);
        return _engine.Cancel(t);
    }

    [Benchmark(Description = "engine new subclass + Arm + Cancel")]
    public bool EngineSubclassCreateFree()
    {
        var t = new NopTimer(_engine);
        _engine.Arm(t, _due);
        return _engine.Cancel(t);
    }

    [Benchmark(Description = "engine CreateTimer + ArmAfter(1 h) + Cancel (reads the ns clock)")]
    public bool EngineCreateArmAfterFree()
    {
        var t = _engine.CreateTimer(EngineNop);
        _engine.ArmAfter(t, 3_600L * TimeUnits.NanosecondsPerSecond);
        return _engine.Cancel(t);
    }

    /// <summary>The smallest timer: a subclass with no fields of its own (64 bytes).</summary>
    private sealed class NopTimer(TimerEngine engine) : EngineTimer(engine)
    {
        protected override void OnFired(in TimerFiring firing)
        {
        }
    }
}
