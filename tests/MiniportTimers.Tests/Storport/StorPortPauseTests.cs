using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport;

/// <summary>StorPortPause / StorPortResume (issue 5 §2): requests held, timeout through a timer, order kept.</summary>
public class StorPortPauseTests
{
    private static SCSI_REQUEST_BLOCK Srb(byte target) => new() { TargetId = target };

    private static (StorportTestBed Bed, List<byte> Started) BedWithStartLog()
    {
        var bed = new StorportTestBed();
        var started = new List<byte>();
        bed.StartIo = (_, srb) => started.Add(srb.TargetId);
        return (bed, started);
    }

    [Fact]
    public void StorPortPause_HoldsRequestsUntilTheTimeoutInSecondsThenDeliversThemInOrder()
    {
        var (bed, started) = BedWithStartLog();
        Assert.True(StorPortPause(bed.Ext, 5));
        Assert.True(bed.Adapter.IsPaused);
        Assert.True(bed.Adapter.SubmitRequest(Srb(1)));
        Assert.True(bed.Adapter.SubmitRequest(Srb(2)));
        Assert.Empty(started);
        Assert.Equal(2, bed.Adapter.HeldRequestCount);

        bed.AdvanceMicroseconds(4_999_999);
        Assert.Empty(started);
        bed.AdvanceMicroseconds(1);
        Assert.Equal([1, 2], started);
        Assert.False(bed.Adapter.IsPaused);
        Assert.Equal(0, bed.Adapter.HeldRequestCount);
    }

    [Fact]
    public void StorPortResume_EndsThePauseEarly_HeldRequestsGoFromTheDispatcherNotFromInsideResume()
    {
        var (bed, started) = BedWithStartLog();
        StorPortPause(bed.Ext, 60);
        bed.Adapter.SubmitRequest(Srb(7));
        Assert.True(StorPortResume(bed.Ext));
        Assert.Empty(started); // not delivered inside StorPortResume
        bed.AdvanceMicroseconds(0);
        Assert.Equal([7], started);

        bed.AdvanceMicroseconds(60_000_000); // the cancelled timeout does nothing later
        Assert.Equal([7], started);
        Assert.True(bed.Adapter.SubmitRequest(Srb(8)));
        Assert.Equal([7, 8], started);
    }

    [Fact]
    public void PauseAndResumeFromATimerCallback_HoldingTheStartIoLock_DoNotDeadlock()
    {
        // The NVMe watchdog's sequence: pause, fail commands, free its own timer, resume, all inside the callback.
        var (bed, started) = BedWithStartLog();
        var timer = bed.NewTimer();
        bool paused = false, resumed = false;
        bed.Adapter.SubmitRequest(Srb(1));
        StorPortRequestTimer(bed.Ext, timer, (ext, _) =>
        {
            paused = StorPortPause(ext, 10);
            bed.Adapter.SubmitRequest(Srb(2)); // arrives while paused, on the dispatcher
            Assert.Equal(STOR_STATUS_SUCCESS, StorPortFreeTimer(ext, timer));
            resumed = StorPortResume(ext);
        }, null, 1_000, 0);
        bed.AdvanceMicroseconds(1_000);
        Assert.True(paused && resumed);
        Assert.Equal([1, 2], started);
        Assert.Empty(bed.Host.BugChecks);
    }

    [Fact]
    public void StorPortPause_Again_SetsTheNewTimeoutFromNow_OneResumeEndsIt()
    {
        var (bed, started) = BedWithStartLog();
        StorPortPause(bed.Ext, 2);
        bed.AdvanceMicroseconds(1_000_000);
        StorPortPause(bed.Ext, 2); // now ends at 3 s, not 2 s
        bed.Adapter.SubmitRequest(Srb(3));
        bed.AdvanceMicroseconds(1_500_000);
        Assert.True(bed.Adapter.IsPaused);
        Assert.Empty(started);
        bed.AdvanceMicroseconds(500_000);
        Assert.False(bed.Adapter.IsPaused);
        Assert.Equal([3], started);
    }

    [Fact]
    public void ARequestSubmittedWhileHeldOnesDrain_QueuesBehindThem()
    {
        var (bed, started) = BedWithStartLog();
        StorPortPause(bed.Ext, 1);
        bed.Adapter.SubmitRequest(Srb(1));
        bed.Adapter.SubmitRequest(Srb(2));
        var once = true;
        bed.StartIo = (_, srb) =>
        {
            started.Add(srb.TargetId);
            if (once)
            {
                once = false;
                bed.Adapter.SubmitRequest(Srb(3)); // from inside StartIo while 2 is still held
            }
        };
        bed.AdvanceMicroseconds(1_000_000);
        Assert.Equal([1, 2, 3], started);
    }

    [Fact]
    public void StorPortPause_UnknownExtensionOrRemovedAdapter_ReturnsFalseAndOthersAreUntouched()
    {
        var bed = new StorportTestBed(adapters: 2);
        Assert.False(StorPortPause(new object(), 1));
        Assert.False(StorPortResume(null));
        var second = bed.Created[1];
        StorPortPause(second.DeviceExtension, 30);
        bed.Adapter.Remove();
        Assert.False(StorPortPause(bed.Ext, 1));
        Assert.False(StorPortResume(bed.Ext));
        Assert.True(second.IsPaused);
        Assert.False(bed.Adapter.IsPaused);
    }

    [Fact]
    public void Removal_DropsHeldRequests_AndTheRemoveRequestIsNotHeld()
    {
        var (bed, started) = BedWithStartLog();
        var functions = new List<byte>();
        bed.StartIo = (_, srb) => functions.Add(srb.Function);
        StorPortPause(bed.Ext, 30);
        bed.Adapter.SubmitRequest(Srb(1));
        bed.Adapter.Remove();
        Assert.Equal([SRB_FUNCTION_PNP], functions);
        bed.AdvanceMicroseconds(30_000_000);
        Assert.Equal([SRB_FUNCTION_PNP], functions);
        Assert.Empty(started);
    }
}
