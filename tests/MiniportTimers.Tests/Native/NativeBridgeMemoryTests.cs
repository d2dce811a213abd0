using System.Runtime.InteropServices;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Native;
using MiniportTimers.Native.Interop;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Native.Storport;
using MiniportTimers.Ndis;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Native;

/// <summary>
/// Issue 21 §4: the bridge keeps nothing of a released object. A halted NDIS adapter's handle is stale (and refused with
/// the clear error), a removed Storport adapter's device extension goes with its timer handles and the host objects of
/// its storage, an unloaded NDIS driver object leaves no process-wide entry; counted with the bridge's own counters
/// (<see cref="NativeBridgeStatistics"/>), not measured in bytes (the soaks do that: docs/reliability.md).
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed class NativeBridgeMemoryTests : IDisposable
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private const byte CmdArm = 0x01;
    private const byte CmdKeTimer = 0x09;
    private const byte CmdExTimer = 0x0A;
    private const byte CmdNewTimer = 0x0D;
    private readonly List<IDisposable> _disposables = [];

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    [NativeFact]
    public void AHaltedAdaptersHandle_IsStale_AndAnNdisMCallWithItGetsTheClearError()
    {
        var before = Entries();
        var (host, driver, _) = StartNdis("ndis6_timers", adapters: 1);
        var adapter = host.Adapters[0];
        var handle = NativeNdisObjects.AdapterHandle(adapter);
        Assert.Equal(HandleState.Live, NativeNdisObjects.Adapters.Find(handle, out _));

        adapter.Halt();

        Assert.Equal(HandleState.Freed, NativeNdisObjects.Adapters.Find(handle, out var value));
        Assert.Null(value); // the table no longer keeps the adapter
        Assert.Equal(handle, NativeNdisObjects.AdapterHandle(adapter)); // the same stale handle again, never a new live one
        var error = Assert.Throws<ArgumentException>(() => NativeNdisObjects.RequireAdapter(handle, "NdisMPauseComplete")); // what every NdisM* entry does first
        Assert.Contains("NdisMPauseComplete: 0x", error.Message, StringComparison.Ordinal);
        Assert.Contains("is the MiniportAdapterHandle of an adapter already halted", error.Message, StringComparison.Ordinal);
        Assert.Equal(before["NDIS adapter handles"], Entries()["NDIS adapter handles"]);
        Assert.True(driver.Unload());
    }

    [NativeFact]
    public void ALoadRunHaltUnloadCycle_LeavesTheBridgesMapsAsTheyWere()
    {
        var before = Entries();
        var (host, driver, engine) = StartNdis("ndis6_datapath", adapters: 2);
        engine.AdvanceBy(5 * Ms);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(host.Adapters[0].Send(new NET_BUFFER_LIST { Tag = i, Data = new byte[60] }));
        }

        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, host.Adapters[1].OidRequest(new NDIS_OID_REQUEST { Oid = 0x0001010C, InformationBuffer = new byte[4] })); // OID_GEN_VENDOR_ID
        engine.AdvanceBy(10 * Ms);
        Assert.Equal(3, host.CountCompletions("SendComplete"));
        Assert.NotEqual(before["NDIS adapter handles"], Entries()["NDIS adapter handles"]);

        foreach (var adapter in host.Adapters)
        {
            adapter.Halt();
        }

        Assert.True(driver.Unload());
        Assert.Empty(host.Diagnostics.BugChecks);
        var after = Entries();
        foreach (var (name, count) in before)
        {
            if (name != "KSPIN_LOCKs") // keyed by the address of the C driver's pool memory, which the bridge does not see freed (docs/reliability.md)
            {
                Assert.True(count == after[name], $"{name}: {count} before the cycle, {after[name]} after");
            }
        }
    }

    [NativeFact]
    public void RemovingAStorportAdapter_FreesItsExtension_AndDropsItsEntriesFromTheMaps()
    {
        var before = Entries();
        var (host, driver, engine) = StartStorport();
        var adapter = host.Adapters[0];
        var extension = (NativeDeviceExtension)adapter.DeviceExtension;
        var timerHandle = Marshal.ReadIntPtr(extension.Address); // MPT_EXTENSION.Timer: the StorPortInitializeTimer handle
        Submit(adapter, CmdArm);
        Submit(adapter, CmdKeTimer); // a KTIMER and a KDPC in the extension
        Submit(adapter, CmdExTimer);
        engine.AdvanceBy(50 * Ms); // everything fired; the EX_TIMER deleted itself
        Assert.Equal(HandleState.Live, NativeObjects.TimerHandles.Find(timerHandle, out _));
        Assert.NotEqual(0, NativeBridgeStatistics.DriverEntries(driver)[0].Value);

        adapter.Remove(); // the driver never frees its timer: the host frees it at removal

        Assert.Equal(HandleState.Freed, NativeObjects.TimerHandles.Find(timerHandle, out _)); // a use after free, recognised
        Assert.Equal(0, extension.Address);
        Assert.Equal(0, NativeBridgeStatistics.DriverEntries(driver)[0].Value); // driver storage: the KTIMER and KDPC are gone
        var after = Entries();
        foreach (var (name, count) in before)
        {
            var expected = name == "Storport driver tokens" ? count + 1 : count; // the driver object is still loaded
            Assert.True(expected == after[name], $"{name}: {expected} expected, {after[name]} after the removal");
        }

        Assert.Empty(host.BugChecks);
        driver.Dispose();
        Assert.Equal(before["Storport driver tokens"], Entries()["Storport driver tokens"]);
    }

    [NativeFact]
    public void AKtimerStillQueuedInARemovedAdaptersExtension_IsCancelledAndReported_ItsDpcNeverRunsOnFreedMemory()
    {
        var (host, driver, engine) = StartStorport();
        Submit(host.Adapters[0], CmdKeTimer); // due in 20 ms

        host.Adapters[0].Remove();

        var report = Assert.Single(host.BugChecks);
        Assert.Equal(("adapter0", "Removal", BugCheckCodes.TIMER_OR_DPC_INVALID), (report.Adapter, report.Routine, report.BugCheck.Code));
        Assert.Contains("KTIMER", report.BugCheck.Message, StringComparison.Ordinal);
        engine.AdvanceBy(100 * Ms);
        Assert.DoesNotContain(driver.DebugOutput, l => l.StartsWith("MptKeDpc", StringComparison.Ordinal));
    }

    [NativeFact]
    public void FreedTimerObjects_LeaveNoEntry_AndTheirHandlesStayRecognisedAsFreed()
    {
        var (host, driver, engine) = StartStorport();
        var adapter = host.Adapters[0];
        var extension = (NativeDeviceExtension)adapter.DeviceExtension;
        var first = Marshal.ReadIntPtr(extension.Address);
        var before = Entries();
        var slots = NativeObjects.TimerHandles.Capacity;
        for (var i = 0; i < 20; i++)
        {
            Submit(adapter, CmdExTimer);
            engine.AdvanceBy(30 * Ms);
            Submit(adapter, CmdNewTimer); // StorPortFreeTimer, then StorPortInitializeTimer
        }

        Assert.Equal(before, Entries());
        Assert.Equal(slots, NativeObjects.TimerHandles.Capacity); // the freed slot is reused each time
        Assert.Equal(HandleState.Freed, NativeObjects.TimerHandles.Find(first, out _));
        Assert.Equal(20, driver.DebugOutput.Count(l => l.StartsWith("new timer status 0x00000000", StringComparison.Ordinal)));
        Assert.Empty(host.BugChecks);
    }

    [NativeFact]
    public void UnloadingAnNdisDriver_ReleasesItsDriverObject_Once()
    {
        var before = Entries();
        var (_, driver, _) = StartNdis("ndis6_timers", adapters: 0);
        Assert.Equal(before["NDIS driver tokens"] + 1, Entries()["NDIS driver tokens"]);

        Assert.True(driver.Unload());
        Assert.True(driver.Unload());

        Assert.Equal(before["NDIS driver tokens"], Entries()["NDIS driver tokens"]);
        Assert.Equal(before["NDIS driver handles"], Entries()["NDIS driver handles"]);
    }

    [NativeFact]
    public void LoadingTheSameDriverAgain_ReusesTheLoadedLibrary()
    {
        var (_, first, _) = StartNdis("ndis6_timers", adapters: 0);
        var mappings = Mappings(first.Path);
        Assert.NotEqual(0, mappings);
        var (_, second, _) = StartNdis("ndis6_timers", adapters: 0);

        Assert.Equal(first.Library, second.Library); // one dlopen handle: the image is mapped once, its statics shared
        Assert.Equal(mappings, Mappings(second.Path));
        Assert.True(first.Unload());
        Assert.True(second.Unload());
    }

    /// <summary>The lines of /proc/self/maps that map <paramref name="path"/>.</summary>
    private static int Mappings(string path) => File.ReadLines("/proc/self/maps").Count(l => l.EndsWith(path, StringComparison.Ordinal));

    private static Dictionary<string, long> Entries() => NativeBridgeStatistics.Entries().ToDictionary(e => e.Key, e => e.Value);

    private (NdisHost Host, NativeNdisDriver Driver, VirtualTimerEngine Engine) StartNdis(string name, int adapters)
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new NdisHost(engine);
        var driver = NativeNdisDriver.Load(NativeBuild.Driver(name), host);
        Assert.Equal(0, driver.DriverEntryStatus);
        for (var i = 0; i < adapters; i++)
        {
            Assert.Equal(NdisAdapterState.Running, host.AddAdapter().State);
        }

        return (host, driver, engine);
    }

    private (StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine) StartStorport()
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new StorportHost(engine);
        var driver = NativeStorportDriver.Load(NativeBuild.Driver("storport_timers"), host);
        _disposables.Add(driver);
        Assert.Equal(AdapterState.Started, host.AddAdapter().State);
        return (host, driver, engine);
    }

    private static void Submit(StorportAdapter adapter, byte command) =>
        Assert.True(adapter.SubmitRequest(new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, CdbOperationCode = command }));
}
