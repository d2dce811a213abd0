using MiniportTimers.Diagnostics;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Diagnostics;

/// <summary>
/// Issue 27, session nine: a timer whose request allows a tolerable delay is judged by its lateness past that delay
/// (the engine may let it ride along with another wake-up anywhere inside it, by the DDI's contract), an exact timer by
/// its lateness; the run report's worst timer is the highest of those p99s. Virtual clock: a callback that stalls the
/// clock makes the timers due behind it fire late by a known amount.
/// </summary>
public sealed class TimerActivityToleranceTests
{
    [Fact]
    public void LatenessPastTheTolerableDelay_IsRecordedForTolerantRequestsOnly()
    {
        var bed = new StorportTestBed();
        // Due at 10 µs, the blocker holds the dispatcher 5 ms: the three timers due at 11 µs fire about 5 ms late.
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, bed.NewTimer(), Blocker, null, 10, 0));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, bed.NewTimer(), WithinItsDelay, null, 11, 20_000));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, bed.NewTimer(), PastItsDelay, null, 11, 1_000));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, bed.NewTimer(), Exact, null, 11, 0));
        bed.AdvanceMicroseconds(100_000);

        TimerActivity Row(string callback) => Assert.Single(bed.Host.Diagnostics.TimerActivity.Rows, r => r.Callback == callback);
        const long Late = 4_999_000; // 5 ms stalled from 10 µs, due at 11 µs: 5,010 - 11 µs, in ns
        var within = Row(nameof(WithinItsDelay));
        Assert.Equal(20_000_000, within.MaxToleranceNanoseconds);
        Assert.Equal(Late, within.Lateness.MaxNanoseconds);
        Assert.Equal(0, within.LatenessPastTolerance.MaxNanoseconds);
        Assert.Equal(1, within.LatenessPastTolerance.Count);

        var past = Row(nameof(PastItsDelay));
        Assert.Equal(Late - 1_000_000, past.LatenessPastTolerance.MaxNanoseconds);

        var exact = Row(nameof(Exact));
        Assert.Equal(0, exact.MaxToleranceNanoseconds);
        Assert.Equal(Late, exact.Lateness.MaxNanoseconds);
        Assert.Equal(0, exact.LatenessPastTolerance.Count); // exact rows pay for one record per fire, not two
    }

    private static void Blocker(object ext, object? context) => StorPortStallExecution(5_000);

    private static void WithinItsDelay(object ext, object? context)
    {
    }

    private static void PastItsDelay(object ext, object? context)
    {
    }

    private static void Exact(object ext, object? context)
    {
    }
}
