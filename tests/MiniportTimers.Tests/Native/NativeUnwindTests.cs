using System.Runtime.InteropServices;
using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Ndis;

namespace MiniportTimers.Tests.Native;

/// <summary>
/// Issue 21 §3: a bug check raised in C while the driver holds shim state (native/miniports/ndis6_unwind.c) stops that
/// adapter, and every other adapter stays exact: it keeps its work rounds on its 1 ms timer, every driver-global lock
/// still excludes and can be taken, and nothing is blamed on it. The fault is injected on the same thread the other
/// adapter runs on (a virtual engine: OID request and timer callbacks all on the test thread), on another dispatcher
/// (a real-clock engine with two), and in MiniportDriverUnload (outside any adapter routine).
/// </summary>
[Collection(NativeDriverCollection.Name)]
public sealed class NativeUnwindTests : IDisposable
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;
    private const uint OID_UNWIND_INJECT = 0xFF554E01;
    private const uint OID_UNWIND_WORK = 0xFF554E02;
    private const uint OID_UNWIND_STATS = 0xFF554E03;
    private const uint MANUALLY_INITIATED_CRASH = 0xE2;
    private readonly List<IDisposable> _disposables = [];

    /// <summary>What the injecting adapter holds when it raises its bug check (ndis6_unwind.c's UNWIND_PATH).</summary>
    public enum Path : uint
    {
        RwRead = 1,
        RwReadRecursive,
        RwWrite,
        RwExRead,
        RwExWrite,
        RwWriteReentered,
        RwReadUpgraded,
        RwReadThenSleep,
        SpinLock,
        Everything,
        LookasideAllocate,
        LookasideDelete,
        NblPoolFree,
        TimerReinitialize,
        Print,
        NestedSynchronize,
    }

    /// <summary>Where the injecting adapter raises it (ndis6_unwind.c's UNWIND_WHERE).</summary>
    public enum Where : uint
    {
        Now,
        NextRound,
        Unload,
    }

    private delegate void Rescue();

    /// <summary>Every path that holds state when it raises its bug check.</summary>
    public static TheoryData<Path> HoldingPaths() => [.. Enum.GetValues<Path>().Where(p => p != Path.Print)];

    public void Dispose() => _disposables.ForEach(d => d.Dispose());

    [NativeTheory]
    [MemberData(nameof(HoldingPaths))]
    public void SameThread_AFaultInAnOidRequest_LeavesTheOtherAdapterExact(Path path) => OnOneThread(path, Where.Now);

    [NativeTheory]
    [MemberData(nameof(HoldingPaths))]
    public void SameThread_AFaultInATimerCallback_LeavesTheOtherAdapterExact(Path path) => OnOneThread(path, Where.NextRound);

    [NativeTheory]
    [MemberData(nameof(HoldingPaths))]
    public void AnotherDispatcher_AFaultInATimerCallback_LeavesTheOtherAdapterRunning(Path path)
    {
        using var engine = new RealTimeTimerEngine("native-unwind", dispatchers: 2);
        // A lock the shim kept is held forever: any watchdog limit catches the spinning adapter. 1 s rather than 100 ms,
        // because on a busy two-CPU machine the thread holding a lock for a few microseconds can lose its CPU for longer.
        var host = new NdisHost(engine, new NdisHostOptions { DpcWatchdogMicroseconds = 1_000_000 });
        var driver = NativeNdisDriver.Load(NativeBuild.Driver("ndis6_unwind"), host);
        Assert.Equal(0, driver.DriverEntryStatus);
        var (faulty, other) = (host.AddAdapter(), host.AddAdapter());
        Assert.Equal((0, 1), (faulty.Processor, other.Processor)); // one dispatch thread each
        var progressed = false;
        try
        {
            // Both contend for every lock, 1,000 rounds a second each, before and while the fault is injected.
            Assert.True(WaitUntil(() => Stats(faulty).Rounds >= 20 && Stats(other).Rounds >= 20), "both adapters work");
            Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, Inject(faulty, path, Where.NextRound));
            Assert.True(WaitUntil(() => faulty.State == NdisAdapterState.Faulted), "the injecting adapter faulted");

            var before = Stats(other).Rounds;
            progressed = WaitUntil(() => other.State != NdisAdapterState.Running || Stats(other).Rounds >= before + 50)
                && other.State == NdisAdapterState.Running;
            AssertFaultedAlone(host, faulty, Expected(path, Where.NextRound));
            Assert.True(progressed, $"the other adapter did not keep working: {other.State}, {before} rounds before");
            Assert.Equal(0u, Stats(other).Violations);
            Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, Work(other)); // every lock from a third thread, at PASSIVE_LEVEL
            other.Halt();
            AssertFaultedAlone(host, faulty, Expected(path, Where.NextRound));
        }
        finally
        {
            if (!progressed)
            {
                RescueDispatcher(); // a dispatcher spins on a lock the shim kept: free it, or disposing the engine hangs
            }
        }
    }

    // The shim's state only: outside an adapter routine the host does not give back a spin lock it holds for the driver
    // (an NDIS spin lock is the host's KSPIN_LOCK), so SpinLock and Everything are left out here.
    [NativeTheory]
    [InlineData(Path.RwRead)]
    [InlineData(Path.RwReadRecursive)]
    [InlineData(Path.RwWrite)]
    [InlineData(Path.RwExWrite)]
    [InlineData(Path.RwReadThenSleep)]
    public void AFaultInMiniportDriverUnload_LeavesTheThreadAtPassive_WithNoReadDepth(Path path)
    {
        var (host, driver, engine) = Start();
        var (first, second) = (host.Adapters[0], host.Adapters[1]);
        engine.AdvanceBy(3 * Ms);
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, Inject(first, path, Where.Unload));
        first.Halt();
        second.Halt();
        Assert.False(driver.Unload()); // outside any adapter routine: nothing but the shim puts this thread back
        Assert.Contains(driver.DebugOutput, l => l.StartsWith("MiniportTimers: MiniportDriverUnload raised", StringComparison.Ordinal));
        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());

        // The driver again on a new host, on this thread: it reads where the unwound Unload read, and writes.
        var (host2, _, engine2) = Start();
        engine2.AdvanceBy(5 * Ms);
        Assert.All(host2.Adapters, a => Assert.Equal(5UL, Stats(a).Rounds));
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, Work(host2.Adapters[0]));
        Assert.Equal(6UL, Stats(host2.Adapters[0]).Rounds);
        Assert.Empty(host2.Diagnostics.BugChecks);
        Assert.Empty(host.Diagnostics.BugChecks);
    }

    [NativeTheory]
    [InlineData(Where.Now)]
    [InlineData(Where.NextRound)]
    public void ADebugPrintedHandlerThatThrows_StopsThePrintingAdapter_NotTheNextOneOnTheThread(Where where)
    {
        var (host, driver, engine) = Start();
        var (faulty, other) = (host.Adapters[0], host.Adapters[1]);
        driver.DebugPrinted += line =>
        {
            if (line.StartsWith("Inject print by 1", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("the DebugPrinted handler failed");
            }
        };
        engine.AdvanceBy(2 * Ms);
        var status = Inject(faulty, Path.Print, where);
        if (where == Where.NextRound)
        {
            Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, status);
            engine.AdvanceBy(Ms);
        }

        // The print was the routine's last DDI: the bug check is still the printing adapter's.
        AssertFaultedAlone(host, faulty, BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED);
        var before = Stats(other).Rounds;
        engine.AdvanceBy(10 * Ms);
        Assert.Equal(before + 10, Stats(other).Rounds);
        AssertFaultedAlone(host, faulty, BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED);
    }

    /// <summary>Everything on the test thread: the injecting OID request or timer callback, then the other adapter's rounds.</summary>
    private void OnOneThread(Path path, Where where)
    {
        var (host, _, engine) = Start();
        var (faulty, other) = (host.Adapters[0], host.Adapters[1]);
        engine.AdvanceBy(5 * Ms);
        Assert.Empty(host.Diagnostics.BugChecks);
        Assert.Equal((5UL, 5UL), (Stats(faulty).Rounds, Stats(other).Rounds));

        var status = Inject(faulty, path, where);
        if (where == Where.NextRound)
        {
            Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, status);
            engine.AdvanceBy(Ms);
        }

        AssertFaultedAlone(host, faulty, Expected(path, where));
        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
        var before = Stats(other).Rounds;
        engine.AdvanceBy(10 * Ms);
        AssertFaultedAlone(host, faulty, Expected(path, where));
        var after = Stats(other);
        Assert.Equal((before + 10, 0u), (after.Rounds, after.Violations)); // every 1 ms round, every lock taken and exclusive
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, Work(other)); // and once more at PASSIVE_LEVEL
        Assert.Equal(before + 11, Stats(other).Rounds);
        Assert.Equal(NdisAdapterState.Running, other.State);
        other.Halt();
        AssertFaultedAlone(host, faulty, Expected(path, where));
        Assert.Equal(KIRQL.PASSIVE_LEVEL, Ke.KeGetCurrentIrql());
    }

    private static uint Expected(Path path, Where where) => path switch
    {
        Path.RwWriteReentered or Path.RwReadUpgraded => BugCheckCodes.SPIN_LOCK_ALREADY_OWNED,
        Path.RwReadThenSleep => BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL,
        Path.LookasideDelete or Path.NblPoolFree => BugCheckCodes.DRIVER_VERIFIER_DETECTED_VIOLATION,
        Path.TimerReinitialize => where == Where.Now ? BugCheckCodes.TIMER_OR_DPC_INVALID : BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL,
        _ => MANUALLY_INITIATED_CRASH,
    };

    /// <summary>One bug check in all: <paramref name="faulty"/>'s, with <paramref name="code"/>; the adapter is stopped.</summary>
    private static void AssertFaultedAlone(NdisHost host, NdisMiniportAdapter faulty, uint code)
    {
        var reports = host.Diagnostics.BugChecks;
        Assert.True(
            reports.Count == 1 && reports[0].Adapter == faulty.Name && reports[0].BugCheck.Code == code,
            $"expected one bug check, 0x{code:X} on {faulty.Name}; got {reports.Count}:\n{string.Join('\n', reports.Select(r => $"{r.Adapter} in {r.Routine}: {r.BugCheck.Message}"))}");
        Assert.Equal(NdisAdapterState.Faulted, faulty.State);
    }

    private static uint Inject(NdisMiniportAdapter adapter, Path path, Where where)
    {
        var command = new byte[8];
        BitConverter.TryWriteBytes(command.AsSpan(0, 4), (uint)path);
        BitConverter.TryWriteBytes(command.AsSpan(4, 4), (uint)where);
        return adapter.OidRequest(new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestSetInformation, Oid = OID_UNWIND_INJECT, InformationBuffer = command });
    }

    private static uint Work(NdisMiniportAdapter adapter) =>
        adapter.OidRequest(new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestSetInformation, Oid = OID_UNWIND_WORK, InformationBuffer = new byte[4] });

    private static (ulong Rounds, uint Violations) Stats(NdisMiniportAdapter adapter)
    {
        var request = new NDIS_OID_REQUEST { RequestType = NdisApi.NdisRequestQueryInformation, Oid = OID_UNWIND_STATS, InformationBuffer = new byte[16] };
        Assert.Equal(NdisApi.NDIS_STATUS_SUCCESS, adapter.OidRequest(request));
        var span = request.InformationBuffer.Span;
        return (BitConverter.ToUInt64(span), BitConverter.ToUInt32(span[8..]));
    }

    private static bool WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            Thread.Sleep(1);
        }

        return true;
    }

    private static void RescueDispatcher()
    {
        var library = NativeLibrary.Load(NativeBuild.Driver("ndis6_unwind")); // the handle the driver was loaded with
        Marshal.GetDelegateForFunctionPointer<Rescue>(NativeLibrary.GetExport(library, "Ndis6UnwindRescue"))();
    }

    private (NdisHost Host, NativeNdisDriver Driver, VirtualTimerEngine Engine) Start()
    {
        var engine = new VirtualTimerEngine();
        _disposables.Add(engine);
        var host = new NdisHost(engine);
        var driver = NativeNdisDriver.Load(NativeBuild.Driver("ndis6_unwind"), host);
        Assert.Equal(0, driver.DriverEntryStatus);
        Assert.Equal(NdisAdapterState.Running, host.AddAdapter().State);
        Assert.Equal(NdisAdapterState.Running, host.AddAdapter().State);
        return (host, driver, engine);
    }
}
