using MiniportTimers.Engine;

namespace MiniportTimers.Devices.Interrupts;

/// <summary>
/// A device's level-triggered interrupt line (PCI INTx#): asserted while the device has an enabled interrupt pending,
/// deasserted when the driver has cleared it. The host connects a handler (later Storport routes it to the miniport's
/// HwInterrupt at DIRQL); the handler is called when the line rises.
/// </summary>
/// <remarks>
/// <para>Delivery: a rising edge is delivered through an engine timer due at once, so the handler never runs inside the
/// register access (or device event) that raised the line, and never under a device lock. It runs on the engine's
/// dispatcher: inside <see cref="VirtualTimerEngine.AdvanceBy(long)"/> on a virtual clock (an advance by 0 delivers a
/// pending edge), on the dispatch thread on a real one. If the line has fallen again by then, nothing is delivered.</para>
/// <para>Level semantics: one delivery per rising edge. A handler that returns with the line still asserted (it did
/// not clear everything) gets no new edge; a host that re-runs its interrupt service routine while
/// <see cref="IsAsserted"/> stays true behaves as a level-triggered interrupt controller does.</para>
/// <para>Thread safety: every member is thread-safe.</para>
/// </remarks>
public sealed class LineInterrupt
{
    private readonly TimerEngine _engine;
    private readonly EngineTimer _delivery;
    private Action? _handler;
    private int _asserted;
    private long _risingEdges;
    private long _deliveries;

    /// <summary>Creates a deasserted line whose edges are delivered on <paramref name="engine"/>.</summary>
    /// <param name="engine">The host's engine (its clock is the device's clock).</param>
    /// <exception cref="ArgumentNullException"><paramref name="engine"/> is null.</exception>
    internal LineInterrupt(TimerEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _delivery = engine.CreateTimer(static (timer, in _) => ((LineInterrupt)timer.State!).Deliver(), this);
    }

    /// <summary>True while the line is asserted.</summary>
    public bool IsAsserted => Volatile.Read(ref _asserted) != 0;

    /// <summary>How many times the line rose (deasserted to asserted).</summary>
    public long RisingEdges => Interlocked.Read(ref _risingEdges);

    /// <summary>How many times the handler was called.</summary>
    public long Deliveries => Interlocked.Read(ref _deliveries);

    /// <summary>
    /// Connects the host's handler, replacing any earlier one; null disconnects. An edge that rises while nothing is
    /// connected is not delivered later (a level still asserted is visible in <see cref="IsAsserted"/>).
    /// </summary>
    /// <param name="handler">Called on the engine's dispatcher for each delivered rising edge; exceptions it throws are the engine's to report (<see cref="TimerEngine.CallbackFaulted"/>).</param>
    public void Connect(Action? handler) => Volatile.Write(ref _handler, handler);

    /// <summary>The device sets the line's level (under its own lock: this only arms the delivery timer, which is lock-free and calls nothing).</summary>
    internal void SetLevel(bool asserted)
    {
        var now = asserted ? 1 : 0;
        if (Interlocked.Exchange(ref _asserted, now) == now || !asserted)
        {
            return;
        }

        Interlocked.Increment(ref _risingEdges);
        try
        {
            _engine.Arm(_delivery, _engine.NowNanoseconds);
        }
        catch (ObjectDisposedException)
        {
            // The host's engine is gone: nothing is delivered any more, as after a host shuts down.
        }
    }

    private void Deliver()
    {
        if (!IsAsserted || Volatile.Read(ref _handler) is not { } handler)
        {
            return;
        }

        Interlocked.Increment(ref _deliveries);
        handler();
    }
}
