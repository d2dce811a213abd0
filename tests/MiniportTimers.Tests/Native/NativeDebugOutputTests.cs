using MiniportTimers.Engine;
using MiniportTimers.Native;
using MiniportTimers.Native.Ndis;
using MiniportTimers.Ndis;

namespace MiniportTimers.Tests.Native;

/// <summary>Runs alone: it measures the managed heap, which other tests' allocations would blur.</summary>
[CollectionDefinition(nameof(NativeDebugOutputMemory), DisableParallelization = true)]
public sealed class NativeDebugOutputMemory;

/// <summary>
/// Issue 21 §4: <see cref="NativeDriver.DebugOutput"/> keeps the most recent prints in a ring (10,000 by default,
/// <c>KernelHostOptions.RecentDebugPrints</c>), with exact counts of every print and of those dropped. Before, it kept
/// every line: 100,000 prints grew the heap by 44 MiB. This class runs alone: it measures the managed heap.
/// </summary>
[Collection(nameof(NativeDebugOutputMemory))]
public class NativeDebugOutputMemoryTests
{
    private const int Prints = 200_000; // chatty.c's DriverEntry

    [NativeFact]
    public void DebugOutput_KeepsTheMostRecentPrints_WithExactCounts_InBoundedMemory()
    {
        using var engine = new VirtualTimerEngine();
        var host = new NdisHost(engine);
        var path = Api.DriverLoadingTests.BrokenDrivers.Path("chatty");
        NativeNdisDriver.Load(path, new NdisHost(engine)); // warm up: the library, the bridge, the JIT
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var driver = NativeNdisDriver.Load(path, host);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.Equal(Prints, driver.DebugPrintCount);
        Assert.Equal(Prints - 10_000, driver.DebugPrintsDropped);
        var kept = driver.DebugOutput;
        Assert.Equal(10_000, kept.Count);
        Assert.Equal("line 190000\n", kept[0]); // the oldest kept
        Assert.Equal("line 199999\n", kept[^1]); // the most recent
        Assert.Equal(Enumerable.Range(190_000, 10_000).Select(i => $"line {i}\n"), kept); // in order, none lost among them
        var grown = after - before;
        Assert.True(grown < 4L << 20, $"200,000 prints grew the heap by {grown / 1024.0 / 1024:F1} MiB (keeping every one: over 10 MiB)");
        GC.KeepAlive(driver);
    }
}

/// <summary>Issue 21 §4: the ring's capacity is the host's option, the event still sees every print, and the ring wraps in order.</summary>
[Collection(NativeDriverCollection.Name)]
public class NativeDebugOutputTests
{
    [NativeFact]
    public void DebugOutput_Capacity_IsTheHostsRecentDebugPrints_AndTheEventSeesEveryPrint()
    {
        using var engine = new VirtualTimerEngine();
        var host = new NdisHost(engine, new NdisHostOptions { RecentDebugPrints = 2 });
        var driver = NativeNdisDriver.Load(NativeBuild.Driver("ndis6_timers"), host);
        var seen = 0L;
        driver.DebugPrinted += _ => Interlocked.Increment(ref seen);
        var printedAtLoad = driver.DebugPrintCount;
        host.AddAdapter();
        engine.AdvanceBy(3_500 * TimeUnits.NanosecondsPerMillisecond);
        Assert.True(driver.DebugPrintCount > printedAtLoad + 2, $"the driver printed {driver.DebugPrintCount}; the test needs more than the ring holds");
        Assert.Equal(driver.DebugPrintCount - printedAtLoad, seen);
        Assert.Equal(2, driver.DebugOutput.Count);
        Assert.Equal(driver.DebugPrintCount - 2, driver.DebugPrintsDropped);
        Assert.Throws<ArgumentOutOfRangeException>(() => new NdisHostOptions { RecentDebugPrints = 0 });
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 5)]
    [InlineData(4, 3)]
    [InlineData(4, 4)]
    [InlineData(4, 9)]
    [InlineData(300, 299)]
    [InlineData(300, 1_000)]
    [InlineData(1_000, 2_345)]
    public void Ring_KeepsTheLastCapacityInOrder_AcrossTheWrap(int capacity, int added)
    {
        var ring = new DebugOutputRing(capacity);
        for (var i = 0; i < added; i++)
        {
            ring.Add(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var expected = Enumerable.Range(Math.Max(0, added - capacity), Math.Min(added, capacity)).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, ring.Snapshot());
        Assert.Equal(added, ring.Printed);
        Assert.Equal(Math.Max(0, added - capacity), ring.Dropped);
    }
}
