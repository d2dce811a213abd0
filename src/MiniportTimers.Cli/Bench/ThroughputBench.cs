using System.Diagnostics;
using MiniportTimers.Engine;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// Arm+cancel pairs per second on an existing timer (ours against System.Threading.Timer's Change pair), on one and two
/// threads, with 0 and 1,000,000 other timers pending; create+free; bytes allocated per re-arm; memory per pending timer.
/// </summary>
internal static class ThroughputBench
{
    private const long FarNanoseconds = 3_600L * TimeUnits.NanosecondsPerSecond;
    private static readonly TimerCallback Nop = _ => { };
    private static readonly EngineTimerCallback EngineNop = (_, in _) => { };

    public static IEnumerable<BenchRow> Run(bool quick)
    {
        var seconds = quick ? 0.05 : 0.5;
        var pending = quick ? 10_000 : 1_000_000;
        var rows = new List<BenchRow>();

        using (var engine = new RealTimeTimerEngine("bench"))
        {
            rows.Add(Pairs("ours", 1, 0, seconds, OursPair(engine)));
            rows.Add(Pairs("ours", 2, 0, seconds, OursPair(engine)));
            var others = Fill(engine, pending);
            rows.Add(Pairs("ours", 1, pending, seconds, OursPair(engine)));
            rows.Add(Pairs("ours", 2, pending, seconds, OursPair(engine)));
            GC.KeepAlive(others);
        }

        rows.Add(Pairs("System.Threading.Timer", 1, 0, seconds, TimerPair));
        rows.Add(Pairs("System.Threading.Timer", 2, 0, seconds, TimerPair));
        var timers = Enumerable.Range(0, pending).Select(_ => new Timer(Nop, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan)).ToList();
        rows.Add(Pairs("System.Threading.Timer", 1, pending, seconds, TimerPair));
        rows.Add(Pairs("System.Threading.Timer", 2, pending, seconds, TimerPair));
        timers.ForEach(t => t.Dispose());

        using (var engine = new RealTimeTimerEngine("bench"))
        {
            // The due time is computed once, as Timer's "1 h" is: the engine's own cost. ArmAfter adds a read of the
            // ns clock (Stopwatch), which Timer does not pay (it reads a 4 ms tick count).
            var due = engine.NowNanoseconds + FarNanoseconds;
            rows.Add(Loop("create+free", "ours (new EngineTimer subclass, Arm, Cancel)", seconds, () =>
            {
                var t = new NopTimer(engine);
                engine.Arm(t, due);
                engine.Cancel(t);
            }));
            rows.Add(Loop("create+free", "ours (CreateTimer, Arm, Cancel)", seconds, () =>
            {
                var t = engine.CreateTimer(EngineNop);
                engine.Arm(t, due);
                engine.Cancel(t);
            }));
            rows.Add(Loop("create+free", "ours (CreateTimer, ArmAfter(1 h): reads the ns clock, Cancel)", seconds, () =>
            {
                var t = engine.CreateTimer(EngineNop);
                engine.ArmAfter(t, FarNanoseconds);
                engine.Cancel(t);
            }));
        }

        rows.Add(Loop("create+free", "System.Threading.Timer (new Timer(1 h), Dispose)", seconds, () => new Timer(Nop, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan).Dispose()));
        rows.AddRange(Allocations(quick));
        rows.AddRange(MemoryPerTimer(pending));
        return rows;
    }

    private static Func<Action> OursPair(RealTimeTimerEngine engine) => () =>
    {
        var t = engine.CreateTimer(EngineNop);
        var due = engine.NowNanoseconds + FarNanoseconds;
        return () =>
        {
            engine.Arm(t, due);
            engine.Cancel(t);
        };
    };

