using System.Diagnostics;
using MiniportTimers.Engine;

namespace MiniportTimers.Cli.Bench;

/// <summary>
/// Issue 15's first measurement, the expiry side of the engine: N one-shot timers with random due times in a 100 ms
/// window, empty callbacks, on the real engine beside System.Threading.Timer in the same run, and on the virtual engine.
/// Reports the process CPU per expiry while the burst fires (filing, cascading and firing; the arming is done before the
/// window opens) and how late the last callback ran after the last due time. `bench --only expiry`.
/// </summary>
internal static class ExpiryBench
{
    private const long WindowNanoseconds = 100 * TimeUnits.NanosecondsPerMillisecond;

    public static IEnumerable<BenchRow> Run(bool quick)
    {
        var n = quick ? 10_000 : 1_000_000;
        var label = $"{n:N0} due within 100 ms";
        var cpus = Math.Max(2, Environment.ProcessorCount);
        var (oursCpu, oursLast, _, oursNote) = Ours(n, dispatchers: 1);
        yield return new BenchRow("expiry", $"process CPU per expiry, {label}", "ours", oursCpu, "ns", oursNote);
        yield return new BenchRow("expiry", $"last callback after the last due time, {label}", "ours", oursLast, "ms");
        var (spreadCpu, spreadLast, _, spreadNote) = Ours(n, dispatchers: cpus, pin: false);
        var spreadApproach = $"ours, {cpus} dispatchers, armed from one thread";
        yield return new BenchRow("expiry", $"process CPU per expiry, {label}", spreadApproach, spreadCpu, "ns", spreadNote);
        yield return new BenchRow("expiry", $"last callback after the last due time, {label}", spreadApproach, spreadLast, "ms");
        var (timerCpu, timerLast, timerNote) = ThreadingTimer(n, WindowNanoseconds);
        yield return new BenchRow("expiry", $"process CPU per expiry, {label}", "System.Threading.Timer", timerCpu, "ns", timerNote);
        yield return new BenchRow("expiry", $"last callback after the last due time, {label}", "System.Threading.Timer", timerLast, "ms");

        // Elimination (issue 27): the same burst with one cost taken out at a time.
        var (emptyCpu, _, _, emptyNote) = Ours(n, dispatchers: 1, emptyCallback: true);
        yield return new BenchRow("expiry", $"process CPU per expiry, {label}, empty callback", "ours", emptyCpu, "ns", emptyNote ?? "the callback's two interlocked operations removed");
        var (sharedCpu, _, _, sharedNote) = Ours(n, dispatchers: 1, sharedCallback: true);
        yield return new BenchRow("expiry", $"process CPU per expiry, {label}, one callback delegate for all", "ours", sharedCpu, "ns", sharedNote ?? "the same callback work, one delegate object for every timer: the per-timer delegate's miss removed");
        var (farCpu, farLast, _, farNote) = Ours(n, dispatchers: 1, farTimerFirst: true);
        yield return new BenchRow("expiry", $"process CPU per expiry, {label}, a 60 s timer pulled ahead first", "ours", farCpu, "ns", farNote ?? "the wheel's cursor was 60 s ahead of the clock when the burst was armed: it is moved back (session seventeen)");
        yield return new BenchRow("expiry", $"last callback after the last due time, {label}, a 60 s timer pulled ahead first", "ours", farLast, "ms");
        var (orderedCpu, orderedLast, _, orderedNote) = Ours(n, dispatchers: 1, inAllocationOrder: true);
        yield return new BenchRow("expiry", $"process CPU per expiry, {label}, due in allocation order", "ours", orderedCpu, "ns", orderedNote ?? "the cache misses removed: fire order = memory order");
        yield return new BenchRow("expiry", $"last callback after the last due time, {label}, due in allocation order", "ours", orderedLast, "ms");

        // The same million spread over 1 s: the dispatcher wakes at the OS floor's pace and fires a batch per wake-up.
        var spreadLabel = $"{n:N0} due within 1 s";
        var (secondCpu, secondLast, secondWakeUps, secondNote) = Ours(n, dispatchers: 1, windowNanoseconds: TimeUnits.NanosecondsPerSecond);
        yield return new BenchRow("expiry", $"process CPU per expiry, {spreadLabel}", "ours", secondCpu, "ns", secondNote);
        yield return new BenchRow("expiry", $"last callback after the last due time, {spreadLabel}", "ours", secondLast, "ms");
        yield return new BenchRow("expiry", $"wake-ups, {spreadLabel}", "ours", secondWakeUps, "wake-ups", $"{(double)n / Math.Max(1, secondWakeUps):0.#} expiries per wake-up");
        var (secondSpreadCpu, secondSpreadLast, _, secondSpreadNote) = Ours(n, dispatchers: cpus, pin: false, windowNanoseconds: TimeUnits.NanosecondsPerSecond);
        yield return new BenchRow("expiry", $"process CPU per expiry, {spreadLabel}", spreadApproach, secondSpreadCpu, "ns", secondSpreadNote);
        yield return new BenchRow("expiry", $"last callback after the last due time, {spreadLabel}", spreadApproach, secondSpreadLast, "ms");
        // With a tolerance the dispatcher may fire a batch per wake-up as large as the tolerance allows (the hrtimer range
        // rule): what a dense stream costs when its wake-ups are not paid per few tens of expiries.
        var (secondTolerantCpu, secondTolerantLast, secondTolerantWakeUps, secondTolerantNote) = Ours(n, dispatchers: 1, toleranceNanoseconds: TimeUnits.NanosecondsPerMillisecond, windowNanoseconds: TimeUnits.NanosecondsPerSecond);
        yield return new BenchRow("expiry", $"process CPU per expiry, {spreadLabel}, 1 ms tolerance", "ours", secondTolerantCpu, "ns", secondTolerantNote ?? $"{(double)n / Math.Max(1, secondTolerantWakeUps):0.#} expiries per wake-up");
        yield return new BenchRow("expiry", $"last callback after the last deadline, {spreadLabel}, 1 ms tolerance", "ours", secondTolerantLast - 1, "ms");
        var (secondTimerCpu, secondTimerLast, secondTimerNote) = ThreadingTimer(n, TimeUnits.NanosecondsPerSecond);
        yield return new BenchRow("expiry", $"process CPU per expiry, {spreadLabel}", "System.Threading.Timer", secondTimerCpu, "ns", secondTimerNote);
        yield return new BenchRow("expiry", $"last callback after the last due time, {spreadLabel}", "System.Threading.Timer", secondTimerLast, "ms");

        var (advance, advanceCollections) = Virtual(n, bypassWheel: false);
        yield return new BenchRow("expiry", $"AdvanceTo per expiry, {n:N0} pending", "ours (virtual)", advance, "ns", advanceCollections.Note);
        var (bypassed, bypassedCollections) = Virtual(n, bypassWheel: true);
        yield return new BenchRow("expiry", $"AdvanceTo per expiry, {n:N0} pending, the wheel bypassed", "ours (virtual)", bypassed, "ns", Join("the clock moved past the window before the timers are filed: all go straight to the near heap", bypassedCollections.Note));
        var (tolerantCpu, tolerantLast, wakeUps, tolerantNote) = Ours(n, dispatchers: 1, toleranceNanoseconds: TimeUnits.NanosecondsPerMillisecond);
        yield return new BenchRow("expiry", $"process CPU per expiry, {label}, 1 ms tolerance", "ours", tolerantCpu, "ns", tolerantNote);
        yield return new BenchRow("expiry", $"last callback after the last deadline, {label}, 1 ms tolerance", "ours", tolerantLast - 1, "ms");
        yield return new BenchRow("expiry", $"wake-ups for the burst, {label}, 1 ms tolerance", "ours", wakeUps, "wake-ups", "100 windows of 1 ms");
    }

