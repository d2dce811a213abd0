using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Ndis;
using MiniportTimers.Tests.Ndis;
using static MiniportTimers.Kernel.Ke;

namespace MiniportTimers.Tests.Kernel.Timers;

/// <summary>
/// Issue 12 §3: the kernel routines netvmini's receive path uses, on the flat C# surface: KeTryToAcquireSpinLockAtDpcLevel,
/// KeSetImportanceDpc, KeSetTargetProcessorDpc and KeQueryDpcWatchdogInformation.
/// </summary>
public class KeDpcAndTryLockTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    [Fact]
    public void TryToAcquire_TakesAFreeLock_FailsOnOneHeldElsewhere_AndRequiresDispatch()
    {
        KeInitializeSpinLock(out var spinLock);
        Assert.Equal(BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, Assert.Throws<BugCheckException>(() => KeTryToAcquireSpinLockAtDpcLevel(spinLock)).Code);

        KeRaiseIrql(KIRQL.DISPATCH_LEVEL, out var old);
        Assert.True(KeTryToAcquireSpinLockAtDpcLevel(spinLock));
        Assert.Equal(BugCheckCodes.SPIN_LOCK_ALREADY_OWNED, Assert.Throws<BugCheckException>(() => KeTryToAcquireSpinLockAtDpcLevel(spinLock)).Code);
        var elsewhere = true;
        var thread = new Thread(() =>
        {
            KeRaiseIrql(KIRQL.DISPATCH_LEVEL, out var o);
            elsewhere = KeTryToAcquireSpinLockAtDpcLevel(spinLock);
            KeLowerIrql(o);
        });
        thread.Start();
        thread.Join();
        Assert.False(elsewhere); // held by this thread: the other one does not wait, it is told no
        KeReleaseSpinLockFromDpcLevel(spinLock);
        KeLowerIrql(old);
    }

    [Fact]
    public void ImportanceAndTargetProcessor_AreRecorded_AndAProcessorTheHostDoesNotHaveIsRefused()
    {
        using var engine = new VirtualTimerEngine();
        using var scope = UseEngine(engine);
        var dpc = new KDPC();
        KeInitializeDpc(dpc, (_, _, _, _) => { }, null);
        Assert.Equal((KDPC_IMPORTANCE.MediumImportance, (int?)null), (dpc.Importance, dpc.TargetProcessor));
        KeSetImportanceDpc(dpc, KDPC_IMPORTANCE.MediumHighImportance);
        Assert.Equal(0u, KeSetTargetProcessorDpc(dpc, 0));
        Assert.Equal(0xC000000Du, KeSetTargetProcessorDpc(dpc, engine.DispatcherCount)); // STATUS_INVALID_PARAMETER: a virtual engine has one
        Assert.Equal(0xC000000Du, KeSetTargetProcessorDpc(dpc, -1));
        Assert.Equal((KDPC_IMPORTANCE.MediumHighImportance, (int?)0), (dpc.Importance, dpc.TargetProcessor));
        Assert.Throws<ArgumentOutOfRangeException>(() => KeSetImportanceDpc(dpc, (KDPC_IMPORTANCE)7));
    }

    [Fact]
    public void WatchdogInformation_GivesTheAllotmentInTicks_AndWhatTheRunningDpcHasLeft()
    {
        var bed = new NdisTestBed(adapters: 0);
        var seen = new List<(uint Limit, uint Left)>();
        bed.Initialize = adapter =>
        {
            var timer = bed.NewTimerObject(
                (_, _, _, _) =>
                {
                    KeQueryDpcWatchdogInformation(out var start);
                    KeStallExecutionProcessor(40_000); // 40 ms of the 100 ms allotment, in 15.625 ms ticks
                    KeQueryDpcWatchdogInformation(out var later);
                    seen.Add((start.DpcTimeLimit, start.DpcTimeCount));
                    seen.Add((later.DpcWatchdogLimit, later.DpcWatchdogCount));
                },
                handle: adapter);
            NdisApi.NdisSetTimerObject(timer, -10_000, 0, null);
        };
        bed.Created.Add(bed.Host.AddAdapter());
        bed.AdvanceMs(2);
        Assert.Equal([(7u, 7u), (7u, 5u)], seen); // ceil(100 / 15.625) = 7; 40 ms is 2 whole ticks
        Assert.Empty(bed.Host.Diagnostics.BugChecks);

        Assert.Equal(0u, KeQueryDpcWatchdogInformation(out var outside)); // no host here: the watchdog is off
        Assert.Equal(default, outside);
    }
}
