using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>
/// A pull of a wheel bucket of level 1 or above may stop between chunks when a near timer is due now and before the
/// pulled bucket's start, and resume after it (DispatchQueue "A pull that yields"). A real dispatcher's pulls yield; here
/// a virtual engine is told to (YieldPulls), and an arming made from inside the pull (PullChunkHook) is the due work, so
/// every step is on the virtual clock.
/// </summary>
public class PullYieldTests
{
    private const long Second = TimeUnits.NanosecondsPerSecond;

    [Fact]
    public void ATimerDueWhileAFarBucketIsPulled_FiresMidPull_AndThePulledTimersStillFireInDueOrder_CancelsAndReArmsHonoured()
    {
        using var engine = new VirtualTimerEngine();
        var queue = engine.QueueForTests;
        queue.YieldPulls = true;
        const int Far = 2_000;
        var log = new List<(int Index, long Due, long At)>();
        var far = new EngineTimer[Far];
        for (var i = 0; i < Far; i++)
        {
            var index = i;
            far[i] = engine.CreateTimer((_, in f) => log.Add((index, f.DueNanoseconds, f.FiredAtNanoseconds)));
            engine.Arm(far[i], (10 * Second) + (i * 1_000)); // one level-2 bucket: its pull files them a level down
        }

        var pendingAtTheNearFire = false;
        var takenAtTheNearFire = -1;
        var near = engine.CreateTimer((_, in f) =>
        {
            pendingAtTheNearFire = queue.PullPending;
            takenAtTheNearFire = queue.PulledTaken;
            log.Add((-1, f.DueNanoseconds, f.FiredAtNanoseconds));
        });
        var chunks = 0;
        queue.PullChunkHook = () =>
        {
            if (++chunks == 2)
            {
                // Mid-pull: the first chunk is filed, the rest still in the pull array.
                engine.Arm(near, 0); // due now, long before the pulled bucket's start: the pull must yield to it
                engine.Cancel(far[1_500]); // in the pull array, not yet taken: taken out of it
                engine.Arm(far[1_600], (10 * Second) + 500); // the same, re-armed to between #0 and #1
            }
        };

        engine.AdvanceBy(0);
        Assert.True(pendingAtTheNearFire, "the near timer fired after the pull ended, not in the middle of it");
        Assert.InRange(takenAtTheNearFire, 1, Far - 1);
        Assert.Equal([(-1, 0L, 0L)], log);
        queue.PullChunkHook = null;

        engine.AdvanceTo(11 * Second);
        Assert.False(queue.PullPending);
        var farFires = log.Skip(1).ToList();
        var expected = Enumerable.Range(0, Far).Where(i => i != 1_500 && i != 1_600)
            .Select(i => (Index: i, Due: (10 * Second) + (i * 1_000)))
            .Append((Index: 1_600, Due: (10 * Second) + 500))
            .OrderBy(e => e.Due)
            .ToList();
        Assert.Equal(expected.Select(e => e.Index), farFires.Select(f => f.Index));
        Assert.All(farFires, f => Assert.Equal(f.Due, f.At)); // exact timers on the virtual clock: at their due time
        Assert.False(far[1_500].IsPending);
    }

    [Fact]
    public void APullYieldsOnlyToWorkDueBeforeItsBucket_ATimerArmedIntoThePulledRangeWaitsForThePullAndFiresInOrder()
    {
        using var engine = new VirtualTimerEngine();
        var queue = engine.QueueForTests;
        queue.YieldPulls = true;
        var log = new List<string>();
        var a = engine.CreateTimer((_, in _) => log.Add("a"));
        var b = engine.CreateTimer((_, in _) => log.Add("b"));
        var between = engine.CreateTimer((_, in _) => log.Add("between"));
        engine.Arm(a, 10 * Second);
        engine.Arm(b, (10 * Second) + 2_000);
        for (var i = 0; i < 500; i++)
        {
            engine.Arm(engine.CreateTimer(static (_, in _) => { }), (10 * Second) + 10_000 + i); // more of the bucket: several chunks
        }

        var chunks = 0;
        queue.PullChunkHook = () =>
        {
            if (++chunks == 2)
            {
                engine.Arm(between, (10 * Second) + 1_000); // mid-pull, not due now: no reason to yield; filed where it belongs
            }
        };

        engine.AdvanceTo((10 * Second) + 5_000);
        Assert.True(chunks >= 2, $"{chunks} chunk(s): the arming was not made mid-pull");
        Assert.Equal(["a", "between", "b"], log);
        Assert.False(queue.PullPending);
    }
}