    /// <summary>
    /// `bench --only cpus`: the same burst on one dispatcher and on one per CPU (the arming spread over the CPUs as well,
    /// so each dispatcher gets its share), and how many 1 ms ticks of one dispatcher keep their cadence while a callback
    /// on another blocks for 200 ms.
    /// </summary>
    public static IEnumerable<BenchRow> RunCpus(bool quick)
    {
        var n = quick ? 10_000 : 1_000_000;
        var cpus = Math.Max(2, Environment.ProcessorCount);
        var label = $"{n:N0} due within 100 ms";
        foreach (var dispatchers in new[] { 1, cpus })
        {
            var approach = dispatchers == 1 ? "ours, 1 dispatcher" : $"ours, {dispatchers} dispatchers";
            var (cpu, last, _, _) = Ours(n, dispatchers);
            yield return new BenchRow("cpus", $"process CPU per expiry, {label}", approach, cpu, "ns");
            yield return new BenchRow("cpus", $"last callback after the last due time, {label}", approach, last, "ms");
        }

        foreach (var dispatchers in new[] { 1, cpus })
        {
            var approach = dispatchers == 1 ? "ours, 1 dispatcher" : $"ours, {dispatchers} dispatchers";
            yield return new BenchRow("cpus", "1 ms ticks fired while another timer's callback blocks 200 ms (200 due)", approach, TicksWhileBlocked(dispatchers), "ticks");
        }
    }

