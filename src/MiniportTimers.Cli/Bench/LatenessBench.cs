using System.Diagnostics;
using MiniportTimers.Cli.Shell;
using MiniportTimers.Engine;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// Lateness (fire time minus due time) of one-shot waits at 100 µs, 1 ms and 10 ms, side by side in one process: our
/// engine (sleeping, and with a 50 µs final spin), System.Threading.Timer, Task.Delay, PeriodicTimer, Thread.Sleep, a
/// spin loop and, on Linux, the OS floor (a bare absolute timerfd on the measuring thread: the primitive the dispatcher
/// sleeps on), idle and with many other timers pending, with the CPU each burns; and a 1 ms periodic engine timer.
/// Negative lateness (an early fire) is counted, not hidden.
/// </summary>
internal static class LatenessBench
{
    /// <summary>The approach name of the OS floor series.</summary>
    public const string OsFloor = "OS floor (timerfd)";

    /// <summary>One lateness series.</summary>
    /// <param name="Approach">What was measured ("ours", "Task.Delay", <see cref="OsFloor"/>, …).</param>
    /// <param name="IntervalMicroseconds">The wait or period, µs.</param>
    /// <param name="Load">"idle", or what else was pending.</param>
    /// <param name="Lateness">The samples, µs.</param>
    /// <param name="CpuPercent">The process's CPU meanwhile, % of one core.</param>
    /// <param name="Early">Samples below zero.</param>
    public sealed record Series(string Approach, double IntervalMicroseconds, string Load, LatenessHistogram Lateness, double CpuPercent, int Early)
    {
        /// <summary>True for a periodic timer's expiries (each callback start minus its due time), false for one-shot waits.</summary>
        public bool Periodic { get; init; }
    }

    private static readonly EngineTimerCallback EngineNop = (_, in _) => { };

    public static List<Series> Run(bool quick, int pendingLoad)
    {
        var results = new List<Series>();
        foreach (var intervalUs in new[] { 100.0, 1_000.0, 10_000.0 })
        {
            var samples = (int)Math.Max(quick ? 10 : 100, (quick ? 0.02 : 1.0) * 1_000_000 / intervalUs / (intervalUs >= 10_000 ? 2 : 1));
            samples = Math.Min(samples, quick ? 50 : 2_000);
            using (var engine = new RealTimeTimerEngine("bench"))
            {
                results.Add(Measure("ours", intervalUs, "idle", samples, (_, interval) => EngineWait(engine, interval)));
            }

            using (var spinning = new RealTimeTimerEngine("bench spin", spinNanoseconds: 50_000))
            {
                results.Add(Measure("ours + 50 µs spin", intervalUs, "idle", samples, (_, interval) => EngineWait(spinning, interval)));
            }

            results.Add(Measure("System.Threading.Timer", intervalUs, "idle", samples, (_, interval) => TimerWait(interval)));
            results.Add(Measure("Task.Delay", intervalUs, "idle", samples, (_, interval) => Resumed(() => Task.Delay(interval).Wait())));
            results.Add(Measure("PeriodicTimer", intervalUs, "idle", samples, (_, interval) => Resumed(() => PeriodicWait(interval))));
            results.Add(Measure("Thread.Sleep", intervalUs, "idle", samples, (_, interval) => Resumed(() => Thread.Sleep(interval))));
            results.Add(Measure("spin loop", intervalUs, "idle", samples, (due, _) => Resumed(() =>
            {
                while (Stopwatch.GetTimestamp() < due)
                {
                }
            })));
            if (MeasureFloor(intervalUs, samples) is { } floor)
            {
                results.Add(floor);
            }
        }

        // A 1 ms periodic timer: no thread waits on each fire, so the process's CPU is the dispatcher's own (the OS
        // floor's wake-up cost plus the spin), the workload of a device emulator's tick.
        foreach (var spinUs in new[] { 0, 50, 60 })
        {
            results.Add(MeasurePeriodic(1_000, spinUs, quick));
        }

        // 1 ms with many other timers pending.
        var loaded = quick ? 20 : 500;
        using (var engine = new RealTimeTimerEngine("bench loaded"))
        {
            var now = engine.NowNanoseconds;
            var rng = new Random(2);
            var others = Enumerable.Range(0, pendingLoad).Select(_ =>
            {
                var t = engine.CreateTimer(EngineNop);
                engine.Arm(t, now + (3_600L * TimeUnits.NanosecondsPerSecond) + rng.NextInt64(TimeUnits.NanosecondsPerSecond));
                return t;
            }).ToList();
            engine.FlushDispatched();
            results.Add(Measure("ours", 1_000, $"{pendingLoad:N0} pending", loaded, (_, interval) => EngineWait(engine, interval)));
            GC.KeepAlive(others);
        }

        var timers = Enumerable.Range(0, pendingLoad).Select(_ => new Timer(_ => { }, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan)).ToList();
        results.Add(Measure("System.Threading.Timer", 1_000, $"{pendingLoad:N0} pending", loaded, (_, interval) => TimerWait(interval)));
        timers.ForEach(t => t.Dispose());
        return results;
    }

