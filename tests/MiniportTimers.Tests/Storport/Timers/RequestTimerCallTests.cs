using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport.Timers;

/// <summary>semantics.md §1.4 (the legacy single adapter timer) and decisions A4, A11, A18.</summary>
public class RequestTimerCallTests
{
    [Fact]
    public void RequestTimerCall_ValueInMicroseconds_HwStorTimerRunsThenWithTheExtension()
    {
        var bed = new StorportTestBed();
        var seen = new List<(object, long)>();
        StorPortNotification(RequestTimerCall, bed.Ext, e => seen.Add((e, bed.NowMicroseconds)), 5_000);
        bed.AdvanceMicroseconds(4_999);
        Assert.Empty(seen);
        bed.AdvanceMicroseconds(10_000);
        Assert.Equal([(bed.Ext, 5_000L)], seen);
    }

    [Fact]
    public void A4_RequestWhilePending_ReplacesRoutineAndDueTime()
    {
        var bed = new StorportTestBed();
        var seen = new List<(string, long)>();
        StorPortNotification(RequestTimerCall, bed.Ext, _ => seen.Add(("first", bed.NowMicroseconds)), 5_000);
        bed.AdvanceMicroseconds(1_000);
        StorPortNotification(RequestTimerCall, bed.Ext, _ => seen.Add(("second", bed.NowMicroseconds)), 10_000);
        bed.AdvanceMicroseconds(50_000);
        Assert.Equal([("second", 11_000L)], seen);
    }

    [Fact]
    public void RequestTimerCall_ZeroValue_Cancels()
    {
        var bed = new StorportTestBed();
        var fired = false;
        HW_TIMER cb = _ => fired = true;
        StorPortNotification(RequestTimerCall, bed.Ext, cb, 5_000);
        StorPortNotification(RequestTimerCall, bed.Ext, cb, 0);
        bed.AdvanceMicroseconds(50_000);
        Assert.False(fired);
    }

    [Fact]
    public void A18_NullRoutineWithValue_Cancels()
    {
        var bed = new StorportTestBed();
        var fired = false;
        StorPortNotification(RequestTimerCall, bed.Ext, _ => fired = true, 5_000);
        StorPortNotification(RequestTimerCall, bed.Ext, null, 5_000);
        bed.AdvanceMicroseconds(50_000);
        Assert.False(fired);
        Assert.Equal(0, bed.Engine.PendingCount);
    }

    [Fact]
    public void RequestTimerCall_OneTimerPerAdapter_AdaptersAreIndependent()
    {
        var bed = new StorportTestBed(adapters: 2);
        var seen = new List<string>();
        StorPortNotification(RequestTimerCall, bed.Created[0].DeviceExtension, _ => seen.Add("a0"), 100);
        StorPortNotification(RequestTimerCall, bed.Created[1].DeviceExtension, _ => seen.Add("a1"), 200);
        bed.AdvanceMicroseconds(1_000);
        Assert.Equal(["a0", "a1"], seen);
    }

    [Fact]
    public void RequestTimerCall_HwStorTimer_RunsAtDispatchHoldingStartIoLock()
    {
        var bed = new StorportTestBed();
        (KIRQL, bool, bool) seen = default;
        StorPortNotification(RequestTimerCall, bed.Ext, _ => seen = (Ke.KeGetCurrentIrql(), bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread, bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread), 10);
        bed.AdvanceMicroseconds(10);
        Assert.Equal((KIRQL.DISPATCH_LEVEL, true, false), seen);
    }

    [Fact]
    public void RequestTimerCall_HalfDuplex_HwStorTimerAlsoHoldsInterruptLock()
    {
        var bed = new StorportTestBed(model: StorSynchronizeHalfDuplex);
        (KIRQL, bool, bool) seen = default;
        StorPortNotification(RequestTimerCall, bed.Ext, _ => seen = (Ke.KeGetCurrentIrql(), bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread, bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread), 10);
        bed.AdvanceMicroseconds(10);
        Assert.Equal((bed.Host.Options.InterruptIrql, true, true), seen);
    }

    [Fact]
    public void A11_RequestFromHwInterrupt_IsAppliedWhenIrqlDrops()
    {
        var bed = new StorportTestBed();
        var firedAt = -1L;
        var pendingInside = -1;
        bed.Interrupt = ext =>
        {
            StorPortNotification(RequestTimerCall, ext, _ => firedAt = bed.NowMicroseconds, 300);
            pendingInside = bed.Engine.PendingCount;
        };
        bed.Adapter.RaiseInterrupt();
        Assert.Equal(0, pendingInside);
        Assert.Equal(1, bed.Engine.PendingCount);
        bed.AdvanceMicroseconds(300);
        Assert.Equal(300, firedAt);
    }

    [Fact]
    public void A11_RequestFromInterruptReplacingAPendingOne_OldRequestNeverRunsEarly()
    {
        var bed = new StorportTestBed();
        var seen = new List<(string, long)>();
        StorPortNotification(RequestTimerCall, bed.Ext, _ => seen.Add(("old", bed.NowMicroseconds)), 100);
        StorportTestBed.AtIrql((KIRQL)5, () =>
            StorPortNotification(RequestTimerCall, bed.Ext, _ => seen.Add(("new", bed.NowMicroseconds)), 1_000));
        bed.AdvanceMicroseconds(5_000);
        Assert.Equal([("new", 1_000L)], seen);
    }

    [Fact]
    public void HwStorTimer_ReRequestsItself_PeriodicByCustom()
    {
        var bed = new StorportTestBed();
        var times = new List<long>();
        HW_TIMER? cb = null;
        cb = e =>
        {
            times.Add(bed.NowMicroseconds);
            StorPortNotification(RequestTimerCall, e, cb, 5_000);
        };
        StorPortNotification(RequestTimerCall, bed.Ext, cb, 5_000);
        bed.AdvanceMicroseconds(20_000);
        Assert.Equal([5_000L, 10_000, 15_000, 20_000], times);
    }

    [Fact]
    public void StorPortNotification_WrongTypeForOverload_Throws()
    {
        var bed = new StorportTestBed();
        Assert.Throws<ArgumentException>(() => StorPortNotification(RequestComplete, bed.Ext, (HW_TIMER?)null, 10));
    }
}
