using System.Runtime.CompilerServices;
using MiniportTimers.Diagnostics;
using MiniportTimers.Engine;
using MiniportTimers.Samples.Harness;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Diagnostics;

/// <summary>
/// Issue 27: each row's longest callback run says what its time went to where the library knows it: its first call (the
/// JIT on the run's thread), a collection during it (GC pauses), or the callback's own time. On the virtual clock a
/// run takes engine time only when it moves the clock, so the first run of a row is its longest and names the cause.
/// </summary>
public class CallbackRunCauseTests
{
    /// <summary>Fires <paramref name="callback"/> once as a new row, after another row has run the host's expiry path once.</summary>
    private static CallbackRun FireOnce(HW_TIMER_EX callback)
    {
        using var engine = new VirtualTimerEngine();
        var host = new StorportHost(engine);
        var ext = NullMiniport.Start(host);
        StorPortInitializeTimer(ext, out var warm);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(ext, warm, static (_, _) => StorPortStallExecution(1), null, 1_000, 0));
        engine.AdvanceBy(2 * TimeUnits.NanosecondsPerMillisecond); // the host's path and a stall, compiled by another row's first run

        StorPortInitializeTimer(ext, out var timer);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(ext, timer, callback, null, 1_000, 0));
        engine.AdvanceBy(200 * TimeUnits.NanosecondsPerMillisecond);
        var row = host.Diagnostics.TimerActivity.Rows.Single(r => r.Callback == callback.Method.Name);
        Assert.Equal(1, row.Fires);
        return Assert.IsType<CallbackRun>(row.LongestRun);
    }

    [Fact]
    public void ACallbackThatCollects_IsAttributedToACollection()
    {
        var collect = false;
        HW_TIMER_EX callback = (_, _) =>
        {
            if (collect)
            {
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            }
        };
        RuntimeHelpers.PrepareMethod(callback.Method.MethodHandle); // its own first call is not the cause here
        collect = true;

        var run = FireOnce(callback);

        Assert.Equal(CallbackRunCause.Collection, run.Cause);
        Assert.InRange(run.Collections, 2, int.MaxValue);
        Assert.True(run.CollectionPauseNanoseconds > 0);
        Assert.Equal(0, run.Nanoseconds); // the virtual clock did not move
    }

    [Fact]
    public void ACallbacksFirstCall_IsAttributedToTheJit()
    {
        // Methods no code has run yet: a fresh instantiation of the collections over this test's own value type.
        var run = FireOnce((_, _) =>
        {
            foreach (var type in new[] { typeof(Dictionary<FreshKey, FreshKey>), typeof(List<FreshKey>), typeof(SortedSet<FreshKey>) })
            {
                foreach (var method in type.GetMethods().Where(m => !m.IsGenericMethodDefinition && !m.IsAbstract))
                {
                    RuntimeHelpers.PrepareMethod(method.MethodHandle);
                }
            }
        });

        Assert.True(run.JitNanoseconds > 0);
        if (run.Collections == 0)
        {
            Assert.Equal(CallbackRunCause.FirstCall, run.Cause);
        }
        else
        {
            // Another test's collection landed inside this run (the suite runs classes in parallel): the cause is then
            // whichever part was larger, and the JIT time is still measured.
            Assert.Equal(run.JitNanoseconds >= run.CollectionPauseNanoseconds ? CallbackRunCause.FirstCall : CallbackRunCause.Collection, run.Cause);
        }
    }

    [Fact]
    public void ACallbackThatStalls_IsAttributedToItsOwnTime()
    {
        HW_TIMER_EX callback = (_, _) => StorPortStallExecution(50_000); // the virtual clock moves 50 ms inside the callback (the DPC watchdog allows 100)
        RuntimeHelpers.PrepareMethod(callback.Method.MethodHandle);

        var run = FireOnce(callback);

        Assert.Equal(CallbackRunCause.OwnTime, run.Cause);
        Assert.InRange(run.Nanoseconds, 50 * TimeUnits.NanosecondsPerMillisecond, long.MaxValue);
    }

    [Theory]
    [InlineData(10_000_000, 0, 0, CallbackRunCause.OwnTime)]
    [InlineData(10_000_000, 6_000_000, 0, CallbackRunCause.FirstCall)]   // 6 of 10 ms JIT: the rest is 4 ms
    [InlineData(10_000_000, 4_000_000, 0, CallbackRunCause.OwnTime)]     // 4 of 10 ms JIT: the rest is 6 ms
    [InlineData(10_000_000, 1_000_000, 7_000_000, CallbackRunCause.Collection)]
    [InlineData(10_000_000, 5_000_000, 4_000_000, CallbackRunCause.FirstCall)]
    [InlineData(0, 0, 300_000, CallbackRunCause.Collection)]              // virtual clock: no engine time, a pause
    [InlineData(0, 0, 0, CallbackRunCause.OwnTime)]
    public void TheCause_IsTheLargestPart(long nanoseconds, long jitNanoseconds, long pauseNanoseconds, CallbackRunCause cause) =>
        Assert.Equal(cause, new CallbackRun(nanoseconds, "adapter0", pauseNanoseconds > 0 ? 1 : 0, pauseNanoseconds, jitNanoseconds).Cause);

    [Theory]
    [InlineData(200_000_000, 0, 190_000_000, CallbackRunCause.WaitedForCpu)] // a loaded machine: descheduled for 190 of 200 ms
    [InlineData(10_000_000, 0, 4_000_000, CallbackRunCause.OwnTime)]
    [InlineData(10_000_000, 5_000_000, 3_000_000, CallbackRunCause.FirstCall)]
    public void AWaitForACpu_IsACauseOfItsOwn(long nanoseconds, long jitNanoseconds, long cpuWaitNanoseconds, CallbackRunCause cause) =>
        Assert.Equal(cause, new CallbackRun(nanoseconds, "adapter0", 0, 0, jitNanoseconds, cpuWaitNanoseconds).Cause);

    [Theory]
    [InlineData(2_000_000, 0, 0, 1_800_000, CallbackRunCause.WaitedForSpinLock)]    // 1.8 of 2 ms waiting for the StartIo lock another thread held
    [InlineData(2_000_000, 0, 0, 900_000, CallbackRunCause.OwnTime)]                // 0.9 of 2 ms: the rest is 1.1 ms
    [InlineData(10_000_000, 6_000_000, 0, 3_000_000, CallbackRunCause.FirstCall)]
    [InlineData(10_000_000, 0, 5_000_000, 4_000_000, CallbackRunCause.WaitedForCpu)]
    public void AWaitForASpinLock_IsACauseOfItsOwn(long nanoseconds, long jitNanoseconds, long cpuWaitNanoseconds, long spinLockWaitNanoseconds, CallbackRunCause cause) =>
        Assert.Equal(cause, new CallbackRun(nanoseconds, "adapter0", 0, 0, jitNanoseconds, cpuWaitNanoseconds, spinLockWaitNanoseconds).Cause);

    private readonly record struct FreshKey(int A, long B) : IComparable<FreshKey>
    {
        public int CompareTo(FreshKey other) => (A, B).CompareTo((other.A, other.B));
    }
}
