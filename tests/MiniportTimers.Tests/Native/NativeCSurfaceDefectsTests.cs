using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Native;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Native.Storport;
using MiniportTimers.Ndis;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Native;

/// <summary>
/// Issue 21 §5 through the C surface: our own C miniports (native/miniports/c_surface_defects_storport.c and
/// c_surface_defects_ndis.c) whose DPC-level routines return at the wrong IRQL, and whose first NDIS adapter leaves a
/// timer object allocated at halt that another adapter arms. The C surface must say what the C# surface says
/// (Hosting/CallbackReturnIrqlTests, Ndis/NdisTimerObjectHaltTests). Virtual clock.
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed class NativeCSurfaceDefectsTests : IDisposable
{
    private const byte CsdRaisingTimer = 0x01;
    private const byte CsdLoweringLegacy = 0x02;
    private const byte CsdRaisingDpc = 0x03;
    private const byte CsdRaisingEx = 0x04;
    private const byte CsdBalancedTimer = 0x05;

    private const uint OidRaisingTimer = 0xFF010001;
    private const uint OidRaisingDpc = 0xFF010002;
    private const uint OidRaisingWorkItem = 0xFF010003;
    private const uint OidArmLeakedTimer = 0xFF010004;
    private const uint OidBalancedTimer = 0xFF010005;

    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private readonly List<IDisposable> _disposables = [];

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    // ---- a DPC-level routine returning at the wrong IRQL: IRQL_NOT_GREATER_OR_EQUAL (0x09) ----

    [NativeTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Storport_ATimerCallbackReturningAtHighLevel_Is0x09_AndStopsThatAdapterOnly(bool verifier)
    {
        var (host, driver, engine) = StartStorport(verifier, adapters: 2);
        Submit(host, CsdRaisingTimer);
        engine.AdvanceBy(Ms);
        var report = Assert.Single(host.BugChecks);
        Assert.Equal(("adapter0", "TimerCallback"), (report.Adapter, report.Routine));
        Assert.Equal((BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 15ul, 2ul), (report.BugCheck.Code, report.BugCheck.Parameter1, report.BugCheck.Parameter2));
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("CsdRaisingTimer returns at irql 15, called at 2", StringComparison.Ordinal));
        Assert.Equal(AdapterState.Faulted, host.Adapters[0].State);

        Submit(host, CsdBalancedTimer, adapter: 1); // the other adapter goes on; raising and lowering again is legal
        engine.AdvanceBy(Ms);
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("CsdBalancedTimer returns at irql 2", StringComparison.Ordinal));
        Assert.Single(host.BugChecks);
        Assert.Equal(AdapterState.Started, host.Adapters[1].State);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
    }

    [NativeFact]
    public void Storport_TheLegacyHwStorTimerReturningAtPassiveLevel_Is0x09WithTheLowerIrql()
    {
        var (host, _, engine) = StartStorport(verifier: true);
        Submit(host, CsdLoweringLegacy);
        engine.AdvanceBy(Ms);
        var bc = Assert.Single(host.BugChecks).BugCheck;
        Assert.Equal((BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 0ul, 2ul), (bc.Code, bc.Parameter1, bc.Parameter2));
    }

    [NativeFact]
    public void Storport_ADpcRoutineReturningAtHighLevel_Is0x09()
    {
        var (host, driver, engine) = StartStorport(verifier: true);
        Submit(host, CsdRaisingDpc);
        engine.AdvanceBy(0);
        var report = Assert.Single(host.BugChecks);
        Assert.Equal(("DpcRoutine", BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 15ul, 2ul), (report.Routine, report.BugCheck.Code, report.BugCheck.Parameter1, report.BugCheck.Parameter2));
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("CsdRaisingDpc returns at irql 15", StringComparison.Ordinal));
    }

    [NativeFact]
    public void Storport_AnExTimerCallbackReturningAtHighLevel_Is0x09()
    {
        var (host, _, engine) = StartStorport(verifier: false);
        Submit(host, CsdRaisingEx);
        engine.AdvanceBy(Ms);
        var report = Assert.Single(host.BugChecks);
        Assert.Equal(("adapter0", BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 15ul, 2ul), (report.Adapter, report.BugCheck.Code, report.BugCheck.Parameter1, report.BugCheck.Parameter2));
        Assert.Equal(AdapterState.Faulted, host.Adapters[0].State);
    }

    [NativeTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Ndis_ATimerObjectCallbackReturningAtHighLevel_Is0x09_AndStopsThatAdapterOnly(bool verifier)
    {
        var (host, driver, engine, nics) = StartNdis(verifier, adapters: 2);
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, Set(nics[0], OidRaisingTimer));
        engine.AdvanceBy(Ms);
        var report = Assert.Single(host.Diagnostics.BugChecks);
        Assert.Equal(("nic0", "TimerCallback"), (report.Adapter, report.Routine));
        Assert.Equal((BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 15ul, 2ul), (report.BugCheck.Code, report.BugCheck.Parameter1, report.BugCheck.Parameter2));
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("RaisingTimer 0 returns at irql 15, called at 2", StringComparison.Ordinal));
        Assert.Equal(NdisAdapterState.Faulted, nics[0].State);

        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, Set(nics[1], OidBalancedTimer));
        engine.AdvanceBy(Ms);
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("BalancedTimer 1 returns at irql 2", StringComparison.Ordinal));
        Assert.Single(host.Diagnostics.BugChecks);
        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
    }

    [NativeFact]
    public void Ndis_AKdpcRoutineReturningAtHighLevel_Is0x09()
    {
        var (host, driver, engine, nics) = StartNdis(verifier: true);
        Set(nics[0], OidRaisingDpc);
        engine.AdvanceBy(0);
        var report = Assert.Single(host.Diagnostics.BugChecks);
        Assert.Equal(("nic0", "KernelDpc", BugCheckCodes.IRQL_NOT_GREATER_OR_EQUAL, 15ul, 2ul), (report.Adapter, report.Routine, report.BugCheck.Code, report.BugCheck.Parameter1, report.BugCheck.Parameter2));
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("RaisingDpc 0 returns at irql 15", StringComparison.Ordinal));
    }

    [NativeFact]
    public void Ndis_AnIoWorkItemReturningAtDispatchLevel_IsWorkerThreadReturnedAtBadIrql0xE1()
    {
        var (host, driver, engine, nics) = StartNdis(verifier: false);
        Set(nics[0], OidRaisingWorkItem);
        engine.AdvanceBy(0);
        var report = Assert.Single(host.Diagnostics.BugChecks);
        Assert.Equal(("WorkItem", BugCheckCodes.WORKER_THREAD_RETURNED_AT_BAD_IRQL, 2ul), (report.Routine, report.BugCheck.Code, report.BugCheck.Parameter2));
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("RaisingWorkItem 0 returns at irql 2, called at 0", StringComparison.Ordinal));
    }

    // ---- a timer object left allocated at halt, armed later by another adapter ----

    [NativeFact]
    public void Ndis_VerifierOff_ATimerObjectLeftAllocatedAtHalt_IsAFinding_AndAnotherAdaptersArmFiresItWithAFinding()
    {
        var (host, driver, engine, nics) = StartNdis(verifier: false, adapters: 2);
        engine.AdvanceBy(10 * Ms);
        nics[0].Halt();
        var halt = Assert.Single(host.Diagnostics.Findings);
        Assert.Equal(("nic0", "TimerObjectNotFreedAtHalt"), (halt.Adapter, halt.Rule));

        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, Set(nics[1], OidArmLeakedTimer));
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("ArmLeaked by adapter 1 returned 0", StringComparison.Ordinal));
        var armed = Assert.Single(host.Diagnostics.Findings, f => f.Rule == "TimerArmedAfterItsAdapterWentAway");
        Assert.Equal("nic1", armed.Adapter);
        Assert.Contains("NdisSetTimerObject", armed.Detail, StringComparison.Ordinal);

        engine.AdvanceBy(5 * Ms);
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("LeakedTimer fires at 150000 irql 2 armed by adapter 1", StringComparison.Ordinal)); // 15 ms in 100 ns units
        Assert.Empty(host.Diagnostics.BugChecks);
    }

    [NativeFact]
    public void Ndis_VerifierOn_HaltBugChecks_AndTheOtherAdaptersArmBugChecksNamingTheRoutine_TheCFramesUnwound()
    {
        var (host, driver, engine, nics) = StartNdis(verifier: true, adapters: 2);
        nics[0].Halt();
        var halt = Assert.Single(host.Diagnostics.BugChecks);
        Assert.Equal(("nic0", "Halt", BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION, VerifierRules.TimerObjectNotFreedAtHalt), (halt.Adapter, halt.Routine, halt.BugCheck.Code, halt.BugCheck.Parameter1));

        Set(nics[1], OidArmLeakedTimer);
        var armed = host.Diagnostics.BugChecks[1];
        Assert.Equal(("nic1", "MiniportOidRequest", VerifierRules.TimerArmedAfterItsAdapterWentAway), (armed.Adapter, armed.Routine, armed.BugCheck.Parameter1));
        Assert.Contains("NdisSetTimerObject", armed.BugCheck.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(driver.DebugOutput, l => l.StartsWith("ArmLeaked", StringComparison.Ordinal)); // the C frames were left
        Assert.Equal(NdisAdapterState.Faulted, nics[1].State);
        engine.AdvanceBy(100 * Ms);
        Assert.DoesNotContain(driver.DebugOutput, l => l.StartsWith("LeakedTimer", StringComparison.Ordinal));
    }

    private (StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine) StartStorport(bool verifier, int adapters = 1)
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new StorportHost(engine, new StorportHostOptions { Verifier = verifier });
        var driver = NativeStorportDriver.Load(NativeBuild.Driver("c_surface_defects_storport"), host);
        _disposables.Add(driver);
        Assert.Equal(0u, driver.DriverEntryStatus);
        for (var i = 0; i < adapters; i++)
        {
            Assert.Equal(AdapterState.Started, host.AddAdapter().State);
        }

        return (host, driver, engine);
    }

    private (NdisHost Host, NativeNdisDriver Driver, VirtualTimerEngine Engine, List<NdisMiniportAdapter> Nics) StartNdis(bool verifier, int adapters = 1)
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new NdisHost(engine, new NdisHostOptions { Verifier = verifier });
        var driver = NativeNdisDriver.Load(NativeBuild.Driver("c_surface_defects_ndis"), host);
        Assert.Equal(0, driver.DriverEntryStatus);
        var nics = new List<NdisMiniportAdapter>();
        for (var i = 0; i < adapters; i++)
        {
            nics.Add(host.AddAdapter());
            Assert.Equal(NdisAdapterState.Running, nics[i].State);
        }

        return (host, driver, engine, nics); // host.Adapters lists the live ones only: a halted adapter leaves it
    }

    private static void Submit(StorportHost host, byte command, int adapter = 0) =>
        Assert.True(host.Adapters[adapter].SubmitRequest(new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, CdbOperationCode = command }));

    private static uint Set(NdisMiniportAdapter adapter, uint oid) =>
        adapter.OidRequest(new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestSetInformation, Oid = oid, InformationBuffer = new byte[4] });
}
