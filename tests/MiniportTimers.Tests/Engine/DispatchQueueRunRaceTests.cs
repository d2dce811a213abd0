using MiniportTimers.Engine;

namespace MiniportTimers.Tests.Engine;

/// <summary>
/// The dispatcher's filing against arming threads (session thirteen). Two threads keep re-arming 4,000 timers, earlier
/// (into the tick being fired) and later (a few ticks ahead: a lazy re-arm when the timer is filed), while the dispatcher
/// pulls level-0 buckets into the run and pushes and pops the near heaps. Two faults it exercises:
/// <list type="bullet">
/// <item>a compaction of a near heap dropped a stale entry that was a lazy re-arm's only filing, and the timer stayed
/// armed, never fired (NearHeap.KeptByCompaction; without the fix 8-720 timers were left Armed|Lazy in 3 of 12 runs, and
/// in 4 of 10 before the level-0 run existed);</item>
/// <item>a pull filed a timer armed again after the drain before it by its new, earlier due into the run, behind entries
/// due later (DispatchQueue.File leaves it to the drain; SortedRun.Add's Debug.Assert caught it once in a full test run,
/// this test did not reproduce it in ten).</item>
/// </list>
/// </summary>
public class DispatchQueueRunRaceTests
{
    [Fact]
    public void ReArmsRacingTheDispatcher_EveryTimerFiresItsLatestArming_NeverEarly()
    {
        using var engine = new RealTimeTimerEngine("run race");
        const int Timers = 4_000;
        var fires = new int[Timers];
        var early = 0;
        var latestDue = new long[Timers];
        var timers = new EngineTimer[Timers];
        for (var i = 0; i < Timers; i++)
        {
            var index = i;
            timers[i] = engine.CreateTimer((_, in f) =>
            {
                if (f.FiredAtNanoseconds < f.DueNanoseconds)
                {
                    Interlocked.Increment(ref early);
                }

                Interlocked.Increment(ref fires[index]);
            });
        }

        // Two arming threads keep moving pending timers earlier (into the ticks the dispatcher is pulling, at or before
        // what the run already holds) while the dispatcher pulls level-0 buckets every 65.5 µs tick.
        using var stop = new CancellationTokenSource();
        var gate = new object();
        void Arming(int seed)
        {
            var rng = new Random(seed);
            while (!stop.IsCancellationRequested)
            {
                var i = rng.Next(Timers);
                var now = engine.NowNanoseconds;
                lock (gate)
                {
                    // Later (into a level-0 bucket 2-6 ticks ahead) or earlier (within the next tick): both race the pulls.
                    var due = now + (rng.Next(3) == 0 ? rng.Next(100_000, 400_000) : rng.Next(0, 60_000));
                    engine.Arm(timers[i], due);
                    latestDue[i] = due;
                }
            }
        }

        // Dedicated threads: two busy pool threads would starve the pool on a 2-core machine.
        var armers = new[] { new Thread(() => Arming(1)), new Thread(() => Arming(2)) };
        foreach (var armer in armers)
        {
            armer.Start();
        }

        Thread.Sleep(400);
        stop.Cancel();
        foreach (var armer in armers)
        {
            armer.Join();
        }

        // Every timer's latest arming fires once it is due, and nothing fired early.
        var last = latestDue.Max();
        while (engine.NowNanoseconds < last + 50_000_000)
        {
            Thread.Sleep(5);
        }

        engine.FlushDispatched();
        Assert.Equal(0, Volatile.Read(ref early));
        var neverFired = Enumerable.Range(0, Timers).Count(i => latestDue[i] != 0 && Volatile.Read(ref fires[i]) == 0);
        var stillArmed = timers.Count(t => t.IsPending);
        var detail = string.Join("; ", timers.Where(t => t.IsPending).Take(5).Select(t => $"due {(t.DueNanoseconds - engine.NowNanoseconds) / 1e6:0.0} ms from now, state {Volatile.Read(ref t.StateWord) & 0xFF:X}"));
        Assert.True(engine.PendingCount == 0, $"pending {engine.PendingCount}, never fired {neverFired}, still pending {stillArmed}: {detail}");
        Assert.All(Enumerable.Range(0, Timers).Where(i => latestDue[i] != 0), i => Assert.True(Volatile.Read(ref fires[i]) >= 1, $"timer {i} never fired"));
        Assert.True(engine.Statistics.Fires > 0);
    }
}
