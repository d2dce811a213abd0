namespace MiniportTimers.Engine;

/// <summary>The timer <see cref="TimerEngine.CreateTimer"/> returns: a delegate and a state object (the KDPC's
/// DeferredRoutine and DeferredContext, 16 bytes on top of the 56-byte <see cref="EngineTimer"/>).</summary>
internal class DelegateEngineTimer : EngineTimer
{
    private readonly EngineTimerCallback _callback;
    private readonly object? _state;

    internal DelegateEngineTimer(TimerEngine engine, EngineTimerCallback callback, object? state)
        : base(engine)
    {
        _callback = callback;
        _state = state;
    }

    /// <inheritdoc />
    public sealed override object? State => _state;

    /// <summary>The callback the timer runs (for reports: <see cref="CallbackNames"/>).</summary>
    internal EngineTimerCallback Callback => _callback;

    /// <summary>The delegate: invoking it reads its target and method pointer, a cache line of its own object.</summary>
    internal sealed override void PrefetchCallback() => Queue.Prefetch.Object(_callback);

    /// <inheritdoc />
    protected internal sealed override void OnFired(in TimerFiring firing) => _callback(this, firing);
}