    private static Action TimerPair()
    {
        var t = new Timer(Nop, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        return () =>
        {
            t.Change(TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
            t.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        };
    }

    /// <summary>Runs <paramref name="threads"/> threads, each with its own timer (<paramref name="makePair"/> builds one per thread).</summary>
    private static BenchRow Pairs(string approach, int threads, int pending, double seconds, Func<Action> makePair)
    {
        var perThread = Enumerable.Range(0, threads).Select(_ => makePair()).ToList();
        var count = Calibrate(perThread[0], seconds);
        using var start = new Barrier(threads + 1);
        var workers = perThread.Select(pair => new Thread(() =>
        {
            start.SignalAndWait();
            for (long i = 0; i < count; i++)
            {
                pair();
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        start.SignalAndWait();
        var t0 = Stopwatch.GetTimestamp();
        workers.ForEach(w => w.Join());
        var elapsed = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var perSecond = threads * count / elapsed;
        return new BenchRow("arm+cancel pair", $"pairs/s, {threads} thread{(threads == 1 ? "" : "s")}, {pending:N0} pending", approach, perSecond / 1e6, "M/s", $"{1e9 * threads / perSecond:F1} ns per pair per thread-core");
    }

    private static BenchRow Loop(string group, string approach, double seconds, Action op)
    {
        var count = Calibrate(op, seconds);
        var t0 = Stopwatch.GetTimestamp();
        for (long i = 0; i < count; i++)
        {
            op();
        }

        var ns = Stopwatch.GetElapsedTime(t0).TotalNanoseconds / count;
        return new BenchRow(group, "ns per operation", approach, ns, "ns");
    }

    /// <summary>How many iterations fill about <paramref name="seconds"/> (after a warm-up).</summary>
    private static long Calibrate(Action op, double seconds)
    {
        long n = 1_000;
        while (true)
        {
            var t0 = Stopwatch.GetTimestamp();
            for (long i = 0; i < n; i++)
            {
                op();
            }

            var took = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (took > 0.02)
            {
                return Math.Max(1_000, (long)(n * seconds / took));
            }

            n *= 4;
        }
    }

    private static List<EngineTimer> Fill(RealTimeTimerEngine engine, int count, bool subclass = false)
    {
        var rng = new Random(1);
        var now = engine.NowNanoseconds;
        var timers = new List<EngineTimer>(count);
        for (var i = 0; i < count; i++)
        {
            var t = subclass ? new NopTimer(engine) : engine.CreateTimer(EngineNop);
            engine.Arm(t, now + FarNanoseconds + rng.NextInt64(FarNanoseconds));
            timers.Add(t);
        }

        engine.FlushDispatched(); // the dispatcher has filed them all
        return timers;
    }

    private static IEnumerable<BenchRow> Allocations(bool quick)
    {
        var n = quick ? 10_000 : 1_000_000;
        using var engine = new RealTimeTimerEngine("bench");
        var t = engine.CreateTimer(EngineNop);
        var due = engine.NowNanoseconds + FarNanoseconds;
        engine.Arm(t, due);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < n; i++)
        {
            engine.Arm(t, due + i);
        }

        var ours = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)n;
        var timer = new Timer(Nop, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);
        before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < n; i++)
        {
            timer.Change(TimeSpan.FromHours(1) + TimeSpan.FromTicks(i), Timeout.InfiniteTimeSpan);
        }

        var theirs = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)n;
        timer.Dispose();
        yield return new BenchRow("allocation", "bytes allocated per re-arm", "ours", ours, "B");
        yield return new BenchRow("allocation", "bytes allocated per re-arm", "System.Threading.Timer", theirs, "B");
    }

    private static IEnumerable<BenchRow> MemoryPerTimer(int count)
    {
        double Measure(Func<object> create)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var held = create();
            var after = GC.GetTotalMemory(forceFullCollection: true);
            GC.KeepAlive(held);
            return (after - before) / (double)count;
        }

        // Both sides keep their timers in a List (8 B a slot), which is subtracted.
        var engine = new RealTimeTimerEngine("bench");
        var ours = Measure(() => Fill(engine, count)) - 8.0;
        engine.Dispose();
        engine = new RealTimeTimerEngine("bench");
        var oursSubclass = Measure(() => Fill(engine, count, subclass: true)) - 8.0;
        engine.Dispose();
        var timers = new List<Timer>();
        var theirs = Measure(() =>
        {
            timers = [.. Enumerable.Range(0, count).Select(_ => new Timer(Nop, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan))];
            return timers;
        }) - 8.0;
        timers.ForEach(t => t.Dispose());
        yield return new BenchRow("memory", $"bytes per pending timer ({count:N0} pending)", "ours (EngineTimer subclass, everything the engine holds)", oursSubclass, "B");
        yield return new BenchRow("memory", $"bytes per pending timer ({count:N0} pending)", "ours (CreateTimer: + delegate and state fields)", ours, "B");
        yield return new BenchRow("memory", $"bytes per pending timer ({count:N0} pending)", "System.Threading.Timer", theirs, "B");
    }
}
