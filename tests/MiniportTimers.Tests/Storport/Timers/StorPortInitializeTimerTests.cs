using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport.Timers;

/// <summary>semantics.md §1.1 and decision A7.</summary>
public class StorPortInitializeTimerTests
{
    [Fact]
    public void StorPortInitializeTimer_ValidExtension_ReturnsSuccessAndAnIdleHandle()
    {
        var bed = new StorportTestBed();
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(bed.Ext, out var handle));
        Assert.NotNull(handle);
        Assert.Equal(0, bed.Engine.PendingCount);
        Assert.Equal(1, bed.Adapter.LiveTimerCount);
    }

    [Fact]
    public void StorPortInitializeTimer_NullExtension_ReturnsInvalidParameter()
    {
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortInitializeTimer(null, out var handle));
        Assert.Null(handle);
    }

    [Fact]
    public void StorPortInitializeTimer_ObjectTheHostDidNotCreate_ReturnsInvalidParameter()
    {
        _ = new StorportTestBed();
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortInitializeTimer(new TestExtension(), out _));
    }

    [Fact]
    public void StorPortInitializeTimer_AboveDispatchLevel_ReturnsInvalidIrql()
    {
        var bed = new StorportTestBed();
        uint status = 0;
        StorportTestBed.AtIrql((KIRQL)5, () => status = StorPortInitializeTimer(bed.Ext, out _));
        Assert.Equal(STOR_STATUS_INVALID_IRQL, status);
        Assert.Equal(0, bed.Adapter.LiveTimerCount);
    }

    [Fact]
    public void StorPortInitializeTimer_AtDispatchLevel_Succeeds()
    {
        var bed = new StorportTestBed();
        uint status = 1;
        StorportTestBed.AtIrql(KIRQL.DISPATCH_LEVEL, () => status = StorPortInitializeTimer(bed.Ext, out _));
        Assert.Equal(STOR_STATUS_SUCCESS, status);
    }

    [Fact]
    public void StorPortInitializeTimer_NullExtensionAboveDispatch_ChecksParametersBeforeIrql()
    {
        uint status = 0;
        StorportTestBed.AtIrql((KIRQL)5, () => status = StorPortInitializeTimer(null, out _));
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, status);
    }

    [Fact]
    public void A7_NoCap_TenThousandTimersNeverUnsuccessful()
    {
        var bed = new StorportTestBed();
        for (var i = 0; i < 10_000; i++)
        {
            Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(bed.Ext, out _));
        }
    }

    [Fact]
    public void A7_ConfiguredCapReached_ReturnsUnsuccessfulUntilOneIsFreed()
    {
        var bed = new StorportTestBed(new StorportHostOptions { MaxTimersPerAdapter = 4 });
        var handles = Enumerable.Range(0, 4).Select(_ => bed.NewTimer()).ToList();
        Assert.Equal(STOR_STATUS_UNSUCCESSFUL, StorPortInitializeTimer(bed.Ext, out var none));
        Assert.Null(none);
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortFreeTimer(bed.Ext, handles[0]));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(bed.Ext, out _));
    }

    [Fact]
    public void StorPortInitializeTimer_FromTimerCallbackAtDispatch_Works()
    {
        // storahci initializes its bus-change timer lazily from a DPC (real-drivers.md S1c).
        var bed = new StorportTestBed();
        var outer = bed.NewTimer();
        uint inner = 1;
        StorPortRequestTimer(bed.Ext, outer, (ext, _) => inner = StorPortInitializeTimer(ext, out StorPortTimerHandle? _), null, 100, 0);
        bed.AdvanceMicroseconds(100);
        Assert.Equal(STOR_STATUS_SUCCESS, inner);
    }
}
