using MiniportTimers.Engine;
using MiniportTimers.Hosting;
using MiniportTimers.Ndis;
using MiniportTimers.Tests.Storport;

namespace MiniportTimers.Tests.Hosting;

/// <summary>
/// Issue 21 §4: a host tells once when it forgets an adapter (<see cref="MiniportHost.AdapterReleased"/>), so what a
/// bridge keeps for the adapter can go with it; an NDIS adapter whose MiniportInitializeEx failed is forgotten at once
/// (NDIS never halts it).
/// </summary>
public class AdapterReleaseTests
{
    [Fact]
    public void AnNdisAdapterWhoseInitializeFails_IsReleasedAtOnce_AndHaltIsThenANoOp()
    {
        var host = new NdisHost(new VirtualTimerEngine());
        host.NdisMRegisterMiniportDriver(
            new NDIS_MINIPORT_DRIVER_CHARACTERISTICS
            {
                InitializeHandlerEx = (_, _) => NdisApi.NDIS_STATUS_RESOURCES,
                HaltHandlerEx = _ => Assert.Fail("NDIS never halts an adapter whose MiniportInitializeEx failed"),
            },
            null,
            out _);
        var released = new List<HostedAdapter>();
        host.AdapterReleased += released.Add;

        var adapter = host.AddAdapter();

        Assert.Equal(NdisAdapterState.Failed, adapter.State);
        Assert.Empty(host.Adapters); // before: a failed adapter stayed in the host's list for the process's life
        Assert.Same(adapter, Assert.Single(released));
        adapter.Halt();
        Assert.Single(released);
    }

    [Fact]
    public void AHaltedNdisAdapter_IsReleasedOnce_HoweverOftenItIsHalted()
    {
        var bed = new MiniportTimers.Tests.Ndis.NdisTestBed();
        var released = new List<HostedAdapter>();
        bed.Host.AdapterReleased += released.Add;

        bed.Adapter.Halt();
        bed.Adapter.Halt();

        Assert.Same(bed.Adapter, Assert.Single(released));
    }

    [Fact]
    public void ARemovedStorportAdapter_IsReleasedOnce_AndOnlyIt()
    {
        var bed = new StorportTestBed(adapters: 2);
        var released = new List<HostedAdapter>();
        bed.Host.AdapterReleased += released.Add;

        bed.Created[1].Remove();
        bed.Created[1].Remove();

        Assert.Same(bed.Created[1], Assert.Single(released));
    }
}