    /// <summary>A 100 µs periodic engine timer for one second: how many of the expected fires happened.</summary>
    public static (int Fired, int Expected) Cadence100us(bool quick)
    {
        var seconds = quick ? 0.1 : 1.0;
        using var engine = new RealTimeTimerEngine("bench cadence");
        var fired = 0;
        var t = engine.CreateTimer((_, in _) => Interlocked.Increment(ref fired));
        var period = 100 * TimeUnits.NanosecondsPerMicrosecond;
        engine.ArmAfter(t, period, 0, period);
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        engine.Cancel(t);
        return (Volatile.Read(ref fired), (int)(seconds * 10_000));
    }

    /// <summary>
    /// One engine timer with the given period for a few seconds; lateness is the time read first thing in each callback
    /// minus that fire's due time (the phase-kept schedule, decision A13), and the CPU is the whole process's meanwhile.
    /// </summary>
    private static Series MeasurePeriodic(double intervalUs, int spinUs, bool quick)
    {
        var period = (long)(intervalUs * TimeUnits.NanosecondsPerMicrosecond);
        var seconds = quick ? 0.05 : 3.0;
        var lateness = new double[(int)((seconds + 1) * TimeUnits.NanosecondsPerSecond / period)];
        var count = 0;
        using var engine = new RealTimeTimerEngine("bench periodic", spinNanoseconds: spinUs * TimeUnits.NanosecondsPerMicrosecond);
        var t = engine.CreateTimer((_, in f) =>
        {
            var late = (engine.NowNanoseconds - f.DueNanoseconds) / 1_000.0;
            if (count < lateness.Length)
            {
                lateness[count] = late;
                Volatile.Write(ref count, count + 1);
            }
        });
        engine.ArmAfter(t, period, 0, period);
        Thread.Sleep(TimeSpan.FromTicks(period * 20 / TimeUnits.NanosecondsPer100ns)); // the first fires warm up
        var start = Volatile.Read(ref count);
        var cpu = new CpuMeter();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        var percent = cpu.PercentOfOneCore();
        engine.Cancel(t);
        engine.FlushDispatched();
        var samples = lateness[start..Volatile.Read(ref count)].ToList();
        var name = spinUs == 0 ? "ours, periodic" : $"ours, periodic + {spinUs} µs spin";
        return new Series(name, intervalUs, "idle", new LatenessHistogram(samples), percent, samples.Count(x => x < 0)) { Periodic = true };
    }

    /// <summary>
    /// The OS floor at <paramref name="intervalUs"/>: one-shot waits on a bare absolute timerfd, read on this thread (what
    /// the engine's dispatcher sleeps on, without the engine); null where there is none (not Linux, or a Stopwatch that is
    /// not CLOCK_MONOTONIC in ns).
    /// </summary>
    private static Series? MeasureFloor(double intervalUs, int samples)
    {
        if (!OperatingSystem.IsLinux() || Stopwatch.Frequency != 1_000_000_000)
        {
            return null;
        }

        var fd = LinuxTimerFd.Create();
        if (fd < 0)
        {
            return null;
        }

        try
        {
            return Measure(OsFloor, intervalUs, "idle", samples, (due, _) => FloorWait(fd, due));
        }
        finally
        {
            _ = LinuxTimerFd.Close(fd);
        }
    }

