using System.Diagnostics;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Engine;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// `bench --only floor` (issue 15's "lateness at every interval" and "below the ordinary floor"): at 100 µs, 1 ms, 10 ms,
/// 100 ms and 1 s, one-shot waits on a bare absolute timerfd (the OS floor: the primitive the dispatcher sleeps on, on
/// an ordinary thread) alternate with one-shot engine timers, sample by sample, so both see the same minutes of this
/// shared machine; then the same at 1 ms with both on SCHED_FIFO 99 (the measuring thread, and the engine's real-time
/// dispatcher), where the process may. Lateness is the fire time minus the due time, µs (the engine's, at the start of
/// its callback).
/// </summary>
internal static class FloorBench
{
    private const int FifoPriority = 99;

    public sealed record Pair(double IntervalMicroseconds, string Scheduling, LatenessHistogram Floor, LatenessHistogram Ours, string Policy);

    public static List<Pair> Run(bool quick)
    {
        var pairs = new List<Pair>();
        if (!OperatingSystem.IsLinux() || Stopwatch.Frequency != 1_000_000_000)
        {
            return pairs; // the floor is a Linux timerfd: nothing to compare with elsewhere
        }

        (double Us, int Samples, int Quick)[] intervals = [(100, 2_000, 40), (1_000, 1_000, 20), (10_000, 200, 5), (100_000, 30, 2), (1_000_000, 8, 1)];
        foreach (var (us, samples, quickSamples) in intervals)
        {
            using var engine = new RealTimeTimerEngine("bench floor");
            pairs.Add(Measure(us, quick ? quickSamples : samples, "ordinary", engine, fifo: false));
        }

        using (var realTime = new RealTimeTimerEngine("bench floor rt", realTimePriority: FifoPriority))
        {
            pairs.Add(Measure(1_000, quick ? 20 : 1_000, $"SCHED_FIFO {FifoPriority}", realTime, fifo: true));
        }

        return pairs;
    }

    public static IEnumerable<BenchRow> Rows(IEnumerable<Pair> pairs)
    {
        foreach (var p in pairs)
        {
            var where = $"{Format(p.IntervalMicroseconds)}, {p.Scheduling}";
            var note = $"{p.Ours.Count} sample{(p.Ours.Count == 1 ? string.Empty : "s")} each; engine: {p.Policy}";
            yield return new BenchRow("floor", $"p50 at {where}", "OS floor (timerfd)", p.Floor.At(50), "µs", note);
            yield return new BenchRow("floor", $"p50 at {where}", "ours", p.Ours.At(50), "µs", note);
            yield return new BenchRow("floor", $"p50 ours / floor at {where}", "ours", p.Ours.At(50) / Math.Max(0.001, p.Floor.At(50)), "×", "target ≤ 1.15");
            yield return new BenchRow("floor", $"p99 at {where}", "OS floor (timerfd)", p.Floor.At(99), "µs", note);
            yield return new BenchRow("floor", $"p99 at {where}", "ours", p.Ours.At(99), "µs", note);
            yield return new BenchRow("floor", $"p99 ours / floor at {where}", "ours", p.Ours.At(99) / Math.Max(0.001, p.Floor.At(99)), "×", "target ≤ 1.3");
        }
    }

    private static string Format(double us) => us >= 1_000_000 ? $"{us / 1_000_000:0.#} s" : us >= 1_000 ? $"{us / 1_000:0.#} ms" : $"{us:0.#} µs";

    private static Pair Measure(double intervalUs, int samples, string scheduling, RealTimeTimerEngine engine, bool fifo)
    {
        var floor = new List<double>(samples);
        var ours = new List<double>(samples);
        var thread = new Thread(() =>
        {
            if (fifo)
            {
                LinuxTimerFd.TrySetFifo(FifoPriority);
            }

            var fd = LinuxTimerFd.Create();
            try
            {
                var interval = (long)(intervalUs * 1_000);
                OneShot(fd, interval); // warm-up of both paths
                EngineOneShot(engine, interval);
                for (var i = 0; i < samples; i++)
                {
                    floor.Add(OneShot(fd, interval));
                    ours.Add(EngineOneShot(engine, interval));
                }
            }
            finally
            {
                _ = LinuxTimerFd.Close(fd);
            }
        })
        { Name = "bench floor" };
        thread.Start();
        thread.Join();
        return new Pair(intervalUs, scheduling, new LatenessHistogram(floor), new LatenessHistogram(ours), engine.SchedulingPolicy);
    }

    /// <summary>One absolute one-shot timerfd wait, <paramref name="intervalNanoseconds"/> from now: how late the read returned, µs.</summary>
    private static unsafe double OneShot(int fd, long intervalNanoseconds)
    {
        var due = Stopwatch.GetTimestamp() + intervalNanoseconds;
        LinuxTimerFd.SetAbsolute(fd, due, 0);
        ulong expirations;
        _ = LinuxTimerFd.Read(fd, &expirations, sizeof(ulong));
        return (Stopwatch.GetTimestamp() - due) / 1_000.0;
    }

    /// <summary>One engine one-shot, <paramref name="intervalNanoseconds"/> from now: its lateness at the start of its callback, µs.</summary>
    private static double EngineOneShot(RealTimeTimerEngine engine, long intervalNanoseconds)
    {
        using var fired = new ManualResetEventSlim(false, spinCount: 0);
        long lateness = 0;
        var t = engine.CreateTimer((_, in f) =>
        {
            lateness = f.LatenessNanoseconds;
            fired.Set();
        });
        engine.ArmAfter(t, intervalNanoseconds);
        fired.Wait();
        return Volatile.Read(ref lateness) / 1_000.0;
    }
}
