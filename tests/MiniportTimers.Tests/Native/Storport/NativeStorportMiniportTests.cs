using System.Text.RegularExpressions;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Native;
using MiniportTimers.Native.Storport;
using MiniportTimers.Storport;

namespace MiniportTimers.Tests.Native.Storport;

/// <summary>
/// Issue 12: our own C Storport miniport (native/miniports/storport_timers.c), built by gcc with native/toolchain.mk,
/// loaded into this process and run on the virtual clock with the same exact-time assertions as the C# samples; one
/// run on the real clock with generous bounds.
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed partial class NativeStorportMiniportTests : IDisposable
{
    private const byte CmdArm = 0x01;
    private const byte CmdCancel = 0x02;
    private const byte CmdPoll = 0x03;
    private const byte CmdFreeInCallback = 0x04;
    private const byte CmdTakeStartIoLock = 0x05;
    private const byte CmdBugCheck = 0x06;
    private const byte CmdTolerant = 0x07;
    private const byte CmdPrintFormats = 0x08;
    private const byte CmdKeTimer = 0x09;
    private const byte CmdExTimer = 0x0A;
    private const byte CmdInitNull = 0x0B;
    private const byte CmdFreeTwice = 0x0C;
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private readonly List<IDisposable> _disposables = [];

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    [NativeFact]
    public void DriverEntry_RegistersTheMiniport_AndHwFindAdapterInitializesItsTimer()
    {
        var (host, driver, _) = Start();
        Assert.Equal(0u, driver.DriverEntryStatus);
        var adapter = Assert.Single(host.Adapters);
        Assert.Equal(AdapterState.Started, adapter.State);
        Assert.Equal(1, adapter.LiveTimerCount);
        Assert.Contains("MptFindAdapter arg (none) timer status 0x00000000", driver.DebugOutput.Select(l => l.TrimEnd()));
    }

    [NativeFact]
    public void InitializeTimer_WithNoPlaceForTheHandle_IsInvalidParameter_AndCreatesNothing()
    {
        var (host, driver, _) = Start();
        var before = host.Adapters[0].LiveTimerCount;
        Submit(host, CmdInitNull);
        Assert.Equal(["init null status 0xc1000006"], Lines(driver, "init null")); // STOR_STATUS_INVALID_PARAMETER
        Assert.Equal(before, host.Adapters[0].LiveTimerCount);
    }

    [NativeFact]
    public void ASecondFree_FromC_IsUnsuccessful_AsInCSharp_AndTheStaleHandleIsRefused()
    {
        var (host, driver, _) = Start();
        var before = host.Adapters[0].LiveTimerCount;
        Submit(host, CmdFreeTwice);
        Assert.Equal(["free twice init 0x00000000", "free twice first 0x00000000", "free twice second 0xc1000001"], Lines(driver, "free twice").Take(3));
        Assert.Equal("free twice request 0xc1000006", Lines(driver, "free twice request").Single()); // a freed handle: INVALID_PARAMETER, as Request on a freed C# handle

        // The C# surface, same calls: the statuses agree.
        var adapter = host.Adapters[0];
        Assert.Equal(StorPort.STOR_STATUS_SUCCESS, StorPort.StorPortInitializeTimer(adapter.DeviceExtension, out var handle));
        var first = StorPort.StorPortFreeTimer(adapter.DeviceExtension, handle);
        var second = StorPort.StorPortFreeTimer(adapter.DeviceExtension, handle);
        Assert.Equal((StorPort.STOR_STATUS_SUCCESS, StorPort.STOR_STATUS_UNSUCCESSFUL), (first, second));
        Assert.Equal(before, host.Adapters[0].LiveTimerCount);
        Assert.Empty(host.Diagnostics.BugChecks);
    }

    [NativeFact]
    public void ARequest_FiresAtExactly10ms_ASecondIsBusy_AndTheReportNamesTheCFunction()
    {
        var (host, driver, engine) = Start();
        Submit(host, CmdArm);
        Assert.Equal(["arm status 0x00000000", "second arm status 0xc100000c"], Lines(driver, "arm status"));
        engine.AdvanceBy(10 * Ms - 1);
        Assert.Empty(Fires(driver));
        engine.AdvanceBy(1);
        Assert.Equal([(1, 100_000L)], Fires(driver)); // 10 ms in 100 ns units, at DISPATCH_LEVEL (below)
        Assert.Contains(driver.DebugOutput, l => l.Contains("irql 2 context ext", StringComparison.Ordinal));
        var row = Assert.Single(host.TimerActivity.Rows);
        Assert.Equal(("StorPortRequestTimer", "MptTimerCallback", 1L, 1L, 1L), (row.Kind, row.Callback, row.Arms, row.Fires, row.Busy));
        Assert.Equal(0, row.Lateness.MaxNanoseconds); // on the virtual clock a callback starts at its due time exactly
    }

    [NativeFact]
    public void ACallbackThatReArmsItself_Polls_Every10ms()
    {
        var (host, driver, engine) = Start();
        Submit(host, CmdPoll);
        engine.AdvanceBy(100 * Ms);
        Assert.Equal([(1, 100_000L), (2, 200_000L), (3, 300_000L), (4, 400_000L)], Fires(driver));
        Assert.Equal(["rearm status 0x00000000", "rearm status 0x00000000", "rearm status 0x00000000"], Lines(driver, "rearm status"));
    }

    [NativeFact]
    public void ACancel_StopsThePendingRequest()
    {
        var (host, driver, engine) = Start();
        Submit(host, CmdPoll);
        engine.AdvanceBy(5 * Ms);
        Submit(host, CmdCancel);
        engine.AdvanceBy(100 * Ms);
        Assert.Empty(Fires(driver));
        Assert.Equal(1, Assert.Single(host.TimerActivity.Rows).Cancels);
    }

    [NativeFact]
    public void ATimerFreedInsideItsOwnCallback_IsGone()
    {
        var (host, driver, engine) = Start();
        Submit(host, CmdFreeInCallback);
        engine.AdvanceBy(5 * Ms);
        Assert.Equal([(1, 50_000L)], Fires(driver));
        Assert.Equal(["free in callback status 0x00000000"], Lines(driver, "free in callback"));
        Assert.Equal(0, host.Adapters[0].LiveTimerCount);
    }

    [NativeFact]
    public void ATolerableDelay_LetsTheExpiryComeLate_NeverEarly()
    {
        var (host, driver, engine) = Start();
        Submit(host, CmdTolerant); // 2 ms, 1 ms tolerable delay
        engine.AdvanceBy(2 * Ms);
        Assert.Empty(Fires(driver)); // alone, it waits for the end of its window: a wake-up another timer could share
        engine.AdvanceBy(Ms);
        Assert.Equal([(1, 30_000L)], Fires(driver)); // at the window's end, never after it
    }

    [NativeFact]
    public void TheLegacyRequestTimerCall_FromHwStorInterrupt_IsAppliedWhenTheIrqlDrops()
    {
        var (host, driver, engine) = Start();
        engine.AdvanceBy(3 * Ms);
        Assert.True(host.Adapters[0].RaiseInterrupt());
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("MptInterrupt irql 5 at 30000", StringComparison.Ordinal)); // device IRQL 5
        engine.AdvanceBy(Ms);
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("MptLegacyTimer fire 1 at 40000", StringComparison.Ordinal));
        var row = Assert.Single(host.TimerActivity.Rows);
        Assert.Equal(("RequestTimerCall", "MptLegacyTimer"), (row.Kind, row.Callback));
    }

    [NativeFact]
    public void ABugCheckInsideCCode_StopsThatAdapterOnly_AndTheProcessLivesOn()
    {
        var (host, driver, engine) = Start(adapters: 2);
        Submit(host, CmdTakeStartIoLock); // adapter0: the StartIo lock is held in HwStorStartIo
        var report = Assert.Single(host.BugChecks);
        Assert.Equal(("adapter0", "HwStartIo", BugCheckCodes.SPIN_LOCK_ALREADY_OWNED), (report.Adapter, report.Routine, report.BugCheck.Code));
        Assert.DoesNotContain(driver.DebugOutput, l => l.Contains("unreachable", StringComparison.Ordinal)); // the C frames were left
        Assert.Equal(AdapterState.Faulted, host.Adapters[0].State);

        Submit(host, CmdArm, adapter: 1); // the other adapter goes on
        engine.AdvanceBy(10 * Ms);
        Assert.Equal([(1, 100_000L)], Fires(driver));
        Assert.Equal(AdapterState.Started, host.Adapters[1].State);
    }

    [NativeFact]
    public void KeBugCheckEx_FromC_IsReportedWithItsCodeAndParameters()
    {
        var (host, _, _) = Start();
        Submit(host, CmdBugCheck);
        var bugCheck = Assert.Single(host.BugChecks).BugCheck;
        Assert.Equal((0xE2u, 1ul, 2ul, 3ul, 4ul), (bugCheck.Code, bugCheck.Parameter1, bugCheck.Parameter2, bugCheck.Parameter3, bugCheck.Parameter4));
    }

    [NativeFact]
    public void RemovalWithATimerQueued_IsTimerOrDpcInvalid_AsForACSharpMiniport()
    {
        var (host, driver, _) = Start();
        Submit(host, CmdArm);
        host.Adapters[0].Remove();
        var report = Assert.Single(host.BugChecks);
        Assert.Equal(("Removal", BugCheckCodes.TIMER_OR_DPC_INVALID), (report.Routine, report.BugCheck.Code));
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("pnp action 0x2", StringComparison.Ordinal)); // StorRemoveDevice reached the C code
    }

    [NativeFact]
    public void OnTheRealClock_TheCallbackFires_GenerousBounds()
    {
        using var engine = new RealTimeTimerEngine("native-test");
        var host = new StorportHost(engine);
        var driver = NativeStorportDriver.Load(NativeBuild.Driver("storport_timers"), host);
        _disposables.Add(driver);
        using var fired = new ManualResetEventSlim();
        driver.DebugPrinted += line =>
        {
            if (line.StartsWith("MptTimerCallback", StringComparison.Ordinal))
            {
                fired.Set();
            }
        };
        host.AddAdapter();
        Submit(host, CmdArm);
        Assert.True(fired.Wait(TimeSpan.FromSeconds(10)), "the C callback ran on the real clock");
        Assert.Empty(host.BugChecks);
    }

    [NativeFact]
    public void AKtimerWithAKdpc_FromC_QueuesItsDpcAt20ms_WithTheSystemTimeAsItsArguments()
    {
        var (host, driver, engine) = Start();
        Submit(host, CmdKeTimer);
        Assert.Equal(["ke set queued 0"], Lines(driver, "ke set queued"));
        engine.AdvanceBy(20 * Ms - 1);
        Assert.Empty(Lines(driver, "MptKeDpc"));
        engine.AdvanceBy(1);
        var systemTime = host.SystemTime100ns(20 * Ms);
        Assert.Equal([$"MptKeDpc 1 at 200000 own 1 systime {systemTime} signalled 1"], Lines(driver, "MptKeDpc"));
    }

    [NativeFact]
    public void AnExTimer_FromC_FiresAt30ms_AtDispatchLevel_AndMayDeleteItselfInItsCallback()
    {
        var (host, driver, engine) = Start();
        Submit(host, CmdExTimer);
        engine.AdvanceBy(100 * Ms);
        Assert.Equal(["MptExCallback 1 at 300000 own 1 deleted 0 irql 2"], Lines(driver, "MptExCallback")); // not queued any more: FALSE
        Assert.Empty(host.BugChecks);
    }

    [NativeFact]
    public void DbgPrint_FormatsWithWindowsSemantics()
    {
        var (host, driver, _) = Start();
        Submit(host, CmdPrintFormats);

        // %lx is 32 bits (ULONG), %I64x 64, %ws a WCHAR string, %wZ a UNICODE_STRING (UTF-16 to UTF-8), %hd 16 bits.
        Assert.Equal(["formats ffffffff|123456789abcdef0|wide|Nümero été|-2|   ab|%|Z|4294967295|-7"], Lines(driver, "formats "));
    }

    [NativeFact]
    public void LoadingSomethingElse_FailsWithAClearMessage()
    {
        var host = new StorportHost(new VirtualTimerEngine());
        var missing = Assert.Throws<NativeDriverException>(() => NativeStorportDriver.Load("/nonexistent/driver.so", host));
        Assert.Contains("/nonexistent/driver.so", missing.Message, StringComparison.Ordinal);
        var notShim = Assert.Throws<NativeDriverException>(() => NativeStorportDriver.Load(Path.Combine(RuntimeFolder(), "libSystem.Native.so"), host));
        Assert.Contains("MptSetDdiTable", notShim.Message, StringComparison.Ordinal);
    }

    private (StorportHost Host, NativeStorportDriver Driver, VirtualTimerEngine Engine) Start(int adapters = 1)
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new StorportHost(engine);
        var driver = NativeStorportDriver.Load(NativeBuild.Driver("storport_timers"), host);
        _disposables.Add(driver);
        for (var i = 0; i < adapters; i++)
        {
            host.AddAdapter();
        }

        return (host, driver, engine);
    }

    private static void Submit(StorportHost host, byte command, int adapter = 0) =>
        Assert.True(host.Adapters[adapter].SubmitRequest(new SCSI_REQUEST_BLOCK { Function = StorPort.SRB_FUNCTION_EXECUTE_SCSI, CdbOperationCode = command }) || host.Adapters[adapter].State == AdapterState.Faulted);

    private static List<(int Fire, long At100ns)> Fires(NativeDriver driver) =>
        [.. driver.DebugOutput.Select(l => FirePattern().Match(l)).Where(m => m.Success).Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)))];

    private static List<string> Lines(NativeDriver driver, string containing) =>
        [.. driver.DebugOutput.Where(l => l.Contains(containing, StringComparison.Ordinal)).Select(l => l.TrimEnd())];

    private static string RuntimeFolder() => Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    [GeneratedRegex(@"^MptTimerCallback fire (\d+) at (\d+)")]
    private static partial Regex FirePattern();
}