    /// <summary>A 1 ms periodic timer pinned to the last dispatcher; a one-shot on dispatcher 0 whose callback sleeps 200 ms.</summary>
    private static int TicksWhileBlocked(int dispatchers)
    {
        using var engine = new RealTimeTimerEngine("bench cpus", dispatchers: dispatchers);
        using var blocking = new ManualResetEventSlim();
        using var released = new ManualResetEventSlim();
        var ticks = 0;
        var tick = engine.CreateTimer((_, in _) =>
        {
            if (blocking.IsSet && !released.IsSet)
            {
                Interlocked.Increment(ref ticks);
            }
        });
        var block = engine.CreateTimer((_, in _) =>
        {
            blocking.Set();
            Thread.Sleep(200);
            released.Set();
        });
        engine.TrySetTargetDispatcher(tick, dispatchers - 1);
        engine.TrySetTargetDispatcher(block, 0);
        engine.ArmAfter(tick, TimeUnits.NanosecondsPerMillisecond, periodNanoseconds: TimeUnits.NanosecondsPerMillisecond);
        engine.ArmAfter(block, 20 * TimeUnits.NanosecondsPerMillisecond);
        released.Wait(TimeSpan.FromSeconds(10));
        engine.Cancel(tick);
        return Volatile.Read(ref ticks);
    }

