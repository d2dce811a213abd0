using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using static MiniportTimers.Kernel.Ke;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Ndis;

/// <summary>
/// Issue 12 §3: NDIS 6 line interrupts on the flat C# surface (NdisMRegisterInterruptEx, MiniportInterrupt,
/// MiniportInterruptDPC, NdisMSynchronizeWithInterruptEx) and a way to raise a simulated interrupt on an NDIS adapter,
/// as lsi_u3, dc21x4, xennet and NetKVM need (found by their re-enactments).
/// </summary>
public class NdisInterruptTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private static (NdisTestBed Bed, NdisInterrupt Interrupt) Register(MINIPORT_ISR isr, MINIPORT_INTERRUPT_DPC dpc)
    {
        NdisInterrupt? handle = null;
        var bed = new NdisTestBed(adapters: 0);
        bed.Initialize = adapter => Assert.Equal(NDIS_STATUS_SUCCESS, NdisMRegisterInterruptEx(adapter, "interrupt context", new NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS { InterruptHandler = isr, InterruptDpcHandler = dpc }, out handle));
        bed.Created.Add(bed.Host.AddAdapter());
        return (bed, handle!);
    }

    [Fact]
    public void AnInterrupt_RunsTheIsrAtTheDeviceIrqlUnderItsLock_AndItsDpcAtDispatch()
    {
        var seen = new List<string>();
        NdisInterrupt interrupt = null!;
        (var bed, interrupt) = Register(
            (object context, out bool queueDpc, out uint targets) =>
            {
                targets = 0;
                queueDpc = true;
                seen.Add($"isr {context} at {KeGetCurrentIrql().IrqlName()} locked {interrupt.SpinLock.IsOwnedByCurrentThread}");
                return true;
            },
            (context, _) =>
            {
                var inSync = NdisMSynchronizeWithInterruptEx(interrupt, 0, _ => KeGetCurrentIrql() == (KIRQL)5, null);
                seen.Add($"dpc at {KeGetCurrentIrql().IrqlName()} synchronized at the device IRQL {inSync}");
            });

        Assert.True(bed.Adapter.RaiseInterrupt());
        Assert.Equal(["isr interrupt context at DIRQL 5 locked True"], seen);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, KeGetCurrentIrql());
        bed.AdvanceMs(1);
        Assert.Equal("dpc at DISPATCH_LEVEL synchronized at the device IRQL True", seen[^1]);
    }

    [Fact]
    public void AnIsrThatDoesNotClaimIt_QueuesNoDpc_AndADeregisteredInterruptRunsNothing()
    {
        var dpcs = 0;
        var (bed, interrupt) = Register(
            (object _, out bool queueDpc, out uint targets) =>
            {
                (queueDpc, targets) = (true, 0);
                return false;
            },
            (_, _) => dpcs++);
        Assert.False(bed.Adapter.RaiseInterrupt());
        bed.AdvanceMs(1);
        Assert.Equal(0, dpcs);
        NdisMDeregisterInterruptEx(interrupt);
        Assert.False(bed.Adapter.RaiseInterrupt());
    }

    [Fact]
    public void AnInterruptDpcPastTheWatchdog_IsDpcWatchdogViolation_AndStopsTheAdapter()
    {
        var (bed, _) = Register(
            (object _, out bool queueDpc, out uint targets) =>
            {
                (queueDpc, targets) = (true, 0);
                return true;
            },
            (_, _) => ((VirtualTimerEngine)KernelContextEngine()).Stall(150 * Ms));
        bed.Adapter.RaiseInterrupt();
        bed.AdvanceMs(1);
        var report = Assert.Single(bed.Host.Diagnostics.BugChecks);
        Assert.Equal((BugCheckCodes.DPC_WATCHDOG_VIOLATION, "MiniportInterruptDPC"), (report.BugCheck.Code, report.Routine));
        Assert.Equal(NdisAdapterState.Faulted, bed.Adapter.State);
    }

    [Fact]
    public void SynchronizingFromInsideTheIsr_IsSpinLockAlreadyOwned()
    {
        NdisInterrupt interrupt = null!;
        (var bed, interrupt) = Register(
            (object _, out bool queueDpc, out uint targets) =>
            {
                (queueDpc, targets) = (false, 0);
                return NdisMSynchronizeWithInterruptEx(interrupt, 0, _ => true, null); // the ISR already holds the lock
            },
            (_, _) => { });
        Assert.False(bed.Adapter.RaiseInterrupt());
        Assert.Equal(BugCheckCodes.SPIN_LOCK_ALREADY_OWNED, Assert.Single(bed.Host.Diagnostics.BugChecks).BugCheck.Code);
    }

    private static TimerEngine KernelContextEngine() => MiniportTimers.Kernel.KernelContext.CurrentEngine!;
}
