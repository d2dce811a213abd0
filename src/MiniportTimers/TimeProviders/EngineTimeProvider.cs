using MiniportTimers.Engine;

namespace MiniportTimers.TimeProviders;

/// <summary>
/// A <see cref="TimeProvider"/> backed by a <see cref="TimerEngine"/>: timestamps in nanoseconds and timers that honour
/// microsecond due times (Task.Delay, CancellationTokenSource timeouts, PeriodicTimer and Task.WaitAsync all take a
/// TimeProvider). The parameterless constructor runs on its own real-clock engine.
/// </summary>
/// <remarks>
/// A drop-in for <see cref="TimeProvider.System"/>: it passes the runtime's System.Threading.Timer behaviour scenarios
/// beside it (tests/…/TimeProviders/RuntimeTimerScenarioTests). Callbacks: on a real engine they are handed to the thread
/// pool by default, as System.Threading.Timer does, so callbacks of one timer may overlap (a blocked one does not hold
/// up the next period's) and an awaited continuation can never block the engine's dispatch thread (a hop of a few µs).
/// <c>runCallbacksOnDispatchThread: true</c> gives the lowest latency at a price: callbacks run one at a time on the
/// dispatch thread, so a callback that blocks holds up every other timer of this provider (and of anything else on its
/// engine). On a virtual engine callbacks always run synchronously inside the advance. ITimer.DisposeAsync completes
/// once no callback of the timer runs any more, in both modes. Thread safety: all members are thread-safe.
/// Lifetime: there is no finalizer; a provider that owns its engine and is never disposed keeps the engine's dispatch
/// thread and OS timer until the process exits. After Dispose, CreateTimer throws <see cref="ObjectDisposedException"/>;
/// disposing or changing a timer it made stays safe.
/// </remarks>
public class EngineTimeProvider : TimeProvider, IDisposable
{
    private readonly bool _ownsEngine;

    /// <summary>A provider on a new real-clock engine that it owns (disposed with it).</summary>
    public EngineTimeProvider()
        : this(new RealTimeTimerEngine("EngineTimeProvider dispatcher"), ownsEngine: true)
    {
    }

    /// <summary>A provider on <paramref name="engine"/>.</summary>
    /// <param name="engine">The engine whose clock and timers the provider uses.</param>
    /// <param name="ownsEngine">True to dispose the engine with the provider.</param>
    /// <param name="runCallbacksOnDispatchThread">True to run timer callbacks on the engine's dispatch thread instead of the thread pool (real engines only).</param>
    public EngineTimeProvider(TimerEngine engine, bool ownsEngine = false, bool runCallbacksOnDispatchThread = false)
    {
        ArgumentNullException.ThrowIfNull(engine);
        Engine = engine;
        _ownsEngine = ownsEngine;
        RunCallbacksInline = runCallbacksOnDispatchThread || engine.IsVirtual;
    }

    /// <summary>The engine behind the provider.</summary>
    public TimerEngine Engine { get; }

    internal bool RunCallbacksInline { get; }

    /// <summary>
    /// True to hand out timers that stop once nobody references them (<see cref="EngineProviderTimerHandle"/>, whose
    /// finalizer disposes the timer): FakeTimeProvider's rule, for <see cref="VirtualTimeProvider"/>. False (here): an
    /// armed timer nobody references keeps firing, as TimeProvider.System's does.
    /// </summary>
    private protected virtual bool TimersStopWhenCollected => false;

    /// <summary>1 000 000 000: timestamps are engine nanoseconds.</summary>
    public override long TimestampFrequency => TimeUnits.NanosecondsPerSecond;

    /// <summary>The engine clock, ns.</summary>
    public override long GetTimestamp() => Engine.NowNanoseconds;

    /// <summary>The wall clock (the system's, for a real engine).</summary>
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow();

    /// <summary>
    /// Creates a timer on the engine (TimeProvider.CreateTimer contract): <paramref name="dueTime"/> and
    /// <paramref name="period"/> are 0 to 4 294 967 294 ms or <see cref="Timeout.InfiniteTimeSpan"/>, checked on their
    /// whole milliseconds as System.Threading.Timer checks them (-0.5 ms is 0, -1.5 ms is infinite, -2 ms is rejected)
    /// while the value keeps its sub-millisecond precision; a period of 0 or infinite means one-shot. A due time of 0 runs
    /// the callback at once (before this returns on a virtual engine). Change and Dispose are legal inside the callback;
    /// Change after Dispose returns false. An idle timer that nobody references is collected. An armed one keeps firing
    /// until it is disposed, as TimeProvider.System's timers do (the engine references it while it is armed); on a
    /// <see cref="VirtualTimeProvider"/> it stops once collected, as FakeTimeProvider's do.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A time is negative (other than infinite) or too large; the parameter is named.</exception>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new EngineProviderTimer(this, callback, state, dueTime, period);
        return TimersStopWhenCollected ? new EngineProviderTimerHandle(timer) : timer;
    }

    /// <summary>
    /// A delay with the engine's precision. Use it for sub-millisecond delays: the runtime's
    /// <c>Task.Delay(TimeSpan, TimeProvider)</c> truncates its delay to whole milliseconds before it reaches the provider
    /// (a 200 µs delay becomes 0).
    /// </summary>
    /// <param name="delay">0 to 4 294 967 294 ms (any sub-ms precision), or <see cref="Timeout.InfiniteTimeSpan"/>.</param>
    /// <param name="cancellationToken">Cancels the delay (the task ends canceled).</param>
    /// <returns>A task that completes once <paramref name="delay"/> has passed on this provider's clock.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is out of range.</exception>
    public Task Delay(TimeSpan delay, CancellationToken cancellationToken = default) =>
        EngineDelay.Start(this, delay, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the engine if the provider owns it.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && _ownsEngine)
        {
            Engine.Dispose();
        }
    }
}
