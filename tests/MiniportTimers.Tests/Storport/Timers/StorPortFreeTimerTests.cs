using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport.Timers;

/// <summary>semantics.md §1.3 and decision A9.</summary>
public class StorPortFreeTimerTests
{
    private static void Nop(object ext, object? ctx)
    {
    }

    [Fact]
    public void StorPortFreeTimer_IdleTimer_ReturnsSuccess()
    {
        var bed = new StorportTestBed();
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortFreeTimer(bed.Ext, bed.NewTimer()));
        Assert.Equal(0, bed.Adapter.LiveTimerCount);
    }

    [Fact]
    public void StorPortFreeTimer_Twice_ReturnsUnsuccessful()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        StorPortFreeTimer(bed.Ext, t);
        Assert.Equal(STOR_STATUS_UNSUCCESSFUL, StorPortFreeTimer(bed.Ext, t));
        Assert.Equal(0xC1000001u, STOR_STATUS_UNSUCCESSFUL);
    }

    [Fact]
    public void StorPortFreeTimer_NullExtensionOrHandle_ReturnsInvalidParameter()
    {
        var bed = new StorportTestBed();
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortFreeTimer(null, bed.NewTimer()));
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortFreeTimer(bed.Ext, null));
    }

    [Fact]
    public void StorPortFreeTimer_HandleOfAnotherAdapter_ReturnsInvalidParameterAndLeavesItAlive()
    {
        var bed = new StorportTestBed(adapters: 2);
        var other = bed.Created[1];
        var foreign = bed.NewTimer(other);
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortFreeTimer(bed.Ext, foreign));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(other.DeviceExtension, foreign, Nop, null, 10, 0));
    }

    [Fact]
    public void StorPortFreeTimer_AboveDispatchLevel_ReturnsInvalidIrqlAndTimerStaysUsable()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        uint status = 0;
        StorportTestBed.AtIrql((KIRQL)3, () => status = StorPortFreeTimer(bed.Ext, t));
        Assert.Equal(STOR_STATUS_INVALID_IRQL, status);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, t, Nop, null, 10, 0));
    }

    [Fact]
    public void A9_FreeWhilePending_CancelsAndTheCallbackNeverRuns()
    {
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var fired = false;
        StorPortRequestTimer(bed.Ext, t, (_, _) => fired = true, null, 1_000, 0);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortFreeTimer(bed.Ext, t));
        bed.AdvanceMicroseconds(10_000);
        Assert.False(fired);
        Assert.Equal(0, bed.Engine.PendingCount);
    }

    [Fact]
    public void A9_FreeFromItsOwnCallback_ReturnsSuccessAndNothingRunsAgain()
    {
        // The NVMe driver frees its watchdog timer inside the watchdog callback (real-drivers.md S3 step 6).
        var bed = new StorportTestBed();
        var t = bed.NewTimer();
        var statuses = new List<uint>();
        var fires = 0;
        HW_TIMER_EX? cb = null;
        cb = (e, _) =>
        {
            fires++;
            statuses.Add(StorPortRequestTimer(e, t, cb, null, 100, 0));
            statuses.Add(StorPortFreeTimer(e, t));
        };
        StorPortRequestTimer(bed.Ext, t, cb, null, 100, 0);
        bed.AdvanceMicroseconds(10_000);
        Assert.Equal(1, fires);
        Assert.Equal([STOR_STATUS_SUCCESS, STOR_STATUS_SUCCESS], statuses);
    }

    [Fact]
    public void A9_FreeFromAnotherTimersCallbackAtTheSameInstant_VictimNeverRuns()
    {
        var bed = new StorportTestBed();
        var killer = bed.NewTimer();
        var victim = bed.NewTimer();
        var victimFired = false;
        StorPortRequestTimer(bed.Ext, killer, (e, _) => StorPortFreeTimer(e, victim), null, 100, 0);
        StorPortRequestTimer(bed.Ext, victim, (_, _) => victimFired = true, null, 100, 0);
        bed.AdvanceMicroseconds(1_000);
        Assert.False(victimFired);
    }

    [Fact]
    public void A9_FreeAtPassiveWhileCallbackRunsOnAnotherThread_WaitsForItToReturn()
    {
        using var engine = new MiniportTimers.Engine.RealTimeTimerEngine();
        var host = new StorportHost(engine);
        var bed = RealClockAdapter.Create(host);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(bed, out var t));
        using var entered = new ManualResetEventSlim();
        var finished = 0;
        StorPortRequestTimer(bed, t, (_, _) =>
        {
            entered.Set();
            Thread.Sleep(200);
            Volatile.Write(ref finished, 1);
        }, null, 100, 0);
        Assert.True(entered.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortFreeTimer(bed, t));
        Assert.Equal(1, Volatile.Read(ref finished));
    }
}
