using CsCheck;
using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>
/// The tolerance a timer keeps in its 16-bit arm code (ArmCode): rounded down to m × 10^e ns, round decimals exact, so a
/// deadline is never later than asked; and what the engine does with it (no parameter block for a tolerant one-shot on
/// a real engine, deadlines made of the rounded tolerance, a period still read from the block).
/// </summary>
public class ArmCodeTests
{
    private const long Us = TimeUnits.NanosecondsPerMicrosecond;
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private const long S = TimeUnits.NanosecondsPerSecond;

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(2_047L)]
    [InlineData(2_050L)]
    [InlineData(100L * 1_234)] // 100 ns units (NDIS 6, KeSetCoalescableTimer's 100 ns due times)
    [InlineData(Us)]
    [InlineData(1_999 * Us)]
    [InlineData(2_500 * Us)]
    [InlineData(Ms)]
    [InlineData(15 * Ms)]
    [InlineData(S)]
    [InlineData(60 * S)]
    [InlineData(3_600 * S)]
    public void RoundDecimals_AreKeptExactly(long toleranceNanoseconds) =>
        Assert.Equal(toleranceNanoseconds, ArmCode.Round(toleranceNanoseconds));

    [Theory]
    [InlineData(2_048L, 2_040L)]
    [InlineData(1_234_567L, 1_234_000L)]
    [InlineData(20_479L, 20_470L)]
    [InlineData(20_480L, 20_400L)]
    [InlineData(2_501 * Us, 2_500 * Us)]
    [InlineData(TimerEngine.MaxTimeNanoseconds, ArmCode.MaxToleranceNanoseconds)]
    public void OtherTolerances_AreRoundedDown(long toleranceNanoseconds, long kept) =>
        Assert.Equal(kept, ArmCode.Round(toleranceNanoseconds));

    [Fact]
    public void AnyTolerance_IsKeptAtMostAsked_AndLosesLessThanHalfAPercent_AndThePeriodicBitIsIndependent()
    {
        var tolerance = Gen.Frequency(
            (1, Gen.Long[0, 5_000]),
            (4, Gen.Long[0, TimerEngine.MaxTimeNanoseconds]),
            (4, Gen.Int[0, 62].SelectMany(bits => Gen.Long[0, (1L << bits) - 1].Select(v => Math.Min(v + (1L << bits), TimerEngine.MaxTimeNanoseconds)))));
        Gen.Select(tolerance, Gen.Bool).Sample((asked, periodic) =>
        {
            var code = ArmCode.Encode(asked, periodic);
            var kept = ArmCode.ToleranceNanoseconds(code);
            Assert.Equal(periodic, ArmCode.IsPeriodic(code));
            Assert.Equal(kept, ArmCode.ToleranceNanoseconds(ArmCode.Encode(asked, !periodic)));
            Assert.InRange(kept, 0, asked);
            if (asked <= ArmCode.MaxMantissa)
            {
                Assert.Equal(asked, kept);
            }
            else if (asked <= ArmCode.MaxToleranceNanoseconds)
            {
                Assert.True((asked - kept) * 200 < asked, $"{asked} ns kept as {kept}: more than 0.5 % lost");
            }
            else
            {
                Assert.Equal(ArmCode.MaxToleranceNanoseconds, kept);
            }

            Assert.Equal(kept, ArmCode.ToleranceNanoseconds(ArmCode.Encode(kept, periodic))); // what is kept is kept again (2,048 keeps 204 × 10, which encodes as 2,040 × 1: the same value)
        });
    }

    [Fact]
    public void EveryToleranceUpTo300Microseconds_IsKeptAtMostAsked_AndKeptAgainAsItIs()
    {
        // Exhaustive over the first three exponents' ranges, where a rounded value may fall back below a boundary (2,048
        // keeps 2,040 = 204 × 10, whose own code is 2,040 × 1): the value is what must be stable, not the code.
        for (long asked = 0; asked <= 300_000; asked++)
        {
            var kept = ArmCode.Round(asked);
            var lostHalfAPercent = asked > ArmCode.MaxMantissa && (asked - kept) * 200 >= asked;
            if (kept > asked || lostHalfAPercent || ArmCode.Round(kept) != kept)
            {
                Assert.Fail($"{asked} ns kept as {kept}, then as {ArmCode.Round(kept)}");
            }
        }
    }

    [Fact]
    public void ATolerantOneShot_OnARealEngine_HasNoParameterBlock_AndItsFirstArmingAllocatesNothing()
    {
        using var engine = new NoDispatcherEngine();
        engine.Arm(engine.CreateTimer(static (_, in _) => { }), Ms, toleranceNanoseconds: Ms); // the engine's first arming (its counters, the record of writes)
        var timer = engine.CreateTimer(static (_, in _) => { });
        var before = GC.GetAllocatedBytesForCurrentThread();
        engine.Arm(timer, 5 * Ms, toleranceNanoseconds: Ms);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Same(engine, timer.Owner);
        Assert.Equal(0, allocated);

        engine.Arm(timer, 5 * Ms, toleranceNanoseconds: Ms, periodNanoseconds: 10 * Ms); // a period needs the block
        var parameters = Assert.IsType<ArmParameters>(timer.Owner);
        Assert.Equal(10 * Ms, parameters.PeriodNanoseconds);
        Assert.Same(engine, timer.Engine);
    }

    [Fact]
    public void TheWakeUpAnArmProgrammes_IsTheDueTimePlusTheToleranceAsKept()
    {
        using var engine = new NoDispatcherEngine();
        engine.Arm(engine.CreateTimer(static (_, in _) => { }), 5 * Ms, toleranceNanoseconds: 1_234_567);
        Assert.Equal([(5 * Ms) + 1_234_000], engine.Writes);
    }

    [Fact]
    public void TheDispatchersDeadline_IsTheDueTimePlusTheToleranceAsKept_ForOneShotsAndEachPeriod()
    {
        using var engine = new VirtualTimerEngine();
        engine.Arm(engine.CreateTimer(static (_, in _) => { }), 5 * Ms, toleranceNanoseconds: 1_234_567);
        Assert.Equal((5 * Ms) + 1_234_000, engine.EarliestDeadlineAsARealDispatcherAt(0));

        using var periodicEngine = new VirtualTimerEngine();
        var fires = new List<long>();
        periodicEngine.Arm(periodicEngine.CreateTimer((_, in f) => fires.Add(f.DueNanoseconds)), 5 * Ms, toleranceNanoseconds: 2_000_999, periodNanoseconds: 10 * Ms);
        Assert.Equal(7 * Ms, periodicEngine.EarliestDeadlineAsARealDispatcherAt(0));
        periodicEngine.AdvanceTo((7 * Ms) - 1);
        Assert.Empty(fires); // a virtual advance wakes as a real dispatcher would: at the deadline, not before
        periodicEngine.AdvanceTo(7 * Ms);
        Assert.Equal([5 * Ms], fires);
        Assert.Equal(17 * Ms, periodicEngine.EarliestDeadlineAsARealDispatcherAt(7 * Ms)); // re-keyed at 15 ms, the same tolerance
    }

    [Fact]
    public void APeriodicTimer_ArmedAgainAsATolerantOneShot_OnTheRealClock_FiresOnce()
    {
        // On a real engine a one-shot arming leaves the block's period as it was: the arm code's periodic bit alone says
        // whether the dispatcher reads it.
        using var engine = new RealTimeTimerEngine("arm code test");
        var fires = 0;
        using var periodicFired = new ManualResetEventSlim();
        using var oneShotFired = new ManualResetEventSlim();
        var oneShot = false;
        var timer = engine.CreateTimer((_, in _) =>
        {
            Interlocked.Increment(ref fires);
            (Volatile.Read(ref oneShot) ? oneShotFired : periodicFired).Set();
        });
        engine.ArmAfter(timer, Ms, periodNanoseconds: Ms);
        Assert.True(periodicFired.Wait(TimeSpan.FromSeconds(10)));
        engine.Cancel(timer);
        engine.FlushDispatched(); // a fire the cancel raced has finished: the count below is settled
        Volatile.Write(ref oneShot, true);
        var before = Volatile.Read(ref fires);
        engine.ArmAfter(timer, Ms, toleranceNanoseconds: Ms);
        Assert.True(oneShotFired.Wait(TimeSpan.FromSeconds(10)));
        Thread.Sleep(50); // fifty periods of the old arming
        Assert.Equal(before + 1, Volatile.Read(ref fires));
        Assert.False(timer.IsPending);
    }

    /// <summary>A real (not virtual) engine with no dispatcher: it records the wake-ups that arming threads programme.</summary>
    private sealed class NoDispatcherEngine : TimerEngine
    {
        public List<long> Writes { get; } = [];

        public override long NowNanoseconds => 0;

        public override bool IsVirtual => false;

        public override void FlushDispatched()
        {
        }

        internal override void OnEarliestDeadlineLowered(DispatchQueue queue, long deadlineNanoseconds) => Writes.Add(deadlineNanoseconds);
    }
}
