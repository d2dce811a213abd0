using MiniportTimers.Engine;
using MiniportTimers.Kernel;
using MiniportTimers.Ndis;
using MiniportTimers.Tests.Storport;
using static MiniportTimers.Ndis.NdisApi;

namespace MiniportTimers.Tests.Ndis.Timers;

/// <summary>semantics.md §2.2: NDIS 6 timer objects, and decisions A4, A9, A10, A13, A15.</summary>
public class NdisTimerObjectTests
{
    private const long Ms = TimeUnits.NanosecondsPerMillisecond;

    private static void Nop(object s1, object? ctx, nuint s2, nuint s3)
    {
    }

    [Fact]
    public void NdisAllocateTimerObject_ValidCharacteristics_Succeeds()
    {
        var bed = new NdisTestBed();
        Assert.Equal(NDIS_STATUS_SUCCESS, NdisAllocateTimerObject(bed.Adapter, NDIS_TIMER_CHARACTERISTICS.For(Nop), out var viaAdapter));
        Assert.Equal(NDIS_STATUS_SUCCESS, NdisAllocateTimerObject(bed.Driver, NDIS_TIMER_CHARACTERISTICS.For(Nop), out var viaDriver));
        Assert.NotNull(viaAdapter);
        Assert.NotNull(viaDriver);
    }

    public static TheoryData<string, NDIS_TIMER_CHARACTERISTICS?> BadCharacteristics() => new()
    {
        { "null", null },
        { "type", new NDIS_TIMER_CHARACTERISTICS { Header = new NDIS_OBJECT_HEADER(0x96, 1, 24), TimerFunction = Nop } },
        { "revision", new NDIS_TIMER_CHARACTERISTICS { Header = new NDIS_OBJECT_HEADER(0x97, 2, 24), TimerFunction = Nop } },
        { "size", new NDIS_TIMER_CHARACTERISTICS { Header = new NDIS_OBJECT_HEADER(0x97, 1, 16), TimerFunction = Nop } },
        { "function", new NDIS_TIMER_CHARACTERISTICS { Header = new NDIS_OBJECT_HEADER(0x97, 1, 24) } },
    };

    [Theory]
    [MemberData(nameof(BadCharacteristics))]
    public void NdisAllocateTimerObject_InvalidCharacteristics_ReturnsBadCharacteristics(string what, NDIS_TIMER_CHARACTERISTICS? characteristics)
    {
        var bed = new NdisTestBed();
        Assert.Equal(NDIS_STATUS_BAD_CHARACTERISTICS, NdisAllocateTimerObject(bed.Adapter, characteristics, out var timer));
        Assert.Null(timer);
        Assert.NotNull(what);
    }

    [Fact]
    public void NdisAllocateTimerObject_UnknownHandle_ReturnsFailure()
    {
        Assert.Equal(NDIS_STATUS_FAILURE, NdisAllocateTimerObject(new object(), NDIS_TIMER_CHARACTERISTICS.For(Nop), out _));
    }

    [Fact]
    public void NdisAllocateTimerObject_AboveDispatch_BugChecks()
    {
        var bed = new NdisTestBed();
        StorportTestBed.AtIrql((KIRQL)4, () => Assert.Equal(BugCheckCodes.IRQL_NOT_LESS_OR_EQUAL, Assert.Throws<BugCheckException>(() => NdisAllocateTimerObject(bed.Adapter, NDIS_TIMER_CHARACTERISTICS.For(Nop), out _)).Code));
    }

    [Fact]
    public void NdisSetTimerObject_RelativeDueTimeIn100ns_FiresThen()
    {
        var bed = new NdisTestBed();
        var fired = new List<long>();
        var t = bed.NewTimerObject((_, _, _, _) => fired.Add(bed.Engine.NowNanoseconds));
        Assert.False(NdisSetTimerObject(t, -1_234_560, 0, null)); // 123.456 ms
        bed.AdvanceMs(1_000);
        Assert.Equal([123_456_000L], fired);
    }

    [Fact]
    public void A4_NdisSetTimerObjectWhileQueued_ReturnsTrueAndReplaces()
    {
        var bed = new NdisTestBed();
        var fired = new List<long>();
        var t = bed.NewTimerObject((_, _, _, _) => fired.Add(bed.NowMs));
        Assert.False(NdisSetTimerObject(t, -100 * 10_000, 0, null));
        Assert.True(NdisSetTimerObject(t, -300 * 10_000, 0, null));
        bed.AdvanceMs(1_000);
        Assert.Equal([300L], fired);
        Assert.False(NdisSetTimerObject(t, -10 * 10_000, 0, null));
    }

