using MiniportTimers.Cli.Bench;

namespace MiniportTimers.Tests.Cli.Bench;

/// <summary>
/// Issue 22: <c>bench --only storport</c> in quick mode drives 4 KiB reads through the emulated Storport I/O path of
/// each miniport and checks every read's data; a smoke test of the rows, not of their speed.
/// </summary>
[Collection(MiniportTimers.Tests.Native.NativeDriverCollection.Name)] // loads storport_ahci.so: not beside the other native driver tests
public class StorportIoBenchTests
{
    [Fact]
    public void QuickRows_HavePositiveIops_AndEveryReadCheckedEqual_ForEachMiniportThatIsBuilt()
    {
        var rows = StorportIoBench.Run(quick: true).ToList();

        Assert.DoesNotContain(rows, r => r.Failed);
        var iops = rows.Where(r => r.Metric.StartsWith("IOPS", StringComparison.Ordinal) && !double.IsNaN(r.Value)).ToList();
        Assert.Contains(iops, r => r.Approach.StartsWith("storahci (C#), QD1,", StringComparison.Ordinal));
        Assert.Contains(iops, r => r.Approach.StartsWith("storahci (C#), QD32,", StringComparison.Ordinal));
        Assert.All(iops, r => Assert.True(r.Value > 0, $"{r.Approach}: {r.Value}"));
        Assert.All(iops, r => Assert.Matches(@"^([\d,]+) of \1 reads checked equal$", r.Note!));
        Assert.All(rows.Where(r => r.Metric.StartsWith("bytes", StringComparison.Ordinal)), r => Assert.True(r.Value >= 0));
        if (StorportIoBench.NativeDriverPath() is null)
        {
            Assert.Contains(rows, r => r.Approach == "storport_ahci.c" && r.Note!.StartsWith("skipped", StringComparison.Ordinal));
        }
        else
        {
            Assert.Equal(5, iops.Count(r => r.Approach.StartsWith("storport_ahci.c", StringComparison.Ordinal)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    public void EveryRead_IsCheckedAgainstTheDisk(int queueDepth)
    {
        var r = StorportIoBench.Measure(StorportIoBench.Miniport.Storahci, queueDepth, verifier: true, quick: true);
        Assert.Equal(2_000, r.Ios);
        Assert.Equal(r.Ios, r.Checked);
        Assert.Equal(0, r.Mismatches);
        Assert.True(r.Iops > 0);
    }
}
