using MiniportTimers.Devices.Timing;
using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Devices.Timing;

/// <summary>
/// A device's own delay (Devices/Timing/DeviceTimer): fires once at its due time under the device's lock; a re-arm
/// replaces the due time; a cancel drops it; a delay past the engine's range saturates.
/// </summary>
public sealed class DeviceTimerTests : IDisposable
{
    private readonly VirtualTimerEngine _engine = new();
    private readonly object _gate = new();

    public void Dispose() => _engine.Dispose();

    [Fact]
    public void FiresOnceAtItsDueTime_UnderTheDevicesLock()
    {
        var fired = new List<(long At, bool Locked)>();
        var timer = new DeviceTimer(_engine, _gate, () => fired.Add((_engine.NowNanoseconds, Monitor.IsEntered(_gate))));
        lock (_gate)
        {
            timer.ArmAfter(5_000);
            Assert.Equal((true, 5_000L), (timer.IsArmed, timer.DueNanoseconds));
        }

        _engine.AdvanceBy(4_999);
        Assert.Empty(fired);
        _engine.AdvanceBy(1_000_000);
        Assert.Equal([(5_000L, true)], fired);
        Assert.Equal((false, -1L), (timer.IsArmed, timer.DueNanoseconds));
    }

    [Fact]
    public void AReArmReplacesTheDueTime_ACancelDropsIt_AHugeDelaySaturates()
    {
        var fired = new List<long>();
        var timer = new DeviceTimer(_engine, _gate, () => fired.Add(_engine.NowNanoseconds));
        lock (_gate)
        {
            timer.ArmAfter(5_000);
            timer.ArmAfter(8_000);
        }

        _engine.AdvanceBy(10_000);
        Assert.Equal([8_000L], fired);

        lock (_gate)
        {
            timer.ArmAfter(1_000);
            timer.Cancel();
        }

        _engine.AdvanceBy(10_000);
        Assert.Equal([8_000L], fired);

        lock (_gate)
        {
            timer.ArmAfter(long.MaxValue);
            Assert.Equal(TimerEngine.MaxTimeNanoseconds, timer.DueNanoseconds);
            timer.ArmAfter(-5); // a negative delay is now
            Assert.Equal(_engine.NowNanoseconds, timer.DueNanoseconds);
        }
    }
}