    [Fact]
    public void NdisSetTimerObject_AbsoluteSystemTime_FiresAtThatTime()
    {
        var bed = new NdisTestBed();
        var fired = new List<long>();
        var t = bed.NewTimerObject((_, _, _, _) => fired.Add(bed.NowMs));
        var absolute = bed.Host.Options.SystemTimeAtEngineZero100ns + (250 * 10_000);
        NdisSetTimerObject(t, absolute, 0, null);
        bed.AdvanceMs(1_000);
        Assert.Equal([250L], fired);
    }

    [Fact]
    public void A15_DueTimeZeroOrAPastAbsoluteTime_FiresAtTheNextDispatch()
    {
        var bed = new NdisTestBed();
        bed.AdvanceMs(500);
        var fired = new List<string>();
        NdisSetTimerObject(bed.NewTimerObject((_, c, _, _) => fired.Add((string)c!)), 0, 0, "zero");
        NdisSetTimerObject(bed.NewTimerObject((_, c, _, _) => fired.Add((string)c!)), bed.Host.Options.SystemTimeAtEngineZero100ns + 10_000, 0, "past");
        bed.AdvanceMs(0);
        Assert.Equal(["zero", "past"], fired);
        Assert.Equal(500, bed.NowMs);
    }

    [Fact]
    public void NdisSetTimerObject_NullContext_UsesTheDefaultOtherwiseThePerSetContext()
    {
        var bed = new NdisTestBed();
        var seen = new List<object?>();
        var t = bed.NewTimerObject((_, c, _, _) => seen.Add(c), defaultContext: "default");
        NdisSetTimerObject(t, -10_000, 0, null);
        bed.AdvanceMs(1);
        NdisSetTimerObject(t, -10_000, 0, "per-set");
        bed.AdvanceMs(1);
        NdisSetTimerObject(t, -10_000, 0, null);
        bed.AdvanceMs(1);
        Assert.Equal(["default", "per-set", "default"], seen);
    }

    [Fact]
    public void NdisSetTimerObject_Period_FiresEveryPeriodFromTheDueTime()
    {
        var bed = new NdisTestBed();
        var fired = new List<long>();
        NdisSetTimerObject(bed.NewTimerObject((_, _, _, _) => fired.Add(bed.NowMs)), -50 * 10_000, 20, null);
        bed.AdvanceMs(110);
        Assert.Equal([50L, 70, 90, 110], fired);
    }

    [Fact]
    public void NdisSetCoalescableTimerObject_ToleranceInMs_LateWithinItNeverEarly()
    {
        var bed = new NdisTestBed();
        var fired = new List<(string, long)>();
        NdisSetCoalescableTimerObject(bed.NewTimerObject((_, c, _, _) => fired.Add(((string)c!, bed.NowMs))), -100 * 10_000, 0, "tolerant", 50);
        NdisSetTimerObject(bed.NewTimerObject((_, c, _, _) => fired.Add(((string)c!, bed.NowMs))), -120 * 10_000, 0, "strict");
        bed.AdvanceMs(1_000);
        Assert.Equal([("tolerant", 120L), ("strict", 120L)], fired);
    }

    [Fact]
    public void NdisSetCoalescableTimerObject_Lone_FiresAtDueTimePlusTolerance()
    {
        var bed = new NdisTestBed();
        var fired = new List<long>();
        NdisSetCoalescableTimerObject(bed.NewTimerObject((_, _, _, _) => fired.Add(bed.NowMs)), -100 * 10_000, 0, null, 32);
        bed.AdvanceMs(1_000);
        Assert.Equal([132L], fired);
    }

