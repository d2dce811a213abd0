using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport;

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
        var bugCheck = Assert.Throws<BugCheckException>(() => StorPortSynchronizeAccess(new object(), (_, _) => true, null)); // the one rule: a void-like DDI bug-checks
        Assert.Equal((BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, (ulong)BugCheckCodes.STATUS_ACCESS_VIOLATION), (bugCheck.Code, bugCheck.Parameter1));
        Assert.Throws<ArgumentNullException>(() => StorPortSynchronizeAccess(bed.Ext, null!, null));
    }
}
