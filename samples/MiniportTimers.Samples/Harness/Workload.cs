using MiniportTimers.Engine;

namespace MiniportTimers.Samples.Harness;

/// <summary>
/// A sample's own events (the rest of the system acting on the miniport: I/O, power, hot-plug): engine timers at fixed
/// offsets from the run's origin, so the same workload plays on the virtual and the real clock. Its random source is
/// used on the dispatching thread only, which keeps virtual runs deterministic.
/// </summary>
public sealed class Workload
{
    private readonly TimerEngine _engine;

    /// <summary>Creates a workload on <paramref name="engine"/> whose offsets count from <paramref name="originNanoseconds"/>.</summary>
    public Workload(TimerEngine engine, long originNanoseconds, int seed)
    {
        _engine = engine;
        Origin = originNanoseconds;
        Random = new Random(seed);
    }

    /// <summary>Engine time of offset 0, ns.</summary>
    public long Origin { get; }

    /// <summary>The workload's random source (dispatching thread only).</summary>
    public Random Random { get; }

    /// <summary>Runs <paramref name="action"/> at <paramref name="offsetNanoseconds"/> after the origin.</summary>
    public void At(long offsetNanoseconds, Action action) =>
        _engine.Arm(_engine.CreateTimer(static (t, in _) => ((Action)t.State!)(), action), Origin + offsetNanoseconds);

    /// <summary>Runs <paramref name="action"/> <paramref name="delayNanoseconds"/> from now.</summary>
    public void After(long delayNanoseconds, Action action) =>
        _engine.ArmAfter(_engine.CreateTimer(static (t, in _) => ((Action)t.State!)(), action), delayNanoseconds);

    /// <summary>Runs <paramref name="action"/> every period from start + period until end (offsets from the origin).</summary>
    public void Every(long periodNanoseconds, long startNanoseconds, long endNanoseconds, Action<Random> action)
    {
        var timer = _engine.CreateTimer((t, in f) =>
        {
            if (f.DueNanoseconds - Origin > endNanoseconds)
            {
                t.Engine.Cancel(t);
                return;
            }

            action(Random);
        });
        _engine.Arm(timer, Origin + startNanoseconds + periodNanoseconds, 0, periodNanoseconds);
    }
}
