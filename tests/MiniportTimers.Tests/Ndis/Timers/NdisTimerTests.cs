using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Ndis.Timers;

/// <summary>
/// Issue 26 §2: an NDIS timer is made as Windows makes it, a KTIMER and a KDPC whose deferred routine is NDIS's
/// (Ndis/Timers/NdisTimer). What that gives it, on the virtual clock: the KTIMER's rule, its report row under the NDIS
/// kind, the Windows tick, and the cancel without a gate (Kernel/Timers/TimerCore.CancelQueued).
/// </summary>
public sealed class NdisTimerTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public void AnNdis5Timer_RunsItsFunctionFromNdissDpc_AtDispatchLevel_InItsAdaptersRoutine_WithTheKtimerRow()
    {
        var bed = new NdisTestBed();
        var timer = new NDIS_MINIPORT_TIMER();
        var calls = new List<(object SystemSpecific1, object? Context, KIRQL Irql, string? Adapter, long AtMs)>();
        NdisMInitializeTimer(timer, bed.Adapter, (s1, ctx, _, _) => calls.Add((s1, ctx, Ke.KeGetCurrentIrql(), NdisRoutines.CurrentAdapter?.Name, bed.NowMs)), "ctx");
        NdisMSetTimer(timer, 10);
        bed.AdvanceMs(20);

        var call = Assert.Single(calls);
        Assert.Same(timer, call.SystemSpecific1);
        Assert.Equal(("ctx", KIRQL.DISPATCH_LEVEL, bed.Adapter.Name, 10L), (call.Context as string, call.Irql, call.Adapter, call.AtMs));
        var row = Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "NdisMTimer");
        Assert.Equal((1L, 1L, 0L), (row.Arms, row.Fires, row.Cancels));
        Assert.Contains(nameof(AnNdis5Timer_RunsItsFunctionFromNdissDpc_AtDispatchLevel_InItsAdaptersRoutine_WithTheKtimerRow), row.Callback, StringComparison.Ordinal); // the miniport's function, not NDIS's DPC routine
        Assert.DoesNotContain(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "KTIMER");
    }

    [Fact]
    public void OnTheDefaultWindowsTick_A1msNdisTimerObject_FiresAtTheNextTickBoundary()
    {
        var bed = new NdisTestBed(options: new NdisHostOptions { WindowsClockTickMicroseconds = KernelHostOptions.DefaultWindowsClockTickMicroseconds });
        var firedAtNanoseconds = new List<long>();
        var timerObject = bed.NewTimerObject((_, _, _, _) => firedAtNanoseconds.Add(bed.Engine.NowNanoseconds));
        NdisSetTimerObject(timerObject, -1 * 10_000, 0, null); // 1 ms
        bed.Virtual.AdvanceBy((15_625 * TimeUnits.NanosecondsPerMicrosecond) - 1);
        Assert.Empty(firedAtNanoseconds);
        bed.Virtual.AdvanceBy(1);
        Assert.Equal([15_625 * TimeUnits.NanosecondsPerMicrosecond], firedAtNanoseconds);
        Assert.Equal(1L, Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "NdisTimerObject").Fires);
    }

    [Fact]
    public void TheFunctionContextOfTheLatestSet_IsWhatTheCallbackGets_AndNullMeansTheAllocationsOne()
    {
        var bed = new NdisTestBed();
        var contexts = new List<object?>();
        var timerObject = bed.NewTimerObject((_, ctx, _, _) => contexts.Add(ctx), defaultContext: "allocated");
        NdisSetTimerObject(timerObject, -10 * 10_000, 0, "first");
        bed.AdvanceMs(20);
        NdisSetTimerObject(timerObject, -10 * 10_000, 0, null);
        bed.AdvanceMs(20);
        Assert.Equal(["first", "allocated"], contexts);
    }

    [Fact]
    public async Task SetsAndCancelsRacingOnTwoThreads_CountEveryCancelThatFoundItQueued_AndLeaveNothingQueued()
    {
        // The cancel takes no gate (TimerCore.CancelQueued's interleaving): a cancel racing a set must still say TRUE exactly
        // for the armings it dequeued, and the row must count exactly those.
        var bed = new NdisTestBed();
        var timer = new NDIS_MINIPORT_TIMER();
        NdisMInitializeTimer(timer, bed.Adapter, (_, _, _, _) => { }, null);
        const int Sets = 50_000;
        long cancelledTrue = 0;
        using var start = new Barrier(2);
        var setter = Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Sets; i++)
            {
                NdisMSetTimer(timer, 1_000);
            }
        });
        var canceller = Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < Sets; i++)
            {
                NdisMCancelTimer(timer, out var cancelled);
                if (cancelled)
                {
                    cancelledTrue++;
                }
            }
        });
        await Task.WhenAll(setter, canceller);
        NdisMCancelTimer(timer, out var last);
        if (last)
        {
            cancelledTrue++;
        }

        Assert.False(timer.Timer!.IsQueued);
        var row = Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Kind == "NdisMTimer");
        Assert.Equal(Sets, row.Arms);
        Assert.Equal(cancelledTrue, row.Cancels);
        Assert.Equal(Sets, row.Cancels + row.Replaced); // every arming ended dequeued by a cancel or replaced by the next set
        bed.AdvanceMs(2_000);
        Assert.Equal(0L, row.Fires);
    }

    [Fact]
    public async Task SetsRacingTheDispatchersCommits_ThenAFreeAtPassiveLevel_NoCallbackRunsAfterTheFreeReturned()
    {
        // Session thirteen: a KTIMER's set, free and commit claim the state word (TimerCore diagram (7)) where they took a
        // monitor. On a real engine with two dispatchers, sets from another thread race the commits of the expiries they
        // replace, then a free races the last expiry: it must return only after a committed callback returned, and no
        // callback may start after it (RunningCallbacks' diagram); every callback that ran is counted once on the row.
        using var engine = new RealTimeTimerEngine("claims", dispatchers: 2);
        var bed = new NdisTestBed(engine: engine);
        const int Rounds = 200;
        var freed = new bool[Rounds];
        long startedAfterFree = 0, callbacks = 0;
        var running = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var r = round;
            var timerObject = bed.NewTimerObject((_, _, _, _) =>
            {
                if (Volatile.Read(ref freed[r]))
                {
                    Interlocked.Increment(ref startedAfterFree);
                }

                Interlocked.Increment(ref running);
                Thread.SpinWait(500); // a callback long enough for a free to find it running
                Interlocked.Decrement(ref running);
                Interlocked.Increment(ref callbacks);
            });
            await Task.Run(() =>
            {
                for (var i = 0; i < 20; i++)
                {
                    NdisSetTimerObject(timerObject, -10, 0, null); // 1 µs: the dispatcher commits while the next set claims
                    Thread.SpinWait(i * 50);
                }
            });
            NdisCancelTimerObject(timerObject); // an expiry already taken still runs (the rule): the free races its commit
            NdisFreeTimerObject(timerObject); // PASSIVE_LEVEL, another thread than the dispatchers': waits for a running callback
            Assert.Equal(0, Volatile.Read(ref running));
            Volatile.Write(ref freed[r], true);
        }

        engine.FlushDispatched();
        Assert.Equal(0L, Interlocked.Read(ref startedAfterFree));
        Assert.True(Interlocked.Read(ref callbacks) > 0, "no expiry committed: the race was not exercised");
        var row = Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, row => row.Kind == "NdisTimerObject");
        Assert.Equal(Rounds * 20L, row.Arms);
        Assert.Equal(Interlocked.Read(ref callbacks), row.Fires);
    }
}
