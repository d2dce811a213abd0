using MiniportTimers.Engine;
using MiniportTimers.Native;
using MiniportTimers.Native.Storport;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Native.Storport;

/// <summary>
/// Issue 22: the Storport services a native miniport calls besides its timers and I/O path, through our own
/// storport_timers.c on the virtual clock: ETW events and telemetry as lines of the driver's debug output, pool memory
/// (zeroed; a block left at removal is a finding), the adapter's registry values in memory, StorPortCompleteRequest,
/// the power settings a miniport registers, and StorPortStateChangeDetected's answers and rescans.
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed class NativeStorportServicesTests : IDisposable
{
    private const byte CmdEtw = 0x20;
    private const byte CmdLeakPool = 0x21;
    private const byte CmdRegistry = 0x22;
    private const byte CmdCompleteAll = 0x23;

    private readonly List<IDisposable> _disposables = [];

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    [NativeFact]
    public void EtwEventsAndTelemetry_AreLinesOfTheDebugOutput_WithTheirNamesAndValues()
    {
        var (host, driver) = Start();
        Submit(host, CmdEtw);
        Assert.Equal(["[etw] event id=5 level=Warning opcode=0 keywords=0x10 \"test event\" First=0x1 Second=0xff"], Lines(driver, "[etw]"));
        Assert.Equal(["[telemetry] MptTelemetry id=7 Value=0x2a"], Lines(driver, "[telemetry]"));
        Assert.Equal(["etw status 0x00000000"], Lines(driver, "etw status"));
        Assert.Equal(["telemetry status 0x00000000"], Lines(driver, "telemetry status"));
    }

    [NativeFact]
    public void PoolLeftAllocated_AtRemoval_IsAFindingNamingIt_AndTheHostFreesIt()
    {
        var (host, driver) = Start();
        Submit(host, CmdLeakPool);
        Assert.Equal(["pool status 0x00000000 zeroed 1"], Lines(driver, "pool status"));
        Assert.DoesNotContain(host.Findings, f => f.Rule == "PoolNotFreed");
        host.Adapters[0].Remove();
        var finding = Assert.Single(host.Findings, f => f.Rule == "PoolNotFreed");
        Assert.Contains("pool block of 100 bytes (tag 0x54504D30)", finding.Detail, StringComparison.Ordinal);
        Assert.Empty(host.BugChecks);
    }

    [NativeFact]
    public void AdapterRegistryValues_RoundTripInMemory_AndAnAbsentOneIsUnsuccessful()
    {
        var (host, driver) = Start();
        Submit(host, CmdRegistry);
        Assert.Equal(["registry write 0x00000000"], Lines(driver, "registry write"));
        Assert.Equal(["registry read 0x00000000 value 0x12345678 length 4"], Lines(driver, "registry read"));
        Assert.Equal([$"registry missing 0x{StorPort.STOR_STATUS_UNSUCCESSFUL:x8}"], Lines(driver, "registry missing"));
    }

    [NativeFact]
    public void StorPortCompleteRequest_CompletesTheOutstandingRequestsOfThatPath_WithTheGivenStatus()
    {
        var (host, driver) = Start();
        SCSI_REQUEST_BLOCK? completed = null;
        var srb = new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, PathId = 0, CdbOperationCode = CmdCompleteAll, CompletionRoutine = r => completed = r };
        Assert.True(host.Adapters[0].SubmitRequest(srb));
        ((VirtualTimerEngine)host.Engine).AdvanceBy(0);
        Assert.Equal(["pending path 0"], Lines(driver, "pending path"));
        Assert.True(srb.IsCompleted);
        Assert.Same(srb, completed);
        Assert.Equal(StorPort.SRB_STATUS_ABORTED, srb.SrbStatus);
        Assert.Equal(0, NativeStorportDriver.RequestCount);
    }

    [Fact]
    public void StateChangeDetected_WhileOneIsProcessed_IsUnsuccessful_AndEachTakenOneRaisesARescan()
    {
        using var engine = new VirtualTimerEngine();
        var host = new StorportHost(engine);
        var rescans = new List<(long At, uint Entity, byte Path)>();
        host.RescanRequested += (_, entity, path) => rescans.Add((engine.NowNanoseconds, entity, path));
        var extension = new object();
        host.StorPortInitialize(new HW_INITIALIZATION_DATA
        {
            DeviceExtensionFactory = () => extension,
            HwFindAdapter = (object _, object? _, object? _, string? _, PORT_CONFIGURATION_INFORMATION _, out bool r) => { r = false; return StorPort.SP_RETURN_FOUND; },
            HwInitialize = _ => true,
            HwStartIo = (_, _) => true,
            HwInterrupt = _ => false,
            HwAdapterControl = (_, _, _) => 0,
        });
        host.AddAdapter();
        Assert.Equal(StorPort.STOR_STATUS_SUCCESS, StorPort.StorPortStateChangeDetected(extension, StorPort.STATE_CHANGE_TARGET, 2, 0));
        Assert.Equal(StorPort.STOR_STATUS_UNSUCCESSFUL, StorPort.StorPortStateChangeDetected(extension, StorPort.STATE_CHANGE_TARGET, 2, 0));
        Assert.Empty(rescans); // raised on the dispatcher, after the caller returned
        engine.AdvanceBy(0);
        Assert.Equal([(0L, StorPort.STATE_CHANGE_TARGET, (byte)2)], rescans);
        engine.AdvanceBy((long)host.Options.StateChangeProcessingMicroseconds * 1000);
        Assert.Equal(StorPort.STOR_STATUS_SUCCESS, StorPort.StorPortStateChangeDetected(extension, StorPort.STATE_CHANGE_BUS, 0, 0));
        engine.AdvanceBy(0);
        Assert.Equal(2, rescans.Count);
    }

    [Fact]
    public void RegisteredPowerSettings_AreSentFromTheHostsPowerPlan_AndAgainOnNotifyPowerSettings()
    {
        using var engine = new VirtualTimerEngine();
        var lpm = new Guid("0B2D69D7-A2A1-449C-9680-F91C70521C60");
        var host = new StorportHost(engine, new StorportHostOptions { PowerSettings = new Dictionary<Guid, uint> { [lpm] = 2 } });
        var received = new List<STOR_POWER_SETTING_INFO>();
        var extension = new object();
        host.StorPortInitialize(new HW_INITIALIZATION_DATA
        {
            DeviceExtensionFactory = () => extension,
            HwFindAdapter = (object _, object? _, object? _, string? _, PORT_CONFIGURATION_INFORMATION _, out bool r) => { r = false; return StorPort.SP_RETURN_FOUND; },
            HwInitialize = _ => true,
            HwStartIo = (_, _) => true,
            HwInterrupt = _ => false,
            HwAdapterControl = (_, type, parameters) =>
            {
                if (type == SCSI_ADAPTER_CONTROL_TYPE.ScsiPowerSettingNotification)
                {
                    received.Add((STOR_POWER_SETTING_INFO)parameters!);
                }

                return 0;
            },
        });
        var adapter = host.AddAdapter();
        Assert.Equal(0, adapter.NotifyPowerSettings()); // nothing registered yet
        adapter.PowerSettingsRegistered([lpm, Guid.NewGuid()]); // what StorPortSetPowerSettingNotificationGuids does
        Assert.Empty(received);
        engine.AdvanceBy(0);
        Assert.Equal([new STOR_POWER_SETTING_INFO(lpm, 2)], received); // the unknown setting has no value in the plan
        Assert.Equal(1, adapter.NotifyPowerSettings());
        Assert.Equal(2, received.Count);
    }

    private (StorportHost Host, NativeStorportDriver Driver) Start()
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new StorportHost(engine);
        var driver = NativeStorportDriver.Load(NativeBuild.Driver("storport_timers"), host);
        _disposables.Add(driver);
        host.AddAdapter();
        return (host, driver);
    }

    private static void Submit(StorportHost host, byte command) =>
        Assert.True(host.Adapters[0].SubmitRequest(new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, CdbOperationCode = command }));

    private static List<string> Lines(NativeDriver driver, string containing) =>
        [.. driver.DebugOutput.Where(l => l.Contains(containing, StringComparison.Ordinal)).Select(l => l.TrimEnd())];
}
