using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using static MiniportTimers.Kernel.Ke;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Ndis;

/// <summary>Issue 12 §3: NDIS 5 interrupts on the flat C# surface: NdisMRegisterInterrupt, MiniportISR / MiniportHandleInterrupt, NdisMSynchronizeWithInterrupt.</summary>
public class NdisNdis5InterruptTests
{
    private static (NdisTestBed Bed, NdisInterrupt? Interrupt, uint Status) Register(bool requestIsr, bool shared = false)
    {
        NdisInterrupt? interrupt = null;
        var status = 0u;
        var bed = new NdisTestBed(adapters: 0);
        bed.Initialize = adapter => status = NdisMRegisterInterrupt(out interrupt, adapter, 11, 11, requestIsr, shared, 0);
        bed.Created.Add(bed.Host.AddAdapter());
        return (bed, interrupt, status);
    }

    [Fact]
    public void WithRequestIsr_TheIsrRunsAtTheDeviceIrql_AndHandleInterruptAtDispatchWhenItAsks()
    {
        var (bed, interrupt, status) = Register(requestIsr: true);
        Assert.Equal(NDIS_STATUS_SUCCESS, status);
        var isrIrqls = new List<KIRQL>();
        bed.Isr = _ =>
        {
            isrIrqls.Add(KeGetCurrentIrql());
            return (true, isrIrqls.Count == 1); // the second interrupt needs no deferred work
        };
        Assert.True(bed.Adapter.RaiseInterrupt());
        Assert.True(bed.Adapter.RaiseInterrupt());
        bed.AdvanceMs(1);
        Assert.Equal([(KIRQL)5, (KIRQL)5], isrIrqls);
        Assert.Equal(["handle at DISPATCH_LEVEL"], bed.InterruptEvents);

        bed.Isr = _ => (false, true); // not ours: nothing queued
        Assert.False(bed.Adapter.RaiseInterrupt());
        Assert.True(NdisMSynchronizeWithInterrupt(interrupt!, _ => KeGetCurrentIrql() == (KIRQL)5, null));
        NdisMDeregisterInterrupt(interrupt!);
        Assert.False(bed.Adapter.RaiseInterrupt());
        bed.AdvanceMs(1);
        Assert.Single(bed.InterruptEvents);
    }

    [Fact]
    public void WithoutRequestIsr_NdisDisablesAtTheDeviceIrql_HandlesAtDispatch_ThenEnablesSynchronized()
    {
        var (bed, _, status) = Register(requestIsr: false);
        Assert.Equal(NDIS_STATUS_SUCCESS, status);
        Assert.True(bed.Adapter.RaiseInterrupt());
        Assert.Equal(["disable at DIRQL 5"], bed.InterruptEvents);
        bed.AdvanceMs(1);
        Assert.Equal(["disable at DIRQL 5", "handle at DISPATCH_LEVEL", "enable at DIRQL 5"], bed.InterruptEvents);
    }

    [Fact]
    public void ASharedLineWithoutAnIsr_IsRefused_AndASecondRegistrationIsResources()
    {
        Assert.Equal(NDIS_STATUS_FAILURE, Register(requestIsr: false, shared: true).Status);
        var (bed, _, _) = Register(requestIsr: true);
        bed.Isr = _ => (true, false);
        var again = NdisMRegisterInterrupt(out var second, bed.Adapter, 11, 11, true, false, 0);
        Assert.Equal((NDIS_STATUS_RESOURCES, (NdisInterrupt?)null), (again, second));
    }
}