    /// <summary>
    /// Arms <paramref name="n"/> timers from this thread, due at random in a window that opens once arming is done;
    /// measures the burst. <paramref name="pin"/>: timer i pinned to dispatcher i mod count (as arming threads on every
    /// CPU would spread them); otherwise the engine routes them. <paramref name="emptyCallback"/>: a callback that does
    /// nothing (the end is seen by the pending count; no last-fire time). <paramref name="inAllocationOrder"/>: the due
    /// times sorted, so the timers fire in the order they sit in memory.
    /// </summary>
    private static (double CpuPerExpiryNs, double LastLateMs, long WakeUps, string? Note) Ours(int n, int dispatchers, long toleranceNanoseconds = 0, bool pin = true, long windowNanoseconds = WindowNanoseconds, bool emptyCallback = false, bool inAllocationOrder = false, bool sharedCallback = false, bool farTimerFirst = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            var allowance = ArmingAllowance(n) << attempt;
            var (cpu, late, wakeUps, early, collections) = OursOnce(n, dispatchers, allowance, toleranceNanoseconds, pin, windowNanoseconds, emptyCallback, inAllocationOrder, sharedCallback, farTimerFirst);
            if (early == 0 || attempt == ArmingRetries)
            {
                return (cpu, late, wakeUps, Join(Note(early, n, attempt, allowance), collections.Note));
            }
        }
    }

    /// <summary>One measurement of <see cref="Ours"/> with the window opening <paramref name="allowanceNanoseconds"/> after the arming starts; the last value is how many fired before it opened.</summary>
    private static (double CpuPerExpiryNs, double LastLateMs, long WakeUps, long Early, WindowCollections Collections) OursOnce(int n, int dispatchers, long allowanceNanoseconds, long toleranceNanoseconds, bool pin, long windowNanoseconds, bool emptyCallback, bool inAllocationOrder, bool sharedCallback, bool farTimerFirst)
    {
        using var engine = new RealTimeTimerEngine("bench expiry", dispatchers: dispatchers);
        if (farTimerFirst)
        {
            PullAFarTimerAhead(engine);
        }

        var firesBefore = engine.Statistics.Fires; // the far row's 1 ms timer fired already: not one of the burst

        var tally = new FireTally();
        var rng = new Random(15);
        var offsets = new long[n];
        for (var i = 0; i < n; i++)
        {
            offsets[i] = (long)(rng.NextDouble() * windowNanoseconds);
        }

        if (inAllocationOrder)
        {
            Array.Sort(offsets);
        }

        // Created first, armed in a second loop: the window opens a fixed allowance after the arming starts, and
        // creation (an allocation each) is what ran past it on a loaded machine.
        EngineTimerCallback empty = static (_, in _) => { };
        EngineTimerCallback shared = (timer, in firing) => tally.Record(firing.FiredAtNanoseconds);
        var timers = new EngineTimer[n];
        for (var i = 0; i < n; i++)
        {
            timers[i] = emptyCallback ? engine.CreateTimer(empty) : sharedCallback ? engine.CreateTimer(shared) : engine.CreateTimer((timer, in firing) => tally.Record(firing.FiredAtNanoseconds));
            if (pin)
            {
                engine.TrySetTargetDispatcher(timers[i], i % dispatchers);
            }
        }

        SettleCreation();
        var open = engine.NowNanoseconds + allowanceNanoseconds;
        var dues = new long[n];
        for (var i = 0; i < n; i++)
        {
            dues[i] = open + offsets[i];
            engine.Arm(timers[i], dues[i], toleranceNanoseconds);
        }

        var lastDue = dues.Max();
        WaitUntil(engine, open - MeasureLeadNanoseconds);
        var early = engine.Statistics.Fires - firesBefore;
        var wakeUps0 = engine.Statistics.WakeUps;
        var collections = WindowCollections.Start();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        while (emptyCallback ? engine.PendingCount > 0 : tally.Fired < n)
        {
            Thread.Sleep(WindowPollMilliseconds);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        collections = collections.Stop();
        var late = emptyCallback ? double.NaN : (tally.Latest - lastDue) / (double)TimeUnits.NanosecondsPerMillisecond;
        return (cpu.TotalNanoseconds / n, late, engine.Statistics.WakeUps - wakeUps0, early, collections);
    }

    private static (double CpuPerExpiryNs, double LastLateMs, string? Note) ThreadingTimer(int n, long windowNanoseconds)
    {
        for (var attempt = 0; ; attempt++)
        {
            var allowance = ArmingAllowance(n) * 2 << attempt; // Change is slower than an engine arm: twice the allowance
            var (cpu, late, early) = ThreadingTimerOnce(n, windowNanoseconds, allowance);
            if (early == 0 || attempt == ArmingRetries)
            {
                return (cpu, late, Note(early, n, attempt, allowance));
            }
        }
    }

    private static (double CpuPerExpiryNs, double LastLateMs, long Early) ThreadingTimerOnce(int n, long windowNanoseconds, long allowanceNanoseconds)
    {
        var tally = new FireTally();
        var rng = new Random(15);
        var start = Stopwatch.GetTimestamp();
        var timers = new Timer[n];
        for (var i = 0; i < n; i++)
        {
            timers[i] = new Timer(
                _ => tally.Record((long)Stopwatch.GetElapsedTime(start).TotalNanoseconds),
                null,
                Timeout.InfiniteTimeSpan,
                Timeout.InfiniteTimeSpan);
        }

        // Armed in a second loop, as ours are.
        SettleCreation();
        var openNs = (long)Stopwatch.GetElapsedTime(start).TotalNanoseconds + allowanceNanoseconds;
        long lastDueNs = 0;
        for (var i = 0; i < n; i++)
        {
            var dueNs = openNs + (long)(rng.NextDouble() * windowNanoseconds);
            lastDueNs = Math.Max(lastDueNs, dueNs);
            var elapsed = (long)Stopwatch.GetElapsedTime(start).TotalNanoseconds;
            timers[i].Change(TimeSpan.FromMilliseconds(Math.Max(0, (dueNs - elapsed) / 1e6)), Timeout.InfiniteTimeSpan);
        }

        while (Stopwatch.GetElapsedTime(start).TotalNanoseconds < openNs - MeasureLeadNanoseconds)
        {
            Thread.Sleep(1);
        }

        var early = tally.Fired;
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        while (tally.Fired < n)
        {
            Thread.Sleep(WindowPollMilliseconds);
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        foreach (var t in timers)
        {
            t.Dispose();
        }

        return (cpu.TotalNanoseconds / n, (tally.Latest - lastDueNs) / (double)TimeUnits.NanosecondsPerMillisecond, early);
    }

    /// <summary>
    /// Wall-clock ns per expiry of one AdvanceTo over <paramref name="n"/> pending timers (arming not counted). With
    /// <paramref name="bypassWheel"/> the clock is moved past the window before the engine files the armings, so every
    /// timer goes straight to the near heap (one million entries) and none through the wheel. The heap is collected before
    /// the advance, as before a real burst's arming (<see cref="SettleCreation"/>), so the advance does not pay for the
    /// arming's garbage; the collections inside it are returned for the row's note (issue 27, session eighteen: the row
    /// swung by 100 ns between builds whose only difference was the size of an object each arming allocates).
    /// </summary>
    private static (double NanosecondsPerExpiry, WindowCollections Collections) Virtual(int n, bool bypassWheel)
    {
        using var engine = new VirtualTimerEngine();
        var rng = new Random(15);
        for (var i = 0; i < n; i++)
        {
            engine.Arm(engine.CreateTimer(static (_, in _) => { }), 1 + (long)(rng.NextDouble() * WindowNanoseconds));
        }

        if (bypassWheel)
        {
            engine.Stall(WindowNanoseconds + 1);
        }

        SettleCreation();
        var collections = WindowCollections.Start();
        var start = Stopwatch.GetTimestamp();
        engine.AdvanceTo(WindowNanoseconds + 1);
        var elapsed = Stopwatch.GetElapsedTime(start);
        return (elapsed.TotalNanoseconds / n, collections.Stop());
    }

    /// <summary>
    /// The CPU window opens this long (20 ms) before the first due time, not at it: the measuring thread polls with
    /// Thread.Sleep(1) and on a loaded machine woke a few ms after the opening, by which time the first thousands of a
    /// burst of 10,000 expiries a millisecond had fired and were counted as "fired before the window opened" (issue 27,
    /// session nine). Before the first due time the dispatchers sleep, so the lead adds no CPU of theirs.
    /// </summary>
    private const long MeasureLeadNanoseconds = 20 * TimeUnits.NanosecondsPerMillisecond;

    /// <summary>
    /// Before a burst: a 60 s timer and a 1 ms one, so that the dispatcher, woken for the 1 ms one, files the far one
    /// and, with nothing nearer left, pulls its bucket down: the wheel's cursor is then 60 s ahead of the clock, as in a
    /// driver whose 60 s port-start timeout is pending. Until session seventeen every timer of the burst then went into
    /// the near heap (410-484 ns an expiry instead of 122-140); now the first drain moves the cursor back
    /// (DispatchQueue.RewindIfAhead). The far timer stays pending; the engine's disposal drops it.
    /// </summary>
    private static void PullAFarTimerAhead(TimerEngine engine)
    {
        var far = engine.CreateTimer(static (_, in _) => { });
        var soon = engine.CreateTimer(static (_, in _) => { });
        engine.ArmAfter(far, 60 * TimeUnits.NanosecondsPerSecond);
        engine.ArmAfter(soon, TimeUnits.NanosecondsPerMillisecond);
        var until = engine.NowNanoseconds + (50 * TimeUnits.NanosecondsPerMillisecond);
        while (soon.IsPending || engine.NowNanoseconds < until)
        {
            Thread.Sleep(1);
        }
    }

    /// <summary>
    /// How often the measuring thread looks, inside the CPU window, whether every timer has fired (10 ms; both sides
    /// alike). It polled every 1 ms until session seventeen: a thousand wake-ups of its own a second, 12-15 µs of CPU each
    /// on the 2-core VM, which the process CPU counted as 12-15 ns per expiry of the rows spread over 1 s (the 1 ms-
    /// tolerance spread measured a median of 313 ns with a 1 ms poll and 301 ns with a 20 ms one, nine runs each,
    /// docs/benchmarks.md). A longer poll only lets the window run on idle after the last fire: the last fire's lateness
    /// comes from the fire times the callbacks record, not from when the poll sees them.
    /// </summary>
    private const int WindowPollMilliseconds = 10;

    /// <summary>
    /// How many times a measurement whose arming ran late is repeated, each time with twice the allowance (the same rule
    /// for every row, ours and Timer's): on a loaded machine the arming thread competes with the dispatchers (two of
    /// them on two cores) and ran past a 1 µs-per-timer allowance (issue 27, session nine).
    /// </summary>
    private const int ArmingRetries = 2;

    /// <summary>
    /// A row note: INVALID when some timers still fired before the measured window opened (the arming ran late even with
    /// the last allowance: the CPU figure then misses them); else, when an earlier attempt ran late, the allowance used.
    /// </summary>
    private static string? Note(long early, int n, int attempt, long allowanceNanoseconds) =>
        early > 0 ? $"INVALID: {early:N0} of {n:N0} fired before the window opened (the arming ran late, allowance {allowanceNanoseconds / TimeUnits.NanosecondsPerMillisecond:N0} ms)"
        : attempt > 0 ? $"armed {allowanceNanoseconds / TimeUnits.NanosecondsPerMillisecond:N0} ms ahead: {attempt} earlier attempt(s) ran late and were repeated"
        : null;

    /// <summary>
    /// Collects (blocking, all generations) once the timers are created and before they are armed, on both sides: the
    /// creation allocated about 130 MB (a timer and a delegate each), and the gen-0 collection that promotes it otherwise
    /// fell inside the measured window in some runs and not in others, which made the burst's CPU per expiry bimodal
    /// (133-151 ns without it in the window, 189-220 ns with it; issue 27, session twelve). Promoting what the setup
    /// allocated is the setup's cost, as BenchmarkDotNet collects before each iteration.
    /// </summary>
    private static void SettleCreation()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : $"{a}; {b}";

    /// <summary>Time to arm <paramref name="n"/> timers before the window opens, generously (about 1 µs each, at least 50 ms); doubled for each repeat (see <see cref="ArmingRetries"/>).</summary>
    private static long ArmingAllowance(int n) => Math.Max(50 * TimeUnits.NanosecondsPerMillisecond, n * 1_000L);

    private static void WaitUntil(TimerEngine engine, long atNanoseconds)
    {
        while (engine.NowNanoseconds < atNanoseconds)
        {
            Thread.Sleep(1);
        }
    }
}
