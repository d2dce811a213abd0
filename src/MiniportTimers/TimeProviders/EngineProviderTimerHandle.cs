namespace MiniportTimers.TimeProviders;

/// <summary>
/// The <see cref="ITimer"/> a <see cref="VirtualTimeProvider"/> hands out: the user's reference to an
/// <see cref="EngineProviderTimer"/>, which the engine never references. When the user drops it without Dispose, it is
/// collected and its finalizer disposes the timer, so it stops firing, as FakeTimeProvider drops a collected timer (and
/// as a System.Threading.Timer nobody references stops; TimeProvider.System's timers do not, and neither do
/// EngineTimeProvider's). A callback or state that references the handle keeps it, and the timer, alive.
/// </summary>
/// <remarks>Thread safety: as <see cref="EngineProviderTimer"/>; the finalizer runs on the finalizer thread and only
/// disposes (lock-free cancel on the engine).</remarks>
internal sealed class EngineProviderTimerHandle : ITimer
{
    private readonly EngineProviderTimer _timer;

    public EngineProviderTimerHandle(EngineProviderTimer timer) => _timer = timer;

    /// <summary>Collected without Dispose: the timer stops (nothing else is released here; no callback runs).</summary>
    ~EngineProviderTimerHandle() => _timer.Dispose();

    public bool Change(TimeSpan dueTime, TimeSpan period) => _timer.Change(dueTime, period);

    public void Dispose()
    {
        _timer.Dispose();
        GC.SuppressFinalize(this);
    }

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return _timer.DisposeAsync();
    }
}
