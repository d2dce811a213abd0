using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Watchdog;

namespace MiniportTimers.Tests.Kernel.Watchdog;

/// <summary>
/// The DPC watchdog's arithmetic (Kernel/Watchdog): what a callback is charged (elapsed less GC pauses, run-queue delay and
/// waits for the host's locks, never negative), when the run delay is read (only past the allotment), and the bug check
/// it gives. Scripted stolen time; the virtual engine's charge is its elapsed engine time alone.
/// </summary>
public sealed class DpcWatchdogTests : IDisposable
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private readonly RealTimeTimerEngine _real = new();

    public void Dispose() => _real.Dispose();

    [Fact]
    public void TheCharge_IsTheElapsedTimeLessEveryStolenPart_AndNeverNegative()
    {
        var charge = new WatchdogCharge(ElapsedNanoseconds: 10 * Ms, GcPauseNanoseconds: 2 * Ms, RunDelayNanoseconds: 3 * Ms, LockWaitNanoseconds: 1 * Ms);
        Assert.Equal((4 * Ms, 4_000L), (charge.RanNanoseconds, charge.RanMicroseconds));
        Assert.Equal(" (elapsed 10000 µs, less GC pauses 2000 µs, waiting for a CPU 3000 µs, waiting for the host's locks 1000 µs)", charge.Breakdown);

        Assert.Equal(0, new WatchdogCharge(1 * Ms, 5 * Ms, 0, 0).RanNanoseconds); // more stolen than elapsed: 0, not negative
        Assert.Equal(string.Empty, new WatchdogCharge(7 * Ms, 0, 0, 0).Breakdown); // nothing taken off: no breakdown
        Assert.Equal(1_999, new WatchdogCharge((2 * Ms) - 1, 0, 0, 0).RanMicroseconds); // µs truncate
    }

    [Fact]
    public void OnAVirtualEngine_TheChargeIsTheEngineTimeThatPassed_AndNoCounterIsRead()
    {
        using var engine = new VirtualTimerEngine();
        var stolen = new ScriptedStolenTime { GcNanoseconds = 50 * Ms };
        engine.AdvanceBy(3 * Ms);
        var stamp = DpcWatchdog.Begin(engine, stolen);
        engine.AdvanceBy(150 * Ms);
        var charge = DpcWatchdog.Charge(engine, stolen, stamp, engine.NowNanoseconds, 100 * Ms, ownThread: true);
        Assert.Equal(new WatchdogCharge(150 * Ms, 0, 0, 0), charge);
        Assert.Equal(0, stolen.Reads);
    }

    [Fact]
    public void BelowTheAllotment_OnlyGcPausesAreTakenOff_TheRunDelayIsNotRead()
    {
        var stolen = new ScriptedStolenTime { GcNanoseconds = 3 * Ms, Scheduler = new SchedulerStats(OnCpuNanoseconds: 0, RunDelayNanoseconds: 10 * Ms) };
        var stamp = new WatchdogStamp(StartNanoseconds: 0, GcPauseNanoseconds: 1 * Ms, new SchedulerStats(0, 2 * Ms), ThreadId: 42, LockWaits: null, LockWaitNanoseconds: 0);

        var charge = DpcWatchdog.Charge(_real, stolen, stamp, nowNanoseconds: 20 * Ms, limitNanoseconds: 50 * Ms, ownThread: true);

        Assert.Equal(new WatchdogCharge(20 * Ms, 2 * Ms, 0, 0), charge); // 18 ms < 50 ms: final without the scheduler
        Assert.Equal(0, stolen.SchedulerReads);
    }

    [Fact]
    public void PastTheAllotment_TheRunDelaySinceTheStampIsTakenOffToo()
    {
        var stolen = new ScriptedStolenTime { GcNanoseconds = 3 * Ms, Scheduler = new SchedulerStats(OnCpuNanoseconds: 0, RunDelayNanoseconds: 10 * Ms) };
        var stamp = new WatchdogStamp(0, 1 * Ms, new SchedulerStats(0, 2 * Ms), 42, null, 0);

        var charge = DpcWatchdog.Charge(_real, stolen, stamp, 20 * Ms, limitNanoseconds: 10 * Ms, ownThread: true);

        Assert.Equal(new WatchdogCharge(20 * Ms, 2 * Ms, 8 * Ms, 0), charge);
        Assert.Equal(10 * Ms, charge.RanNanoseconds); // 20 - 2 - 8: at the allotment, not past it
        Assert.Equal(1, stolen.SchedulerReads);
    }

    [Fact]
    public void SeenFromAnotherThread_ARunnableCallbackIsChargedItsCpuTime()
    {
        var stolen = new ScriptedStolenTime { Scheduler = new SchedulerStats(OnCpuNanoseconds: 15 * Ms, RunDelayNanoseconds: 0), Runnable = true };
        var stamp = new WatchdogStamp(0, 0, new SchedulerStats(5 * Ms, 0), 42, null, 0);

        var charge = DpcWatchdog.Charge(_real, stolen, stamp, 40 * Ms, limitNanoseconds: 20 * Ms, ownThread: false);

        Assert.Equal(10 * Ms, charge.RanNanoseconds); // on a CPU 10 ms of the 40: the other 30 count as waiting for one
        Assert.Equal(30 * Ms, charge.RunDelayNanoseconds);
    }

    [Fact]
    public void TheViolation_IsDpcWatchdogViolation_WithTheRunTimeAndTheAllotmentInMicroseconds()
    {
        var returned = DpcWatchdog.Violation("HwStorTimer", new WatchdogCharge(150 * Ms, 0, 0, 0), 100_000, returned: true);
        Assert.Equal((BugCheckCodes.DPC_WATCHDOG_VIOLATION, 0ul, 150_000ul, 100_000ul, 0ul), (returned.Code, returned.Parameter1, returned.Parameter2, returned.Parameter3, returned.Parameter4));
        Assert.Contains("HwStorTimer ran 150000 µs at DISPATCH_LEVEL", returned.Detail, StringComparison.Ordinal);

        var stuck = DpcWatchdog.Violation("HwStorTimer", new WatchdogCharge(150 * Ms, 20 * Ms, 0, 0), 100_000, returned: false);
        Assert.Equal(130_000ul, stuck.Parameter2);
        Assert.Contains("has not returned", stuck.Detail, StringComparison.Ordinal);
        Assert.Contains("less GC pauses 20000 µs", stuck.Detail, StringComparison.Ordinal);
    }

    private sealed class ScriptedStolenTime : IStolenTimeSource
    {
        public long GcNanoseconds { get; init; }

        public SchedulerStats Scheduler { get; init; }

        public bool Runnable { get; init; }

        public int Reads { get; private set; }

        public int SchedulerReads { get; private set; }

        public long GcPauseNanoseconds()
        {
            Reads++;
            return GcNanoseconds;
        }

        public int CurrentThreadId()
        {
            Reads++;
            return 42;
        }

        public SchedulerStats SchedulerStats(int threadId, bool ownThread)
        {
            Reads++;
            SchedulerReads++;
            return Scheduler;
        }

        public SchedulerStats RecentSchedulerStats(long maxAgeNanoseconds)
        {
            Reads++;
            return Scheduler;
        }

        public bool IsRunnable(int threadId) => Runnable;
    }
}
