using MiniportTimers.Devices.Memory;
using MiniportTimers.Devices.Nvme;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Native;
using MiniportTimers.Native.Storport;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Native.Storport;

/// <summary>
/// Issue 24: the routines the OFA NVMe driver (nvmewin) calls that storahci does not, through our own
/// storport_timers.c on the virtual clock (nvmewin itself needs its source, which CI does not have): the processor,
/// group and NUMA node routines of its core-to-queue mapping (one group, one node, the host's one processor),
/// node-aware contiguous memory, registry buffers, the error log, and the routines that are not emulated
/// (ScsiPortWmiDispatchFunction, MmGetPhysicalAddress), each a bug check naming itself.
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed class NativeStorportNvmewinServicesTests : IDisposable
{
    private const byte CmdNuma = 0x24;
    private const byte CmdContiguous = 0x25;
    private const byte CmdRegistryBuffer = 0x26;
    private const byte CmdLogError = 0x27;
    private const byte CmdWmi = 0x28;
    private const byte CmdMmPhysical = 0x29;
    private const byte CmdPerfTargets = 0x2A;

    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            _disposables[i].Dispose();
        }
    }

    [NativeFact]
    public void ProcessorGroupAndNodeRoutines_DescribeOneGroupAndOneNode_HoldingTheOneProcessor()
    {
        var (host, driver) = Start();
        Submit(host, CmdNuma);
        Assert.Equal(
        [
            "numa processor 0x00000000 group 0 number 0",
            $"numa processor null 0x{StorPort.STOR_STATUS_INVALID_PARAMETER:x8}",
            "numa groups 0x00000000 count 1",
            "numa group 0 0x00000000 mask 0x1",
            $"numa group 1 0x{StorPort.STOR_STATUS_INVALID_PARAMETER:x8}",
            "numa highest node 0x00000000 node 0",
            "numa node 0 0x00000000 group 0 mask 0x1 reserved 0",
            $"numa node 1 0x{StorPort.STOR_STATUS_INVALID_PARAMETER:x8}",
        ], Lines(driver, "numa "));
        Assert.Empty(host.BugChecks);
    }

    [NativeFact]
    public void PerfOpts_WithMessageRangesAndLocality_StorportFillsTheMessageTargets_EachMessageOnProcessor0()
    {
        // nvmewin sets STOR_PERF_INTERRUPT_MESSAGE_RANGES | STOR_PERF_ADV_CONFIG_LOCALITY and reads MessageTargets back to
        // map its MSI messages to cores: left unfilled, its zero mask walked one entry past its core table.
        var (host, driver) = Start();
        Submit(host, CmdPerfTargets);
        var supported = StorPort.STOR_PERF_DPC_REDIRECTION | StorPort.STOR_PERF_CONCURRENT_CHANNELS | StorPort.STOR_PERF_INTERRUPT_MESSAGE_RANGES
            | StorPort.STOR_PERF_ADV_CONFIG_LOCALITY | StorPort.STOR_PERF_OPTIMIZE_FOR_COMPLETION_DURING_STARTIO;
        Assert.Equal(
        [
            $"perf query 0x00000000 flags 0x{supported:x}",
            "perf set 0x00000000",
            "perf target 0 group 0 mask 0x1 reserved 0",
            "perf target 1 group 0 mask 0x1 reserved 0",
            "perf target 2 group 65535 mask 0xffffffffffffffff reserved 65535", // past LastRedirectionMessageNumber: untouched
        ], Lines(driver, "perf "));
        Assert.Empty(host.BugChecks);
    }

    [NativeFact]
    public void ContiguousMemory_IsPageAlignedZeroedAndDeviceReachable_AndASecondFreeIsInvalid()
    {
        var (host, driver) = Start(withDevice: true);
        Submit(host, CmdContiguous);
        Assert.Equal(
        [
            "contiguous allocate 0x00000000",
            "contiguous page-aligned 1 zeroed 1 physical-nonzero 1 contiguous-bytes 4096",
            "contiguous free 0x00000000",
            $"contiguous free again 0x{StorPort.STOR_STATUS_INVALID_PARAMETER:x8}",
        ], Lines(driver, "contiguous "));
        Assert.Empty(host.BugChecks);
    }

    [NativeFact]
    public void ContiguousMemory_OnAnAdapterWithoutADevice_IsInsufficientResources()
    {
        var (host, driver) = Start();
        Submit(host, CmdContiguous);
        Assert.Equal([$"contiguous allocate 0x{StorPort.STOR_STATUS_INSUFFICIENT_RESOURCES:x8}"], Lines(driver, "contiguous "));
    }

    [NativeFact]
    public void RegistryBuffer_IsZeroedPool_FreedWithoutAFinding_AndAnEmptyOneIsNull()
    {
        var (host, driver) = Start();
        Submit(host, CmdRegistryBuffer);
        Assert.Equal(["registry buffer allocated 1 zeroed 1", "registry buffer empty 1"], Lines(driver, "registry buffer"));
        host.Adapters[0].Remove();
        Assert.DoesNotContain(host.Findings, f => f.Rule == "PoolNotFreed");
        Assert.Empty(host.BugChecks);
    }

    [NativeFact]
    public void StorPortLogError_IsALineOfTheDebugOutput_WithTheAddressCodeAndUniqueId()
    {
        var (host, driver) = Start();
        Submit(host, CmdLogError);
        Assert.Equal(["[error log] path 0 target 1 lun 2 error 0x00000006 unique 0x00001234 (with a request)"], Lines(driver, "[error log]"));
        Assert.Empty(host.BugChecks);
    }

    [NativeTheory]
    [InlineData(CmdWmi, "ScsiPortWmiDispatchFunction")]
    [InlineData(CmdMmPhysical, "MmGetPhysicalAddress")]
    public void ARoutineNotEmulated_IsABugCheckNamingIt_AndTheCFramesAreLeft(byte command, string routine)
    {
        var (host, driver) = Start();
        _ = host.Adapters[0].SubmitRequest(new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, CdbOperationCode = command });
        Assert.Equal(AdapterState.Faulted, host.Adapters[0].State);
        var report = Assert.Single(host.BugChecks);
        Assert.Equal(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, report.BugCheck.Code);
        Assert.StartsWith(routine + " in ", report.BugCheck.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(driver.DebugOutput, l => l.Contains("unreachable", StringComparison.Ordinal));
    }

    private (StorportHost Host, NativeStorportDriver Driver) Start(bool withDevice = false)
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new StorportHost(engine);
        var driver = NativeStorportDriver.Load(NativeBuild.Driver("storport_timers"), host);
        _disposables.Add(driver);
        host.AddAdapter(device: withDevice ? new NvmeController(engine, new HostAddressMap()) : null);
        return (host, driver);
    }

    private static void Submit(StorportHost host, byte command) =>
        Assert.True(host.Adapters[0].SubmitRequest(new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, CdbOperationCode = command }));

    private static List<string> Lines(NativeDriver driver, string containing) =>
        [.. driver.DebugOutput.Where(l => l.Contains(containing, StringComparison.Ordinal)).Select(l => l.TrimEnd())];
}
