using System.Runtime.CompilerServices;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Kernel.Timers;
using MiniportTimers.Ndis;
using MiniportTimers.Storport;
using MiniportTimers.Tests.Ndis;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Kernel.Ke;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Hosting;

/// <summary>Issue 10: what the one hosting layer gives both stacks (bugs 5 and 8; each test failed before the layer).</summary>
public class HostingLayerTests
{
    private const long Ms = 1_000_000;

    [Fact]
    public void Bug5_AHaltedNdisAdapter_IsReleased_ItsRecordsStayInTheHost()
    {
        var bed = new NdisTestBed(adapters: 0, options: new NdisHostOptions { Verifier = false });
        var released = HaltAdaptersLeavingATimerQueued(bed, 50);
        Assert.Empty(bed.Host.Adapters); // before: every halted adapter stayed in the host's list
        bed.AdvanceMs(1); // the engine drains its submission stack (cancelled timers leave it) when time moves
        ForceFullCollection();
        Assert.All(released, w => Assert.False(w.TryGetTarget(out _), "a halted adapter is collectable"));
        Assert.Equal(50, bed.Host.Diagnostics.CountFindings("TimerQueuedAtHalt")); // folded into the host's totals
        Assert.Equal("nic50", bed.Host.AddAdapter().Name); // names are never reused
    }

    [Fact]
    public void Bug5_ARemovedStorportAdapter_IsReleased_AndItsExtensionIsUnknownAfterwards()
    {
        var bed = new StorportTestBed(adapters: 3);
        var ext = bed.Created[1].DeviceExtension;
        bed.Created[1].Remove();
        Assert.Equal(["adapter0", "adapter2"], bed.Host.Adapters.Select(a => a.Name));
        Assert.Equal(StorPort.STOR_STATUS_INVALID_PARAMETER, StorPort.StorPortInitializeTimer(ext, out _));
        var weak = RemoveAnAdapter(bed);
        bed.AdvanceMicroseconds(1_000); // the engine drains its submission stack when time moves
        ForceFullCollection();
        Assert.False(weak.TryGetTarget(out _), "a removed adapter is collectable");
    }

    [Fact]
    public void AnAdapterAbandonedAtUnload_IsNotKeptByTheRegistrysLookupCache()
    {
        // A lookup outside the adapter's routines caches it (AdapterRegistry); abandoning it at the driver's unload must
        // let it go with its host, as removal does (the Remove case: the test above).
        var weak = AbandonAnAdapterFoundOutsideItsRoutines();
        ForceFullCollection();
        Assert.False(weak.TryGetTarget(out _), "an abandoned adapter is collectable");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<StorportAdapter> AbandonAnAdapterFoundOutsideItsRoutines()
    {
        var bed = new StorportTestBed();
        var adapter = bed.Host.Adapters[0];
        Assert.Same(adapter, AdapterRegistry.Find(adapter.DeviceExtension)); // outside a routine: the table, then the cache
        Assert.Same(adapter, AdapterRegistry.Find(adapter.DeviceExtension)); // the cache
        adapter.AbandonAtUnload();
        Assert.Same(adapter, AdapterRegistry.Find(adapter.DeviceExtension)); // still known while its extension lives, not cached
        return new WeakReference<StorportAdapter>(adapter);
    }

    [Fact]
    public void Bug8_AnNdisTimerCallbackThatNeverReturns_IsReportedByTheStuckCallbackWatchdog_WhileItRuns()
    {
        using var engine = new RealTimeTimerEngine("ndis-stuck");
        var bed = new NdisTestBed(engine: engine, options: new NdisHostOptions { DpcWatchdogMicroseconds = 20_000 });
        using var release = new ManualResetEventSlim();
        using var entered = new ManualResetEventSlim();
        Assert.Equal(NDIS_STATUS_SUCCESS, NdisAllocateTimerObject(bed.Adapter, NDIS_TIMER_CHARACTERISTICS.For((_, _, _, _) =>
        {
            entered.Set();
            release.Wait(TimeSpan.FromSeconds(60)); // "never" returns, until the test lets it go
        }, null), out var timer));
        NdisSetTimerObject(timer!, -10_000, 0, null);
        try
        {
            Assert.True(entered.Wait(TimeSpan.FromSeconds(10)), "the stuck callback started");

            // Before: only Storport had a stuck-callback watchdog; an NDIS callback was judged only when it returned.
            Assert.True(SpinWait.SpinUntil(() => bed.Host.Diagnostics.BugChecks.Count > 0, TimeSpan.FromSeconds(10)), "reported while still running");
            Assert.False(release.IsSet);
            var report = Assert.Single(bed.Host.Diagnostics.BugChecks);
            Assert.Equal((BugCheckCodes.DPC_WATCHDOG_VIOLATION, "nic0", "TimerCallback"), (report.BugCheck.Code, report.Adapter, report.Routine));
            Assert.Equal(NdisAdapterState.Faulted, bed.Adapter.State);
        }
        finally
        {
            release.Set();
        }

        engine.FlushDispatched();
        Assert.Single(bed.Host.Diagnostics.BugChecks); // the returning callback does not report the same run again
    }

    [Fact]
    public void Bug8_AKeDpcOfAStorportAdapterThatNeverReturns_IsReportedWhileItRuns()
    {
        using var engine = new RealTimeTimerEngine("ke-stuck");
        var host = new StorportHost(engine, new StorportHostOptions { DpcWatchdogMicroseconds = 20_000 });
        using var release = new ManualResetEventSlim();
        var dpc = new KDPC();
        RealClockAdapter.Create(host, (_, _) =>
        {
            KeInitializeDpc(dpc, (_, _, _, _) => release.Wait(TimeSpan.FromSeconds(60)), null); // in the adapter's HwStorStartIo: its scope
            KeInsertQueueDpc(dpc, null, null);
            return true;
        });
        var adapter = host.Adapters[0];
        Assert.True(adapter.SubmitRequest(new SCSI_REQUEST_BLOCK()));
        try
        {
            Assert.True(SpinWait.SpinUntil(() => host.BugChecks.Count > 0, TimeSpan.FromSeconds(10)), "reported while still running");
            Assert.Equal(BugCheckCodes.DPC_WATCHDOG_VIOLATION, Assert.Single(host.BugChecks).BugCheck.Code);
            Assert.Equal(AdapterState.Faulted, adapter.State);
        }
        finally
        {
            release.Set();
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<WeakReference<NdisMiniportAdapter>> HaltAdaptersLeavingATimerQueued(NdisTestBed bed, int count)
    {
        var released = new List<WeakReference<NdisMiniportAdapter>>();
        for (var i = 0; i < count; i++)
        {
            var adapter = bed.Host.AddAdapter();
            NdisAllocateTimerObject(adapter, NDIS_TIMER_CHARACTERISTICS.For((_, _, _, _) => { }, null), out var timer);
            NdisSetTimerObject(timer!, -10_000_000, 0, null);
            adapter.Halt();
            released.Add(new WeakReference<NdisMiniportAdapter>(adapter));
        }

        return released;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference<StorportAdapter> RemoveAnAdapter(StorportTestBed bed)
    {
        var adapter = bed.Host.AddAdapter();
        Assert.Equal(StorPort.STOR_STATUS_SUCCESS, StorPort.StorPortInitializeTimer(adapter.DeviceExtension, out var handle));
        StorPort.StorPortRequestTimer(adapter.DeviceExtension, handle, (_, _) => { }, null, 1_000_000, 0);
        adapter.Remove();
        return new WeakReference<StorportAdapter>(adapter);
    }

    private static void ForceFullCollection()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
    }
}
