using HdrHistogram;
using MiniportTimers.Diagnostics;
using MiniportTimers.Tests.Support;

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
    /// <summary>
    /// Issue 27, session twenty: a row first armed on a dispatcher is prefaulted on another thread while its owner already
    /// records (TimerActivity, RecorderPrefault.InBackground). The prefault's atomic add of zero never loses one of the
    /// owner's plain increments: here every count is touched over and over while the owner hammers the first eight. A
    /// plain read and write back in place of the atomic add loses some (tried: the sum falls short).
    /// </summary>
    [Fact]
    public void APrefaultOnAnotherThread_WhileTheOwnerRecords_LosesNoSample()
    {
        var recorder = new LatenessRecorder();
        recorder.Record(1); // this thread owns the histogram from here
        var stop = 0;
        var touches = 0;
        var toucher = new Thread(() =>
        {
            while (Volatile.Read(ref stop) == 0)
            {
                recorder.Prefault(strideCounts: 1);
                Interlocked.Increment(ref touches);
            }
        });
        toucher.Start();

        // At least a million samples, and on until the other thread has made ten passes over the counts while this
        // one recorded (a loaded machine may start it late).
        var samples = 0L;
        var touchesWhileRecording = -1;
        while (samples < 1_000_000 || touchesWhileRecording < 10)
        {
            if (touchesWhileRecording < 0 && Volatile.Read(ref touches) > 0)
            {
                touchesWhileRecording = 0; // from the first complete pass on, count the passes that overlap recording
            }

            for (var i = 0; i < 1_000; i++, samples++)
            {
                recorder.Record(1 + (samples & 7));
            }

            if (touchesWhileRecording >= 0)
            {
                touchesWhileRecording = Volatile.Read(ref touches) - 1;
            }
        }

        Volatile.Write(ref stop, 1);
        toucher.Join();
        Assert.Equal(samples + 1, recorder.Count);
        Assert.Equal(samples + 1, recorder.SumOfOwnedCounts());
        Assert.Equal(8, recorder.MaxNanoseconds);
    }

    /// <summary>
    /// Issue 27, session nineteen: a real-clock host's recorder writes its histogram's memory as it is made, so its first
    /// samples, wherever they land in the 1 ns to 1 h range, take no page fault on the thread that fires (before: a fault
    /// of about 10 µs per new page, 20-45 µs in the first fires of pcnet's 5 s poll). Counted with this thread's own
    /// minor faults (/proc/thread-self/stat), which no other thread's work moves.
    /// </summary>
    [LinuxFact]
    public void APrefaultedRecorder_TakesNoPageFault_WhereverItsFirstSamplesLand_AndAnswersAsAFreshOne()
    {
        var warm = new LatenessRecorder();
        warm.Prefault();
        warm.Record(1); // compiles and claims, on another recorder: the path below is warm
        var samples = new List<long>();
        for (var value = 1L; value <= LatenessRecorder.HighestTrackableNanoseconds; value = checked(value * 2))
        {
            samples.Add(value); // 43 samples, a page of the histogram apart from 2 µs on
        }

        // This thread's faults can also come from outside the recorder (a collection suspending it, the kernel moving a
        // page): a few tries, each on a fresh recorder, and one must take none (unprefaulted, each takes about 33).
        var faultsPerTry = new List<long>();
        LatenessRecorder? recorder = null;
        using var stat = File.OpenHandle("/proc/thread-self/stat"); // read into buffers made before: no allocation between
        var before = new byte[1024];
        var after = new byte[1024];
        for (var attempt = 0; attempt < 3 && (faultsPerTry.Count == 0 || faultsPerTry[^1] != 0); attempt++)
        {
            recorder = new LatenessRecorder();
            recorder.Prefault();
            Assert.Equal(0, recorder.Count);
            Assert.Equal(0, recorder.MaxNanoseconds);
            var beforeLength = RandomAccess.Read(stat, before, 0);
            foreach (var sample in samples)
            {
                recorder.Record(sample);
            }

            var afterLength = RandomAccess.Read(stat, after, 0);
            faultsPerTry.Add(MinorFaults(after.AsSpan(0, afterLength)) - MinorFaults(before.AsSpan(0, beforeLength)));
        }

        Assert.True(faultsPerTry[^1] == 0, $"page faults while recording, per try: {string.Join(", ", faultsPerTry)}");
        var reference = new LongHistogram(LatenessRecorder.HighestTrackableNanoseconds, 3);
        foreach (var sample in samples)
        {
            reference.RecordValue(sample);
        }

        Assert.Equal(samples.Count, recorder!.Count);
        foreach (var percentile in new[] { 0.0, 25, 50, 99, 100 })
        {
            Assert.Equal(Math.Min(reference.GetValueAtPercentile(percentile), samples[^1]), recorder.PercentileNanoseconds(percentile));
        }
    }

    /// <summary>The minor page faults in a /proc/thread-self/stat text: field 10 (after the ')' that ends the thread's name).</summary>
    private static long MinorFaults(ReadOnlySpan<byte> stat)
    {
        var text = System.Text.Encoding.ASCII.GetString(stat);
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture); // fields[0] is the state, field 3
    }
}
