using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Kernel.Ex;
using static MiniportTimers.Kernel.Ke;

namespace MiniportTimers.Tests.Kernel;

/// <summary>
/// Issue 26 §2: KTIMER and EX_TIMER stand on the one timer core (Kernel/Timers/TimerCore), so those a miniport's routine
/// initializes get what every timer of its host gets: report rows, trace events, and the host's Windows clock tick
/// (except EX_TIMER_HIGH_RESOLUTION timers, which Windows does not run on the default tick). Virtual clock.
/// </summary>
public sealed class KernelTimersOnTheCoreTests
{
    private const long Us = TimeUnits.NanosecondsPerMicrosecond;
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public void AKeSetTimerExTimer_OfAMiniportRoutine_HasARowNamedAfterItsDpcRoutine_AndTraceEventsOnItsAdaptersTrack()
    {
        var bed = new StorportTestBed();
        bed.Host.Trace = new TraceRecorder();
        var timer = new KTIMER();
        var dpc = new KDPC();
        var ranAt = new List<long>();
        InRoutine(bed, () =>
        {
            KeInitializeTimerEx(timer, NotificationTimer);
            KeInitializeDpc(dpc, (_, _, _, _) => ranAt.Add(bed.NowMicroseconds), null);
            KeSetTimerEx(timer, -10 * 10_000, 0, dpc); // 10 ms
        });
        bed.AdvanceMicroseconds(20_000);
        Assert.Equal([10_000L], ranAt);

        var row = Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "KTIMER");
        Assert.Equal((1L, 1L, 0L), (row.Arms, row.Fires, row.Cancels));
        Assert.Contains("AKeSetTimerExTimer", row.Callback, StringComparison.Ordinal); // the DPC routine's (lambda) method
        Assert.Equal(0, row.Lateness.MaxNanoseconds);
        Assert.Equal(bed.Adapter.Name, row.LongestRunAdapter);

