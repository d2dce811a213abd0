using System.Collections.Concurrent;
using MiniportTimers.Engine;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport;

/// <summary>
/// Real clock, several threads: each thread requests, cancels and frees its own timers on one adapter while callbacks
/// run on the dispatcher. Checked: no lost, duplicate or early callback, no callback after a successful free.
/// </summary>
public class StorportConcurrencyTests
{
    /// <summary>One timer handle's life: set once its StorPortFreeTimer has returned; a new handle gets a new slot.</summary>
    private sealed class Slot
    {
        public volatile bool Freed;
    }

    private sealed class Request(long id, long earliestNanoseconds, Slot slot)
    {
        public long Id { get; } = id;

        public long EarliestNanoseconds { get; } = earliestNanoseconds;

        public Slot Slot { get; } = slot;
    }

    [Fact]
    public void ThreadsArmCancelAndFreeOwnTimers_NoLostDuplicateEarlyOrPostFreeCallback()
    {
        using var engine = new RealTimeTimerEngine();
        var host = new StorportHost(engine);
        var ext = RealClockAdapter.Create(host);
        const int Threads = 4;
        const int TimersPerThread = 8;
        var fired = new ConcurrentDictionary<long, int>();
        var violations = new ConcurrentQueue<string>();
        var mustFire = new ConcurrentDictionary<long, byte>();
        long nextId = 0;

        HW_TIMER_EX callback = (_, ctx) =>
        {
            var r = (Request)ctx!;
            var now = engine.NowNanoseconds;
            if (now < r.EarliestNanoseconds)
            {
                violations.Enqueue($"request {r.Id} ran {r.EarliestNanoseconds - now} ns early");
            }

            if (r.Slot.Freed)
            {
                violations.Enqueue($"request {r.Id} ran after its timer was freed");
            }

            if (fired.AddOrUpdate(r.Id, 1, (_, n) => n + 1) > 1)
            {
                violations.Enqueue($"request {r.Id} ran twice");
            }
        };

        var workers = Enumerable.Range(0, Threads).Select(th => new Thread(() =>
        {
            var rng = new Random(1000 + th);
            var handles = new StorPortTimerHandle?[TimersPerThread];
            var current = new Request?[TimersPerThread];
            var slots = new Slot[TimersPerThread];
            for (var i = 0; i < TimersPerThread; i++)
            {
                StorPortInitializeTimer(ext, out handles[i]);
                slots[i] = new Slot();
            }

            var until = engine.NowNanoseconds + (600 * TimeUnits.NanosecondsPerMillisecond);
            while (engine.NowNanoseconds < until)
            {
                var i = rng.Next(TimersPerThread);
                switch (rng.Next(10))
                {
                    case < 6:
                        var value = (ulong)rng.Next(20, 2_000);
                        var r = new Request(Interlocked.Increment(ref nextId), engine.NowNanoseconds + ((long)value * 1000), slots[i]);
                        var s = StorPortRequestTimer(ext, handles[i], callback, r, value, 0);
                        if (s == STOR_STATUS_SUCCESS)
                        {
                            current[i] = r;
                            mustFire[r.Id] = 0;
                        }
                        else if (s != STOR_STATUS_BUSY)
                        {
                            violations.Enqueue($"request returned {StorStatusName(s)}");
                        }

                        break;
                    case < 8:
                        if (current[i] is { } c)
                        {
                            mustFire.TryRemove(c.Id, out _); // may or may not run (A3)
                        }

                        StorPortRequestTimer(ext, handles[i], callback, null, 0, 0);
                        break;
                    default:
                        if (current[i] is { } d)
                        {
                            mustFire.TryRemove(d.Id, out _);
                        }

                        if (StorPortFreeTimer(ext, handles[i]) != STOR_STATUS_SUCCESS)
                        {
                            violations.Enqueue("free failed");
                        }

                        slots[i].Freed = true;
                        slots[i] = new Slot();
                        current[i] = null;
                        StorPortInitializeTimer(ext, out handles[i]);
                        break;
                }

                current[i] = current[i] is { } cur && fired.ContainsKey(cur.Id) ? null : current[i];
                Thread.SpinWait(rng.Next(200, 2_000));
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        // Let every outstanding request run out (the longest is 2 ms).
        var deadline = engine.NowNanoseconds + (2 * TimeUnits.NanosecondsPerSecond);
        while (mustFire.Keys.Any(id => !fired.ContainsKey(id)) && engine.NowNanoseconds < deadline)
        {
            Thread.Sleep(10);
        }

        Assert.Empty(violations);
        var lost = mustFire.Keys.Where(id => !fired.ContainsKey(id)).ToList();
        Assert.Empty(lost);
        Assert.True(fired.Count > 100, $"only {fired.Count} callbacks ran");
        Assert.Empty(host.BugChecks);
    }
}
