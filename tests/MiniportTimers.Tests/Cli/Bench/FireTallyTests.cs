using MiniportTimers.Cli.Bench;

namespace MiniportTimers.Tests.Cli.Bench;

/// <summary>The expiry benches' per-processor tally: exact counts and the latest time across threads.</summary>
public class FireTallyTests
{
    [Fact]
    public void RecordsFromManyThreads_SumExactly_AndTheLatestIsTheMaximum()
    {
        var tally = new FireTally();
        Assert.Equal((0L, 0L), (tally.Fired, tally.Latest));

        // Many threads on few processors share slots: the atomic writes still count exactly.
        const int threads = 80, each = 2_000;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var i = 0; i < each; i++)
            {
                tally.Record((t * 1_000_000L) + i);
            }
        });

        Assert.Equal((long)threads * each, tally.Fired);
        Assert.Equal(((threads - 1) * 1_000_000L) + each - 1, tally.Latest);
    }

    [Fact]
    public void AnEarlierTime_NeverLowersTheLatest()
    {
        var tally = new FireTally();
        tally.Record(500);
        tally.Record(200);
        Assert.Equal((2L, 500L), (tally.Fired, tally.Latest));
    }
}
