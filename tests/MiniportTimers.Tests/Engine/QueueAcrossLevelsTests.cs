using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>
/// The engine's queue (wheel + near heaps) against a sorted reference, with due times from nanoseconds to decades so
/// every wheel level and every cascade is exercised, with cancels, re-arms and periodic timers, from a clock origin
/// near 0 and from one far along (large ticks).
/// </summary>
public class QueueAcrossLevelsTests
{
    [Theory]
    [InlineData(1, 0L)]
    [InlineData(2, 1L << 50)]
    [InlineData(3, TimerEngine.MaxTimeNanoseconds / 2)]
    public void RandomArmingsAcrossAllLevels_FireInDueThenArmOrder_AtTheirDueTimes(int seed, long origin)
    {
        var rng = new Random(seed);
        var engine = new VirtualTimerEngine();
        engine.AdvanceTo(origin);
        var fired = new List<(int Id, long Due, long FiredAt)>();
        var timers = Enumerable.Range(0, 3_000)
            .Select(i => engine.CreateTimer((t, in f) => fired.Add(((int)t.State!, f.DueNanoseconds, f.FiredAtNanoseconds)), i))
            .ToArray();
        var expected = new Dictionary<int, (long Due, long Ticket)>();
        long ticket = 0;
        long Delay() => Math.Min(TimerEngine.MaxTimeNanoseconds / 4, (long)Math.Pow(2, rng.NextDouble() * 58));

        for (var i = 0; i < timers.Length; i++)
        {
            var due = origin + Delay();
            engine.Arm(timers[i], due);
            expected[i] = (due, ++ticket);
        }

        // Interleave clock moves with cancels and re-arms; everything due by each step fires in order.
        var horizon = origin;
        for (var step = 0; step < 40; step++)
        {
            for (var k = 0; k < 100; k++)
            {
                var id = rng.Next(timers.Length);
                if (rng.Next(3) == 0)
                {
                    engine.Cancel(timers[id]);
                    expected.Remove(id);
                }
                else
                {
                    var due = engine.NowNanoseconds + Delay();
                    engine.Arm(timers[id], due);
                    expected[id] = (due, ++ticket);
                }
            }

            horizon = Math.Min(TimerEngine.MaxTimeNanoseconds, horizon + (long)Math.Pow(2, 10 + step));
            fired.Clear();
            engine.AdvanceTo(horizon);
            var came = expected.Where(e => e.Value.Due <= horizon).OrderBy(e => e.Value.Due).ThenBy(e => e.Value.Ticket).ToList();
            Assert.Equal(came.Select(e => (e.Key, e.Value.Due, e.Value.Due)), fired);
            came.ForEach(e => expected.Remove(e.Key));
            Assert.Equal(expected.Count, engine.PendingCount);
        }
    }

    [Theory]
    [InlineData(1_000L)]
    [InlineData(70_000L)]
    [InlineData(5_000_000L)]
    [InlineData(300_000_000L)]
    [InlineData(20_000_000_000L)]
    [InlineData(1_000_000_000_000_000L)]
    public void PeriodicTimer_KeepsItsPhaseThroughCascades_BesideOneShotsOfEveryScale(long period)
    {
        var engine = new VirtualTimerEngine();
        var dues = new List<long>();
        var noise = new Random(4);
        for (var i = 0; i < 200; i++)
        {
            engine.Arm(engine.CreateTimer((_, in _) => { }), (long)Math.Pow(2, noise.NextDouble() * 60));
        }

        engine.Arm(engine.CreateTimer((_, in f) => dues.Add(f.DueNanoseconds)), period + 3, periodNanoseconds: period);
        engine.AdvanceTo(2_000 * period);
        Assert.Equal(Enumerable.Range(0, 1_999).Select(k => 3 + ((k + 1) * period)), dues);
    }
}
