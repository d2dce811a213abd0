using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Hosting.Routines;

/// <summary>
/// The one way into miniport code (Hosting/Routines/RoutineRunner), seen through a Storport adapter: the routine runs at
/// its IRQL holding its port lock; on the way out the thread is back at its IRQL holding nothing, whatever the routine
/// did (returned raised, left a lock held, threw); an exception becomes KMODE_EXCEPTION_NOT_HANDLED (0x1E) and stops that
/// adapter only.
/// </summary>
public class RoutineRunnerTests
{
    private static bool Submit(StorportAdapter adapter) =>
        adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = SRB_FUNCTION_EXECUTE_SCSI });

    [Fact]
    public void HwStorStartIo_RunsAtDispatchHoldingTheStartIoLock_AndTheThreadComesBackAtPassiveHoldingNothing()
    {
        var bed = new StorportTestBed();
        (KIRQL Irql, bool StartIoLock)? seen = null;
        bed.StartIo = (ext, srb) =>
        {
            seen = (Ke.KeGetCurrentIrql(), bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread);
            srb.SrbStatus = SRB_STATUS_SUCCESS;
            StorPortNotification(RequestComplete, ext, srb);
        };
        Assert.True(Submit(bed.Adapter));
        Assert.Equal((KIRQL.DISPATCH_LEVEL, true), seen);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
        Assert.False(bed.Adapter.StartIoSpinLock.IsOwnedByCurrentThread);
        Assert.Empty(bed.Host.BugChecks);
    }

    [Fact]
    public void ARoutineThatReturnsRaisedHoldingALockItTook_IsPutBack_TheLockFreeForTheNextRoutine()
    {
        var bed = new StorportTestBed();
        var calls = 0;
        bed.StartIo = (ext, _) =>
        {
            calls++;
            var h = default(STOR_LOCK_HANDLE);
            StorPortAcquireSpinLock(ext, InterruptLock, null, ref h); // never released: the device IRQL and the lock stay
        };
        Assert.True(Submit(bed.Adapter));
        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
        Assert.False(bed.Adapter.InterruptSpinLock.IsOwnedByCurrentThread);

        Assert.True(Submit(bed.Adapter)); // the same lock again: had it stayed held, 0x0F
        Assert.Equal(2, calls);
        Assert.Empty(bed.Host.BugChecks); // a StartIo routine's return is not checked (docs/conformance.md)
    }

    [Fact]
    public void AnExceptionFromTheRoutine_IsKmodeExceptionNotHandled_StopsThatAdapterOnly_AndPutsTheThreadBack()
    {
        var bed = new StorportTestBed(adapters: 2);
        bed.StartIo = (ext, srb) =>
        {
            if (ReferenceEquals(ext, bed.Created[0].DeviceExtension))
            {
                var h = default(STOR_LOCK_HANDLE);
                StorPortAcquireSpinLock(ext, InterruptLock, null, ref h);
                throw new InvalidOperationException("the miniport's bug");
            }

            srb.SrbStatus = SRB_STATUS_SUCCESS;
            StorPortNotification(RequestComplete, ext, srb);
        };

        Submit(bed.Created[0]);
        var report = Assert.Single(bed.Host.BugChecks);
        Assert.Equal((bed.Created[0].Name, BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, (ulong)BugCheckCodes.ClrExceptionCode), (report.Adapter, report.BugCheck.Code, report.BugCheck.Parameter1));
        Assert.IsType<InvalidOperationException>(report.BugCheck.InnerException);
        Assert.Equal(AdapterState.Faulted, bed.Created[0].State);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
        Assert.False(bed.Created[0].InterruptSpinLock.IsOwnedByCurrentThread);

        Assert.True(Submit(bed.Created[1]));
        Assert.Equal(AdapterState.Started, bed.Created[1].State);
    }
}