    [Fact]
    public void NdisSetTimerObject_NegativePeriodOrDueOverflow_ThrowsAndOthersAreUntouched()
    {
        var bed = new NdisTestBed();
        var fired = 0;
        NdisSetTimerObject(bed.NewTimerObject((_, _, _, _) => fired++), -10_000, 0, null);
        var bad = bed.NewTimerObject(Nop);
        Assert.Throws<ArgumentOutOfRangeException>(() => NdisSetTimerObject(bad, -10_000, -1, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => NdisSetTimerObject(bad, long.MinValue, 0, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => NdisSetTimerObject(bad, long.MaxValue, 0, null));
        bed.AdvanceMs(1);
        Assert.Equal(1, fired);
    }

    [Fact]
    public void NdisCancelTimerObject_ReportsWhetherItWasQueued()
    {
        var bed = new NdisTestBed();
        var fired = false;
        var t = bed.NewTimerObject((_, _, _, _) => fired = true);
        Assert.False(NdisCancelTimerObject(t));
        NdisSetTimerObject(t, -10_000, 0, null);
        Assert.True(NdisCancelTimerObject(t));
        bed.AdvanceMs(10);
        Assert.False(fired);
    }

    [Fact]
    public void NdisCancelTimerObject_PeriodicAtPassiveWhileItsCallbackRunsOnAnotherThread_ReturnsAfterTheCallback()
    {
        using var engine = new RealTimeTimerEngine();
        var bed = new NdisTestBed(engine: engine);
        using var entered = new ManualResetEventSlim();
        var finished = 0;
        var t = bed.NewTimerObject((_, _, _, _) =>
        {
            entered.Set();
            Thread.Sleep(200);
            Volatile.Write(ref finished, 1);
        });
        NdisSetTimerObject(t, -10_000, 1_000, null);
        Assert.True(entered.Wait(TimeSpan.FromSeconds(5)));
        Assert.True(NdisCancelTimerObject(t));
        Assert.Equal(1, Volatile.Read(ref finished));
    }

    [Fact]
    public void A10_PeriodicCancelAbovePassive_VerifierOff_StillCancelsAndIsReported()
    {
        var bed = new NdisTestBed(options: new NdisHostOptions { Verifier = false });
        var fired = 0;
        var t = bed.NewTimerObject((_, _, _, _) => fired++);
        NdisSetTimerObject(t, -10_000, 5, null);
        var cancelled = false;
        StorportTestBed.AtIrql(KIRQL.DISPATCH_LEVEL, () => cancelled = NdisCancelTimerObject(t));
        bed.AdvanceMs(100);
        Assert.True(cancelled);
        Assert.Equal(0, fired);
        Assert.Equal("PeriodicCancelAbovePassive", Assert.Single(bed.Host.Diagnostics.Findings).Rule);
    }

    [Fact]
    public void A9_NdisFreeTimerObject_VerifierOff_NoCallbackAfterwards_FreeWhileQueuedAndDoubleFreeAreReported()
    {
        var bed = new NdisTestBed(options: new NdisHostOptions { Verifier = false });
        var fired = false;
        var t = bed.NewTimerObject((_, _, _, _) => fired = true);
        NdisSetTimerObject(t, -10_000, 0, null);
        NdisFreeTimerObject(t);
        NdisFreeTimerObject(t);
        bed.AdvanceMs(10);
        Assert.False(fired);
        Assert.Equal(["TimerFreedWhileQueued", "TimerFreedTwice"], bed.Host.Diagnostics.Findings.Select(f => f.Rule));
    }

    [Fact]
    public void A9_FreeFromItsOwnCallback_NothingRunsAgain()
    {
        var bed = new NdisTestBed();
        var fires = 0;
        NdisTimerObject? t = null;
        t = bed.NewTimerObject((_, _, _, _) =>
        {
            fires++;
            NdisCancelTimerObject(t!);
            NdisFreeTimerObject(t!);
        });
        NdisSetTimerObject(t, -10_000, 5, null);
        bed.AdvanceMs(100);
        Assert.Equal(1, fires);
    }

    [Fact]
    public void DriverHandleTimerAllocatedInInitialize_BelongsToThatAdapter()
    {
        NdisTimerObject? timer = null;
        var bed = new NdisTestBed(adapters: 0);
        bed.Initialize = handle => NdisAllocateTimerObject(bed.Driver, NDIS_TIMER_CHARACTERISTICS.For((_, _, _, _) => throw new InvalidOperationException("bad")), out timer);
        var adapter = bed.Host.AddAdapter();
        NdisSetTimerObject(timer!, -10_000, 0, null);
        bed.AdvanceMs(1);
        Assert.Equal(NdisAdapterState.Faulted, adapter.State);
        Assert.Equal(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, Assert.Single(bed.Host.Diagnostics.BugChecks).BugCheck.Code);
    }

    [Fact]
    public void NdisStatus_Values_MatchNdisH()
    {
        Assert.Equal(
            new uint[] { 0x0u, 0x103, 0xC0000001, 0xC000009A, 0xC000000D, 0xC0010004, 0xC0010005, 0xC00000BB, 0xC0010011 },
            new uint[] { NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE, NDIS_STATUS_RESOURCES, NDIS_STATUS_INVALID_PARAMETER, NDIS_STATUS_BAD_VERSION, NDIS_STATUS_BAD_CHARACTERISTICS, NDIS_STATUS_NOT_SUPPORTED, NDIS_STATUS_ADAPTER_NOT_READY });
        Assert.Equal((0x97, 1, 24), (NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, NDIS_TIMER_CHARACTERISTICS_REVISION_1, NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1));
        Assert.Equal("NDIS_STATUS_PENDING", NdisStatusName(0x103));
    }
}
