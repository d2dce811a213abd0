using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Ndis;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Ndis.NdisApi;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Kernel;

/// <summary>Windows-tick fidelity mode: expiries on the first clock tick at or after the due time; lateness from the request.</summary>
public class WindowsClockTickTests
{
    private const long Us = TimeUnits.NanosecondsPerMicrosecond;

    [Theory]
    [InlineData(0L, 15_625L, 0L)]
    [InlineData(1L, 15_625L, 15_625L)]
    [InlineData(15_625L, 15_625L, 15_625L)]
    [InlineData(15_626L, 15_625L, 31_250L)]
    [InlineData(10_100L, 1_000L, 11_000L)]
    public void Quantize_RoundsUpToTheNextTick(long dueUs, long tickUs, long expectedUs) =>
        Assert.Equal(expectedUs * Us, WindowsClockTick.Quantize(dueUs * Us, tickUs));

    [Fact]
    public void TickBelowHalfAMillisecond_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StorportHostOptions { WindowsClockTickMicroseconds = 100 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new NdisHostOptions { WindowsClockTickMicroseconds = 499 });
    }

    [Fact]
    public void StorPortRequestTimer_10msOnTheDefaultTick_FiresAt15_625msAndReportsThatLateness()
    {
        var bed = new StorportTestBed(new StorportHostOptions { WindowsClockTickMicroseconds = WindowsClockTick.DefaultMicroseconds });
        var firedAt = -1L;
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => firedAt = bed.NowMicroseconds, null, 10_000, 0);
        bed.AdvanceMicroseconds(15_624);
        Assert.Equal(-1, firedAt);
        bed.AdvanceMicroseconds(1);
        Assert.Equal(15_625, firedAt);
        Assert.Equal(5_625 * Us, bed.Host.TimerActivity.Rows.Single().Lateness.MaxNanoseconds);
    }

    [Fact]
    public void RequestTimerCall_WithTimeBeginPeriod1_FiresOnTheMillisecond()
    {
        var bed = new StorportTestBed(new StorportHostOptions { WindowsClockTickMicroseconds = 1_000 });
        var firedAt = -1L;
        StorPortNotification(RequestTimerCall, bed.Ext, _ => firedAt = bed.NowMicroseconds, 10_100);
        bed.AdvanceMicroseconds(20_000);
        Assert.Equal(11_000, firedAt);
    }

    [Fact]
    public void NdisPeriodicTimer_PeriodBecomesWholeTicks_LatenessFromTheRequestedSchedule()
    {
        var bed = new NdisTestBed(options: new NdisHostOptions { WindowsClockTickMicroseconds = WindowsClockTick.DefaultMicroseconds });
        var fired = new List<long>();
        var t = new NDIS_MINIPORT_TIMER();
        NdisMInitializeTimer(t, bed.Adapter, (_, _, _, _) => fired.Add(bed.Engine.NowNanoseconds / Us), null);
        NdisMSetPeriodicTimer(t, 100); // 100 ms asked: 7 ticks = 109.375 ms on the Windows clock
        bed.AdvanceMs(330);
        Assert.Equal([109_375L, 218_750, 328_125], fired);
        var row = bed.Host.Diagnostics.TimerActivity.Rows.Single();
        Assert.Equal(28_125 * Us, row.Lateness.MaxNanoseconds); // the third expiry: 328.125 ms against 300 ms asked
    }

    [Fact]
    public void NoTick_IsPrecise()
    {
        var bed = new StorportTestBed();
        var firedAt = -1L;
        StorPortRequestTimer(bed.Ext, bed.NewTimer(), (_, _) => firedAt = bed.NowMicroseconds, null, 10_000, 0);
        bed.AdvanceMicroseconds(10_000);
        Assert.Equal(10_000, firedAt);
    }
}
