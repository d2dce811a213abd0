using System.Text;
using Xunit.Abstractions;

namespace MiniportTimers.Tests.ModelBased;

/// <summary>
/// Random DDI call sequences (Storport extended and legacy timers, requests at DISPATCH_LEVEL and from HwInterrupt, frees, NDIS timer objects
/// one-shot and periodic, NDIS 5 NdisMSetTimer / NdisMSetPeriodicTimer / NdisMCancelTimer, cancels, adapter removal, clock moves) from several threads, compared with the reference model: every status
/// and every callback (which, when, with what context). A divergence fails with the seed and the shortest sequence found
/// that still diverges. Runs 100,000 operations: fixed seeds plus fresh ones (printed).
/// </summary>
public class ModelBasedTests(ITestOutputHelper output)
{
    private const int Threads = 4;
    private const int OperationsPerSeed = 5_000;

    public static TheoryData<int> FixedSeeds() => [.. Enumerable.Range(1, 15)];

    [Theory]
    [MemberData(nameof(FixedSeeds))]
    public void FixedSeed_MatchesTheModel(int seed) => Check(seed);

    [Fact]
    public void FreshSeeds_MatchTheModel()
    {
        for (var i = 0; i < 5; i++)
        {
            var seed = Random.Shared.Next();
            output.WriteLine($"fresh seed {seed}");
            Check(seed);
        }
    }

    [Fact]
    public void GeneratedSequences_ExerciseEveryOperationAndEveryTimerKindFires()
    {
        var ops = Generate(1, OperationsPerSeed);
        Assert.Equal(
            ["Advance", "Free", "Init", "Legacy", "NdisCancel", "NdisMCancel", "NdisMSet", "NdisMSetPeriodic", "NdisSet", "Remove", "Request", "RequestAtDirql", "RequestAtDispatch"],
            ops.Select(o => o.Kind).Distinct().Order(StringComparer.Ordinal));
        var model = new ReferenceModel();
        var statuses = ops.Select(model.Apply).ToList();
        Assert.Contains("STOR_STATUS_BUSY", statuses);
        Assert.Contains("TRUE", statuses);
        Assert.Contains(statuses, st => st.StartsWith("REMOVED ", StringComparison.Ordinal) && st != "REMOVED 0"); // a removal with timers queued
        foreach (var tag in new[] { " ctx", " A", " B", " obj", " mt" })
        {
            Assert.Contains(model.Log, line => line.Contains(tag, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void TheModelCatchesABrokenSystem()
    {
        // The comparison can fail: a sequence with a BUSY the model expects, checked against an altered expectation.
        var ops = new List<Operation> { new("Init", 0, 0, 0, 0), new("Request", 0, 100, 0, 1), new("Request", 0, 100, 0, 2) };
        var model = new ReferenceModel();
        Assert.Equal(["STOR_STATUS_SUCCESS", "STOR_STATUS_SUCCESS", "STOR_STATUS_BUSY"], ops.Select(model.Apply));
        Assert.NotNull(FirstDivergence([.. ops, new Operation("Advance", 0, 100, 0, 3)], tamper: true));
    }

    private static void Check(int seed)
    {
        var ops = Generate(seed, OperationsPerSeed);
        if (FirstDivergence(ops) is not { } failure)
        {
            return;
        }

        var shortest = Shrink(ops[..(failure.Index + 1)]);
        var report = new StringBuilder($"seed {seed}: {failure.What}\nshortest sequence that diverges ({shortest.Count} operations):\n");
        shortest.ForEach(op => report.AppendLine($"  {op}"));
        report.AppendLine(FirstDivergence(shortest)?.What);
        Assert.Fail(report.ToString());
    }

    /// <summary>Runs the sequence on both sides; returns where and how they first differ, or null.</summary>
    private static (int Index, string What)? FirstDivergence(List<Operation> ops, bool tamper = false)
    {
        var model = new ReferenceModel();
        using var sut = new SystemUnderTest(Threads);
        for (var i = 0; i < ops.Count; i++)
        {
            var expected = model.Apply(ops[i]);
            var actual = sut.Apply(ops[i]);
            if (tamper && i == ops.Count - 1)
            {
                model.Log.Add("999999 tampered");
            }

            if (expected != actual)
            {
                return (i, $"operation {i} ({ops[i]}): model says {expected}, system says {actual}");
            }

            if (!model.Log.SequenceEqual(sut.Log))
            {
                var at = model.Log.Zip(sut.Log).TakeWhile(p => p.First == p.Second).Count();
                return (i, $"after operation {i} ({ops[i]}): callback {at}: model {model.Log.ElementAtOrDefault(at) ?? "none"}, system {sut.Log.ElementAtOrDefault(at) ?? "none"}");
            }

            if (sut.BugChecks.Count > 0)
            {
                return (i, $"after operation {i}: bug check {sut.BugChecks[0].BugCheck.Message}");
            }
        }

        return null;
    }

    /// <summary>Greedy shrinking: drop operations one at a time while the sequence still diverges.</summary>
    private static List<Operation> Shrink(List<Operation> ops)
    {
        var current = ops;
        for (var i = 0; i < current.Count;)
        {
            var candidate = current.Where((_, j) => j != i).ToList();
            if (FirstDivergence(candidate) is not null)
            {
                current = candidate;
            }
            else
            {
                i++;
            }
        }

        return current;
    }

    private static List<Operation> Generate(int seed, int count)
    {
        var rng = new Random(seed);
        var ops = new List<Operation>(count);
        for (var i = 0; i < count; i++)
        {
            var thread = rng.Next(Threads);
            var slot = rng.Next(4);
            var roll = rng.Next(100);
            long Value() => rng.Next(10) == 0 ? 0 : rng.Next(1, 3_000);
            ops.Add(roll switch
            {
                < 5 => new Operation("Init", slot, 0, 0, thread),
                < 30 => new Operation("Request", slot, Value(), new long[] { 0, 20, 40, 500 }[rng.Next(4)], thread),
                < 35 => new Operation("RequestAtDispatch", slot, Value(), new long[] { 0, 20, 40, 500 }[rng.Next(4)], thread),
                < 40 => new Operation("RequestAtDirql", slot, Value(), 0, thread),
                < 48 => new Operation("Free", slot, 0, 0, thread),
                < 58 => new Operation("Legacy", 0, Value(), rng.Next(2), thread),
                < 70 => new Operation("NdisSet", rng.Next(3), rng.Next(0, 3_000), new long[] { 0, 0, 0, 1, 2 }[rng.Next(5)], thread),
                < 75 => new Operation("NdisCancel", rng.Next(3), 0, 0, thread),
                < 78 => new Operation("NdisMSet", rng.Next(2), rng.Next(0, 4), 0, thread),
                < 80 => new Operation("NdisMSetPeriodic", rng.Next(2), rng.Next(1, 4), 0, thread),
                < 83 => new Operation("NdisMCancel", rng.Next(2), 0, 0, thread),
                < 84 when rng.Next(4) == 0 => new Operation("Remove", 0, 0, 0, thread),
                _ => new Operation("Advance", 0, rng.Next(0, 2_000), 0, thread),
            });
        }

        return ops;
    }
}
