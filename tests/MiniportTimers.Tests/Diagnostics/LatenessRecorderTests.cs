using HdrHistogram;
using MiniportTimers.Diagnostics;

namespace MiniportTimers.Tests.Diagnostics;

/// <summary>
/// Issue 27, session ten: the lateness recorder's owner thread records without a lock, every other thread under the
/// gate, and a percentile read holds the owner out of its histogram. Whatever thread records a sample, and whenever a
/// reader reads, every sample is counted once and the answers are those of one histogram of all the samples.
/// </summary>
public sealed class LatenessRecorderTests
{
    [Fact]
    public void SamplesOfTheOwnerAndOfOtherThreads_AreCountedOnce_AndGiveTheAnswersOfOneHistogram()
    {
        var recorder = new LatenessRecorder();
        var reference = new LongHistogram(LatenessRecorder.HighestTrackableNanoseconds, 3);
        long[] owners = [-5, 1_000, 2_000, 3_000_000, 40];
        long[] others = [7, 900_000, -1, 123_456_789];
        foreach (var sample in owners)
        {
            recorder.Record(sample); // the first recording thread: the owner
            reference.RecordValue(Math.Max(0, sample));
        }

        var other = new Thread(() =>
        {
            foreach (var sample in others)
            {
                recorder.Record(sample);
            }
        });
        other.Start();
        other.Join();
        foreach (var sample in others)
        {
            reference.RecordValue(Math.Max(0, sample));
        }

        Assert.Equal(9, recorder.Count);
        Assert.Equal(2, recorder.EarlyCount);
        Assert.Equal(123_456_789, recorder.MaxNanoseconds);
        foreach (var percentile in new[] { 0.0, 10, 50, 90, 99, 100 })
        {
            Assert.Equal(Math.Min(reference.GetValueAtPercentile(percentile), 123_456_789), recorder.PercentileNanoseconds(percentile));
        }
    }

    [Fact]
    public void PercentileReadsWhileTheOwnerRecords_LoseNoSample()
    {
        const int Samples = 200_000;
        var recorder = new LatenessRecorder();
        var ownerStarted = new ManualResetEventSlim();
        var owner = new Thread(() =>
        {
            recorder.Record(1); // claims the recorder
            ownerStarted.Set();
            for (var i = 2; i <= Samples; i++)
            {
                recorder.Record(i % 1_000);
            }
        });
        owner.Start();
        ownerStarted.Wait();
        var reads = 0;
        while (owner.IsAlive)
        {
            var p50 = recorder.PercentileNanoseconds(50); // holds the owner out: its samples go to the shared part meanwhile
            Assert.InRange(p50, 0, 999);
            reads++;
        }

        owner.Join();
        Assert.True(reads > 0);
        Assert.Equal(Samples, recorder.Count);
        Assert.Equal(999, recorder.MaxNanoseconds);
        Assert.Equal(0, recorder.EarlyCount);

        var reference = new LongHistogram(LatenessRecorder.HighestTrackableNanoseconds, 3);
        reference.RecordValue(1);
        for (var i = 2; i <= Samples; i++)
        {
            reference.RecordValue(i % 1_000);
        }

        Assert.Equal(reference.GetValueAtPercentile(50), recorder.PercentileNanoseconds(50));
        Assert.Equal(reference.GetValueAtPercentile(99), recorder.PercentileNanoseconds(99));
    }

    [Fact]
    public void AnEmptyRecorder_AnswersZero()
    {
        var recorder = new LatenessRecorder();
        Assert.Equal(0, recorder.Count);
        Assert.Equal(0, recorder.MaxNanoseconds);
        Assert.Equal(0, recorder.PercentileNanoseconds(99));
    }
}
