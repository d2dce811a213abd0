using System.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Bench;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// What each timer DDI costs on top of the engine under it, in one run: request+cancel pairs on the real engine and
/// request+fire on the virtual engine (the callback runs on the measuring thread), ns and bytes allocated per operation,
/// verifier on and off, each beside the engine's own Arm+Cancel or Arm+fire measured the same way just before.
/// </summary>
internal static class DdiPathBench
{
    public static IEnumerable<BenchRow> Run(bool quick)
    {
        var seconds = quick ? 0.01 : 0.1;
        var rows = new List<BenchRow>();
        foreach (var verifier in new[] { true, false })
        {
            var mode = verifier ? "verifier on" : "verifier off";
            using (var real = new RealTimeTimerEngine("bench ddi"))
            {
                var f = new DdiPathFixture(real, verifier);
                Action engine = () => f.EngineArmCancel();
                var metric = $"request+cancel ({mode})";
                rows.AddRange(Rows(metric, "StorPortRequestTimer(10 ms) + (0)", Compare(engine, () => f.StorPortRequestTimerCancel(), seconds)));
                rows.AddRange(Rows(metric, "RequestTimerCall(10 ms) + (0)", Compare(engine, f.RequestTimerCallCancel, seconds)));
                rows.AddRange(Rows(metric, "NdisMSetTimer + NdisMCancelTimer", Compare(engine, () => f.NdisMSetTimerCancel(), seconds)));
                rows.AddRange(Rows(metric, "NdisSetTimerObject + NdisCancelTimerObject", Compare(engine, () => f.NdisSetTimerObjectCancel(), seconds)));
                rows.AddRange(Rows(metric, "KeSetTimerEx + KeCancelTimer", Compare(engine, () => f.KeSetTimerExCancel(), seconds)));

                // Where drivers call it: inside a miniport routine the adapter is the routine's (a reference compare),
                // where above, outside any routine, it is found by its extension. Both sides measured inside HwStorTimer.
                var inside = default(((double Nanoseconds, double Bytes) Engine, (double Nanoseconds, double Bytes) Ddi));
                f.RunInsideHwStorTimer(() => inside = Compare(engine, f.RequestTimerCallCancel, seconds));
                rows.AddRange(Rows($"request+cancel inside HwStorTimer ({mode})", "RequestTimerCall(10 ms) + (0)", inside));
            }

            using (var virtualEngine = new VirtualTimerEngine())
            {
                var f = new DdiPathFixture(virtualEngine, verifier);
                var metric = $"request+fire, virtual clock ({mode})";
                rows.AddRange(Rows(metric, "StorPortRequestTimer + HW_TIMER_EX", Compare(f.EngineArmFire, f.StorPortRequestTimerFire, seconds)));
                rows.AddRange(Rows(metric, "RequestTimerCall + HwStorTimer", Compare(f.EngineArmFire, f.RequestTimerCallFire, seconds)));
                rows.AddRange(Rows(metric, "NdisMSetTimer + callback", Compare(f.EngineArmFire, f.NdisMSetTimerFire, seconds)));
                rows.AddRange(Rows(metric, "NdisSetTimerObject + callback", Compare(f.EngineArmFire, f.NdisSetTimerObjectFire, seconds)));

                // Where drivers request: the poll loop, a callback requesting its own timer again from inside its call
                // (the adapter is the routine's), beside the engine's timer re-armed from its own callback.
                var poll = $"request from its own callback + fire, virtual clock ({mode})";
                rows.AddRange(Rows(poll, "StorPortRequestTimer in HW_TIMER_EX", Compare(f.EnginePollFire, f.StorPortRequestTimerPollFire, seconds)));
                rows.AddRange(Rows(poll, "RequestTimerCall in HwStorTimer", Compare(f.EnginePollFire, f.RequestTimerCallPollFire, seconds)));
                f.StopPolls();
            }
        }

        return rows;
    }

    private static IEnumerable<BenchRow> Rows(string metric, string approach, ((double Nanoseconds, double Bytes) Engine, (double Nanoseconds, double Bytes) Ddi) cost)
    {
        yield return new BenchRow("DDI path", $"ns per {metric}", approach, cost.Ddi.Nanoseconds, "ns", $"{cost.Ddi.Nanoseconds / cost.Engine.Nanoseconds:F2}× the engine's {cost.Engine.Nanoseconds:F0} ns");
        yield return new BenchRow("DDI path", $"bytes allocated per {metric}", approach, cost.Ddi.Bytes, "B");
    }

    /// <summary>
    /// The engine's own operation and the DDI's, measured in alternating rounds (five each) so that a noisy minute on a
    /// shared machine slows both: the fastest round of each.
    /// </summary>
    private static ((double Nanoseconds, double Bytes) Engine, (double Nanoseconds, double Bytes) Ddi) Compare(Action engine, Action ddi, double seconds)
    {
        var best = ((Nanoseconds: double.MaxValue, Bytes: 0.0), (Nanoseconds: double.MaxValue, Bytes: 0.0));
        for (var round = 0; round < 5; round++)
        {
            var e = Measure(engine, seconds);
            var d = Measure(ddi, seconds);
            best = (e.Nanoseconds < best.Item1.Nanoseconds ? e : best.Item1, d.Nanoseconds < best.Item2.Nanoseconds ? d : best.Item2);
        }

        return best;
    }

    /// <summary>
    /// ns per call and bytes allocated per call on this thread: the fastest of three rounds of about
    /// <paramref name="seconds"/> each, after a warm-up long enough for tiered compilation to finish (a shared, noisy
    /// machine only ever makes a round slower).
    /// </summary>
    private static (double Nanoseconds, double Bytes) Measure(Action op, double seconds)
    {
        var warmUp = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(warmUp).TotalSeconds < Math.Max(0.05, seconds / 2))
        {
            for (var i = 0; i < 1_000; i++)
            {
                op(); // tiered JIT, first-use lookups (activity rows)
            }
        }

        long n = 1_000;
        double took;
        while (true)
        {
            var t0 = Stopwatch.GetTimestamp();
            for (long i = 0; i < n; i++)
            {
                op();
            }

            took = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (took > 0.02)
            {
                break;
            }

            n *= 4;
        }

        var count = Math.Max(1_000, (long)(n * seconds / took));
        var best = (Nanoseconds: double.MaxValue, Bytes: 0.0);
        for (var round = 0; round < 3; round++)
        {
            var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            var start = Stopwatch.GetTimestamp();
            for (long i = 0; i < count; i++)
            {
                op();
            }

            var ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds / count;
            var bytes = (GC.GetAllocatedBytesForCurrentThread() - bytesBefore) / (double)count;
            best = ns < best.Nanoseconds ? (ns, bytes) : best;
        }

        return best;
    }
}
