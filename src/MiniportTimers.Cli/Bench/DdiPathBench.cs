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
        var seconds = quick ? 0.02 : 0.3;
        var rows = new List<BenchRow>();
        foreach (var verifier in new[] { true, false })
        {
            var mode = verifier ? "verifier on" : "verifier off";
            using (var real = new RealTimeTimerEngine("bench ddi"))
            {
                var f = new DdiPathFixture(real, verifier);
                var baseline = Measure(() => f.EngineArmCancel(), seconds);
                rows.AddRange(Rows($"request+cancel ({mode})", "engine Arm + Cancel", baseline, baseline));
                rows.AddRange(Rows($"request+cancel ({mode})", "StorPortRequestTimer(10 ms) + (0)", Measure(() => f.StorPortRequestTimerCancel(), seconds), baseline));
                rows.AddRange(Rows($"request+cancel ({mode})", "RequestTimerCall(10 ms) + (0)", Measure(f.RequestTimerCallCancel, seconds), baseline));
                rows.AddRange(Rows($"request+cancel ({mode})", "NdisMSetTimer + NdisMCancelTimer", Measure(() => f.NdisMSetTimerCancel(), seconds), baseline));
                rows.AddRange(Rows($"request+cancel ({mode})", "NdisSetTimerObject + NdisCancelTimerObject", Measure(() => f.NdisSetTimerObjectCancel(), seconds), baseline));
                rows.AddRange(Rows($"request+cancel ({mode})", "KeSetTimerEx + KeCancelTimer", Measure(() => f.KeSetTimerExCancel(), seconds), baseline));
            }

            using (var engine = new VirtualTimerEngine())
            {
                var f = new DdiPathFixture(engine, verifier);
                var baseline = Measure(f.EngineArmFire, seconds);
                rows.AddRange(Rows($"request+fire, virtual clock ({mode})", "engine Arm + fire", baseline, baseline));
                rows.AddRange(Rows($"request+fire, virtual clock ({mode})", "StorPortRequestTimer + HW_TIMER_EX", Measure(f.StorPortRequestTimerFire, seconds), baseline));
                rows.AddRange(Rows($"request+fire, virtual clock ({mode})", "RequestTimerCall + HwStorTimer", Measure(f.RequestTimerCallFire, seconds), baseline));
                rows.AddRange(Rows($"request+fire, virtual clock ({mode})", "NdisMSetTimer + callback", Measure(f.NdisMSetTimerFire, seconds), baseline));
                rows.AddRange(Rows($"request+fire, virtual clock ({mode})", "NdisSetTimerObject + callback", Measure(f.NdisSetTimerObjectFire, seconds), baseline));
            }
        }

        return rows;
    }

    private static IEnumerable<BenchRow> Rows(string metric, string approach, (double Nanoseconds, double Bytes) cost, (double Nanoseconds, double Bytes) engine)
    {
        yield return new BenchRow("DDI path", $"ns per {metric}", approach, cost.Nanoseconds, "ns", $"{cost.Nanoseconds / engine.Nanoseconds:F2}× the engine");
        yield return new BenchRow("DDI path", $"bytes allocated per {metric}", approach, cost.Bytes, "B");
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
