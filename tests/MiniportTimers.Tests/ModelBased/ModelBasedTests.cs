using CsCheck;
using Xunit.Abstractions;

namespace MiniportTimers.Tests.ModelBased;

/// <summary>
/// Random DDI call sequences (Storport extended and legacy timers, requests at DISPATCH_LEVEL and from HwInterrupt, frees, NDIS timer objects
/// one-shot and periodic, NDIS 5 NdisMSetTimer / NdisMSetPeriodicTimer / NdisMCancelTimer, cancels, adapter removal, clock moves) from several threads, compared with the reference model: every status
/// and every callback (which, when, with what context). The sequences come from CsCheck generators; a divergence fails
/// with CsCheck's seed (to replay it) and the smallest sequence CsCheck's shrinking found that still diverges.
/// </summary>
public class ModelBasedTests(ITestOutputHelper output)
{
    private const int Threads = 4;
    private const int OperationsPerSample = 5_000;

    private static readonly long[] Tolerances = [0, 20, 40, 500];

    /// <summary>A timer value, µs: one in ten is 0 (a cancel), the rest 1 to 2,999.</summary>
    private static readonly Gen<long> Value = Gen.Frequency((1, Gen.Const(0L)), (9, Gen.Long[1, 2_999]));

    private static readonly Gen<int> Thread = Gen.Int[0, Threads - 1];

    private static readonly Gen<long> Tolerance = Gen.Int[0, Tolerances.Length - 1].Select(i => Tolerances[i]);

    /// <summary>One operation, with the mix the hand-written generator had (requests most, removals rare).</summary>
    public static readonly Gen<Operation> Op = Gen.Frequency(
        (5, Gen.Select(Gen.Int[0, 3], Thread, (slot, t) => new Operation("Init", slot, 0, 0, t))),
        (25, Gen.Select(Gen.Int[0, 3], Value, Tolerance, Thread, (slot, v, tol, t) => new Operation("Request", slot, v, tol, t))),
        (5, Gen.Select(Gen.Int[0, 3], Value, Tolerance, Thread, (slot, v, tol, t) => new Operation("RequestAtDispatch", slot, v, tol, t))),
        (5, Gen.Select(Gen.Int[0, 3], Value, Thread, (slot, v, t) => new Operation("RequestAtDirql", slot, v, 0, t))),
        (8, Gen.Select(Gen.Int[0, 3], Thread, (slot, t) => new Operation("Free", slot, 0, 0, t))),
        (10, Gen.Select(Value, Gen.Int[0, 1], Thread, (v, routine, t) => new Operation("Legacy", 0, v, routine, t))),
        (12, Gen.Select(Gen.Int[0, 2], Gen.Long[0, 2_999], Gen.Frequency((3, Gen.Const(0L)), (1, Gen.Const(1L)), (1, Gen.Const(2L))), Thread, (obj, v, period, t) => new Operation("NdisSet", obj, v, period, t))),
        (5, Gen.Select(Gen.Int[0, 2], Thread, (obj, t) => new Operation("NdisCancel", obj, 0, 0, t))),
        (3, Gen.Select(Gen.Int[0, 1], Gen.Long[0, 3], Thread, (timer, ms, t) => new Operation("NdisMSet", timer, ms, 0, t))),
        (2, Gen.Select(Gen.Int[0, 1], Gen.Long[1, 3], Thread, (timer, ms, t) => new Operation("NdisMSetPeriodic", timer, ms, 0, t))),
        (3, Gen.Select(Gen.Int[0, 1], Thread, (timer, t) => new Operation("NdisMCancel", timer, 0, 0, t))),
        (1, Thread.Select(t => new Operation("Remove", 0, 0, 0, t))),
        (16, Gen.Select(Gen.Long[0, 1_999], Thread, (us, t) => new Operation("Advance", 0, us, 0, t))));

    [Fact]
    public void GeneratedSequences_MatchTheModel() =>
        Check.Sample(
            Op.List[1, OperationsPerSample],
            ops => FirstDivergence(ops) is null,
            writeLine: output.WriteLine,
            iter: 60,
            threads: 1,
            print: Describe);

    [Fact]
    public void GeneratedSequences_ExerciseEveryOperationAndEveryTimerKindFires()
    {
        var ops = Op.List[OperationsPerSample, OperationsPerSample].Single();
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

        // ... and CsCheck reports such a divergence as a failure (with its seed), not a pass.
        Assert.ThrowsAny<Exception>(() => Check.Sample(Gen.Const(ops), o => FirstDivergence([.. o, new Operation("Advance", 0, 100, 0, 3)], tamper: true) is null, iter: 1, threads: 1));
    }

    private static string Describe(List<Operation> ops) =>
        $"{ops.Count} operations:\n  " + string.Join("\n  ", ops) + "\n" + (FirstDivergence(ops)?.What ?? "no divergence");

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
}
