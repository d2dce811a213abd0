using System.Collections.Concurrent;
using MiniportTimers.Engine;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Samples.Harness;

/// <summary>
/// A real-clock stress run of the Storport timer DDIs: each thread requests, cancels and frees its own timers on one
/// adapter while callbacks run on the dispatcher. It checks that no callback is lost (a request never cancelled or
/// freed must run), duplicated, early (before its requested delay), or started after a successful free; and that
/// memory is flat afterwards.
/// </summary>
public static class StressRun
{
    /// <summary>What a stress run saw.</summary>
    /// <param name="Operations">DDI calls made.</param>
    /// <param name="Callbacks">Callbacks that ran.</param>
    /// <param name="Violations">Lost, duplicate, early or post-free callbacks, and unexpected statuses (empty when all is well).</param>
    /// <param name="MemoryBeforeBytes">Managed memory after a full collection before the run.</param>
    /// <param name="MemoryAfterBytes">The same after the run, its objects dropped.</param>
    /// <param name="Seconds">Wall time of the run.</param>
    public sealed record Result(long Operations, long Callbacks, IReadOnlyList<string> Violations, long MemoryBeforeBytes, long MemoryAfterBytes, double Seconds);

    /// <summary>One handle's life: <see cref="Freed"/> is set once StorPortFreeTimer has returned; a new handle gets a new slot.</summary>
    private sealed class Slot
    {
        public volatile bool Freed;
    }

    private sealed record Request(long Id, long EarliestNanoseconds, Slot Slot);

    /// <summary>Runs <paramref name="operations"/> DDI calls spread over <paramref name="threads"/> threads.</summary>
    /// <param name="threads">Worker threads, at least 1.</param>
    /// <param name="operations">DDI calls in all, at least 1.</param>
    /// <param name="timersPerThread">Timer handles each thread owns.</param>
    /// <param name="maxSpinPerOperation">
    /// Upper bound of the random <see cref="Thread.SpinWait(int)"/> after each call (0 = none). Pacing lets the 20–2,000 µs
    /// timers expire between calls; unpaced, almost every request is overtaken by the next call on its handle.
    /// </param>
    public static Result Execute(int threads, long operations, int timersPerThread = 8, int maxSpinPerOperation = 2_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSpinPerOperation);
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(operations, 1);
        var before = Memory();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (callbacks, violations) = Run(threads, operations, timersPerThread, maxSpinPerOperation);
        var seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new Result(operations, callbacks, violations, before, Memory(), seconds);
    }

    private static long Memory()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static (long Callbacks, List<string> Violations) Run(int threads, long operations, int timersPerThread, int maxSpinPerOperation)
    {
        using var engine = new RealTimeTimerEngine("stress");
        var host = new StorportHost(engine);
        var ext = NullMiniport.Start(host);
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

        var perThread = operations / threads;
        var workers = Enumerable.Range(0, threads).Select(th => new Thread(() =>
        {
            var rng = new Random(1000 + th);
            var handles = new StorPortTimerHandle?[timersPerThread];
            var slots = new Slot[timersPerThread];
            var current = new Request?[timersPerThread];
            for (var i = 0; i < timersPerThread; i++)
            {
                StorPortInitializeTimer(ext, out handles[i]);
                slots[i] = new Slot();
            }

            for (long n = 0; n < perThread; n++)
            {
                var i = rng.Next(timersPerThread);
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
                            mustFire.TryRemove(c.Id, out _); // it may or may not run (decision A3)
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
                if (maxSpinPerOperation > 0)
                {
                    Thread.SpinWait(rng.Next(maxSpinPerOperation));
                }

                if ((n & 63) == 0)
                {
                    Thread.Yield();
                }
            }

            for (var i = 0; i < timersPerThread; i++)
            {
                if (current[i] is null)
                {
                    StorPortFreeTimer(ext, handles[i]);
                }
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        // Every request still outstanding runs within 2 ms; give it generous room.
        var deadline = engine.NowNanoseconds + (5 * TimeUnits.NanosecondsPerSecond);
        while (mustFire.Keys.Any(id => !fired.ContainsKey(id)) && engine.NowNanoseconds < deadline)
        {
            engine.FlushDispatched();
        }

        foreach (var lost in mustFire.Keys.Where(id => !fired.ContainsKey(id)).Take(10))
        {
            violations.Enqueue($"request {lost} never ran");
        }

        foreach (var b in host.BugChecks)
        {
            violations.Enqueue($"bug check {b.BugCheck.Message}");
        }

        host.Adapters[0].Remove();
        return (fired.Count, [.. violations]);
    }
}
