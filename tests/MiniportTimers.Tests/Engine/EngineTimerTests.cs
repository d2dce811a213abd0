using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

public class EngineTimerTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public void Subclass_FiresThroughOnFired_WithItsEngineAndNoState()
    {
        var engine = new VirtualTimerEngine();
        var timer = new CountingTimer(engine);
        engine.Arm(timer, 3 * Ms, toleranceNanoseconds: Ms, periodNanoseconds: 10 * Ms);
        engine.AdvanceTo(25 * Ms);
        Assert.Equal([3 * Ms, 13 * Ms, 23 * Ms], timer.Dues);
        Assert.Same(engine, timer.Engine); // still named after the parameter block replaced the engine reference
        Assert.Null(timer.State);
    }

    [Fact]
    public void Subclass_OnTheRealClock_Fires()
    {
        using var engine = new RealTimeTimerEngine("subclass test");
        var timer = new CountingTimer(engine);
        engine.ArmAfter(timer, Ms);
        Assert.True(timer.Fired.Wait(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Constructor_NullEngine_Throws() =>
        Assert.Throws<ArgumentNullException>(() => new CountingTimer(null!));

    [Fact]
    public void Arm_TimerOfAnotherEngine_ThrowsAlsoOnceItHasParameters()
    {
        var mine = new VirtualTimerEngine();
        var other = new VirtualTimerEngine();
        var timer = new CountingTimer(mine);
        Assert.Throws<ArgumentException>(() => other.Arm(timer, Ms));
        mine.Arm(timer, Ms, toleranceNanoseconds: Ms);
        Assert.Throws<ArgumentException>(() => other.Arm(timer, Ms));
        Assert.True(timer.IsPending); // the refused arming changed nothing
    }

    [Fact]
    public void Layout_SubclassIs56Bytes_DelegateTimer72()
    {
        // A KTIMER is 64 bytes: the timer's 56 and the 8-byte reference its wheel bucket holds while it is filed there
        // (the timer keeps its bucket in 2 bytes and its index in 4, and its arming's tolerance in a 2-byte arm code).
        var engine = new VirtualTimerEngine();
        static long BytesPerObject(Func<object> create)
        {
            var keep = new object[1_000];
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < keep.Length; i++)
            {
                keep[i] = create();
            }

            return (GC.GetAllocatedBytesForCurrentThread() - before) / keep.Length;
        }

        Assert.Equal(56, BytesPerObject(() => new BareTimer(engine)));
        Assert.Equal(72, BytesPerObject(() => engine.CreateTimer(static (_, in _) => { })));
    }

    private sealed class BareTimer(TimerEngine engine) : EngineTimer(engine)
    {
        protected internal override void OnFired(in TimerFiring firing)
        {
        }
    }

    private sealed class CountingTimer(TimerEngine engine) : EngineTimer(engine)
    {
        public List<long> Dues { get; } = [];

        public ManualResetEventSlim Fired { get; } = new();

        // "protected internal" here only because this test assembly sees the library's internals; elsewhere "protected".
        protected internal override void OnFired(in TimerFiring firing)
        {
            Dues.Add(firing.DueNanoseconds);
            Fired.Set();
        }
    }
}