    /// <summary>Waits on the timerfd for the absolute monotonic time <paramref name="due"/> (ns); the fire time is when the read returns.</summary>
    private static unsafe long FloorWait(int fd, long due)
    {
        LinuxTimerFd.SetAbsolute(fd, due, 0);
        ulong expirations;
        _ = LinuxTimerFd.Read(fd, &expirations, sizeof(ulong));
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Runs a blocking wait; its fire time is when it returns.</summary>
    private static long Resumed(Action wait)
    {
        wait();
        return Stopwatch.GetTimestamp();
    }

    /// <summary>Samples one approach: waits for successive due times and collects fire time minus due time, µs.</summary>
    /// <param name="approach">Its name.</param>
    /// <param name="intervalUs">The wait, µs.</param>
    /// <param name="load">What else is pending, for the label.</param>
    /// <param name="samples">How many waits.</param>
    /// <param name="waitUntil">Given the due timestamp and the nominal interval (what a user would pass), waits and returns the timestamp at which the approach fired.</param>
    private static Series Measure(string approach, double intervalUs, string load, int samples, Func<long, TimeSpan, long> waitUntil)
    {
        var interval = (long)(intervalUs * Stopwatch.Frequency / 1_000_000);
        var nominal = TimeSpan.FromTicks((long)(intervalUs * 10));
        var lateness = new List<double>(samples);
        var early = 0;
        waitUntil(Stopwatch.GetTimestamp() + interval, nominal); // warm-up
        var cpu = new CpuMeter();
        for (var i = 0; i < samples; i++)
        {
            var due = Stopwatch.GetTimestamp() + interval;
            var fired = waitUntil(due, nominal);
            var late = (fired - due) * 1_000_000.0 / Stopwatch.Frequency;
            if (late < 0)
            {
                early++;
            }

            lateness.Add(late);
        }

        return new Series(approach, intervalUs, load, new LatenessHistogram(lateness), cpu.PercentOfOneCore(), early);
    }

    /// <summary>Arms a one-shot for the due time; the fire time is taken at the start of its callback (the engine's fire time).</summary>
    private static long EngineWait(RealTimeTimerEngine engine, TimeSpan interval)
    {
        using var fire = new FireStamp();
        var t = engine.CreateTimer(static (t, in _) => ((FireStamp)t.State!).Stamp(), fire);
        engine.ArmAfter(t, interval.Ticks * TimeUnits.NanosecondsPer100ns);
        return fire.WaitAndGet();
    }

    /// <summary>System.Threading.Timer one-shot; the fire time is taken at the start of its callback.</summary>
    private static long TimerWait(TimeSpan interval)
    {
        using var fire = new FireStamp();
        using var timer = new Timer(static s => ((FireStamp)s!).Stamp(), fire, interval, Timeout.InfiniteTimeSpan);
        return fire.WaitAndGet();
    }

    /// <summary>Takes the timestamp first thing in a callback, then signals the measuring thread.</summary>
    private sealed class FireStamp : IDisposable
    {
        private readonly ManualResetEventSlim _done = new(false, spinCount: 0);
        private long _at;

        public void Stamp()
        {
            Volatile.Write(ref _at, Stopwatch.GetTimestamp());
            _done.Set();
        }

        public long WaitAndGet()
        {
            _done.Wait();
            return Volatile.Read(ref _at);
        }

        public void Dispose() => _done.Dispose();
    }

    private static void PeriodicWait(TimeSpan interval)
    {
        using var periodic = new PeriodicTimer(interval < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : interval); // its smallest period is 1 ms
        periodic.WaitForNextTickAsync().AsTask().Wait();
    }
}
