using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport.Timers;

/// <summary>semantics.md §1.2 and decisions A1-A5, A8, A16.</summary>
public class StorPortRequestTimerTests
{
    private static void Nop(object ext, object? ctx)
    {
    }

    [Fact]
    public void StorPortRequestTimer_TimerValueInMicroseconds_CallbackRunsExactlyThen()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var firedAt = -1L;
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, t, (_, _) => firedAt = bed.NowMicroseconds, null, 10_000, 0));
        bed.AdvanceMicroseconds(9_999);
        Assert.Equal(-1, firedAt);
        bed.AdvanceMicroseconds(1);
        Assert.Equal(10_000, firedAt);
    }

    [Fact]
    public void StorPortRequestTimer_OneShot_FiresOnlyOnce()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var fires = 0;
        StorPortRequestTimer(bed.Ext, t, (_, _) => fires++, null, 100, 0);
        bed.AdvanceMicroseconds(10_000);
        Assert.Equal(1, fires);
    }

    [Fact]
    public void A4_ReRequestWhilePending_ReturnsBusyAndKeepsTheFirstRequest()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var seen = new List<(string Ctx, long At)>();
        StorPortRequestTimer(bed.Ext, t, (_, c) => seen.Add(((string)c!, bed.NowMicroseconds)), "first", 1_000, 0);
        Assert.Equal(STOR_STATUS_BUSY, StorPortRequestTimer(bed.Ext, t, (_, c) => seen.Add(((string)c!, bed.NowMicroseconds)), "second", 50, 0));
        Assert.Equal(0xC100000Cu, STOR_STATUS_BUSY);
        bed.AdvanceMicroseconds(5_000);
        Assert.Equal([("first", 1_000L)], seen);
        Assert.Equal(1, bed.Host.TimerActivity.Rows.Sum(r => r.Busy));
    }

    [Fact]
    public void StorPortRequestTimer_ZeroValue_CancelsThePendingRequest()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var fired = false;
        HW_TIMER_EX cb = (_, _) => fired = true;
        StorPortRequestTimer(bed.Ext, t, cb, null, 1_000, 0);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, t, cb, null, 0, 0));
        bed.AdvanceMicroseconds(5_000);
        Assert.False(fired);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, t, cb, null, 1_000, 0));
    }

    [Fact]
    public void A2_ZeroValueOnIdleTimer_ReturnsSuccessEveryTime()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, t, Nop, null, 0, 0));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, t, Nop, null, 0, 0));
    }

    [Fact]
    public void A2_ZeroValueWithNullCallback_ReturnsInvalidParameterAndKeepsTheRequest()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var fired = false;
        StorPortRequestTimer(bed.Ext, t, (_, _) => fired = true, null, 1_000, 0);
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortRequestTimer(bed.Ext, t, null, null, 0, 0));
        bed.AdvanceMicroseconds(1_000);
        Assert.True(fired);
    }

    [Fact]
    public void StorPortRequestTimer_NullExtensionHandleOrCallback_ReturnsInvalidParameter()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortRequestTimer(null, t, Nop, null, 10, 0));
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortRequestTimer(bed.Ext, null, Nop, null, 10, 0));
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortRequestTimer(bed.Ext, t, null, null, 10, 0));
        Assert.Equal(0, bed.Engine.PendingCount);
    }

    [Fact]
    public void StorPortRequestTimer_HandleOfAnotherAdapter_ReturnsInvalidParameter()
    {
        var bed = new StorportTestBed(adapters: 2);
        var foreign = bed.NewTimer(bed.Created[1]);
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortRequestTimer(bed.Ext, foreign, Nop, null, 10, 0));
    }

    [Fact]
    public void StorPortRequestTimer_FreedHandle_ReturnsInvalidParameter()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        StorPortFreeTimer(bed.Ext, t);
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortRequestTimer(bed.Ext, t, Nop, null, 10, 0));
    }

    [Fact]
    public void StorPortRequestTimer_ValueTooLargeForTheClock_ReturnsInvalidParameterOthersUntouched()
    {
        var bed = new StorportTestBed();
        var other = bed.NewTimer();
        var fired = false;
        StorPortRequestTimer(bed.Ext, other, (_, _) => fired = true, null, 10, 0);
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortRequestTimer(bed.Ext, bed.NewTimer(), Nop, null, ulong.MaxValue, 0));
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortRequestTimer(bed.Ext, bed.NewTimer(), Nop, null, 10, ulong.MaxValue));
        bed.AdvanceMicroseconds(10);
        Assert.True(fired);
    }

    [Theory]
    [InlineData(0UL, 0L)]
    [InlineData(31UL, 0L)]
    [InlineData(32UL, 32L)]
    [InlineData(20_000UL, 20_000L)]
    public void A1_TolerableDelayBelow32us_IsZero_OtherwiseALoneTimerUsesItAll(ulong tolerableDelay, long expectedLateness)
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var firedAt = -1L;
        StorPortRequestTimer(bed.Ext, t, (_, _) => firedAt = bed.NowMicroseconds, null, 1_000, tolerableDelay);
        bed.AdvanceMicroseconds(100_000);
        Assert.Equal(1_000 + expectedLateness, firedAt);
    }

    [Fact]
    public void A1_TolerantTimer_CoalescesWithAnEarlierDeadlineAndIsNeverEarly()
    {
        var bed = new StorportTestBed();
        var tolerant = bed.NewTimer();
        var strict = bed.NewTimer();
        var fired = new List<(string, long)>();
        StorPortRequestTimer(bed.Ext, tolerant, (_, _) => fired.Add(("tolerant", bed.NowMicroseconds)), null, 1_000, 20_000);
        StorPortRequestTimer(bed.Ext, strict, (_, _) => fired.Add(("strict", bed.NowMicroseconds)), null, 5_000, 0);
        bed.AdvanceMicroseconds(100_000);
        Assert.Equal([("tolerant", 5_000L), ("strict", 5_000L)], fired);
    }

    [Fact]
    public void StorPortRequestTimer_Callback_GetsTheExtensionAndTheLatestContext()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var seen = new List<(object, object?)>();
        HW_TIMER_EX cb = (e, c) => seen.Add((e, c));
        StorPortRequestTimer(bed.Ext, t, cb, "one", 10, 0);
        bed.AdvanceMicroseconds(10);
        StorPortRequestTimer(bed.Ext, t, cb, "two", 10, 0);
        bed.AdvanceMicroseconds(10);
        Assert.Equal([(bed.Ext, "one"), (bed.Ext, (object?)"two")], seen);
    }

    [Fact]
    public void A8_Callback_RunsAtDispatchLevelHoldingTheStartIoLockOnly()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        (KIRQL Irql, bool StartIo, bool Interrupt) seen = default;
        StorPortRequestTimer(bed.Ext, t, (_, _) => seen = (Ke.KeGetCurrentIrql(), bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread, bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread), null, 10, 0);
        bed.AdvanceMicroseconds(10);
        Assert.Equal((KIRQL.DISPATCH_LEVEL, true, false), seen);
    }

    [Fact]
    public void A8_HalfDuplex_CallbackAlsoHoldsTheInterruptLockAtDeviceIrql()
    {
        var bed = new StorportTestBed(model: STOR_SYNCHRONIZATION_MODEL.StorSynchronizeHalfDuplex);
        var t = bed.NewTimer();
        (KIRQL Irql, bool StartIo, bool Interrupt) seen = default;
        StorPortRequestTimer(bed.Ext, t, (_, _) => seen = (Ke.KeGetCurrentIrql(), bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread, bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread), null, 10, 0);
        bed.AdvanceMicroseconds(10);
        Assert.Equal((bed.Host.Options.InterruptIrql, true, true), seen);
        Assert.True(Ke.IsDeviceIrql(seen.Irql));
    }

    [Fact]
    public void A5_CallbackReRequestsItsOwnTimer_GetsSuccessAndRunsAgain()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var statuses = new List<uint>();
        var fireTimes = new List<long>();
        HW_TIMER_EX? cb = null;
        cb = (e, _) =>
        {
            fireTimes.Add(bed.NowMicroseconds);
            if (fireTimes.Count < 4)
            {
                statuses.Add(StorPortRequestTimer(e, t, cb, null, 10_000, 0));
            }
        };
        StorPortRequestTimer(bed.Ext, t, cb, null, 10_000, 0);
        bed.AdvanceMicroseconds(100_000);
        Assert.All(statuses, s => Assert.Equal(STOR_STATUS_SUCCESS, s));
        Assert.Equal([10_000L, 20_000, 30_000, 40_000], fireTimes);
    }

    [Fact]
    public void A3_CancelFromAnotherCallbackDueAtTheSameInstant_CallbackNeverRuns()
    {
        var bed = new StorportTestBed();
        var first = bed.NewTimer();
        var second = bed.NewTimer();
        var secondFired = false;
        uint cancel = 1;
        HW_TIMER_EX secondCb = (_, _) => secondFired = true;
        StorPortRequestTimer(bed.Ext, first, (e, _) => cancel = StorPortRequestTimer(e, second, secondCb, null, 0, 0), null, 100, 0);
        StorPortRequestTimer(bed.Ext, second, secondCb, null, 100, 0);
        bed.AdvanceMicroseconds(1_000);
        Assert.Equal(STOR_STATUS_SUCCESS, cancel);
        Assert.False(secondFired);
    }

    [Fact]
    public void A3_CancelOfARunningCallback_ReturnsAtOnceAndTheCallbackCompletes()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var steps = new List<string>();
        HW_TIMER_EX? cb = null;
        cb = (e, _) =>
        {
            steps.Add("start");
            steps.Add(StorStatusName(StorPortRequestTimer(e, t, cb, null, 0, 0)));
            steps.Add("end");
        };
        StorPortRequestTimer(bed.Ext, t, cb, null, 100, 0);
        bed.AdvanceMicroseconds(100);
        Assert.Equal(["start", "STOR_STATUS_SUCCESS", "end"], steps);
    }

    [Fact]
    public void A16_RequestAboveDispatch_ReturnsSuccessAndArmsWhenIrqlDrops()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var firedAt = -1L;
        HW_TIMER_EX cb = (_, _) => firedAt = bed.NowMicroseconds;
        uint first = 1, second = 1;
        var pendingInside = -1;
        bed.Interrupt = ext =>
        {
            first = StorPortRequestTimer(ext, t, cb, null, 500, 0);
            second = StorPortRequestTimer(ext, t, cb, null, 500, 0); // recorded at once: BUSY at once
            pendingInside = bed.Engine.PendingCount;
        };
        Assert.True(bed.Adapter.RaiseInterrupt());
        Assert.Equal(STOR_STATUS_SUCCESS, first);
        Assert.Equal(STOR_STATUS_BUSY, second);
        Assert.Equal(0, pendingInside);
        Assert.Equal(1, bed.Engine.PendingCount);
        bed.AdvanceMicroseconds(500);
        Assert.Equal(500, firedAt);
    }

    [Fact]
    public void A16_RequestThenCancelAboveDispatch_NothingIsArmedWhenIrqlDrops()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var fired = false;
        HW_TIMER_EX cb = (_, _) => fired = true;
        StorportTestBed.AtIrql((KIRQL)8, () =>
        {
            StorPortRequestTimer(bed.Ext, t, cb, null, 500, 0);
            StorPortRequestTimer(bed.Ext, t, cb, null, 0, 0);
        });
        bed.AdvanceMicroseconds(10_000);
        Assert.False(fired);
        Assert.Equal(0, bed.Engine.PendingCount);
    }

    [Fact]
    public void StorPortRequestTimer_ActivityRow_CountsArmsFiresCancelsAndLateness()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        StorPortRequestTimer(bed.Ext, t, Nop, null, 100, 0);
        bed.AdvanceMicroseconds(100);
        StorPortRequestTimer(bed.Ext, t, Nop, null, 100, 0);
        StorPortRequestTimer(bed.Ext, t, Nop, null, 0, 0);
        StorPortRequestTimer(bed.Ext, t, Nop, null, 0, 0);
        var row = Assert.Single(bed.Host.TimerActivity.Rows);
        Assert.Equal(("StorPortRequestTimer", nameof(Nop), 2L, 1L, 1L, 0L), (row.Kind, row.Callback, row.Arms, row.Fires, row.Cancels, row.Lateness.MaxNanoseconds));
    }
}
