using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Storport;

/// <summary>
/// Issue 10: one rule for a HwDeviceExtension the host never created, across every Storport DDI: the documented status
/// where the DDI returns one (STOR_STATUS_INVALID_PARAMETER, or FALSE for a BOOLEAN), otherwise the bug check Windows
/// gives when it dereferences the bogus pointer (0x1E, STATUS_ACCESS_VIOLATION). Before: a status, an
/// ArgumentException, a silent ignore or FALSE, depending on the DDI.
/// </summary>
public class UnknownDeviceExtensionTests
{
    private static readonly object Bogus = new();

    [Fact]
    public void DdisThatReturnAStatus_AnswerTheirDocumentedFailure_AndLeaveTheRealTimerAlone()
    {
        var bed = new StorportTestBed();
        var fired = 0;
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortInitializeTimer(bed.Ext, out var handle));
        Assert.Equal(STOR_STATUS_SUCCESS, StorPortRequestTimer(bed.Ext, handle, (_, _) => fired++, null, 1_000, 0));

        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortInitializeTimer(Bogus, out var none));
        Assert.Null(none);
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortRequestTimer(Bogus, handle, (_, _) => { }, null, 0, 0));
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortFreeTimer(Bogus, handle));
        Assert.Equal(STOR_STATUS_INVALID_PARAMETER, StorPortStateChangeDetected(Bogus, STATE_CHANGE_BUS, 0, 0));
        Assert.False(StorPortPause(Bogus, 1));
        Assert.False(StorPortResume(Bogus));
        Assert.False(StorPortEnablePassiveInitialization(Bogus, _ => true));
        Assert.False(StorPortIssueDpc(Bogus, new STOR_DPC(), null, null));

        bed.AdvanceMicroseconds(1_000);
        Assert.Equal(1, fired); // the real adapter's timer was untouched by every bad call
    }

    [Fact]
    public void DdisThatReturnNothing_BugCheck0x1EWithAnAccessViolation()
    {
        var bed = new StorportTestBed();
        var calls = new Action[]
        {
            () => StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, Bogus, _ => { }, 1_000),
            () => StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestComplete, Bogus, new SCSI_REQUEST_BLOCK()),
            () => StorPortNotification(SCSI_NOTIFICATION_TYPE.NextRequest, Bogus),
            () =>
            {
                var handle = default(STOR_LOCK_HANDLE);
                StorPortAcquireSpinLock(Bogus, STOR_SPINLOCK.StartIoLock, null, ref handle);
            },
            () => StorPortInitializeDpc(Bogus, new STOR_DPC(), (_, _, _, _) => { }),
            () => StorPortSynchronizeAccess(Bogus, (_, _) => true, null),
        };
        foreach (var call in calls)
        {
            var bugCheck = Assert.Throws<BugCheckException>(call);
            Assert.Equal((BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, (ulong)BugCheckCodes.STATUS_ACCESS_VIOLATION), (bugCheck.Code, bugCheck.Parameter1));
        }

        Assert.Equal(AdapterState.Started, bed.Adapter.State);
    }

    [Fact]
    public void FromInsideAMiniportRoutine_TheBugCheckStopsThatAdapterOnly()
    {
        var bed = new StorportTestBed(adapters: 2);
        bed.StartIo = (ext, _) =>
        {
            if (ReferenceEquals(ext, bed.Created[0].DeviceExtension))
            {
                StorPortNotification(SCSI_NOTIFICATION_TYPE.RequestTimerCall, Bogus, _ => { }, 1_000); // a stale pointer
            }
        };
        bed.Created[0].SubmitRequest(new SCSI_REQUEST_BLOCK());
        bed.Created[1].SubmitRequest(new SCSI_REQUEST_BLOCK());
        var report = Assert.Single(bed.Host.BugChecks);
        Assert.Equal(("adapter0", "HwStartIo", BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED), (report.Adapter, report.Routine, report.BugCheck.Code));
        Assert.Equal(AdapterState.Faulted, bed.Created[0].State);
        Assert.Equal(AdapterState.Started, bed.Created[1].State);
    }
}
