using MiniportTimers.Devices.Interrupts;
using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Devices.Interrupts;

/// <summary>
/// A device's level-triggered line (Devices/Interrupts/LineInterrupt): one delivery per rising edge, on the engine's
/// dispatcher and never inside the call that raised it; nothing for an edge that fell again before delivery or that rose
/// with no handler connected.
/// </summary>
public sealed class LineInterruptTests : IDisposable
{
    private readonly VirtualTimerEngine _engine = new();

    public void Dispose() => _engine.Dispose();

    [Fact]
    public void ARisingEdge_IsDeliveredOnceOnTheDispatcher_NotInsideTheCallThatRaisedIt()
    {
        var line = new LineInterrupt(_engine);
        var delivered = 0;
        line.Connect(() => delivered++);

        line.SetLevel(true);
        Assert.Equal((true, 1L, 0), (line.IsAsserted, line.RisingEdges, delivered)); // not yet: through an engine timer
        _engine.AdvanceBy(0);
        Assert.Equal((1, 1L), (delivered, line.Deliveries));

        line.SetLevel(true); // still asserted: no new edge
        _engine.AdvanceBy(0);
        Assert.Equal((1, 1L), (delivered, line.RisingEdges));

        line.SetLevel(false);
        line.SetLevel(true);
        _engine.AdvanceBy(0);
        Assert.Equal((2, 2L), (delivered, line.RisingEdges));
    }

    [Fact]
    public void AnEdgeThatFellBeforeDelivery_OrRoseWithNothingConnected_IsNotDelivered()
    {
        var line = new LineInterrupt(_engine);
        var delivered = 0;
        line.Connect(() => delivered++);
        line.SetLevel(true);
        line.SetLevel(false);
        _engine.AdvanceBy(0);
        Assert.Equal((0, 1L, 0L), (delivered, line.RisingEdges, line.Deliveries));

        line.Connect(null);
        line.SetLevel(true);
        _engine.AdvanceBy(0);
        line.Connect(() => delivered++);
        _engine.AdvanceBy(1_000_000);
        Assert.Equal(0, delivered); // not delivered later
        Assert.True(line.IsAsserted); // the level is still visible
    }
}