        var events = TraceEvents(bed.Host.Trace, "KTIMER"); // the arm, then the callback (an instant: it took no virtual time)
        Assert.Equal([($"arm {row.Callback}", 0.0), (row.Callback, 10_000.0)], events.Select(e => (e.Name, e.TimestampMicroseconds)));
    }

    [Fact]
    public void AKeTimerCancel_IsCountedAndTraced()
    {
        var bed = new StorportTestBed();
        bed.Host.Trace = new TraceRecorder();
        var timer = new KTIMER();
        var dpc = new KDPC();
        InRoutine(bed, () =>
        {
            KeInitializeTimer(timer);
            KeInitializeDpc(dpc, (_, _, _, _) => { }, null);
            KeSetTimer(timer, -10 * 10_000, dpc);
            Assert.True(KeCancelTimer(timer));
        });
        bed.AdvanceMicroseconds(20_000);
        var row = Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "KTIMER");
        Assert.Equal((1L, 0L, 1L), (row.Arms, row.Fires, row.Cancels));
        Assert.Equal([$"arm {row.Callback}", $"cancel {row.Callback}"], TraceEvents(bed.Host.Trace, "KTIMER").Select(e => e.Name));
    }

    [Fact]
    public void OnTheDefaultWindowsTick_A1msKeTimer_FiresAtTheNextTickBoundary_AndKeQueryTimeIncrementSaysThatTick()
    {
        var bed = new StorportTestBed(new StorportHostOptions { WindowsClockTickMicroseconds = KernelHostOptions.DefaultWindowsClockTickMicroseconds });
        var timer = new KTIMER();
        var dpc = new KDPC();
        var ranAt = new List<long>();
        uint increment = 0;
        InRoutine(bed, () =>
        {
            increment = KeQueryTimeIncrement();
            KeInitializeTimerEx(timer, SynchronizationTimer);
            KeInitializeDpc(dpc, (_, _, _, _) => ranAt.Add(bed.NowMicroseconds), null);
            KeSetTimerEx(timer, -1 * 10_000, 0, dpc); // 1 ms
        });
        Assert.Equal(156_250u, increment);
        bed.AdvanceMicroseconds(15_624);
        Assert.Empty(ranAt);
        bed.AdvanceMicroseconds(1);
        Assert.Equal([15_625L], ranAt);
        var row = Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "KTIMER");
        Assert.Equal(14_625 * Us, row.Lateness.MaxNanoseconds); // lateness counts from the 1 ms asked
    }

    [Fact]
    public void OnTheDefaultWindowsTick_APeriodicKeTimer_RunsOnWholeTicks()
    {
        var bed = new StorportTestBed(new StorportHostOptions { WindowsClockTickMicroseconds = KernelHostOptions.DefaultWindowsClockTickMicroseconds });
        var timer = new KTIMER();
        var dpc = new KDPC();
        var ranAt = new List<long>();
        InRoutine(bed, () =>
        {
            KeInitializeTimer(timer);
            KeInitializeDpc(dpc, (_, _, _, _) => ranAt.Add(bed.NowMicroseconds), null);
            KeSetTimerEx(timer, -20 * 10_000, 20, dpc); // 20 ms, then every 20 ms: 2 ticks = 31.25 ms each
        });
        bed.AdvanceMicroseconds(100_000);
        Assert.Equal([31_250L, 62_500, 93_750], ranAt);
    }

    [Fact]
    public void OnTheDefaultWindowsTick_A1msExTimer_FiresAtTheNextTickBoundary()
    {
        var bed = new StorportTestBed(new StorportHostOptions { WindowsClockTickMicroseconds = KernelHostOptions.DefaultWindowsClockTickMicroseconds });
        var ranAt = new List<long>();
        InRoutine(bed, () => ExSetTimer(ExAllocateTimer((_, _) => ranAt.Add(bed.NowMicroseconds), null, 0)!, -1 * 10_000, 0, null));
        bed.AdvanceMicroseconds(15_624);
        Assert.Empty(ranAt);
        bed.AdvanceMicroseconds(1);
        Assert.Equal([15_625L], ranAt);
        var row = Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "EX_TIMER");
        Assert.Equal((1L, 1L), (row.Arms, row.Fires));
        Assert.Equal(14_625 * Us, row.Lateness.MaxNanoseconds);
    }

    [Fact]
    public void OnTheDefaultWindowsTick_AHighResolutionExTimer_IsNotQuantized()
    {
        var bed = new StorportTestBed(new StorportHostOptions { WindowsClockTickMicroseconds = KernelHostOptions.DefaultWindowsClockTickMicroseconds });
        var ranAt = new List<long>();
        InRoutine(bed, () => ExSetTimer(ExAllocateTimer((_, _) => ranAt.Add(bed.NowMicroseconds), null, EX_TIMER_HIGH_RESOLUTION)!, -1 * 10_000, 1 * 10_000, null));
        bed.AdvanceMicroseconds(3_000);
        Assert.Equal([1_000L, 2_000, 3_000], ranAt); // 1 ms, then every 1 ms: on time, not on the 15.625 ms tick
        Assert.Equal(0, Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "EX_TIMER").Lateness.MaxNanoseconds);
    }

    [Fact]
    public void AnExTimer_HasARowAndTraceEvents_AndADeleteAfterItsExpiryLetsThatExpiryRunOnce()
    {
        var bed = new StorportTestBed();
        bed.Host.Trace = new TraceRecorder();
        var ranAt = new List<long>();
        EX_TIMER? timer = null;
        InRoutine(bed, () =>
        {
            timer = ExAllocateTimer((_, _) => ranAt.Add(bed.NowMicroseconds), null, 0)!;
            ExSetTimer(timer, -5 * 10_000, 5 * 10_000, null); // every 5 ms
            Assert.False(ExDeleteTimer(timer, Cancel: false, Wait: false, Parameters: null)); // the pending expiry runs once
        });
        bed.AdvanceMicroseconds(30_000);
        Assert.Equal([5_000L], ranAt);
        var row = Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "EX_TIMER");
        Assert.Equal((1L, 1L), (row.Arms, row.Fires));
        Assert.Equal([$"arm {row.Callback}", row.Callback], TraceEvents(bed.Host.Trace!, "EX_TIMER").Select(e => e.Name));
    }

    [Fact]
    public void ExDeleteTimerWithWait_FromAnotherThread_WaitsForTheRunningCallback()
    {
        var bed = new StorportTestBed();
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var returned = false;
        EX_TIMER? timer = null;
        InRoutine(bed, () =>
        {
            timer = ExAllocateTimer((_, _) =>
            {
                entered.Set();
                release.Wait();
                returned = true;
            }, null, 0)!;
            ExSetTimer(timer, -10_000, 0, null);
        });
        var dispatcher = new Thread(() => bed.AdvanceMicroseconds(1_000));
        dispatcher.Start();
        Assert.True(entered.Wait(TimeSpan.FromSeconds(10)));
        var deleter = new Thread(() => ExDeleteTimer(timer!, Cancel: true, Wait: true, Parameters: null)); // a PASSIVE_LEVEL thread
        deleter.Start();
        Assert.False(deleter.Join(TimeSpan.FromMilliseconds(50))); // still waiting: the callback is held until released
        release.Set();
        Assert.True(deleter.Join(TimeSpan.FromSeconds(10)));
        Assert.True(returned);
        dispatcher.Join();
    }

    [Fact]
    public void KeTimersOfABareUseEngineScope_RecordNothing_AndArePrecise()
    {
        using var engine = new VirtualTimerEngine();
        using var scope = UseEngine(engine);
        var timer = new KTIMER();
        var dpc = new KDPC();
        var ranAt = new List<long>();
        KeInitializeTimer(timer);
        KeInitializeDpc(dpc, (_, _, _, _) => ranAt.Add(engine.NowNanoseconds), null);
        KeSetTimer(timer, -1 * 10_000, dpc);
        engine.AdvanceBy(1 * Ms);
        Assert.Equal([1 * Ms], ranAt);
        Assert.Equal(156_250u, KeQueryTimeIncrement()); // Windows' default, though a bare scope runs timers precisely
    }

    private static void InRoutine(StorportTestBed bed, Action body)
    {
        bed.StartIo = (_, _) => body();
        bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK());
        bed.AdvanceMicroseconds(0);
        Assert.Empty(bed.Host.BugChecks);
    }

    private static List<(string Name, double TimestampMicroseconds)> TraceEvents(TraceRecorder recorder, string kind)
    {
        using var stream = new MemoryStream();
        recorder.WriteTo(stream);
        using var json = System.Text.Json.JsonDocument.Parse(stream.ToArray());
        return [.. json.RootElement.GetProperty("traceEvents").EnumerateArray()
            .Where(e => e.TryGetProperty("cat", out var cat) && cat.GetString() == kind)
            .Select(e => (e.GetProperty("name").GetString()!, e.GetProperty("ts").GetDouble()))];
    }
}
