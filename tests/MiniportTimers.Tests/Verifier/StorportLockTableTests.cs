using MiniportTimers.Kernel;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Storport.StorPort;

namespace MiniportTimers.Tests.Verifier;

/// <summary>
/// The StorPortAcquireSpinLock table, routine by routine (issue 5 §1-§2): what Storport holds around each miniport
/// routine (semantics §1.5), plus the documented order (DPC or StartIo first, then Interrupt) and the HwStorTimer rule
/// (only the Interrupt lock, only in full duplex), decide what the routine may acquire. Each cell is one case.
/// </summary>
public class StorportLockTableTests
{
    public enum Routine
    {
        HwStorStartIo,
        HwStorInterrupt,
        HwStorTimer,
        HwStorDpcRoutine,
    }

    /// <summary>Expected outcome: "ok", or the bug check code and, for 0xC4, the verifier rule.</summary>
    public static TheoryData<Routine, STOR_SYNCHRONIZATION_MODEL, STOR_SPINLOCK, string> Table()
    {
        const STOR_SYNCHRONIZATION_MODEL full = STOR_SYNCHRONIZATION_MODEL.StorSynchronizeFullDuplex;
        const STOR_SYNCHRONIZATION_MODEL half = STOR_SYNCHRONIZATION_MODEL.StorSynchronizeHalfDuplex;
        return new()
        {
            { Routine.HwStorStartIo, full, DpcLock, "ok" },
            { Routine.HwStorStartIo, full, StartIoLock, "0x0F" },
            { Routine.HwStorStartIo, full, InterruptLock, "ok" },
            { Routine.HwStorStartIo, half, DpcLock, "0xC4 LockOrder" },
            { Routine.HwStorStartIo, half, StartIoLock, "0xC4 LockOrder" },
            { Routine.HwStorStartIo, half, InterruptLock, "0x0F" },
            { Routine.HwStorInterrupt, full, DpcLock, "0xC4 LockOrder" },
            { Routine.HwStorInterrupt, full, StartIoLock, "0xC4 LockOrder" },
            { Routine.HwStorInterrupt, full, InterruptLock, "0x0F" },
            { Routine.HwStorTimer, full, DpcLock, "0xC4 ForbiddenLockInTimerCallback" },
            { Routine.HwStorTimer, full, StartIoLock, "0x0F" },
            { Routine.HwStorTimer, full, InterruptLock, "ok" },
            { Routine.HwStorTimer, half, DpcLock, "0xC4 LockOrder" },
            { Routine.HwStorTimer, half, StartIoLock, "0xC4 LockOrder" },
            { Routine.HwStorTimer, half, InterruptLock, "0x0F" },
            { Routine.HwStorDpcRoutine, full, DpcLock, "ok" },
            { Routine.HwStorDpcRoutine, full, StartIoLock, "ok" },
            { Routine.HwStorDpcRoutine, full, InterruptLock, "ok" },
            { Routine.HwStorDpcRoutine, half, InterruptLock, "ok" },
        };
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void AcquireInsideRoutine_FollowsTheTable(Routine routine, STOR_SYNCHRONIZATION_MODEL model, STOR_SPINLOCK spinLock, string expected)
    {
        var bed = new StorportTestBed(model: model);
        var ran = false;
        void Body(object ext)
        {
            ran = true;
            var handle = default(STOR_LOCK_HANDLE);
            StorPortAcquireSpinLock(ext, spinLock, null, ref handle);
            StorPortReleaseSpinLock(ext, ref handle);
        }

        switch (routine)
        {
            case Routine.HwStorStartIo:
                bed.StartIo = (ext, _) => Body(ext);
                bed.Adapter.SubmitRequest(new SCSI_REQUEST_BLOCK());
                break;
            case Routine.HwStorInterrupt:
                bed.Interrupt = Body;
                bed.Adapter.RaiseInterrupt();
                break;
            case Routine.HwStorTimer:
                StorPortRequestTimer(bed.Ext, bed.NewTimer(), (ext, _) => Body(ext), null, 10, 0);
                bed.AdvanceMicroseconds(10);
                break;
            case Routine.HwStorDpcRoutine:
                var dpc = new STOR_DPC();
                StorPortInitializeDpc(bed.Ext, dpc, (_, ext, _, _) => Body(ext));
                StorPortIssueDpc(bed.Ext, dpc, null, null);
                bed.AdvanceMicroseconds(0);
                break;
        }

        Assert.True(ran);
        Assert.Equal(expected, Describe(bed));
    }

    private static string Describe(StorportTestBed bed)
    {
        if (bed.Host.BugChecks.Count == 0)
        {
            return "ok";
        }

        var bc = Assert.Single(bed.Host.BugChecks).BugCheck;
        if (bc.Code != BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION)
        {
            return $"0x{bc.Code:X2}";
        }

        var rule = typeof(VerifierRules).GetFields().Single(f => f.IsLiteral && Equals(f.GetRawConstantValue(), bc.Parameter1)).Name;
        return $"0xC4 {rule}";
    }
}
