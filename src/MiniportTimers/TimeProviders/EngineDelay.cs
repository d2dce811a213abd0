namespace MiniportTimers.TimeProviders;

/// <summary>
/// The task of <see cref="EngineTimeProvider.Delay"/>: one provider timer completing a task source. On a real engine the
/// continuations run asynchronously (the dispatch thread stays free); on a virtual engine synchronously, inside the
/// advance, which keeps tests deterministic.
/// </summary>
internal sealed class EngineDelay : TaskCompletionSource
{
    private readonly ITimer _timer;
    private readonly CancellationTokenRegistration _registration;

    private EngineDelay(EngineTimeProvider provider, TimeSpan delay, CancellationToken cancellationToken)
        : base(provider.RunCallbacksInline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _timer = provider.CreateTimer(static s => ((EngineDelay)s!).Finish(canceled: false), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _registration = cancellationToken.UnsafeRegister(static (s, token) => ((EngineDelay)s!).Finish(canceled: true, token), this);
        _timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    public static Task Start(EngineTimeProvider provider, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay != Timeout.InfiniteTimeSpan && (delay < TimeSpan.Zero || delay.TotalMilliseconds > 0xFFFFFFFE))
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "Must be between 0 and 4294967294 ms, or Timeout.InfiniteTimeSpan.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        return delay == TimeSpan.Zero ? Task.CompletedTask : new EngineDelay(provider, delay, cancellationToken).Task;
    }

    private void Finish(bool canceled, CancellationToken token = default)
    {
        var done = canceled ? TrySetCanceled(token) : TrySetResult();
        if (done)
        {
            _timer.Dispose();
            _registration.Dispose();
        }
    }
}
