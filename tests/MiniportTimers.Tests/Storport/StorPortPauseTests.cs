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
        var second = bed.Host.Adapters[1];
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

/// <summary>StorPortSynchronizeAccess (issue 5 §2): the routine runs under the Interrupt lock at the device IRQL.</summary>
public class StorPortSynchronizeAccessTests
{
    [Fact]
    public void FromFullDuplexStartIo_RunsAtDeviceIrqlHoldingTheInterruptLock_ReturnsTheRoutinesValue()
    {
        var bed = new StorportTestBed();
        (KIRQL Irql, bool Interrupt, object? Context, bool Result)? seen = null;
        bed.StartIo = (ext, _) =>
        {
            var context = new object();
            object? got = null;
            KIRQL irql = default;
            var interrupt = false;
            var result = StorPortSynchronizeAccess(ext, (e, c) =>
            {
                irql = Ke.KeGetCurrentIrql();
                interrupt = bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread;
                got = c;
                return true;
            }, context);
            seen = (irql, interrupt, ReferenceEquals(got, context) ? got : null, result);
            Assert.False(bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread); // released afterwards
            Assert.Equal(KIRQL.DISPATCH_LEVEL, Ke.KeGetCurrentIrql());
        };
        bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK());
        Assert.NotNull(seen);
        Assert.Equal(bed.Adapter.InterruptSpinLock.SynchronizeIrql, seen.Value.Irql);
        Assert.True(seen.Value.Interrupt);
        Assert.NotNull(seen.Value.Context);
        Assert.True(seen.Value.Result);
        Assert.Empty(bed.Host.BugChecks);
    }

    [Fact]
    public void WhenTheInterruptLockIsAlreadyHeld_HalfDuplex_RunsWithoutTakingItTwice()
    {
        var bed = new StorportTestBed(model: STOR_SYNCHRONIZATION_MODEL.StorSynchronizeHalfDuplex);
        bool? result = null;
        bed.StartIo = (ext, _) => result = StorPortSynchronizeAccess(ext, (_, _) => false, null);
        bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK());
        Assert.False(result);
        Assert.Empty(bed.Host.BugChecks);
        Assert.False(bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread);
    }

    [Fact]
    public void ExcludesTheInterruptRoutine_OnTheRealClock()
    {
        // Two threads: one in SynchronizeAccess, one delivering interrupts; their bodies never overlap.
        var bed = new StorportTestBed();
        var inside = 0;
        var overlaps = 0;
        bed.Interrupt = _ =>
        {
            if (Interlocked.Increment(ref inside) != 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            Thread.SpinWait(50);
            Interlocked.Decrement(ref inside);
        };
        var interrupts = new Thread(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                bed.Adapter.RaiseInterrupt();
            }
        });
        interrupts.Start();
        for (var i = 0; i < 20_000; i++)
        {
            StorPortSynchronizeAccess(bed.Ext, (_, _) =>
            {
                if (Interlocked.Increment(ref inside) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                Thread.SpinWait(50);
                Interlocked.Decrement(ref inside);
                return true;
            }, null);
        }

        interrupts.Join();
        Assert.Equal(0, overlaps);
    }

    [Fact]
    public void UnknownExtensionOrNullRoutine_Throws()
    {
        var bed = new StorportTestBed();
        Assert.Throws<ArgumentException>(() => StorPortSynchronizeAccess(new object(), (_, _) => true, null));
        Assert.Throws<ArgumentNullException>(() => StorPortSynchronizeAccess(bed.Ext, null!, null));
    }
}
